"""Calendar-year counters of the withholding decision, and the French exit limit.

- The counters add up every pay row of the period's calendar year up to and including the period
  (earlier months come from the input or the run store): the French exit days
  (``zone_exit_days``), the Luxembourg days outside Belgium (residence + third States), the days
  worked in Belgium and in all. The limits are per calendar year (avenant FR-BE of 12 December 2008
  art. 2 §5; convention BE-LU of 17 September 1970 art. 15 §1 as amended by the avenant signed
  31 August 2021).
- French exit limit: 30 days a year outside the Belgian border zone, prorated for a hire or
  departure during the year (30 x calendar days employed in the year / days in the year, not
  rounded); for a seasonal frontier worker (form 276 FG.S) 15 % of the days worked in the year so
  far. A count strictly above the limit exceeds it, and the year stays exceeded from that month on.
- The one-time second chance: the first excess loses the whole year (row 6), so the earlier months
  of the year in which PP was not withheld are listed for regularisation in the month of the excess.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from pipeline.core.keys import first_of_employee
from pipeline.core.money import WIDE

MONTH_BIT = {month: 1 << (month - 1) for month in range(1, 13)}
"""Calendar month -> bit of the year-to-date month mask (calendar arithmetic, not a legal figure)."""
_UPTO_MASK = {k: (1 << k) - 1 for k in range(0, 13)}
"""k -> mask with the bits of months 1..k set."""


@dataclass(frozen=True)
class Year:
    """The calendar year of the run period."""

    year: int

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 1, 1)

    @property
    def end(self) -> dt.date:
        return dt.date(self.year, 12, 31)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def year_to_date(pay: pl.LazyFrame, period: str, hist_applies: pl.Expr) -> pl.LazyFrame:
    """The pay rows of the period's calendar year up to and including the period (narrow)."""
    in_ytd = (pl.col("period").str.slice(0, 4) == period[:4]) & (pl.col("period") <= period)
    return pay.filter(in_ytd).select(
        "employee_id",
        "period",
        "zone_exit_days",
        "days_worked_be",
        "days_worked_residence",
        "days_worked_other",
        hist_applies.alias("_hist_applies"),
        _worked().alias("_worked"),
        (pl.col("days_worked_residence") + pl.col("days_worked_other")).alias("_outside"),
        _month_bit().alias("_month_bit"),
    )


def _worked() -> pl.Expr:
    return pl.col("days_worked_be").fill_null(0) + pl.col("days_worked_residence") + pl.col("days_worked_other")


def _month_bit() -> pl.Expr:
    """The bit of the row's calendar month in the year-to-date month mask."""
    return pl.col("period").str.slice(5, 2).cast(pl.Int8).replace_strict(MONTH_BIT, return_dtype=pl.Int32)


def totals(ytd: pl.LazyFrame) -> pl.LazyFrame:
    """Counters per employee over the year so far.

    Each aggregation reads a column of :func:`year_to_date` (computed once over the rows): a
    computed expression inside the aggregation is evaluated group by group, about five times
    slower at a million rows.
    """
    return ytd.group_by("employee_id").agg(
        pl.col("zone_exit_days").sum().cast(pl.Int32).alias("fr_exit_days_ytd"),
        pl.col("_outside").sum().cast(pl.Int32).alias("days_outside_be_ytd"),
        pl.col("days_worked_be").fill_null(0).sum().cast(pl.Int32).alias("days_be_ytd"),
        pl.col("_worked").sum().cast(pl.Int32).alias("days_worked_ytd"),
        pl.col("_month_bit").bitwise_or().alias("_month_mask"),
    )


def own_totals(period: str) -> list[pl.Expr]:
    """:func:`totals` when the period's row is the only row of the year (the same values, no grouping)."""
    return [
        pl.col("zone_exit_days").cast(pl.Int32).alias("fr_exit_days_ytd"),
        (pl.col("days_worked_residence") + pl.col("days_worked_other")).cast(pl.Int32).alias("days_outside_be_ytd"),
        pl.col("days_worked_be").fill_null(0).cast(pl.Int32).alias("days_be_ytd"),
        _worked().cast(pl.Int32).alias("days_worked_ytd"),
        pl.lit(MONTH_BIT[int(period[5:7])], pl.Int32).alias("_month_mask"),
    ]


