"""Social work bonus (bonus à l'emploi / werkbonus): the reduction of the personal 13.07 % ONSS
contribution on low monthly wages, declared in the DmfA as worker deduction 0001.

Legal basis: Law of 20 December 1999 granting a work bonus as a reduction of the personal
social-security contributions of low-paid employees, and its Royal Decree of 17 January 2000; ONSS
DmfA administrative instructions "Le bonus à l'emploi" / "Werkbonus" (2009/1, 2021-4, 2023-4,
current) and DmfAPPL 2017-1 "calcul"
(https://www.socialsecurity.be/employer/instructions/dmfa/fr/2021-4/instructions/deductions/workers_reductions/workbonus.html).

Per employee-month, for workers who owe the personal 13.07 % (``owes_personal_contribution``;
employed-abroad workers owe none and get none):

1. **W**, the month's pay subject to ONSS at 100 %: ``gross_salary + guaranteed_wage_onss``, also
   for ouvriers (their table, not their wage, carries the 108 %; W equals their ONSS base / 1.08
   to the cent).
2. **Fraction and reference wage S** (instructions 2009/1 and DmfAPPL 2017-1): by hours when
   ``paid_hours`` (H) and ``full_time_hours`` (U) are both given, else by day-equivalents: H =
   ``work_fraction`` × J, U = D, with J the contract's scheduled working days in the month
   (``weekly_work_days`` schedule, between ``contract_start`` and ``contract_end``) minus
   ``unpaid_days``, and D the scheduled working days of the whole month. A complete month (H >= U)
   has S = W and fraction 1; otherwise fraction = round2(H / U) (0.005 -> 0.01, so at most 1) and
   S = round(W / H) × U (W / H rounded to the cent, S itself not rounded). No paid time: fraction 0.
3. **Table** in force on the first day of the month, by worker status: before 2024-04-01 one
   formula (``onss/work_bonus/<status>/single_formula``, reported as volet A), from 2024-04-01
   volet A (``volet_a``) + volet B (``volet_b``). Each volet's amount R = round(scale(S)),
   half-up to the cent, never below 0.
4. **Prorated** P = round(fraction × R) per volet.
5. **Cap**: the bonus never exceeds the personal contribution of the month (the 13.07 % line,
   ``worker_onss``); the excess is taken from volet B first, then from volet A.

Every amount is rounded once where the instructions say (the fraction, W / H, R, P) and the rest is
exact integer arithmetic on whole columns (cents, millionths of hours: :data:`PLACES`);
:func:`explain_work_bonus` reads the columns this computation writes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from pipeline.core.money import MONEY, WHOLE, WIDE, check_places, from_units, quotient, rescaled, units
from pipeline.core.params import Parameters, Scale, Value, number_text, select
from pipeline.core.periods import month_start_of, month_starts
from pipeline.errors import MissingParameterError
from pipeline.rules import output_schema

P = "onss/work_bonus"
STATUSES = ("blue_collar", "white_collar")
"""Worker statuses with their own table (ouvriers declared at 108 %, employés at 100 %)."""

SINGLE, VOLETS = "single_formula", "volets"
FRACTION = pl.Decimal(18, 2)
"""Fractions rounded to two decimals."""

WEEK_MASKS = {5: [True] * 5 + [False] * 2, 6: [True] * 6 + [False]}
"""Monday-Friday and Monday-Saturday schedules (``weekly_work_days``)."""

REASONS = ("not_subject", "no_paid_time", "above_limits", "capped", "granted")
"""Why the bonus is what it is: the worker owes no 13.07 %; no paid time in the month; S above both
volets' limits; cut by the cap; granted in full."""

OPTIONAL: dict[str, tuple[pl.DataType, Any]] = {
    "paid_hours": (pl.Decimal(18, 6), None),
    "full_time_hours": (pl.Decimal(18, 6), None),
    "unpaid_days": (pl.Int32, 0),
}
"""Optional input columns and the value an absent column stands for."""

