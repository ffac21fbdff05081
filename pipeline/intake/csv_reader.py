"""Reading a CSV file as a person sent it: encoding, line endings, separator, quoting, field counts.

What is accepted (data-contract "General conventions"): UTF-8 (with or without BOM), UTF-16 and
UTF-32 (with BOM) and Windows-1252; lines ending in LF, CRLF or CR; ``,`` ``;`` or tab; quoted
cells (RFC 4180: ``""`` is a quote inside a quoted cell), which may span lines.

A defect of the whole file stops with one :class:`~pipeline.errors.InputError`: an encoding that
cannot be decided (:mod:`pipeline.intake.encodings`), an undecidable separator, an empty or
unbalanced header line. A defect of one record is reported for that record and the
others go on: bytes not valid in the file's encoding (``encoding``), a quote that does not close
(``quoting``), too few or too many fields (``field_count``; extra fields that are all empty, as
spreadsheets leave them, are accepted). Blank lines (every cell empty) are counted, not read.

Every record keeps the physical line it starts on (header = line 1), so a quoted cell spanning
lines does not shift the numbers of the records after it.

How it stays fast: a file without quotes whose every line has the header's field count (what
exports usually are) is parsed once by polars' CSV reader, and two byte counts prove it regular
(:func:`_read_regular`). Any other file is split into lines by polars and classified by
whole-column expressions (separators per line, quotes, blank lines); the cells are parsed by
polars' CSV reader on the checked bytes, one row per physical line. Only lines holding a quote
that does not close on the line itself are looked at in Python (the standard ``csv`` module). A
clean UTF-8 file is never decoded in Python: polars checks the UTF-8 itself.
"""

from __future__ import annotations

import bisect
import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from pipeline.errors import InputError
from pipeline.intake import encodings

SEPARATORS = (";", ",", "\t")
QUOTE = '"'
MAX_CELL_LINES = 50
"""A quoted cell may span at most this many lines; a quote still open after them is a defect."""

_QUOTED = r'"(?:[^"]|"")*"'

MESSAGES = {
    "encoding": "this line holds bytes that are not valid {encoding}: the export mixes encodings or was damaged "
    "in transfer; re-export the file",
    "quoting": "a quote on this line does not close, or is followed by text before the next separator; check "
    "the quotes of this row",
    "field_count": "this line has {found} fields, the header has {expected}: a separator is missing or one too "
    "many (an unquoted cell holding the separator?)",
}
DEFECT_SCHEMA = {"source_line": pl.Int64, "field": pl.Int64, "check": pl.String, "message": pl.String}


@dataclass(frozen=True)
class CsvTable:
    """A CSV file as text cells, one row per record.

    ``cells``: one String column per header field, named ``"0"``, ``"1"``, ..., and
    ``source_line`` (Int64, the physical line the record starts on). ``defects``: one row per
    defective record (``source_line``, ``field`` = index of the cell at fault or null, ``check``,
    ``message``); defective records stay in ``cells`` as well as they could be read (for
    messages and cascades). Blank lines are left out and counted in ``blank``. ``padded``: the
    fields where trimming may change a cell; every other field's cells are already trimmed (and an
    empty cell is null), so the reader leaves them as they are.
    """

    headers: list[str]
    cells: pl.DataFrame
    defects: pl.DataFrame
    blank: int
    encoding: str
    separator: str
    padded: frozenset[int] | None = None  # fields whose cells may begin or end with whitespace (None: any may)


# --------------------------------------------------------------------------------------------
# Header and separator.
# --------------------------------------------------------------------------------------------


def _split(line: str, sep: str) -> list[str]:
    return next(csv.reader([line], delimiter=sep, quotechar=QUOTE), [])


def _outside_quotes(line: str) -> str:
    return re.sub(_QUOTED, "", line)


