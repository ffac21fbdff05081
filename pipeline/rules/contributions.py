"""ONSS base and social contributions (data-contract computations 2, 3, 3b and 3c).

- ONSS base: blue collars (ouvriers) round((gross + guaranteed_wage_onss) × 108 %), because
  ONVA, not the employer, pays their simple holiday pay (Royal Decree of 28 November 1969
  executing the Law of 27 June 1969, art. 19 § 1, second paragraph; socialsecurity.be "Quels
  sont les types de cotisations", "Ouvriers et artistes"); white collars gross + guaranteed_wage_onss.
- One line per contribution, ``amount = round(onss_base × rate)`` half away from zero to the cent;
  the lines a rule computes instead (the work bonus, a ``deduction``; the CSSS, ``withheld``)
  take their amount, base and parameter from that rule's output.
- ``worker_contribution`` = the worker's ``due`` lines + his ``deduction`` lines (the 13.07 %
  after the work bonus); ``employer_contribution`` = the employer's ``due`` lines. The CSSS
  (``withheld``) is in neither: it is withheld from the pay on top of the personal contribution.

Each contribution is declared once, in :data:`CONTRIBUTIONS`: who pays it, its rate parameter or
the rule that computes it, who it applies to (a named :class:`Condition`; :data:`EVERYONE` is
written out where meant), its DmfA code and ContributionType (ONSS DmfA administrative
instructions, annex 3 "Codes travailleurs cotisations" / the quarterly rates file; annex 4 for the
deduction codes), and whether the employer cap on the basic and wage-moderation contributions
touches it. The monthly lines here and the quarterly DmfA (``pipeline.declarations.dmfa``) both
read those fields, in the way OpenFisca's ``Variable`` holds a rule's whole definition and
PolicyEngine's ``defined_for`` states who a variable applies to.

Every rate comes from a dated parameter, looked up on the first day of the period; each line
records the parameter name and its legal source.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import polars as pl

from pipeline.core import keys
from pipeline.core.money import (
    MONEY,
    WIDE,
    cents_column,
    cents_of,
    from_cents,
    product_fits,
    rate_units,
    rounded_product_cents,
    times,
    to_cents,
)
from pipeline.core.params import Parameters

RATE_DTYPE = pl.Decimal(18, 8)
WORKER_CODE = "worker_code"
"""``Contribution.dmfa_code`` of the contributions declared under the worker code itself (015/495)."""
WORKER_STATUSES = ("blue_collar", "white_collar")
PAYERS = ("worker", "employer")
KINDS = ("due", "accrual", "deduction", "withheld")
"""due: collected with the quarter's contributions, base × rate; accrual: collected later (not in the
month's totals); deduction: lowers the payer's due contributions (a negative line, computed by a
rule); withheld: withheld from the pay besides the contributions (computed by a rule, not in the
totals)."""
COMPUTED_KINDS = ("deduction", "withheld")
"""The kinds whose amount a rule computes (:class:`Computed`) instead of base × rate."""
COUNTED_KINDS = ("due", "deduction")
"""The kinds that make up ``worker_contribution`` and ``employer_contribution`` (:func:`totals`)."""


# --------------------------------------------------------------------------------------------
# Who a contribution applies to
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Condition:
    """A named row condition on the employee and employer columns (worker_status, workforce,
    commercial, employer_category), built from the parameters in force on a date."""

    name: str
    description: str
    rule: Callable[[Parameters, dt.date], pl.Expr]

    def __call__(self, params: Parameters, on: dt.date) -> pl.Expr:
        return self.rule(params, on)


def _blue() -> pl.Expr:
    return pl.col("worker_status") == "blue_collar"


def _commercial() -> pl.Expr:
    return pl.col("commercial").fill_null(True)


def _workforce() -> pl.Expr:
    return pl.col("workforce").fill_null(0)


def _threshold(params: Parameters, on: dt.date, parameter: str) -> int:
    return int(params.value(parameter, on))


EVERYONE = Condition("everyone", "every worker on Belgian ONSS", lambda p, on: pl.lit(True))
BLUE_COLLARS = Condition("blue_collars", "manual workers (ouvriers)", lambda p, on: _blue())
ASBESTOS_QUARTERS = Condition(
    "asbestos_quarters",
    "every worker, in the quarters of onss/special/asbestos_quarters",
    lambda p, on: pl.lit(((on.month - 1) // 3 + 1) in p.value("onss/special/asbestos_quarters", on)),
)
COMMERCIAL_SMALL = Condition(
    "commercial_small",
    "commercial or industrial employers with fewer than onss/special/ffe_workforce_threshold workers",
    lambda p, on: _commercial() & (_workforce() < _threshold(p, on, "onss/special/ffe_workforce_threshold")),
)
COMMERCIAL_LARGE = Condition(
    "commercial_large",
    "commercial or industrial employers with at least onss/special/ffe_workforce_threshold workers",
    lambda p, on: _commercial() & (_workforce() >= _threshold(p, on, "onss/special/ffe_workforce_threshold")),
)
NON_COMMERCIAL = Condition("non_commercial", "employers without a commercial purpose", lambda p, on: ~_commercial())
AR401_EMPLOYERS = Condition(
    "ar401_employers",
    "employers with at least onss/special/ar401_workforce_threshold workers",
    lambda p, on: _workforce() >= _threshold(p, on, "onss/special/ar401_workforce_threshold"),
)
CP200_WHITE_COLLARS = Condition(
    "cp200_white_collars",
    "white collars of employers in ONSS employer category 010 (joint committee 200)",
    lambda p, on: (pl.col("employer_category") == "010") & ~_blue(),
)


# --------------------------------------------------------------------------------------------
# The declarations
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class Computed:
    """Where a line that a rule computes takes its figures: the rule's output table (``rule``, a
    key of the ``computed`` tables :func:`contribution_lines` is given) and its columns for the
    line's amount (the positive amount of the rule: deducted or withheld), base, parameter and
    source (the parameter each row's amount was read from, which varies by row: by worker status
    for the work-bonus table, by household for the CSSS scale)."""

    rule: str
    amount: str
    base: str
    parameter: str
    source: str


@dataclass(frozen=True, kw_only=True)
class Contribution:
    """One contribution, wholly declared.

    - ``payer``: worker | employer; ``kind``: one of :data:`KINDS`;
    - ``parameter``: the dated rate parameter (base × rate); None for a line computed by a rule;
    - ``computed``: for the ``deduction`` and ``withheld`` kinds, the rule output the line takes its
      amount, base, parameter and source from (:class:`Computed`); such a line has no rate and is
      written only where the rule gives an amount (no 0.00 bonus above the table);
    - ``applies_to``: who owes it, a :class:`Condition` (required: there is no default);
    - ``dmfa_code``: for a contribution, ContributionWorkerCode [00082]: :data:`WORKER_CODE` (the
      worker code 015/495 itself) or a fixed code (``"253"``); for a deduction, DeductionCode
      [00086] of the worker-line WorkerDeduction (``"0001"``); None when not declared in the DmfA;
    - ``dmfa_type``: ContributionType [00083]: a fixed type, or one per worker status for the
      worker-code line; exactly for the contributions declared as a WorkerContribution (a
      WorkerDeduction has no type);
    - ``employer_cap``: True for the contributions that are not due on the quarterly basic pay above
      ``onss/employer_cap_quarter`` (basic employer contribution and wage moderation).

    Inconsistent declarations are refused when the module is imported.
    """

    name: str
    payer: str
    parameter: str | None
    applies_to: Condition
    dmfa_code: str | None
    dmfa_type: str | Mapping[str, str] | None = None
    kind: str = "due"
    employer_cap: bool = False
    computed: Computed | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.applies_to, Condition):
            raise TypeError(f"contribution {self.name!r}: applies_to must be a Condition (EVERYONE when meant)")
        if self.payer not in PAYERS or self.kind not in KINDS:
            raise ValueError(f"contribution {self.name!r}: payer must be one of {PAYERS}, kind one of {KINDS}")
        if (self.kind in COMPUTED_KINDS) != (self.computed is not None) or (self.computed is None) == (
            self.parameter is None
        ):
            raise ValueError(
                f"contribution {self.name!r}: a deduction or withheld amount is computed by a rule (computed, no "
                "rate parameter); a due or accrued one is base × rate (a parameter, no computed)"
            )
        if (self.block == "contribution") != (self.dmfa_type is not None):
            raise ValueError(
                f"contribution {self.name!r}: a DmfA WorkerContribution has a ContributionType, no other has"
            )
        if isinstance(self.dmfa_type, Mapping) and (
            self.dmfa_code != WORKER_CODE or sorted(self.dmfa_type) != sorted(WORKER_STATUSES)
        ):
            raise ValueError(f"contribution {self.name!r}: a type per worker status is for the worker-code line")
        if self.employer_cap and (self.payer != "employer" or self.kind != "due"):
            raise ValueError(f"contribution {self.name!r}: the employer cap touches due employer contributions only")

    @property
    def block(self) -> str | None:
        """The DmfA block the contribution is declared in: ``"contribution"`` (WorkerContribution: due or
        withheld, with a code), ``"deduction"`` (WorkerDeduction), or None (not declared)."""
        if self.dmfa_code is None or self.kind == "accrual":
            return None
        return "deduction" if self.kind == "deduction" else "contribution"

    @property
    def declared(self) -> bool:
        """Declared in the DmfA (as a WorkerContribution or a WorkerDeduction)."""
        return self.block is not None

    @property
    def recomputed(self) -> bool:
        """Recomputed on the quarterly basis in the DmfA (base × rate, one rounding per code and type);
        the lines a rule computes are declared as the sum of the monthly lines instead."""
        return self.block == "contribution" and self.computed is None

    def applies(self, params: Parameters, on: dt.date) -> pl.Expr:
        """Row condition (on the employee/employer columns) for this contribution."""
        return self.applies_to(params, on)

    def type_expr(self) -> pl.Expr:
        """ContributionType [00083] of a row (needs ``worker_status`` for the worker-code line)."""
        if isinstance(self.dmfa_type, Mapping):
            return pl.col("worker_status").replace_strict(dict(self.dmfa_type), default=None, return_dtype=pl.String)
        return pl.lit(self.dmfa_type, pl.String)


WORKER_LINE_TYPE = {"blue_collar": "1", "white_collar": "0"}
"""ContributionType of the worker-code line (annex 3): worker code 015 (ouvriers) type 1,
"cotisation rémunérations 108 %"; 495 (employés) type 0, "cotisation rémunérations 100 %"."""

CONTRIBUTIONS: tuple[Contribution, ...] = (
    # Law of 29 June 1981 establishing the general principles of social security for employees,
    # art. 38 § 2 (personal), § 3 (basic employer) and § 3bis (wage moderation).
    Contribution(
        name="worker_onss",
        payer="worker",
        parameter="onss/worker_rate",
        applies_to=EVERYONE,
        dmfa_code=WORKER_CODE,
        dmfa_type=WORKER_LINE_TYPE,
    ),
    Contribution(
        name="employer_basic",
        payer="employer",
        parameter="onss/employer_basic_rate",
        applies_to=EVERYONE,
        dmfa_code=WORKER_CODE,
        dmfa_type=WORKER_LINE_TYPE,
        employer_cap=True,
    ),
    Contribution(
        name="wage_moderation",
        payer="employer",
        parameter="onss/wage_moderation_rate",
        applies_to=EVERYONE,
        dmfa_code=WORKER_CODE,
        dmfa_type=WORKER_LINE_TYPE,
        employer_cap=True,
    ),
    # Annual holidays of manual workers (ONVA): quarterly 253, and the annual contribution
    # collected the next year by debit notice (an accrual, not declared in the quarter).
    Contribution(
        name="holiday_quarterly",
        payer="employer",
        parameter="onss/holiday_quarterly_rate",
        applies_to=BLUE_COLLARS,
        dmfa_code="253",
        dmfa_type="0",
    ),
    Contribution(
        name="holiday_annual_accrual",
        payer="employer",
        parameter="onss/holiday_annual_rate",
        applies_to=BLUE_COLLARS,
        dmfa_code=None,
        kind="accrual",
    ),
    # Special employer contributions. 255 and 256 (like 253) are not in the annex 3 type list:
    # type 0, as the Odoo exporter declares them (to confirm).
    Contribution(
        name="work_accident_special",  # Law of 10 April 1971 on work accidents
        payer="employer",
        parameter="onss/special/work_accident_rate",
        applies_to=EVERYONE,
        dmfa_code="255",
        dmfa_type="0",
    ),
    Contribution(
        name="asbestos_fund",
        payer="employer",
        parameter="onss/special/asbestos_rate",
        applies_to=ASBESTOS_QUARTERS,
        dmfa_code="256",
        dmfa_type="0",
    ),
    # Company Closure Fund, Law of 26 June 2002 on company closures: 809 type 0 below the
    # workforce threshold, type 5 at or above it; 811 non-commercial; 810 special contribution.
    Contribution(
        name="ffe_commercial_small",
        payer="employer",
        parameter="onss/special/ffe_commercial_small_rate",
        applies_to=COMMERCIAL_SMALL,
        dmfa_code="809",
        dmfa_type="0",
    ),
    Contribution(
        name="ffe_commercial_large",
        payer="employer",
        parameter="onss/special/ffe_commercial_large_rate",
        applies_to=COMMERCIAL_LARGE,
        dmfa_code="809",
        dmfa_type="5",
    ),
    Contribution(
        name="ffe_noncommercial",
        payer="employer",
        parameter="onss/special/ffe_noncommercial_rate",
        applies_to=NON_COMMERCIAL,
        dmfa_code="811",
        dmfa_type="0",
    ),
    Contribution(
        name="ffe_special",
        payer="employer",
        parameter="onss/special/ffe_special_rate",
        applies_to=EVERYONE,
        dmfa_code="810",
        dmfa_type="0",
    ),
    Contribution(
        name="ar401_special",  # Royal Decree No. 401 of 1986, special 1.60 % contribution
        payer="employer",
        parameter="onss/special/ar401_rate",
        applies_to=AR401_EMPLOYERS,
        dmfa_code="855",
        dmfa_type="0",
    ),
    Contribution(
        name="temporary_unemployment",  # 859 type 0 (type 8: exempted employers)
        payer="employer",
        parameter="onss/special/temporary_unemployment_rate",
        applies_to=EVERYONE,
        dmfa_code="859",
        dmfa_type="0",
    ),
    Contribution(
        name="cpae_cp200",  # social fund of joint committee 200
        payer="employer",
        parameter="onss/special/cpae_cp200_rate",
        applies_to=CP200_WHITE_COLLARS,
        dmfa_code="831",
        dmfa_type="0",
    ),
    # Social work bonus: Law of 20 December 1999 granting a work bonus as a reduction of the
    # personal social-security contributions of low-paid employees, and its Royal Decree of
    # 17 January 2000; computed by pipeline.rules.work_bonus for every worker who owes the
    # 13.07 %; DmfA worker deduction 0001 (annex 4 "Codes réduction"). The line's parameter is the
    # volet A table the row was read from (employés or ouvriers; the single formula before 2024-04).
    Contribution(
        name="work_bonus",
        payer="worker",
        parameter=None,
        applies_to=EVERYONE,
        dmfa_code="0001",
        kind="deduction",
        computed=Computed(
            rule="work_bonus",
            amount="work_bonus",
            base="wage_100",
            parameter="volet_a_parameter",
            source="volet_a_source",
        ),
    ),
    # Special social-security contribution: Law of 30 March 1994 portant des dispositions
    # sociales; withheld every month by pipeline.rules.csss from everyone under Belgian social
    # security; DmfA worker contribution 856 type 0, declared without a basis (annex 3).
    Contribution(
        name="csss",
        payer="worker",
        parameter=None,
        applies_to=EVERYONE,
        dmfa_code="856",
        dmfa_type="0",
        kind="withheld",
        computed=Computed(rule="csss", amount="csss", base="onss_base", parameter="parameter", source="source"),
    ),
)


def declared_contributions() -> tuple[Contribution, ...]:
    """The contributions the DmfA declares as a WorkerContribution (due or withheld, with a code), in
    declaration order."""
    return tuple(c for c in CONTRIBUTIONS if c.block == "contribution")


def declared_deductions() -> tuple[Contribution, ...]:
    """The contributions the DmfA declares as a WorkerDeduction (the work bonus, code 0001)."""
    return tuple(c for c in CONTRIBUTIONS if c.block == "deduction")


def computed_columns() -> dict[str, tuple[str, ...]]:
    """Per rule that computes lines (``Computed.rule``), the columns of its output the lines take."""
    out: dict[str, tuple[str, ...]] = {}
    for c in CONTRIBUTIONS:
        if c.computed is not None:
            f = c.computed
            out[f.rule] = tuple(dict.fromkeys((*out.get(f.rule, ()), f.amount, f.base, f.parameter, f.source)))
    return out


def input_columns(params: Parameters, on: dt.date) -> frozenset[str]:
    """The columns of the employee-months that :func:`contributions` reads on a period starting on
    ``on`` (besides the rule tables): the keys, the status and the ONSS base, and every column the
    contributions' conditions name."""
    named = {name for c in CONTRIBUTIONS for name in c.applies(params, on).meta.root_names()}
    return frozenset({"employee_id", "period", "worker_status", "onss_base", *named})


