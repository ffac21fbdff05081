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
from pathlib import Path
from typing import IO

import polars as pl

from pipeline.outputs.audit import CSV_OPTIONS, neutralise

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


def write_csv(frame: pl.DataFrame, target: str | Path | IO[bytes], dialect: str = DEFAULT_DIALECT) -> None:
    """Write ``frame`` as CSV in ``dialect`` to a path or a binary file object."""
    if dialect == "machine":
        neutralise(frame).write_csv(target, **CSV_OPTIONS)
    elif dialect == "excel-be":
        excel_be_frame(frame).write_csv(target, **EXCEL_BE_OPTIONS)
    else:
        raise ValueError(f"unknown CSV dialect {dialect!r}: expected one of {', '.join(DIALECTS)}")


def csv_bytes(frame: pl.DataFrame, dialect: str = DEFAULT_DIALECT) -> bytes:
    """The CSV bytes of ``frame`` in ``dialect``."""
    buffer = io.BytesIO()
    write_csv(frame, buffer, dialect)
    return buffer.getvalue()
