"""Reading a CSV file as a person sent it: encoding, line endings, separator, quoting, field counts.

What is accepted (data-contract "General conventions"): UTF-8 (with or without BOM), UTF-16 and
UTF-32 (with BOM) and Windows-1252; lines ending in LF, CRLF or CR; ``,`` ``;`` or tab; quoted
cells (RFC 4180: ``""`` is a quote inside a quoted cell), which may span lines.

A defect of the whole file stops with one :class:`~pipeline.errors.InputError`: an encoding that
cannot be decided (UTF-8 and Windows-1252 lines in comparable numbers, UTF-16/32 without a
byte-order mark, a profile that says Windows-1252 for a UTF-8 file), an undecidable separator, an
empty or unbalanced header line. A defect of one record is reported for that record and the
others go on: bytes not valid in the file's encoding (``encoding``), a quote that does not close
(``quoting``), too few or too many fields (``field_count``; extra fields that are all empty, as
spreadsheets leave them, are accepted). Blank lines (every cell empty) are counted, not read.

Every record keeps the physical line it starts on (header = line 1), so a quoted cell spanning
lines does not shift the numbers of the records after it.

How it stays fast: the file is split into lines by polars and classified by whole-column
expressions (separators per line, quotes, blank lines); the cells are parsed by polars' CSV reader
on the checked bytes, one row per physical line. Only lines holding a quote that does not close on
the line itself are looked at in Python (the standard ``csv`` module). A clean UTF-8 file is never
decoded in Python: polars checks the UTF-8 itself.
"""

from __future__ import annotations

import bisect
import codecs
import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from pipeline.errors import InputError

SEPARATORS = (";", ",", "\t")
QUOTE = '"'
MAX_CELL_LINES = 50
"""A quoted cell may span at most this many lines; a quote still open after them is a defect."""

BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32-be", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le", "utf-16"),
    (b"\xfe\xff", "utf-16-be", "utf-16"),
)
SINGLE_BYTE = {"cp1252", "latin_1", "iso8859_15"}

_MARK = "\ufdd0"
"""Put where bytes are not valid in the encoding: a Unicode noncharacter reserved for internal use."""
_QUOTED = r'"(?:[^"]|"")*"'


def _mark_invalid(exc: UnicodeError) -> tuple[str, int]:
    return _MARK, exc.end  # type: ignore[attr-defined]