def contribution(name: str) -> Contribution:
    """The declaration named ``name``."""
    for c in CONTRIBUTIONS:
        if c.name == name:
            return c
    raise KeyError(f"no contribution {name!r} is declared")


WORKER_CODES = ("015", "495")
"""DmfA worker codes of ordinary private-sector workers: 015 ouvrier, 495 employé (ONSS rates file)."""


def worker_code() -> pl.Expr:
    """DmfA worker code of ordinary private-sector workers: 015 ouvrier, 495 employé."""
    blue, white = WORKER_CODES
    return pl.when(pl.col("worker_status") == "blue_collar").then(pl.lit(blue)).otherwise(pl.lit(white))


def onss_base(params: Parameters, on: dt.date) -> pl.Expr:
    """Computation 2: the ONSS base of the month (needs gross_salary, guaranteed_wage_onss, worker_status)."""
    subject = pl.col("gross_salary").cast(WIDE) + pl.col("guaranteed_wage_onss").cast(WIDE)
    factor = params.value("onss/blue_collar_base_factor", on)
    return (
        pl.when(pl.col("worker_status") == "blue_collar")
        .then(to_cents(times(subject, factor)))
        .otherwise(to_cents(subject))
        .alias("onss_base")
    )


def _line_amount(base: pl.Expr, rate: pl.Expr) -> pl.Expr:
    """The amount of a base × rate line: the exact product rounded once, half away from zero, to the cent."""
    return to_cents(times(base, rate))


