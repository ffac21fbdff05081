"""Reading one batch folder: CSV, Parquet and XLSX, mapped onto the canonical columns by a
mapping profile (data-contract "General conventions" and "Column mapping").

Every value is read as text (validation casts later) and every row keeps ``source_file`` and its
1-based ``source_line`` (CSV: header = line 1, first data row = line 2, a quoted cell spanning
lines does not shift later rows; XLSX: the sheet row number; Parquet: the row number + 1, as if
the header were line 1). How each format is read: :mod:`pipeline.intake.csv_reader` (encoding,
line endings, separator, quoting, field counts) and :mod:`pipeline.intake.typed_files` (XLSX,
Parquet).

A file that cannot be read as a table stops the run with one :class:`~pipeline.errors.InputError`
naming the file: a required column missing, the same header twice (after trimming spaces and
case), an undecidable encoding, separator or decimal mark, a workbook without the named sheet.
A record that cannot be read (``encoding``, ``quoting``, ``field_count``) becomes a reject of
that record (:attr:`RawInput.defects`); blank records are counted (:attr:`RawInput.blank`).

Values: the profile's value maps; amounts with the file's decimal mark and thousands separators
(``3.120,00``, ``3,120.00``, ``3 120,00``) once the mark is decided; identifiers stored as
numbers in a workbook or Parquet file get their leading zeros back (NISS 11 digits, enterprise
number 10, ONSS number 9); a date cell in ``period`` reads as ``YYYY-MM``.
"""

from __future__ import annotations

import codecs
import difflib
import hashlib
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from pipeline.core import rejects
from pipeline.errors import InputError, os_error_text
from pipeline.intake.csv_reader import read_csv_table
from pipeline.intake.profiles import Profile, header_key
from pipeline.intake.typed_files import read_parquet_table, read_xlsx_table
from schemas.checks import NISS_CLEAN, clean_number
from schemas.inputs import INPUTS, InputSpec

EXTENSIONS = (".csv", ".txt", ".parquet", ".xlsx")
DECIMAL_KINDS = ("money", "fraction")
ID_DIGITS = {"niss": 11, "enterprise_nr": 10, "onss_nr": 9}
"""Identifier kinds whose leading zeros a spreadsheet drops, and their length."""
ROW = "(row)"
"""The ``column`` of a reject about a whole record (field count, quoting)."""
UNREAD = "__unread"
"""Column of :attr:`RawInput.frame`: why a record could not be read (column, check, message,
value), null for the others. It travels with the rows (a partitioned run splits the frame)."""
UNREAD_FIELDS = ("column", "check", "message", "value")
UNREAD_KIND = pl.Struct(dict.fromkeys(UNREAD_FIELDS, pl.String))
THOUSANDS = " \u00a0\u202f"
"""Spaces used as thousands separators (plain, no-break, narrow no-break)."""


@dataclass(frozen=True)
class RawInput:
    """One input as text, mapped to canonical column names."""

    name: str
    path: Path
    frame: pl.DataFrame  # canonical columns (String), source_file, source_line, UNREAD: every record but blank ones
    sha256: str
    dialect: str
    missing_columns: tuple[str, ...]  # optional columns the file does not have (filled with their default)
    blank: int = 0  # blank records (every cell empty): skipped, counted
    ascii: bool = False  # every cell is ASCII text (the file's bytes are, and no value map of the profile applies)

    @property
    def rows(self) -> int:
        """Records read (blank ones excepted)."""
        return self.frame.height

    @property
    def defects(self) -> pl.DataFrame:
        """Reject rows of the records that could not be read (``encoding``, ``quoting``, ``field_count``)."""
        if UNREAD not in self.frame.columns:
            return rejects.empty()
        unread = self.frame.filter(pl.col(UNREAD).is_not_null())
        if unread.height == 0:
            return rejects.empty()
        employee = pl.col("employee_id") if "employee_id" in unread.columns else pl.lit(None, pl.String)
        return unread.select(
            "source_file",
            "source_line",
            *(pl.col(UNREAD).struct.field(f) for f in UNREAD_FIELDS[:2]),
            employee.alias("employee_id"),
            *(pl.col(UNREAD).struct.field(f) for f in UNREAD_FIELDS[2:]),
        )


