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

Records the reader could not read (``encoding``, ``quoting``, ``field_count``:
:attr:`~pipeline.intake.reading.RawInput.defects`) are rejected for that alone: their cells are
not checked further, but their ``employee_id`` (as well as it could be read) still takes the
employee's pay rows with it. Digits of other scripts (``١٢٣``, full-width digits) in numeric,
date and identifier columns are rejected as malformed (the digit class of the format patterns
would let them through to a cast that fails); they are looked for only in inputs whose cells are
not all ASCII (:attr:`~pipeline.intake.reading.RawInput.ascii`).

Valid rows go on; ``read = valid + rejected + blank + out_of_period`` holds for every input
(``out_of_period`` is counted by the monthly job; it is 0 here).

Cost at a million rows (the design, same rejects as a plain pandera run):

- pandera collects every check separately (56 passes over the inputs). So every check expression
  of an input, with not-null on its required columns (:func:`schemas.inputs.failing_rows`, built
  from the same :func:`schemas.inputs.schema_checks` definitions as the pandera schema; a costly
  check may give a cheaper test that is true wherever it fails), is first evaluated in one lazy
  polars pass per input (all inputs in one ``collect_all``); pandera ``validate(lazy=True)`` then
  runs on the rows so flagged (not at all when there are none; the monthly job imports pandera
  while it reads the inputs), and its failure ``index`` (a position in that subset) is mapped back
  to the source row. A row left out passes every pandera check by construction, so the failure
  cases are identical.
- The cross-file stages work on narrow frames (source columns, ids, keys) and on a "rejected"
  mask per input, recomputed at each stage from the current rejects by line number within the
  input's file (``is_in``), instead of anti-joining the wide text frames on (source_file,
  source_line) at every step; membership tests against a million ids are cut down to the few ids
  on the small side first (:func:`_among`). Only the final valid rows are taken from the wide
  frame, once, and typed.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from pipeline.core import rejects
from pipeline.core.keys import cum_max_within_employee, previous_within_employee
from pipeline.intake.reading import UNREAD, RawInput
from schemas.inputs import INPUTS, MESSAGES, InputSpec, failing_rows, pandera_schema, typed, typed_columns

ROW = "__row"
SOURCE = ["source_file", "source_line"]
SUSPECT = "__suspect"
DIGITS = "__other_digits"


@dataclass(frozen=True)
class ValidatedBatch:
    frames: dict[str, pl.DataFrame]  # typed valid rows per input (employers may be empty)
    rejects: pl.DataFrame
    counts: dict[str, dict[str, int]]  # input -> read / valid / rejected / blank / out_of_period


_SCHEMAS: dict[int, tuple[InputSpec, object]] = {}
_SUSPECT: dict[int, tuple[InputSpec, pl.Expr]] = {}


def _schema(spec: InputSpec):
    """The pandera schema of an input, built once per spec object (it only depends on the spec)."""
    cached = _SCHEMAS.get(id(spec))
    if cached is None or cached[0] is not spec:
        cached = _SCHEMAS[id(spec)] = (spec, pandera_schema(spec))
    return cached[1]


def _failing_rows(spec: InputSpec) -> pl.Expr:
    """:func:`schemas.inputs.failing_rows` of an input, built once per spec object (building its
    few hundred expressions costs more than evaluating them on a small batch)."""
    cached = _SUSPECT.get(id(spec))
    if cached is None or cached[0] is not spec:
        cached = _SUSPECT[id(spec)] = (spec, failing_rows(spec))
    return cached[1]


OTHER_DIGITS = r"[\d--0-9]"
"""A decimal digit of another script (Unicode ``Nd`` but not 0-9)."""
ASCII_ONLY_KINDS = (
    "niss",
    "onss_nr",
    "enterprise_nr",
    "unit_nr",
    "date",
    "period",
    "money",
    "int",
    "fraction",
    "code3",
)


