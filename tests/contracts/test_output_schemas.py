"""Every Parquet file the CLI writes has the columns, types and column order that ``schemas.outputs``
declares for it, its CSV twin the same header, and its rows sorted by (and unique on) the declared key.

One module-scoped run of the sample batches (October 2026, the bad-input batch, the three months
of 2026-Q3), the 2026-H2 claims and the 2026-Q3 DmfA export, all through ``payroll`` itself.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from schemas.inputs import INPUTS
from schemas.outputs import (
    ENUM_OF_TEXT,
    OUTPUTS,
    STORED_OUTPUTS,
    OutputSchemaError,
    OutputSpec,
    check,
    claims_spec,
    mismatches,
    stored_input_schema,
)

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"
runner = CliRunner()


def payroll(*args: str, expect: int = 0) -> None:
    result = runner.invoke(app, [*args], catch_exceptions=False)
    assert result.exit_code == expect, result.output


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("outputs")
    payroll(
        *("run", str(SAMPLE / "batch_2026_10"), "--period", "2026-10", "--out", str(base / "2026-10")),
        *("--store", str(base / "store"), "--run-date", "2026-11-02", "-q"),
    )
    payroll(
        *("run", str(SAMPLE / "bad_input"), "--period", "2026-10", "--out", str(base / "bad")),
        *("--store", str(base / "store_bad"), "--run-date", "2026-11-02", "-q"),
        expect=3,  # rows rejected: rejects.parquet holds rows
    )
    payroll(
        *("claims", "--semester", "2026-H2", "--store", str(base / "store"), "--out", str(base / "claims")),
        *("--run-date", "2026-11-02"),
    )
    for month in ("07", "08", "09"):
        payroll(
            *("run", str(SAMPLE / "quarter_2026_q3" / f"2026-{month}"), "--period", f"2026-{month}"),
            *("--out", str(base / f"q-{month}"), "--store", str(base / "store_q3"), "--run-date", "2026-10-02", "-q"),
        )
    payroll(
        *("dmfa", "--quarter", "2026-Q3", "--store", str(base / "store_q3"), "--out", str(base / "dmfa")),
        *("--run-date", "2026-10-05"),
    )
    return base


def _files(base: Path) -> list[Path]:
    return sorted(base.rglob("*.parquet"))


def _table(path: Path) -> str:
    """Output name of a written file: ``<out>/<table>.parquet`` or
    ``<store>/versions/<month>/<version>/<table>.parquet``."""
    return path.stem


def _declared(path: Path) -> OutputSpec:
    """The table a file must match: a claim file's month columns are its semester's months."""
    if path.stem == "onem_claims":
        semester = json.loads((path.parent / "manifest.json").read_text(encoding="utf-8"))["semester"]
        return claims_spec(semester)
    return OUTPUTS[path.stem]


def test_claim_files_name_their_month_columns_after_the_semester():
    # H2 = July to December (Royal Decree of 9 June 1999, art. 3: one claim per calendar semester)
    assert claims_spec("2026-H2").columns[6:12] == ("2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-12")
    assert claims_spec("2027-H1").columns[6:12] == ("2027-01", "2027-02", "2027-03", "2027-04", "2027-05", "2027-06")
    assert claims_spec("2026-H2").key == OUTPUTS["onem_claims"].key == ("employee_id", "country")


def test_every_declared_table_is_written(written):
    written_tables = {_table(p) for p in _files(written)}
    assert set(OUTPUTS) <= written_tables
    # the run store holds the non-input tables and the month's validated inputs, nothing else
    stored = {p.stem for p in (written / "store" / "versions").rglob("*.parquet")}
    assert stored == set(STORED_OUTPUTS) | set(INPUTS)


def test_every_parquet_file_matches_its_declared_schema(written):
    problems = {}
    for path in _files(written):
        name = _table(path)
        schema = pl.read_parquet_schema(path)
        declared = stored_input_schema(name) if name in INPUTS else _declared(path)
        found = mismatches(declared, schema)
        if found:
            problems[str(path.relative_to(written))] = found
    assert not problems
    assert len(_files(written)) > 40  # 6 monthly runs x 7 tables, the stores, the claims, the DmfA tables


def test_every_csv_header_is_the_declared_column_order(written):
    for path in written.rglob("*.csv"):
        header = path.read_text(encoding="utf-8").split("\n", 1)[0]
        assert tuple(header.split(",")) == _declared(path).columns, path


def test_rows_are_sorted_by_and_unique_on_the_key(written):
    for path in _files(written):
        name = _table(path)
        if name in INPUTS:
            continue
        key = list(OUTPUTS[name].key)
        frame = pl.read_parquet(path).with_columns(pl.col(pl.Enum).cast(pl.String))
        assert frame.equals(frame.sort(key, nulls_last=True, maintain_order=True)), path
        assert not frame.select(key).is_duplicated().any(), path


def test_files_with_rows_exist_for_the_tables_that_matter(written):
    # A schema test on empty files only would prove little: these hold rows in the sample runs.
    for relative in (
        "2026-10/payroll_lines.parquet",
        "2026-10/contribution_lines.parquet",
        "2026-10/guaranteed_wage_days.parquet",
        "2026-10/onem_allowance.parquet",
        "2026-10/withholding_decisions.parquet",
        "2026-10/parameters.parquet",
        "bad/rejects.parquet",
        "claims/onem_claims.parquet",
        *(f"dmfa/{t}.parquet" for t in OUTPUTS if t.startswith("dmfa_")),
    ):
        assert pl.read_parquet(written / relative).height > 0, relative


def test_contribution_lines_vocabularies_are_the_periods(written):
    # The enums of contribution_lines and parameters are one vocabulary per period: the line's
    # parameter/source join the parameters table on the same Enum type.
    lines = pl.read_parquet_schema(written / "2026-10" / "contribution_lines.parquet")
    params = pl.read_parquet_schema(written / "2026-10" / "parameters.parquet")
    enums = ("contribution", "payer", "kind", "dmfa_code", "parameter", "source")
    assert OUTPUTS["contribution_lines"].enum_columns == enums
    assert (lines["parameter"], lines["source"]) == (params["parameter"], params["source"])
    vocabularies = {c: lines[c] for c in OUTPUTS["contribution_lines"].enum_columns}
    assert OUTPUTS["contribution_lines"].schema(vocabularies) == dict(lines)


def test_run_store_reads_enums_back_as_plain_text(written):
    from pipeline.outputs.run_store import RunStore

    for name in STORED_OUTPUTS:
        frame = RunStore(written / "store_q3").read(name)
        check(name, frame, plain_text=True)


def test_check_names_each_mismatch():
    good = OUTPUTS["rejects"].empty()
    check("rejects", good)
    bad = good.select("source_line", "source_file", "column", "check", "employee_id", "message").with_columns(
        pl.col("source_line").cast(pl.Int32), pl.lit(None, pl.String).alias("extra")
    )
    with pytest.raises(OutputSchemaError) as info:
        check("rejects", bad)
    message = str(info.value)
    assert "missing columns ['value']" in message
    assert "extra columns ['extra']" in message
    assert "column 'source_line': expected Int64, got Int32" in message
    assert "column order differs from position 0" in message


def test_enum_of_text_columns_need_their_vocabulary():
    spec = OUTPUTS["parameters"]
    assert dict(spec.types)["source"] is ENUM_OF_TEXT
    with pytest.raises(OutputSchemaError, match="vocabulary depends on the period"):
        spec.schema()
    with pytest.raises(OutputSchemaError, match="not enum-of-text columns"):
        spec.schema({"value": ["x"]})
    typed = spec.schema({"parameter": ["b", "a"], "source": pl.Enum(["a@2026-01-01 [verified]"])})
    assert typed["parameter"] == pl.Enum(["a", "b"])
    assert spec.schema(plain_text=True)["source"] == pl.String
    # a frame with plain text where an Enum is declared is refused (and the other way round)
    with pytest.raises(OutputSchemaError, match="expected an Enum"):
        check("parameters", spec.empty(plain_text=True))
    with pytest.raises(OutputSchemaError, match="expected String"):
        check("parameters", spec.empty({"parameter": ["a"], "source": ["b"]}), plain_text=True)
