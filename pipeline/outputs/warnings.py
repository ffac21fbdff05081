"""The warnings of a monthly run: facts a person must see that reject no row (data-contract v2,
"Warnings"). They go to the manifest (``warnings``: code, message, count, in a stable order), the
console summary and the report.

Derived in two parts so that a partitioned run gives the same list as a single run:

- :func:`input_facts`, from the inputs as read (which files and columns are absent);
- :func:`row_facts`, from the validated rows and the payroll lines of one batch or partition,
  additive over partitions (:func:`merge_row_facts`);

then :func:`derive` turns them, with the parameters in force that are not verified, into the list.

What is warned, in this order:

1. ``file_error``: an input lacks a required column; its rows cannot be computed and nothing of
   the batch is finalised in the run store;
2. ``employers_missing``: no employers file: each employer is taken as category 000 with a
   workforce of 0 (the input's defaults), so the small-employer FFE rate applies and neither the
   special contribution of larger employers (DmfA 855) nor the CPAE social fund of category 010
   (DmfA 831) is due (ONSS administrative instructions, "Cotisations patronales spéciales");
3. ``column_default``: an optional column is absent from its file: its default is assumed for
   every row (one warning per file and column);
4. ``nothing_computed``: employers of the batch (valid employers or employees rows) for whom no
   payroll line was computed: their month is not finalised in the run store;
5. ``household_missing``: where the CSSS is computed, workers without a tax household are computed
   on the scale of a single person (Law of 30 March 1994, art. 106-112; ONSS DmfA instructions);
6. ``parameters_not_verified``: legal parameters in force whose value is not verified against its
   official source;
7. ``out_of_period``: pay rows of months after the run's period: out of this run's scope, not
   computed, not rejected (an export of a quarter can be run month by month).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import polars as pl

from schemas.inputs import INPUTS

EMPLOYER_COLUMN_EFFECT = {
    "employer_category": "no CPAE social fund (DmfA 831, category 010) is computed",
    "workforce": "the small-employer FFE rate applies and the special contribution of larger employers "
    "(DmfA 855) is not due",
    "commercial": "the FFE rates of commercial employers apply",
}
"""What the default of an employers column changes in the contributions."""

SHOWN_NAMES = 5


def input_facts(inputs: Mapping[str, Any]) -> dict[str, Any]:
    """Which inputs and columns are absent. ``inputs``: name -> an intake ``RawInput`` (or an object
    with its ``path``, ``rows`` and ``missing_columns``)."""
    defaults, errors = [], []
    for name, spec in INPUTS.items():
        item = inputs.get(name)
        if item is None:
            continue
        for column in getattr(item, "missing_columns", ()):
            col = spec.col(column)
            if col.required:
                errors.append({"file": item.path.name, "column": column, "rows": item.rows})
            elif col.default is not None:
                defaults.append(
                    {"input": name, "file": item.path.name, "column": column, "default": col.default, "rows": item.rows}
                )
    return {"employers_file": "employers" in inputs, "column_defaults": defaults, "file_errors": errors}


def employer_ids(frames: Mapping[str, pl.DataFrame]) -> pl.Series:
    """The employer_ids of the ``employers`` and ``employees`` rows of ``frames`` (those present),
    unique, sorted (as Python sorts text: polars sorts UTF-8 bytes, the order of code points)."""
    ids = [frames[n].select(pl.col("employer_id").cast(pl.String)) for n in ("employers", "employees") if n in frames]
    found = pl.concat(ids) if ids else pl.DataFrame(schema={"employer_id": pl.String})
    return found.get_column("employer_id").drop_nulls().unique().sort()


def row_facts(frames: Mapping[str, pl.DataFrame], payroll_lines: pl.DataFrame, period: str) -> dict[str, Any]:
    """Counts from the validated rows (``frames``, by input) and the run's payroll lines."""
    pay = frames["pay"]
    later = pay.filter(pl.col("period") > period)
    household = 0
    employees = frames["employees"]
    if "csss" in payroll_lines.columns and "household" in employees.columns:
        missing = employees.filter(pl.col("household").is_null()).select("employee_id")
        belgian = payroll_lines.filter(pl.col("worker_code").is_not_null()).select("employee_id")
        household = belgian.join(missing, on="employee_id", how="semi").height
    return {
        "out_of_period": later.height,
        "later_months": sorted(later.get_column("period").unique().to_list()),
        "employers": payroll_lines.get_column("employer_id").drop_nulls().unique().sort().to_list(),
        "batch_employers": employer_ids({n: frames[n] for n in ("employers", "employees")}).to_list(),
        "household_missing": household,
    }


