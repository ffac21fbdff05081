"""The rejects audit file: one row per (source row, column, check) that failed.

Every failure carries the source file and 1-based line so a person can open the row; the
offending value is masked for national-number columns (never log or print a NISS).
"""

from __future__ import annotations

import polars as pl

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


def mask(value: str | None) -> str | None:
    """Mask a national number: keep only the last two characters."""
    if value is None:
        return None
    return "*" * max(len(value) - 2, 0) + value[-2:]


def mask_expr(expr: pl.Expr) -> pl.Expr:
    """Vectorised :func:`mask`."""
    return (
        pl.when(expr.is_null())
        .then(None)
        .otherwise(pl.lit("*").repeat_by(expr.str.len_chars().cast(pl.Int64) - 2).list.join("") + expr.str.slice(-2))
    )


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
    """Concatenate reject frames, drop exact duplicates, sort by the contract key."""
    parts = [f.select(list(REJECT_SCHEMA)).cast(REJECT_SCHEMA) for f in frames if f is not None and f.height]
    if not parts:
        return empty()
    return pl.concat(parts).unique().sort([*REJECT_KEY, "message"], nulls_last=True)


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