def rate_amount(name: str, params: Parameters, on: dt.date) -> pl.Expr:
    """The amount of the base × rate contribution ``name`` on each row (needs ``onss_base``), as its
    line carries it, e.g. the 13.07 % line that caps the work bonus."""
    c = contribution(name)
    if c.parameter is None:
        raise ValueError(f"contribution {name!r} is computed by a rule, not base × rate")
    return _line_amount(pl.col("onss_base"), pl.lit(params.value(c.parameter, on), WIDE))


def _computed_columns(
    frame: pl.DataFrame, computed: Mapping[str, pl.DataFrame], specs: list[Contribution], schema: dict
) -> pl.DataFrame:
    """The computed contributions' amount, base, parameter and source as columns ``__<field><i>`` of
    ``frame`` (``i``: the contribution's index in ``specs``), in the types of the lines (``schema``),
    from the rule tables, which hold one row per row of ``frame`` in the same order."""
    columns = []
    for i, c in enumerate(specs):
        if c.computed is None:
            continue
        rule = computed[c.computed.rule]
        if rule.height != frame.height or not rule.get_column("employee_id").equals(frame.get_column("employee_id")):
            raise ValueError(f"the {c.computed.rule} table does not hold one row per line, in the lines' order")
        sign = -1 if c.kind == "deduction" else 1
        columns += [
            (rule.get_column(c.computed.amount).cast(MONEY) * sign).cast(MONEY).alias(f"__a{i}"),
            rule.get_column(c.computed.base).cast(MONEY).alias(f"__b{i}"),
            rule.get_column(c.computed.parameter).cast(pl.String).cast(schema["parameter"]).alias(f"__p{i}"),
            rule.get_column(c.computed.source).cast(pl.String).cast(schema["source"]).alias(f"__s{i}"),
        ]
    return frame.hstack(columns) if columns else frame