codecs.register_error("payroll-mark", _mark_invalid)

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
    messages and cascades). Blank lines are left out and counted in ``blank``.
    """

    headers: list[str]
    cells: pl.DataFrame
    defects: pl.DataFrame
    blank: int
    encoding: str
    separator: str


# --------------------------------------------------------------------------------------------
# Bytes -> UTF-8 with LF line ends, and the lines that are not valid in the encoding.
# --------------------------------------------------------------------------------------------


def _choose_encoding(data: bytes, file: str, forced: str | None) -> tuple[bytes, str | None, str | None]:
    """(bytes after any BOM, codec or None for "detect", label for the dialect)."""
    for bom, codec, label in BOMS:
        if data.startswith(bom):
            return data[len(bom) :], codec, label
    if forced and forced != "auto":
        try:
            codec = codecs.lookup(forced).name
        except LookupError:
            raise InputError(f"{file}: unknown encoding {forced!r} in the mapping profile (csv.encoding)") from None
        return data, codec, forced
    if data.count(b"\x00") * 10 > len(data):
        raise InputError(
            f"{file}: looks like UTF-16 or UTF-32 without a byte-order mark; re-export it as UTF-8 (or with a BOM)"
        )
    return data, None, None


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _newline_bytes(data: bytes) -> bytes:
    """LF line ends, for a byte encoding where CR and LF are single ASCII bytes (UTF-8, Windows-1252)."""
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n") if b"\r" in data else data


def _bad_lines(text: str) -> list[int]:
    """1-based numbers of the lines of ``text`` (LF line ends) holding an invalid-byte mark or a NUL."""
    found: set[int] = set()
    for char in (_MARK, "\x00"):
        line, last, pos = 1, 0, text.find(char)
        while pos != -1:
            line += text.count("\n", last, pos)
            found.add(line)
            end = text.find("\n", pos)
            if end == -1:
                break
            line, last, pos = line + 1, end + 1, text.find(char, end + 1)
    return sorted(found)


# Byte classes: a UTF-8 lead byte of a multibyte character, a continuation byte, anything else.
_CLASSES = bytes((ord("L") if 0xC2 <= b <= 0xF4 else ord("C") if 0x80 <= b <= 0xBF else ord(".")) for b in range(256))


def _utf8_or_cp1252(body: bytes, file: str) -> str:
    """The codec of a file that is not valid UTF-8 (LF line ends): Windows-1252 when no line holds
    a UTF-8 character, UTF-8 (its invalid lines to be rejected) when lines holding UTF-8
    characters outnumber the invalid ones, else a file-level error.

    Only a file with both kinds of bytes is looked at line by line (the usual Windows-1252 export
    has no byte pair that could start a UTF-8 character, and is decided by one byte translation)."""
    if b"LC" not in body.translate(_CLASSES):
        return "cp1252"
    utf8 = invalid = 0
    first = None
    for number, line in enumerate(body.split(b"\n"), 1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8 += 1
        except UnicodeDecodeError:
            invalid += 1
            first = first or number
    if utf8 > invalid:
        return "utf-8"
    if utf8 == 0:
        return "cp1252"
    raise InputError(
        f"{file}: mixes UTF-8 and Windows-1252 text (line {first} is not UTF-8, other lines are): the encoding "
        "cannot be decided; re-export the whole file in one encoding"
    )


def _decode(body: bytes, codec: str | None, label: str | None, file: str) -> tuple[bytes, str, list[int]]:
    """The careful path: decode in Python, find the lines with invalid bytes and, when no codec is
    given, decide between UTF-8 and Windows-1252 (see :func:`read_csv_table`)."""
    if codec in (None, "utf-8") or codec in SINGLE_BYTE:
        body = _newline_bytes(body)
    if codec in SINGLE_BYTE:
        try:
            utf8_text = body.decode("utf-8")
        except UnicodeDecodeError:
            utf8_text = None
        if utf8_text is not None and not utf8_text.isascii():
            raise InputError(
                f"{file}: the mapping profile says {label}, but the file is UTF-8 (its accented letters would be "
                "garbled); set csv.encoding to auto or utf-8"
            )
    if codec is None:
        try:
            body.decode("utf-8")
            codec = "utf-8"  # valid UTF-8 (here for its NUL bytes)
        except UnicodeDecodeError:
            codec = _utf8_or_cp1252(body, file)
            label = "cp1252" if codec == "cp1252" else None
    text = _newlines(body.decode(codec, errors="payroll-mark"))
    bad = _bad_lines(text) if (_MARK in text or "\x00" in text) else []
    if bad:
        text = text.replace(_MARK, "\ufffd").replace("\x00", "\ufffd")
    return text.encode("utf-8"), label or "utf-8", bad


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


def _lines(data: bytes, file: str, forced: str | None) -> tuple[pl.Series, bytes, str, list[int]]:
    """(lines, their UTF-8 bytes, encoding label, 1-based lines with invalid bytes)."""
    body, codec, label = _choose_encoding(data, file, forced)
    if codec in (None, "utf-8") and b"\x00" not in body:
        utf8 = body.replace(b"\r\n", b"\n").replace(b"\r", b"\n") if b"\r" in body else body
        try:
            return _line_reader(utf8), utf8, label or "utf-8", []  # polars checks the UTF-8
        except pl.exceptions.PolarsError:
            pass
    utf8, label, bad = _decode(body, codec, label, file)
    try:
        return _line_reader(utf8), utf8, label, bad
    except pl.exceptions.PolarsError:
        raise InputError(f"{file}: cannot be split into lines; re-export the file as CSV") from None


def read_csv_table(data: bytes, file: str, encoding: str | None, delimiter: str | None) -> CsvTable:
    """Read a CSV file (its bytes) into text cells with line numbers, line defects and the blank count.

    The encoding: a byte-order mark decides; else the profile's ``csv.encoding``; else UTF-8 when
    the whole file is valid UTF-8, Windows-1252 when no line holds a UTF-8 character, UTF-8 with
    the invalid lines rejected when lines holding UTF-8 characters outnumber them, and a refusal
    otherwise (guessing would garble every accented name).
    """
    if not data.strip(b"\r\n\t \x00\xef\xbb\xbf\xff\xfe"):
        raise InputError(f"{file}: the file is empty (no header line); export the table with its header")
    lines, utf8, label, bad_lines = _lines(data, file, encoding)
    header = lines[0] if lines.len() else None
    if not header or not header.strip():
        raise InputError(f"{file}: line 1 (the header) is empty; the first line must name the columns")
    if QUOTE in _outside_quotes(header):
        raise InputError(f"{file}: line 1 (the header) has an unbalanced quote; fix the quotes of the header")
    sep = separator(header, file, delimiter)
    headers = _split(header, sep)
    width = len(headers)
    named = max((i + 1 for i, h in enumerate(headers) if h.strip()), default=0)

    def fits(fields: list[str]) -> bool:
        trimmed = len(fields)
        while trimmed > named and not fields[trimmed - 1].strip():
            trimmed -= 1
        return len(fields) >= named and trimmed <= named

    n = lines.len()
    shape = _shape(lines, sep, named, QUOTE.encode() in utf8)
    odd = [i for i in shape.get_column("odd").arg_true().to_list() if i > 0]
    slow = _resolve_odd_lines(lines, odd, sep, fits) if odd else []

    check = pl.select(
        pl.when(pl.lit(shape.get_column("bad_count"))).then(pl.lit("field_count")).otherwise(pl.lit(None, pl.String))
    ).to_series()
    blank = shape.get_column("blank").clone()
    continuation = pl.repeat(False, n, eager=True)
    parse_lines = lines
    if slow:
        firsts = [r.first for r in slow]
        check = check.scatter(firsts, [r.check or (None if fits(r.fields) else "field_count") for r in slow])
        blank = blank.scatter(firsts, False)
        inner = [i for r in slow for i in range(r.first + 1, r.last + 1)]
        if inner:
            continuation = continuation.scatter(inner, True)
        # The lines read in Python are left empty for polars, so it still gives one row per line.
        parse_lines = lines.clone().scatter([i for r in slow for i in range(r.first, r.last + 1)], None)
        buf = io.BytesIO()
        pl.DataFrame({"line": parse_lines}).write_csv(buf, include_header=False, quote_style="never")
        utf8 = buf.getvalue()
    cells = _parse_cells(utf8, sep, width, n)
    if cells is None:
        cells = _parse_with_csv_module(parse_lines, sep, width)
    if slow:
        patch = pl.DataFrame(
            [[r.first, *_padded(r.fields, width)] for r in slow],
            schema={"__i": pl.Int64} | {str(i): pl.String for i in range(width)},
            orient="row",
        )
        cells = cells.with_row_index("__i").with_columns(pl.col("__i").cast(pl.Int64))
        cells = cells.update(patch, on="__i", include_nulls=True).drop("__i")
    if bad_lines:
        starts = (~continuation).arg_true().to_list()  # a bad byte inside a multi-line record: its first line
        check = check.scatter(sorted({starts[bisect.bisect_right(starts, i - 1) - 1] for i in bad_lines}), "encoding")
    dropped = blank | continuation
    blank_count = int((blank & ~continuation).sum()) - int(blank[0])
    frame = cells.with_columns(
        pl.int_range(1, n + 1, dtype=pl.Int64).alias("source_line"),
        check.alias("__check"),
        shape.get_column("fields").alias("__fields"),
    )
    if dropped.slice(1).any():
        frame = frame.filter(~dropped.scatter(0, True))
    else:
        frame = frame.slice(1)  # no copy: only the header goes
    defects = _defects(frame, width, named, label)
    return CsvTable(headers, frame.drop("__check", "__fields"), defects, blank_count, label, sep)


def _padded(fields: list[str], width: int) -> list[str | None]:
    cut = [f or None for f in fields[:width]]
    return cut + [None] * (width - len(cut))


def _defects(frame: pl.DataFrame, width: int, named: int, encoding: str) -> pl.DataFrame:
    """The defect rows of the flagged records (``__check``), with their messages."""
    flagged = frame.filter(pl.col("__check").is_not_null())
    if flagged.height == 0:
        return pl.DataFrame(schema=DEFECT_SCHEMA)
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