def days_employed(year: Year) -> pl.Expr:
    """Calendar days from max(contract_start, 1 January) to min(contract_end, 31 December)."""
    employed_from = pl.max_horizontal(pl.col("contract_start"), pl.lit(year.start))
    employed_to = pl.min_horizontal(pl.col("contract_end").fill_null(pl.lit(year.end)), pl.lit(year.end))
    return ((employed_to - employed_from).dt.total_days() + 1).clip(lower_bound=0).cast(pl.Int32)


@dataclass(frozen=True)
class ExitLimit:
    """The French limit of exit days outside the Belgian border zone for the year so far.

    ``base``: days a year (``withholding/fr_exit_day_limit``), prorated by the calendar days
    employed; ``rate``: the seasonal share of the days worked (``withholding/fr_seasonal_exit_rate``).
    Either is None when it has no value in force: the limit is then null for the workers it
    concerns (the table stops the batch if one of them reaches rows 5-6).
    """

    base: Decimal | None
    rate: Decimal | None
    days_in_year: int

    def exceeded(self, exits: pl.Expr, worked: pl.Expr, employed: pl.Expr) -> pl.Expr:
        """``exits`` strictly above the limit, compared exactly by cross-multiplication
        (exits x days in year > base x days employed)."""
        seasonal = self._or_null(self.rate, lambda rate: exits.cast(WIDE) > pl.lit(rate, WIDE) * worked.cast(WIDE))
        yearly = self._or_null(
            self.base,
            lambda base: (
                exits.cast(WIDE) * pl.lit(self.days_in_year).cast(WIDE) > pl.lit(base, WIDE) * employed.cast(WIDE)
            ),
        )
        return pl.when(pl.col("fr_seasonal")).then(seasonal).otherwise(yearly)

    def value(self, worked: pl.Expr, employed: pl.Expr) -> pl.Expr:
        """The limit (Decimal 38,12). ``worked`` / ``employed`` are null outside the seasonal /
        non-seasonal French rows, so neither branch computes a value for the other rows."""
        seasonal = self._or_null(self.rate, lambda rate: pl.lit(rate, WIDE) * worked.cast(WIDE))
        yearly = self._or_null(
            self.base,
            lambda base: pl.lit(base, WIDE) * employed.cast(WIDE) / pl.lit(self.days_in_year).cast(WIDE),
        )
        return pl.when(pl.col("fr_seasonal")).then(seasonal).otherwise(yearly)

    def formula(self, worked: pl.Expr, employed: pl.Expr) -> pl.Expr:
        """The arithmetic of :meth:`value`, as text."""
        seasonal = self._or_null(
            self.rate,
            lambda rate: pl.concat_str(
                pl.lit(f"{(rate * 100).normalize():f} % x "),
                worked.cast(pl.String),
                pl.lit(" days worked in the year so far"),
            ),
        )
        yearly = self._or_null(
            self.base,
            lambda base: pl.concat_str(
                pl.lit(f"{base.normalize():f} x "),
                employed.cast(pl.String),
                pl.lit(f" / {self.days_in_year} calendar days employed in the year"),
            ),
        )
        return pl.when(pl.col("fr_seasonal")).then(seasonal).otherwise(yearly)

    @staticmethod
    def _or_null(value: Decimal | None, build) -> pl.Expr:
        return pl.lit(None) if value is None else build(value)


