"""Reading the inputs that carry cell types: XLSX workbooks and Parquet files.

Both are read as text cells (validation casts later), one row per sheet or file row, with the
row a person can open: the sheet row number for XLSX (the header's row + 1 for the first record,
counting the empty rows above the table), the row number + 1 for Parquet (as if the header were
line 1). A workbook or file that cannot be read, a named sheet that does not exist (the message
lists the sheets found) and a Parquet column whose values are not table cells (lists, structs,
binary) are defects of the whole file. Rows whose cells are all empty are counted as blank.

The library's own error text is never passed on: it may quote cell contents.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

import polars as pl

from pipeline.errors import InputError


@dataclass(frozen=True)
class TypedTable:
    """Text cells of a typed source: columns ``"0"``, ``"1"``, ... and ``source_line``.

    ``numeric``: indexes of the fields whose values were numbers (identifiers there may have lost
    their leading zeros); ``dates``: fields whose values were dates. ``None`` means "any field
    may be" (XLSX: each cell has its own type).
    """

    headers: list[str]
    cells: pl.DataFrame
    blank: int
    dialect: str
    numeric: frozenset[int] | None = None
    dates: frozenset[int] | None = None


def _blank(width: int) -> pl.Expr:
    if width == 0:
        return pl.lit(True)
    return pl.all_horizontal(pl.col(str(i)).str.strip_chars().fill_null("") == "" for i in range(width))


def _table(headers: list[str], body: pl.DataFrame, first_line: int, dialect: str, **kw) -> TypedTable:
    width = len(headers)
    body = body.rename({old: str(i) for i, old in enumerate(body.columns)})
    body = body.with_columns(pl.int_range(first_line, first_line + body.height, dtype=pl.Int64).alias("source_line"))
    blank = body.select(_blank(width)).to_series()
    return TypedTable(headers, body.filter(~blank), int(blank.sum()), dialect, **kw)


# --------------------------------------------------------------------------------------------
# XLSX
# --------------------------------------------------------------------------------------------


def _first_sheet_row(data: bytes, sheet_index: int) -> int:
    """The sheet row number of the first row holding a value (the reader starts the table there).

    Read from the workbook's XML: the first ``<c r="..">`` cell carrying a value. 1 when it cannot
    be told (the usual case anyway: a table starting in row 1)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            workbook = book.read("xl/workbook.xml").decode("utf-8", "replace")
            rels = book.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
            ids = re.findall(r"<(?:\w+:)?sheet\b[^>]*?\br:id=\"([^\"]+)\"", workbook)
            targets = {}
            for rel in re.findall(r"<Relationship\b[^>]*>", rels):
                rid, target = re.search(r'\bId="([^"]+)"', rel), re.search(r'\bTarget="([^"]+)"', rel)
                if rid and target:
                    targets[rid.group(1)] = target.group(1)
            name = targets[ids[sheet_index]].lstrip("/")
            name = name if name.startswith("xl/") else f"xl/{name}"
            with book.open(name) as sheet:
                head = sheet.read(1 << 20).decode("utf-8", "replace")
        for cell in re.finditer(r"<c\b[^>]*?\br=\"[A-Z]+(\d+)\"[^>]*?(/>|>(.*?)</c>)", head, re.S):
            inner = cell.group(3) or ""
            if re.search(r"<v>[^<]|<is>|<t[^>]*>[^<]", inner):
                return int(cell.group(1))
    except (KeyError, IndexError, AttributeError, ValueError, OSError, zipfile.BadZipFile):
        return 1
    return 1