def separator(header: str, file: str, forced: str | None) -> str:
    """The separator: the profile's ``csv.delimiter``, or the one of ``;`` ``,`` tab that the
    header line holds most often (outside quotes); a tie or none is refused."""
    if forced and forced != "auto":
        sep = "\t" if forced in ("tab", "\\t") else forced
        if len(sep) != 1:
            raise InputError(f"{file}: csv.delimiter {forced!r} in the mapping profile is not one character")
        return sep
    bare = _outside_quotes(header)
    counts = {sep: bare.count(sep) for sep in SEPARATORS}
    best = max(counts.values())
    winners = [sep for sep, n in counts.items() if n == best]
    if best == 0 or len(winners) > 1:
        raise InputError(
            f"{file}: cannot decide the CSV separator from the header line (counts: "
            f"';'={counts[';']}, ','={counts[',']}, tab={counts[chr(9)]}); set csv.delimiter in the mapping profile"
        )
    return winners[0]


# --------------------------------------------------------------------------------------------
# Lines -> records.
# --------------------------------------------------------------------------------------------


def _line_reader(data: bytes) -> pl.Series:
    """Every physical line as one string (null for an empty line), split by polars."""
    for byte in (b"\x1f", b"\x1e", b"\x1d", b"\x1c", b"\x01"):
        if byte not in data:
            frame = pl.read_csv(
                io.BytesIO(data),
                has_header=False,
                separator=byte.decode(),
                quote_char=None,
                new_columns=["line"],
                infer_schema=False,
                raise_if_empty=False,
            )
            return frame.to_series() if frame.width else pl.Series("line", [], pl.String)
    text = data.decode("utf-8").removesuffix("\n")
    return pl.Series("line", [x or None for x in text.split("\n")], pl.String)


def _shape(lines: pl.Series, sep: str, named: int, has_quotes: bool) -> pl.DataFrame:
    """Per line, by whole-column expressions: ``fields`` (outside quotes), ``bad_count`` (too few,
    or too many non-empty), ``blank`` and ``odd`` (a quote this line does not close)."""
    esep = re.escape(sep)
    line = pl.col("line")
    frame = pl.DataFrame({"line": lines})
    if has_quotes:
        well_formed = f'^(?:{_QUOTED}|[^"{esep}]*)(?:{esep}(?:{_QUOTED}|[^"{esep}]*))*$'
        frame = frame.with_columns(line.str.contains(QUOTE, literal=True).fill_null(False).alias("hasq"))
        quoted = frame.filter("hasq").select(
            (~line.str.contains(well_formed)).alias("odd"), line.str.replace_all(_QUOTED, "q").alias("bare")
        )
        mask = frame.get_column("hasq")
        odd = pl.repeat(False, lines.len(), eager=True)
        idx = mask.arg_true()
        odd = odd.scatter(idx, quoted.get_column("odd"))
        bare = lines.clone().scatter(idx, quoted.get_column("bare"))
    else:
        odd = pl.repeat(False, lines.len(), eager=True)
        bare = lines
    shape = pl.DataFrame({"bare": bare, "odd": odd}).with_columns(
        (pl.col("bare").str.count_matches(sep, literal=True).fill_null(0) + 1).cast(pl.Int64).alias("fields"),
        (pl.col("bare").is_null() | pl.col("bare").str.contains(f'^(?:\\s|{esep}|"")*$')).alias("blank"),
    )
    over = shape.get_column("fields") > named
    trimmed = shape.get_column("fields").clone()
    if over.any():
        cut = shape.filter(over).select(
            pl.col("bare").str.replace(f"(?:{esep}\\s*)+$", "").str.count_matches(sep, literal=True) + 1
        )
        trimmed = trimmed.scatter(over.arg_true(), cut.to_series())
    bad = (shape.get_column("fields") < named) | (trimmed > named)
    return shape.select("fields", "odd", "blank").with_columns(bad.alias("bad_count"))


@dataclass
class _SlowRecord:
    first: int  # 0-based index of the line it starts on
    last: int  # 0-based index of the line it ends on
    fields: list[str]
    check: str | None  # "quoting" when the quote does not close


