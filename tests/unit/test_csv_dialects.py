"""The ``excel-be`` CSV dialect, read back the way a Belgian Excel reads it."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import polars as pl
import pytest

from pipeline.core.money import MONEY
from pipeline.outputs import csv_dialects
from pipeline.outputs.csv_dialects import CSV_OPTIONS, neutralise

BELGIAN_NUMBER = re.compile(r"^-?\d+(,\d+)?$")


def read_as_belgian_excel(data: bytes) -> list[dict[str, object]]:
    """Rows of an ``excel-be`` file as a Belgian Excel sees them: ``;`` fields (quotes honoured),
    a text formula ``="..."`` shows its text, a number with a decimal comma is a number, the rest
    is text. Returns Decimal for numbers and str for text."""
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM missing"
    reader = csv.reader(io.StringIO(data[3:].decode("utf-8"), newline=""), delimiter=";")
    header, *rows = list(reader)
    out = []
    for row in rows:
        assert len(row) == len(header), row
        cells: dict[str, object] = {}
        for name, cell in zip(header, row):
            if cell.startswith('="') and cell.endswith('"'):
                cells[name] = cell[2:-1].replace('""', '"')
            elif BELGIAN_NUMBER.match(cell):
                cells[name] = Decimal(cell.replace(",", "."))
            else:
                cells[name] = cell
        out.append(cells)
    return out


FRAME = pl.DataFrame(
    {
        "employee_id": ["EMP-1", "EMP-2", "EMP-3"],
        "employer_id": ["174389412", "0123456789", None],
        "worker_code": ["015", "495", "015"],
        "period": ["2026-10", "2026-10", "2026-10"],
        "last_name": ["Dunès", "Van de Meersche", 'O"Brien;=1+1'],
        "message": ['=HYPERLINK("x")', "+32 2 000", "@SUM(A1)"],
        "value": ["2900.005", "-250.00", "\tcmd"],
        "gross_salary": [Decimal("3120.00"), Decimal("-2.10"), Decimal("1234567.89")],
        "days": [20, 0, 31],
        "applies": [True, False, None],
    },
    schema_overrides={"gross_salary": MONEY},
).with_columns(pl.col("worker_code").cast(pl.Enum(["015", "495"])))


def test_excel_be_numbers_and_codes_read_back():
    rows = read_as_belgian_excel(csv_dialects.csv_bytes(FRAME, "excel-be"))
    # Numbers are numbers with the decimal comma: 3120,00 -> 3120.00; -2,10 -> -2.10.
    assert [r["gross_salary"] for r in rows] == [Decimal("3120.00"), Decimal("-2.10"), Decimal("1234567.89")]
    assert [r["days"] for r in rows] == [Decimal(20), Decimal(0), Decimal(31)]
    # Codes and identifiers stay text with their leading zeros (also the Enum worker_code).
    assert [r["worker_code"] for r in rows] == ["015", "495", "015"]
    assert [r["employer_id"] for r in rows] == ["174389412", "0123456789", ""]
    assert [r["period"] for r in rows] == ["2026-10"] * 3  # not turned into a date
    assert rows[0]["value"] == "2900.005"  # a raw value is not read as 2,900,005
    # Accents survive (UTF-8 with BOM); a ';' inside a cell does not split it.
    assert rows[0]["last_name"] == "Dunès"
    assert rows[2]["last_name"] == 'O"Brien;=1+1'
    assert [r["applies"] for r in rows] == ["true", "false", ""]


def test_excel_be_neutralises_formulas():
    rows = read_as_belgian_excel(csv_dialects.csv_bytes(FRAME, "excel-be"))
    assert [r["message"] for r in rows] == ['\'=HYPERLINK("x")', "'+32 2 000", "'@SUM(A1)"]
    assert [r["value"] for r in rows][1:] == ["'-250.00", "'\tcmd"]
    text = csv_dialects.csv_bytes(FRAME, "excel-be").decode("utf-8-sig")
    # Apart from numbers (-2,10), no cell starts like a formula but the text formulas ="..." that
    # wrap digit-led text.
    for row in list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))[1:]:
        for cell in row:
            if BELGIAN_NUMBER.match(cell):
                continue
            assert not cell.startswith(("+", "-", "@", "\t", "\r")), cell
            assert not cell.startswith("=") or re.fullmatch(r'="[0-9.,][^"]*"', cell), cell


def test_excel_be_layout():
    data = csv_dialects.csv_bytes(FRAME.head(1), "excel-be")
    assert data.startswith(b"\xef\xbb\xbfemployee_id;employer_id;worker_code;period;")
    assert data.endswith(b"\r\n") and b"3120,00" in data


def test_machine_dialect_is_the_audit_writer_bytes():
    expected = neutralise(FRAME).write_csv(**CSV_OPTIONS).encode()
    assert csv_dialects.csv_bytes(FRAME) == expected
    assert csv_dialects.csv_bytes(FRAME, "machine").startswith(b"employee_id,employer_id,")


def test_unknown_dialect_and_csv_modes():
    with pytest.raises(ValueError, match="unknown CSV dialect"):
        csv_dialects.csv_bytes(FRAME, "excel-fr")
    limit = csv_dialects.SPREADSHEET_MAX_ROWS
    assert csv_dialects.csv_wanted(limit, "auto") and not csv_dialects.csv_wanted(limit + 1, "auto")
    assert csv_dialects.csv_wanted(limit + 1, "all") and not csv_dialects.csv_wanted(1, "none")
    with pytest.raises(ValueError, match="unknown CSV mode"):
        csv_dialects.csv_wanted(1, "some")
