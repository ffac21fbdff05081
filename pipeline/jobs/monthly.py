"""One monthly payroll batch, end to end: read -> validate -> compute -> write.

The four steps are plain functions so the typer CLI and the Prefect flow run exactly the same
code (the flow wraps each step in a thin task). Rules plug in at :func:`compute`:

1. guaranteed wage on sickness (``guaranteed_wage``, contract computation 1);
2. ONSS base and contributions (``contributions``, computations 2 and 3);
3. withholding-tax applicability (``withholding``, computation 4);
4. ONEM compensation allowance (``onem_allowance``, computation 5).

Belgian residents employed in the Netherlands or France are on a foreign payroll: they get the
allowance, and neither Belgian ONSS nor Belgian withholding (rules-reference §5.5).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import polars as pl

from pipeline import __version__
from pipeline.core import rejects
from pipeline.core.money import MONEY, SHARE
from pipeline.core.params import Parameters, default_parameters
from pipeline.core.periods import month_start
from pipeline.intake.reading import Profile, RawInput, read_batch
from pipeline.intake.validation import ValidatedBatch, validate_batch
from pipeline.outputs.audit import code_hash, write_run
from pipeline.outputs.run_store import RunStore
from pipeline.rules.contributions import contribution_lines, onss_base, totals, worker_code
from pipeline.rules.guaranteed_wage import compute_guaranteed_wage
from pipeline.rules.onem_allowance import compute_onem_allowance, employed_abroad_expr
from pipeline.rules.withholding import decide_withholding

PAYROLL_COLUMNS = [
    "employee_id",
    "period",
    "employer_id",
    "worker_code",
    "worker_status",
    "residence_country",
    "work_country",
    "work_fraction",
    "gross_salary",
    "guaranteed_wage_onss",
    "guaranteed_wage_exempt",
    "onss_base",
    "worker_contribution",
    "employer_contribution",
    "withholding_applies",
    "withholding_reason",
    "taxable_share_be",
    "regularisation_required",
    "regularisation_periods",
    "onem_allowance",
    "days_worked_be",
    "days_worked_residence",
    "days_worked_other",
    "zone_exit_days",
]
EMPLOYED_ABROAD_REASON = "EMPLOYED_ABROAD_NO_BE_PAYROLL"
EMPLOYER_DEFAULTS = {"employer_category": "000", "workforce": 0, "commercial": True}


@dataclass
class BatchResult:
    period: str
    tables: dict[str, pl.DataFrame]  # the audit tables of the contract
    store_tables: dict[str, pl.DataFrame]  # what the run store keeps for later runs
    manifest: dict[str, Any]
    explanations: dict[str, Any] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        return 3 if self.tables["rejects"].height else 0


def load(input_dir: Path, profile: str | Path | None = None) -> tuple[Profile, dict[str, RawInput]]:
    """Step 1: read every input of the batch folder through the mapping profile."""
    prof = Profile.load(profile)
    return prof, read_batch(Path(input_dir), prof)


def check(raw: dict[str, RawInput]) -> ValidatedBatch:
    """Step 2: validate every input in one pass (pandera + cross-file rules).

    The text frames are not needed after validation (the typed rows are in the result): ``raw``
    is updated in place to keep only each input's metadata and line numbers (path, SHA-256,
    dialect, ``source_file`` / ``source_line``), which is what :func:`manifest` reads. At 1,000,000
    employee-months this frees about 0.5 GB before the rules run (docs/performance.md).
    """
    validated = validate_batch(raw)
    for name, item in raw.items():
        raw[name] = replace(item, frame=item.frame.select("source_file", "source_line"))
    return validated


def _history(current: pl.DataFrame, store: RunStore | None, table: str, key: list[str], keep: pl.Expr) -> pl.DataFrame:
    """Input rows plus stored rows of earlier runs that the input does not repeat (input wins)."""
    if store is None:
        return current
    stored = store.read(table)
    if stored is None or stored.height == 0:
        return current
    stored = stored.filter(keep).select(current.columns).cast(current.schema)
    return pl.concat([current, stored.join(current.select(key), on=key, how="anti")])


def _with_employer(employees: pl.DataFrame, employers: pl.DataFrame) -> pl.DataFrame:
    cols = ["employer_id", *EMPLOYER_DEFAULTS]
    out = employees.join(employers.select(cols), on="employer_id", how="left")
    return out.with_columns(pl.col(name).fill_null(value) for name, value in EMPLOYER_DEFAULTS.items())


_ABROAD = "__employed_abroad"


def _per_employee(frame: pl.DataFrame, period: str) -> pl.DataFrame:
    """A rule's (employee_id, period) table of the run period, keyed by employee_id alone.

    Every row of the run's lines has ``period``, so joining on employee_id only is the same
    join on one string key instead of two.
    """
    if frame.height and frame.filter(pl.col("period") != period).height:
        raise ValueError(f"rule output holds rows outside the run period {period}")
    return frame.drop("period")


def _sorted_by_employee(frame: pl.DataFrame, period: str) -> bool:
    """True when rows of the one ``period`` are already in employee_id order (sorting would change nothing:
    employee_id is unique within a period)."""
    return frame.get_column("employee_id").is_sorted() and (
        frame.height == 0 or frame.select((pl.col("period") == period).all()).item()
    )


def _attach(lines: pl.DataFrame, parts: list[pl.DataFrame]) -> pl.DataFrame:
    """``lines`` left-joined on employee_id with per-employee tables (unique employee_id each).

    Only the key column goes through the joins (order kept), and the joined columns are put
    beside the lines: the wide lines frame is not gathered once per join.
    """
    keys = lines.select("employee_id").lazy()
    for part in parts:
        keys = keys.join(part.lazy(), on="employee_id", how="left", maintain_order="left")
    extra = keys.collect()
    if extra.height != lines.height:
        raise ValueError("a per-employee table repeats an employee_id")
    return lines.hstack(extra.drop("employee_id"))


def compute(
    checked: ValidatedBatch,
    period: str,
    params: Parameters | None = None,
    store: RunStore | None = None,
    part_time_reading: str = "prorated",
) -> tuple[dict[str, pl.DataFrame], dict[str, pl.DataFrame]]:
    """Step 3: every rule for the run period. Returns (audit tables, tables for the run store)."""
    params = params or default_parameters()
    start = month_start(period)
    frames = checked.frames
    employees = _with_employer(frames["employees"], frames["employers"])
    year = period[:4]
    pay_input = frames["pay"]
    later = pay_input.filter(pl.col("period") > period)
    pay = _history(
        pay_input.filter(pl.col("period") <= period),
        store,
        "pay",
        ["employee_id", "period"],
        (pl.col("period") < period) & pl.col("period").str.starts_with(year),
    )
    absences = _history(
        frames["absences"], store, "absences", ["employee_id", "start_date"], pl.col("start_date") < start
    )
    found = [
        checked.rejects,
        rejects.from_rows(
            later,
            "period",
            "period_after_run",
            f"pay row for a month after the run period {period}: not computed in this run",
        ),
    ]

    # One left join of the period's pay rows with the employees gives every split at once: the
    # employee columns of the payroll lines, the known / employed-abroad flags, and (through
    # order-keeping masks) the pay rows each rule gets. String joins on employee_id are the
    # costly operation at a million rows, so each is made once (employee_id is unique in the
    # validated employees, and (employee_id, period) in the validated pay rows).
    abroad_flag = employees.select(employed_abroad_expr().fill_null(False)).to_series()
    abroad = employees.filter(abroad_flag)
    domestic = employees.filter(~abroad_flag)
    now = pay.filter(pl.col("period") == period)
    joined = now.join(
        employees.with_columns(abroad_flag.alias(_ABROAD)),
        on="employee_id",
        how="left",
        suffix="_employee",
        maintain_order="left",
    )
    flag = joined.get_column(_ABROAD)  # null: no employee row
    now_domestic = now.filter(flag.not_())
    now_abroad = now.filter(flag)
    if pay.height == now.height:  # no earlier month: the history is the period itself
        pay_domestic = now_domestic
    else:
        pay_domestic = pay.join(domestic.select("employee_id"), on="employee_id", how="semi", maintain_order="left")

    gw = compute_guaranteed_wage(domestic, absences, now_domestic, period, params)
    wh = decide_withholding(domestic, pay_domestic, period, params)
    allowance, onem_rejects = compute_onem_allowance(abroad, now_abroad, period, params, part_time_reading)
    found += [gw.rejects, wh.rejects, onem_rejects]
    all_rejects = rejects.combine(*found)

    # Pay rows of the period that a rule rejected are not computed (they are in rejects).
    fallen = rejects.rejected_mask(now, all_rejects)
    computed = flag.is_not_null() & ~fallen
    lines = joined.filter(computed)
    gw_paid = gw.monthly.filter((pl.col("guaranteed_wage_onss") != 0) | (pl.col("guaranteed_wage_exempt") != 0))
    lines = (
        _attach(lines, [_per_employee(gw_paid, period)])
        .lazy()
        .with_columns(
            pl.col("guaranteed_wage_onss").fill_null(0).cast(MONEY),
            pl.col("guaranteed_wage_exempt").fill_null(0).cast(MONEY),
        )
        .with_columns(
            pl.when(_ABROAD).then(None).otherwise(worker_code()).alias("worker_code"),
            pl.when(_ABROAD).then(None).otherwise(onss_base(params, start)).alias("onss_base"),
        )
        .collect()
    )
    is_abroad = pl.col(_ABROAD)
    contrib = contribution_lines(lines, params, start)
    wh_columns = [
        "withholding_applies",
        "withholding_reason",
        "taxable_share_be",
        "regularisation_required",
        "regularisation_periods",
    ]
    onem = allowance.select("employee_id", "period", pl.col("amount").alias("onem_allowance"))
    payroll_lines = (
        _attach(
            lines.select(*(c for c in lines.columns if c in PAYROLL_COLUMNS), _ABROAD),
            [
                _per_employee(totals(contrib), period),
                _per_employee(wh.lines.select("employee_id", "period", *wh_columns), period),
                _per_employee(onem, period),
            ],
        )
        .lazy()
        .with_columns(
            pl.when(is_abroad)
            .then(pl.lit(0, MONEY))
            .otherwise(pl.col("worker_contribution").fill_null(0))
            .cast(MONEY)
            .alias("worker_contribution"),
            pl.when(is_abroad)
            .then(pl.lit(0, MONEY))
            .otherwise(pl.col("employer_contribution").fill_null(0))
            .cast(MONEY)
            .alias("employer_contribution"),
            pl.when(is_abroad).then(False).otherwise(pl.col("withholding_applies")).alias("withholding_applies"),
            pl.when(is_abroad)
            .then(pl.lit(EMPLOYED_ABROAD_REASON))
            .otherwise(pl.col("withholding_reason"))
            .alias("withholding_reason"),
            pl.when(is_abroad)
            .then(pl.lit(0, SHARE))
            .otherwise(pl.col("taxable_share_be"))
            .cast(SHARE)
            .alias("taxable_share_be"),
            pl.when(is_abroad)
            .then(False)
            .otherwise(pl.col("regularisation_required"))
            .fill_null(False)
            .alias("regularisation_required"),
            pl.when(is_abroad)
            .then(pl.lit(""))
            .otherwise(pl.col("regularisation_periods"))
            .fill_null("")
            .alias("regularisation_periods"),
            pl.col("onem_allowance").fill_null(0).cast(MONEY),
        )
        .select(PAYROLL_COLUMNS)
        .collect()
    )
    if not _sorted_by_employee(payroll_lines, period):
        payroll_lines = payroll_lines.sort("employee_id", "period")

    # Decisions of the pay rows that are computed (a decided row can fall with another rule's reject).
    fallen_ids = now.filter(fallen).get_column("employee_id")
    tables_wh = wh.lines.filter(~pl.col("employee_id").is_in(fallen_ids.implode()).fill_null(False))
    tables = {
        "payroll_lines": payroll_lines,
        "contribution_lines": contrib,
        "guaranteed_wage_days": gw.days,
        "onem_allowance": allowance,
        "withholding_decisions": tables_wh,
        "parameters": params.in_force(start),
        "rejects": all_rejects,
    }
    store_tables = {
        "payroll_lines": payroll_lines,
        "contribution_lines": contrib,
        "guaranteed_wage_days": gw.days,
        "onem_allowance": allowance,
        "withholding_decisions": tables_wh,
        "pay": now.filter(computed),
        "employees": frames["employees"],
        "employers": frames["employers"],
        "absences": frames["absences"],
    }
    return tables, store_tables


def manifest(
    period: str,
    run_date: dt.date,
    profile: Profile,
    raw: dict[str, RawInput],
    tables: dict[str, pl.DataFrame],
    params: Parameters,
) -> dict[str, Any]:
    """The run manifest (outputs are added by the writer). No wall-clock time: only ``run_date``."""
    rej = tables["rejects"]
    counts = {}
    for name, item in sorted(raw.items()):
        rejected = rej.filter(pl.col("source_file") == item.path.name).select("source_line").n_unique()
        counts[name] = {"read": item.rows, "valid": item.rows - rejected, "rejected": rejected}
    inputs = [
        {"input": name, "name": item.path.name, "sha256": item.sha256, "rows": item.rows, "dialect": item.dialect}
        for name, item in sorted(raw.items())
    ]
    code = code_hash()
    identity = json.dumps(
        {
            "period": period,
            "run_date": str(run_date),
            "params": params.bundle_hash,
            "code": code,
            "inputs": [i["sha256"] for i in inputs],
            "profile": profile.name,
        },
        sort_keys=True,
    )
    in_force = params.table(month_start(period))
    return {
        "run_id": hashlib.sha256(identity.encode()).hexdigest(),
        "period": period,
        "run_date": str(run_date),
        "code_version": __version__,
        "code_sha256": code,
        "parameter_bundle_sha256": params.bundle_hash,
        "parameters_not_verified": in_force.filter(pl.col("status") != "verified").get_column("parameter").to_list(),
        "mapping_profile": profile.name,
        "inputs": inputs,
        "counts": counts,
        "totals": {
            "read": sum(c["read"] for c in counts.values()),
            "valid": sum(c["valid"] for c in counts.values()),
            "rejected": sum(c["rejected"] for c in counts.values()),
            "computed": tables["payroll_lines"].height,
        },
    }


def publish(
    result: BatchResult, out: Path, overwrite: bool = False, store: RunStore | None = None, finalise: bool = True
) -> Path:
    """Step 4: write the audit files atomically, then keep the period in the run store."""
    path = write_run(out, result.tables, result.manifest, overwrite=overwrite)
    if store is not None:
        keep(store, result.period, result.store_tables, result.manifest, out, finalise)
    return path


def keep(
    store: RunStore, period: str, store_tables: dict[str, pl.DataFrame], man: dict[str, Any], out: Path, finalise: bool
) -> None:
    """Save the period's tables and its info record in the run store (after the audit files)."""
    info = {
        "run_id": man["run_id"],
        "period": period,
        "run_date": man["run_date"],
        "finalised": finalise,
        "totals": man["totals"],
        "output": str(Path(out).resolve()),
    }
    store.save(period, store_tables, info)


def run_batch(
    input_dir: Path,
    period: str,
    run_date: dt.date,
    profile: str | Path | None = None,
    params: Parameters | None = None,
    store: RunStore | None = None,
    part_time_reading: str = "prorated",
) -> BatchResult:
    """Read, validate and compute one batch (no writing)."""
    params = params or default_parameters()
    prof, raw = load(input_dir, profile)
    checked = check(raw)
    tables, store_tables = compute(checked, period, params, store, part_time_reading)
    return BatchResult(period, tables, store_tables, manifest(period, run_date, prof, raw, tables, params))
