"""Partitioned run on a Dask cluster: a small synthetic batch split into employee-id
ranges and run on a local 2-worker cluster gives byte-identical audit files (manifest included)
and the same run-store content as the single-process run.

The cluster is local only (worker processes on 127.0.0.1, dashboard off) and closed at the end.
No assertion depends on timings.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
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
    # ... byte for byte: the tables the partitioned run's store copies from its audit files included
    stored = {p.name for p in (single_store.root / "versions" / PERIOD / version).glob("*.parquet")}
    assert {f"{t}.parquet" for t in STORED_TABLES} <= stored
    for name in sorted(stored):
        expected = (single_store.root / "versions" / PERIOD / version / name).read_bytes()
        assert (part_store.root / "versions" / PERIOD / version / name).read_bytes() == expected, name
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


def test_a_partition_writes_no_csv_body_that_the_run_cannot_want(small_batch, tmp_path, monkeypatch):
    """A partition leaves out the CSV body of a table whose own rows are already above ``--csv auto``'s
    limit (the whole table is longer still), and writes the others; the merged run is the single run's,
    byte for byte. On an in-process cluster (no network), so the lowered limit holds in the workers too."""
    from distributed import Client, LocalCluster

    from pipeline.outputs import csv_dialects

    monkeypatch.setattr(csv_dialects, "SPREADSHEET_MAX_ROWS", 300)  # 200 payroll lines, ~2,000 contribution lines
    bodies: list[str] = []
    write_csv = partitioned.write_csv
    monkeypatch.setattr(
        partitioned,
        "write_csv",
        lambda frame, path, *a, **k: (bodies.append(path.name), write_csv(frame, path, *a, **k)),
    )
    monthly.run_month(small_batch, PERIOD, RUN_DATE, tmp_path / "single")
    # the scheduler's HTTP server (metrics; no dashboard) on a free loopback port: the module's cluster holds 8787
    http = {"dashboard_address": "127.0.0.1:0"}
    cluster = LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None, scheduler_kwargs=http
    )
    with cluster, Client(cluster) as client:
        partitioned.run_partitioned(small_batch, PERIOD, RUN_DATE, tmp_path / "part", partitions=2, client=client)
    assert bodies.count("payroll_lines.csv") == 2 and "contribution_lines.csv" not in bodies
    names = sorted(p.name for p in (tmp_path / "single").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "part").iterdir()) and "contribution_lines.csv" not in names
    for name in names:
        assert (tmp_path / "single" / name).read_bytes() == (tmp_path / "part" / name).read_bytes(), name


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


def _own_clusters(monkeypatch, on_start=None) -> list:
    """Make the run's own local cluster as :func:`partitioned.local_cluster` does (worker processes, one
    thread each), with the scheduler's HTTP server on a free loopback port (the module's cluster holds
    8787); record each one made, after ``on_start()``."""
    from distributed import LocalCluster

    made: list = []

    def cluster():
        if on_start is not None:
            on_start()
        made.append(
            LocalCluster(
                n_workers=partitioned.LOCAL_WORKERS,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                host="127.0.0.1",
                scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
            )
        )
        return made[-1]

    monkeypatch.delenv(partitioned.DASK_ADDRESS_ENV, raising=False)
    monkeypatch.setattr(partitioned, "local_cluster", cluster)
    return made


def test_the_own_local_cluster_starts_while_the_inputs_are_split(small_batch, tmp_path, monkeypatch):
    """Without a client or an address the run starts its own local cluster on a helper thread while
    the driver splits the inputs (the cluster below starts only once the split has begun: were the two
    one after the other, it would wait in vain), runs one partition per worker and closes the cluster."""
    splitting = threading.Event()
    split = partitioned._split_inputs

    def split_inputs(*args):
        splitting.set()
        return split(*args)

    waited: list[bool] = []
    made = _own_clusters(monkeypatch, lambda: waited.append(splitting.wait(timeout=60)))
    monkeypatch.setattr(partitioned, "_split_inputs", split_inputs)
    monthly.run_month(small_batch, PERIOD, RUN_DATE, tmp_path / "single")
    part = partitioned.run_partitioned(small_batch, PERIOD, RUN_DATE, tmp_path / "part")
    assert waited == [True] and len(made) == 1
    assert part.partitions == partitioned.LOCAL_WORKERS == 2
    assert made[0].status.name == "closed"
    names = sorted(p.name for p in (tmp_path / "single").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "part").iterdir())
    for name in names:
        assert (tmp_path / "single" / name).read_bytes() == (tmp_path / "part" / name).read_bytes(), name


def test_a_split_that_fails_closes_the_cluster_being_started(small_batch, tmp_path, monkeypatch):
    """An input error found while the cluster starts stops the run with that error, and the cluster
    the run made is closed once it is up (no worker process is left behind)."""
    from pipeline.errors import InputError

    made = _own_clusters(monkeypatch)
    folder = tmp_path / "in"
    folder.mkdir()
    for f in small_batch.iterdir():
        if f.name != "pay.csv":  # a required input missing: a file-level error of the split
            (folder / f.name).write_bytes(f.read_bytes())
    with pytest.raises(InputError, match="required input 'pay' not found"):
        partitioned.run_partitioned(folder, PERIOD, RUN_DATE, tmp_path / "out", partitions=2)
    assert len(made) == 1 and made[0].status.name == "closed"
    assert not list(tmp_path.glob(".out.partitions-*"))


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


@pytest.fixture(scope="module")
def niss_keyed_batch(tmp_path_factory):
    """A pay export keyed by national number: every employee_id of the synthetic batch (employees,
    pay, absences) replaced by that employee's NISS (valid mod-97 numbers, with a few broken ones
    among the 5 % bad rows)."""
    folder = tmp_path_factory.mktemp("niss_batch") / "in"
    frames = synthetic.generate(120, period=PERIOD, history_months=2, seed=5, bad_fraction=0.05)
    ids = frames["employees"].unique("employee_id", keep="first", maintain_order=True)
    mapping = dict(zip(ids.get_column("employee_id").to_list(), ids.get_column("niss").to_list()))
    for name in ("employees", "pay", "absences"):
        frames[name] = frames[name].with_columns(pl.col("employee_id").replace(mapping))
    synthetic.write_batch(frames, folder)
    return folder


def _without_digests(value):
    """A JSON value with every SHA-256 hex digest among its strings taken out."""
    if isinstance(value, dict):
        return {k: _without_digests(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_digests(v) for v in value]
    return None if isinstance(value, str) and re.fullmatch(r"[0-9a-f]{64}", value) else value


def _valid_niss_cells(folder: Path) -> list[tuple[str, str, str]]:
    """(file, column, number) of every valid NISS/BIS number (whole cell, or an 11-digit run inside
    one) in the text cells of the folder's CSV and Parquet files, and in the manifest's text values
    but its SHA-256 digests (the hexadecimal digits of a file's or the code's hash can hold an 11-digit
    run that passes the NISS check: it was seen once, in the code hash)."""
    from pipeline.core.identifiers import niss_ok
    from pipeline.core.rejects import NISS_SHAPE

    found = []
    for path in sorted(folder.iterdir()):
        if path.suffix == ".parquet":
            frame = pl.read_parquet(path)
        elif path.suffix == ".csv":
            frame = pl.read_csv(path, infer_schema=False)
        elif path.suffix == ".json":
            frame = pl.DataFrame({"text": [json.dumps(_without_digests(json.loads(path.read_text(encoding="utf-8"))))]})
        else:
            continue
        for column in [c for c, t in frame.schema.items() if t == pl.String]:
            cells = frame.select(pl.col(column).str.extract_all(NISS_SHAPE).alias("n")).explode("n").drop_nulls()
            cells = cells.filter(niss_ok(pl.col("n")))
            found += [(path.name, column, n) for n in cells.get_column("n").to_list()]
    return found


def test_partitioned_run_masks_national_numbers_like_the_single_run(cluster_client, niss_keyed_batch, tmp_path):
    """Masking changes the employee_id values the outputs are sorted by: the merge still checks the
    partitions' order on the unmasked keys, and both runs write the same masked bytes."""
    single = _single(niss_keyed_batch, tmp_path / "single", None)
    part = partitioned.run_partitioned(
        niss_keyed_batch, PERIOD, RUN_DATE, tmp_path / "part", partitions=2, client=cluster_client
    )
    names = sorted(p.name for p in (tmp_path / "single").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "part").iterdir())
    for name in names:
        assert (tmp_path / "single" / name).read_bytes() == (tmp_path / "part" / name).read_bytes(), name
    assert part.manifest == single.manifest
    assert part.exit_code == single.exit_code == 3  # the batch has bad rows
    assert _valid_niss_cells(tmp_path / "single") == []
    assert _valid_niss_cells(tmp_path / "part") == []
    # The outputs are not trivially empty: computed rows, their employee ids masked to the last two digits.
    lines = pl.read_parquet(tmp_path / "part" / "payroll_lines.parquet")
    assert lines.height > 100
    assert lines.get_column("employee_id").str.contains(r"^\*{9}[0-9]{2}$").all()
    # The report's figures are counted before masking: masked ids collide (100 possible masks), yet
    # each employer's headcount is its number of payroll lines (one per employee-month) and the
    # employer contributions by code add up to the contribution lines' amounts.
    totals = pl.read_parquet(tmp_path / "part" / "employer_totals.parquet").sort("employer_id")
    counted = lines.group_by("employer_id").len().sort("employer_id")
    assert totals.select("employer_id", "headcount").rows() == counted.rows()
    assert lines.get_column("employee_id").n_unique() < lines.height  # the masks do collide


