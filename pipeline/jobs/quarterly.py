"""The quarterly DmfA export, end to end: three finalised months of the run store -> one
declaration per employer and quarter, plus the tables a payroll officer checks.

    read_quarter -> compute_quarter (aggregate -> check against the store -> audit tables ->
    render and validate declarations -> manifest) -> write_quarter

:func:`export_quarter` chains the three steps; the CLI (``payroll dmfa``) calls it, and the
Prefect flow ``quarterly_dmfa`` wraps each step in a task. The rules are in
``pipeline.declarations.dmfa``; this module holds the file system access (the run store, the
``--joint-committees`` file, the output folder) and the manifest.

Output folder (atomic, :func:`pipeline.outputs.audit.write_run`): ``dmfa_<employer_id>_<YYYYQ>.xml``
per employer, tables ``dmfa_worker_lines``, ``dmfa_occupations``, ``dmfa_services``,
``dmfa_contributions``, ``dmfa_reconciliation`` (Parquet + CSV, NISS masked), ``report.html``
(:func:`pipeline.outputs.report.render_dmfa_report`), ``manifest.json``.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from pipeline.core.params import Parameters
from pipeline.core.periods import quarter_bounds, quarter_periods
from pipeline.declarations.dmfa.aggregate import aggregate_quarter
from pipeline.declarations.dmfa.contributions import check_stored_totals
from pipeline.declarations.dmfa.forms import declarations
from pipeline.declarations.dmfa.quarter import DEFAULT_JOINT_COMMITTEE, HISTORY_COLUMNS, DmfaOptions, QuarterInput
from pipeline.declarations.dmfa.tables import audit_tables
from pipeline.errors import InputError, RunStoreError
from pipeline.outputs import manifest as manifests
from pipeline.outputs.audit import csv_entry, write_run
from pipeline.outputs.report import render_dmfa_report
from pipeline.outputs.run_store import RunStore

JOINT_COMMITTEE_COLUMNS = ["employer_id", "worker_status", "joint_committee"]
JOINT_COMMITTEE_PATTERN = r"^\d{3}(\.\d{2}){0,2}$"
"""JointCommissionNbr [00046] as the schema writes it: NNN, NNN.NN or NNN.NN.NN."""


@dataclass
class QuarterResult:
    quarter: str
    tables: dict[str, pl.DataFrame]
    declarations: dict[str, bytes]  # file name -> XML bytes
    manifest: dict[str, Any]


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------
def _stack(
    store: RunStore, table: str, periods: list[str], employers: list[str], columns: list[str] | None = None
) -> pl.DataFrame | None:
    """One table over several stored months of ``employers``, with the month in ``period`` (snapshots have none)."""
    parts = []
    for p in periods:
        frame = store.read(table, [p], employers)
        if frame is None or frame.height == 0:
            continue
        if columns is not None:
            frame = frame.select([c for c in columns if c in frame.columns])
        if "period" not in frame.columns:
            frame = frame.with_columns(pl.lit(p).alias("period"))
        parts.append(frame)
    return pl.concat(parts, how="diagonal_relaxed") if parts else None


SHOWN_PROBLEMS = 12


def quarter_employers(store: RunStore, quarter: str, employers: list[str] | None = None) -> list[str]:
    """The employers of ``quarter`` (those with a month of it in the run store, or ``employers``),
    each having its three months current and finalised; else :class:`RunStoreError`, one line
    naming every missing or unfinalised (employer, month)."""
    periods = quarter_periods(quarter)
    months = {p: store.current(p) for p in periods}
    found = sorted(set(employers) if employers else {e for entries in months.values() for e in entries})
    if not found:
        raise RunStoreError(f"cannot export the DmfA of {quarter}: no month of it in the run store {store.root}")
    problems = []
    for employer in found:
        for p in periods:
            entry = months[p].get(employer)
            if entry is None:
                problems.append(f"employer {employer} {p}: not in the store")
            elif not entry.finalised:
                problems.append(f"employer {employer} {p}: run {entry.run_id[:12]} not finalised ({entry.reason})")
    if problems:
        more = f"; and {len(problems) - SHOWN_PROBLEMS} more" if len(problems) > SHOWN_PROBLEMS else ""
        raise RunStoreError(
            f"cannot export the DmfA of {quarter} from the run store {store.root}: "
            + "; ".join(problems[:SHOWN_PROBLEMS])
            + more
            + " (run or rerun those months, finalised)"
        )
    return found


def stored_month_warnings(source_runs: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Warnings of an export about its source months: each month (or month/employer) whose monthly
    run had rejected rows, which the export does not contain."""
    return [
        {
            "code": "month_with_rejects",
            "message": f"{key}: the monthly run {source['run_id'][:12]} had {source['rejected_rows']} rejected "
            "row(s), not declared here; correct and rerun that month (--replace) if they concern this employer",
            "count": source["rejected_rows"],
        }
        for key, source in sorted(source_runs.items())
        if source.get("rejected_rows")
    ]