OUTPUT_SCHEMA: dict[str, pl.DataType] = {
    "employee_id": pl.String,
    "period": pl.String,
    "worker_status": pl.String,
    "work_bonus": MONEY,
    "volet_a": MONEY,
    "volet_b": MONEY,
    "reason": pl.Enum(REASONS),
    "wage_100": MONEY,
    "fraction_basis": pl.Enum(["hours", "days"]),
    "paid_units": WIDE,
    "full_time_units": WIDE,
    "complete_month": pl.Boolean,
    "wage_per_unit": MONEY,
    "reference_wage": WIDE,
    "fraction": FRACTION,
    "bonus_table": pl.Enum([SINGLE, VOLETS]),
    "volet_a_band": pl.Int8,
    "volet_b_band": pl.Int8,
    "volet_a_full": MONEY,
    "volet_b_full": MONEY,
    "volet_a_prorated": MONEY,
    "volet_b_prorated": MONEY,
    "before_cap": MONEY,
    "cap": MONEY,
    "cap_cut": MONEY,
    "volet_a_parameter": pl.Categorical(),
    "volet_b_parameter": pl.Categorical(),
    "volet_a_source": pl.Categorical(),
    "volet_b_source": pl.Categorical(),
}
"""Columns of :func:`compute_work_bonus`, in order: the result, then every figure of its path."""


@dataclass(frozen=True)
class Table:
    """The work-bonus table of one worker status on one date: part A and (from 2024-04-01) part B."""

    on: dt.date
    status: str
    kind: str  # SINGLE | VOLETS
    a_name: str
    a: Value
    b_name: str | None
    b: Value | None

    def applies(self) -> pl.Expr:
        return (pl.col("__on") == self.on) & (pl.col("worker_status") == self.status)


def table(params: Parameters, status: str, on: dt.date) -> Table:
    """The table in force on ``on`` for ``status``: the single formula while it is in force, else volets A + B."""
    names = {part: f"{P}/{status}/{part}" for part in (SINGLE, "volet_a", "volet_b")}
    single = params.entry(names[SINGLE], on)
    if single.value is not None:
        return Table(on, status, SINGLE, names[SINGLE], single, None, None)
    a, b = params.entry(names["volet_a"], on), params.entry(names["volet_b"], on)
    if a.value is None or b.value is None:
        raise MissingParameterError(names["volet_a" if a.value is None else "volet_b"], on)
    return Table(on, status, VOLETS, names["volet_a"], a, names["volet_b"], b)


def tables(params: Parameters, dates: list[dt.date]) -> list[Table]:
    """Every table a frame's months need (both statuses on each first day of a month)."""
    return [table(params, status, on) for on in dates for status in STATUSES]


def _scheduled_days(first: pl.Expr, last: pl.Expr) -> pl.Expr:
    """Working days from ``first`` to ``last`` inclusive in the row's weekly schedule (0 when last < first)."""
    end = last + pl.duration(days=1)
    days = (
        pl.when(pl.col("weekly_work_days") == 6)
        .then(pl.business_day_count(first, end, week_mask=WEEK_MASKS[6]))
        .otherwise(pl.business_day_count(first, end, week_mask=WEEK_MASKS[5]))
    )
    return pl.when(last >= first).then(days).otherwise(0)


HOURS_PLACES = 6
"""Decimal places of hours and work fractions (``Decimal(18, 6)`` in the inputs): H and U are worked in
whole millionths."""
PLACES = {
    **{name: 2 for name, dtype in OUTPUT_SCHEMA.items() if dtype == MONEY},
    "paid_units": HOURS_PLACES,
    "full_time_units": HOURS_PLACES,
    "reference_wage": 2 + HOURS_PLACES,
    "fraction": 2,
}
"""The figures worked as whole numbers (:func:`pipeline.core.money.units`) and their places: money in
cents, H and U in millionths, S = round(W / H) × U in 10^-8, the fraction in hundredths. Every step is
exact integer arithmetic, rounded once where the instructions say."""
INPUT_PLACES = {
    **dict.fromkeys(("gross_salary", "guaranteed_wage_onss", "worker_onss"), 2),
    **dict.fromkeys(("work_fraction", "paid_hours", "full_time_hours"), HOURS_PLACES),
}
"""The input columns read in whole units, and their places (a column with more decimals is refused)."""


