"""The manifest of a run (``manifest.json``), built in one place for every job from counts.

Every manifest opens with the same head, which pins what produced the files:

- ``run_id``: SHA-256 of the job's declared identity (what it was asked to compute and from which
  inputs) plus the code and parameter hashes, so the same request on the same code, parameters
  and inputs always gets the same id, and any change gets another;
- ``code_version`` and ``code_sha256`` (:func:`code_hash`);
- ``parameter_bundle_sha256`` and ``parameters_not_verified``: the parameters in force on the
  job's dates whose value is not verified against its official source.

The job adds its own fields (counts, source runs, ...); the writer (``audit.write_run``) adds the
list of output files with their hashes. Nothing here reads a clock: a manifest depends only on its
arguments, so a rerun writes the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import polars as pl

from pipeline import __version__
from pipeline.core.params import Parameters
from pipeline.core.periods import month_start
from pipeline.outputs import warnings as run_warnings


def code_hash() -> str:
    """SHA-256 of the program's own source (pipeline + schemas), so the manifest pins the code.

    ``pipeline/testing`` (the synthetic-batch generator for tests and benchmarks) is not part of
    it: editing a generator does not change what a run computes, so it must not change run ids.
    """
    digest = hashlib.sha256()
    root = Path(__file__).resolve().parents[2]
    excluded = root / "pipeline" / "testing"
    for package in ("pipeline", "schemas"):
        for path in sorted(p for p in (root / package).rglob("*.py") if not p.is_relative_to(excluded)):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def run_id(identity: Mapping[str, Any]) -> str:
    """SHA-256 of ``identity`` as canonical JSON (keys sorted)."""
    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()


def parameters_not_verified(params: Parameters, dates: Iterable[dt.date]) -> list[str]:
    """Names of the parameters in force on any of ``dates`` with a value not ``verified``, sorted."""
    names: set[str] = set()
    for day in dates:
        in_force = params.table(day)
        names.update(in_force.filter(pl.col("status") != "verified").get_column("parameter").to_list())
    return sorted(names)


def build(
    identity: Mapping[str, Any],
    params: Parameters,
    dates: Iterable[dt.date],
    fields: Mapping[str, Any],
    code: str | None = None,
) -> dict[str, Any]:
    """A job's manifest: the common head, then the job's ``fields``.

    ``identity``: what identifies the run besides code and parameters (e.g. the period, the run date
    and the input hashes); ``code`` and ``params`` keys are added to it before hashing. ``dates``:
    the days whose parameters in force the job used (the first day of each month computed).
    ``code``: the code hash when the caller already has it (computing it reads every source file).
    """
    code = code or code_hash()
    return {
        "run_id": run_id({**identity, "params": params.bundle_hash, "code": code}),
        "code_version": __version__,
        "code_sha256": code,
        "parameter_bundle_sha256": params.bundle_hash,
        "parameters_not_verified": parameters_not_verified(params, dates),
        **fields,
    }


# ------------------------------------------------------------------------------------------------
# The jobs' manifests
# ------------------------------------------------------------------------------------------------


def input_counts(
    inputs: Mapping[str, Any], rejects: pl.DataFrame, out_of_period: Mapping[str, int] | None = None
) -> dict[str, dict[str, int]]:
    """Rows read, valid, rejected, blank and out of the period, per input.

    ``inputs``: name -> an object with ``path``, ``rows`` (records that are not blank) and, when
    the reader counts them, ``blank`` (an intake ``RawInput``); a row is rejected when a reject
    names its file and line; ``out_of_period``: per input, the valid rows of months after the run's
    period (not computed, not rejected). ``read = valid + rejected + blank + out_of_period``.
    """
    later = out_of_period or {}
    counts = {}
    for name, item in sorted(inputs.items()):
        rejected = rejects.filter(pl.col("source_file") == item.path.name).select("source_line").n_unique()
        blank = int(getattr(item, "blank", 0))
        outside = int(later.get(name, 0))
        counts[name] = {
            "read": item.rows + blank,
            "valid": item.rows - rejected - outside,
            "rejected": rejected,
            "blank": blank,
            "out_of_period": outside,
        }
    return counts


COUNTED = ("read", "valid", "rejected", "blank", "out_of_period")


def monthly(
    period: str,
    run_date: dt.date,
    profile: str,
    inputs: Mapping[str, Any],
    rejects: pl.DataFrame,
    computed: int,
    params: Parameters,
    code: str | None = None,
    facts: Mapping[str, Any] | None = None,
    options: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Manifest of a monthly payroll run, single or partitioned (the same counts give the same bytes).

    ``inputs``: name -> ``RawInput`` (or an object with its ``path``, ``sha256``, ``rows`` and
    ``dialect``); ``rejects``: the run's rejects; ``computed``: the number of payroll lines;
    ``facts``: ``{"inputs": ..., "rows": ...}`` of :mod:`pipeline.outputs.warnings`, from which the
    ``warnings`` are derived; ``options``: the run's choices that change what it computes (e.g. the
    ONEM part-time reading when not the default), part of the run's identity and listed as
    ``options``.
    """
    facts = facts or {"inputs": run_warnings.input_facts(inputs), "rows": run_warnings.merge_row_facts([])}
    counts = input_counts(inputs, rejects, {"pay": facts["rows"]["out_of_period"]})
    listed = [
        {"input": name, "name": item.path.name, "sha256": item.sha256, "rows": item.rows, "dialect": item.dialect}
        for name, item in sorted(inputs.items())
    ]
    identity = {
        "period": period,
        "run_date": str(run_date),
        "inputs": [entry["sha256"] for entry in listed],
        "profile": profile,
        **({"options": dict(sorted(options.items()))} if options else {}),
    }
    fields = {
        "period": period,
        "run_date": str(run_date),
        "mapping_profile": profile,
        **({"options": dict(sorted(options.items()))} if options else {}),
        "inputs": listed,
        "counts": counts,
        "totals": {**{key: sum(c[key] for c in counts.values()) for key in COUNTED}, "computed": computed},
    }
    manifest = build(identity, params, [month_start(period)], fields, code)
    manifest["warnings"] = run_warnings.derive(
        facts["inputs"], facts["rows"], manifest["parameters_not_verified"], period
    )
    return manifest


def claims(
    semester: str,
    run_date: dt.date,
    source_runs: Mapping[str, str],
    months_missing: list[str],
    params: Parameters,
) -> dict[str, Any]:
    """Manifest of a semester's ONEM claim file, built from the monthly runs ``source_runs``
    (period -> run_id, or ``period/employer_id`` -> run_id when a month's employers come from
    several runs) found in the run store; ``months_missing``: the semester's other months. The
    parameters listed as not verified are those in force in the months of ``source_runs``."""
    runs = dict(sorted(source_runs.items()))
    months = sorted({key.split("/", 1)[0] for key in runs})
    identity = {"semester": semester, "run_date": str(run_date), "runs": runs}
    fields = {
        "semester": semester,
        "run_date": str(run_date),
        "source_runs": runs,
        "months_missing_from_store": months_missing,
    }
    return build(identity, params, [month_start(p) for p in months], fields)
