"""The quarter's contributions per worker line, with the employer cap, and their reconciliation
with the three monthly runs.

- :func:`keyed_lines`: the stored monthly contribution lines of the quarter under their worker line;
- :func:`quarterly_contributions`: every base × rate contribution of
  :data:`pipeline.rules.contributions.CONTRIBUTIONS` recomputed on the quarterly basis, ONE
  rounding per (ContributionWorkerCode [00082], ContributionType [00083]), as ONSS computes
  them on the quarter's declaration (ONSS DmfA administrative instructions, "Les cotisations");
  the employer cap on the basic and wage-moderation contributions applies here, per worker over
  all of the worker's lines with the employer. A contribution a rule computes and the employer
  withholds every month (the CSSS, 856) is declared as the sum withheld, without a basis;
- :func:`monthly_contributions`: the three months' rounded lines under the same key;
- :func:`reconciliation`: the quarterly amount against those, with the rounding regularisation
  and the cap relief on lines of their own (the difference is the employer's; the worker's net
  is never adjusted);
- :func:`employer_capped_contributions`: the employer basic + wage-moderation contributions of
  each worker line after the cap (the ceiling of its structural reduction);
- :func:`check_stored_totals`: the stored monthly contribution lines add up to the stored
  payroll-line totals (else the monthly runs would not reconcile).

Which contributions apply, their codes, types, rates and cap behaviour are the fields of each
``Contribution`` declaration: the same as for the monthly lines.
"""

from __future__ import annotations

import polars as pl

from pipeline.core.money import MONEY, WIDE, times, to_cents
from pipeline.core.params import Parameters
from pipeline.core.periods import quarter_bounds, quarter_periods
from pipeline.declarations.dmfa.quarter import CONTRIBUTION_KEY, WORKER_LINE_KEY
from pipeline.errors import RunStoreError
from pipeline.rules.contributions import (
    CONTRIBUTIONS,
    COUNTED_KINDS,
    RATE_DTYPE,
    WORKER_CODE,
    Contribution,
    declared_contributions,
)

CONTRIBUTION_SCHEMA: dict[str, pl.DataType] = {
    "employer_id": pl.String,
    "niss": pl.String,
    "worker_code": pl.String,
    "contribution_worker_code": pl.String,
    "contribution_type": pl.String,
    "contributions": pl.String,
    "parameters": pl.String,
    "basis": MONEY,
    "basis_capped": MONEY,
    "employer_cap_quarter": MONEY,
    "rate": RATE_DTYPE,
    "amount_uncapped": MONEY,
    "cap_relief": MONEY,
    "amount": MONEY,
    "worker_part": MONEY,
}
"""Columns of :func:`quarterly_contributions`."""


PERSON_KEY = ["employer_id", "niss"]
"""A worker with one employer: the employer cap is per worker over all of that worker's lines."""


def _bases(wl: pl.DataFrame, params: Parameters, quarter: str) -> pl.DataFrame:
    """``basis``: remuneration code 1 of the worker line, x 108 % for blue collars, rounded once;
    ``basis_capped``: the same on the line's share of the capped pay; ``employer_cap_quarter``: the
    cap (null: none).

    The cap is on the worker's basic pay with the employer in the quarter, all worker lines together
    (a blue-collar / white-collar change in the quarter gives two lines). Each line keeps
    min(pay, cap) when it is the worker's only line or the worker's pay is within the cap; otherwise
    pay x cap / total pay (each line's share of the cap in proportion to its pay; no text sets the
    split, and a proportional one does not depend on the order of the lines), exact to 12 decimals
    before the basis is rounded once to the cent."""
    q_start, _ = quarter_bounds(quarter)
    factor = params.value("onss/blue_collar_base_factor", q_start)
    cap = params.value("onss/employer_cap_quarter", q_start)
    blue = pl.col("worker_status") == "blue_collar"
    pay = pl.col("remuneration_code1").fill_null(0).cast(WIDE)
    if cap is None:
        capped_pay = pay
    else:
        limit = pl.lit(cap, dtype=WIDE)
        total = pay.sum().over(PERSON_KEY)
        single = (pl.len().over(PERSON_KEY) == 1) | (total <= limit)
        capped_pay = pl.when(single).then(pl.min_horizontal(pay, limit)).otherwise(pay * limit / total)
    return wl.with_columns(
        pl.when(blue).then(to_cents(times(pay, factor))).otherwise(to_cents(pay)).alias("basis"),
        pl.when(blue).then(to_cents(times(capped_pay, factor))).otherwise(to_cents(capped_pay)).alias("basis_capped"),
        pl.lit(cap, dtype=MONEY).alias("employer_cap_quarter"),
    )