def _non_ascii_columns(raw: RawInput, spec: InputSpec) -> list[str]:
    """The columns of ASCII-only kinds where some cell holds a character outside ASCII: the only
    ones where a digit of another script can be (none in an input read from ASCII bytes). A length
    test (bytes against characters) costs a fifth of the digit pattern it saves."""
    cols = [c.name for c in spec.columns if c.kind in ASCII_ONLY_KINDS]
    if raw.ascii or not cols or raw.frame.height == 0:
        return []
    wide = raw.frame.select((pl.col(c).str.len_bytes() != pl.col(c).str.len_chars()).any().alias(c) for c in cols)
    return [c for c, hit in zip(cols, wide.row(0)) if hit]


def _other_digits(cols: list[str]) -> pl.Expr:
    """One struct of booleans per row: which of the columns ``cols`` holds a digit of another script."""
    return pl.struct(pl.col(c).str.contains(OTHER_DIGITS).fill_null(False).alias(c) for c in cols)


def _other_digit_rejects(raw: RawInput, spec: InputSpec, flags: pl.DataFrame) -> list[pl.DataFrame]:
    """Reject rows for the cells holding digits of another script, as their format check."""
    out = []
    hits = flags.unnest(flags.columns[0]) if flags.width else flags
    for name in hits.columns:
        hit = hits.get_column(name)
        if hit.any():
            kind = spec.col(name).kind
            check = f"format_{kind}"
            out.append(rejects.from_rows(raw.frame.filter(hit), name, check, MESSAGES.get(check, check)))
    return out


def _schema_failures(raw: RawInput, spec: InputSpec, suspect: pl.Series | None = None) -> pl.DataFrame:
    """pandera failure cases mapped back to source rows, as reject rows.

    pandera sees only the suspect rows (those failing at least one of the schema's own check
    expressions, :func:`schemas.inputs.failing_rows`, found in one polars pass); the rows left out
    pass every check by construction, so the failure cases are the same as on the whole input.
    """
    if suspect is None:
        suspect = raw.frame.lazy().select(_failing_rows(spec)).collect().to_series()
    suspects = raw.frame.filter(suspect)
    if suspects.height == 0:  # every row passes every check: nothing for pandera to report
        return rejects.empty()
    from pandera.errors import SchemaErrors  # imported on first need (the monthly job preloads it)

    try:
        _schema(spec).validate(suspects, lazy=True)
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
    employee = "employee_id" if "employee_id" in suspects.columns else pl.lit(None, pl.String).alias("employee_id")
    rows = cases.join(suspects.with_row_index(ROW).select(ROW, *SOURCE, employee), on=ROW, how="left")
    message = pl.col("check").replace_strict(MESSAGES, default=pl.col("check"))
    message = (
        pl.when((pl.col("check") == "not_nullable") & pl.col("column").is_in(list(missing)))
        .then(pl.lit("required column is missing from the file: ") + pl.col("column"))
        .otherwise(message)
    )
    out = rows.select("source_file", "source_line", "column", "check", "employee_id", message.alias("message"), "value")
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
    dup = frame.filter(_duplicated(frame, key))
    label = " + ".join(key)
    return rejects.from_rows(
        dup, key[-1], check, f"duplicate {label} in this input", pl.concat_str(list(key), separator="|")
    )


def _duplicated(frame: pl.DataFrame, key: tuple[str, ...]) -> pl.Series:
    """``pl.struct(key).is_duplicated()`` of ``frame``: by comparing each row with its neighbours
    when the rows are already in key order without a null key (exports usually are sorted by
    employee), so that equal keys are adjacent; by hashing every key otherwise (0.3 s a million)."""
    cols = [pl.col(k) for k in key]
    if frame.height > 1 and not frame.select(pl.any_horizontal(c.is_null().any() for c in cols)).item():
        ordered = cols[-1] >= cols[-1].shift(1)
        for c in reversed(cols[:-1]):
            ordered = (c > c.shift(1)) | ((c == c.shift(1)) & ordered)
        if frame.select(ordered.fill_null(True).all()).item():
            same = [pl.all_horizontal(c == c.shift(step) for c in cols).fill_null(False) for step in (1, -1)]
            return frame.select(same[0] | same[1]).to_series()
    return frame.select(pl.struct(list(key)).is_duplicated()).to_series()


