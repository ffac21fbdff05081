"""Partitioned run on a Dask cluster: a small synthetic batch split into employee-id
ranges and run on a local 2-worker cluster gives byte-identical audit files (manifest included)
and the same run-store content as the single-process run.

The cluster is local only (worker processes on 127.0.0.1, dashboard off) and closed at the end.
No assertion depends on timings.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest

from pipeline.core.params import default_parameters
from pipeline.jobs import monthly, partitioned
from pipeline.outputs.run_store import STORED_TABLES, RunStore
from pipeline.testing import synthetic

PERIOD = "2026-10"
RUN_DATE = dt.date(2026, 11, 2)


@pytest.fixture(scope="module")
def cluster_client():
    from distributed import Client

    cluster = partitioned.local_cluster(n_workers=2)
    client = Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


@pytest.fixture(scope="module")
def small_batch(tmp_path_factory):
    """200 employees, two earlier months of pay history, 5 % bad rows (rejects and cascades)."""
    folder = tmp_path_factory.mktemp("batch") / "in"
    frames = synthetic.generate(200, period=PERIOD, history_months=2, seed=11, bad_fraction=0.05)
    synthetic.write_batch(frames, folder)
    return folder


def _single(folder, out, store):
    return monthly.run_month(folder, PERIOD, RUN_DATE, out, params=default_parameters(), store=store)


def test_partitioned_run_is_byte_identical(cluster_client, small_batch, tmp_path):
    single = _single(small_batch, tmp_path / "single", RunStore(tmp_path / "store_single"))
    part = partitioned.run_partitioned(
        small_batch,
        PERIOD,
        RUN_DATE,
        tmp_path / "part",
        partitions=3,
        store=RunStore(tmp_path / "store_part"),
        client=cluster_client,
    )
    names = sorted(p.name for p in (tmp_path / "single").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "part").iterdir())
    for name in names:
        assert (tmp_path / "single" / name).read_bytes() == (tmp_path / "part" / name).read_bytes(), name
    assert part.manifest["run_id"] == single.manifest["run_id"]
    assert part.exit_code == single.exit_code == 3  # the batch has bad rows
    assert not list(tmp_path.glob(".part.partitions-*"))  # work folder removed

    # The run store holds the same tables and the same period record (only the output path differs).
    single_store, part_store = RunStore(tmp_path / "store_single"), RunStore(tmp_path / "store_part")
    assert part_store.months() == single_store.months() == [PERIOD]
    for table in STORED_TABLES:
        expected, got = single_store.read(table), part_store.read(table)
        assert got.equals(expected), table
    entries_single, entries_part = single_store.current(PERIOD), part_store.current(PERIOD)
    assert [e.record() | {"output": None} for e in entries_part.values()] == [
        e.record() | {"output": None} for e in entries_single.values()
    ]
    version = next(iter(entries_part.values())).version
    info_single, info_part = single_store.version_info(PERIOD, version), part_store.version_info(PERIOD, version)
    info_single.pop("output"), info_part.pop("output")
    assert info_part == info_single
    # ... and both runs report the same run-store outcome (the stores' paths aside).
    said_part = [line.replace(str(part_store.root), "STORE") for line in part.store.lines()]
    assert said_part == [line.replace(str(single_store.root), "STORE") for line in single.store.lines()]
    assert part.warnings == single.warnings


def test_partitioned_run_is_byte_identical_in_excel_be_and_csv_auto(cluster_client, small_batch, tmp_path, monkeypatch):
    """The excel-be dialect (BOM and header once, bodies with the decimal comma) and ``--csv auto``
    with tables above the limit (Parquet only), without a run store: the same bytes as the single
    run, report.html and payroll.xlsx (names read from the partitions) included."""
    from pipeline.outputs import csv_dialects

    monkeypatch.setattr(csv_dialects, "SPREADSHEET_MAX_ROWS", 300)  # 200 payroll lines, ~2,000 contribution lines
    choice = csv_dialects.CsvChoice("auto", "excel-be")
    monthly.run_month(small_batch, PERIOD, RUN_DATE, tmp_path / "single", csv=choice, lang="fr")
    partitioned.run_partitioned(
        small_batch, PERIOD, RUN_DATE, tmp_path / "part", partitions=3, client=cluster_client, csv=choice, lang="fr"
    )
    names = sorted(p.name for p in (tmp_path / "single").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "part").iterdir())
    for name in names:
        assert (tmp_path / "single" / name).read_bytes() == (tmp_path / "part" / name).read_bytes(), name
    manifest = json.loads((tmp_path / "part" / "manifest.json").read_text(encoding="utf-8"))
    assert "contribution_lines" in manifest["csv"]["parquet_only"] and "contribution_lines.csv" not in names
    assert manifest["csv"]["dialect"] == "excel-be" and "payroll_lines.csv" in names
    assert (tmp_path / "part" / "payroll_lines.csv").read_bytes().count(b"\xef\xbb\xbf") == 1
    # The journal has the names (employees of every partition, though no run store was given).
    import fastexcel

    journal = fastexcel.read_excel(tmp_path / "part" / "payroll.xlsx").load_sheet(1).to_polars()
    assert journal.height == manifest["totals"]["computed"]
    assert journal.to_series(1).null_count() == 0 and manifest["language"] == "fr"


def test_partition_statistics(cluster_client, small_batch, tmp_path):
    part = partitioned.run_partitioned(
        small_batch, PERIOD, RUN_DATE, tmp_path / "out", partitions=4, client=cluster_client
    )
    stats = part.partition_stats
    assert [s["partition"] for s in stats] == [0, 1, 2, 3]
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert sum(s["pay_rows"] for s in stats) == manifest["counts"]["pay"]["read"]
    assert sum(s["output_rows"]["payroll_lines"] for s in stats) == manifest["totals"]["computed"]
    assert all(s["peak_rss_mb"] > 0 for s in stats)
    assert len({s["worker_pid"] for s in stats}) <= 2


def test_refuses_existing_output_without_overwrite(cluster_client, small_batch, tmp_path):
    from pipeline.errors import OutputExistsError

    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "x.csv").write_text("x\n")
    with pytest.raises(OutputExistsError):
        partitioned.run_partitioned(
            small_batch, PERIOD, RUN_DATE, tmp_path / "out", partitions=2, client=cluster_client
        )


def test_employee_ranges_keep_an_employee_in_one_partition():
    ids = pl.Series(["E3", "E1", "E2", "E2", None, "E4", "E5", "E6"])
    cuts = partitioned.employee_ranges(ids, 3)
    assert cuts == ["E3", "E5"]  # 6 distinct ids, cut at positions 2 and 4 of the sorted ids
    frame = pl.DataFrame({"employee_id": ["E2", "E2", "E1", None, "E3", "E6", "E5"]})
    parts = frame.select(partitioned.partition_of(cuts)).to_series().to_list()
    assert parts == [0, 0, 0, 0, 1, 2, 2]  # both E2 rows together; a null id goes to partition 0
    assert partitioned.employee_ranges(ids, 1) == []


def test_dask_address_from_argument_or_environment(monkeypatch):
    monkeypatch.delenv(partitioned.DASK_ADDRESS_ENV, raising=False)
    assert partitioned.resolve_address(None) is None
    monkeypatch.setenv(partitioned.DASK_ADDRESS_ENV, "tcp://scheduler:8786")
    assert partitioned.resolve_address(None) == "tcp://scheduler:8786"
    assert partitioned.resolve_address("tcp://other:8786") == "tcp://other:8786"


def test_cli_runs_on_an_existing_cluster_with_the_same_outputs(cluster_client, tmp_path):
    """`payroll run --partitions 2 --dask-address tcp://...` on the sample batch writes what the
    single-process CLI run writes, byte for byte."""
    from typer.testing import CliRunner

    from pipeline.cli import app

    sample = Path(__file__).resolve().parents[2] / "sample_data" / "batch_2026_10"
    common = ["run", str(sample), "--period", PERIOD, "--run-date", str(RUN_DATE), "-q"]
    runner = CliRunner()
    single = runner.invoke(app, [*common, "--out", str(tmp_path / "single"), "--store", str(tmp_path / "s1")])
    assert single.exit_code == 0, single.output
    part = runner.invoke(
        app,
        [
            *common,
            "--out",
            str(tmp_path / "part"),
            "--store",
            str(tmp_path / "s2"),
            "--partitions",
            "2",
            "--dask-address",
            cluster_client.scheduler.address,
        ],
    )
    assert part.exit_code == 0, part.output
    names = sorted(p.name for p in (tmp_path / "single").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "part").iterdir())
    for name in names:
        assert (tmp_path / "single" / name).read_bytes() == (tmp_path / "part" / name).read_bytes(), name
