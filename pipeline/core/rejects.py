"""The rejects audit file: one row per (source row, column, check) that failed, and the masking
of national numbers.

Every failure carries the source file and 1-based line so a person can open the row. National
(NISS) and BIS numbers never appear in clear in it: the value of the ``niss`` column is always
masked (even when malformed, it is most likely a real number mistyped), and any text that holds a
valid NISS/BIS number, whatever its column (a shifted row, a pay file keyed by NISS, a composite
key), has that number masked (data-contract "Outputs", ``rejects``). :func:`mask_national_numbers`
does the same for any output table.
"""

from __future__ import annotations

import polars as pl

from pipeline.core.identifiers import niss_ok

REJECT_SCHEMA = {
    "source_file": pl.String,
    "source_line": pl.Int64,
    "column": pl.String,
    "check": pl.String,
    "employee_id": pl.String,
    "message": pl.String,
    "value": pl.String,
}
REJECT_KEY = ["source_file", "source_line", "column", "check"]
MASKED_COLUMNS = {"niss"}
TEXT_COLUMNS = ("employee_id", "message", "value")

SEP = r"[.\-/ ]?"
NISS_SHAPE = f"[0-9]{{2}}{SEP}[0-9]{{2}}{SEP}[0-9]{{2}}{SEP}[0-9]{{3}}{SEP}[0-9]{{2}}"
"""Eleven digits, as people type a national number (``85073003328``, ``85.07.30-033.28``, ...)."""
_IN_TEXT = f"(?:^|[^0-9]){NISS_SHAPE}(?:[^0-9]|$)"


def mask(value: str | None) -> str | None:
    """Mask a national number: keep only the last two characters (nothing of a shorter value)."""
    if value is None:
        return None
    if len(value) <= 2:
        return "*" * len(value)
    return "*" * (len(value) - 2) + value[-2:]


def mask_expr(expr: pl.Expr) -> pl.Expr:
    """Vectorised :func:`mask`."""
    length = expr.str.len_chars().cast(pl.Int64)
    stars = pl.lit("*").repeat_by((length - 2).clip(lower_bound=0)).list.join("")
    return (
        pl.when(expr.is_null())
        .then(None)
        .when(length <= 2)
        .then(pl.lit("*").repeat_by(length).list.join(""))
        .otherwise(stars + expr.str.slice(-2))
    )


FEW = 8
"""A text column with fewer than one distinct value per ``FEW`` rows is searched in its distinct values."""


def _mask_in_text(frame: pl.DataFrame, name: str) -> pl.DataFrame:
    """Mask, in text column ``name``, whole cells that are a valid NISS/BIS number and valid
    numbers inside longer texts (those few cells are rewritten in Python). A column of few distinct
    texts (codes, reasons, lists of periods: fewer than one per :data:`FEW` rows, by a HyperLogLog
    estimate) is searched in its distinct texts first: none has the shape of a number, as a rule."""
    col = pl.col(name)
    texts = frame.get_column(name)
    if texts.approx_n_unique() * FEW < texts.len() and not texts.unique().str.contains(NISS_SHAPE).any():
        return frame
    has_shape = frame.select(col.str.contains(NISS_SHAPE).fill_null(False)).to_series()
    if not has_shape.any():
        return frame
    whole = niss_ok(col).fill_null(False)
    frame = frame.with_columns(pl.when(whole).then(mask_expr(col)).otherwise(col).alias(name))
    inner = frame.with_row_index("__r").filter(has_shape & col.str.contains(_IN_TEXT).fill_null(False))
    if inner.height == 0:
        return frame
    found = (
        inner.select("__r", col.str.extract_all(_IN_TEXT).alias("__c"))
        .explode("__c")
        .with_columns(pl.col("__c").str.replace_all(r"^[^0-9]|[^0-9]$", "").alias("__c"))
        .filter(niss_ok(pl.col("__c")).fill_null(False))
    )
    if found.height == 0:
        return frame
    texts = frame.get_column(name).to_list()
    for row, number in found.iter_rows():
        texts[row] = texts[row].replace(number, mask(number))
    return frame.with_columns(pl.Series(name, texts, pl.String))