def find_input(folder: Path, spec: InputSpec, profile: Profile) -> Path | None:
    """The file holding ``spec`` in ``folder`` (profile ``file`` or the canonical name)."""
    conf = profile.for_input(spec.name)
    stem = conf.get("file", spec.name)
    if Path(stem).suffix:
        candidate = folder / stem
        return candidate if candidate.is_file() else None
    found = [p for p in sorted(folder.iterdir()) if p.is_file() and p.stem == stem and p.suffix.lower() in EXTENSIONS]
    if len(found) > 1:
        raise InputError(f"{spec.name}: several files named {stem}.* in {folder}: {[p.name for p in found]}")
    return found[0] if found else None


@dataclass(frozen=True)
class _Source:
    """What every format reader gives: header texts and cells ``"0"``, ``"1"``, ... + ``source_line``."""

    file: str
    headers: list[str]
    cells: pl.DataFrame
    defects: pl.DataFrame | None
    blank: int
    dialect: str
    typed: bool  # the cells carry types (XLSX, Parquet): numbers are written with a decimal point
    numeric: frozenset[int] | None = None  # fields that held numbers (None: any may have)
    dates: frozenset[int] | None = None  # fields that held dates (None: any may have)
    padded: frozenset[int] | None = None  # fields whose cells may need trimming (None: any may)

    def trimmed(self, index: int) -> pl.Expr:
        """Field ``index`` trimmed, blank as null (left as it is where no cell needs it)."""
        cell = pl.col(str(index))
        return (
            cell if self.padded is not None and index not in self.padded else cell.str.strip_chars().replace("", None)
        )


def _read_source(path: Path, data: bytes, profile: Profile, sheet: str | None) -> _Source:
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        table = read_csv_table(data, path.name, profile.csv.get("encoding"), profile.csv.get("delimiter"))
        sep = "tab" if table.separator == "\t" else table.separator
        dialect = f"csv encoding={table.encoding} delimiter={sep}"
        return _Source(
            path.name, table.headers, table.cells, table.defects, table.blank, dialect, typed=False, padded=table.padded
        )
    if suffix == ".parquet":
        t = read_parquet_table(data, path.name)
    elif suffix == ".xlsx":
        t = read_xlsx_table(data, path.name, sheet)
    else:
        raise InputError(f"{path.name}: unsupported file type {suffix}")
    return _Source(path.name, t.headers, t.cells, None, t.blank, t.dialect, True, t.numeric, t.dates)


def _column_names(headers: list[str], spec: InputSpec, conf: dict[str, Any], file: str, profile: str) -> dict[int, str]:
    """Field index -> canonical column. Refuses the same header twice, two headers read as one
    column, and a required column that is missing."""
    header_map = {header_key(k): v for k, v in (conf.get("columns") or {}).items()}
    canonical = {c.name for c in spec.columns}
    seen: dict[str, int] = {}
    names: dict[int, str] = {}
    taken: dict[str, int] = {}
    for i, header in enumerate(headers):
        key = header_key(header)
        if not key:
            continue
        target = header_map.get(key, key if key in canonical else None)
        if key in seen:
            which = f" ({target})" if target else ""
            raise InputError(
                f"{file}: the header names the same column twice{which}, in columns {seen[key] + 1} and {i + 1}; "
                "remove or rename one"
            )
        seen[key] = i
        if target is None:
            continue
        if target in taken:
            raise InputError(
                f"{file}: columns {taken[target] + 1} and {i + 1} would both be read as {target}; remove one "
                f"(or fix the mapping profile {profile})"
            )
        taken[target] = i
        names[i] = target
    missing = [c.name for c in spec.columns if c.required and c.name not in taken]
    if missing:
        raise InputError(_missing_columns_text(file, profile, missing, header_map, headers, canonical, len(taken)))
    return names


SHOWN_HEADERS = 40
"""Headers listed at most in the message of a missing column (the rest counted)."""


