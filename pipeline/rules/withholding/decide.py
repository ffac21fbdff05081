"""The withholding decision for a batch: parameters in force -> calendar-year counters -> French
exit limit -> the table (:mod:`pipeline.rules.withholding.table`) -> decided lines and rejects.

A parameter is looked up on the first day of the period and is required only where a row reaches
the table row that reads it: a batch without French residents runs without the French-regime
parameters, one without Luxembourg residents without the Luxembourg tolerance. An input a reached
row needs and that is empty is a reject, never a default; the pay row then gets no line.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl

from pipeline.core import keys, rejects
from pipeline.core.money import SHARE, WIDE, round_to
from pipeline.core.params import Parameters
from pipeline.core.periods import Month
from pipeline.errors import MissingParameterError, ParameterFileError
from pipeline.rules.withholding import counters, table
from pipeline.rules.withholding.table import (
    FR_EXIT_LIMIT_YEAR_LOST,
    P_FR_EXIT_LIMIT,
    P_FR_REGIME_END,
    P_FR_SEASONAL_RATE,
    P_LU_TOLERANCE,
    ROW_OF,
    Context,
)
from schemas.inputs import typed_defaults
from schemas.outputs import OUTPUTS

LINE_SCHEMA: dict[str, pl.DataType] = OUTPUTS["withholding_decisions"].schema()
"""Columns of :attr:`WithholdingResult.lines`, in order (key: employee_id, period): the output table
``withholding_decisions`` as ``schemas.outputs`` declares it."""


def _contract_defaults(name: str, columns: dict[str, pl.DataType]) -> dict[str, tuple[pl.DataType, Any]]:
    """Column -> (dtype, the contract's default typed as the intake types it, or None: no default)."""
    defaults = typed_defaults(name)
    return {column: (dtype, defaults.get(column)) for column, dtype in columns.items()}


_EMPLOYEE_DEFAULTS = _contract_defaults(
    "employees",
    {
        "fr_excluded_category": pl.String,
        "fr_second_chance_used": pl.Boolean,
        "fr_seasonal": pl.Boolean,
        # no default: the table needs them where a row reaches them, and rejects a null there
        "residence_country": pl.String,
        "fr_grandfathered": pl.Boolean,
        "fr_276fg_year": pl.Int32,  # empty: this employer holds no attested form 276 FG
        "contract_start": pl.Date,
        "contract_end": pl.Date,
        "employer_id": pl.String,
        "source_file": pl.String,
        "source_line": pl.Int64,
    },
)
_PAY_DEFAULTS = _contract_defaults(
    "pay",
    {
        "days_worked_residence": pl.Int32,
        "days_worked_other": pl.Int32,
        "zone_exit_days": pl.Int32,
        "days_worked_be": pl.Int32,  # required for non-residents whose row needs a share
        "source_file": pl.String,
        "source_line": pl.Int64,
    },
)
PAY_COLUMNS = ("employee_id", "period", *_PAY_DEFAULTS, "withholding_applies")
"""The pay columns :func:`decide_withholding` reads (``withholding_applies`` where present): a job
may hand it the history of these columns alone."""


@dataclass(frozen=True)
class WithholdingResult:
    """Decisions for the run period and the rows that could not be decided.

    ``lines``: one row per pay row of the run period that could be decided (columns
    :data:`LINE_SCHEMA`, sorted by employee_id). ``rejects``: ``REJECT_SCHEMA`` rows for the pay
    rows that could not; each of those pay rows has a reject row of its own (source file and line
    of the pay row), so a job drops it with ``rejects.rejected_mask`` and it gets no line.
    """

    lines: pl.DataFrame
    rejects: pl.DataFrame


def _normalise(frame: pl.DataFrame, defaults: dict[str, tuple[pl.DataType, Any]]) -> pl.DataFrame:
    """Add absent optional columns and apply the contract defaults to nulls (cast to contract dtypes)."""
    exprs = []
    for name, (dtype, default) in defaults.items():
        col = pl.col(name).cast(dtype) if name in frame.columns else pl.lit(None, dtype)
        if default is not None:
            col = col.fill_null(pl.lit(default, dtype))
        exprs.append(col.alias(name))
    return frame.with_columns(exprs)


def _in_force(params: Parameters, on: dt.date) -> dict[str, Any]:
    """Every parameter the table reads -> its value on ``on``, or None (raised only if a row reaches it)."""
    values = {}
    for name in table.PARAMETERS:
        try:
            values[name] = params.value(name, on)
        except MissingParameterError:
            values[name] = None
    tolerance = values[P_LU_TOLERANCE]
    if tolerance is not None and tolerance != tolerance.to_integral_value():
        raise ParameterFileError(f"parameter {P_LU_TOLERANCE} must be a whole number of days on {on}, got {tolerance}")
    return values


def decide_withholding(
    employees: pl.DataFrame, pay: pl.DataFrame, period: str, params: Parameters
) -> WithholdingResult:
    """Evaluate the withholding decision table for every pay row of ``period``.

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
        :class:`WithholdingResult`. Raises :class:`MissingParameterError` only when a row reaches a
        table row whose parameter has no value in force (e.g. a Luxembourg resident in 2014).

    References: convention FR-BE of 10 March 1964 art. 11 and the avenant of 12 December 2008
    art. 2; convention BE-LU of 17 September 1970 art. 15 and the avenant signed 31 August 2021;
    art. 87 AR/CIR 92 (form 276 Front./Grens.); docs/withholding.md.
    """
    month = Month.parse(period)
    year = counters.Year(month.year)
    values = _in_force(params, month.start)
    ctx = Context(period, frozenset(name for name, value in values.items() if value is None))
    limit = counters.ExitLimit(values[P_FR_EXIT_LIMIT], values[P_FR_SEASONAL_RATE], year.days)
    frame = _inputs(employees, pay, period, year, limit, ctx)
    frame = _evaluate(frame, values, ctx, year, limit)
    return _split(frame, period, month.start)


def _evaluate(
    frame: pl.LazyFrame, values: dict[str, Any], ctx: Context, year: counters.Year, limit: counters.ExitLimit
) -> pl.DataFrame:
    """The table on every row (outcome code ``_code``) and the line columns."""
    regime_end, tolerance = values[P_FR_REGIME_END], values[P_LU_TOLERANCE]
    is_fr, is_lu = pl.col("residence_country") == "FR", pl.col("residence_country") == "LU"
    return (
        frame.with_columns(
            pl.when(is_fr).then(pl.lit(regime_end, pl.Date)).alias("fr_regime_end"),
            pl.when(is_lu).then(pl.lit(None if tolerance is None else int(tolerance), pl.Int32)).alias("lu_tolerance"),
        )
        .with_columns(table.reach(ctx).alias("_reached"))
        .with_columns(table.with_share_needs(pl.col("_reached"), ctx).alias("_code"))
        .with_columns(**_line_columns(ctx.period, year, limit))
        .collect()
    )


def _split(frame: pl.DataFrame, period: str, on: dt.date) -> WithholdingResult:
    """Decided lines and rejects; a parameter a row reached without a value stops the batch.

    The lines are filtered and selected in one plan: only their columns are copied, not every
    column of the evaluation (about 0.3 GB at a million rows for each filter of the whole frame)."""
    known = pl.col("_known").is_not_null()
    _stop_on_missing_parameter(frame, known, on)
    unknown = frame.filter(~known)
    undecided = table.need_id(pl.col("_code")) > 0
    missing = frame.filter(known & undecided)
    reject_frames = [
        rejects.from_rows(
            unknown,
            "employee_id",
            "withholding_employee_unknown",
            f"no employee row for this pay row of period {period}: the withholding decision needs the residence "
            "and the French-regime inputs",
        ),
        *_rejects(missing, period),
    ]
    decided = frame.lazy().filter(known & ~undecided) if missing.height or unknown.height else frame.lazy()
    lines = decided.select([pl.col(c).cast(t) for c, t in LINE_SCHEMA.items()]).collect()
    if not _sorted_by_employee(lines, period):
        lines = lines.sort("employee_id", "period")
    return WithholdingResult(lines=lines, rejects=rejects.combine(*reject_frames))


def _inputs(
    employees: pl.DataFrame,
    pay: pl.DataFrame,
    period: str,
    year: counters.Year,
    limit: counters.ExitLimit,
    ctx: Context,
) -> pl.LazyFrame:
    """The period's pay rows with their employee's inputs, the year-to-date counters and the first
    month of the year the French exit limit was exceeded (with the months to regularise)."""
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
    ytd = counters.year_to_date(pay_n, period, hist_applies)
    # Without an earlier month of the year in ``pay``, each employee's year so far is the
    # period's own row (employee_id is unique within a period): the counters are that row's
    # values, with no grouping and no join.
    in_year = pl.col("period").str.starts_with(period[:4]) & (pl.col("period") < period)
    has_history = pay.select(in_year.any()).item()
    current = pay_n.filter(pl.col("period") == period).select(
        "employee_id",
        "period",
        "days_worked_be",
        "days_worked_residence",
        "days_worked_other",
        "source_file",
        "source_line",
        *([] if has_history else counters.own_totals(period)),
    )
    now = current.collect()
    frame = now.hstack(keys.aligned(now.get_column("employee_id"), emp.collect()).get_columns()).lazy()
    if has_history:
        frame = frame.join(counters.totals(ytd), on="employee_id", how="left", maintain_order="left")
    is_fr = pl.col("residence_country") == "FR"
    frame = (
        frame.with_columns(pl.when(is_fr).then(counters.days_employed(year)).alias("fr_days_employed_year"))
        .collect()
        .lazy()
    )
    first, regularise = counters.first_excess(
        ytd,
        frame.filter(is_fr).select("employee_id", "fr_seasonal", "fr_276fg_year", "fr_days_employed_year"),
        limit,
        period,
        # PP was withheld in a month before the first excess where row 7 decided it
        table.CONDITIONS["no_276fg_for_year"](ctx),
    )
    # A few rows each (French residents over the limit): sorted, they are matched by binary search.
    first, regularise = pl.collect_all([first.sort("employee_id"), regularise.sort("employee_id")])
    rows = frame.collect()
    ids = rows.get_column("employee_id")
    return rows.hstack([*keys.aligned(ids, first).get_columns(), *keys.aligned(ids, regularise).get_columns()]).lazy()


def _line_columns(period: str, year: counters.Year, limit: counters.ExitLimit) -> dict[str, pl.Expr]:
    """Output columns of a decided row (taxable share, regularisation, FR/LU counters)."""
    code = pl.col("_code")
    row = table.row_number(code)
    is_fr = pl.col("residence_country") == "FR"
    be = pl.col("days_worked_be")
    total = be + pl.col("days_worked_residence") + pl.col("days_worked_other")
    month_share = round_to(be.cast(WIDE) / total.cast(WIDE), 4, SHARE)
    ytd_share = round_to(pl.col("days_be_ytd").cast(WIDE) / pl.col("days_worked_ytd").cast(WIDE), 4, SHARE)
    fixed = {r.number: r.share.basis for r in table.TABLE if r.share.kind != "days"}
    share = (
        pl.when(row.is_in(table.rows_where(lambda r: r.share.kind == "one")))
        .then(pl.lit(Decimal(1), SHARE))
        .when(row.is_in(table.rows_where(lambda r: r.share.kind == "zero")))
        .then(pl.lit(Decimal(0), SHARE))
        .when(total > 0)
        .then(month_share)
        .when(pl.col("days_worked_ytd") > 0)
        .then(ytd_share)
        .otherwise(pl.lit(Decimal(1), SHARE))
    )
    basis = (
        pl.when(row.is_in(list(fixed)))
        .then(row.replace_strict(fixed, default=None, return_dtype=pl.String))
        .when(total > 0)
        .then(pl.lit("days_month"))
        .when(pl.col("days_worked_ytd") > 0)
        .then(pl.lit("days_year_to_date"))
        .otherwise(pl.lit("no_working_day_in_year"))
    )
    fr = lambda expr: pl.when(is_fr).then(expr)  # noqa: E731  FR-only column, null elsewhere
    # Inputs are null outside the branch's French rows, so neither branch computes (or formats) a
    # value for the other rows; the French rows get exactly the same values.
    seasonal_days = pl.when(is_fr & pl.col("fr_seasonal")).then(pl.col("days_worked_ytd"))
    employed_days = pl.when(is_fr & ~pl.col("fr_seasonal")).then(pl.col("fr_days_employed_year"))
    regularise = (
        (code == ROW_OF[FR_EXIT_LIMIT_YEAR_LOST])
        & (pl.col("fr_first_excess_period") == period)
        & (pl.col("regularisation_periods").fill_null("") != "")
    )
    return {
        "withholding_applies": row.is_in(table.rows_where(lambda r: r.applies)),
        "withholding_reason": table.reason(code),
        "table_row": pl.when(table.need_id(code) == 0).then(row).cast(pl.Int8),
        "taxable_share_be": share,
        "taxable_share_basis": basis,
        "regularisation_required": regularise,
        "regularisation_periods": pl.when(regularise).then(pl.col("regularisation_periods")).otherwise(pl.lit("")),
        "fr_276fg_valid": fr(pl.col("fr_276fg_year") == year.year),
        "fr_exit_days_ytd": fr(pl.col("fr_exit_days_ytd")),
        "fr_exit_limit": fr(limit.value(seasonal_days, employed_days)),
        "fr_exit_limit_formula": fr(limit.formula(seasonal_days, employed_days)),
        "days_in_year": fr(pl.lit(year.days)),
        "ytd_periods": counters.months_text(pl.col("_month_mask"), year.year),
        "ytd_missing_periods": counters.missing_months(year.year, int(period[5:7])),
    }


def _stop_on_missing_parameter(frame: pl.DataFrame, known: pl.Expr, on: dt.date) -> None:
    """MissingParameterError for the first parameter a ``known`` row of ``frame`` reached without a value."""
    ids = [table.NEED_ID[n] for n in table.NEEDS if n.side == "parameter"]
    code = pl.col("_code")
    reached = frame.select(code.filter(known & table.need_id(code).is_in(ids))).to_series()
    if reached.len():
        first = table.NEEDS[int((reached // table.STRIDE).min()) - 1]
        raise MissingParameterError(first.name, on)


def _rejects(missing: pl.DataFrame, period: str) -> list[pl.DataFrame]:
    """Reject rows for the pay rows that reached a table row whose input is empty.

    The reject points at the row a person must fix (the employee row or the pay row). An employee
    row's reject comes with one on the pay row (check ``withholding_employee_rejected``), so the pay
    row is dropped by its source file and line like every other rejected pay row.
    """
    if missing.height == 0:
        return []
    out = []
    need = table.need_id(pl.col("_code"))
    reached = pl.concat_str(
        pl.lit("row "), table.row_number(pl.col("_code")).cast(pl.String), pl.lit(" ("), table.reason(pl.col("_code"))
    )
    for n in table.NEEDS:
        if n.side == "parameter":
            continue
        rows = missing.filter(need == table.NEED_ID[n])
        if rows.height == 0:
            continue
        message = pl.concat_str(
            pl.lit(f"{n.name} is empty: the withholding decision for period {period} reaches "),
            reached,
            pl.lit(f") of the decision table, which needs it: {n.why}"),
        )
        if n.side == "pay":
            out.append(rejects.from_rows(rows, n.name, "withholding_input_missing", message))
            continue
        employee_rows = rows.with_columns(
            pl.col("emp_source_file").alias("source_file"), pl.col("emp_source_line").alias("source_line")
        )
        out.append(rejects.from_rows(employee_rows, n.name, "withholding_input_missing", message))
        out.append(
            rejects.from_rows(
                rows,
                "employee_id",
                "withholding_employee_rejected",
                pl.concat_str(
                    pl.lit(f"no withholding decision for period {period}: {n.name} is empty on employee row "),
                    pl.col("emp_source_file").fill_null("?"),
                    pl.lit(":"),
                    pl.col("emp_source_line").cast(pl.String).fill_null("?"),
                ),
                pl.col("employee_id"),
            )
        )
    return out


def _sorted_by_employee(frame: pl.DataFrame, period: str) -> bool:
    """True when rows of the one ``period`` are already in employee_id order (then sorting changes nothing)."""
    return frame.get_column("employee_id").is_sorted() and (
        frame.height == 0 or frame.select((pl.col("period") == period).all()).item()
    )