def test_a_missing_parameter_in_a_partition_is_exit_4_on_the_driver(cluster_client, tmp_path):
    """October 2011 is before the parameters' history (it starts in 2024 at the latest, and the
    withholding rules' French regime has no value for 2011): the rows need a parameter that has no
    value, so the run stops with exit 4; the error raised on a worker reaches the driver as
    itself (pickled with its arguments), and no output folder is written."""
    from pipeline.errors import MissingParameterError

    folder = tmp_path / "in"
    synthetic.write_batch(synthetic.generate(40, period="2011-10", seed=3), folder)
    with pytest.raises(MissingParameterError) as caught:
        partitioned.run_partitioned(
            folder, "2011-10", dt.date(2011, 11, 2), tmp_path / "out", partitions=2, client=cluster_client
        )
    assert caught.value.exit_code == 4
    assert str(caught.value).startswith("legal parameter '") and "has no value in force on 2011-10-" in str(
        caught.value
    )
    assert not (tmp_path / "out").exists()


def test_store_parts_read_only_the_columns_asked_in_the_single_runs_order(tmp_path):
    """A partitioned run's run-store table read for some of its columns has the rows of the whole
    table in the single run's order (input order, by source line, for the inputs), whether or not
    the columns asked include the source line."""
    stats = [{"partition": i, "store_in_out": []} for i in range(2)]
    rows = [
        {"employee_id": ["E2", "E4"], "employer_id": ["B", "A"], "source_file": ["e.csv"] * 2, "source_line": [5, 2]},
        {"employee_id": ["E7", "E5"], "employer_id": ["C", "A"], "source_file": ["e.csv"] * 2, "source_line": [4, 3]},
    ]
    for i, part in enumerate(rows):
        folder = tmp_path / f"part-{i:05d}" / "store"
        folder.mkdir(parents=True)
        pl.DataFrame(part).write_parquet(folder / "employees.parquet")
        (tmp_path / f"part-{i:05d}" / "out").mkdir()
    parts = partitioned._StoreParts(tmp_path, stats)
    whole = parts["employees"]
    assert whole.get_column("source_line").to_list() == [2, 3, 4, 5]
    assert parts.select("employees", ("employee_id", "unknown")).equals(whole.select("employee_id"))
    assert parts.select("employees", ("source_line", "employer_id")).equals(whole.select("employer_id", "source_line"))
