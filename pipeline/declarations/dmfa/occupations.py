"""Occupations of a quarter and their services (DmfA glossary zones 00044-00050, 00061-00064).

- :func:`occupations`: one occupation per run of consecutive months with the same contract
  (type, start, end), work fraction and days per week; its dates, joint committee, contract
  type and the Q and S working-time factors.
- :func:`services`: days and hours per occupation and service (prestation) code: 1 for the
  working time covered by pay subject to ONSS, 10, 11 and 50 for the incapacity days of the
  guaranteed-wage table.

Service codes: ONSS DmfA administrative instructions, "codes prestations" (DmfAPPL 2019-3
overview,
https://www.socialsecurity.be/employer/instructions/dmfa/nl/2019-3/instructions/fill_in_dmfappl/servicedatadeclaration/codes_employementtimedata/overview.html):
1 = working time covered by pay with ONSS (work, public holidays, guaranteed pay of week 1 or the
white-collar month), 10 = guaranteed pay of the second week, 11 = incapacity with the CCT 12bis/13bis
complement, 50 = sickness (mutuality).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl

from pipeline.core.money import MONEY, WIDE, round_to, times
from pipeline.core.params import Parameters
from pipeline.core.periods import month_start_expr, quarter_bounds
from pipeline.declarations.dmfa.quarter import (
    DAYS,
    HOURS,
    OCCUPATION_ATTRIBUTES,
    WORKER_LINE_KEY,
    DmfaOptions,
    schedule_columns,
)
from pipeline.rules.contributions import worker_code
from pipeline.rules.deductions import UNPAID_SERVICE_CODES
from pipeline.rules.guaranteed_wage import G100, SERVICE_CODE

SERVICE_WORK = SERVICE_CODE[G100]
"""Service code 1: working time covered by pay subject to ONSS (work, public holidays, guaranteed
pay of week 1 / the white-collar month)."""
INCAPACITY_SERVICE_CODES = UNPAID_SERVICE_CODES
"""Service codes 10 (guaranteed pay 2nd week), 11 (incapacity with CCT 12bis/13bis complement) and
50 (sickness, mutuality): the days the work bonus counts as unpaid, taken from the guaranteed-wage
rule so that the rules and the declaration agree."""
SERVICE_CODES = (SERVICE_WORK, *INCAPACITY_SERVICE_CODES)
CONTRACT_FULL_TIME = "0"
CONTRACT_PART_TIME = "1"
"""ContractType [00050]: 0 = full time, 1 = part time (work_fraction < 1)."""
_KEY = ["employee_id", "occupation_no"]


def _latest_change(history: pl.DataFrame | None, first: pl.DataFrame) -> pl.DataFrame:
    """Per employee, the last stored month before the quarter whose occupation data differ from
    the first occupation of the quarter (empty when none: unchanged since the contract start)."""
    schema = {"employee_id": pl.String, "_changed_month": pl.String}
    if history is None or history.height == 0 or first.height == 0:
        return pl.DataFrame(schema=schema)
    hist = history.with_columns(*schedule_columns(), worker_code().alias("worker_code")).select(
        "employee_id", "period", *[pl.col(c).alias(f"_h_{c}") for c in OCCUPATION_ATTRIBUTES]
    )
    both = hist.join(first.select("employee_id", *OCCUPATION_ATTRIBUTES), on="employee_id", how="inner")
    differs = pl.any_horizontal(
        [pl.col(f"_h_{c}").ne_missing(pl.col(c).cast(both.schema[f"_h_{c}"])) for c in OCCUPATION_ATTRIBUTES]
    )
    return both.filter(differs).group_by("employee_id").agg(pl.col("period").max().alias("_changed_month"))


def _runs(months: pl.DataFrame) -> pl.DataFrame:
    """One row per run of consecutive months with the same occupation data (``occupation_no``)."""
    month_idx = pl.col("month_start").dt.year().cast(pl.Int32) * 12 + pl.col("month_start").dt.month().cast(pl.Int32)
    changed = pl.any_horizontal([pl.col(c).ne_missing(pl.col(c).shift(1)) for c in OCCUPATION_ATTRIBUTES])
    gap = month_idx != month_idx.shift(1) + 1
    m = (
        months.sort("employee_id", "period")
        .with_columns((changed | gap).fill_null(True).over("employee_id").alias("_new"))
        .with_columns(pl.col("_new").cum_sum().over("employee_id").alias("occupation_no"))
    )
    return m.group_by(*_KEY).agg(
        *[pl.col(c).first() for c in OCCUPATION_ATTRIBUTES],
        pl.col("niss").first(),
        pl.col("worker_status").first(),
        pl.col("last_name").last(),
        pl.col("first_name").last(),
        pl.col("month_start").min().alias("first_month"),
        pl.col("month_end").max().alias("last_month_end"),
        pl.col("period").sort().str.join(",").alias("months"),
        pl.col("remuneration").sum().cast(MONEY).alias("remuneration"),
    )


def _dates(occ: pl.DataFrame, history: pl.DataFrame | None, q_start: dt.date, q_end: dt.date) -> pl.DataFrame:
    """``start`` [00044], ``end`` [00045] and the counting span (``span_start``, ``span_end``)."""
    first = occ.filter(pl.col("first_month") == q_start)
    change = _latest_change(history, first)
    occ = occ.join(change, on="employee_id", how="left").with_columns(
        pl.when(pl.col("first_month") != q_start).then(None).otherwise(pl.col("_changed_month")).alias("_changed_month")
    )
    after_change = month_start_expr(pl.col("_changed_month")).dt.offset_by("1mo")
    contract_end = pl.col("contract_end")
    return (
        occ.with_columns(
            pl.max_horizontal(pl.col("first_month"), pl.col("contract_start")).alias("span_start"),
            pl.when(contract_end.is_null())
            .then(pl.col("last_month_end"))
            .otherwise(pl.min_horizontal(pl.col("last_month_end"), contract_end))
            .alias("span_end"),
        )
        .with_columns(
            pl.when(pl.col("first_month") != q_start)
            .then(pl.col("span_start"))
            .when(pl.col("_changed_month").is_null())
            .then(pl.col("contract_start"))
            .otherwise(pl.max_horizontal(after_change, pl.col("contract_start")))
            .alias("start"),
            pl.when((pl.col("last_month_end") == q_end) & (contract_end.is_null() | (contract_end > q_end)))
            .then(None)
            .otherwise(pl.col("span_end"))
            .alias("end"),
        )
        .drop("_changed_month")
    )


def _joint_committee(occ: pl.DataFrame, options: DmfaOptions) -> pl.DataFrame:
    """JointCommissionNbr [00046]: the options' file per employer and status, else the default per status."""
    jc = pl.col("worker_status").replace_strict(dict(options.joint_committee), default=None, return_dtype=pl.String)
    if options.joint_committees is None:
        return occ.with_columns(jc.alias("joint_committee"))
    given = options.joint_committees.select(
        "employer_id", "worker_status", pl.col("joint_committee").cast(pl.String).alias("_jc")
    )
    return (
        occ.join(given, on=["employer_id", "worker_status"], how="left")
        .with_columns(pl.col("_jc").fill_null(jc).alias("joint_committee"))
        .drop("_jc")
    )


