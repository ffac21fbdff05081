"""A seeded mutator of the sample exports: what an HR system, a spreadsheet or a broken transfer
does to a file; the fuzz tests get one case each (``fuzz_case``) and the ``mutate`` fixture.

``case(seed)`` picks a sample batch, one of its files and one or two mutations, all from the
seed, so a failing case is reproduced by its number alone (``-k 017-``). Each mutation takes the
file's bytes (and a ``random.Random``) and returns new bytes; CSV mutations work on the text in
the file's own encoding and write it back in that encoding (unless the mutation is about the
encoding). ``PAYROLL_FUZZ_CASES`` sets the number of cases (default 240).
"""

from __future__ import annotations

import io
import os
import random
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"

# (folder, profile, CSV encoding, separator, input files)
BATCHES = {
    "bad_input": ("canonical", "utf-8", ",", ["employers.csv", "employees.csv", "pay.csv", "absences.csv"]),
    "exports_fr": (
        "fr_export",
        "cp1252",
        ";",
        ["employeurs.csv", "travailleurs.csv", "salaires.xlsx", "incapacites.csv"],
    ),
    "exports_nl": (
        "nl_export",
        "utf-8-sig",
        ";",
        ["werkgevers.csv", "werknemers.csv", "lonen.parquet", "afwezigheden.csv"],
    ),
}
VALID_NISS = ["85073003328", "70021152943", "01020312345"]  # mod-97 valid (both centuries)
ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@dataclass(frozen=True)
class Case:
    seed: int
    batch: str
    file: str
    mutations: tuple[str, ...]

    @property
    def profile(self) -> str:
        return BATCHES[self.batch][0]

    @property
    def keeps_records(self) -> bool:
        """The mutations change how the records are written, not which: the counts must not move."""
        return set(self.mutations) <= {"line_endings", "reencode"}

    @property
    def label(self) -> str:
        return f"{self.seed:03d}-{self.batch}-{self.file}-{'+'.join(self.mutations)}"


# --------------------------------------------------------------------------------------------
# Text helpers.
# --------------------------------------------------------------------------------------------


class Text:
    """A CSV file as lines of text in its encoding; written back as it came (same encoding)."""

    def __init__(self, data: bytes, encoding: str, sep: str):
        self.encoding = encoding
        self.sep = sep
        text = data.decode(encoding, errors="replace")
        self.lines = text.split("\n")
        self.trailing = self.lines[-1] == ""
        if self.trailing:
            self.lines.pop()

    def data_lines(self) -> range:
        return range(1, len(self.lines))

    def encode(self, encoding: str | None = None) -> bytes:
        text = "\n".join(self.lines) + ("\n" if self.trailing else "")
        return text.encode(encoding or self.encoding, errors="replace")

    def cells(self, i: int) -> list[str]:
        return self.lines[i].split(self.sep)

    def set_cells(self, i: int, cells: list[str]) -> None:
        self.lines[i] = self.sep.join(cells)


def _pick_line(rng: random.Random, t: Text) -> int | None:
    rows = list(t.data_lines())
    return rng.choice(rows) if rows else None


def _edit_cell(rng: random.Random, t: Text, change: Callable[[str], str], where: Callable[[str], bool] = bool) -> None:
    """Change one cell (among those ``where`` accepts) of a random data line."""
    i = _pick_line(rng, t)
    if i is None:
        return
    cells = t.cells(i)
    candidates = [k for k, cell in enumerate(cells) if where(cell) or where is bool]
    if candidates:
        k = rng.choice(candidates)
        cells[k] = change(cells[k])
        t.set_cells(i, cells)


# --------------------------------------------------------------------------------------------
# Byte-level mutations (any file).
# --------------------------------------------------------------------------------------------


def truncate(rng, data: bytes, **_) -> bytes:
    return data[: rng.randrange(0, max(len(data), 1))]


