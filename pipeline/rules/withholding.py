"""Withholding-tax (PP/BV) applicability for cross-border workers: the decision table.

For every employee and pay period the processor says whether Belgian withholding tax
(précompte professionnel / bedrijfsvoorheffing) applies, on which share of the pay, and why.
This module evaluates the 13-row decision table of rules-reference §5.7 top-down, as whole-column
polars expressions (data-contract computation 4).

Legal basis (rules-reference §5):
- General treaty rule: employment income is taxable where the work is physically performed
  (convention FR-BE 10 March 1964 art. 11 §1; BE-LU 17 September 1970 art. 15 §1; BE-NL 2001
  art. 15; BE-DE 1967 art. 15); for a Belgian employer the 183-day exception never applies (§5.1).
- French residents: frontier regime of the 3rd transitional period 2012-2033 (additional
  protocol to the 1964 convention as inserted by art. 2 of the avenant of 12 December 2008):
  grandfathered status, excluded categories, 30 days per calendar year outside the Belgian border
  zone (prorated for a hire/departure during the year; 15 % of the days worked for seasonal
  workers), the one-time second chance, form 276 Front./Grens. attested for this year and this
  employer (art. 87 AR/CIR 92), end on 2034-01-01 (§5.2).
- Luxembourg residents: 24 days (2015-2021) / 34 days (from 2022-01-01) per calendar year
  outside Belgium keep all pay taxable in Belgium (BE-LU avenant signed 31 August 2021) (§5.3).
- Dutch, German and other residents: taxable in Belgium for the days worked in Belgium (§5.4).

Every threshold and date is a dated parameter under ``pipeline/parameters/withholding/``.
Choices where the law or the spec is silent are written down in ``docs/withholding.md``.

Public API: :func:`decide_withholding` (the batch), :func:`explain` (one decision as text, for
``payroll explain``) and :func:`explain_employee` (the same from a :class:`WithholdingResult`).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl

from pipeline.core import rejects
from pipeline.core.money import SHARE, WIDE, round_to
from pipeline.core.params import Parameters
from pipeline.core.periods import month_start
from pipeline.errors import MissingParameterError, ParameterFileError

# --- parameters (names only; values live in the YAML files) ------------------------------------
P_FR_REGIME_END = "withholding/fr_regime_end"
P_FR_EXIT_LIMIT = "withholding/fr_exit_day_limit"
P_FR_SEASONAL_RATE = "withholding/fr_seasonal_exit_rate"
P_LU_TOLERANCE = "withholding/lu_tolerance_days"

# --- reason codes of rules-reference §5.7, by table row ------------------------------------------
BE_RESIDENT = "BE_RESIDENT"
FR_REGIME_ENDED_2034 = "FR_REGIME_ENDED_2034"
FR_NOT_GRANDFATHERED = "FR_NOT_GRANDFATHERED"
FR_EXCLUDED_CATEGORY = "FR_EXCLUDED_CATEGORY"
FR_EXIT_LIMIT_DEFINITIVE = "FR_EXIT_LIMIT_DEFINITIVE"
FR_EXIT_LIMIT_YEAR_LOST = "FR_EXIT_LIMIT_YEAR_LOST"
FR_276FG_MISSING = "FR_276FG_MISSING"
FR_FRONTIER_EXEMPT = "FR_FRONTIER_EXEMPT"
LU_WITHIN_TOLERANCE = "LU_WITHIN_TOLERANCE"
LU_OVER_TOLERANCE_PRORATA = "LU_OVER_TOLERANCE_PRORATA"
NL_WORK_STATE_PRORATA = "NL_WORK_STATE_PRORATA"
DE_WORK_STATE_PRORATA = "DE_WORK_STATE_PRORATA"
OTHER_TREATY_REVIEW = "OTHER_TREATY_REVIEW"

TABLE: tuple[tuple[int, str, str], ...] = (
    (1, BE_RESIDENT, "residence = BE"),
    (2, FR_REGIME_ENDED_2034, "residence = FR and period on or after the end of the frontier regime"),
    (3, FR_NOT_GRANDFATHERED, "FR and not fr_grandfathered"),
    (4, FR_EXCLUDED_CATEGORY, "FR and fr_excluded_category is not none"),
    (5, FR_EXIT_LIMIT_DEFINITIVE, "FR and fr_exit_days_ytd > limit and fr_second_chance_used"),
    (6, FR_EXIT_LIMIT_YEAR_LOST, "FR and fr_exit_days_ytd > limit and second chance not used"),
    (7, FR_276FG_MISSING, "FR and no attested 276 FG for this year and this employer"),
    (8, FR_FRONTIER_EXEMPT, "FR and all conditions met"),
    (9, LU_WITHIN_TOLERANCE, "residence = LU and days_outside_be_ytd <= tolerance"),
    (10, LU_OVER_TOLERANCE_PRORATA, "LU and days_outside_be_ytd > tolerance"),
    (11, NL_WORK_STATE_PRORATA, "residence = NL"),
    (12, DE_WORK_STATE_PRORATA, "residence = DE"),
    (13, OTHER_TREATY_REVIEW, "any other residence (manual treaty check)"),
)
ROW_OF = {reason: row for row, reason, _ in TABLE}

SHARE_ONE = {BE_RESIDENT, LU_WITHIN_TOLERANCE}
SHARE_ZERO = {FR_FRONTIER_EXEMPT}
SHARE_DAYS = set(ROW_OF) - SHARE_ONE - SHARE_ZERO
"""Rows whose taxable share is days_worked_be / (days_worked_be + residence + other)."""

_MISSING = "MISSING:"
_MONTH_BIT = {month: 1 << (month - 1) for month in range(1, 13)}
"""Calendar month -> bit of the year-to-date month mask (calendar arithmetic, not a legal figure)."""
_UPTO_MASK = {k: (1 << k) - 1 for k in range(0, 13)}
"""k -> mask with the bits of months 1..k set."""

LINE_SCHEMA: dict[str, pl.DataType] = {
    "employee_id": pl.String,
    "period": pl.String,
    "withholding_applies": pl.Boolean,
    "withholding_reason": pl.String,
    "table_row": pl.Int8,
    "taxable_share_be": SHARE,
    "taxable_share_basis": pl.String,
    "regularisation_required": pl.Boolean,
    "regularisation_periods": pl.String,
    # inputs of the decision, as used
    "residence_country": pl.String,
    "days_worked_be": pl.Int32,
    "days_worked_residence": pl.Int32,
    "days_worked_other": pl.Int32,
    "days_be_ytd": pl.Int32,
    "days_worked_ytd": pl.Int32,
    "fr_grandfathered": pl.Boolean,
    "fr_excluded_category": pl.String,
    "fr_seasonal": pl.Boolean,
    "fr_second_chance_used": pl.Boolean,
    "fr_276fg_year": pl.Int32,
    "fr_276fg_valid": pl.Boolean,
    "fr_regime_end": pl.Date,
    # calendar-year counters (FR: rows 5-6; LU: rows 9-10)
    "fr_exit_days_ytd": pl.Int32,
    "fr_exit_limit": WIDE,
    "fr_exit_limit_formula": pl.String,
    "fr_days_employed_year": pl.Int32,
    "days_in_year": pl.Int32,
    "fr_first_excess_period": pl.String,
    "days_outside_be_ytd": pl.Int32,
    "lu_tolerance": pl.Int32,
    "ytd_periods": pl.String,
    "ytd_missing_periods": pl.String,
}
"""Columns of :attr:`WithholdingResult.lines`, in order (key: employee_id, period)."""

_EMPLOYEE_DEFAULTS: dict[str, tuple[pl.DataType, Any]] = {
    # contract defaults (data-contract "employees"): optional columns, null = default
    "fr_excluded_category": (pl.String, "none"),
    "fr_second_chance_used": (pl.Boolean, False),
    "fr_seasonal": (pl.Boolean, False),
    # no default: the table needs them and rejects a null where it does
    "residence_country": (pl.String, None),
    "fr_grandfathered": (pl.Boolean, None),
    "fr_276fg_year": (pl.Int32, None),
    "contract_start": (pl.Date, None),
    "contract_end": (pl.Date, None),
    "employer_id": (pl.String, None),
    "source_file": (pl.String, None),
    "source_line": (pl.Int64, None),
}
_PAY_DEFAULTS: dict[str, tuple[pl.DataType, Any]] = {
    "days_worked_residence": (pl.Int32, 0),
    "days_worked_other": (pl.Int32, 0),
    "zone_exit_days": (pl.Int32, 0),
    "days_worked_be": (pl.Int32, None),  # required for non-residents whose row needs a share
    "source_file": (pl.String, None),
    "source_line": (pl.Int64, None),
}


@dataclass(frozen=True)
class WithholdingResult:
    """Decisions for the run period and the rows that could not be decided.

    ``lines``: one row per pay row of the run period that could be decided (columns
    :data:`LINE_SCHEMA`, sorted by employee_id). ``rejects``: ``REJECT_SCHEMA`` rows for the pay
    rows that could not (a row in ``rejects`` has no line).
    """

    lines: pl.DataFrame
    rejects: pl.DataFrame


# ------------------------------------------------------------------------------------------------
def _normalise(frame: pl.DataFrame, defaults: dict[str, tuple[pl.DataType, Any]]) -> pl.DataFrame:
    """Add absent optional columns and apply the contract defaults to nulls (cast to contract dtypes)."""
    exprs = []
    for name, (dtype, default) in defaults.items():
        col = pl.col(name).cast(dtype) if name in frame.columns else pl.lit(None, dtype)
        if default is not None:
            col = col.fill_null(pl.lit(default, dtype))
        exprs.append(col.alias(name))
    return frame.with_columns(exprs)


def decide_withholding(
    employees: pl.DataFrame, pay: pl.DataFrame, period: str, params: Parameters
) -> WithholdingResult:
    """Evaluate the decision table of rules-reference §5.7 for every pay row of ``period``.

    Args:
        employees: typed employees frame (one row per employee_id; the row is the
            employee-employer relation, so ``fr_276fg_year`` is the form held by *this* employer).
        pay: pay rows of the run period **and** earlier months (history, e.g. from the run store);
            calendar-year counters sum every month of the period's year up to and including the
            period. An optional Boolean column ``withholding_applies`` on history rows says what
            was actually done that month (used for the regularisation list).
        period: ``YYYY-MM``.
        params: legal parameters; values are taken on the first day of ``period``.

    Returns:
        :class:`WithholdingResult`. Raises :class:`MissingParameterError` only when a row needs a
        parameter that has no value in force (e.g. a Luxembourg resident in 2014).

    References:
        rules-reference §5.1-§5.3 and §5.7; data-contract computation 4; convention FR-BE 1964
        art. 11 and avenant of 12 December 2008 art. 2 §5; convention BE-LU 1970 art. 15 and
        avenant of 31 August 2021.
    """
    period_start = month_start(period)
    year = period_start.year
    year_start, year_end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    days_in_year = (year_end - year_start).days + 1
    fr_param = {
        name: _lookup(params, name, period_start) for name in (P_FR_REGIME_END, P_FR_EXIT_LIMIT, P_FR_SEASONAL_RATE)
    }
    lu_tol = _lookup(params, P_LU_TOLERANCE, period_start)
    if lu_tol is not None and lu_tol != lu_tol.to_integral_value():
        raise ParameterFileError(
            f"parameter {P_LU_TOLERANCE} must be a whole number of days on {period_start}, got {lu_tol}"
        )

    emp = (
        _normalise(employees, _EMPLOYEE_DEFAULTS)
        .lazy()
        .select(
            "employee_id",
            "employer_id",
            pl.col("residence_country").str.strip_chars().str.to_uppercase(),
            "fr_grandfathered",
            "fr_excluded_category",
            "fr_seasonal",
            "fr_second_chance_used",
            "fr_276fg_year",
            "contract_start",
            "contract_end",
            pl.col("source_file").alias("emp_source_file"),
            pl.col("source_line").alias("emp_source_line"),
            pl.lit(True).alias("_known"),
        )
    )
    pay_n = _normalise(pay, _PAY_DEFAULTS).lazy()
    hist_applies = (
        pl.col("withholding_applies").cast(pl.Boolean)
        if "withholding_applies" in pay.columns
        else pl.lit(None, pl.Boolean)
    )
    in_ytd = (pl.col("period").str.slice(0, 4) == f"{year:04d}") & (pl.col("period") <= period)
    ytd = pay_n.filter(in_ytd).select(
        "employee_id",
        "period",
        "zone_exit_days",
        "days_worked_be",
        "days_worked_residence",
        "days_worked_other",
        hist_applies.alias("_hist_applies"),
        (pl.col("days_worked_be").fill_null(0) + pl.col("days_worked_residence") + pl.col("days_worked_other")).alias(
            "_worked"
        ),
    )

    # --- calendar-year counters (every month of the year up to and including the period) ------
    # Without an earlier month of the year in ``pay``, each employee's year so far is the
    # period's own row (employee_id is unique within a period): the counters are that row's
    # values, with no grouping and no join.
    has_history = pay.select((in_ytd & (pl.col("period") != period)).any()).item()
    counters = ytd.group_by("employee_id").agg(
        pl.col("zone_exit_days").sum().cast(pl.Int32).alias("fr_exit_days_ytd"),
        (pl.col("days_worked_residence") + pl.col("days_worked_other"))
        .sum()
        .cast(pl.Int32)
        .alias("days_outside_be_ytd"),
        pl.col("days_worked_be").fill_null(0).sum().cast(pl.Int32).alias("days_be_ytd"),
        pl.col("_worked").sum().cast(pl.Int32).alias("days_worked_ytd"),
        pl.col("period")
        .str.slice(5, 2)
        .cast(pl.Int8)
        .replace_strict(_MONTH_BIT, return_dtype=pl.Int32)
        .bitwise_or()
        .alias("_month_mask"),
    )
    res = pl.col("residence_country")
    is_fr, is_lu = res == "FR", res == "LU"
    employed_from = pl.max_horizontal(pl.col("contract_start"), pl.lit(year_start))
    employed_to = pl.min_horizontal(pl.col("contract_end").fill_null(pl.lit(year_end)), pl.lit(year_end))
    days_employed = ((employed_to - employed_from).dt.total_days() + 1).clip(lower_bound=0).cast(pl.Int32)
    current = pay_n.filter(pl.col("period") == period).select(
        "employee_id",
        "period",
        "days_worked_be",
        "days_worked_residence",
        "days_worked_other",
        "source_file",
        "source_line",
        *([] if has_history else _own_counters(period)),
    )
    frame = current.join(emp, on="employee_id", how="left", maintain_order="left")
    if has_history:
        frame = frame.join(counters, on="employee_id", how="left", maintain_order="left")
    frame = frame.with_columns(pl.when(is_fr).then(days_employed).alias("fr_days_employed_year")).collect().lazy()

    # --- French regime: month-by-month excess of the limit (sticky within the year) -----------
    fr_first_excess, fr_regularise = _fr_excess(
        ytd,
        frame.filter(is_fr).select("employee_id", "fr_seasonal", "fr_276fg_year", "fr_days_employed_year"),
        fr_param[P_FR_EXIT_LIMIT],
        fr_param[P_FR_SEASONAL_RATE],
        days_in_year,
        period,
        year,
    )
    fr_first_excess, fr_regularise = pl.collect_all([fr_first_excess, fr_regularise])
    frame = frame.join(fr_first_excess.lazy(), on="employee_id", how="left", maintain_order="left").join(
        fr_regularise.lazy(), on="employee_id", how="left", maintain_order="left"
    )

    # --- the table, top-down; MISSING:<column> where an input the row needs is null ----------
    regime_end = fr_param[P_FR_REGIME_END]
    exceeded = pl.col("fr_first_excess_period").is_not_null()
    ended = pl.lit(regime_end is not None and period_start >= regime_end)
    # Reasons are carried as small integer codes (the table row, or a MISSING:<column> code) and
    # turned into text once: a chain of string literals builds a text column per branch.
    code = _code
    step = (
        pl.when(res.is_null())
        .then(code(_MISSING + "residence_country"))
        .when(res == "BE")
        .then(code(BE_RESIDENT))
        .when(is_fr & ended)
        .then(code(FR_REGIME_ENDED_2034))
        .when(is_fr & pl.col("fr_grandfathered").is_null())
        .then(code(_MISSING + "fr_grandfathered"))
        .when(is_fr & ~pl.col("fr_grandfathered"))
        .then(code(FR_NOT_GRANDFATHERED))
        .when(is_fr & (pl.col("fr_excluded_category") != "none"))
        .then(code(FR_EXCLUDED_CATEGORY))
        .when(is_fr & ~pl.col("fr_seasonal") & pl.col("contract_start").is_null())
        .then(code(_MISSING + "contract_start"))
        .when(is_fr & pl.col("fr_seasonal") & pl.col("days_worked_be").is_null())
        .then(code(_MISSING + "days_worked_be"))
        .when(is_fr & exceeded & pl.col("fr_second_chance_used"))
        .then(code(FR_EXIT_LIMIT_DEFINITIVE))
        .when(is_fr & exceeded)
        .then(code(FR_EXIT_LIMIT_YEAR_LOST))
        .when(is_fr & pl.col("fr_276fg_year").is_null())
        .then(code(_MISSING + "fr_276fg_year"))
        .when(is_fr & (pl.col("fr_276fg_year") != year))
        .then(code(FR_276FG_MISSING))
        .when(is_fr)
        .then(code(FR_FRONTIER_EXEMPT))
        .when(is_lu & (pl.col("days_outside_be_ytd") <= pl.lit(int(lu_tol or 0))))
        .then(code(LU_WITHIN_TOLERANCE))
        .when(is_lu)
        .then(code(LU_OVER_TOLERANCE_PRORATA))
        .when(res == "NL")
        .then(code(NL_WORK_STATE_PRORATA))
        .when(res == "DE")
        .then(code(DE_WORK_STATE_PRORATA))
        .otherwise(code(OTHER_TREATY_REVIEW))
    )
    needs_days = pl.col("_reached_code").is_in(_codes(SHARE_DAYS)) & pl.col("days_worked_be").is_null()
    frame = (
        frame.with_columns(step.alias("_reached_code"))
        .with_columns(
            pl.when(needs_days)
            .then(code(_MISSING + "days_worked_be"))
            .otherwise(pl.col("_reached_code"))
            .alias("_final_code")
        )
        .with_columns(
            **_line_columns(
                period, year, days_in_year, regime_end, fr_param[P_FR_EXIT_LIMIT], fr_param[P_FR_SEASONAL_RATE], lu_tol
            )
        )
        .collect()
    )

    # --- a parameter is only required when a row needs it (e.g. no LU resident in 2014) -------
    if frame.filter(pl.col("_known") & is_fr).height:
        for name, value in fr_param.items():
            if value is None:
                raise MissingParameterError(name, period_start)
    if lu_tol is None and frame.filter(pl.col("_known") & is_lu).height:
        raise MissingParameterError(P_LU_TOLERANCE, period_start)

    unknown = frame.filter(pl.col("_known").is_null())
    known = frame if unknown.height == 0 else frame.filter(pl.col("_known").is_not_null())
    is_missing = pl.col("_final_code") > _MISSING_BASE
    missing = known.filter(is_missing).with_columns(
        _text(pl.col("_reached_code")).alias("_reached"), _text(pl.col("_final_code")).alias("_final")
    )
    reject_frames = [
        rejects.from_rows(
            unknown,
            "employee_id",
            "withholding_employee_unknown",
            f"no employee row for this pay row of period {period}: the withholding decision (rules-reference §5.7) "
            "needs the residence and the French-regime inputs",
        ),
        *_rejects(missing, period),
    ]
    decided = known if unknown.height == 0 and missing.height == 0 else known.filter(~is_missing)
    lines = decided.select([pl.col(c).cast(t) for c, t in LINE_SCHEMA.items()])
    if not _sorted_by_employee(lines, period):
        lines = lines.sort("employee_id", "period")
    return WithholdingResult(lines=lines, rejects=rejects.combine(*reject_frames))


_MISSING_BASE = 100
"""Reason codes: the table row (1-13) for a decision, above this base for a MISSING:<column> outcome."""
_CODE_OF = {
    **ROW_OF,
    **{
        _MISSING + column: _MISSING_BASE + i
        for i, column in enumerate(
            ("residence_country", "fr_grandfathered", "contract_start", "days_worked_be", "fr_276fg_year"), start=1
        )
    },
}
_TEXT_OF = {value: key for key, value in _CODE_OF.items()}


def _code(reason: str) -> pl.Expr:
    return pl.lit(_CODE_OF[reason], pl.Int16)


def _codes(reasons: set[str]) -> list[int]:
    return sorted(_CODE_OF[r] for r in reasons)


def _text(code: pl.Expr) -> pl.Expr:
    """Reason code -> reason text (the code of rules-reference §5.7, or MISSING:<column>)."""
    return code.replace_strict(_TEXT_OF, default=None, return_dtype=pl.String)


def _own_counters(period: str) -> list[pl.Expr]:
    """Calendar-year counters when the period's row is the only row of the year (same values as the grouped sums)."""
    return [
        pl.col("zone_exit_days").cast(pl.Int32).alias("fr_exit_days_ytd"),
        (pl.col("days_worked_residence") + pl.col("days_worked_other")).cast(pl.Int32).alias("days_outside_be_ytd"),
        pl.col("days_worked_be").fill_null(0).cast(pl.Int32).alias("days_be_ytd"),
        (pl.col("days_worked_be").fill_null(0) + pl.col("days_worked_residence") + pl.col("days_worked_other"))
        .cast(pl.Int32)
        .alias("days_worked_ytd"),
        pl.lit(_MONTH_BIT[int(period[5:7])], pl.Int32).alias("_month_mask"),
    ]