def _missing_columns_text(
    file: str,
    profile: str,
    missing: list[str],
    header_map: dict[str, str],
    headers: list[str],
    canonical: set[str],
    recognised: int,
) -> str:
    """The one line of a required column missing: the columns, the headers the profile expects
    for each (its own, and the canonical name, always accepted), a header found that looks like one
    of them, and the headers found (file-level: no cell of a data row; when no header is recognised
    the first row may be data, so it is counted, not shown)."""
    found = [h.strip() for h in headers if header_key(h)]
    unused = [h for h in found if header_key(h) not in header_map and header_key(h) not in canonical]
    expected = []
    for name in missing:
        names = [*(k for k, v in header_map.items() if v == name), name]
        close = difflib.get_close_matches(names[0], [header_key(h) for h in unused], n=1, cutoff=0.75)
        near = next((h for h in unused if close and header_key(h) == close[0]), None)
        shown = " or ".join(repr(n) for n in dict.fromkeys(names))
        expected.append(f"{name} (header {shown}{f'; found {near!r}' if near else ''})")
    if recognised:
        listed = ", ".join(repr(h) for h in found[:SHOWN_HEADERS])
        more = f" and {len(found) - SHOWN_HEADERS} more" if len(found) > SHOWN_HEADERS else ""
        seen = f"headers found ({len(found)}): {listed}{more}"
    else:
        seen = f"none of the first row's {len(found)} cells is a header the profile knows"
    return (
        f"{file}: required column(s) missing from the header: {', '.join(expected)}; {seen}; check that the first "
        f"row is the header and that the mapping profile ({profile}) fits the file"
    )


ID_KINDS = ("niss", "onss_nr", "enterprise_nr", "unit_nr")
"""Identifier kinds written without the separators people type (:func:`schemas.checks.clean_number`)."""
MIDNIGHT = r"^(\d{4}-\d{2}-\d{2})[ T]00:00:00(\.0+)?$"
"""A date written with a midnight time (as spreadsheets export dates): read as its date."""
TIMED_DATE = "YYYY-MM-DD 00:00:00"
"""The shortest text :data:`MIDNIGHT` rewrites (a shorter date value is left as it is)."""


@dataclass(frozen=True)
class _Facts:
    """What one pass over the trimmed cells says about the columns: the decimal-mark votes
    (values written with a decimal comma, with a decimal point), and the columns whose values may
    need rewriting (a date long enough to carry a time, an identifier with separators). A column
    without such values (and without a value map of the profile, which may bring them) is left as
    it is: the rewriting would not change any of its values, and costs a pass over a million.

    Amounts are not pre-scanned for thousands separators: the test costs more than the anchored
    pattern that rewrites grouped amounts (:func:`_decimal_text`), which leaves the others as they
    are."""

    comma: int
    point: int
    timed: set[str]
    separated: set[str]


def _column_facts(frame: pl.DataFrame, spec: InputSpec) -> _Facts:
    """The :class:`_Facts` of ``frame`` in one pass.

    A vote is the last mark followed by one or two digits for amounts (three digits after a single
    mark may be a thousands group), by any digits for fractions."""
    exprs = []
    for col in spec.columns:
        c = pl.col(col.name)
        if col.kind in DECIMAL_KINDS:
            digits = "{1,2}" if col.kind == "money" else "+"
            exprs.append(c.str.contains(rf"^-?[0-9][0-9 .\u00a0\u202f]*,[0-9]{digits}$").sum().alias(f"c{col.name}"))
            exprs.append(c.str.contains(rf"^-?[0-9][0-9 ,\u00a0\u202f]*\.[0-9]{digits}$").sum().alias(f"p{col.name}"))
        if col.kind == "date":
            exprs.append((c.str.len_bytes() >= len(TIMED_DATE)).any().alias(f"t{col.name}"))
        if col.kind in ID_KINDS:
            exprs.append(c.str.contains(NISS_CLEAN).any().alias(f"s{col.name}"))
    if not exprs or frame.height == 0:
        return _Facts(0, 0, set(), set())
    row = frame.select(exprs).row(0, named=True)

    def named(prefix: str) -> set[str]:
        return {k[1:] for k, v in row.items() if k.startswith(prefix) and v}

    comma = sum(int(v or 0) for k, v in row.items() if k.startswith("c"))
    point = sum(int(v or 0) for k, v in row.items() if k.startswith("p"))
    return _Facts(comma, point, named("t"), named("s"))


def _decimal_mark(comma: int, point: int, file: str, forced: str | None) -> str | None:
    """The file's decimal mark: the profile's ``csv.decimal``, or the one its amounts use
    (``comma`` and ``point``: the votes); None when no amount shows it (whole numbers only).
    Both in use: refused."""
    if forced and forced != "auto":
        return forced
    if comma and point:
        raise InputError(
            f"{file}: amounts use both a decimal comma ({comma} values) and a decimal point "
            f"({point} values); set csv.decimal in the mapping profile"
        )
    return "," if comma else "." if point else None


