"""The quarter's aggregate for the DmfA: employee months, occupations, services, worker lines,
contributions and their reconciliation with the monthly runs (pure functions, no I/O).

:func:`aggregate_quarter` chains the steps:

1. :func:`employee_months`: the payroll lines of the quarter's months under Belgian ONSS, with
   the month's employee snapshot;
2. :func:`~pipeline.declarations.dmfa.occupations.occupations` and
   :func:`~pipeline.declarations.dmfa.occupations.services`;
3. :func:`worker_lines`: one per (employer, NISS, worker code 015/495), with remuneration code 1
   (annex "Codes rémunération": gross pay plus the guaranteed pay with ONSS, the exempt
   guaranteed pay of service codes 10 / 11 is not declared), the Border flag and the employer data;
4. the contributions of each worker line on the quarterly basis and their reconciliation with the
   monthly contribution lines (:mod:`pipeline.declarations.dmfa.contributions`);
5. the deductions: the work bonus of each worker line (the monthly lines' sum) and the
   structural reduction of each occupation, computed on the quarter
   (:mod:`pipeline.declarations.dmfa.deductions`).

Legal figures are dated parameters taken on the quarter's first day: ``onss/*`` (rates, 108 %
factor, cap) and ``dmfa/reference_weekly_hours`` (S). National numbers never reach an exception
message.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from pipeline.core.money import MONEY, WIDE
from pipeline.core.params import Parameters
from pipeline.core.periods import month_start_expr, quarter_bounds, quarter_periods
from pipeline.declarations.dmfa.contributions import (
    employer_capped_contributions,
    keyed_lines,
    monthly_contributions,
    quarterly_contributions,
    reconciliation,
)
from pipeline.declarations.dmfa.deductions import structural_reductions, worker_deductions
from pipeline.declarations.dmfa.occupations import occupations, services
from pipeline.declarations.dmfa.quarter import WORKER_LINE_KEY, DmfaOptions, QuarterInput, schedule_columns
from pipeline.declarations.dmfa.xml import border_flag
from pipeline.errors import RunStoreError
from pipeline.rules.withholding import FR_FRONTIER_EXEMPT
from schemas.inputs import typed_defaults

_EMPLOYER_DATA = {"enterprise_number": pl.String, "name": pl.String, "local_unit_id": pl.String}


def employee_months(lines: pl.DataFrame, employees: pl.DataFrame, quarter: str) -> pl.DataFrame:
    """One row per employee and month of the quarter under Belgian ONSS (worker code 015/495).

    Belgian residents employed abroad (worker_code null: no Belgian ONSS) are left out. The
    month's employee snapshot gives the occupation data (data-contract defaults: work_fraction 1,
    weekly_work_days 5). Raises :class:`RunStoreError` when a payroll line has no snapshot row.
    """
    periods = quarter_periods(quarter)
    lines = lines.filter(pl.col("worker_code").is_not_null() & pl.col("period").is_in(periods))
    snap = employees.select(
        "employee_id",
        "period",
        "niss",
        "last_name",
        "first_name",
        "contract_type",
        "contract_start",
        "contract_end",
        *schedule_columns(),
    ).unique(["employee_id", "period"], keep="first")
    missing = lines.join(snap, on=["employee_id", "period"], how="anti").height
    if missing:
        raise RunStoreError(f"{quarter}: {missing} payroll line(s) have no employee snapshot in the run store")
    keep = [
        "employee_id",
        "period",
        "employer_id",
        "worker_code",
        "worker_status",
        "residence_country",
        "work_country",
        "withholding_reason",
        "gross_salary",
        "guaranteed_wage_onss",
    ]
    months = lines.select(keep).join(snap, on=["employee_id", "period"], how="inner")
    return months.with_columns(
        month_start_expr(pl.col("period")).alias("month_start"),
        month_start_expr(pl.col("period")).dt.month_end().alias("month_end"),
        (pl.col("gross_salary").cast(WIDE) + pl.col("guaranteed_wage_onss").fill_null(0).cast(WIDE))
        .cast(MONEY)
        .alias("remuneration"),
    ).sort("employee_id", "period")


def _latest_per_line(months: pl.DataFrame) -> pl.DataFrame:
    """Countries, withholding reason, status and names of the latest month of each worker line."""
    return (
        months.sort("period", "employee_id")
        .group_by(WORKER_LINE_KEY)
        .agg(
            pl.col("residence_country").last(),
            pl.col("work_country").last(),
            pl.col("withholding_reason").last(),
            pl.col("worker_status").last(),
            pl.col("last_name").last(),
            pl.col("first_name").last(),
            pl.col("employee_id").unique().sort().str.join(", ").alias("employee_ids"),
            pl.col("employee_id").min().alias("_first_employee"),
        )
    )


def _with_employer(wl: pl.DataFrame, employers: pl.DataFrame | None) -> pl.DataFrame:
    """Employer data (category, workforce, commercial) of the employer's first snapshot of the
    quarter, the input's defaults when absent; LocalUnitID [00042]: the last one given (the unit
    of the last work)."""
    defaults = typed_defaults("employers")
    columns = {**_EMPLOYER_DATA, **dict.fromkeys(defaults)}
    if employers is not None and employers.height:
        first = (
            employers.sort("period", "employer_id")
            .group_by("employer_id")
            .agg(
                *[
                    pl.col(c).drop_nulls().last() if c == "local_unit_id" else pl.col(c).first()
                    for c in columns
                    if c in employers.columns
                ]
            )
        )
        wl = wl.join(first, on="employer_id", how="left")
    for c, dtype in columns.items():
        if c not in wl.columns:
            wl = wl.with_columns(pl.lit(None, dtype or pl.String).alias(c))
    return wl.with_columns(
        pl.col("employer_category").cast(pl.String).fill_null(defaults["employer_category"]),
        pl.col("workforce").cast(pl.Int32).fill_null(defaults["workforce"]),
        pl.col("commercial").cast(pl.Boolean).fill_null(defaults["commercial"]),
    )


def worker_lines(months: pl.DataFrame, occ: pl.DataFrame, employers: pl.DataFrame | None, quarter: str) -> pl.DataFrame:
    """One row per worker line (employer, NISS, worker code).

    ``remuneration_code1`` = sum of the occupations' code 1; ``border`` (zone 00040) from the
    latest month of the line: a French resident working in Belgium with the fiscal frontier-worker
    status (withholding reason FR_FRONTIER_EXEMPT: the additional protocol to the Belgian-French tax
    convention of 10 March 1964, as inserted by the amendment of 12 December 2008); employer data
    from :func:`_with_employer`; ``natural_person_seq`` numbers the persons of each employer by
    employee id.
    """
    q_start, q_end = quarter_bounds(quarter)
    totals = occ.group_by(WORKER_LINE_KEY).agg(
        pl.col("remuneration").sum().cast(MONEY).alias("remuneration_code1"),
        pl.len().cast(pl.Int64).alias("occupations"),
    )
    wl = (
        _latest_per_line(months)
        .join(totals, on=WORKER_LINE_KEY, how="left")
        .with_columns(
            border_flag(
                pl.col("residence_country"), pl.col("work_country"), pl.col("withholding_reason") == FR_FRONTIER_EXEMPT
            ),
            pl.lit(q_start).alias("quarter_start"),
            pl.lit(q_end).alias("quarter_end"),
        )
    )
    wl = _with_employer(wl, employers)
    persons = (
        wl.group_by("employer_id", "niss")
        .agg(pl.col("_first_employee").min())
        .sort("employer_id", "_first_employee", "niss")
        .with_columns(pl.int_range(1, pl.len() + 1).over("employer_id").cast(pl.Int64).alias("natural_person_seq"))
        .drop("_first_employee")
    )
    return (
        wl.join(persons, on=["employer_id", "niss"], how="left")
        .drop("_first_employee")
        .sort("employer_id", "natural_person_seq", "worker_code")
    )


@dataclass(frozen=True)
class QuarterAggregate:
    """Every aggregated frame of a quarter (keys in :mod:`pipeline.declarations.dmfa.quarter`)."""

    quarter: str
    months: pl.DataFrame
    occupations: pl.DataFrame
    services: pl.DataFrame
    anomalies: dict[str, int]
    worker_lines: pl.DataFrame
    contributions: pl.DataFrame  # quarterly, per worker line and (contribution worker code, type)
    monthly: pl.DataFrame  # the three months' rounded lines, same key
    reconciliation: pl.DataFrame
    lines: pl.DataFrame  # the stored monthly contribution lines under their worker line (keyed_lines)
    worker_deductions: pl.DataFrame  # per worker line and deduction code (0001), positive
    structural_reduction: pl.DataFrame  # per occupation: the rule's figures, with the occupation keys


def aggregate_quarter(data: QuarterInput, params: Parameters, options: DmfaOptions | None = None) -> QuarterAggregate:
    """Aggregate the quarter read from the run store (raises :class:`RunStoreError` when a
    payroll line has no employee snapshot)."""
    quarter = data.quarter
    months = employee_months(data.payroll_lines, data.employees, quarter)
    occ = occupations(months, data.history_employees, quarter, params, options)
    svc, anomalies = services(occ, data.guaranteed_wage_days, quarter)
    wl = worker_lines(months, occ, data.employers, quarter)
    lines = keyed_lines(data.contribution_lines, months)
    contrib = quarterly_contributions(wl, params, quarter, lines)
    monthly = monthly_contributions(lines)
    ceiling = employer_capped_contributions(wl, params, quarter)
    return QuarterAggregate(
        quarter=quarter,
        months=months,
        occupations=occ,
        services=svc,
        anomalies=anomalies,
        worker_lines=wl,
        contributions=contrib,
        monthly=monthly,
        reconciliation=reconciliation(contrib, monthly),
        lines=lines,
        worker_deductions=worker_deductions(lines),
        structural_reduction=structural_reductions(occ, svc, ceiling, params, quarter),
    )