def _among(few: pl.DataFrame, many: pl.DataFrame, on: str) -> pl.Expr:
    """``pl.col(on).is_in(many[on])`` for the rows of the small frame ``few``, without hashing all
    of ``many``: the set is first cut down to the values ``few`` holds (same membership, same
    null behaviour)."""
    values = few.get_column(on).drop_nulls().unique()
    hits = many.get_column(on).filter(many.get_column(on).is_in(values.implode()))
    return pl.col(on).is_in(hits.implode())


class _Rows:
    """The rows of one input in the narrow form the cross-file rules need (source columns, ids,
    keys), and which of them already have a reject row.

    The rejected mask is recomputed from the current rejects at each stage by line number within
    the input's file (an input is read from one file), instead of anti-joining the wide text frame
    on (source_file, source_line) each time.
    """

    def __init__(self, spec: InputSpec, text: pl.DataFrame):
        wanted = [*SOURCE, "employee_id", "employer_id", *spec.key, "end_date" if spec.name == "absences" else None]
        cols = [c for c in dict.fromkeys(wanted) if c is not None and c in text.columns]
        self.text = text
        self.narrow = pl.DataFrame([text.get_column(c) for c in cols])  # no copy (select costs 0.1-0.3 s here)
        self.files = text.get_column("source_file").drop_nulls().unique().sort().to_list() if text.height else []

    def rejected(self, bad: pl.DataFrame) -> pl.Series:
        """True for the rows whose (source_file, source_line) has a reject row in ``bad``."""
        return rejects.rejected_mask(self.narrow, bad, self.files)

    def ok(self, bad: pl.DataFrame) -> pl.DataFrame:
        return self.narrow.filter(~self.rejected(bad))

    def fallen(self, bad: pl.DataFrame) -> pl.DataFrame:
        return self.narrow.filter(self.rejected(bad))