def _performance() -> list[pl.Expr]:
    """H and U of the month (hours, or day-equivalents from the work fraction and the contract days)."""
    month_end = pl.col("__on").dt.month_end()
    first = pl.max_horizontal(pl.col("contract_start"), pl.col("__on"))
    last = pl.min_horizontal(pl.col("contract_end"), month_end)
    contract_days = pl.max_horizontal(_scheduled_days(first, last) - pl.col("unpaid_days").fill_null(0), pl.lit(0))
    by_hours = pl.col("paid_hours").is_not_null() & pl.col("full_time_hours").is_not_null()
    fraction = units(pl.col("work_fraction").fill_null(1), HOURS_PLACES)
    return [
        pl.when(by_hours)
        .then(pl.lit("hours"))
        .otherwise(pl.lit("days"))
        .cast(OUTPUT_SCHEMA["fraction_basis"])
        .alias("fraction_basis"),
        pl.when(by_hours)
        .then(units(pl.col("paid_hours"), HOURS_PLACES))
        .otherwise(fraction * contract_days.cast(WHOLE))
        .alias("paid_units"),
        pl.when(by_hours)
        .then(units(pl.col("full_time_hours"), HOURS_PLACES))
        .otherwise(units(_scheduled_days(pl.col("__on"), month_end), HOURS_PLACES))
        .alias("full_time_units"),
    ]


def _reference_wage() -> list[pl.Expr]:
    """Fraction f and reference wage S (instructions 2009/1; DmfAPPL 2017-1: S = (W / H) × U)."""
    paid, full = pl.col("paid_units"), pl.col("full_time_units")
    converted = ~pl.col("complete_month") & (paid > 0)
    return [
        pl.when(converted).then(quotient(pl.col("wage_100"), 2, paid, HOURS_PLACES, 2)).alias("wage_per_unit"),
        pl.when(pl.col("complete_month"))
        .then(pl.lit(100, WHOLE))
        .otherwise(quotient(paid, HOURS_PLACES, full, HOURS_PLACES, 2))
        .alias("fraction"),
    ]


def _volet(cases: list[tuple[Table, Scale | None]], key: str) -> list[pl.Expr]:
    """Band and amount R = round(scale(S)), at least 0, of one volet; 0 where the table has no such part."""
    s, places = pl.col("reference_wage"), PLACES["reference_wage"]
    cases = [(t, scale) for t, scale in cases if scale is not None]
    if not cases:
        return [pl.lit(None, pl.Int8).alias(f"{key}_band"), pl.lit(0, WHOLE).alias(f"{key}_full")]
    band = select([(t.applies(), scale.band(s, places)) for t, scale in cases])
    raw = select([(t.applies(), scale.cents(s, places)) for t, scale in cases], pl.lit(0, WHOLE))
    return [band.alias(f"{key}_band"), pl.max_horizontal(raw, pl.lit(0, WHOLE)).alias(f"{key}_full")]


def _citations(found: list[Table]) -> list[pl.Expr]:
    def column(name: str, values: list[tuple[Table, str | None]]) -> pl.Expr:
        return select([(t.applies(), pl.lit(v, pl.String)) for t, v in values]).alias(name)

    return [
        column("bonus_table", [(t, t.kind) for t in found]).cast(OUTPUT_SCHEMA["bonus_table"]),
        column("volet_a_parameter", [(t, t.a_name) for t in found]),
        column("volet_b_parameter", [(t, t.b_name) for t in found]),
        column("volet_a_source", [(t, t.a.key(t.a_name)) for t in found]),
        column("volet_b_source", [(t, t.b.key(t.b_name) if t.b else None) for t in found]),
    ]


def _normalise(frame: pl.DataFrame) -> pl.DataFrame:
    missing = [
        pl.lit(value, dtype).alias(name) for name, (dtype, value) in OPTIONAL.items() if name not in frame.columns
    ]
    return frame.with_columns(missing) if missing else frame