def _contribution_rows(base: pl.DataFrame, c: Contribution, params: Parameters, quarter: str) -> pl.DataFrame:
    """The unrounded amounts of one contribution for the worker lines it applies to."""
    q_start, _ = quarter_bounds(quarter)
    entry = params.entry(c.parameter, q_start)
    used = pl.col("basis_capped") if c.employer_cap else pl.col("basis")
    code = pl.col("worker_code") if c.dmfa_code == WORKER_CODE else pl.lit(c.dmfa_code, pl.String)
    return base.filter(c.applies(params, q_start)).select(
        *WORKER_LINE_KEY,
        code.alias("contribution_worker_code"),
        c.type_expr().alias("contribution_type"),
        pl.lit(c.name).alias("contribution"),
        "basis",
        "basis_capped",
        "employer_cap_quarter",
        pl.lit(entry.value, dtype=WIDE).alias("rate"),
        times(used, entry.value).alias("_exact"),
        times(pl.col("basis"), entry.value).alias("_exact_uncapped"),
        (times(pl.col("basis"), entry.value) if c.payer == "worker" else pl.lit(0, WIDE)).alias("_worker_exact"),
        pl.lit(c.parameter).alias("parameter"),
        pl.lit(c.employer_cap).alias("_capped"),
    )


def quarterly_contributions(
    wl: pl.DataFrame, params: Parameters, quarter: str, keyed: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Contributions on the quarterly basis, ONE rounding per (contribution worker code, type).

    Basis = remuneration code 1 of the worker line, x 108 % for blue collars
    (``onss/blue_collar_base_factor``) rounded once to the cent; amount = round_half_up(sum over
    the code's contributions of basis x rate, 0.01). The worker-code line (015/495) groups the
    personal, basic employer and wage-moderation contributions.

    Employer cap (``onss/employer_cap_quarter``, null = no cap; Law of 29 June 1981, as amended by
    the Programme Act of 18 July 2025, and the ONSS administrative instructions): the
    contributions declared with ``employer_cap`` (basic + wage moderation) are due only on the
    worker's basic pay up to the cap (basic pay = remuneration codes 1 and 61, here code 1; per
    worker over all of the worker's lines with the employer, :func:`_bases`), x 108 % for blue
    collars, rounded once: ``basis_capped``. The personal 13.07 % and every other contribution
    stay on the full basis. So the 015/495 amount = round(basis x worker rate + basis_capped x
    (basic + moderation rates)); ``amount_uncapped`` is the same without the cap.

    The contributions a rule computes and the employer withholds every month (``withheld``: the
    CSSS, 856 type 0) are declared as the sum of the quarter's monthly lines (``keyed``,
    :func:`keyed_lines`), with no basis (ONSS DmfA instructions, "La cotisation spéciale pour la
    sécurité sociale": calculated on the quarter, withheld on each month's pay).

    Rates, factor and cap are those in force on the quarter's first day.
    """
    base = _bases(wl, params, quarter)
    recomputed = [c for c in declared_contributions() if c.recomputed]
    parts = [rows for c in recomputed if (rows := _contribution_rows(base, c, params, quarter)).height]
    withheld = _withheld_blocks(keyed)
    if not parts:
        return withheld
    out = (
        pl.concat(parts)
        .group_by(CONTRIBUTION_KEY)
        .agg(
            pl.col("contribution").sort().str.join("+").alias("contributions"),
            pl.col("parameter").sort().str.join("+").alias("parameters"),
            pl.col("basis").first(),
            pl.col("basis_capped").first(),
            pl.col("employer_cap_quarter").first(),
            pl.col("rate").sum().cast(RATE_DTYPE).alias("rate"),
            to_cents(pl.col("_exact").sum()).alias("amount"),
            to_cents(pl.col("_exact_uncapped").sum()).alias("amount_uncapped"),
            to_cents(pl.col("_worker_exact").sum()).alias("worker_part"),
            pl.col("_capped").any().alias("_capped_code"),
        )
    )
    out = out.with_columns(
        pl.when(pl.col("_capped_code")).then(pl.col("basis_capped")).otherwise(None).alias("basis_capped"),
        pl.when(pl.col("_capped_code"))
        .then(pl.col("employer_cap_quarter"))
        .otherwise(None)
        .alias("employer_cap_quarter"),
        (pl.col("amount") - pl.col("amount_uncapped")).cast(MONEY).alias("cap_relief"),
    ).drop("_capped_code")
    out = out.select(list(CONTRIBUTION_SCHEMA)).cast(CONTRIBUTION_SCHEMA)
    return pl.concat([out, withheld]).sort(CONTRIBUTION_KEY)


def _withheld_blocks(keyed: pl.DataFrame | None) -> pl.DataFrame:
    """The WorkerContribution blocks of the withheld contributions: the monthly lines' sum, no basis."""
    names = [c.name for c in declared_contributions() if c.kind == "withheld"]
    if keyed is None or keyed.height == 0 or not names:
        return pl.DataFrame(schema=CONTRIBUTION_SCHEMA)
    lines = keyed.filter(pl.col("contribution").is_in(names))
    money = pl.col("amount").sum().cast(MONEY)
    return (
        lines.group_by(CONTRIBUTION_KEY)
        .agg(
            pl.col("contribution").unique().sort().str.join("+").alias("contributions"),
            pl.col("parameter").unique().sort().str.join("+").alias("parameters"),
            money.alias("amount_uncapped"),
            money.alias("amount"),
            pl.col("amount").filter(pl.col("payer") == "worker").sum().cast(MONEY).alias("worker_part"),
        )
        .with_columns(
            *[pl.lit(None, CONTRIBUTION_SCHEMA[c]).alias(c) for c in ("basis", "basis_capped", "employer_cap_quarter")],
            pl.lit(None, RATE_DTYPE).alias("rate"),
            pl.lit(0, MONEY).alias("cap_relief"),
        )
        .select(list(CONTRIBUTION_SCHEMA))
        .cast(CONTRIBUTION_SCHEMA)
    )


def employer_capped_contributions(wl: pl.DataFrame, params: Parameters, quarter: str) -> pl.DataFrame:
    """Per worker line, ``employer_contributions``: the contributions declared with ``employer_cap``
    (employer basic + wage moderation) on the capped basis, rounded once: the ceiling of the line's
    structural reduction."""
    base = _bases(wl, params, quarter)
    capped = [c for c in declared_contributions() if c.employer_cap]
    parts = [_contribution_rows(base, c, params, quarter) for c in capped]
    schema = {**dict.fromkeys(WORKER_LINE_KEY, pl.String), "employer_contributions": MONEY}
    if not parts or base.height == 0:
        return pl.DataFrame(schema=schema)
    return (
        pl.concat(parts)
        .group_by(WORKER_LINE_KEY)
        .agg(to_cents(pl.col("_exact").sum()).alias("employer_contributions"))
        .select(list(schema))
        .cast(schema)
    )


def _type_of_line() -> pl.Expr:
    """ContributionType of a stored monthly line, from its contribution's declaration."""
    typ = pl.lit(None, pl.String)
    for c in sorted(declared_contributions(), key=lambda c: c.name):
        typ = pl.when(pl.col("contribution") == c.name).then(c.type_expr()).otherwise(typ)
    return typ


def keyed_lines(contribution_lines: pl.DataFrame, months: pl.DataFrame) -> pl.DataFrame:
    """The stored monthly contribution lines of the quarter's employee months (``months``), with
    their worker line (``WORKER_LINE_KEY``), worker_status, and, for the lines declared in a
    WorkerContribution, ``contribution_worker_code`` and ``contribution_type``. Text columns as
    plain text. Raises ``ValueError`` for a stored line of a contribution that is not declared."""
    schema = {
        "employee_id": pl.String,
        "period": pl.String,
        "contribution": pl.String,
        "payer": pl.String,
        "kind": pl.String,
        "dmfa_code": pl.String,
        "amount": MONEY,
        "parameter": pl.String,
        **dict.fromkeys(WORKER_LINE_KEY, pl.String),
        "worker_status": pl.String,
        "contribution_worker_code": pl.String,
        "contribution_type": pl.String,
    }
    if contribution_lines.height == 0:
        return pl.DataFrame(schema=schema)
    lines = contribution_lines.select(list(schema)[:8]).with_columns(pl.col(pl.Enum, pl.Categorical).cast(pl.String))
    unknown = set(lines.get_column("contribution").unique().to_list()) - {c.name for c in CONTRIBUTIONS}
    if unknown:
        raise ValueError(f"stored contribution lines of undeclared contribution(s) {', '.join(sorted(unknown))}")
    keyed = lines.join(
        months.select("employee_id", "period", *WORKER_LINE_KEY, "worker_status"),
        on=["employee_id", "period"],
        how="inner",
    )
    block = pl.col("contribution").is_in([c.name for c in declared_contributions()])
    return keyed.with_columns(
        pl.when(block).then(pl.col("dmfa_code")).alias("contribution_worker_code"),
        pl.when(block).then(_type_of_line()).alias("contribution_type"),
    ).select(list(schema))


def monthly_contributions(keyed: pl.DataFrame) -> pl.DataFrame:
    """The three months' rounded contribution lines per worker line and WorkerContribution block
    (ContributionWorkerCode and type: due and withheld lines with a DmfA code; the annual holiday
    accrual and the work-bonus deduction are not in one), worker and employer parts apart."""
    schema = {**dict.fromkeys(CONTRIBUTION_KEY, pl.String), "monthly_worker": MONEY, "monthly_employer": MONEY}
    return (
        keyed.filter(pl.col("contribution_worker_code").is_not_null())
        .group_by(CONTRIBUTION_KEY)
        .agg(
            pl.col("amount").filter(pl.col("payer") == "worker").sum().cast(MONEY).alias("monthly_worker"),
            pl.col("amount").filter(pl.col("payer") != "worker").sum().cast(MONEY).alias("monthly_employer"),
        )
        .select(list(schema))
        .cast(schema)
    )


def reconciliation(quarterly: pl.DataFrame, monthly: pl.DataFrame) -> pl.DataFrame:
    """Quarterly declaration against the three monthly runs, per worker line and code.

    - ``monthly_total`` = monthly_worker + monthly_employer (sum of the monthly rounded lines);
    - ``rounding_regularisation`` = amount_uncapped - monthly_total: the one-rounding difference,
      booked on the employer;
    - ``cap_relief`` = amount - amount_uncapped (<= 0): the employer cap, on its own line;
    - ``amount`` (declared) = monthly_total + rounding_regularisation + cap_relief, exactly;
    - worker part: ``monthly_worker`` (withheld, final: the worker's net is never adjusted) and
      ``worker_part_quarterly`` = round(basis x worker rate), ``worker_part_difference`` their
      difference, borne by the employer; employer part: ``monthly_employer`` and
      ``employer_part_quarterly`` = amount - monthly_worker, ``employer_regularisation`` =
      employer_part_quarterly - monthly_employer (= rounding_regularisation + cap_relief).
    """
    q = quarterly.select(
        *CONTRIBUTION_KEY,
        "basis",
        "amount_uncapped",
        "cap_relief",
        "amount",
        pl.col("worker_part").alias("worker_part_quarterly"),
    )
    zero = pl.lit(0, MONEY)
    filled = ("amount_uncapped", "cap_relief", "amount", "worker_part_quarterly", "monthly_worker", "monthly_employer")
    both = (
        q.join(monthly, on=CONTRIBUTION_KEY, how="full", coalesce=True)
        .with_columns(pl.col(c).fill_null(zero) for c in filled)
        .with_columns((pl.col("monthly_worker") + pl.col("monthly_employer")).cast(MONEY).alias("monthly_total"))
        .with_columns(
            (pl.col("amount_uncapped") - pl.col("monthly_total")).cast(MONEY).alias("rounding_regularisation"),
            (pl.col("worker_part_quarterly") - pl.col("monthly_worker")).cast(MONEY).alias("worker_part_difference"),
            (pl.col("amount") - pl.col("monthly_worker")).cast(MONEY).alias("employer_part_quarterly"),
        )
        .with_columns(
            (pl.col("employer_part_quarterly") - pl.col("monthly_employer"))
            .cast(MONEY)
            .alias("employer_regularisation")
        )
    )
    return both.select(
        *CONTRIBUTION_KEY,
        "basis",
        "monthly_worker",
        "monthly_employer",
        "monthly_total",
        "rounding_regularisation",
        "cap_relief",
        "amount",
        "worker_part_quarterly",
        "worker_part_difference",
        "employer_part_quarterly",
        "employer_regularisation",
    ).sort(CONTRIBUTION_KEY)


def check_stored_totals(payroll_lines: pl.DataFrame, keyed: pl.DataFrame, quarter: str) -> None:
    """Raise :class:`RunStoreError` when, for an employer, the stored monthly contribution lines
    that make up the payroll-line totals (``keyed``, :func:`keyed_lines`; the kinds of
    :data:`~pipeline.rules.contributions.COUNTED_KINDS`: due lines and the work-bonus deduction) do
    not add up to the worker + employer contributions of its stored payroll lines."""
    stored = payroll_lines.filter(
        pl.col("worker_code").is_not_null() & pl.col("period").is_in(quarter_periods(quarter))
    )
    stored_totals = stored.group_by("employer_id").agg(
        (pl.col("worker_contribution").sum() + pl.col("employer_contribution").sum()).cast(MONEY).alias("payroll_lines")
    )
    line_totals = (
        keyed.filter(pl.col("kind").is_in(list(COUNTED_KINDS)))
        .group_by("employer_id")
        .agg(pl.col("amount").sum().cast(MONEY).alias("contribution_lines"))
    )
    check = stored_totals.join(line_totals, on="employer_id", how="full", coalesce=True).with_columns(
        pl.col("payroll_lines").fill_null(0), pl.col("contribution_lines").fill_null(0)
    )
    bad = check.filter(pl.col("payroll_lines") != pl.col("contribution_lines")).get_column("employer_id").sort()
    if bad.len():
        raise RunStoreError(
            f"{quarter}: stored contribution lines do not add up to the stored payroll-line contributions "
            f"for employer(s) {', '.join(bad.to_list())}; rerun those months"
        )