def byte_flip(rng, data: bytes, **_) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        if out:
            out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def nul_byte(rng, data: bytes, **_) -> bytes:
    at = rng.randrange(len(data) + 1)
    return data[:at] + b"\x00" + data[at:]


def empty(rng, data: bytes, **_) -> bytes:
    return b"" if rng.random() < 0.5 else data.split(b"\n", 1)[0] + b"\n"


# --------------------------------------------------------------------------------------------
# CSV text mutations.
# --------------------------------------------------------------------------------------------


def extra_field(rng, t: Text) -> None:
    i = _pick_line(rng, t)
    if i is not None:
        cells = t.cells(i)
        cells.insert(rng.randrange(len(cells) + 1), rng.choice(["", "x", "12,5", "85073003328"]))
        t.set_cells(i, cells)


def missing_field(rng, t: Text) -> None:
    i = _pick_line(rng, t)
    if i is not None:
        cells = t.cells(i)
        if len(cells) > 1:
            cells.pop(rng.randrange(len(cells)))
            t.set_cells(i, cells)


def shifted_row(rng, t: Text) -> None:
    i = _pick_line(rng, t)
    if i is not None:
        cells = t.cells(i)
        t.set_cells(i, [""] + cells[:-1] if rng.random() < 0.5 else cells[1:] + [""])


def duplicate_header(rng, t: Text) -> None:
    names = t.cells(0)
    if len(names) > 1:
        a, b = rng.sample(range(len(names)), 2)
        names[b] = names[a].upper() if rng.random() < 0.5 else names[a]
        t.set_cells(0, names)


def drop_column(rng, t: Text) -> None:
    k = rng.randrange(len(t.cells(0)))
    for i in range(len(t.lines)):
        cells = t.cells(i)
        if k < len(cells):
            cells.pop(k)
            t.set_cells(i, cells)


def unbalanced_quote(rng, t: Text) -> None:
    _edit_cell(rng, t, lambda cell: '"' + cell)


def multiline_cell(rng, t: Text) -> None:
    def spread(cell: str) -> str:
        cut = rng.randrange(len(cell) + 1)
        return '"' + cell[:cut] + "\n" + cell[cut:] + '"'

    _edit_cell(rng, t, spread)


def blank_rows(rng, t: Text) -> None:
    if not t.lines:
        return
    for _ in range(rng.randint(1, 3)):
        at = rng.randrange(1, len(t.lines) + 1)
        width = len(t.cells(0))
        t.lines.insert(at, rng.choice(["", t.sep * (width - 1), " " + t.sep * (width - 1), "   "]))


def niss_elsewhere(rng, t: Text) -> None:
    """A valid national number moved into another column (a shifted row, an export keyed by NISS)."""
    for _ in range(rng.randint(1, 2)):
        i = _pick_line(rng, t)
        if i is not None:
            cells = t.cells(i)
            k = rng.randrange(len(cells))
            niss = rng.choice(VALID_NISS)
            cells[k] = rng.choice([niss, f"{niss[:2]}.{niss[2:4]}.{niss[4:6]}-{niss[6:9]}.{niss[9:]}", f"X{niss}"])
            t.set_cells(i, cells)


def thousands(rng, t: Text) -> None:
    mark = "," if t.sep == ";" else "."
    group = rng.choice(["." if mark == "," else ",", " ", "\u00a0"])
    for i in t.data_lines():
        cells = t.cells(i)
        for k, cell in enumerate(cells):
            whole, _, decimals = cell.partition(mark)
            if whole.isdigit() and len(whole) > 3 and decimals.isdigit():
                grouped = f"{int(whole):,}".replace(",", group)
                cells[k] = grouped + mark + decimals
        t.set_cells(i, cells)


def other_digits(rng, t: Text) -> None:
    _edit_cell(rng, t, lambda cell: cell.translate(ARABIC_DIGITS), lambda cell: any(ch.isdigit() for ch in cell))