def mask_national_numbers(frame: pl.DataFrame, columns: list[str] | tuple[str, ...] | None = None) -> pl.DataFrame:
    """``frame`` with every valid NISS/BIS number in its text columns (or ``columns``) masked.

    Columns whose texts are all shorter than eleven characters are skipped at the cost of a
    length scan: in bytes first (a string view holds its length; a text of fewer than eleven bytes
    has fewer than eleven characters), in characters for the others. Enumerations (closed
    vocabularies of the code and the parameters) are not text.
    """
    names = [n for n, dtype in frame.schema.items() if dtype == pl.String and (columns is None or n in columns)]
    if not names or frame.height == 0:
        return frame
    widest = frame.select(pl.col(n).str.len_bytes().max() for n in names).row(0)
    names = [name for name, size in zip(names, widest) if size is not None and size >= 11]
    if not names:
        return frame
    longest = frame.select(pl.col(n).str.len_chars().max() for n in names).row(0)
    for name, size in zip(names, longest):
        if size is not None and size >= 11:
            frame = _mask_in_text(frame, name)
    return frame


def empty() -> pl.DataFrame:
    return pl.DataFrame(schema=REJECT_SCHEMA)


def from_rows(
    rows: pl.DataFrame, column: str, check: str, message: str | pl.Expr, value: pl.Expr | None = None
) -> pl.DataFrame:
    """Build reject rows for every row of ``rows`` (which has source_file, source_line, employee_id).

    ``message`` may be an expression (per-row message); ``value`` defaults to the column's text.
    """
    if value is None:
        value = pl.col(column).cast(pl.String) if column in rows.columns else pl.lit(None, pl.String)
    msg = message if isinstance(message, pl.Expr) else pl.lit(message)
    out = rows.select(
        pl.col("source_file").cast(pl.String),
        pl.col("source_line").cast(pl.Int64),
        pl.lit(column).alias("column"),
        pl.lit(check).alias("check"),
        (pl.col("employee_id") if "employee_id" in rows.columns else pl.lit(None)).cast(pl.String).alias("employee_id"),
        msg.cast(pl.String).alias("message"),
        value.cast(pl.String).alias("value"),
    )
    if column in MASKED_COLUMNS:
        out = out.with_columns(mask_expr(pl.col("value")).alias("value"))
    return out


def combine(*frames: pl.DataFrame) -> pl.DataFrame:
    """Concatenate reject frames, mask national numbers, drop exact duplicates, sort by the contract key.

    Ties on the key (two defects of one cell, such as overlapping episodes from stored absences)
    are ordered by every other column, so the order never depends on the order of the inputs."""
    parts = [f.select(list(REJECT_SCHEMA)).cast(REJECT_SCHEMA) for f in frames if f is not None and f.height]
    if not parts:
        return empty()
    out = mask_national_numbers(pl.concat(parts), TEXT_COLUMNS)
    return out.unique().sort([*REJECT_KEY, "message", "employee_id", "value"], nulls_last=True)


def rejected_mask(rows: pl.DataFrame, found: pl.DataFrame, files: list[str] | None = None) -> pl.Series:
    """True for the rows of ``rows`` whose (source_file, source_line) has a reject row in ``found``.

    Tested as line numbers per source file (an integer ``is_in``) rather than a join on both
    columns, which is what costs at a million rows. ``files``: the source files of ``rows`` when
    the caller already knows them (found once per input and reused); with one file there is no
    string comparison at all.
    """
    if files is None:
        files = rows.get_column("source_file").drop_nulls().unique().sort().to_list()
    found = found.filter(pl.col("source_file").is_in(files))
    if len(files) == 1:
        hit = pl.col("source_file").is_not_null() & pl.col("source_line").is_in(
            found.get_column("source_line").implode()
        )
    else:
        hit = pl.lit(False)
        for name in files:
            lines = found.filter(pl.col("source_file") == name).get_column("source_line")
            hit = hit | ((pl.col("source_file") == name) & pl.col("source_line").is_in(lines.implode()))
    return rows.select("source_line", hit.fill_null(False).alias("rejected")).get_column(
        "rejected"
    )  # a literal broadcasts