def _strict(text: str, sep: str) -> tuple[list[list[str]] | None, bool]:
    """(records, still open): ``text`` read by the ``csv`` module in strict mode; records None
    when the quoting is malformed, ``still open`` when a quoted cell runs to the end."""
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=sep, quotechar=QUOTE, strict=True)), False
    except csv.Error as exc:
        return None, "end of data" in str(exc)


def _resolve_odd_lines(
    lines: pl.Series, odd: list[int], sep: str, fits: Callable[[list[str]], bool]
) -> list[_SlowRecord]:
    """Lines whose quotes the whole-column check could not vouch for, read by the ``csv`` module:
    a quote inside an unquoted cell (``O"Brien``, kept as it is), a quoted cell spanning lines
    (the next lines are joined while it stays open; kept when the joined record has a fitting
    field count), or a quote that does not close or closes into junk (``quoting``; the next line
    is then read on its own)."""
    out: list[_SlowRecord] = []
    n = lines.len()
    consumed_to = -1
    for k in odd:
        if k <= consumed_to:
            continue
        text = lines[k] or ""
        records, still_open = _strict(text, sep)
        if records is not None:
            out.append(_SlowRecord(k, k, records[0] if records else [], None))
            continue
        if still_open:
            joined, j = text, k
            for j in range(k + 1, min(k + MAX_CELL_LINES, n)):
                joined += "\n" + (lines[j] or "")
                records, still_open = _strict(joined, sep)
                if not still_open:
                    break
            if records is not None and len(records) == 1 and fits(records[0]):
                out.append(_SlowRecord(k, j, records[0], None))
                consumed_to = j
                continue
        out.append(_SlowRecord(k, k, _split(text, sep), "quoting"))
    return out


def _parse_cells(data: bytes, sep: str, width: int, n_lines: int) -> pl.DataFrame | None:
    """The cells of every physical line (row i = line i + 1) by polars, or None when polars does
    not give one row per line (the caller then falls back on the ``csv`` module)."""
    try:
        frame = pl.read_csv(
            io.BytesIO(data),
            has_header=False,
            separator=sep,
            quote_char=QUOTE,
            infer_schema=False,
            truncate_ragged_lines=True,
            raise_if_empty=False,
        )
    except pl.exceptions.PolarsError:
        return None
    if frame.height != n_lines:
        return None
    frame = frame.rename({old: str(i) for i, old in enumerate(frame.columns)})
    missing = [pl.lit(None, pl.String).alias(str(i)) for i in range(frame.width, width)]
    return frame.with_columns(missing).select(str(i) for i in range(width))


def _parse_with_csv_module(lines: pl.Series, sep: str, width: int) -> pl.DataFrame:
    """The safety net: every line parsed on its own by the ``csv`` module (slow, exact)."""
    rows = []
    for text in lines.to_list():
        fields = [f or None for f in (_split(text, sep) if text else [])][:width]
        rows.append(fields + [None] * (width - len(fields)))
    return pl.DataFrame(rows, schema={str(i): pl.String for i in range(width)}, orient="row")


def _lines(body: bytes, codec: str | None, label: str | None, file: str) -> tuple[pl.Series, bytes, str, list[int]]:
    """(lines, their UTF-8 bytes, encoding label, 1-based lines with invalid bytes) of the bytes
    after any BOM (``codec``, ``label``: :func:`pipeline.intake.encodings.choose`)."""
    if _polars_reads_utf8(codec, body):
        utf8 = encodings.newline_bytes(body)
        try:
            return _line_reader(utf8), utf8, label or "utf-8", []  # polars checks the UTF-8
        except pl.exceptions.PolarsError:
            pass
    utf8, label, bad = encodings.decode(body, codec, label, file)
    try:
        return _line_reader(utf8), utf8, label, bad
    except pl.exceptions.PolarsError:
        raise InputError(f"{file}: cannot be split into lines; re-export the file as CSV") from None


def _polars_reads_utf8(codec: str | None, body: bytes) -> bool:
    """True when the bytes may go to polars as they are (UTF-8 or undecided, no NUL byte): polars
    checks the UTF-8 itself, and the file is decoded in Python only when that check fails."""
    return codec in (None, "utf-8") and b"\x00" not in body