def first_excess(
    ytd: pl.LazyFrame, fr_info: pl.LazyFrame, limit: ExitLimit, period: str, pp_withheld: pl.Expr
) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """First month of the year whose running exit-day count exceeds the limit, and the months to regularise.

    ``fr_info``: employee_id, fr_seasonal, fr_276fg_year, fr_days_employed_year of the French
    residents. Once exceeded in a month the year stays exceeded (the count never decreases for the
    30-day limit; for the seasonal 15 % it is a choice, docs/withholding.md). The months to
    regularise, when the limit is first exceeded in the run period, are the earlier months of the
    year in which PP was not withheld: read from the history row when it says
    (``withholding_applies``), else ``pp_withheld`` (before the first excess the employee reached
    row 7 or row 8 of the table, so PP applied only where the form 276 FG was missing).
    """
    first_schema = {"employee_id": pl.String, "fr_first_excess_period": pl.String}
    reg_schema = {"employee_id": pl.String, "regularisation_periods": pl.String}
    if limit.base is None and limit.rate is None:
        return pl.LazyFrame(schema=first_schema), pl.LazyFrame(schema=reg_schema)
    months = (
        ytd.join(fr_info, on="employee_id", how="inner")
        .sort("employee_id", "period")
        .with_columns(_running_sum("zone_exit_days").alias("_cum_exit"), _running_sum("_worked").alias("_cum_worked"))
        .with_columns(
            limit.exceeded(pl.col("_cum_exit"), pl.col("_cum_worked"), pl.col("fr_days_employed_year")).alias(
                "_exceeded"
            )
        )
    )
    first = (
        months.filter(pl.col("_exceeded"))
        .group_by("employee_id")
        .agg(pl.col("period").min().alias("fr_first_excess_period"))
    )
    applied = pl.coalesce(pl.col("_hist_applies"), pp_withheld)
    regularise = (
        months.join(first.filter(pl.col("fr_first_excess_period") == period), on="employee_id", how="semi")
        .filter(pl.col("period") < period, ~applied.fill_null(False))
        .group_by("employee_id")
        .agg(pl.col("period").sort().str.join(",").alias("regularisation_periods"))
    )
    return first.cast(first_schema), regularise.cast(reg_schema)


def _running_sum(column: str) -> pl.Expr:
    """Running sum per employee on a frame sorted by employee_id then period.

    Global cumulative sum minus the global sum before the employee's first row (no hashing of
    the key, unlike ``cum_sum().over(...)``, which matters at a million rows).
    """
    value = pl.col(column).cast(pl.Int64)
    total = value.cum_sum()
    return total - pl.when(first_of_employee()).then(total - value).forward_fill()


def months_text(mask: pl.Expr, year: int) -> pl.Expr:
    """Comma-separated ``YYYY-MM`` of the months whose bit is set in ``mask`` (bit 0 = January).

    A lookup in the 4,096 possible masks of the year (a hash lookup per row; building the text
    with twelve string expressions per row was ~40x slower at a million rows).
    """
    return mask.replace_strict(_month_texts(year), default=None, return_dtype=pl.String)


@functools.lru_cache(maxsize=8)
def _month_texts(year: int) -> dict[int, str]:
    """Mask -> comma-separated months, for the 4,096 masks of ``year`` (built once per year)."""
    return {
        m: ",".join(f"{year:04d}-{month:02d}" for month, bit in MONTH_BIT.items() if m & bit) for m in range(1 << 12)
    }


def missing_months(year: int, month: int) -> pl.Expr:
    """Months of employment in the year before the run month with no pay row (FR and LU rows only).

    Employment months run from the month of ``max(contract_start, 1 January)`` to the month
    before the run month, capped at the month of ``contract_end``. Their days are absent from the
    calendar-year counters; the line shows them so a payroll officer can load the missing history.
    """
    first = (
        pl.when(pl.col("contract_start") < pl.lit(dt.date(year, 1, 1)))
        .then(pl.lit(1, pl.Int32))
        .otherwise(pl.col("contract_start").dt.month().cast(pl.Int32))
    )
    last = (
        pl.when(pl.col("contract_end").is_not_null() & (pl.col("contract_end").dt.year() == year))
        .then(pl.min_horizontal(pl.col("contract_end").dt.month().cast(pl.Int32), pl.lit(month - 1, pl.Int32)))
        .otherwise(pl.lit(month - 1, pl.Int32))
    )
    # bits first..last set: (2^last - 1) - (2^(first-1) - 1)
    upto = lambda k: k.replace_strict(_UPTO_MASK, default=0, return_dtype=pl.Int32)  # noqa: E731
    expected = (
        pl.when(
            pl.col("contract_start").is_not_null()
            & (pl.col("contract_start").dt.year() <= year)
            & (pl.col("contract_end").is_null() | (pl.col("contract_end").dt.year() >= year))
            & (last >= first)
        )
        .then(upto(last) - upto(first - 1))
        .otherwise(pl.lit(0, pl.Int32))
    )
    missing = expected & (pl.col("_month_mask") ^ pl.lit(0xFFF, pl.Int32))
    return months_text(pl.when(pl.col("residence_country").is_in(["FR", "LU"])).then(missing), year)