def compute_work_bonus(frame: pl.DataFrame, params: Parameters, columns: Sequence[str] | None = None) -> pl.DataFrame:
    """The work bonus of every employee-month of ``frame`` (columns :data:`OUTPUT_SCHEMA`, or only
    ``columns`` of it: see :func:`pipeline.rules.output_schema`).

    ``frame`` columns: employee_id, period (``YYYY-MM``), worker_status, owes_personal_contribution
    (bool; null counts as false), gross_salary and guaranteed_wage_onss (money at 100 %),
    worker_onss (the month's 13.07 % line: the cap; null counts as 0), work_fraction,
    weekly_work_days, contract_start, contract_end (null = open-ended); optional paid_hours,
    full_time_hours (both or neither) and unpaid_days (scheduled days of the contract without
    ONSS pay, e.g. incapacity days under DmfA service codes 10, 11 and 50; default 0).

    Raises :class:`MissingParameterError` for a month before the tables' history.
    """
    schema = output_schema(OUTPUT_SCHEMA, columns)
    frame = _normalise(frame)
    check_places(frame.schema, INPUT_PLACES)
    if frame.height == 0:
        return pl.DataFrame(schema=schema)
    dates = month_starts(frame.get_column("period"))
    found = tables(params, dates)
    a_cases = [(t, t.a.value) for t in found]
    b_cases = [(t, t.b.value if t.b else None) for t in found]
    zero = pl.lit(0, WHOLE)
    eligible = pl.col("owes_personal_contribution").fill_null(False)
    prorated_a, prorated_b = pl.col("volet_a_prorated"), pl.col("volet_b_prorated")
    excess = pl.max_horizontal(pl.col("before_cap") - pl.col("cap"), zero)
    cut_b = pl.min_horizontal(prorated_b, excess)
    return (
        frame.lazy()
        .with_columns(
            month_start_of(pl.col("period"), dates).alias("__on"),
            (units(pl.col("gross_salary"), 2) + units(pl.col("guaranteed_wage_onss").fill_null(0), 2)).alias(
                "wage_100"
            ),
            units(pl.col("worker_onss").fill_null(0), 2).alias("cap"),
        )
        .with_columns(_performance())
        .with_columns((pl.col("paid_units") >= pl.col("full_time_units")).alias("complete_month"))
        .with_columns(_reference_wage())
        .with_columns(
            pl.when(pl.col("wage_per_unit").is_null())
            .then(rescaled(pl.col("wage_100"), 2, PLACES["reference_wage"]))
            .otherwise(pl.col("wage_per_unit") * pl.col("full_time_units"))
            .alias("reference_wage")
        )
        .with_columns(*_volet(a_cases, "volet_a"), *_volet(b_cases, "volet_b"), *_citations(found))
        .with_columns(
            pl.when(eligible)
            .then(rescaled(pl.col("fraction") * pl.col(f"{v}_full"), PLACES["fraction"] + 2, 2))
            .otherwise(zero)
            .alias(f"{v}_prorated")
            for v in ("volet_a", "volet_b")
        )
        .with_columns((prorated_a + prorated_b).alias("before_cap"))
        .with_columns(
            (prorated_a - (excess - cut_b)).alias("volet_a"),
            (prorated_b - cut_b).alias("volet_b"),
            excess.alias("cap_cut"),
        )
        .with_columns(
            (pl.col("volet_a") + pl.col("volet_b")).alias("work_bonus"),
            pl.when(~eligible)
            .then(pl.lit("not_subject"))
            .when(pl.col("fraction") == 0)
            .then(pl.lit("no_paid_time"))
            .when((pl.col("volet_a_full") == 0) & (pl.col("volet_b_full") == 0))
            .then(pl.lit("above_limits"))
            .when(pl.col("cap_cut") > 0)
            .then(pl.lit("capped"))
            .otherwise(pl.lit("granted"))
            .cast(OUTPUT_SCHEMA["reason"])
            .alias("reason"),
        )
        .select(
            [
                from_units(pl.col(name), PLACES[name], dtype) if name in PLACES else pl.col(name).cast(dtype)
                for name, dtype in schema.items()
            ]
        )
        .collect()
    )


