"""Quarterly DmfA audit export: three finalised months of the run store -> one declaration per
employer and quarter, plus the tables a payroll officer checks (issue 6; rules-reference §7).

Pipeline (pure functions on polars frames; I/O only in :func:`read_quarter` and
:func:`write_quarter`, :func:`export_quarter` chains the three steps):

1. :func:`read_quarter` - the quarter's three months must be finalised in the run store
   (:meth:`RunStore.require_finalised`); reads ``payroll_lines``, ``contribution_lines``,
   ``guaranteed_wage_days`` and the month snapshots of ``employees`` / ``employers``, plus the
   employee snapshots of earlier stored months (to date the start of an occupation).
2. :func:`compute_quarter` - the aggregation of rules-reference §7.4, per employer, quarter and
   worker line (NISS, worker code 015/495):

   - :func:`occupations`: one occupation per run of consecutive months with the same contract
     (type, start, end), ``work_fraction`` and ``weekly_work_days`` (monthly granularity: the input
     is a monthly snapshot); dates clipped to the quarter and the contract for counting;
   - :func:`services`: service (prestation) code 1 = scheduled working days of the occupation
     minus the incapacity days declared under 10 / 11 / 50 (working days of the guaranteed-wage
     table, rules-reference §3.3); hours = days x Q / days-per-week with Q = S x work_fraction;
   - remuneration code 1 = sum of (gross_salary + guaranteed_wage_onss) of the occupation's
     months (the exempt guaranteed wage of codes 10/11 is not declared, §3.3);
   - :func:`quarterly_contributions`: every contribution of ``contributions.CONTRIBUTIONS``
     recomputed on the quarterly basis, ONE rounding per (contribution worker code, type)
     (§1.2, §7.4), with the employer cap of §2.4 on basic + wage-moderation contributions;
   - :func:`reconciliation`: quarterly amount against the sum of the three monthly rounded
     amounts: the rounding-regularisation line and the cap line, worker and employer parts shown
     separately (the difference is the employer's; the worker's net is never adjusted);
   - ``NetOwedAmount`` = contributions - deductions per employer (no deduction is computed yet).

   Then one XML per employer (:mod:`pipeline.declarations.dmfa.xml`), validated against the official schema;
   an invalid declaration raises :class:`DmfaDeclarationError` (nothing is written).
3. :func:`write_quarter` - atomic output folder: ``dmfa_<employer_id>_<YYYYQ>.xml`` per employer,
   tables ``dmfa_worker_lines``, ``dmfa_occupations``, ``dmfa_services``, ``dmfa_contributions``,
   ``dmfa_reconciliation`` (Parquet + CSV, NISS masked), ``manifest.json``.

Legal figures are dated parameters, taken on the quarter's first day: ``onss/*`` (rates, 108 %
factor, cap) and ``dmfa/reference_weekly_hours`` (S). The codes written here (service codes,
remuneration code 1, contribution types of annex 3, contract type 0/1, default joint committees)
are DmfA code values, not legal amounts; docs/dmfa.md ("Quarterly aggregation") gives each
choice. National numbers never reach an exception message or a log; the tables mask them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from pipeline import __version__
from pipeline.core.money import MONEY, RATIO, WIDE, round_to, times, to_cents
from pipeline.core.params import Parameters
from pipeline.core.periods import month_start_expr, quarter_bounds, quarter_code, quarter_periods
from pipeline.core.rejects import mask_expr
from pipeline.declarations.dmfa.xml import (
    DeclarationInput,
    border_flag,
    declaration_warnings,
    render_declaration,
    validate_declaration,
)
from pipeline.errors import InputError, PayrollError, RunStoreError
from pipeline.jobs.monthly import EMPLOYER_DEFAULTS
from pipeline.outputs.audit import code_hash, write_run
from pipeline.outputs.run_store import RunStore
from pipeline.rules.contributions import CONTRIBUTIONS, RATE_DTYPE, WORKER_CODE, declared_contributions, worker_code
from pipeline.rules.guaranteed_wage import SERVICE_CODE, SERVICE_CODE_MUTUALITY
from pipeline.rules.withholding import FR_FRONTIER_EXEMPT
from schemas.inputs import INPUTS

# --------------------------------------------------------------------------------------------
# DmfA code values (glossary / annexes; not legal amounts). docs/dmfa.md explains each one.
# --------------------------------------------------------------------------------------------
SERVICE_WORK = 1
"""Service code 1: working time covered by pay subject to ONSS (work, public holidays, guaranteed
pay of week 1 / the white-collar month), rules-reference §3.3 and §7.3."""
INCAPACITY_SERVICE_CODES = tuple(
    sorted({c for c in SERVICE_CODE.values() if c != SERVICE_WORK} | {SERVICE_CODE_MUTUALITY})
)
"""Service codes 10 (guaranteed pay 2nd week), 11 (incapacity with CCT 12bis/13bis complement) and
50 (sickness, mutuality): taken from the guaranteed-wage module so both modules agree (§3.3)."""
REMUN_CODE_ORDINARY = "1"
"""Remuneration code 1 (annex 7): ordinary pay subject to ONSS linked to the quarter's work,
including the guaranteed pay of days under service code 1 (§3.3, §7.3)."""
CONTRACT_FULL_TIME = "0"
CONTRACT_PART_TIME = "1"
"""ContractType [00050]: 0 = full time, 1 = part time (work_fraction < 1)."""
DEFAULT_JOINT_COMMITTEE = {"blue_collar": "100", "white_collar": "200"}
"""JointCommissionNbr [00046] when the input gives none: the auxiliary joint committees for
blue collars (CP 100) and white collars (CP 200). Override with ``DmfaOptions``."""
DECLARATION_REFERENCE_PREFIX = "DMFA"
"""ReferenceNbr [00222] = DMFA<YYYYQ>-<employer_id> (at most 20 characters)."""

TABLES = ("dmfa_worker_lines", "dmfa_occupations", "dmfa_services", "dmfa_contributions", "dmfa_reconciliation")
_OCC_ATTRS = [
    "employer_id",
    "worker_code",
    "contract_type",
    "contract_start",
    "contract_end",
    "work_fraction",
    "weekly_work_days",
]
_WL = ["employer_id", "niss", "worker_code"]
_CON = [*_WL, "contribution_worker_code", "contribution_type"]
HOURS = pl.Decimal(18, 2)
DAYS = pl.Decimal(18, 2)


class DmfaDeclarationError(PayrollError):
    """A generated declaration does not validate against the DmfA schema (nothing is written)."""


# --------------------------------------------------------------------------------------------
# Quarters
# --------------------------------------------------------------------------------------------
# --------------------------------------------------------------------------------------------
# Inputs and results
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class QuarterInput:
    """What the quarterly export reads from the run store (see :func:`read_quarter`)."""

    quarter: str
    payroll_lines: pl.DataFrame
    contribution_lines: pl.DataFrame
    guaranteed_wage_days: pl.DataFrame | None
    employees: pl.DataFrame  # month snapshots, with ``period``
    employers: pl.DataFrame | None  # month snapshots, with ``period``
    history_employees: pl.DataFrame | None = None  # snapshots of stored months before the quarter
    source_runs: dict[str, dict[str, Any]] = field(default_factory=dict)  # period -> run id, run date


@dataclass(frozen=True)
class DmfaOptions:
    """Choices the input cannot give (docs/dmfa.md, "Quarterly aggregation").

    ``joint_committee``: default JointCommissionNbr per worker_status;
    ``joint_committees``: optional frame (employer_id, worker_status, joint_committee) overriding it.
    """

    joint_committee: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_JOINT_COMMITTEE))
    joint_committees: pl.DataFrame | None = None


def joint_committees_file(path: Path | str | None) -> DmfaOptions:
    """``DmfaOptions`` with the JointCommissionNbr [00046] per employer and worker status read from
    a CSV file (columns employer_id, worker_status, joint_committee; e.g. ``174389412,blue_collar,111``).
    ``None``: the defaults (CP 100 / CP 200). Raises :class:`InputError` on a malformed file."""
    if path is None:
        return DmfaOptions()
    try:
        frame = pl.read_csv(path, infer_schema=False)
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise InputError(f"joint committees file {path}: cannot read it ({type(exc).__name__})") from None
    needed = ["employer_id", "worker_status", "joint_committee"]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise InputError(f"joint committees file {path}: missing column(s) {', '.join(missing)}")
    frame = frame.select(needed).with_columns(pl.col(c).str.strip_chars() for c in needed)
    bad = frame.filter(
        ~pl.col("worker_status").is_in(list(DEFAULT_JOINT_COMMITTEE))
        | ~pl.col("joint_committee").str.contains(r"^\d{3}(\.\d{2}){0,2}$")
        | pl.struct("employer_id", "worker_status").is_duplicated()
    )
    if bad.height:
        raise InputError(
            f"joint committees file {path}: {bad.height} row(s) with an unknown worker_status, a joint committee "
            f"that is not NNN[.NN[.NN]] or a duplicate employer_id + worker_status"
        )
    return DmfaOptions(joint_committees=frame)


@dataclass
class QuarterResult:
    quarter: str
    tables: dict[str, pl.DataFrame]
    declarations: dict[str, bytes]  # file name -> XML bytes
    manifest: dict[str, Any]


# --------------------------------------------------------------------------------------------
# 1. Reading (I/O)
# --------------------------------------------------------------------------------------------
def _stack(store: RunStore, table: str, periods: list[str], columns: list[str] | None = None) -> pl.DataFrame | None:
    """One table over several stored months, with the month in ``period`` (snapshots have none)."""
    parts = []
    for p in periods:
        frame = store.read(table, [p])
        if frame is None or frame.height == 0:
            continue
        if columns is not None:
            frame = frame.select([c for c in columns if c in frame.columns])
        if "period" not in frame.columns:
            frame = frame.with_columns(pl.lit(p).alias("period"))
        parts.append(frame)
    return pl.concat(parts, how="diagonal_relaxed") if parts else None


def read_quarter(store: RunStore, quarter: str) -> QuarterInput:
    """Read the quarter's three finalised months from the run store.

    Raises :class:`RunStoreError` (clear message, exit 1) when a month is missing or was not
    finalised, or when a finalised month holds no payroll lines.
    """
    periods = quarter_periods(quarter)
    store.require_finalised(periods)
    lines = _stack(store, "payroll_lines", periods)
    if lines is None:
        raise RunStoreError(f"{quarter}: the run store {store.root} holds no payroll lines for {', '.join(periods)}")
    employees = _stack(store, "employees", periods)
    if employees is None:
        raise RunStoreError(
            f"{quarter}: the run store {store.root} holds no employee snapshot for {', '.join(periods)}"
        )
    earlier = [p for p in store.periods() if p < periods[0]]
    history = _stack(store, "employees", earlier, ["employee_id", "employer_id", "worker_status", *_OCC_ATTRS[2:]])
    infos = {p: store.info(p) for p in periods}
    runs = {p: {"run_id": info.get("run_id"), "run_date": info.get("run_date")} for p, info in infos.items()}
    contribution_lines = _stack(store, "contribution_lines", periods)
    return QuarterInput(
        quarter=quarter,
        payroll_lines=lines,
        contribution_lines=contribution_lines if contribution_lines is not None else pl.DataFrame(),
        guaranteed_wage_days=_stack(store, "guaranteed_wage_days", periods),
        employees=employees,
        employers=_stack(store, "employers", periods),
        history_employees=history,
        source_runs=runs,
    )


# --------------------------------------------------------------------------------------------
# 2. Aggregation (pure)
# --------------------------------------------------------------------------------------------
def _schedule() -> list[pl.Expr]:
    """work_fraction and weekly_work_days of an employee snapshot, with the employees input's
    defaults (data contract) where a snapshot has none."""
    default = {c.name: c.default for c in INPUTS["employees"].columns}
    return [
        pl.col("work_fraction").fill_null(pl.lit(default["work_fraction"]).cast(RATIO)).cast(RATIO),
        pl.col("weekly_work_days").fill_null(int(default["weekly_work_days"])).cast(pl.Int8),
    ]


def employee_months(lines: pl.DataFrame, employees: pl.DataFrame, quarter: str) -> pl.DataFrame:
    """One row per employee and month of the quarter under Belgian ONSS (worker code 015/495).

    Belgian residents employed abroad (worker_code null, rules-reference §5.5) are left out. The
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
        *_schedule(),
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


