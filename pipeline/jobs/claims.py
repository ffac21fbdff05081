"""The claims job: the semester claim file of the ONEM frontier allowance, from the run store (Royal
Decree of 9 June 1999, art. 3: one application per calendar semester, received within three years
from the first day of the next semester)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl

from pipeline.core.params import Parameters, default_parameters
from pipeline.core.periods import semester_periods
from pipeline.errors import RunStoreError
from pipeline.outputs import manifest as manifests
from pipeline.outputs.audit import csv_entry, write_run
from pipeline.outputs.report import render_claims_report
from pipeline.outputs.run_store import RunStore
from pipeline.rules.onem_allowance import semester_claims


def worker_names(store: RunStore, periods: list[str]) -> pl.DataFrame | None:
    """``employee_id``, ``last_name``, ``first_name`` of every worker of the run store's employees
    tables of ``periods``, each as the latest of those months holds them (None when none is stored)."""
    frames = [f for p in reversed(periods) if (f := store.read("employees", [p])) is not None]
    if not frames:
        return None
    names = pl.concat([f.select("employee_id", "last_name", "first_name") for f in frames])
    return names.unique("employee_id", keep="first", maintain_order=True)


def export_claims(
    store: RunStore,
    semester: str,
    out: Path,
    run_date: dt.date,
    overwrite: bool = False,
    params: Parameters | None = None,
    lang: str | None = None,
) -> dict[str, Any]:
    """Write ``onem_claims`` (Parquet + CSV), its ``report.html`` (in ``lang``: en, fr or nl,
    default en) and a manifest for ``semester`` into ``out``.

    Every employer of the run store is read, each (employer, month) from its current version. The
    manifest names the monthly runs the claims come from (``source_runs``: month -> run id, or
    ``month/employer`` -> run id when the month's employers come from several runs), the semester's
    months missing from the store, and, like every run's, the code and parameter hashes and the
    parameters not verified in those months.
    """
    periods = semester_periods(semester)
    stored = [p for p in periods if store.current(p)]
    allowance = store.read("onem_allowance", stored) if stored else None
    if allowance is None:
        raise RunStoreError(f"no month of {semester} in the run store {store.root}")
    claims = semester_claims(allowance, semester, run_date, worker_names(store, stored))
    runs = {key: source["run_id"] for key, source in store.source_runs(stored).items()}
    missing = [p for p in periods if p not in stored]
    manifest = manifests.claims(semester, run_date, runs, missing, params or default_parameters())
    tables = {"onem_claims": claims}
    manifest["csv"] = csv_entry(tables)
    report = render_claims_report(tables, manifest, lang)
    write_run(out, tables, manifest, overwrite=overwrite, files={"report.html": report})
    return {"rows": claims.height, "manifest": manifest}
