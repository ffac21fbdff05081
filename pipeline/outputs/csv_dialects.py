"""The CSV dialects of the audit files: ``machine`` (the default) and ``excel-be``.

- ``machine``: UTF-8 without BOM, ``,`` separator, decimal point, LF line ends (the contract's
  default; the bytes the audit writer has always produced).
- ``excel-be``: what a Belgian Excel (list separator ``;``, decimal comma) opens with numbers in
  columns: UTF-8 **with** BOM (so that accented names are not garbled), ``;`` separator, decimal
  comma, CRLF line ends, and every text cell that Excel would turn into a number or a date (it
  starts with a digit: a worker code ``015``, an ONSS number, a period ``2026-10``, a raw value
  ``2900.005``) written as the text formula ``="015"``, which Excel shows as the text ``015``.
  Numbers (Decimal, integer and float columns) stay numbers, with the decimal comma; code columns
  held as Enum (``dmfa_code``, ``contribution``) are text like any other.

In both dialects a text cell that a spreadsheet would take for a formula (first character
``=``, ``+``, ``-``, ``@``, tab or carriage return) is neutralised with a leading apostrophe
(OWASP "CSV Injection"), before the ``="..."`` wrapping; the wrapping only ever encloses text
that starts with a digit or a decimal mark, and never text of more than 255 characters (the
longest text an Excel formula may hold), so no cell of the input becomes an active formula.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import polars as pl

FORMULA_START = r"^[=+\-@\t\r]"
CSV_OPTIONS = {"include_bom": False, "line_terminator": "\n", "datetime_format": "%Y-%m-%dT%H:%M:%S"}
"""polars ``write_csv`` options of the ``machine`` dialect."""

DIALECTS = ("machine", "excel-be")
DEFAULT_DIALECT = "machine"
CSV_MODES = ("auto", "all", "none")
SPREADSHEET_MAX_ROWS = 1_048_575
"""Data rows a spreadsheet opens below the header row (Excel's limit is 1,048,576 rows)."""

EXCEL_BE_OPTIONS = {
    "separator": ";",
    "decimal_comma": True,
    "include_bom": True,
    "line_terminator": "\r\n",
    "datetime_format": "%Y-%m-%d %H:%M:%S",
}
_EXCEL_WOULD_CONVERT = r"^[0-9.,]"
_EXCEL_TEXT_LIMIT = 255


def _may_start_like_formula(column: str) -> pl.Expr:
    """True for every text cell whose first byte is one of ``\t \r + -`` (between tab and ``0``)
    or ``= @`` (between ``:`` and ``A``), and for a few harmless others in those byte ranges.

    Two string comparisons (polars compares the inline prefix of each string view), about four
    times cheaper than a regular expression over millions of cells: a column none of whose
    cells is in range holds no formula-like cell.
    """
    col = pl.col(column)
    return col.is_between(pl.lit("\t"), pl.lit("0"), closed="left") | col.is_between(
        pl.lit(":"), pl.lit("A"), closed="left"
    )


def neutralise(frame: pl.DataFrame) -> pl.DataFrame:
    """Prefix text cells that start like a spreadsheet formula with an apostrophe.

    Only the text columns that hold such a cell are rebuilt; one pass of byte-range comparisons
    finds the candidate columns, the exact pattern is evaluated on those only.
    """
    text = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    if not text or frame.height == 0:
        return frame
    found = frame.select(_may_start_like_formula(c).any().alias(c) for c in text).row(0, named=True)
    starts = {c: pl.col(c).str.contains(FORMULA_START) for c in text if found[c]}
    if starts:
        found = frame.select(expr.any().alias(c) for c, expr in starts.items()).row(0, named=True)
    hit = [c for c in starts if found[c]]
    if not hit:
        return frame
    return frame.with_columns(
        pl.when(starts[c]).then(pl.lit("'") + pl.col(c)).otherwise(pl.col(c)).alias(c) for c in hit
    )


def csv_wanted(rows: int, mode: str = "auto") -> bool:
    """Whether a table of ``rows`` rows gets a CSV file under ``--csv mode``: ``auto`` when a
    spreadsheet can open it (at most :data:`SPREADSHEET_MAX_ROWS` rows), ``all`` always, ``none`` never."""
    if mode not in CSV_MODES:
        raise ValueError(f"unknown CSV mode {mode!r}: expected one of {', '.join(CSV_MODES)}")
    return mode == "all" or (mode == "auto" and rows <= SPREADSHEET_MAX_ROWS)


def text_codes(frame: pl.DataFrame) -> pl.DataFrame:
    """Enum and Categorical columns (codes such as ``dmfa_code``) as plain text columns."""
    coded = [name for name, dtype in frame.schema.items() if isinstance(dtype, pl.Enum | pl.Categorical)]
    return frame.with_columns(pl.col(coded).cast(pl.String)) if coded else frame


def _as_excel_text(frame: pl.DataFrame) -> pl.DataFrame:
    """Wrap every text cell that Excel would convert (first character a digit or decimal mark) as
    ``="cell"`` (inner quotes doubled, as in an Excel string constant)."""
    text = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    if not text:
        return frame
    exprs = []
    for name in text:
        col = pl.col(name)
        convert = col.str.contains(_EXCEL_WOULD_CONVERT) & (col.str.len_chars() <= _EXCEL_TEXT_LIMIT)
        wrapped = pl.lit('="') + col.str.replace_all('"', '""', literal=True) + pl.lit('"')
        exprs.append(pl.when(convert.fill_null(False)).then(wrapped).otherwise(col).alias(name))
    return frame.with_columns(exprs)


def excel_be_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame as the ``excel-be`` CSV writes it: neutralised, then digit-led text wrapped."""
    return _as_excel_text(neutralise(text_codes(frame)))


def _check_dialect(dialect: str) -> str:
    if dialect not in DIALECTS:
        raise ValueError(f"unknown CSV dialect {dialect!r}: expected one of {', '.join(DIALECTS)}")
    return dialect


def write_csv(
    frame: pl.DataFrame, target: str | Path | IO[bytes], dialect: str = DEFAULT_DIALECT, header: bool = True
) -> None:
    """Write ``frame`` as CSV in ``dialect`` to a path or a binary file object.

    ``header=False`` writes the rows only, without the header row nor the BOM: the body that a
    partitioned run appends after :func:`csv_header` (header + bodies = the whole file's bytes).
    """
    if _check_dialect(dialect) == "machine":
        neutralise(frame).write_csv(target, include_header=header, **CSV_OPTIONS)
    else:
        options = dict(EXCEL_BE_OPTIONS, include_bom=header)
        excel_be_frame(frame).write_csv(target, include_header=header, **options)


def csv_header(schema: pl.Schema | dict[str, pl.DataType], dialect: str = DEFAULT_DIALECT) -> bytes:
    """The first bytes of a CSV file of ``schema`` in ``dialect``: the BOM (``excel-be``) and the header row."""
    return csv_bytes(pl.DataFrame(schema=schema), dialect)


def csv_bytes(frame: pl.DataFrame, dialect: str = DEFAULT_DIALECT) -> bytes:
    """The CSV bytes of ``frame`` in ``dialect``."""
    buffer = io.BytesIO()
    write_csv(frame, buffer, dialect)
    return buffer.getvalue()


@dataclass(frozen=True)
class CsvChoice:
    """Which tables of a run get a CSV file (``--csv auto|all|none``) and in which dialect
    (``--csv-dialect machine|excel-be``); every table always gets its Parquet file."""

    mode: str = "auto"
    dialect: str = DEFAULT_DIALECT

    def __post_init__(self) -> None:
        csv_wanted(0, self.mode)
        _check_dialect(self.dialect)

    def wanted(self, rows: int) -> bool:
        return csv_wanted(rows, self.mode)

    def describe(self, rows: dict[str, int]) -> dict[str, Any]:
        """The manifest's ``csv`` entry for tables of ``rows`` rows (name -> rows): the mode, the
        dialect and the tables left in Parquet only."""
        only = sorted(name for name, n in rows.items() if not self.wanted(n))
        return {"mode": self.mode, "dialect": self.dialect, "parquet_only": only}