def _latest_change(history: pl.DataFrame | None, first: pl.DataFrame) -> pl.DataFrame:
    """Per employee, the last stored month before the quarter whose occupation data differ from
    the first occupation of the quarter (empty when none: unchanged since the contract start)."""
    schema = {"employee_id": pl.String, "_changed_month": pl.String}
    if history is None or history.height == 0 or first.height == 0:
        return pl.DataFrame(schema=schema)
    hist = history.with_columns(*_schedule(), worker_code().alias("worker_code")).select(
        "employee_id", "period", *[pl.col(c).alias(f"_h_{c}") for c in _OCC_ATTRS]
    )
    both = hist.join(first.select("employee_id", *_OCC_ATTRS), on="employee_id", how="inner")
    differs = pl.any_horizontal(
        [pl.col(f"_h_{c}").ne_missing(pl.col(c).cast(both.schema[f"_h_{c}"])) for c in _OCC_ATTRS]
    )
    return both.filter(differs).group_by("employee_id").agg(pl.col("period").max().alias("_changed_month"))


def occupations(
    months: pl.DataFrame,
    history: pl.DataFrame | None,
    quarter: str,
    params: Parameters,
    options: DmfaOptions | None = None,
) -> pl.DataFrame:
    """Occupations of the quarter (rules-reference §7.4; glossary zones 00044-00050).

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
    month_idx = pl.col("month_start").dt.year().cast(pl.Int32) * 12 + pl.col("month_start").dt.month().cast(pl.Int32)
    changed = pl.any_horizontal([pl.col(c).ne_missing(pl.col(c).shift(1)) for c in _OCC_ATTRS])
    gap = month_idx != month_idx.shift(1) + 1
    m = (
        months.sort("employee_id", "period")
        .with_columns((changed | gap).fill_null(True).over("employee_id").alias("_new"))
        .with_columns(pl.col("_new").cum_sum().over("employee_id").alias("occupation_no"))
    )
    occ = m.group_by("employee_id", "occupation_no").agg(
        *[pl.col(c).first() for c in _OCC_ATTRS],
        pl.col("niss").first(),
        pl.col("worker_status").first(),
        pl.col("last_name").last(),
        pl.col("first_name").last(),
        pl.col("month_start").min().alias("first_month"),
        pl.col("month_end").max().alias("last_month_end"),
        pl.col("period").sort().str.join(",").alias("months"),
        pl.col("remuneration").sum().cast(MONEY).alias("remuneration"),
    )
    first = occ.filter(pl.col("first_month") == q_start)
    change = _latest_change(history, first)
    occ = occ.join(change, on="employee_id", how="left").with_columns(
        pl.when(pl.col("first_month") != q_start).then(None).otherwise(pl.col("_changed_month")).alias("_changed_month")
    )
    after_change = month_start_expr(pl.col("_changed_month")).dt.offset_by("1mo")
    contract_end = pl.col("contract_end")
    occ = occ.with_columns(
        pl.max_horizontal(pl.col("first_month"), pl.col("contract_start")).alias("span_start"),
        pl.when(contract_end.is_null())
        .then(pl.col("last_month_end"))
        .otherwise(pl.min_horizontal(pl.col("last_month_end"), contract_end))
        .alias("span_end"),
    ).with_columns(
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
    jc = pl.col("worker_status").replace_strict(dict(options.joint_committee), default=None, return_dtype=pl.String)
    if options.joint_committees is not None:
        occ = (
            occ.join(
                options.joint_committees.select(
                    "employer_id", "worker_status", pl.col("joint_committee").cast(pl.String).alias("_jc")
                ),
                on=["employer_id", "worker_status"],
                how="left",
            )
            .with_columns(pl.col("_jc").fill_null(jc).alias("joint_committee"))
            .drop("_jc")
        )
    else:
        occ = occ.with_columns(jc.alias("joint_committee"))
    occ = occ.with_columns(
        pl.when(pl.col("work_fraction") >= 1)
        .then(pl.lit(CONTRACT_FULL_TIME))
        .otherwise(pl.lit(CONTRACT_PART_TIME))
        .alias("dmfa_contract_type"),
        pl.lit(s_hours, dtype=HOURS).alias("ref_mean_working_hours"),
        round_to(times(pl.col("work_fraction"), s_hours), 2, HOURS).alias("mean_working_hours"),
        pl.col("weekly_work_days").cast(pl.Decimal(18, 2)).alias("working_days_system"),
    )
    occ = occ.sort(*_WL, "span_start", "employee_id", "occupation_no").with_columns(
        pl.int_range(1, pl.len() + 1).over(_WL).cast(pl.Int64).alias("occupation_seq")
    )
    return occ.drop("_changed_month")


def services(occ: pl.DataFrame, gw_days: pl.DataFrame | None, quarter: str) -> tuple[pl.DataFrame, dict[str, int]]:
    """Days and hours per occupation and service code (rules-reference §3.3, §7.3, §7.4).

    - 10 / 11 / 50: scheduled working days of the guaranteed-wage table (``working_day`` true,
      non-null ``service_code``) with that code, inside the occupation's span;
    - 1: scheduled working days of the span (Monday-Friday for a 5-day week, Monday-Saturday for
      6; Belgian public holidays count: the employer pays them and they carry ONSS) minus those
      incapacity days;
    - hours = days x Q / days-per-week, rounded once to 1/100 h.

    Also returns anomaly counts: incapacity days matched to no occupation, occupations whose
    incapacity days exceed the scheduled days (code 1 floored at 0).
    """
    q_start, q_end = quarter_bounds(quarter)
    key = ["employee_id", "occupation_no"]
    after_end = pl.col("span_end").dt.offset_by("1d")
    scheduled = (
        pl.when(pl.col("weekly_work_days") == 6)
        .then(pl.business_day_count("span_start", after_end, week_mask=[True] * 6 + [False]))
        .otherwise(pl.business_day_count("span_start", after_end, week_mask=[True] * 5 + [False] * 2))
    )
    base = occ.select(*key, "span_start", "span_end", "weekly_work_days", "mean_working_hours").with_columns(
        pl.when(pl.col("span_end") >= pl.col("span_start"))
        .then(scheduled)
        .otherwise(0)
        .cast(pl.Int64)
        .alias("scheduled_days")
    )
    incap_schema = {**{k: occ.schema[k] for k in key}, "service_code": pl.Int32, "days": pl.Int64}
    unmatched = 0
    if gw_days is not None and gw_days.height:
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
        matched = days.join(base.select(*key, "span_start", "span_end"), on="employee_id", how="inner").filter(
            pl.col("date").is_between(pl.col("span_start"), pl.col("span_end"))
        )
        unmatched = days.height - matched.select("employee_id", "date").unique().height
        incap = matched.group_by(*key, "service_code").agg(pl.len().cast(pl.Int64).alias("days"))
    else:
        incap = pl.DataFrame(schema=incap_schema)
    absent = incap.group_by(key).agg(pl.col("days").sum().alias("_absent"))
    work = base.join(absent, on=key, how="left").with_columns(pl.col("_absent").fill_null(0))
    overflow = work.filter(pl.col("_absent") > pl.col("scheduled_days")).height
    work = work.select(
        *key,
        pl.lit(SERVICE_WORK, pl.Int32).alias("service_code"),
        pl.max_horizontal(pl.col("scheduled_days") - pl.col("_absent"), pl.lit(0)).cast(pl.Int64).alias("days"),
    )
    svc = pl.concat([work, incap.select(work.columns).cast(work.schema)]).filter(pl.col("days") > 0)
    svc = svc.join(base.select(*key, "weekly_work_days", "mean_working_hours"), on=key, how="left").with_columns(
        pl.col("days").cast(DAYS),
        round_to(
            pl.col("days").cast(WIDE) * pl.col("mean_working_hours").cast(WIDE) / pl.col("weekly_work_days").cast(WIDE),
            2,
            HOURS,
        ).alias("hours"),
    )
    return svc.select(*key, "service_code", "days", "hours").sort(*key, "service_code"), {
        "incapacity_days_outside_occupations": unmatched,
        "occupations_with_more_incapacity_than_scheduled_days": overflow,
    }


def worker_lines(months: pl.DataFrame, occ: pl.DataFrame, employers: pl.DataFrame | None, quarter: str) -> pl.DataFrame:
    """One row per worker line (employer, NISS, worker code), rules-reference §7.1 and §7.4.

    ``remuneration_code1`` = sum of the occupations' code 1; ``border`` (zone 00040) from the
    latest month of the line: French resident working in Belgium with the fiscal frontier status
    (withholding reason FR_FRONTIER_EXEMPT, §5.2, §5.7); employer data (category, workforce,
    commercial) from the employer's first snapshot of the quarter, data-contract defaults when
    absent; ``natural_person_seq`` numbers the persons of each employer by employee id.
    """
    q_start, q_end = quarter_bounds(quarter)
    latest = (
        months.sort("period", "employee_id")
        .group_by(_WL)
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
    totals = occ.group_by(_WL).agg(
        pl.col("remuneration").sum().cast(MONEY).alias("remuneration_code1"),
        pl.len().cast(pl.Int64).alias("occupations"),
    )
    wl = latest.join(totals, on=_WL, how="left").with_columns(
        border_flag(
            pl.col("residence_country"), pl.col("work_country"), pl.col("withholding_reason") == FR_FRONTIER_EXEMPT
        ),
        pl.lit(q_start).alias("quarter_start"),
        pl.lit(q_end).alias("quarter_end"),
    )
    emp_cols = {
        "enterprise_number": pl.String,
        "name": pl.String,
        "local_unit_id": pl.String,
        **dict.fromkeys(EMPLOYER_DEFAULTS),
    }
    if employers is not None and employers.height:
        # the quarter's first snapshot; LocalUnitID: the last one given (the unit of the last work, 00042)
        first = (
            employers.sort("period", "employer_id")
            .group_by("employer_id")
            .agg(
                *[
                    pl.col(c).drop_nulls().last() if c == "local_unit_id" else pl.col(c).first()
                    for c in emp_cols
                    if c in employers.columns
                ]
            )
        )
        wl = wl.join(first, on="employer_id", how="left")
    for c, dtype in emp_cols.items():
        if c not in wl.columns:
            wl = wl.with_columns(pl.lit(None, dtype or pl.String).alias(c))
    wl = wl.with_columns(
        pl.col("employer_category").cast(pl.String).fill_null(EMPLOYER_DEFAULTS["employer_category"]),
        pl.col("workforce").cast(pl.Int32).fill_null(EMPLOYER_DEFAULTS["workforce"]),
        pl.col("commercial").cast(pl.Boolean).fill_null(EMPLOYER_DEFAULTS["commercial"]),
    )
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


def _type_expr(name: str) -> pl.Expr:
    """ContributionType of a contribution, from its declaration."""
    [c] = [c for c in CONTRIBUTIONS if c.name == name and c.declared]
    return c.type_expr()


def quarterly_contributions(wl: pl.DataFrame, params: Parameters, quarter: str) -> pl.DataFrame:
    """Contributions on the quarterly basis, ONE rounding per (contribution worker code, type).

    Rules-reference §1.2 and §7.4: basis = remuneration code 1 of the worker line, x 108 % for
    blue collars (``onss/blue_collar_base_factor``) rounded once to the cent; amount =
    round_half_up(sum over the code's contributions of basis x rate, 0.01). The worker-code line
    (015/495) groups the personal, basic employer and wage-moderation contributions.

    Employer cap (§2.4, ``onss/employer_cap_quarter``, null = no cap): basic + wage moderation are
    due only on min(basic pay, cap), basic pay = remuneration codes 1 and 61 (here code 1),
    x 108 % for blue collars, rounded once: ``basis_capped``. The personal 13.07 % and every other
    contribution stay on the full basis. So the 015/495 amount = round(basis x worker rate +
    basis_capped x (basic + moderation rates)); ``amount_uncapped`` is the same without the cap.

    Rates, factor and cap are those in force on the quarter's first day; applicability is
    ``Contribution.applies`` (the same conditions as the monthly lines).
    """
    q_start, _ = quarter_bounds(quarter)
    factor = params.value("onss/blue_collar_base_factor", q_start)
    cap = params.value("onss/employer_cap_quarter", q_start)
    blue = pl.col("worker_status") == "blue_collar"
    pay = pl.col("remuneration_code1").fill_null(0)
    capped_pay = pay if cap is None else pl.min_horizontal(pay, pl.lit(cap, dtype=MONEY))
    base = wl.with_columns(
        pl.when(blue).then(to_cents(times(pay, factor))).otherwise(pay.cast(MONEY)).alias("basis"),
        pl.when(blue).then(to_cents(times(capped_pay, factor))).otherwise(capped_pay.cast(MONEY)).alias("basis_capped"),
        pl.lit(cap, dtype=MONEY).alias("employer_cap_quarter"),
    )
    parts = []
    for c in declared_contributions():
        entry = params.entry(c.parameter, q_start)
        rows = base.filter(c.applies(params, q_start))
        if rows.height == 0:
            continue
        used = pl.col("basis_capped") if c.employer_cap else pl.col("basis")
        parts.append(
            rows.select(
                *_WL,
                (pl.col("worker_code") if c.dmfa_code == WORKER_CODE else pl.lit(c.dmfa_code, pl.String)).alias(
                    "contribution_worker_code"
                ),
                _type_expr(c.name).alias("contribution_type"),
                pl.lit(c.name).alias("contribution"),
                "basis",
                "basis_capped",
                "employer_cap_quarter",
                pl.lit(entry.value, dtype=WIDE).alias("rate"),
                times(used, entry.value).alias("_exact"),
                times(pl.col("basis"), entry.value).alias("_exact_uncapped"),
                (times(pl.col("basis"), entry.value) if c.payer == "worker" else pl.lit(0, WIDE)).alias(
                    "_worker_exact"
                ),
                pl.lit(c.parameter).alias("parameter"),
            )
        )
    if not parts:
        return pl.DataFrame(schema=_contribution_schema())
    lines = pl.concat(parts)
    out = lines.group_by(_CON).agg(
        pl.col("contribution").sort().str.join("+").alias("contributions"),
        pl.col("parameter").sort().str.join("+").alias("parameters"),
        pl.col("basis").first(),
        pl.col("basis_capped").first(),
        pl.col("employer_cap_quarter").first(),
        pl.col("rate").sum().cast(RATE_DTYPE).alias("rate"),
        to_cents(pl.col("_exact").sum()).alias("amount"),
        to_cents(pl.col("_exact_uncapped").sum()).alias("amount_uncapped"),
        to_cents(pl.col("_worker_exact").sum()).alias("worker_part"),
        pl.col("contribution").is_in([c.name for c in CONTRIBUTIONS if c.employer_cap]).any().alias("_capped_code"),
    )
    out = out.with_columns(
        pl.when(pl.col("_capped_code")).then(pl.col("basis_capped")).otherwise(None).alias("basis_capped"),
        pl.when(pl.col("_capped_code"))
        .then(pl.col("employer_cap_quarter"))
        .otherwise(None)
        .alias("employer_cap_quarter"),
        (pl.col("amount") - pl.col("amount_uncapped")).cast(MONEY).alias("cap_relief"),
    ).drop("_capped_code")
    return out.select(list(_contribution_schema())).cast(_contribution_schema()).sort(_CON)


def _contribution_schema() -> dict[str, pl.DataType]:
    return {
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


def monthly_contributions(contribution_lines: pl.DataFrame, months: pl.DataFrame) -> pl.DataFrame:
    """The three months' rounded contribution lines per worker line and DmfA code and type
    (due lines with a DmfA code; the annual holiday accrual is not declared), worker and
    employer parts apart."""
    schema = {**dict.fromkeys(_CON, pl.String), "monthly_worker": MONEY, "monthly_employer": MONEY}
    if contribution_lines.height == 0:
        return pl.DataFrame(schema=schema)
    due = contribution_lines.filter((pl.col("kind") == "due") & pl.col("dmfa_code").is_not_null())
    keyed = due.join(
        months.select("employee_id", "period", *_WL, "worker_status"), on=["employee_id", "period"], how="inner"
    )
    names = keyed.get_column("contribution").unique().to_list()
    typ = pl.lit(None, pl.String)
    for name in sorted(names):
        typ = pl.when(pl.col("contribution") == name).then(_type_expr(name)).otherwise(typ)
    keyed = keyed.with_columns(pl.col("dmfa_code").alias("contribution_worker_code"), typ.alias("contribution_type"))
    return (
        keyed.group_by(_CON)
        .agg(
            pl.col("amount").filter(pl.col("payer") == "worker").sum().cast(MONEY).alias("monthly_worker"),
            pl.col("amount").filter(pl.col("payer") != "worker").sum().cast(MONEY).alias("monthly_employer"),
        )
        .select(list(schema))
        .cast(schema)
    )


def reconciliation(quarterly: pl.DataFrame, monthly: pl.DataFrame) -> pl.DataFrame:
    """Quarterly declaration against the three monthly runs, per worker line and code (§1.2, §7.4).

    - ``monthly_total`` = monthly_worker + monthly_employer (sum of the monthly rounded lines);
    - ``rounding_regularisation`` = amount_uncapped - monthly_total: the one-rounding difference,
      booked on the employer;
    - ``cap_relief`` = amount - amount_uncapped (<= 0): the employer cap of §2.4, on its own line;
    - ``amount`` (declared) = monthly_total + rounding_regularisation + cap_relief, exactly;
    - worker part: ``monthly_worker`` (withheld, final: the worker's net is never adjusted) and
      ``worker_part_quarterly`` = round(basis x worker rate), ``worker_part_difference`` their
      difference, borne by the employer; employer part: ``monthly_employer`` and
      ``employer_part_quarterly`` = amount - monthly_worker, ``employer_regularisation`` =
      employer_part_quarterly - monthly_employer (= rounding_regularisation + cap_relief).
    """
    q = quarterly.select(
        *_CON, "basis", "amount_uncapped", "cap_relief", "amount", pl.col("worker_part").alias("worker_part_quarterly")
    )
    both = q.join(monthly, on=_CON, how="full", coalesce=True)
    zero = pl.lit(0, MONEY)
    both = (
        both.with_columns(
            *[
                pl.col(c).fill_null(zero)
                for c in (
                    "amount_uncapped",
                    "cap_relief",
                    "amount",
                    "worker_part_quarterly",
                    "monthly_worker",
                    "monthly_employer",
                )
            ],
        )
        .with_columns(
            (pl.col("monthly_worker") + pl.col("monthly_employer")).cast(MONEY).alias("monthly_total"),
        )
        .with_columns(
            (pl.col("amount_uncapped") - pl.col("monthly_total")).cast(MONEY).alias("rounding_regularisation"),
            (pl.col("worker_part_quarterly") - pl.col("monthly_worker")).cast(MONEY).alias("worker_part_difference"),
            (pl.col("amount") - pl.col("monthly_worker")).cast(MONEY).alias("employer_part_quarterly"),
        )
        .with_columns(
            (pl.col("employer_part_quarterly") - pl.col("monthly_employer"))
            .cast(MONEY)
            .alias("employer_regularisation"),
        )
    )
    cols = [
        *_CON,
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
    ]
    return both.select(cols).sort(_CON)


def _masked(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(mask_expr(pl.col("niss")).alias("niss"))


def _person_cols(wl: pl.DataFrame) -> pl.DataFrame:
    return wl.select(*_WL, "natural_person_seq", "employee_ids", "last_name", "first_name")


def _summarise(warnings: list[str], examples: int = 3) -> dict[str, Any]:
    """Schema-valid but incomplete zones (dmfa_xml.declaration_warnings), counted per zone, with
    the first few messages (they name persons by sequence number, never by NISS)."""
    counts: dict[str, int] = {}
    for message in warnings:
        zone = message.split(":", 1)[0]
        counts[zone] = counts.get(zone, 0) + 1
    return {"counts": dict(sorted(counts.items())), "examples": warnings[:examples]}


def _declaration_frames(
    employer_id: str,
    wl: pl.DataFrame,
    occ: pl.DataFrame,
    svc: pl.DataFrame,
    contrib: pl.DataFrame,
) -> dict[str, pl.DataFrame]:
    """The DeclarationInput frames of one employer (explicit columns only: the writer turns any
    optional column it knows, e.g. worker_status, into a zone)."""
    w = wl.filter(pl.col("employer_id") == employer_id)
    o = occ.filter(pl.col("employer_id") == employer_id)
    keys = o.select("employee_id", "occupation_no", "niss", "worker_code", "occupation_seq")
    s = svc.join(keys, on=["employee_id", "occupation_no"], how="inner")
    return {
        "worker_lines": w.select(
            "niss",
            "worker_code",
            pl.col("employer_category").alias("employer_class"),
            "border",
            "quarter_start",
            "quarter_end",
            "natural_person_seq",
        ),
        "occupations": o.select(
            "niss",
            "worker_code",
            "occupation_seq",
            "start",
            "end",
            "joint_committee",
            "working_days_system",
            pl.col("dmfa_contract_type").alias("contract_type"),
            "mean_working_hours",
            "ref_mean_working_hours",
        ),
        "services": s.select(
            "niss", "worker_code", "occupation_seq", pl.col("service_code").cast(pl.String), "days", "hours"
        ),
        "remuns": o.filter(pl.col("remuneration") > 0).select(
            "niss",
            "worker_code",
            "occupation_seq",
            pl.lit(REMUN_CODE_ORDINARY).alias("remun_code"),
            pl.col("remuneration").alias("amount"),
        ),
        "contributions": contrib.filter((pl.col("employer_id") == employer_id) & (pl.col("basis") > 0)).select(
            "niss",
            "worker_code",
            "contribution_worker_code",
            "contribution_type",
            "basis",
            "amount",
        ),
    }


def compute_quarter(
    data: QuarterInput, params: Parameters, run_date: dt.date, options: DmfaOptions | None = None
) -> QuarterResult:
    """Aggregate the quarter, render and validate one declaration per employer (no I/O).

    ``run_date`` is the FormCreationDate of every declaration (no wall clock). Raises
    :class:`DmfaDeclarationError` when a declaration does not validate against the schema, and
    :class:`RunStoreError` when the stored monthly contribution lines do not add up to the stored
    payroll lines (the monthly runs would not reconcile).
    """
    quarter = data.quarter
    q_start, q_end = quarter_bounds(quarter)
    months = employee_months(data.payroll_lines, data.employees, quarter)
    occ = occupations(months, data.history_employees, quarter, params, options)
    svc, anomalies = services(occ, data.guaranteed_wage_days, quarter)
    wl = worker_lines(months, occ, data.employers, quarter)
    contrib = quarterly_contributions(wl, params, quarter)
    monthly = monthly_contributions(data.contribution_lines, months)
    recon = reconciliation(contrib, monthly)

    # Cross-check the run store itself: contribution lines vs payroll-line totals per employer.
    stored = data.payroll_lines.filter(
        pl.col("worker_code").is_not_null() & pl.col("period").is_in(quarter_periods(quarter))
    )
    stored_totals = stored.group_by("employer_id").agg(
        (pl.col("worker_contribution").sum() + pl.col("employer_contribution").sum()).cast(MONEY).alias("payroll_lines")
    )
    line_totals = monthly.group_by("employer_id").agg(
        (pl.col("monthly_worker").sum() + pl.col("monthly_employer").sum()).cast(MONEY).alias("contribution_lines")
    )
    check = stored_totals.join(line_totals, on="employer_id", how="full", coalesce=True).with_columns(
        pl.col("payroll_lines").fill_null(0), pl.col("contribution_lines").fill_null(0)
    )
    if check.filter(pl.col("payroll_lines") != pl.col("contribution_lines")).height:
        bad = (
            check.filter(pl.col("payroll_lines") != pl.col("contribution_lines"))
            .get_column("employer_id")
            .sort()
            .to_list()
        )
        raise RunStoreError(
            f"{quarter}: stored contribution lines do not add up to the stored payroll-line contributions "
            f"for employer(s) {', '.join(bad)}; rerun those months"
        )

    per_line = recon.group_by(_WL).agg(
        *[
            pl.col(c)
            .filter(pl.col("contribution_worker_code") == pl.col("worker_code"))
            .sum()
            .cast(MONEY)
            .alias(f"worker_code_{c}")
            for c in ("amount", "cap_relief")
        ],
        pl.col("amount").sum().cast(MONEY).alias("total_contributions"),
        pl.col("monthly_worker").sum().cast(MONEY).alias("monthly_worker"),
        pl.col("monthly_employer").sum().cast(MONEY).alias("monthly_employer"),
        pl.col("rounding_regularisation").sum().cast(MONEY).alias("rounding_regularisation"),
        pl.col("cap_relief").sum().cast(MONEY).alias("cap_relief"),
    )
    wl_code = contrib.filter(pl.col("contribution_worker_code") == pl.col("worker_code")).select(
        *_WL, pl.col("basis").alias("contribution_basis"), "basis_capped", "employer_cap_quarter"
    )
    days = (
        svc.join(occ.select("employee_id", "occupation_no", *_WL), on=["employee_id", "occupation_no"])
        .group_by(_WL)
        .agg(
            *[
                pl.col("days").filter(pl.col("service_code") == c).sum().cast(DAYS).alias(f"days_code{c}")
                for c in (SERVICE_WORK, *INCAPACITY_SERVICE_CODES)
            ]
        )
    )
    zero = pl.lit(0, MONEY)
    worker_table = (
        wl.join(days, on=_WL, how="left")
        .join(wl_code, on=_WL, how="left")
        .join(per_line, on=_WL, how="left")
        .with_columns(
            pl.lit(quarter).alias("quarter"),
            *[pl.col(f"days_code{c}").fill_null(pl.lit(0, DAYS)) for c in (SERVICE_WORK, *INCAPACITY_SERVICE_CODES)],
            *[
                pl.col(c).fill_null(zero)
                for c in (
                    "contribution_basis",
                    "worker_code_amount",
                    "worker_code_cap_relief",
                    "total_contributions",
                    "monthly_worker",
                    "monthly_employer",
                    "rounding_regularisation",
                    "cap_relief",
                )
            ],
        )
    )
    person = _person_cols(wl)
    tables = {
        "dmfa_worker_lines": _masked(
            worker_table.select(
                "employer_id",
                "quarter",
                "natural_person_seq",
                "employee_ids",
                "last_name",
                "first_name",
                "niss",
                "worker_code",
                "worker_status",
                pl.col("employer_category").alias("employer_class"),
                "border",
                "residence_country",
                "work_country",
                "occupations",
                *[f"days_code{c}" for c in (SERVICE_WORK, *INCAPACITY_SERVICE_CODES)],
                "remuneration_code1",
                "contribution_basis",
                "employer_cap_quarter",
                "basis_capped",
                pl.col("worker_code_amount").alias("worker_code_contribution"),
                pl.col("worker_code_cap_relief").alias("worker_code_cap_relief"),
                "total_contributions",
                "monthly_worker",
                "monthly_employer",
                "rounding_regularisation",
                "cap_relief",
            ).sort("employer_id", "natural_person_seq", "worker_code")
        ),
        "dmfa_occupations": _masked(
            occ.join(person.select(*_WL, "natural_person_seq"), on=_WL)
            .select(
                "employer_id",
                pl.lit(quarter).alias("quarter"),
                "natural_person_seq",
                "employee_id",
                "last_name",
                "first_name",
                "niss",
                "worker_code",
                "occupation_seq",
                "months",
                "start",
                "end",
                "span_start",
                "span_end",
                "contract_type",
                "contract_start",
                "contract_end",
                pl.col("dmfa_contract_type"),
                "work_fraction",
                "weekly_work_days",
                "joint_committee",
                "ref_mean_working_hours",
                "mean_working_hours",
                pl.col("remuneration").alias("remuneration_code1"),
            )
            .sort("employer_id", "natural_person_seq", "worker_code", "occupation_seq")
        ),
        "dmfa_services": _masked(
            svc.join(
                occ.select("employee_id", "occupation_no", *_WL, "occupation_seq", "last_name", "first_name"),
                on=["employee_id", "occupation_no"],
            )
            .join(person.select(*_WL, "natural_person_seq"), on=_WL)
            .select(
                "employer_id",
                pl.lit(quarter).alias("quarter"),
                "natural_person_seq",
                "employee_id",
                "last_name",
                "first_name",
                "niss",
                "worker_code",
                "occupation_seq",
                "service_code",
                "days",
                "hours",
            )
            .sort("employer_id", "natural_person_seq", "worker_code", "occupation_seq", "service_code")
        ),
        "dmfa_contributions": _masked(
            contrib.join(person, on=_WL)
            .select(
                "employer_id",
                pl.lit(quarter).alias("quarter"),
                "natural_person_seq",
                "employee_ids",
                "last_name",
                "first_name",
                "niss",
                "worker_code",
                "contribution_worker_code",
                "contribution_type",
                "contributions",
                "parameters",
                "basis",
                "employer_cap_quarter",
                "basis_capped",
                "rate",
                "amount_uncapped",
                "cap_relief",
                "amount",
                "worker_part",
            )
            .sort("employer_id", "natural_person_seq", "worker_code", "contribution_worker_code", "contribution_type")
        ),
        "dmfa_reconciliation": _masked(
            recon.join(person, on=_WL, how="left")
            .select(
                "employer_id",
                pl.lit(quarter).alias("quarter"),
                "natural_person_seq",
                "employee_ids",
                "last_name",
                "first_name",
                *[c for c in recon.columns if c != "employer_id"],
            )
            .sort("employer_id", "natural_person_seq", "worker_code", "contribution_worker_code", "contribution_type")
        ),
    }

    # One declaration per employer (a loop per employer: each is its own file and schema check).
    employers = (
        wl.select("employer_id", "enterprise_number", "name", "local_unit_id").unique("employer_id").sort("employer_id")
    )
    declarations: dict[str, bytes] = {}
    summary: dict[str, Any] = {}
    code = quarter_code(quarter)
    for row in employers.iter_rows(named=True):
        eid = row["employer_id"]
        frames = _declaration_frames(eid, wl, occ, svc, contrib)
        mine = recon.filter(pl.col("employer_id") == eid)
        total = Decimal(frames["contributions"].get_column("amount").sum() or 0)
        deductions = Decimal(0)  # no deduction (work bonus 0001, structural reduction 3000) is computed yet
        declared_all = Decimal(mine.get_column("amount").sum() or 0)
        if declared_all != total:  # a contribution on a zero basis would be left out of the XML
            raise DmfaDeclarationError(f"{quarter}, employer {eid}: contributions with a zero basis carry an amount")
        decl = DeclarationInput(
            employer={
                "employer_id": eid,
                "enterprise_number": row["enterprise_number"],
                "local_unit_id": row["local_unit_id"],
                "quarter": quarter,
                "net_owed_amount": total - deductions,
                "form_creation_date": run_date,
                "reference": f"{DECLARATION_REFERENCE_PREFIX}{code}-{eid}",
            },
            **frames,
        )
        xml = render_declaration(decl)
        errors = validate_declaration(xml)
        if errors:
            shown = "; ".join(errors[:5]) + (f"; ... {len(errors) - 5} more" if len(errors) > 5 else "")
            raise DmfaDeclarationError(f"{quarter}, employer {eid}: the DmfA declaration does not validate: {shown}")
        name = f"dmfa_{eid}_{code}.xml"
        declarations[name] = xml

        def s(col: str, frame: pl.DataFrame = mine) -> str:
            value = frame.get_column(col).sum() if frame.height else 0
            return str(Decimal(value or 0).quantize(Decimal("0.01")))

        summary[eid] = {
            "declaration": name,
            "employer_name": row["name"],
            "worker_lines": frames["worker_lines"].height,
            "occupations": frames["occupations"].height,
            "remuneration_code1": s("amount", frames["remuns"]),
            "monthly_contributions": s("monthly_total"),
            "rounding_regularisation": s("rounding_regularisation"),
            "cap_relief": s("cap_relief"),
            "contributions": str(total),
            "deductions": str(deductions),
            "net_owed_amount": str(total - deductions),
            "reconciles": Decimal(s("monthly_total")) + Decimal(s("rounding_regularisation")) + Decimal(s("cap_relief"))
            == total,
            "warnings": _summarise(declaration_warnings(decl)),
        }

    in_force = params.table(q_start)
    manifest = {
        "quarter": quarter,
        "quarter_start": str(q_start),
        "quarter_end": str(q_end),
        "run_date": str(run_date),
        "code_version": __version__,
        "code_sha256": code_hash(),
        "parameter_bundle_sha256": params.bundle_hash,
        "parameters_not_verified": in_force.filter(pl.col("status") != "verified").get_column("parameter").to_list(),
        "source_runs": data.source_runs,
        "assumptions": {
            "reference_weekly_hours": str(params.value("dmfa/reference_weekly_hours", q_start)),
            "joint_committee_default": dict(sorted((options or DmfaOptions()).joint_committee.items())),
            "deductions": "none computed (work bonus 0001, structural reduction 3000 not implemented)",
        },
        "anomalies": anomalies,
        "employers": summary,
    }
    identity = json.dumps(
        {
            "quarter": quarter,
            "run_date": str(run_date),
            "params": params.bundle_hash,
            "code": manifest["code_sha256"],
            "runs": {p: r.get("run_id") for p, r in sorted(data.source_runs.items())},
        },
        sort_keys=True,
    )
    manifest["run_id"] = hashlib.sha256(identity.encode()).hexdigest()
    return QuarterResult(quarter, tables, declarations, manifest)


# --------------------------------------------------------------------------------------------
# 3. Writing (I/O)
# --------------------------------------------------------------------------------------------
def write_quarter(result: QuarterResult, out: Path, overwrite: bool = False) -> Path:
    """Write the XML declarations, the tables (Parquet + CSV) and ``manifest.json`` atomically.

    Same contract as :func:`pipeline.outputs.audit.write_run` (staging folder renamed into place; an
    existing non-empty folder is replaced only with ``overwrite``, else
    :class:`OutputExistsError`, exit 5), plus the XML files, each with its SHA-256 in the manifest.
    """
    return write_run(Path(out), result.tables, result.manifest, overwrite=overwrite, files=result.declarations)


def export_quarter(
    store: RunStore,
    quarter: str,
    out: Path,
    run_date: dt.date,
    params: Parameters,
    overwrite: bool = False,
    options: DmfaOptions | None = None,
) -> dict[str, Any]:
    """Read, aggregate, validate and write the quarter's DmfA export; returns the manifest."""
    result = compute_quarter(read_quarter(store, quarter), params, run_date, options)
    write_quarter(result, out, overwrite)
    return json.loads((Path(out) / "manifest.json").read_text(encoding="utf-8"))