def _working_time(occ: pl.DataFrame, s_hours: Decimal) -> pl.DataFrame:
    """ContractType [00050], RefMeanWorkingHours S [00049], MeanWorkingHours Q = S x work_fraction
    [00048] rounded once to 1/100 h, WorkingDaysSystem [00047] = days per week."""
    return occ.with_columns(
        pl.when(pl.col("work_fraction") >= 1)
        .then(pl.lit(CONTRACT_FULL_TIME))
        .otherwise(pl.lit(CONTRACT_PART_TIME))
        .alias("dmfa_contract_type"),
        pl.lit(s_hours, dtype=HOURS).alias("ref_mean_working_hours"),
        round_to(times(pl.col("work_fraction"), s_hours), 2, HOURS).alias("mean_working_hours"),
        pl.col("weekly_work_days").cast(pl.Decimal(18, 2)).alias("working_days_system"),
    )


def occupations(
    months: pl.DataFrame,
    history: pl.DataFrame | None,
    quarter: str,
    params: Parameters,
    options: DmfaOptions | None = None,
) -> pl.DataFrame:
    """Occupations of the quarter (glossary zones 00044-00050).

    A new occupation starts when employer, worker code, contract type, contract start or end,
    work_fraction or weekly_work_days differ from the employee's previous month, or after a month
    without a payroll line. Monthly granularity: a change is dated on the first day of the month
    whose snapshot shows it (the input holds one snapshot per month).

    - ``start`` (OccupationStartingDate [00044]): the contract start when the first occupation
      of the quarter is unchanged since then (no differing earlier snapshot in the store);
      otherwise the first day of the month the new data apply from, never before the contract start.
    - ``end`` (OccupationEndingDate [00045]): empty when the occupation goes on into the next
      quarter; else its last day (contract end, or the last day of its last month).
    - ``span_start`` / ``span_end``: the part inside the quarter and the contract (counts days).
    - ``mean_working_hours`` Q = S x work_fraction, rounded once to 1/100 h; S =
      ``dmfa/reference_weekly_hours`` on the quarter's first day (assumption: no hours in input).
    """
    options = options or DmfaOptions()
    q_start, q_end = quarter_bounds(quarter)
    s_hours = Decimal(params.value("dmfa/reference_weekly_hours", q_start))
    occ = _dates(_runs(months), history, q_start, q_end)
    occ = _working_time(_joint_committee(occ, options), s_hours)
    return occ.sort(*WORKER_LINE_KEY, "span_start", *_KEY).with_columns(
        pl.int_range(1, pl.len() + 1).over(WORKER_LINE_KEY).cast(pl.Int64).alias("occupation_seq")
    )