def merge_row_facts(parts: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The row facts of a whole batch from those of its partitions."""
    parts = list(parts)
    return {
        "out_of_period": sum(p["out_of_period"] for p in parts),
        "later_months": sorted({m for p in parts for m in p["later_months"]}),
        "employers": sorted({e for p in parts for e in p["employers"]}),
        "batch_employers": sorted({e for p in parts for e in p["batch_employers"]}),
        "household_missing": sum(p["household_missing"] for p in parts),
    }


def _names(names: list[str]) -> str:
    more = f" and {len(names) - SHOWN_NAMES} more" if len(names) > SHOWN_NAMES else ""
    return ", ".join(names[:SHOWN_NAMES]) + more


def _warning(code: str, message: str, count: int) -> dict[str, Any]:
    return {"code": code, "message": message, "count": count}


def derive(
    inputs: Mapping[str, Any], rows: Mapping[str, Any], not_verified: list[str], period: str
) -> list[dict[str, Any]]:
    """The run's warnings (code, message, count), in the order of the module docstring."""
    found = [
        _warning(
            "file_error",
            f"{e['file']} has no column {e['column']} (required): its {e['rows']} rows cannot be computed and "
            "nothing of this batch is finalised in the run store",
            e["rows"],
        )
        for e in inputs["file_errors"]
    ]
    if not inputs["employers_file"]:
        employers = rows["employers"]
        found.append(
            _warning(
                "employers_missing",
                f"no employers file: employer category 000 and workforce 0 assumed for {len(employers)} employer(s): "
                f"{EMPLOYER_COLUMN_EFFECT['workforce']}, and {EMPLOYER_COLUMN_EFFECT['employer_category']}",
                len(employers),
            )
        )
    for d in sorted(inputs["column_defaults"], key=lambda d: (d["input"], d["column"])):
        effect = EMPLOYER_COLUMN_EFFECT.get(d["column"]) if d["input"] == "employers" else None
        found.append(
            _warning(
                "column_default",
                f"{d['file']} has no column {d['column']}: {d['default']} assumed for its {d['rows']} rows"
                + (f" ({effect})" if effect else ""),
                d["rows"],
            )
        )
    idle = sorted(set(rows["batch_employers"]) - set(rows["employers"]))
    if idle:
        found.append(
            _warning(
                "nothing_computed",
                f"no payroll line computed for {len(idle)} employer(s) of the batch ({_names(idle)}): their month is "
                "not finalised in the run store, and their quarter's DmfA export will refuse it",
                len(idle),
            )
        )
    if rows["household_missing"]:
        n = rows["household_missing"]
        found.append(
            _warning(
                "household_missing",
                f"{n} worker(s) without a tax household: their CSSS is computed on the scale of a single person",
                n,
            )
        )
    if not_verified:
        found.append(
            _warning(
                "parameters_not_verified",
                f"{len(not_verified)} legal parameter(s) in force in {period} are not verified against their official "
                "source (listed under parameters_not_verified)",
                len(not_verified),
            )
        )
    if rows["out_of_period"]:
        n = rows["out_of_period"]
        found.append(
            _warning(
                "out_of_period",
                f"{n} pay row(s) of months after {period} ({_names(rows['later_months'])}) are out of this run's "
                "scope: not computed, not rejected; run those months separately",
                n,
            )
        )
    return found
