"""Validation of a batch: every failure of every input in one pass, row by row.

1. Each input is checked in its text form by its pandera schema (``schemas.inputs``) with
   ``validate(df, lazy=True)``: formats, enumerations, required columns, NISS/BIS and ONSS
   checksums, money with more than two decimals, negative or absurd values, row rules.
2. Cross-file rules in polars: duplicate keys, unknown employer or employee references,
   overlapping absences.
3. What falls with a rejected row: an employer's employees, an employee's pay rows and absences
   (each with a reject row saying which row made it fall), and the pay rows (history months
   included) of an employee whose absence history is unusable: the guaranteed wage cannot be
   computed, and a corrected batch is expected for that employee.

Identifiers are compared after removing the separators people type (``.``, ``-``, spaces).

Valid rows go on; ``read = valid + rejected`` holds for every input.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from pandera.errors import SchemaErrors

from pipeline import rejects
from pipeline.reading import RawInput
from schemas.inputs import INPUTS, MESSAGES, InputSpec, pandera_schema, typed

ROW = "__row"


@dataclass(frozen=True)
class ValidatedBatch:
    frames: dict[str, pl.DataFrame]  # typed valid rows per input (employers may be empty)
    rejects: pl.DataFrame
    counts: dict[str, dict[str, int]]  # input -> read / valid / rejected


def _schema_failures(raw: RawInput, spec: InputSpec) -> pl.DataFrame:
    """pandera failure cases mapped back to source rows, as reject rows."""
    frame = raw.frame.with_row_index(ROW)
    try:
        pandera_schema(spec).validate(frame.drop(ROW), lazy=True)
        return rejects.empty()
    except SchemaErrors as exc:
        cases = exc.failure_cases
    cases = cases.filter(pl.col("index").is_not_null()).select(
        pl.col("index").cast(pl.UInt32).alias(ROW),
        pl.col("column"),
        pl.col("check"),
        pl.col("failure_case").alias("value"),
    )
    missing = set(raw.missing_columns)
    rows = cases.join(frame.select(ROW, "source_file", "source_line", "employee_id" if "employee_id" in frame.columns else pl.lit(None, pl.String).alias("employee_id")), on=ROW, how="left")
    message = pl.col("check").replace_strict(MESSAGES, default=pl.col("check"))
    message = (
        pl.when((pl.col("check") == "not_nullable") & pl.col("column").is_in(list(missing)))
        .then(pl.lit("required column is missing from the file: ") + pl.col("column"))
        .otherwise(message)
    )
    out = rows.select(
        "source_file", "source_line", "column", "check", "employee_id", message.alias("message"), "value"
    )
    return out.with_columns(
        pl.when(pl.col("column").is_in(list(rejects.MASKED_COLUMNS)))
        .then(rejects.mask_expr(pl.col("value")))
        .otherwise(pl.col("value"))
        .alias("value")
    )


def _where(frame: pl.DataFrame) -> pl.Expr:
    return pl.concat_str([pl.col("source_file"), pl.lit(":"), pl.col("source_line").cast(pl.String)])


def _falls_with(dependants: pl.DataFrame, fallen: pl.DataFrame, on: str, check: str, what: str) -> pl.DataFrame:
    """Reject rows of ``dependants`` whose ``on`` value is in ``fallen`` (which has source cols)."""
    culprits = fallen.group_by(on).agg(_where(fallen).min().alias("__culprit"))
    hit = dependants.join(culprits, on=on, how="inner")
    return rejects.from_rows(
        hit, on, check, pl.lit(f"{what} ") + pl.col("__culprit") + pl.lit(" was rejected"), pl.col(on)
    )


def _duplicates(frame: pl.DataFrame, key: tuple[str, ...], check: str = "duplicate") -> pl.DataFrame:
    dup = frame.filter(pl.struct(list(key)).is_duplicated())
    label = " + ".join(key)
    return rejects.from_rows(dup, key[-1], check, f"duplicate {label} in this input", pl.concat_str(list(key), separator="|"))


def validate_batch(raw_inputs: dict[str, RawInput]) -> ValidatedBatch:
    """Validate every input; return the typed valid rows, all rejects and the counts."""
    texts: dict[str, pl.DataFrame] = {}
    found: list[pl.DataFrame] = []
    for name, spec in INPUTS.items():
        raw = raw_inputs.get(name)
        if raw is None:
            texts[name] = pl.DataFrame(schema={c.name: pl.String for c in spec.columns} | {"source_file": pl.String, "source_line": pl.Int64})
            continue
        texts[name] = raw.frame
        found.append(_schema_failures(raw, spec))
    bad = rejects.combine(*found)

    def ok(name: str, extra: pl.DataFrame | None = None) -> pl.DataFrame:
        frame = texts[name]
        out = frame.join(bad.select("source_file", "source_line").unique(), on=["source_file", "source_line"], how="anti")
        if extra is not None and extra.height:
            out = out.join(extra.select("source_file", "source_line").unique(), on=["source_file", "source_line"], how="anti")
        return out

    # Stage 2: duplicates and references on rows that passed their own schema.
    stage2: list[pl.DataFrame] = []
    employers = ok("employers")
    stage2.append(_duplicates(employers, ("employer_id",)))
    employees = ok("employees")
    stage2.append(_duplicates(employees, ("employee_id",)))
    pay = ok("pay")
    stage2.append(_duplicates(pay, ("employee_id", "period")))
    absences = ok("absences")
    stage2.append(_duplicates(absences, ("employee_id", "start_date")))
    stage2.append(_overlaps(absences))
    bad = rejects.combine(bad, *stage2)

    # Stage 3: cascades through references (employer -> employee -> pay / absences).
    fallen_employers = texts["employers"].join(bad.select("source_file", "source_line").unique(), on=["source_file", "source_line"], how="semi")
    employees = ok("employees")
    casc: list[pl.DataFrame] = []
    if "employers" in raw_inputs:
        known = ok("employers").select("employer_id").unique()
        unknown = employees.join(known, on="employer_id", how="anti").join(fallen_employers.select("employer_id").unique(), on="employer_id", how="anti")
        casc.append(rejects.from_rows(unknown, "employer_id", "unknown_employer", "employer_id not found in the employers input"))
        casc.append(_falls_with(employees, fallen_employers.filter(~pl.col("employer_id").is_in(known.get_column("employer_id").implode())), "employer_id", "employer_rejected", "employer row"))
    bad = rejects.combine(bad, *casc)
    fallen_employees = texts["employees"].join(bad.select("source_file", "source_line").unique(), on=["source_file", "source_line"], how="semi").filter(pl.col("employee_id").is_not_null())
    valid_ids = ok("employees").select("employee_id").unique()
    casc = []
    for name in ("pay", "absences"):
        rows = ok(name)
        fell = _falls_with(rows, fallen_employees.filter(~pl.col("employee_id").is_in(valid_ids.get_column("employee_id").implode())), "employee_id", "employee_rejected", "employee row")
        casc.append(fell)
        unknown = rows.join(valid_ids, on="employee_id", how="anti").join(fallen_employees.select("employee_id").unique(), on="employee_id", how="anti")
        casc.append(rejects.from_rows(unknown, "employee_id", "unknown_employee", "employee_id not found in the employees input"))
    bad = rejects.combine(bad, *casc)
    # Pay rows of an employee whose absence rows were rejected: their guaranteed wage is unknowable.
    fallen_absences = texts["absences"].join(bad.select("source_file", "source_line").unique(), on=["source_file", "source_line"], how="semi").filter(pl.col("employee_id").is_in(valid_ids.get_column("employee_id").implode()))
    bad = rejects.combine(bad, _falls_with(ok("pay"), fallen_absences, "employee_id", "absence_rejected", "an absence row of this employee,"))

    frames = {name: typed(INPUTS[name], ok(name)) for name in INPUTS}
    counts = {}
    for name, text in texts.items():
        if name not in raw_inputs:
            continue
        rejected = bad.filter(pl.col("source_file") == raw_inputs[name].path.name).select("source_line").n_unique()
        counts[name] = {"read": text.height, "valid": frames[name].height, "rejected": rejected}
    return ValidatedBatch(frames, bad, counts)


def _overlaps(absences: pl.DataFrame) -> pl.DataFrame:
    """Episodes of one employee that overlap an earlier-starting one (both dates inclusive)."""
    if absences.height == 0:
        return rejects.empty()
    a = absences.with_columns(
        pl.col("start_date").str.to_date("%Y-%m-%d", strict=False).alias("__s"),
        pl.col("end_date").str.to_date("%Y-%m-%d", strict=False).alias("__e"),
    ).sort("employee_id", "__s", "source_line")
    a = a.with_columns(pl.col("__e").cum_max().shift(1).over("employee_id").alias("__prev_end"))
    hit = a.filter(pl.col("__s") <= pl.col("__prev_end"))
    return rejects.from_rows(
        hit, "start_date", "overlapping_absence",
        pl.lit("episode overlaps an earlier episode of the same employee (ending ") + pl.col("__prev_end").cast(pl.String) + pl.lit(")"),
    )