def contribution_lines(
    frame: pl.DataFrame, params: Parameters, on: dt.date, computed: Mapping[str, pl.DataFrame] | None = None
) -> pl.DataFrame:
    """Computations 3, 3b and 3c: one row per employee, period and applicable contribution
    (:func:`lines_and_totals` without the totals)."""
    return lines_and_totals(frame, params, on, computed)[0]


def lines_and_totals(
    frame: pl.DataFrame, params: Parameters, on: dt.date, computed: Mapping[str, pl.DataFrame] | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Computations 3, 3b and 3c: the contribution lines and their :func:`totals`
    (:func:`contributions` without sums by code)."""
    made = contributions(frame, params, on, computed)
    return made.lines, made.totals


@dataclass(frozen=True)
class Contributed:
    """The contribution lines of employee-months, with their totals and, when asked, their sums by code."""

    lines: pl.DataFrame
    totals: pl.DataFrame  # worker_contribution and employer_contribution per employee and period (:func:`totals`)
    by_code: pl.DataFrame | None = None  # :func:`_sums_by_code`; None when not asked or not worked in cents


def contributions(
    frame: pl.DataFrame,
    params: Parameters,
    on: dt.date,
    computed: Mapping[str, pl.DataFrame] | None = None,
    by: str | None = None,
) -> Contributed:
    """Computations 3, 3b and 3c: one row per employee, period and applicable contribution, and the
    :func:`totals` of those lines (the same figures: the sums of the lines' rounded amounts).

    ``frame`` has employee_id, period, worker_status, onss_base and the employer columns
    employer_category, workforce, commercial. Rows with a null ``onss_base`` (no Belgian ONSS)
    get no lines. ``computed``: the output tables of the rules that compute lines (``work_bonus``,
    ``csss``; :class:`Computed`), one row per row of ``frame`` in its order; a computed
    contribution gets a line where it applies and its rule's amount is not 0, with that amount
    (negative for a deduction), the rule's base, parameter and source, and no rate. Without
    ``computed`` only the base × rate lines are made.

    Built without sorting the (about ten times longer) line frame: each employee-month gets a
    bit mask of the contributions that apply to it, the few distinct masks are expanded once into
    (mask, contribution) pairs in contribution order, and one order-keeping join of the
    employee-months' row numbers and masks alone gives the lines as (row, contribution) pairs,
    sorted. Every column of the lines is then one gather: the employee-month's values by row
    number, the contribution's (name, rate, source, ...) from a 16-row table by contribution
    number, and a computed line's figures from the rule columns stacked one after the other (row
    ``k × n + r`` for the k-th computed contribution of employee-month ``r``). Bases and amounts
    are worked in integer cents where that is exact (every rate a whole number of 10^-8 and no
    product past 2^63, :func:`pipeline.core.money.rounded_product_cents`; the wide Decimal type
    otherwise), and then the totals are summed per employee-month from the same rounded amounts
    instead of grouping the lines. The columns are one eager ``select`` on the joined pairs, so the
    lines keep the join's chunks (the run store's Parquet row groups follow them). The text columns
    with a closed vocabulary (contribution, payer, kind, dmfa_code, parameter, source) are
    ``pl.Enum`` (:func:`line_schema`): one small code per line instead of a string, which makes
    the 8.6 M-line frame of a million employee-months a third of the size and its Parquet file
    about twice as fast to write (docs/performance.md).

    ``by`` (a column of ``frame``, e.g. employer_id): also the lines' count, base and amount summed
    per value of ``by`` and code (:func:`_sums_by_code`), from the employee-months in integer cents,
    without grouping the lines (None when the lines are not worked in integer cents).
    """
    specs = sorted((c for c in CONTRIBUTIONS if c.computed is None or computed is not None), key=lambda c: c.name)
    entries = [None if c.parameter is None else params.entry(c.parameter, on) for c in specs]
    schema = line_schema(params, on)
    frame = _computed_columns(frame, computed or {}, specs, schema)
    made = [(i, c) for i, c in enumerate(specs) if c.computed is not None]

    def applies(i: int, c: Contribution) -> pl.Expr:
        return (
            c.applies(params, on) & (pl.col(f"__a{i}") != 0).fill_null(False) if c.computed else c.applies(params, on)
        )

    mask = pl.sum_horizontal(
        [
            pl.when(applies(i, c)).then(pl.lit(1 << i, pl.Int32)).otherwise(pl.lit(0, pl.Int32))
            for i, c in enumerate(specs)
        ]
    )
    extra = [f"__{f}{i}" for i, _ in made for f in "abps"]
    grouped = [by] if by is not None else []
    # the mask in a lazy plan: polars computes the conditions the contributions share once (the eager select
    # evaluates each condition of each contribution on its own: three times the time and 0.3 GB more at a
    # million rows); the columns then in one eager select and filter, in one chunk (the lines gather from it)
    masks = frame.lazy().select(mask.alias("__mask")).collect().to_series().rechunk()
    months = frame.select(
        "employee_id", "period", "worker_status", "onss_base", pl.lit(masks), *extra, *grouped
    ).filter(pl.col("onss_base").is_not_null())
    if months.height == 0:
        lines = pl.DataFrame(schema=schema)
        return Contributed(lines, totals(lines))
    if not keys.in_order(months, "employee_id", "period"):
        months = months.sort("employee_id", "period")
    pairs = [
        (m, i) for m in months.get_column("__mask").unique().sort().to_list() for i in range(len(specs)) if m >> i & 1
    ]
    expand = pl.DataFrame(
        {"__mask": [m for m, _ in pairs], "__c": [i for _, i in pairs]}, schema={"__mask": pl.Int32, "__c": pl.UInt32}
    )
    lines = (
        months.select("__mask")
        .with_row_index("__row")
        .join(expand, on="__mask", how="inner", maintain_order="left_right")
        .select("__row", "__c")
    )
    index, row = pl.col("__c"), pl.col("__row")

    def per_contribution(values: list, dtype: pl.DataType) -> pl.Expr:
        return pl.lit(pl.Series(values, dtype=dtype)).gather(index)

    def per_month(column: str) -> pl.Expr:
        values = months.get_column(column)
        if values.null_count() == 0 and values.min() == values.max():  # e.g. the period of a monthly run
            return pl.lit(values[0], values.dtype)  # one value: polars keeps it as one, not as n copies
        return pl.lit(values).gather(row)

    n = months.height
    stacked = pl.lit(None, pl.UInt32)  # k-th computed contribution of employee-month r: row k × n + r
    for k, (i, _) in enumerate(made):
        stacked = pl.when(index == i).then(row + k * n).otherwise(stacked)

    def line_column(name: str, field: str, default: pl.Expr) -> pl.Expr:
        """``default`` on a base × rate line, the rule's figure on a computed line."""
        if not made:
            return default.alias(name)
        figures = pl.concat([months.get_column(f"__{field}{i}") for i, _ in made]).cast(schema[name])
        at = pl.col("__stacked")
        return pl.when(at.is_null()).then(default).otherwise(pl.lit(figures).gather(at)).alias(name)

    base = per_month("onss_base").cast(MONEY)
    rates = [None if e is None else e.value for e in entries]
    # DmfA code by (contribution, worker status): the worker-code lines take 015 or 495 (:func:`worker_code`).
    blue_code, white_code = WORKER_CODES
    codes = [
        (blue_code if blue else white_code) if c.dmfa_code == WORKER_CODE else c.dmfa_code
        for c in specs
        for blue in (False, True)
    ]
    blue = months.select((pl.col("worker_status") == "blue_collar").fill_null(False).cast(pl.UInt32)).to_series()
    dmfa_code = pl.lit(pl.Series(codes, dtype=schema["dmfa_code"])).gather(index * 2 + pl.lit(blue).gather(row))
    lines = lines.with_columns(stacked.alias("__stacked"))
    units = [rate_units(r) for r in rates]
    base_cents = cents_of(months.get_column("onss_base"))
    if all(u is not None for u, r in zip(units, rates) if r is not None) and product_fits(base_cents, units):
        # The same figures in integer cents (exact here: rates of at most 8 places, no Int64 overflow).
        def in_cents(field: str, default: pl.Expr) -> pl.Expr:
            if not made:
                return default
            figures = pl.concat([cents_of(months.get_column(f"__{field}{i}")) for i, _ in made])
            return pl.when(pl.col("__stacked").is_null()).then(default).otherwise(pl.lit(figures).gather("__stacked"))

        month_base = pl.lit(base_cents).gather(row)
        summing = None
        if by is not None:  # the sums read only the employee-months: made on another thread beside the lines
            pool = ThreadPoolExecutor(max_workers=1)
            summing = pool.submit(_sums_by_code, months, by, base_cents, specs, units, rates, codes)
            pool.shutdown(wait=False)  # the thread ends with the sums
        # one column at a time: the integer cents of one are freed before the next is made (80 MB a million months)
        base_column, amount_column = (
            pl.lit(from_cents(lines.select(cents.alias(name)).to_series()))
            for name, cents in (
                ("base", in_cents("b", month_base)),
                ("amount", in_cents("a", rounded_product_cents(month_base, per_contribution(units, pl.Int64)))),
            )
        )
        month_totals = _month_totals(months, base_cents, specs, units)
    else:
        base_column = line_column("base", "b", base)
        amount_column = line_column("amount", "a", _line_amount(base, per_contribution(rates, WIDE)))
        month_totals = summing = None
    out = lines.select(
        per_month("employee_id").alias("employee_id"),
        per_month("period").alias("period"),
        per_contribution([c.name for c in specs], schema["contribution"]).alias("contribution"),
        per_contribution([c.payer for c in specs], schema["payer"]).alias("payer"),
        per_contribution([c.kind for c in specs], schema["kind"]).alias("kind"),
        dmfa_code.alias("dmfa_code"),
        base_column,
        per_contribution(rates, RATE_DTYPE).alias("rate"),
        amount_column,
        line_column("parameter", "p", per_contribution([c.parameter for c in specs], schema["parameter"])),
        line_column(
            "source",
            "s",
            per_contribution(
                [None if e is None else e.key(c.parameter) for c, e in zip(specs, entries)], schema["source"]
            ),
        ),
    )
    by_code = None if summing is None else summing.result()
    return Contributed(out, totals(out) if month_totals is None else month_totals, by_code)