# ------------------------------------------------------------------------------------------------
# Explanation: the path of each figure, read from the columns written above
# ------------------------------------------------------------------------------------------------
def _eur(value: Any) -> str:
    return "?" if value is None else f"{value:,.2f}"


def _band_line(params: Parameters, row: dict[str, Any], volet: str, on: dt.date) -> str:
    name = row[f"{volet}_parameter"]
    label = "volet A" if volet == "volet_a" else "volet B"
    if name is None:
        return f"  {label}: none in the single-formula table -> 0.00"
    if name.endswith(SINGLE):
        label = "single formula (reported as volet A)"
    entry = params.entry(name, on)
    band = row[f"{volet}_band"]
    return (
        f"  {label}: band {band} of {name} [{entry.effective_from}, {entry.status}]: {entry.value.text(band)} "
        f"-> R = {_eur(row[f'{volet}_full'])} (half-up to the cent, at least 0); source: {entry.source}"
    )


def explain_work_bonus(row: dict[str, Any], params: Parameters) -> str:
    """The path of one employee-month's work bonus: W, the fraction and S, the table and its bands,
    the prorated volets, the cap. ``row`` is one row of :func:`compute_work_bonus` (as a dict) and
    ``params`` the bundle it was computed with; every number shown is a column of that row."""
    on = dt.date.fromisoformat(f"{row['period']}-01")
    out = [f"Social work bonus (DmfA deduction 0001) of employee {row['employee_id']}, period {row['period']}"]
    if row["reason"] == "not_subject":
        out.append("Not subject to the personal 13.07 % contribution (e.g. employed abroad): no work bonus.")
        return "\n".join(out)
    out.append(f"W, pay subject to ONSS at 100 % (gross + guaranteed wage subject to ONSS) = {_eur(row['wage_100'])}")
    unit = "hours" if row["fraction_basis"] == "hours" else "day-equivalents (work fraction × contract days)"
    paid, full = number_text(row["paid_units"]), number_text(row["full_time_units"])
    if row["complete_month"]:
        out.append(f"Paid {paid} of {full} {unit}: complete month -> fraction 1, S = W = {_eur(row['reference_wage'])}")
    elif row["wage_per_unit"] is None:
        out.append(f"Paid {paid} of {full} {unit}: no paid time -> fraction 0, S = W = {_eur(row['reference_wage'])}")
    else:
        out.append(
            f"Paid H = {paid} of U = {full} {unit}: fraction = round2(H / U) = {row['fraction']}; "
            f"S = round(W / H) × U = {_eur(row['wage_per_unit'])} × {full} = {_eur(row['reference_wage'])}"
        )
    status = "ouvriers (108 %)" if row["worker_status"] == "blue_collar" else "employés (100 %)"
    out.append(f"Table in force on {on} for {status}:")
    out.append(_band_line(params, row, "volet_a", on))
    out.append(_band_line(params, row, "volet_b", on))
    fraction = str(row["fraction"])
    out.append(
        f"Prorated: {fraction} × {_eur(row['volet_a_full'])} = {_eur(row['volet_a_prorated'])} (A); "
        f"{fraction} × {_eur(row['volet_b_full'])} = {_eur(row['volet_b_prorated'])} (B), each half-up to the cent"
    )
    total = row["before_cap"]
    if row["cap_cut"]:
        out.append(
            f"Cap: A + B = {_eur(total)} > personal contribution (13.07 % line) {_eur(row['cap'])}: "
            f"{_eur(row['cap_cut'])} taken from volet B first, then from volet A"
        )
    else:
        out.append(f"Cap: A + B = {_eur(total)} <= personal contribution (13.07 % line) {_eur(row['cap'])}: no cut")
    out.append(
        f"Work bonus = {_eur(row['volet_a'])} (A) + {_eur(row['volet_b'])} (B) = {_eur(row['work_bonus'])} "
        f"[{row['reason']}]"
    )
    return "\n".join(out)