def _sorted_by_employee(frame: pl.DataFrame, period: str) -> bool:
    """True when rows of the one ``period`` are already in employee_id order (then sorting changes nothing)."""
    return frame.get_column("employee_id").is_sorted() and (
        frame.height == 0 or frame.select((pl.col("period") == period).all()).item()
    )


def _lookup(params: Parameters, name: str, on: dt.date) -> Any:
    """Value in force, or None (raised later only if a row needs it)."""
    try:
        return params.value(name, on)
    except MissingParameterError:
        return None


def _running_sum(column: str) -> pl.Expr:
    """Running sum per employee on a frame sorted by employee_id then period.

    Global cumulative sum minus the global sum before the employee's first row (no hashing of
    the key, unlike ``cum_sum().over(...)``, which matters at a million rows).
    """
    value = pl.col(column).cast(pl.Int64)
    total = value.cum_sum()
    first = (pl.col("employee_id") != pl.col("employee_id").shift(1)).fill_null(True)
    return total - pl.when(first).then(total - value).forward_fill()


def _fr_excess(
    ytd: pl.LazyFrame,
    fr_info: pl.LazyFrame,
    base: Decimal | None,
    rate: Decimal | None,
    days_in_year: int,
    period: str,
    year: int,
) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """First month of the year whose running exit-day count exceeds the limit, and the months to regularise.

    Limit (rules-reference §5.2 points 4 and 9): ``base × days employed in the year / days in the
    year`` (not rounded), or for seasonal workers ``rate × days worked in the year so far``. The
    comparison is made exactly by cross-multiplication: ``exits × days_in_year > base × days
    employed``. Once exceeded in a month, the year stays exceeded (the count never decreases for
    the 30-day limit; for the seasonal 15 % it is a choice, see docs/withholding.md).
    """
    first_schema = {"employee_id": pl.String, "fr_first_excess_period": pl.String}
    reg_schema = {"employee_id": pl.String, "regularisation_periods": pl.String}
    if base is None or rate is None:  # no French parameter in force: raised later if a row needs it
        return pl.LazyFrame(schema=first_schema), pl.LazyFrame(schema=reg_schema)
    months = (
        ytd.join(fr_info, on="employee_id", how="inner")
        .sort("employee_id", "period")
        .with_columns(_running_sum("zone_exit_days").alias("_cum_exit"), _running_sum("_worked").alias("_cum_worked"))
        .with_columns(
            pl.when(pl.col("fr_seasonal"))
            .then(pl.col("_cum_exit").cast(WIDE) > pl.lit(rate, WIDE) * pl.col("_cum_worked").cast(WIDE))
            .otherwise(
                pl.col("_cum_exit").cast(WIDE) * pl.lit(days_in_year).cast(WIDE)
                > pl.lit(base, WIDE) * pl.col("fr_days_employed_year").cast(WIDE)
            )
            .alias("_exceeded")
        )
    )
    first = (
        months.filter(pl.col("_exceeded"))
        .group_by("employee_id")
        .agg(pl.col("period").min().alias("fr_first_excess_period"))
    )
    # Earlier months to regularise when the limit is first exceeded in the run period: those in
    # which PP was not withheld. What was done is read from the history row when present
    # (withholding_applies), else recomputed: before the first excess the same employee reached
    # row 7 or 8, so PP applied only if the 276 FG was not valid (null: unknown -> listed).
    recomputed = pl.col("fr_276fg_year") != year
    applied = pl.coalesce(pl.col("_hist_applies"), recomputed)
    regularise = (
        months.join(first.filter(pl.col("fr_first_excess_period") == period), on="employee_id", how="semi")
        .filter(pl.col("period") < period, ~applied.fill_null(False))
        .group_by("employee_id")
        .agg(pl.col("period").sort().str.join(",").alias("regularisation_periods"))
    )
    return first.cast(first_schema), regularise.cast(reg_schema)