def read_xlsx_table(data: bytes, file: str, sheet: str | None) -> TypedTable:
    """The named sheet (or the first) of a workbook as text cells; row 1 of the table is the header."""
    import fastexcel

    try:
        book = fastexcel.read_excel(data)
        names = list(book.sheet_names)
    except Exception:  # fastexcel/calamine errors quote workbook contents: never pass them on
        raise InputError(f"{file}: cannot be read as an XLSX workbook (damaged, or not XLSX); re-export it") from None
    if not names:
        raise InputError(f"{file}: the workbook has no sheet")
    if sheet is not None and sheet not in names:
        shown = ", ".join(repr(n) for n in names[:20])
        raise InputError(
            f"{file}: no sheet named {sheet!r}; the workbook has {shown} (set the sheet in the mapping profile)"
        )
    index = names.index(sheet) if sheet is not None else 0
    try:
        grid = book.load_sheet(index, header_row=None, dtypes="string").to_polars()
    except Exception:
        raise InputError(f"{file}: sheet {names[index]!r} cannot be read (damaged workbook); re-export it") from None
    if grid.height == 0 or grid.width == 0:
        raise InputError(f"{file}: sheet {names[index]!r} is empty (no header row)")
    grid = grid.with_columns(pl.all().cast(pl.String))
    headers = ["" if v is None else str(v) for v in grid.row(0)]
    first = _first_sheet_row(data, index)
    return _table(headers, grid.slice(1), first + 1, f"xlsx sheet={sheet or 1}")


# --------------------------------------------------------------------------------------------
# Parquet
# --------------------------------------------------------------------------------------------

_TEXT_DTYPES = (pl.String, pl.Categorical, pl.Enum, pl.Boolean, pl.Null)
"""Column types read as their text as they are (numbers too, see :func:`_as_text`)."""


def _as_text(name: str, dtype: pl.DataType, file: str, header: str) -> pl.Expr:
    """Column ``name`` as text (``header``: its name in the file, for the message)."""
    col = pl.col(name)
    if isinstance(dtype, pl.Date):
        return col.dt.to_string("%Y-%m-%d").alias(name)
    if isinstance(dtype, pl.Datetime):
        midnight = col.dt.time() == pl.time(0)
        day, stamp = col.dt.to_string("%Y-%m-%d"), col.dt.to_string("%Y-%m-%d %H:%M:%S")
        return pl.when(midnight).then(day).otherwise(stamp).alias(name)
    if dtype.is_float():
        whole = col.is_finite() & (col == col.round(0)) & (col.abs() < 1e15)
        return pl.when(whole).then(col.cast(pl.Int64).cast(pl.String)).otherwise(col.cast(pl.String)).alias(name)
    if dtype.is_numeric() or isinstance(dtype, _TEXT_DTYPES):
        return col.cast(pl.String)
    raise InputError(
        f"{file}: column {header!r} holds {dtype.__class__.__name__} values, which cannot be read as table cells; "
        "export it as text, numbers or dates"
    )


def read_parquet_table(data: bytes, file: str) -> TypedTable:
    """A Parquet file as text cells: numbers, dates and booleans as their text.

    Read by pyarrow, which refuses a damaged file with an error; polars' own reader can abort the
    whole process on one (an allocation sized from a corrupted page header)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(pa.BufferReader(data))
        headers = list(table.column_names)
        frame = pl.from_arrow(table.rename_columns([str(i) for i in range(len(headers))]))
    except Exception:  # pyarrow/polars errors may quote values: never pass them on
        raise InputError(f"{file}: cannot be read as a Parquet file (damaged, or not Parquet); re-export it") from None
    if not isinstance(frame, pl.DataFrame):
        raise InputError(f"{file}: cannot be read as a Parquet table; re-export it")
    numeric = frozenset(i for i, d in enumerate(frame.dtypes) if d.is_numeric())
    dates = frozenset(i for i, d in enumerate(frame.dtypes) if isinstance(d, (pl.Date, pl.Datetime)))
    exprs = [_as_text(name, dtype, file, headers[i]) for i, (name, dtype) in enumerate(frame.schema.items())]
    try:
        body = frame.select(exprs)
    except pl.exceptions.PolarsError:
        raise InputError(f"{file}: a column cannot be read as text; export it as text, numbers or dates") from None
    return _table(headers, body, 2, "parquet", numeric=numeric, dates=dates)
