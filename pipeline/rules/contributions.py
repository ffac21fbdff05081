"""ONSS base and social contributions (data-contract computations 2 and 3).

- ONSS base (rules-reference §1.1): blue collars (ouvriers) round((gross + guaranteed_wage_onss)
  × 108 %) because ONVA, not the employer, pays their simple holiday pay; white collars
  gross + guaranteed_wage_onss.
- One line per contribution, ``amount = round(onss_base × rate)`` half away from zero to the cent
  (rules-reference §1.2): worker 13.07 %, employer basic 19.88 % and wage moderation 5.12 %
  (§2.1), blue-collar quarterly holiday contribution 5.57 % (code 253, §2.2), the special
  employer contributions of §2.3 that apply to the employer (255, 256 in its due quarters,
  809/811 FFE by commercial status and workforce, 810, 855 for employers with at least 10
  workers, 859, 831 for CP 200 white collars), and the annual 10.27 % holiday contribution as an
  ``accrual`` line (collected next year by debit notice; not part of the month's contributions).
- ``worker_contribution`` / ``employer_contribution`` are sums of the rounded ``due`` lines.

Every rate comes from a dated parameter, looked up on the first day of the period; each line
records the parameter name and its legal source.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from pipeline.core.money import MONEY, WIDE, times, to_cents
from pipeline.core.params import Parameters

RATE_DTYPE = pl.Decimal(18, 8)
WORKER_CODE = "worker_code"


@dataclass(frozen=True)
class Contribution:
    """One contribution: who pays, its DmfA code, its rate parameter and when it applies."""

    name: str
    payer: str  # worker | employer
    dmfa_code: str | None  # WORKER_CODE: the worker code (015/495) itself; None: not declared in the DmfA
    parameter: str
    kind: str = "due"  # due | accrual

    def applies(self, params: Parameters, on: dt.date) -> pl.Expr:
        """Row condition (on the employee/employer columns) for this contribution."""
        p = params
        blue = pl.col("worker_status") == "blue_collar"
        workforce = pl.col("workforce").fill_null(0)
        commercial = pl.col("commercial").fill_null(True)
        conditions = {
            "holiday_quarterly": blue,
            "holiday_annual_accrual": blue,
            "asbestos_fund": pl.lit(((on.month - 1) // 3 + 1) in p.value("onss/special/asbestos_quarters", on)),
            "ffe_commercial_small": commercial & (workforce < int(p.value("onss/special/ffe_workforce_threshold", on))),
            "ffe_commercial_large": commercial
            & (workforce >= int(p.value("onss/special/ffe_workforce_threshold", on))),
            "ffe_noncommercial": ~commercial,
            "ar401_special": workforce >= int(p.value("onss/special/ar401_workforce_threshold", on)),
            "cpae_cp200": (pl.col("employer_category") == "010") & ~blue,
        }
        return conditions.get(self.name, pl.lit(True))


CONTRIBUTIONS: tuple[Contribution, ...] = (
    Contribution("worker_onss", "worker", WORKER_CODE, "onss/worker_rate"),
    Contribution("employer_basic", "employer", WORKER_CODE, "onss/employer_basic_rate"),
    Contribution("wage_moderation", "employer", WORKER_CODE, "onss/wage_moderation_rate"),
    Contribution("holiday_quarterly", "employer", "253", "onss/holiday_quarterly_rate"),
    Contribution("holiday_annual_accrual", "employer", None, "onss/holiday_annual_rate", kind="accrual"),
    Contribution("work_accident_special", "employer", "255", "onss/special/work_accident_rate"),
    Contribution("asbestos_fund", "employer", "256", "onss/special/asbestos_rate"),
    Contribution("ffe_commercial_small", "employer", "809", "onss/special/ffe_commercial_small_rate"),
    Contribution("ffe_commercial_large", "employer", "809", "onss/special/ffe_commercial_large_rate"),
    Contribution("ffe_noncommercial", "employer", "811", "onss/special/ffe_noncommercial_rate"),
    Contribution("ffe_special", "employer", "810", "onss/special/ffe_special_rate"),
    Contribution("ar401_special", "employer", "855", "onss/special/ar401_rate"),
    Contribution("temporary_unemployment", "employer", "859", "onss/special/temporary_unemployment_rate"),
    Contribution("cpae_cp200", "employer", "831", "onss/special/cpae_cp200_rate"),
)


WORKER_CODES = ("015", "495")
"""DmfA worker codes of ordinary private-sector workers: 015 ouvrier, 495 employé (§7.3)."""


def worker_code() -> pl.Expr:
    """DmfA worker code of ordinary private-sector workers: 015 ouvrier, 495 employé (§7.3)."""
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


def contribution_lines(frame: pl.DataFrame, params: Parameters, on: dt.date) -> pl.DataFrame:
    """Computation 3: one row per employee, period and applicable contribution.

    ``frame`` has employee_id, period, worker_status, onss_base and the employer columns
    employer_category, workforce, commercial. Rows with a null ``onss_base`` (no Belgian ONSS)
    get no lines.

    Built without sorting the (about ten times longer) line frame: each employee-month gets a
    bit mask of the contributions that apply to it, the few distinct masks are expanded once into
    (mask, contribution) pairs in contribution order, and one order-keeping join turns the sorted
    employee-months into sorted lines. Per-contribution values (names, rates, sources) are taken
    from 14-row tables. The text columns with a closed vocabulary (contribution, payer, kind,
    dmfa_code, parameter, source) are ``pl.Enum`` (:func:`line_schema`): one small code per line
    instead of a string, which makes the 8.6 M-line frame of a million employee-months a third of
    the size and its Parquet file about twice as fast to write (docs/performance.md).
    """
    specs = sorted(CONTRIBUTIONS, key=lambda c: c.name)  # line order within an employee-month
    entries = [params.entry(c.parameter, on) for c in specs]
    schema = line_schema(params, on)
    mask = pl.sum_horizontal(
        [
            pl.when(c.applies(params, on)).then(pl.lit(1 << i, pl.Int32)).otherwise(pl.lit(0, pl.Int32))
            for i, c in enumerate(specs)
        ]
    )
    months = (
        frame.select("employee_id", "period", "worker_status", "onss_base", mask.alias("__mask"))
        .filter(pl.col("onss_base").is_not_null())
        .sort("employee_id", "period")
    )
    if months.height == 0:
        return pl.DataFrame(schema=schema)
    pairs = [
        (m, i) for m in months.get_column("__mask").unique().sort().to_list() for i in range(len(specs)) if m >> i & 1
    ]
    expand = pl.DataFrame(
        {"__mask": [m for m, _ in pairs], "__c": [i for _, i in pairs]}, schema={"__mask": pl.Int32, "__c": pl.UInt32}
    )
    lines = months.join(expand, on="__mask", how="inner", maintain_order="left_right")
    index = pl.col("__c")

    def per_contribution(column: str, values: list) -> pl.Expr:
        return pl.lit(pl.Series(values, dtype=schema[column])).gather(index).alias(column)

    rates = pl.Series([e.value for e in entries], dtype=WIDE)
    return lines.select(
        "employee_id",
        "period",
        per_contribution("contribution", [c.name for c in specs]),
        per_contribution("payer", [c.payer for c in specs]),
        per_contribution("kind", [c.kind for c in specs]),
        pl.when(pl.lit(pl.Series([c.dmfa_code == WORKER_CODE for c in specs])).gather(index))
        .then(worker_code().cast(schema["dmfa_code"]))
        .otherwise(per_contribution("dmfa_code", [None if c.dmfa_code == WORKER_CODE else c.dmfa_code for c in specs]))
        .alias("dmfa_code"),
        pl.col("onss_base").alias("base"),
        pl.lit(rates).gather(index).cast(RATE_DTYPE).alias("rate"),
        to_cents(times(pl.col("onss_base"), pl.lit(rates).gather(index))).alias("amount"),
        per_contribution("parameter", [c.parameter for c in specs]),
        per_contribution("source", [e.key(c.parameter) for c, e in zip(specs, entries)]),
    )


def _vocabulary(values) -> pl.Enum:
    return pl.Enum(sorted({v for v in values if v is not None}))


def line_schema(params: Parameters, on: dt.date) -> dict[str, pl.DataType]:
    """Column types of ``contribution_lines`` for a period starting on ``on``.

    Closed vocabularies are enumerations of every value the period can produce, in sorted order,
    so two partitions of one batch, or two runs of one period, have the same types; ``parameter``
    and ``source`` have the types of the run's ``parameters`` table (:meth:`Parameters.citation_types`).
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
    """worker_contribution and employer_contribution per employee and period (due lines only)."""
    due = pl.col("kind") == "due"
    amount_of = lambda payer: pl.when(due & (pl.col("payer") == payer)).then(pl.col("amount"))  # noqa: E731
    return (
        lines.lazy()
        .select(
            "employee_id",
            "period",
            amount_of("worker").alias("__worker"),
            amount_of("employer").alias("__employer"),
            due.alias("__due"),
        )
        .filter(pl.col("__due"))
        .group_by("employee_id", "period")
        .agg(
            pl.col("__worker").sum().cast(MONEY).alias("worker_contribution"),
            pl.col("__employer").sum().cast(MONEY).alias("employer_contribution"),
        )
        .collect()
    )