def _sums_by_code(
    months: pl.DataFrame,
    by: str,
    base_cents: pl.Series,
    specs: list[Contribution],
    units: list[int | None],
    rates: list,
    codes: list[str],
) -> pl.DataFrame:
    """The lines of ``months`` (one row per employee-month, with ``__mask`` and the computed
    figures ``__a<i>`` / ``__b<i>``) summed per ``by``, payer, kind, DmfA code and contribution,
    without making the lines: contribution ``i`` has a line in a month where bit ``i`` of ``__mask``
    is set, with the month's base (a computed one: the rule's) and its amount rounded as the line's
    (:func:`rounded_product_cents`). Columns: ``by``, payer, kind, dmfa_code, contribution (text),
    lines, base, rate (the contribution's rate; null for a computed one, which has none), amount;
    sorted by ``by`` and the codes as text. ``codes[2 i + blue]``: the DmfA code of contribution
    ``i`` for a white-collar (0) or blue-collar (1) worker: a contribution under the worker code
    (015 / 495) is summed per status, the others over both."""
    base = pl.col("__base")
    blue = (pl.col("worker_status") == "blue_collar").fill_null(False)
    # one variant per (contribution, DmfA code): a contribution under the worker code has one per status
    variants: list[tuple[int, str | None, pl.Expr]] = []
    for i in range(len(specs)):
        has = (pl.col("__mask") & (1 << i)) != 0
        white, blues = codes[2 * i], codes[2 * i + 1]
        variants += [(i, white, has)] if white == blues else [(i, white, has & ~blue), (i, blues, has & blue)]
    figures = []
    for v, (i, _, has) in enumerate(variants):
        c = specs[i]
        line_base = cents_column(f"__b{i}") if c.computed else base
        amount = cents_column(f"__a{i}") if c.computed else rounded_product_cents(base, units[i])
        figures += [
            has.cast(pl.Int64).alias(f"n{v}"),
            pl.when(has).then(line_base).otherwise(0).alias(f"b{v}"),
            pl.when(has).then(amount).otherwise(0).alias(f"a{v}"),
        ]
    # the figures as columns, then plain integer sums per group: exact in any order, so the streaming
    # engine may sum them, a morsel at a time (the ~60 columns of a million employee-months are never
    # all in memory; about half the CPU of the in-memory group-by)
    summed = (
        months.lazy()
        .with_columns(pl.lit(base_cents).alias("__base"))
        .select(by, *figures)
        .group_by(by)
        .agg(pl.exclude(by).sum())
        .collect(engine="streaming")
    )

    def text_order(v: int) -> tuple:  # payer, kind, DmfA code (none last), contribution, as text
        i, code, _ = variants[v]
        return specs[i].payer, specs[i].kind, code is None, code or "", specs[i].name

    # sorted by ``by`` and the codes as text: the groups sorted once (a few thousand texts), the variants taken
    # in text order, then a stable sort on the group's position (an integer) instead of sorting the texts again
    summed = summed.sort(by, nulls_last=True).with_row_index("__pos")
    ordered = pl.concat(
        [
            summed.select(
                by,
                "__pos",
                pl.lit(v, pl.UInt32).alias("__v"),
                pl.col(f"n{v}").alias("lines"),
                pl.col(f"b{v}").alias("b"),
                pl.col(f"a{v}").alias("a"),
            ).filter(pl.col("lines") > 0)
            for v in sorted(range(len(variants)), key=text_order)
        ]
    ).sort("__pos", maintain_order=True)
    index = pl.col("__v")

    def per_variant(values: list, dtype: pl.DataType) -> pl.Expr:
        return pl.lit(pl.Series(values, dtype=dtype)).gather(index)

    def of_contribution(field: Callable[[Contribution], object], dtype: pl.DataType) -> pl.Expr:
        return per_variant([field(specs[i]) for i, _, _ in variants], dtype)

    return (
        ordered.lazy()
        .select(
            by,
            of_contribution(lambda c: c.payer, pl.String).alias("payer"),
            of_contribution(lambda c: c.kind, pl.String).alias("kind"),
            per_variant([code for _, code, _ in variants], pl.String).alias("dmfa_code"),
            of_contribution(lambda c: c.name, pl.String).alias("contribution"),
            "lines",
            pl.lit(from_cents(ordered.get_column("b"))).alias("base"),
            per_variant([rates[i] for i, _, _ in variants], RATE_DTYPE).alias("rate"),
            pl.lit(from_cents(ordered.get_column("a"))).alias("amount"),
        )
        .collect()
    )