@dataclass(frozen=True)
class _Header:
    names: list[str]
    separator: str

    @property
    def width(self) -> int:
        return len(self.names)

    @property
    def named(self) -> int:
        """Fields up to the last one with a name (unnamed trailing columns may be left out)."""
        return max((i + 1 for i, h in enumerate(self.names) if h.strip()), default=0)

    def fits(self, fields: list[str]) -> bool:
        """Every named field present, and nothing beyond them but empty fields."""
        trimmed = len(fields)
        while trimmed > self.named and not fields[trimmed - 1].strip():
            trimmed -= 1
        return len(fields) >= self.named and trimmed <= self.named


def _header(header: str | None, file: str, delimiter: str | None) -> _Header:
    """The header line (None: empty) read: its names and the separator."""
    if not header or not header.strip():
        raise InputError(f"{file}: line 1 (the header) is empty; the first line must name the columns")
    if QUOTE in _outside_quotes(header):
        raise InputError(f"{file}: line 1 (the header) has an unbalanced quote; fix the quotes of the header")
    sep = separator(header, file, delimiter)
    return _Header(_split(header, sep), sep)


def _cells(lines: pl.Series, utf8: bytes, slow: list[_SlowRecord], header: _Header) -> pl.DataFrame:
    """The cells of every physical line (row i = line i + 1): polars on the bytes, the lines read
    in Python left empty for it (so that it still gives one row per line), then patched in."""
    parse_lines = lines
    if slow:
        parse_lines = lines.clone().scatter([i for r in slow for i in range(r.first, r.last + 1)], None)
        buf = io.BytesIO()
        pl.DataFrame({"line": parse_lines}).write_csv(buf, include_header=False, quote_style="never")
        utf8 = buf.getvalue()
    width = header.width
    cells = _parse_cells(utf8, header.separator, width, lines.len())
    if cells is None:
        cells = _parse_with_csv_module(parse_lines, header.separator, width)
    if not slow:
        return cells
    patch = pl.DataFrame(
        [[r.first, *_padded(r.fields, width)] for r in slow],
        schema={"__i": pl.Int64} | {str(i): pl.String for i in range(width)},
        orient="row",
    )
    cells = cells.with_row_index("__i").with_columns(pl.col("__i").cast(pl.Int64))
    return cells.update(patch, on="__i", include_nulls=True).drop("__i")


def _status(
    shape: pl.DataFrame, slow: list[_SlowRecord], bad_lines: list[int], header: _Header
) -> tuple[pl.Series, pl.Series, pl.Series]:
    """Per physical line: the defect (``check``, null for none), ``blank``, ``continuation`` (a
    line inside a record that started above)."""
    n = shape.height
    check = pl.select(
        pl.when(pl.lit(shape.get_column("bad_count"))).then(pl.lit("field_count")).otherwise(pl.lit(None, pl.String))
    ).to_series()
    blank = shape.get_column("blank").clone()
    continuation = pl.repeat(False, n, eager=True)
    if slow:
        firsts = [r.first for r in slow]
        check = check.scatter(firsts, [r.check or (None if header.fits(r.fields) else "field_count") for r in slow])
        blank = blank.scatter(firsts, False)
        inner = [i for r in slow for i in range(r.first + 1, r.last + 1)]
        if inner:
            continuation = continuation.scatter(inner, True)
    if bad_lines:
        starts = (~continuation).arg_true().to_list()  # a bad byte inside a multi-line record: its first line
        check = check.scatter(sorted({starts[bisect.bisect_right(starts, i - 1) - 1] for i in bad_lines}), "encoding")
    return check, blank, continuation


NOT_BLANK = re.compile(rb"[^\r\n\t \x00\xef\xbb\xbf\xff\xfe]")
"""A byte that is not a line end, space, tab, NUL or byte-order-mark byte: a file without one is empty."""