def _rejects(missing: pl.DataFrame, period: str) -> list[pl.DataFrame]:
    """Reject rows for decisions that need an input that is null (rules-reference §5.7)."""
    out = []
    reached = pl.col("_reached")
    row_text = (
        pl.when(reached.str.starts_with(_MISSING))
        .then(pl.lit("the French-regime rows"))
        .otherwise(
            pl.concat_str(
                pl.lit("row "),
                reached.replace_strict(ROW_OF, default=None, return_dtype=pl.Int8).cast(pl.String),
                pl.lit(" ("),
                reached,
                pl.lit(")"),
            )
        )
    )
    employee_side = missing.with_columns(
        pl.col("emp_source_file").alias("source_file"), pl.col("emp_source_line").alias("source_line")
    )
    what = pl.col("_final")
    out.append(
        rejects.from_rows(
            employee_side.filter(what == _MISSING + "residence_country"),
            "residence_country",
            "withholding_input_missing",
            f"residence_country is empty: the withholding decision for period {period} starts from the country of "
            "residence (rules-reference §5.7 rows 1, 2, 9, 11-13)",
        )
    )
    out.append(
        rejects.from_rows(
            employee_side.filter(what == _MISSING + "fr_grandfathered"),
            "fr_grandfathered",
            "withholding_input_missing",
            f"fr_grandfathered is empty for a resident of France: the withholding decision for period {period} "
            "needs it at row 3 of the table (rules-reference §5.7): say whether conditions 1-3 of the French "
            "frontier regime hold (§5.2; avenant FR-BE 2008 art. 2 §5)",
        )
    )
    out.append(
        rejects.from_rows(
            employee_side.filter(what == _MISSING + "fr_276fg_year"),
            "fr_276fg_year",
            "withholding_input_missing",
            pl.concat_str(
                pl.lit(
                    f"fr_276fg_year is empty for a grandfathered resident of France: period {period} reaches "
                    "row 7 of the table (rules-reference §5.7), which needs the calendar year of the attested "
                    "form 276 Front./Grens. held by employer "
                ),
                pl.col("employer_id").fill_null("?"),
                pl.lit(
                    "; give the year of the latest attested form received (an earlier year if none: PP is then "
                    "withheld, FR_276FG_MISSING)"
                ),
            ),
        )
    )
    out.append(
        rejects.from_rows(
            employee_side.filter(what == _MISSING + "contract_start"),
            "contract_start",
            "withholding_input_missing",
            f"contract_start is empty for a grandfathered resident of France: the 30-day limit of period {period} "
            "is prorated by the calendar days employed in the year (rules-reference §5.2 point 4, §5.7 rows 5-6)",
        )
    )
    pay_side = missing.filter(what == _MISSING + "days_worked_be")
    out.append(
        rejects.from_rows(
            pay_side,
            "days_worked_be",
            "withholding_input_missing",
            pl.when(reached == _MISSING + "days_worked_be")
            .then(
                pl.lit(
                    f"days_worked_be is empty for a seasonal frontier worker resident in France: the 15 % exit limit "
                    f"of period {period} is a share of the days worked in the year (rules-reference §5.2 point 9, "
                    "§5.7 rows 5-6)"
                )
            )
            .otherwise(
                pl.concat_str(
                    pl.lit("days_worked_be is empty for a resident of "),
                    pl.col("residence_country"),
                    pl.lit(f": period {period} reaches "),
                    row_text,
                    pl.lit(
                        " of the table (rules-reference §5.7), whose taxable share is days_worked_be / "
                        "(days_worked_be + days_worked_residence + days_worked_other)"
                    ),
                )
            ),
        )
    )
    return out