def _month_totals(
    months: pl.DataFrame, base_cents: pl.Series, specs: list[Contribution], units: list[int | None]
) -> pl.DataFrame:
    """:func:`totals` of the lines of ``months`` (one row each, with ``__mask`` and the computed
    amounts ``__a<i>``) without the lines: per employee-month, the sum of the counted contributions'
    amounts, each rounded as its line is (integer cents, :func:`rounded_product_cents`)."""
    base = pl.lit(base_cents)

    def cents(i: int, c: Contribution) -> pl.Expr:
        amount = pl.lit(cents_of(months.get_column(f"__a{i}"))) if c.computed else rounded_product_cents(base, units[i])
        return pl.when((pl.col("__mask") & (1 << i)) != 0).then(amount).otherwise(0)

    def payer_total(payer: str) -> pl.Expr:
        counted = [cents(i, c) for i, c in enumerate(specs) if c.payer == payer and c.kind in COUNTED_KINDS]
        return pl.sum_horizontal(counted) if counted else pl.lit(0, pl.Int64)

    found = months.select("employee_id", "period", payer_total("worker").alias("w"), payer_total("employer").alias("e"))
    return found.select(
        "employee_id",
        "period",
        from_cents(found.get_column("w")).alias("worker_contribution"),
        from_cents(found.get_column("e")).alias("employer_contribution"),
    )