def read_csv_table(data: bytes, file: str, encoding: str | None, delimiter: str | None) -> CsvTable:
    """Read a CSV file (its bytes) into text cells with line numbers, line defects and the blank
    count; the encoding is decided by :mod:`pipeline.intake.encodings`.

    A file without quotes whose every line has the header's fields (the usual export) is read by
    one polars parse (:func:`_read_regular`); any other goes through the lines one by one."""
    if NOT_BLANK.search(data) is None:
        raise InputError(f"{file}: the file is empty (no header line); export the table with its header")
    body, codec, label = encodings.choose(data, file, encoding)
    if _polars_reads_utf8(codec, body):
        table = _read_regular(encodings.newline_bytes(body), file, label or "utf-8", delimiter)
        if table is not None:
            return table
    lines, utf8, label, bad_lines = _lines(body, codec, label, file)
    header = _header(lines[0] if lines.len() else None, file, delimiter)
    shape = _shape(lines, header.separator, header.named, QUOTE.encode() in utf8)
    odd = [i for i in shape.get_column("odd").arg_true().to_list() if i > 0]
    slow = _resolve_odd_lines(lines, odd, header.separator, header.fits) if odd else []
    check, blank, continuation = _status(shape, slow, bad_lines, header)
    frame = _cells(lines, utf8, slow, header).with_columns(
        pl.int_range(1, lines.len() + 1, dtype=pl.Int64).alias("source_line")
    )
    dropped = (blank | continuation).scatter(0, True)  # and the header
    flagged = check.is_not_null() & ~dropped
    if flagged.any():  # the defects, with the cells that say which field holds a bad byte
        marked = frame.filter(flagged).with_columns(
            check.filter(flagged).alias("__check"), shape.get_column("fields").filter(flagged).alias("__fields")
        )
        defects = _defects(marked, header.width, header.named, label)
    else:
        defects = pl.DataFrame(schema=DEFECT_SCHEMA)
    frame = frame.filter(~dropped) if dropped.slice(1).any() else frame.slice(1)  # slice: no copy
    blank_count = int((blank & ~continuation).sum()) - int(blank[0])
    return CsvTable(header.names, frame, defects, blank_count, label, header.separator)


# --------------------------------------------------------------------------------------------
# The usual file in one parse.
# --------------------------------------------------------------------------------------------


def _read_regular(utf8: bytes, file: str, label: str, delimiter: str | None) -> CsvTable | None:
    """The table of a file without quotes whose every line has as many fields as the header, by
    one polars parse; None for any other file (or bytes that are not UTF-8), to be read line by
    line. The same table as the line-by-line reading gives, without splitting the lines first.

    Every line has the header's fields when polars parses the file to the header's width without
    a longer line (it refuses one), one row per physical line, and the file holds exactly (width
    - 1) separators per line. Then no record has a defect (no quote, no bad byte, no field count
    off) and a line is blank when its every cell is empty or spaces."""
    end = utf8.find(b"\n")
    try:
        header = _header(utf8[: None if end < 0 else end].decode("utf-8") or None, file, delimiter)
    except (UnicodeDecodeError, InputError):
        return None  # the line-by-line reading decides (and says why)
    sep = header.separator.encode()
    if QUOTE.encode() in utf8 or len(sep) != 1 or utf8.startswith(encodings.BOMS[2][0]):
        return None
    try:
        cells = pl.read_csv(
            io.BytesIO(utf8),
            has_header=False,
            separator=header.separator,
            quote_char=None,
            infer_schema=False,
            raise_if_empty=False,
        )
    except pl.exceptions.PolarsError:
        return None
    n_lines = utf8.count(b"\n") + (not utf8.endswith(b"\n"))
    if cells.width != header.width or cells.height != n_lines or utf8.count(sep) != (header.width - 1) * n_lines:
        return None
    cells = cells.rename({old: str(i) for i, old in enumerate(cells.columns)})
    padded = _padded_fields(utf8, cells, sep)
    unnamed = [pl.col(str(i)).is_not_null().any() for i in range(header.named, header.width)]
    if unnamed and any(cells.slice(1).select(unnamed).row(0)):
        return None  # a cell under no header name: a field count to tell, line by line
    blank = _blank_lines(cells, padded)
    cells = cells.with_columns(pl.int_range(1, n_lines + 1, dtype=pl.Int64).alias("source_line"))
    dropped = blank.scatter(0, True)  # and the header
    frame = cells.filter(~dropped) if dropped.slice(1).any() else cells.slice(1)  # slice: no copy
    defects = pl.DataFrame(schema=DEFECT_SCHEMA)
    return CsvTable(header.names, frame, defects, int(blank.sum()) - int(blank[0]), label, header.separator, padded)