def _line_columns(
    period: str,
    year: int,
    days_in_year: int,
    regime_end: dt.date | None,
    fr_base: Decimal | None,
    fr_rate: Decimal | None,
    lu_tol: int | None,
) -> dict[str, pl.Expr]:
    """Output columns of a decided row (taxable share, regularisation, FR/LU counters)."""
    reason = pl.col("_final_code")
    is_fr = pl.col("residence_country") == "FR"
    is_lu = pl.col("residence_country") == "LU"
    be = pl.col("days_worked_be")
    total = be + pl.col("days_worked_residence") + pl.col("days_worked_other")
    month_share = round_to(be.cast(WIDE) / total.cast(WIDE), 4, SHARE)
    ytd_share = round_to(pl.col("days_be_ytd").cast(WIDE) / pl.col("days_worked_ytd").cast(WIDE), 4, SHARE)
    by_days = reason.is_in(_codes(SHARE_DAYS))
    share = (
        pl.when(reason.is_in(_codes(SHARE_ONE)))
        .then(pl.lit(Decimal(1), SHARE))
        .when(reason.is_in(_codes(SHARE_ZERO)))
        .then(pl.lit(Decimal(0), SHARE))
        .when(total > 0)
        .then(month_share)
        .when(pl.col("days_worked_ytd") > 0)
        .then(ytd_share)
        .otherwise(pl.lit(Decimal(1), SHARE))
    )
    basis = (
        pl.when(reason == _code(BE_RESIDENT))
        .then(pl.lit("resident"))
        .when(reason == _code(LU_WITHIN_TOLERANCE))
        .then(pl.lit("lu_tolerance"))
        .when(reason == _code(FR_FRONTIER_EXEMPT))
        .then(pl.lit("fr_frontier_exempt"))
        .when(by_days & (total > 0))
        .then(pl.lit("days_month"))
        .when(by_days & (pl.col("days_worked_ytd") > 0))
        .then(pl.lit("days_year_to_date"))
        .otherwise(pl.lit("no_working_day_in_year"))
    )
    fr = lambda expr: pl.when(is_fr).then(expr)  # noqa: E731  FR-only column, null elsewhere
    if fr_base is not None:
        # Inputs are null outside the branch's French rows, so neither branch computes (or
        # formats) a value for the other rows; the French rows get exactly the same values.
        seasonal_days = pl.when(is_fr & pl.col("fr_seasonal")).then(pl.col("days_worked_ytd"))
        employed_days = pl.when(is_fr & ~pl.col("fr_seasonal")).then(pl.col("fr_days_employed_year"))
        limit = (
            pl.when(pl.col("fr_seasonal"))
            .then(pl.lit(fr_rate, WIDE) * seasonal_days.cast(WIDE))
            .otherwise(pl.lit(fr_base, WIDE) * employed_days.cast(WIDE) / pl.lit(days_in_year).cast(WIDE))
        )
        formula = (
            pl.when(pl.col("fr_seasonal"))
            .then(
                pl.concat_str(
                    pl.lit(f"{(fr_rate * 100).normalize():f} % x "),
                    seasonal_days.cast(pl.String),
                    pl.lit(" days worked in the year so far"),
                )
            )
            .otherwise(
                pl.concat_str(
                    pl.lit(f"{fr_base.normalize():f} x "),
                    employed_days.cast(pl.String),
                    pl.lit(f" / {days_in_year} calendar days employed in the year"),
                )
            )
        )
    else:
        limit, formula = pl.lit(None, WIDE), pl.lit(None, pl.String)
    regularise = (
        (reason == _code(FR_EXIT_LIMIT_YEAR_LOST))
        & (pl.col("fr_first_excess_period") == period)
        & (pl.col("regularisation_periods").fill_null("") != "")
    )
    return {
        "withholding_applies": reason != _code(FR_FRONTIER_EXEMPT),
        "withholding_reason": _text(reason),
        "table_row": pl.when(reason <= _MISSING_BASE).then(reason).cast(pl.Int8),
        "taxable_share_be": share,
        "taxable_share_basis": basis,
        "regularisation_required": regularise,
        "regularisation_periods": pl.when(regularise).then(pl.col("regularisation_periods")).otherwise(pl.lit("")),
        "fr_276fg_valid": fr(pl.col("fr_276fg_year") == year),
        "fr_regime_end": fr(pl.lit(regime_end, pl.Date)),
        "fr_exit_days_ytd": fr(pl.col("fr_exit_days_ytd")),
        "fr_exit_limit": fr(limit),
        "fr_exit_limit_formula": fr(formula),
        "days_in_year": fr(pl.lit(days_in_year)),
        "lu_tolerance": pl.when(is_lu).then(pl.lit(None if lu_tol is None else int(lu_tol), pl.Int32)),
        "ytd_periods": _months_text(pl.col("_month_mask"), year),
        "ytd_missing_periods": _missing_months(year, int(period[5:7])),
    }