def impossible_date(rng, t: Text) -> None:
    def impossible(cell: str) -> str:
        return "2026-02-30" if cell[4] == "-" else f"30{cell[2]}02{cell[5]}2026"

    _edit_cell(rng, t, impossible, lambda cell: bool(re.fullmatch(r"\d{4}-\d\d-\d\d|\d\d[/-]\d\d[/-]\d{4}", cell)))


def short_niss(rng, t: Text) -> None:
    names = [n.lower() for n in t.cells(0)]
    k = next((j for j, n in enumerate(names) if n in ("niss", "insz")), None)
    i = _pick_line(rng, t)
    if k is not None and i is not None:
        cells = t.cells(i)
        if k < len(cells):
            cells[k] = rng.choice(["1", "", "x", "12"])
            t.set_cells(i, cells)


TEXT_MUTATIONS: dict[str, Callable[[random.Random, Text], None]] = {
    "extra_field": extra_field,
    "missing_field": missing_field,
    "shifted_row": shifted_row,
    "duplicate_header": duplicate_header,
    "drop_column": drop_column,
    "unbalanced_quote": unbalanced_quote,
    "multiline_cell": multiline_cell,
    "blank_rows": blank_rows,
    "niss_elsewhere": niss_elsewhere,
    "thousands": thousands,
    "other_digits": other_digits,
    "impossible_date": impossible_date,
    "short_niss": short_niss,
}


def reencode(rng, t: Text) -> bytes:
    target = rng.choice(["utf-16", "utf-32", "utf-8-sig", "cp1252", "utf-8"])
    return t.encode(target)


def mixed_encoding(rng, t: Text) -> bytes:
    """One line in the other encoding (a copy-paste from another export), with an accented letter."""
    i = _pick_line(rng, t)
    other = "utf-8" if t.encoding == "cp1252" else "cp1252"
    base = "utf-8" if t.encoding == "utf-8-sig" else t.encoding
    parts = []
    for j, line in enumerate(t.lines):
        if j == i:
            parts.append((line.replace("e", "é", 1) + "\n").encode(other, errors="replace"))
        else:
            parts.append((line + "\n").encode(t.encoding if j == 0 else base, errors="replace"))
    return b"".join(parts)


def line_endings(rng, t: Text) -> bytes:
    """Every line ending made CRLF or CR (a CRLF file first made LF: CR + CRLF would be a blank line)."""
    data = t.encode().replace(b"\r\n", b"\n")
    return data.replace(b"\n", rng.choice([b"\r\n", b"\r"]))


ENCODING_MUTATIONS = {"reencode": reencode, "mixed_encoding": mixed_encoding, "line_endings": line_endings}
BYTE_MUTATIONS = {"truncate": truncate, "byte_flip": byte_flip, "nul_byte": nul_byte, "empty": empty}


# --------------------------------------------------------------------------------------------
# XLSX and Parquet mutations.
# --------------------------------------------------------------------------------------------


def parquet_wrong_types(rng, data: bytes, **_) -> bytes:
    frame = pl.read_parquet(io.BytesIO(data))
    name = rng.choice(frame.columns)
    how = rng.choice(["list", "float", "int_ids", "struct", "binary", "dates"])
    if how == "list":
        frame = frame.with_columns(pl.concat_list(pl.col(name).cast(pl.String)).alias(name))
    elif how == "float":
        frame = frame.with_columns(pl.col(pl.Decimal).cast(pl.Float64))
    elif how == "int_ids":
        frame = frame.with_columns(pl.col(name).cast(pl.String).str.replace_all(r"\D", "").cast(pl.Int64, strict=False))
    elif how == "struct":
        frame = frame.with_columns(pl.struct(pl.col(name)).alias(name))
    elif how == "binary":
        frame = frame.with_columns(pl.col(name).cast(pl.String).cast(pl.Binary))
    else:
        frame = frame.with_columns((pl.col("periode") + "-01").str.to_date().alias("periode"))
    buf = io.BytesIO()
    frame.write_parquet(buf)
    return buf.getvalue()