def read_quarter(store: RunStore, quarter: str, employers: list[str] | None = None) -> QuarterInput:
    """Read the quarter's three finalised months of every employer (or of ``employers``) from the
    run store, each (employer, month) from its current version.

    Reads ``payroll_lines``, ``contribution_lines``, ``guaranteed_wage_days`` and the month
    snapshots of ``employees`` / ``employers``, plus the employee snapshots of earlier stored
    months (to date the start of an occupation). Raises :class:`RunStoreError` (clear message,
    exit 1) when a month of an employer is missing or not finalised (:func:`quarter_employers`),
    or when the months hold no payroll lines. ``source_runs`` records, per month, the run it
    comes from and its rejected rows, when any (:func:`stored_month_warnings`).
    """
    periods = quarter_periods(quarter)
    chosen = quarter_employers(store, quarter, employers)
    lines = _stack(store, "payroll_lines", periods, chosen)
    if lines is None:
        raise RunStoreError(f"{quarter}: the run store {store.root} holds no payroll lines for {', '.join(periods)}")
    staff = _stack(store, "employees", periods, chosen)
    if staff is None:
        raise RunStoreError(
            f"{quarter}: the run store {store.root} holds no employee snapshot for {', '.join(periods)}"
        )
    earlier = [p for p in store.months() if p < periods[0]]
    contribution_lines = _stack(store, "contribution_lines", periods, chosen)
    return QuarterInput(
        quarter=quarter,
        payroll_lines=lines,
        contribution_lines=contribution_lines if contribution_lines is not None else pl.DataFrame(),
        guaranteed_wage_days=_stack(store, "guaranteed_wage_days", periods, chosen),
        employees=staff,
        employers=_stack(store, "employers", periods, chosen),
        history_employees=_stack(store, "employees", earlier, chosen, HISTORY_COLUMNS),
        source_runs=store.source_runs(periods, chosen),
    )


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
    missing = [c for c in JOINT_COMMITTEE_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(f"joint committees file {path}: missing column(s) {', '.join(missing)}")
    frame = frame.select(JOINT_COMMITTEE_COLUMNS).with_columns(
        pl.col(c).str.strip_chars() for c in JOINT_COMMITTEE_COLUMNS
    )
    bad = frame.filter(
        ~pl.col("worker_status").is_in(list(DEFAULT_JOINT_COMMITTEE))
        | ~pl.col("joint_committee").str.contains(JOINT_COMMITTEE_PATTERN)
        | pl.struct("employer_id", "worker_status").is_duplicated()
    )
    if bad.height:
        raise InputError(
            f"joint committees file {path}: {bad.height} row(s) with an unknown worker_status, a joint committee "
            f"that is not NNN[.NN[.NN]] or a duplicate employer_id + worker_status"
        )
    return DmfaOptions(joint_committees=frame)


# --------------------------------------------------------------------------------------------
# Computing
# --------------------------------------------------------------------------------------------
def quarter_manifest(
    data: QuarterInput,
    params: Parameters,
    run_date: dt.date,
    options: DmfaOptions,
    anomalies: dict[str, int],
    employers: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    """The export's manifest (without the output file list, which :func:`write_quarter` adds):
    the quarter, code and parameter hashes, the source runs, assumptions, anomaly counts, one
    summary per employer's declaration, and the run id (a hash of quarter, run date, parameters,
    code and source runs)."""
    quarter = data.quarter
    q_start, q_end = quarter_bounds(quarter)
    identity = {
        "quarter": quarter,
        "run_date": str(run_date),
        "runs": {p: r.get("run_id") for p, r in sorted(data.source_runs.items())},
    }
    fields = {
        "quarter": quarter,
        "quarter_start": str(q_start),
        "quarter_end": str(q_end),
        "run_date": str(run_date),
        "source_runs": data.source_runs,
        "assumptions": {
            "reference_weekly_hours": str(params.value("dmfa/reference_weekly_hours", q_start)),
            "joint_committee_default": dict(sorted(options.joint_committee.items())),
            "deductions": (
                "work bonus 0001 per worker line = the sum of the monthly work-bonus lines; structural reduction "
                "3000 (category 1) per occupation computed on the quarter (W at 100 %, S and mu by days for "
                "full-time and by hours for part-time occupations, beta on mu_glob; R not rounded, Ps rounded "
                "once; not above the worker line's employer basic + wage-moderation contributions after the "
                "cap); CSSS 856 = the sum withheld; NetOwedAmount = contributions - deductions"
            ),
        },
        "anomalies": anomalies,
        "employers": employers,
    }
    return manifests.build(identity, params, [q_start], fields)


def compute_quarter(
    data: QuarterInput, params: Parameters, run_date: dt.date, options: DmfaOptions | None = None
) -> QuarterResult:
    """Aggregate the quarter, check it against the run store, build the audit tables, render and
    validate one declaration per employer, and the manifest (writes nothing).

    ``run_date`` is the FormCreationDate of every declaration (no wall clock). Raises
    :class:`~pipeline.declarations.dmfa.forms.DmfaDeclarationError` when a declaration does not
    validate against the schema, and :class:`RunStoreError` when the stored monthly contribution
    lines do not add up to the stored payroll lines (the monthly runs would not reconcile).
    """
    options = options or DmfaOptions()
    agg = aggregate_quarter(data, params, options)
    check_stored_totals(data.payroll_lines, agg.lines, data.quarter)
    tables = audit_tables(agg)
    forms = declarations(agg, run_date)
    manifest = quarter_manifest(data, params, run_date, options, agg.anomalies, forms.summaries)
    return QuarterResult(data.quarter, tables, forms.files, manifest)


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------
def write_quarter(result: QuarterResult, out: Path, overwrite: bool = False, lang: str | None = None) -> Path:
    """Write the XML declarations, the tables (Parquet + CSV), ``report.html`` (in ``lang``: en,
    fr or nl, default en) and ``manifest.json`` atomically.

    Same contract as :func:`pipeline.outputs.audit.write_run` (staging folder renamed into place; an
    existing non-empty folder is replaced only with ``overwrite``, else
    :class:`OutputExistsError`, exit 5), plus the XML files, each with its SHA-256 in the manifest.
    The manifest's ``warnings`` name the source months that had rejected rows.
    """
    manifest = {**result.manifest, "warnings": stored_month_warnings(result.manifest.get("source_runs", {}))}
    manifest["csv"] = csv_entry(result.tables)
    files = {**result.declarations, "report.html": render_dmfa_report(result.tables, manifest, lang)}
    return write_run(Path(out), result.tables, manifest, overwrite=overwrite, files=files)


def export_quarter(
    store: RunStore,
    quarter: str,
    out: Path,
    run_date: dt.date,
    params: Parameters,
    overwrite: bool = False,
    options: DmfaOptions | None = None,
    lang: str | None = None,
) -> dict[str, Any]:
    """Read, compute and write the quarter's DmfA export (its report in ``lang``); returns the manifest as written."""
    result = compute_quarter(read_quarter(store, quarter), params, run_date, options)
    written = write_quarter(result, out, overwrite, lang)
    return json.loads((written / "manifest.json").read_text(encoding="utf-8"))