def validate_batch(raw_inputs: dict[str, RawInput]) -> ValidatedBatch:
    """Validate every input; return the typed valid rows, all rejects and the counts."""
    texts: dict[str, pl.DataFrame] = {}
    found: list[pl.DataFrame] = []
    present = [name for name in INPUTS if name in raw_inputs]
    # The suspect-row masks of every input in one parallel polars call (lazily, so that polars
    # shares the subexpressions common to several checks; eager evaluation does not), with the
    # cells holding digits of other scripts, and every row cast to its types (leniently: only
    # the valid rows are kept, and their values are the strict casts'), so that the dates parsed
    # for the checks are parsed once.
    digits = {name: _non_ascii_columns(raw_inputs[name], INPUTS[name]) for name in present}
    passes = pl.collect_all(
        [
            raw_inputs[name]
            .frame.lazy()
            .drop(UNREAD, strict=False)
            .with_columns(
                *typed_columns(INPUTS[name], strict=False),
                _failing_rows(INPUTS[name]).alias(SUSPECT),
                *([_other_digits(digits[name]).alias(DIGITS)] if digits[name] else []),
            )
            for name in present
        ],
        engine="streaming",  # a third faster than the in-memory engine here (the run store writes one chunk)
    )
    cast: dict[str, pl.DataFrame] = {}
    for name, spec in INPUTS.items():
        raw = raw_inputs.get(name)
        if raw is None:
            texts[name] = pl.DataFrame(
                schema={c.name: pl.String for c in spec.columns} | {"source_file": pl.String, "source_line": pl.Int64}
            )
            continue
        texts[name] = raw.frame.drop(UNREAD, strict=False)
        done = passes[present.index(name)]
        suspect = done.get_column(SUSPECT)
        cast[name] = done.drop(SUSPECT, DIGITS, strict=False)
        unread = raw.defects
        if unread.height:  # records that could not be read are rejected for that alone
            found.append(unread)
            suspect = suspect & ~rejects.rejected_mask(raw.frame, unread)
        else:
            unread = None
        found.append(_schema_failures(raw, spec, suspect))
        others = _other_digit_rejects(raw, spec, done.select(DIGITS) if digits[name] else pl.DataFrame())
        if unread is not None:
            others = [o.filter(~rejects.rejected_mask(o, unread)) for o in others]
        found.extend(others)
    bad = rejects.combine(*found)
    inputs = {name: _Rows(INPUTS[name], text) for name, text in texts.items()}

    def ok(name: str) -> pl.DataFrame:
        return inputs[name].ok(bad)

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
    fallen_employers = inputs["employers"].fallen(bad)
    employees = ok("employees")
    casc: list[pl.DataFrame] = []
    if "employers" in raw_inputs:
        known = ok("employers").select("employer_id").unique()
        unknown = employees.join(known, on="employer_id", how="anti").join(
            fallen_employers.select("employer_id").unique(), on="employer_id", how="anti"
        )
        casc.append(
            rejects.from_rows(
                unknown, "employer_id", "unknown_employer", "employer_id not found in the employers input"
            )
        )
        casc.append(
            _falls_with(
                employees,
                fallen_employers.filter(~_among(fallen_employers, known, "employer_id")),
                "employer_id",
                "employer_rejected",
                "employer row",
            )
        )
    bad = rejects.combine(bad, *casc)
    fallen_employees = inputs["employees"].fallen(bad).filter(pl.col("employee_id").is_not_null())
    valid_ids = ok("employees").select("employee_id")  # only tested for membership: no need to make it unique
    casc = []
    for name in ("pay", "absences"):
        rows = ok(name)
        fell = _falls_with(
            rows,
            fallen_employees.filter(~_among(fallen_employees, valid_ids, "employee_id")),
            "employee_id",
            "employee_rejected",
            "employee row",
        )
        casc.append(fell)
        unknown = rows.join(valid_ids, on="employee_id", how="anti").join(
            fallen_employees.select("employee_id").unique(), on="employee_id", how="anti"
        )
        casc.append(
            rejects.from_rows(
                unknown, "employee_id", "unknown_employee", "employee_id not found in the employees input"
            )
        )
    bad = rejects.combine(bad, *casc)
    # Pay rows of an employee whose absence rows were rejected: their guaranteed wage is unknowable.
    fallen_absences = inputs["absences"].fallen(bad)
    fallen_absences = fallen_absences.filter(_among(fallen_absences, valid_ids, "employee_id"))
    bad = rejects.combine(
        bad,
        _falls_with(ok("pay"), fallen_absences, "employee_id", "absence_rejected", "an absence row of this employee,"),
    )

    frames = {  # in one chunk, as the rules are fastest on it (the streaming pass hands back chunks)
        name: cast[name].filter(~rows.rejected(bad)).rechunk() if name in cast else typed(INPUTS[name], rows.text)
        for name, rows in inputs.items()
    }
    counts = {}
    for name, text in texts.items():
        if name not in raw_inputs:
            continue
        raw = raw_inputs[name]
        rejected = bad.filter(pl.col("source_file") == raw.path.name).select("source_line").n_unique()
        counts[name] = {
            "read": text.height + raw.blank,
            "valid": frames[name].height,
            "rejected": rejected,
            "blank": raw.blank,
            "out_of_period": 0,
        }
    return ValidatedBatch(frames, bad, counts)


def _overlaps(absences: pl.DataFrame) -> pl.DataFrame:
    """Episodes of one employee that overlap an earlier-starting one (both dates inclusive)."""
    if absences.height == 0:
        return rejects.empty()
    a = absences.with_columns(
        pl.col("start_date").str.to_date("%Y-%m-%d", strict=False).alias("__s"),
        pl.col("end_date").str.to_date("%Y-%m-%d", strict=False).alias("__e"),
    ).sort("employee_id", "__s", "source_line")
    a = a.with_columns(previous_within_employee(cum_max_within_employee(pl.col("__e"))).alias("__prev_end"))
    hit = a.filter(pl.col("__s") <= pl.col("__prev_end"))
    return rejects.from_rows(
        hit,
        "start_date",
        "overlapping_absence",
        pl.lit("episode overlaps an earlier episode of the same employee (ending ")
        + pl.col("__prev_end").cast(pl.String)
        + pl.lit(")"),
    )