def _decimal_text(e: pl.Expr, kind: str, mark: str | None, typed: bool) -> pl.Expr:
    """A money or fraction text in the canonical form (decimal point, no thousands separators).

    Values that do not fit the file's dialect are left as they are: validation rejects them as
    malformed.
    """
    if typed:  # numbers come as "1234.5"; a text cell may carry a decimal comma
        comma = r"^-?[0-9]+,[0-9]{1,2}$" if kind == "money" else r"^-?[0-9]+,[0-9]+$"
        return pl.when(e.str.contains(comma)).then(e.str.replace(",", ".", literal=True)).otherwise(e)
    spaces = f"[{THOUSANDS}]"
    if mark is None:
        if kind != "money":
            return e
        spaced = rf"^-?[0-9]{{1,3}}(?:{spaces}[0-9]{{3}})+$"
        return pl.when(e.str.contains(spaced)).then(e.str.replace_all(spaces, "")).otherwise(e)
    other = "." if mark == "," else ","
    point = e.str.replace(mark, ".", literal=True) if mark != "." else e
    if kind != "money":
        return point
    seps = "|".join(f"(?:{re.escape(t)}[0-9]{{3}})+" for t in (other, *THOUSANDS))
    grouping = rf"^-?[0-9]{{1,3}}(?:{seps})(?:{re.escape(mark)}[0-9]+)?$"
    ungrouped = e.str.replace_all(f"[{re.escape(other)}{THOUSANDS}]", "")
    ungrouped = ungrouped.str.replace(mark, ".", literal=True) if mark != "." else ungrouped
    return pl.when(e.str.contains(grouping)).then(ungrouped).otherwise(point)


def _held(fields: frozenset[int] | None, index: int | None) -> bool:
    """True when the source field ``index`` may have held values of that type (None: any may)."""
    return index is not None and (fields is None or index in fields)


def _values(
    frame: pl.DataFrame, spec: InputSpec, conf: dict[str, Any], profile: Profile, src: _Source, names: dict[int, str]
) -> tuple[list[pl.Expr], str | None]:
    """The canonical text of every column, and the decimal mark used (None when undecided)."""
    value_maps = conf.get("values") or {}
    facts = _column_facts(frame, spec)
    mark = None if src.typed else _decimal_mark(facts.comma, facts.point, src.file, profile.csv.get("decimal"))
    field_of = {target: i for i, target in names.items()}
    exprs = []
    for col in spec.columns:
        e = pl.col(col.name)
        if col.name in value_maps:
            mapping = {str(k).strip().lower(): str(v) for k, v in value_maps[col.name].items()}
            lower = e.str.to_lowercase()
            e = pl.when(lower.is_in(list(mapping))).then(lower.replace(mapping)).otherwise(e)
        if col.kind in DECIMAL_KINDS:
            e = _decimal_text(e, col.kind, mark, src.typed)
        if col.kind == "date":
            if col.name in facts.timed or col.name in value_maps:
                e = e.str.replace(MIDNIGHT, "${1}")
            if profile.date_format and profile.date_format != "%Y-%m-%d":
                parsed = e.str.to_date(profile.date_format, strict=False).dt.to_string("%Y-%m-%d")
                e = pl.coalesce(parsed, e)
        if col.kind == "period" and src.typed and _held(src.dates, field_of.get(col.name)):
            cell = r"^(\d{4}-\d{2})-\d{2} 00:00:00$" if src.dates is None else r"^(\d{4}-\d{2})-\d{2}$"
            e = e.str.replace(cell, "${1}")  # a date cell: its month
        if col.kind == "country":
            e = e.str.to_uppercase()
        if col.kind in ID_KINDS and (col.name in facts.separated or col.name in value_maps):
            e = clean_number(e)  # 85.07.30-033.28 and 85073003328 are the same person
        if col.kind in ID_DIGITS and src.typed and _held(src.numeric, field_of.get(col.name)):
            digits = ID_DIGITS[col.kind]
            e = (
                pl.when(e.str.contains(r"^[0-9]+$") & (e.str.len_chars() < digits))
                .then(e.str.zfill(digits))
                .otherwise(e)
            )
        if col.default is not None:
            e = e.fill_null(pl.lit(col.default))
        exprs.append(e.alias(col.name))
    return exprs, mark