WHITESPACE_BYTES = (b"\t", b"\x0b", b"\x0c", b"\xc2", b"\xe1", b"\xe2", b"\xe3")
"""Bytes that begin every whitespace character but the space and the line end in UTF-8 (tab,
vertical tab, form feed; the lead bytes of U+0085, U+00A0, U+1680, U+2000-U+205F and U+3000): what
trimming (``str.strip_chars``: Unicode White_Space) removes."""


def _padded_fields(utf8: bytes, cells: pl.DataFrame, sep: bytes) -> frozenset[int] | None:
    """The fields some cell of which begins or ends with whitespace (None: any may).

    Trimming every cell of a million-row file costs about a second; a file that holds no
    whitespace byte but the space (and the separator, when it is a tab) can only need it where a
    cell begins or ends with a space, which two prefix tests per column tell far more cheaply."""
    if any(b in utf8 for b in WHITESPACE_BYTES if b != sep):
        return None
    if b" " not in utf8:
        return frozenset()
    spaced = cells.select(
        (pl.col(name).str.starts_with(" ") | pl.col(name).str.ends_with(" ")).any() for name in cells.columns
    ).row(0)
    return frozenset(i for i, hit in enumerate(spaced) if hit)


def _blank_lines(cells: pl.DataFrame, padded: frozenset[int] | None) -> pl.Series:
    """Per line: every cell empty (null) or spaces only. Only the lines whose first cell is such
    are looked at whole."""

    def empty(name: str) -> pl.Expr:
        c = pl.col(name)
        may_be_spaces = padded is None or int(name) in padded
        return (c.is_null() | (c.str.strip_chars() == "")) if may_be_spaces else c.is_null()

    first = cells.select(empty("0")).to_series()
    if not first.any():
        return first
    rows = first.arg_true()
    whole = cells.filter(first).select(pl.all_horizontal(empty(name) for name in cells.columns)).to_series()
    return pl.repeat(False, cells.height, eager=True).scatter(rows, whole)


def _padded(fields: list[str], width: int) -> list[str | None]:
    cut = [f or None for f in fields[:width]]
    return cut + [None] * (width - len(cut))


def _defects(frame: pl.DataFrame, width: int, named: int, encoding: str) -> pl.DataFrame:
    """The defect rows of the flagged records (``__check``, ``__fields``), with their messages."""
    flagged = frame
    marked = [pl.when(pl.col(str(i)).str.contains("\ufffd", literal=True)).then(pl.lit(i)) for i in range(width)]
    field = pl.coalesce(marked) if marked else pl.lit(None, pl.Int64)
    before, after = MESSAGES["field_count"].split("{found}")
    message = (
        pl.when(pl.col("__check") == "encoding")
        .then(pl.lit(MESSAGES["encoding"].format(encoding=_encoding_name(encoding))))
        .when(pl.col("__check") == "quoting")
        .then(pl.lit(MESSAGES["quoting"]))
        .otherwise(pl.lit(before) + pl.col("__fields").cast(pl.String) + pl.lit(after.format(expected=named)))
    )
    return flagged.select(
        "source_line",
        pl.when(pl.col("__check") == "encoding").then(field).cast(pl.Int64).alias("field"),
        pl.col("__check").alias("check"),
        message.alias("message"),
    )


def _encoding_name(label: str) -> str:
    return {"cp1252": "Windows-1252", "utf-8-sig": "UTF-8"}.get(label, label.upper())