def xlsx_rewrite(rng, data: bytes, **_) -> bytes:
    """The workbook rewritten: the sheet renamed, cells as numbers, a blank row, a shifted table."""
    frame = pl.read_excel(io.BytesIO(data), engine="calamine")
    how = rng.choice(["rename_sheet", "numbers", "offset", "text_comma"])
    buf = io.BytesIO()
    if how == "rename_sheet":
        frame.write_excel(buf, worksheet="Feuil1")
    elif how == "numbers":
        frame.with_columns(pl.col(frame.columns[2]).cast(pl.Float64, strict=False)).write_excel(
            buf, worksheet="Salaires"
        )
    elif how == "offset":
        frame.write_excel(buf, worksheet="Salaires", position="C4")
    else:
        frame.with_columns(pl.col(frame.columns[2]).cast(pl.String).str.replace(".", ",", literal=True)).write_excel(
            buf, worksheet="Salaires"
        )
    return buf.getvalue()


TYPED_MUTATIONS = {"truncate": truncate, "byte_flip": byte_flip, "empty": empty}


# --------------------------------------------------------------------------------------------
# Cases.
# --------------------------------------------------------------------------------------------


def _choices(file: str) -> list[str]:
    if file.endswith(".parquet"):
        return [*TYPED_MUTATIONS, "parquet_wrong_types", "parquet_wrong_types"]
    if file.endswith(".xlsx"):
        return [*TYPED_MUTATIONS, "xlsx_rewrite", "xlsx_rewrite"]
    return [*TEXT_MUTATIONS, *ENCODING_MUTATIONS, *BYTE_MUTATIONS]


def case(seed: int) -> Case:
    rng = random.Random(seed)
    batch = rng.choice(sorted(BATCHES))
    file = rng.choice(BATCHES[batch][3])
    kinds = _choices(file)
    picked = [rng.choice(kinds)]
    if rng.random() < 0.3 and not file.endswith((".xlsx", ".parquet")):
        picked.append(rng.choice(list(TEXT_MUTATIONS)))
    return Case(seed, batch, file, tuple(picked))


def apply(c: Case, folder: Path) -> Path:
    """Copy the case's batch into ``folder`` and mutate its file; return the batch folder."""
    profile, encoding, sep, files = BATCHES[c.batch]
    batch = folder / c.batch
    batch.mkdir(parents=True)
    for name in files:
        shutil.copy(SAMPLE / c.batch / name, batch / name)
    if not c.mutations:
        return batch
    path = batch / c.file
    rng = random.Random(c.seed * 7919 + 1)
    data = path.read_bytes()
    for kind in c.mutations:
        if kind in TEXT_MUTATIONS:
            t = Text(data, encoding, sep)
            TEXT_MUTATIONS[kind](rng, t)
            data = t.encode()
        elif kind in ENCODING_MUTATIONS:
            data = ENCODING_MUTATIONS[kind](rng, Text(data, encoding, sep))
        elif kind in BYTE_MUTATIONS:
            data = BYTE_MUTATIONS[kind](rng, data)
        elif kind == "parquet_wrong_types":
            data = parquet_wrong_types(rng, data)
        elif kind == "xlsx_rewrite":
            data = xlsx_rewrite(rng, data)
    path.write_bytes(data)
    return batch


FUZZ_CASES = int(os.environ.get("PAYROLL_FUZZ_CASES", "240"))


def pytest_generate_tests(metafunc):
    if "fuzz_case" in metafunc.fixturenames:
        cases = [case(seed) for seed in range(FUZZ_CASES)]
        metafunc.parametrize("fuzz_case", cases, ids=[c.label for c in cases])


@pytest.fixture(scope="session")
def mutate():
    return apply