def _vocabulary(values) -> pl.Enum:
    return pl.Enum(sorted({v for v in values if v is not None}))


def line_schema(params: Parameters, on: dt.date) -> dict[str, pl.DataType]:
    """Column types of ``contribution_lines`` for a period starting on ``on``.

    Closed vocabularies are enumerations of every value the period can produce, in sorted order,
    so two partitions of one batch, or two runs of one period, have the same types; ``parameter``
    and ``source`` have the types of the run's ``parameters`` table (:meth:`Parameters.citation_types`),
    which hold the parameters the computed lines cite too.
    """
    return {
        "employee_id": pl.String,
        "period": pl.String,
        "contribution": _vocabulary(c.name for c in CONTRIBUTIONS),
        "payer": _vocabulary(c.payer for c in CONTRIBUTIONS),
        "kind": _vocabulary(c.kind for c in CONTRIBUTIONS),
        "dmfa_code": _vocabulary([*(c.dmfa_code for c in CONTRIBUTIONS if c.dmfa_code != WORKER_CODE), *WORKER_CODES]),
        "base": MONEY,
        "rate": RATE_DTYPE,
        "amount": MONEY,
        **params.citation_types(on),
    }


def totals(lines: pl.DataFrame) -> pl.DataFrame:
    """worker_contribution and employer_contribution per employee and period.

    worker_contribution = the worker's due lines + his deduction lines (the 13.07 % after the work
    bonus, data-contract computation 3b); employer_contribution = the employer's due lines. Accrued
    and withheld lines (the annual holiday accrual, the CSSS) are in neither.
    """
    counted = pl.col("kind").is_in(list(COUNTED_KINDS))
    amount_of = lambda payer: pl.when(counted & (pl.col("payer") == payer)).then(pl.col("amount"))  # noqa: E731
    return (
        lines.lazy()
        .select(
            "employee_id",
            "period",
            amount_of("worker").alias("__worker"),
            amount_of("employer").alias("__employer"),
            counted.alias("__counted"),
        )
        .filter(pl.col("__counted"))
        .group_by("employee_id", "period")
        .agg(
            pl.col("__worker").sum().cast(MONEY).alias("worker_contribution"),
            pl.col("__employer").sum().cast(MONEY).alias("employer_contribution"),
        )
        .collect()
    )
