"""docs/mapping_profiles.md is enough to write a profile: its worked example (a profile and one
file per input) is read back here, and it names every key the loader reads and every canonical
column a profile can map to."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal as D
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.jobs import monthly
from schemas.inputs import INPUTS

DOC = Path(__file__).resolve().parents[2] / "docs" / "mapping_profiles.md"
BLOCK = re.compile(r"<!-- file: (\S+) -->\n```[a-z]*\n(.*?)\n```", re.S)


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> tuple[Path, Path]:
    """(profile, batch folder) written from the doc's example blocks."""
    base = tmp_path_factory.mktemp("acme")
    blocks = dict(BLOCK.findall(DOC.read_text(encoding="utf-8")))
    assert set(blocks) == {"acme_export.yaml", "societes.csv", "personnel.csv", "paie.csv", "absences.csv"}
    batch = base / "batch"
    batch.mkdir()
    for name, text in blocks.items():
        (base / name if name.endswith(".yaml") else batch / name).write_text(text + "\n", encoding="utf-8")
    return base / "acme_export.yaml", batch


def test_the_example_batch_validates_through_the_example_profile(example):
    profile, batch = example
    shown = CliRunner().invoke(app, ["validate", str(batch), "--profile", str(profile)], catch_exceptions=False)
    assert shown.exit_code == 0, shown.output
    assert "no defects found" in shown.output


def test_the_example_reads_as_the_doc_says(example):
    profile, batch = example
    prof, raw = monthly.load(batch, profile)
    assert prof.name == "acme_export"
    checked = monthly.check(raw)
    assert checked.rejects.height == 0
    frames = checked.frames
    employees = {r["employee_id"]: r for r in frames["employees"].iter_rows(named=True)}
    a1, a2 = employees["A-001"], employees["A-002"]
    assert (a1["worker_status"], a1["contract_type"], a1["contract_start"]) == (
        "blue_collar",
        "open_ended",
        dt.date(2006, 5, 2),
    )
    assert (a1["residence_country"], a1["work_country"], a1["niss"], a1["first_name"]) == (
        "FR",
        "BE",
        "70021152943",
        "Étienne",
    )
    assert (a2["worker_status"], a2["contract_type"]) == ("white_collar", "fixed_term")
    assert (a2["contract_start"], a2["contract_end"]) == (dt.date(2026, 9, 1), dt.date(2027, 8, 31))  # 1/9/2026
    assert (a2["work_fraction"], a2["residence_country"], a2["work_country"]) == (D("0.8"), "BE", "BE")
    # "3.120,00" and "2 950,50": thousands separators read once the decimal comma is decided
    gross = {r["employee_id"]: r["gross_salary"] for r in frames["pay"].iter_rows(named=True)}
    assert gross == {"A-001": D("3120.00"), "A-002": D("2950.50")}
    absence = frames["absences"].row(0, named=True)
    assert (absence["start_date"], absence["end_date"], absence["cause"]) == (
        dt.date(2026, 10, 7),
        dt.date(2026, 10, 16),
        "illness",
    )
    employer = frames["employers"].row(0, named=True)
    assert (employer["enterprise_number"], employer["commercial"], employer["workforce"]) == ("0378398186", True, 42)


def test_the_doc_names_every_key_of_a_profile_and_every_canonical_column():
    text = DOC.read_text(encoding="utf-8")
    keys = ("name", "description", "language", "date_format", "csv.delimiter", "csv.decimal", "csv.encoding")
    keys += ("inputs.<input>.file", "inputs.<input>.sheet", "inputs.<input>.columns", "inputs.<input>.values")
    assert [k for k in keys if f"| `{k}` |" not in text] == []
    missing = [f"{spec.name}.{c.name}" for spec in INPUTS.values() for c in spec.columns if f"`{c.name}`" not in text]
    assert missing == []
