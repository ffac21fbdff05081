"""The warnings of a monthly run: facts a person must see that reject no row (data-contract v2,
"Warnings"). They go to the manifest (``warnings``: code, count, ``fields`` and the English
``message``, in a stable order), the console summary and the report, which say them in the run's
language from the code and the fields (:func:`warning_message`, catalogue keys ``warning.<code>``).

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

from pipeline.outputs import messages
from schemas.inputs import INPUTS

EFFECT_COLUMNS = ("employer_category", "workforce", "commercial")
"""The employers columns whose default changes the contributions (``warning.effect.<column>`` says how)."""

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


def employer_lines(frames: Mapping[str, pl.DataFrame], payroll_lines: pl.DataFrame) -> pl.DataFrame:
    """Every employer of the batch (:func:`employer_ids` of ``frames``) with its number of payroll
    lines (``lines``, 0 when none): what the row facts and the run store's statuses read. A payroll
    line carries its employee's employer_id, so its employer is one of these."""
    lines = payroll_lines.group_by(pl.col("employer_id").cast(pl.String)).len("lines")
    return (
        employer_ids(frames)
        .to_frame()
        .join(lines, on="employer_id", how="left", maintain_order="left")
        .with_columns(pl.col("lines").fill_null(0))
    )


def row_facts(
    frames: Mapping[str, pl.DataFrame],
    payroll_lines: pl.DataFrame,
    period: str,
    per_employer: pl.DataFrame | None = None,
) -> dict[str, Any]:
    """Counts from the validated rows (``frames``, by input) and the run's payroll lines
    (``per_employer``: their :func:`employer_lines`, when the caller has it)."""
    pay = frames["pay"]
    later = pay.filter(pl.col("period") > period)
    household = 0
    if "csss" in payroll_lines.columns and "household" in payroll_lines.columns:
        # a payroll line carries its employee's household as given (null: none)
        lacking = pl.col("worker_code").is_not_null() & pl.col("household").is_null()
        household = payroll_lines.select(lacking.sum()).item()
    if per_employer is None:
        per_employer = employer_lines({n: frames[n] for n in ("employers", "employees")}, payroll_lines)
    return {
        "out_of_period": later.height,
        "later_months": sorted(later.get_column("period").unique().to_list()),
        "employers": per_employer.filter(pl.col("lines") > 0).get_column("employer_id").to_list(),
        "batch_employers": per_employer.get_column("employer_id").to_list(),
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


def _shown(key: str, names: list[str]) -> dict[str, Any]:
    """The first :data:`SHOWN_NAMES` of a list of ids or months, and how many more there are."""
    return {key: names[:SHOWN_NAMES], f"{key}_more": max(len(names) - SHOWN_NAMES, 0)}


def _warning(code: str, count: int, **fields: Any) -> dict[str, Any]:
    warning = {"code": code, "count": count, "fields": fields}
    return dict(warning, message=warning_message(messages.get("en"), warning))


def warning_message(t: messages.Messages, warning: Mapping[str, Any]) -> str:
    """A warning in the language of ``t``, from its code and fields (the manifest keeps the English
    text as ``message``; the report and the console summary say it in the run's language)."""
    code, fields = warning["code"], dict(warning.get("fields") or {})
    for key in ("names", "months"):
        if key in fields:
            listed, more = ", ".join(fields.pop(key)), fields.pop(f"{key}_more", 0)
            fields[key] = t("warning.names_more", names=listed, more=more) if more else listed
    if code == "employers_missing":
        fields.update(
            workforce_effect=t("warning.effect.workforce"), category_effect=t("warning.effect.employer_category")
        )
    if code == "column_default":
        effect = fields.pop("effect", None)
        if effect:
            return t("warning.column_default_effect", effect=t(f"warning.effect.{effect}"), **fields)
    return t(f"warning.{code}", count=warning["count"], **fields)


def derive(
    inputs: Mapping[str, Any], rows: Mapping[str, Any], not_verified: list[str], period: str
) -> list[dict[str, Any]]:
    """The run's warnings (code, message, count), in the order of the module docstring."""
    found = [
        _warning("file_error", e["rows"], file=e["file"], column=e["column"], rows=e["rows"])
        for e in inputs["file_errors"]
    ]
    if not inputs["employers_file"]:
        employers = rows["employers"]
        found.append(_warning("employers_missing", len(employers)))
    for d in sorted(inputs["column_defaults"], key=lambda d: (d["input"], d["column"])):
        effect = d["column"] if d["input"] == "employers" and d["column"] in EFFECT_COLUMNS else None
        fields = {"file": d["file"], "column": d["column"], "default": d["default"], "rows": d["rows"]}
        found.append(_warning("column_default", d["rows"], **fields, **({"effect": effect} if effect else {})))
    idle = sorted(set(rows["batch_employers"]) - set(rows["employers"]))
    if idle:
        found.append(_warning("nothing_computed", len(idle), **_shown("names", idle)))
    if rows["household_missing"]:
        found.append(_warning("household_missing", rows["household_missing"]))
    if not_verified:
        found.append(_warning("parameters_not_verified", len(not_verified), period=period))
    if rows["out_of_period"]:
        later = _shown("months", rows["later_months"])
        found.append(_warning("out_of_period", rows["out_of_period"], period=period, **later))
    return found