def _months_text(mask: pl.Expr, year: int) -> pl.Expr:
    """Comma-separated ``YYYY-MM`` of the months whose bit is set in ``mask`` (bit 0 = January).

    A lookup in the 4,096 possible masks of the year (a hash lookup per row; building the text
    with twelve string expressions per row was ~40x slower at a million rows).
    """
    return mask.replace_strict(_month_texts(year), default=None, return_dtype=pl.String)


@functools.lru_cache(maxsize=8)
def _month_texts(year: int) -> dict[int, str]:
    """Mask -> comma-separated months, for the 4,096 masks of ``year`` (built once per year)."""
    return {
        m: ",".join(f"{year:04d}-{month:02d}" for month, bit in _MONTH_BIT.items() if m & bit) for m in range(1 << 12)
    }


def _missing_months(year: int, month: int) -> pl.Expr:
    """Months of employment in the year before the run month with no pay row (FR and LU rows only).

    Employment months run from the month of ``max(contract_start, 1 January)`` to the month
    before the run month, capped at the month of ``contract_end``. Their days are absent from the
    calendar-year counters; the line shows them so a payroll officer can load the missing history
    (docs/withholding.md).
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
    return _months_text(pl.when(pl.col("residence_country").is_in(["FR", "LU"])).then(missing), year)


# ------------------------------------------------------------------------------------------------
def _num(value: Decimal | None) -> str:
    """A Decimal without trailing zeros and without exponent (30.000000000000 -> 30)."""
    return "?" if value is None else f"{value.normalize():f}"


def _yes(value: bool | None) -> str:
    return "?" if value is None else ("yes" if value else "no")


def _condition_lines(line: dict[str, Any]) -> list[tuple[int, bool, str]]:
    """(row, condition holds, evidence) for every row of the table, in order."""
    res = line.get("residence_country")
    fr, lu = res == "FR", res == "LU"
    period = line["period"]
    exits, limit = line.get("fr_exit_days_ytd"), line.get("fr_exit_limit")
    exceeded = line.get("fr_first_excess_period") is not None
    limit_text = (
        f"fr_exit_days_ytd {exits} vs limit {line.get('fr_exit_limit_formula')} = "
        f"{_num(limit)}"
        f" (strictly above exceeds; first exceeded: {line.get('fr_first_excess_period') or 'never this year'})"
    )
    outside, tol = line.get("days_outside_be_ytd"), line.get("lu_tolerance")
    year = period[:4]
    return [
        (1, res == "BE", f"residence_country = {res}"),
        (
            2,
            fr and str(line.get("fr_regime_end")) <= f"{period}-01",
            f"period starts {period}-01, regime ends {line.get('fr_regime_end')}",
        ),
        (3, fr and line.get("fr_grandfathered") is False, f"fr_grandfathered = {_yes(line.get('fr_grandfathered'))}"),
        (
            4,
            fr and line.get("fr_excluded_category") not in (None, "none"),
            f"fr_excluded_category = {line.get('fr_excluded_category')}",
        ),
        (
            5,
            fr and exceeded and bool(line.get("fr_second_chance_used")),
            f"{limit_text}; fr_second_chance_used = {_yes(line.get('fr_second_chance_used'))}",
        ),
        (6, fr and exceeded and not line.get("fr_second_chance_used"), limit_text),
        (
            7,
            fr and line.get("fr_276fg_valid") is False,
            f"fr_276fg_year = {line.get('fr_276fg_year')}, period year {year}",
        ),
        (8, fr, "all French-regime conditions met"),
        (
            9,
            lu and outside is not None and tol is not None and outside <= tol,
            f"days_outside_be_ytd {outside} <= tolerance {tol}",
        ),
        (10, lu, f"days_outside_be_ytd {outside} > tolerance {tol}"),
        (11, res == "NL", f"residence_country = {res}"),
        (12, res == "DE", f"residence_country = {res}"),
        (13, True, f"residence_country = {res}"),
    ]


def explain(line: dict[str, Any], params: Parameters | None = None) -> str:
    """The path through the decision table for one line of :attr:`WithholdingResult.lines`.

    ``line`` is one row as a dict (``lines.row(i, named=True)``); it carries every input and
    counter used, so no other frame is needed. With ``params`` the legal parameters in force are
    cited with their sources. Used by ``payroll explain EMPLOYEE --period P``.
    """
    res = line.get("residence_country")
    out = [
        f"Withholding tax (PP/BV) decision for employee {line['employee_id']}, period {line['period']}",
        "Decision table of rules-reference §5.7, rows evaluated top-down; the first row whose condition holds decides.",
        f"Inputs: residence {res}; days worked this month: Belgium {line.get('days_worked_be')}, residence State "
        f"{line.get('days_worked_residence')}, other States {line.get('days_worked_other')}; year to date "
        f"({line.get('ytd_periods')}): Belgium {line.get('days_be_ytd')} of {line.get('days_worked_ytd')} days worked, "
        f"{line.get('days_outside_be_ytd')} days outside Belgium",
    ]
    if line.get("ytd_missing_periods"):
        out.append(
            f"Warning: no pay row for the month(s) {line['ytd_missing_periods']} of employment this year: "
            "their days are missing from the year-to-date counters."
        )
    decided = line["table_row"]
    skipped_country = []
    for row, holds, evidence in _condition_lines(line):
        if row > decided:
            break
        label = next(text for r, _, text in TABLE if r == row)
        scope = "FR" if 2 <= row <= 8 else "LU" if row in (9, 10) else None
        if scope is not None and scope != res:
            skipped_country.append(row)
            continue
        if skipped_country:
            out.append(f"  rows {skipped_country[0]}-{skipped_country[-1]}: not applicable (residence {res})")
            skipped_country = []
        verdict = "YES -> decides" if row == decided else ("no" if not holds else "holds but an earlier row decided")
        out.append(f"  row {row:>2} {label}: {verdict} [{evidence}]")
    if skipped_country:
        out.append(f"  rows {skipped_country[0]}-{skipped_country[-1]}: not applicable (residence {res})")
    share = line["taxable_share_be"]
    basis = line.get("taxable_share_basis")
    if basis == "days_month":
        share_text = (
            f"{line['days_worked_be']} / ({line['days_worked_be']} + {line['days_worked_residence']} + "
            f"{line['days_worked_other']}) = {share} (rounded half-up to 4 decimals)"
        )
    elif basis == "days_year_to_date":
        share_text = (
            f"no working day this month, so the year-to-date days: {line['days_be_ytd']} / "
            f"{line['days_worked_ytd']} = {share}"
        )
    elif basis == "no_working_day_in_year":
        share_text = (
            f"{share} (no working day in the year so far: all pay attributed to Belgium, the State of employment)"
        )
    else:
        share_text = f"{share} ({basis})"
    out.append(
        f"Result: {line['withholding_reason']} (row {decided}); Belgian withholding tax applies: "
        f"{_yes(line['withholding_applies'])}; taxable share in Belgium {share_text}"
    )
    if line.get("withholding_reason") == FR_EXIT_LIMIT_YEAR_LOST:
        out.append(
            "The frontier regime is lost for the whole calendar year (one-time second chance; it comes back "
            "next year); record fr_second_chance_used = true for the following years."
        )
    if line.get("regularisation_required"):
        out.append(
            f"Regularisation required: PP was not withheld in {line['regularisation_periods']}; "
            "regularise these months of the year (rules-reference §5.7 row 6)."
        )
    if line.get("withholding_reason") == FR_EXIT_LIMIT_DEFINITIVE:
        out.append("Second excess: the frontier regime is lost for good; record fr_grandfathered = false.")
    if params is not None:
        on = dt.date(int(line["period"][:4]), int(line["period"][5:7]), 1)
        names = {"FR": (P_FR_REGIME_END, P_FR_EXIT_LIMIT, P_FR_SEASONAL_RATE), "LU": (P_LU_TOLERANCE,)}.get(res, ())
        for name in names:
            entry = params.entry(name, on)
            out.append(f"Parameter {name} = {entry.value} (in force from {entry.effective_from}): {entry.source}")
    return "\n".join(out)


def explain_employee(result: WithholdingResult, employee_id: str, params: Parameters | None = None) -> str:
    """:func:`explain` for one employee of a result, or the reasons why no decision was made."""
    found = result.lines.filter(pl.col("employee_id") == employee_id)
    if found.height:
        return "\n\n".join(explain(row, params) for row in found.iter_rows(named=True))
    why = result.rejects.filter(pl.col("employee_id") == employee_id)
    if why.height == 0:
        return f"No pay row for employee {employee_id} in this period: no withholding decision."
    lines = [f"No withholding decision for employee {employee_id}: input rejected"]
    for r in why.iter_rows(named=True):
        lines.append(f"  {r['source_file']}:{r['source_line']} column {r['column']} ({r['check']}): {r['message']}")
    return "\n".join(lines)
