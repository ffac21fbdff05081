"""Semester claim files of the ONEM frontier allowance, from the run store (AR 9 June 1999
art. 3: one application per calendar semester, received within three years from the first day of
the next semester)."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

from pipeline import __version__
from pipeline.core.periods import semester_periods
from pipeline.errors import RunStoreError
from pipeline.outputs.audit import write_run
from pipeline.outputs.run_store import RunStore
from pipeline.rules.onem_allowance import semester_claims


def export_claims(
    store: RunStore, semester: str, out: Path, run_date: dt.date, overwrite: bool = False
) -> dict[str, Any]:
    """Write ``onem_claims`` (Parquet + CSV) and a manifest for ``semester`` into ``out``."""
    periods = semester_periods(semester)
    stored = [p for p in periods if store.info(p) is not None]
    allowance = store.read("onem_allowance", stored) if stored else None
    if allowance is None:
        raise RunStoreError(f"no month of {semester} in the run store {store.root}")
    claims = semester_claims(allowance, semester, run_date)
    runs = {p: store.info(p)["run_id"] for p in stored}
    manifest = {
        "run_id": hashlib.sha256(f"{semester}|{run_date}|{sorted(runs.items())}".encode()).hexdigest(),
        "semester": semester,
        "run_date": str(run_date),
        "code_version": __version__,
        "source_runs": runs,
        "months_missing_from_store": [p for p in periods if p not in stored],
    }
    write_run(out, {"onem_claims": claims}, manifest, overwrite=overwrite)
    return {"rows": claims.height, "manifest": manifest}