def _with_unread(src: _Source, frame: pl.DataFrame, names: dict[int, str]) -> pl.DataFrame:
    """``frame`` with the :data:`UNREAD` column: the reader's record defects (column: the cell's,
    or ``(row)``), null for the records read well."""
    defects = src.defects
    kind = UNREAD_KIND
    if defects is None or defects.height == 0:
        return frame.with_columns(pl.lit(None, kind).alias(UNREAD))
    labels = {i: names.get(i, src.headers[i] or f"column {i + 1}") for i in range(len(src.headers))}
    width = len(src.headers)
    cells = src.cells.filter(pl.col("source_line").is_in(defects.get_column("source_line").implode()))
    value = pl.coalesce([pl.when(pl.col("field") == i).then(pl.col(str(i))) for i in range(width)] or [pl.lit(None)])
    column = pl.col("field").replace_strict(labels, default=ROW, return_dtype=pl.String)
    unread = defects.join(cells, on="source_line", how="left").select(
        "source_line",
        pl.struct(
            pl.when(pl.col("field").is_null()).then(pl.lit(ROW)).otherwise(column).alias("column"),
            "check",
            "message",
            value.cast(pl.String).alias("value"),
        ).alias(UNREAD),
    )
    return frame.join(unread, on="source_line", how="left", maintain_order="left")


ASCII_CODECS = ("ascii", "utf-8", "cp1252", "iso8859-1", "iso8859-15")
"""Encodings in which ASCII bytes are read as the same ASCII text."""


def _ascii_cells(data: bytes, path: Path, profile: Profile, conf: dict[str, Any]) -> bool:
    """True when every cell read from ``data`` is ASCII text: a CSV file of ASCII bytes read in an
    encoding where those bytes are ASCII characters, and no value map of the profile."""
    if path.suffix.lower() not in (".csv", ".txt") or conf.get("values") or not data.isascii():
        return False
    forced = profile.csv.get("encoding")
    if not forced or forced == "auto":
        return True
    try:
        return codecs.lookup(forced).name in ASCII_CODECS
    except LookupError:
        return False


def read_input(folder: Path, spec: InputSpec, profile: Profile) -> RawInput | None:
    """Read and map one input; ``None`` when the (optional) input is absent."""
    path = find_input(folder, spec, profile)
    if path is None:
        if spec.required:
            raise InputError(f"required input '{spec.name}' not found in {folder} (CSV, Parquet or XLSX)")
        return None
    conf = profile.for_input(spec.name)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(os_error_text(exc, "cannot read")) from None
    digest = hashlib.sha256(data).hexdigest()
    ascii_only = _ascii_cells(data, path, profile, conf)
    src = _read_source(path, data, profile, conf.get("sheet"))
    del data
    names = _column_names(src.headers, spec, conf, path.name, profile.name)
    missing = tuple(c.name for c in spec.columns if c.name not in names.values())
    frame = src.cells.select(
        *[src.trimmed(i).alias(target) for i, target in names.items()],
        *[pl.lit(None, pl.String).alias(name) for name in missing],
        "source_line",
    )
    exprs, mark = _values(frame, spec, conf, profile, src, names)
    frame = frame.select(*exprs, pl.lit(path.name).alias("source_file"), "source_line")
    dialect = src.dialect
    if mark == "," and dialect.startswith("csv"):
        dialect += " decimal=comma"
    frame = _with_unread(src, frame, names)
    return RawInput(spec.name, path, frame, digest, dialect, missing, src.blank, ascii_only)


READERS = 2
"""Inputs read at the same time by :func:`read_batch`."""


def read_batch(folder: Path, profile: Profile) -> dict[str, RawInput]:
    """Read every input of a batch folder (optional ones may be absent).

    The inputs are read :data:`READERS` at a time (while polars parses one file, which it does
    without the GIL, the next is hashed and scanned); what is returned, and the first file-level
    error raised (in the inputs' order), are those of reading them one after the other."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"input folder not found: {folder}")
    out = {}
    with ThreadPoolExecutor(max_workers=READERS) as pool:
        pending = {name: pool.submit(read_input, folder, spec, profile) for name, spec in INPUTS.items()}
        try:
            for name, job in pending.items():
                raw = job.result()
                if raw is not None:
                    out[name] = raw
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    return out