def _scheduled_days(occ: pl.DataFrame) -> pl.DataFrame:
    """Scheduled working days of each occupation's span: Monday-Friday for a 5-day week,
    Monday-Saturday for 6 (Belgian public holidays count: the employer pays them with ONSS)."""
    after_end = pl.col("span_end").dt.offset_by("1d")
    scheduled = (
        pl.when(pl.col("weekly_work_days") == 6)
        .then(pl.business_day_count("span_start", after_end, week_mask=[True] * 6 + [False]))
        .otherwise(pl.business_day_count("span_start", after_end, week_mask=[True] * 5 + [False] * 2))
    )
    return occ.select(*_KEY, "span_start", "span_end", "weekly_work_days", "mean_working_hours").with_columns(
        pl.when(pl.col("span_end") >= pl.col("span_start"))
        .then(scheduled)
        .otherwise(0)
        .cast(pl.Int64)
        .alias("scheduled_days")
    )


def _incapacity_days(
    gw_days: pl.DataFrame | None, base: pl.DataFrame, quarter: str, schema: dict[str, pl.DataType]
) -> tuple[pl.DataFrame, int]:
    """Working days of the guaranteed-wage table under 10 / 11 / 50 per occupation and code, and
    the number of such days inside no occupation."""
    if gw_days is None or gw_days.height == 0:
        return pl.DataFrame(schema=schema), 0
    q_start, q_end = quarter_bounds(quarter)
    working = pl.col("working_day") if "working_day" in gw_days.columns else pl.lit(True)
    days = (
        gw_days.filter(
            pl.col("service_code").is_in(list(INCAPACITY_SERVICE_CODES))
            & working.fill_null(False)
            & pl.col("date").is_between(q_start, q_end)
        )
        .select("employee_id", "date", pl.col("service_code").cast(pl.Int32))
        .unique(["employee_id", "date"])
    )
    matched = days.join(base.select(*_KEY, "span_start", "span_end"), on="employee_id", how="inner").filter(
        pl.col("date").is_between(pl.col("span_start"), pl.col("span_end"))
    )
    unmatched = days.height - matched.select("employee_id", "date").unique().height
    return matched.group_by(*_KEY, "service_code").agg(pl.len().cast(pl.Int64).alias("days")), unmatched


def services(occ: pl.DataFrame, gw_days: pl.DataFrame | None, quarter: str) -> tuple[pl.DataFrame, dict[str, int]]:
    """Days and hours per occupation and service code (glossary zones 00061-00064).

    - 10 / 11 / 50: scheduled working days of the guaranteed-wage table (``working_day`` true,
      non-null ``service_code``) with that code, inside the occupation's span;
    - 1: scheduled working days of the span minus those incapacity days;
    - hours = days x Q / days-per-week, rounded once to 1/100 h.

    Also returns anomaly counts: incapacity days matched to no occupation, occupations whose
    incapacity days exceed the scheduled days (code 1 floored at 0).
    """
    base = _scheduled_days(occ)
    incap_schema = {**{k: occ.schema[k] for k in _KEY}, "service_code": pl.Int32, "days": pl.Int64}
    incap, unmatched = _incapacity_days(gw_days, base, quarter, incap_schema)
    absent = incap.group_by(_KEY).agg(pl.col("days").sum().alias("_absent"))
    work = base.join(absent, on=_KEY, how="left").with_columns(pl.col("_absent").fill_null(0))
    overflow = work.filter(pl.col("_absent") > pl.col("scheduled_days")).height
    work = work.select(
        *_KEY,
        pl.lit(SERVICE_WORK, pl.Int32).alias("service_code"),
        pl.max_horizontal(pl.col("scheduled_days") - pl.col("_absent"), pl.lit(0)).cast(pl.Int64).alias("days"),
    )
    svc = pl.concat([work, incap.select(work.columns).cast(work.schema)]).filter(pl.col("days") > 0)
    svc = svc.join(base.select(*_KEY, "weekly_work_days", "mean_working_hours"), on=_KEY, how="left").with_columns(
        pl.col("days").cast(DAYS),
        round_to(
            pl.col("days").cast(WIDE) * pl.col("mean_working_hours").cast(WIDE) / pl.col("weekly_work_days").cast(WIDE),
            2,
            HOURS,
        ).alias("hours"),
    )
    return svc.select(*_KEY, "service_code", "days", "hours").sort(*_KEY, "service_code"), {
        "incapacity_days_outside_occupations": unmatched,
        "occupations_with_more_incapacity_than_scheduled_days": overflow,
    }
