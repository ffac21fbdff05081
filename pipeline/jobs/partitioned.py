"""One monthly batch split into partitions and run on a Dask cluster; outputs byte-identical to
the single-process run (:mod:`pipeline.jobs.monthly`).

Why partitioning is exact. Every rule is per employee: calendar-year withholding counters,
guaranteed-wage episode history and relapses, ONEM allowance, contribution lines. Validation is
per row, except the cross-file rules, which are per employee (duplicate employee, pay and absence
keys, unknown or rejected employee, overlapping absences) or per employer (duplicate or rejected
employer, unknown employer). So a partition holds a *range of employee ids* with all their
employees, pay and absence rows, and *every* employer row (employers are small: one row per
company, about 3 % of the employees here). Each partition then validates and computes exactly what
the single run computes for those employees; employer failures are found in every partition and
the identical reject rows are merged away. Ranges rather than employers: an employee id listed
under two employers (a duplicate the single run rejects) lands in one partition and is still seen
as a duplicate.

The driver (the calling process):

1. reads the inputs (the same reader and mapping profile as the single run, two at a time), cuts
   each into the employee-id ranges and writes the pieces as Parquet into a work folder, then drops it;
   meanwhile the Dask client connects on a helper thread (a local cluster's worker processes start);
2. runs one task per partition on the cluster (:func:`run_partition`): validate + compute, then
   each output table as Parquet plus its CSV body in the run's dialect (no header, no BOM,
   formula cells neutralised; none where ``--csv`` wants no CSV of a table of the partition's
   rows, so none with ``--csv none``); the task reports its row counts and its
   own peak memory. National numbers are masked there, cell by cell as the single run's writer
   masks them (:func:`pipeline.core.rejects.mask_national_numbers`); each table's first and last
   employee id is reported as it was before masking, for the merge's order check (a pay export
   keyed by NISS is sorted by the numbers, not by their masks);
3. merges: output tables are sorted by employee id first, so the partitions concatenated in range
   order *are* the single run's order. CSV = the dialect's BOM and header row
   (:func:`~pipeline.outputs.csv_dialects.csv_header`) + the bodies in order, streamed, for the
   tables that ``--csv`` wants (``auto``: on the whole table's row count); Parquet = the
   concatenated table written by the same ``write_parquet`` call as the single run (row groups and
   pages depend on the whole table: a streaming sink cuts them elsewhere, so it is not used).
   Rejects are re-combined (same ``unique`` + sort). The
   manifest is built by :func:`pipeline.outputs.manifest.monthly` from the merged counts, as in the
   single run, so ``run_id``, counts and hashes are those of the single run;
4. publishes with the monthly job's :func:`~pipeline.jobs.monthly.publish` (the audit files, the
   report and the workbook, then the run store when asked, merged one table at a time), from the
   driver.

Memory: a worker holds one partition, so the partition count bounds the workers' memory. The
driver holds the inputs (as text) while splitting, as the single run's reading does, and two output
tables at a time while merging (``audit.write_run`` writes two tables at once), for their Parquet
files (the largest is contribution_lines, about 10 rows per employee); CSV is streamed. See
docs/performance.md for measured figures.

Cluster: ``dask_address`` (or env ``PAYROLL_DASK_ADDRESS``), e.g. ``tcp://scheduler:8786``; without
one, a local cluster of 2 worker processes, 1 thread each, dashboard off. With a remote cluster the
work folder and the run store must be on a file system every worker sees (``work_dir``), and the
workers must run the same code and parameters (the manifest pins both; a worker on other code
would produce another ``code_sha256``, so each task checks it).
"""

from __future__ import annotations

import datetime as dt
import os
import resource
import shutil
import tempfile
import time
from collections.abc import Collection, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from pipeline.core import rejects
from pipeline.core.params import Parameters, default_parameters
from pipeline.core.periods import month_start
from pipeline.errors import InputError, OutputExistsError, PayrollError, sanitising
from pipeline.intake.reading import Profile, RawInput, read_batch
from pipeline.jobs import monthly
from pipeline.outputs import manifest as manifests
from pipeline.outputs import warnings as run_warnings
from pipeline.outputs.audit import write_parquet_hashed, write_table
from pipeline.outputs.csv_dialects import CsvChoice, csv_header, write_csv
from pipeline.outputs.hashed_file import write_hashed
from pipeline.outputs.manifest import code_hash
from pipeline.outputs.report.figures import BY_CODE, FIGURES, figures_only, merge_figures
from pipeline.outputs.run_store import RunStore
from schemas.inputs import INPUTS

DASK_ADDRESS_ENV = "PAYROLL_DASK_ADDRESS"
SORTED_BY_SOURCE = ("employees", "pay", "absences")  # run-store tables kept in input order
SOURCE_ORDER = ("source_file", "source_line")
PER_RUN_TABLE = "parameters"  # audit table that is the same in every partition (written once)
BROADCAST = "employers"
NAMES = ("employees", "employers")  # run-store tables always kept: the report and the workbook show the names


@dataclass
class PartitionedResult:
    """What a partitioned run returns (the tables themselves are on disk, not in memory)."""

    period: str
    manifest: dict[str, Any]
    path: Path
    reject_rows: int
    partitions: int
    partition_stats: list[dict[str, Any]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    store: Any = None  # the run store's outcome (pipeline.outputs.run_store.Outcome), when a store was given
    lang: str = "en"  # of the report, the workbook and the console summary
    console: list[str] = field(default_factory=list)  # the console summary (pipeline.outputs.report.console_summary)

    @property
    def warnings(self) -> list[dict[str, Any]]:
        return self.manifest.get("warnings", [])

    @property
    def exit_code(self) -> int:
        return 3 if self.reject_rows else 0


@dataclass(frozen=True)
class _InputInfo:
    """What the manifest needs of an input, without its rows (duck-types :class:`RawInput`)."""

    name: str
    path: Path
    sha256: str
    dialect: str
    missing_columns: tuple[str, ...]
    rows: int
    blank: int = 0


# ------------------------------------------------------------------------------------------------
# Memory measurement (per task, on Linux)
# ------------------------------------------------------------------------------------------------


def _reset_peak_rss() -> bool:
    """Reset this process's peak resident set size (Linux >= 4.0: ``5 > /proc/self/clear_refs``)."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def _peak_rss_mb() -> float:
    """Peak RSS since the last reset (VmHWM), else since the process started (ru_maxrss)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


# ------------------------------------------------------------------------------------------------
# Splitting (driver)
# ------------------------------------------------------------------------------------------------


def employee_ranges(employee_ids: pl.Series, partitions: int) -> list[str]:
    """``partitions - 1`` cut points splitting the distinct employee ids into equal ranges."""
    ids = employee_ids.drop_nulls().unique().sort()
    if partitions <= 1 or ids.len() == 0:
        return []
    cuts = [ids[ids.len() * i // partitions] for i in range(1, partitions)]
    return sorted(set(cuts))


def partition_of(cuts: list[str]) -> pl.Expr:
    """Partition number of each row: how many cut points are <= its employee id (null ids: 0)."""
    if not cuts:
        return pl.lit(0, pl.UInt32)
    return (
        pl.lit(pl.Series(cuts, dtype=pl.String))
        .search_sorted(pl.col("employee_id"), side="right")
        .cast(pl.UInt32)
        .fill_null(0)
    )


def _split_inputs(folder: Path, prof: Profile, partitions: int, work: Path) -> tuple[dict[str, _InputInfo], list[str]]:
    """Read each input once (:func:`~pipeline.intake.reading.read_batch`, as the single run reads them:
    the same first file-level error), cut it into the partitions' Parquet files and let it go; return
    the input infos and cuts."""
    infos: dict[str, _InputInfo] = {}
    order = ["employees"] + [name for name in INPUTS if name != "employees"]  # cut points come from employees
    cuts: list[str] = []
    raws = read_batch(folder, prof)
    for name in order:
        raw = raws.pop(name, None)
        if raw is None:
            continue
        infos[name] = _InputInfo(
            raw.name, raw.path, raw.sha256, raw.dialect, raw.missing_columns, raw.rows, getattr(raw, "blank", 0)
        )
        frame = raw.frame
        del raw
        if name == "employees":
            cuts = employee_ranges(frame.get_column("employee_id"), partitions)
        _write_pieces(frame, name, cuts, partitions, work)
        del frame
    return infos, cuts


def _write_pieces(frame: pl.DataFrame, name: str, cuts: list[str], partitions: int, work: Path) -> None:
    """One input's Parquet file per partition (the employers: one file for all)."""
    if name == BROADCAST:
        frame.write_parquet(work / f"input-{name}.parquet", compression="lz4", statistics=False)
        return
    parts = frame.with_columns(partition_of(cuts).alias("__part")).partition_by(
        "__part", as_dict=True, include_key=False, maintain_order=True
    )
    for index in range(partitions):
        piece = parts.get((index,), frame.clear())
        piece.write_parquet(work / f"part-{index:05d}" / f"input-{name}.parquet", compression="lz4", statistics=False)


# ------------------------------------------------------------------------------------------------
# One partition (worker)
# ------------------------------------------------------------------------------------------------


@sanitising  # a Dask worker logs a task's exception text on its console: only our one-line message
def run_partition(
    index: int,
    work: str,
    infos: dict[str, _InputInfo],
    period: str,
    params: Parameters | None,
    store_root: str | None,
    part_time_reading: str,
    keep_store_tables: bool,
    expected_code: str,
    csv: CsvChoice | None = None,
) -> dict[str, Any]:
    """Validate and compute one partition; write its tables into ``work/part-NNNNN/out`` (Parquet,
    and the CSV body in the dialect of ``csv``, default ``auto``, ``machine``).

    A table's CSV body is left out when ``csv`` wants no CSV of a table of this partition's rows:
    the whole table has at least as many rows, and a table that is too long for ``auto`` in one
    partition is too long in the run (:func:`~pipeline.outputs.csv_dialects.csv_wanted` never wants
    a longer table where it does not want a shorter one), so no body the merge reads is missing. At
    a million employee-months this spares each worker the CSV of its ~5 million contribution lines.

    Returns the partition's statistics (rows in and out, seconds, peak memory of this task).
    """
    if code_hash() != expected_code:
        raise PayrollError(
            "a Dask worker runs other code than the driver (code_sha256 differs); deploy the same version"
        )
    monthly.in_memory_engine()
    csv = csv or CsvChoice()
    reset = _reset_peak_rss()
    started = time.perf_counter()
    work_dir = Path(work)
    part = work_dir / f"part-{index:05d}"
    raw: dict[str, RawInput] = {}
    for name, info in infos.items():
        source = work_dir / f"input-{name}.parquet" if name == BROADCAST else part / f"input-{name}.parquet"
        raw[name] = RawInput(name, info.path, pl.read_parquet(source), info.sha256, info.dialect, info.missing_columns)
    store = RunStore(Path(store_root)) if store_root else None
    checked = monthly.check(raw)
    tables, store_tables, by_code = monthly.compute(
        checked, period, params or default_parameters(), store, part_time_reading
    )
    facts = run_warnings.row_facts(checked.frames, tables["payroll_lines"], period)
    del checked
    out = part / "out"
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in figures_only(tables, by_code).items():  # before masking, as the single run counts them
        frame.write_parquet(out / f"{FIGURES_PREFIX}{name}.parquet", compression="lz4", statistics=False)
    bounds = {}
    masked = []  # tables in which masking changed a cell: their audit file differs from the run store's
    for name, frame in tables.items():
        if name != "rejects":  # rejects: re-combined by the driver, masked when written, as in the single run
            bounds[name] = _id_bounds(frame)  # the merge checks the order on the keys before masking
            shown = rejects.mask_national_numbers(frame)  # row by row: the same cells as the single run's writer
            if shown is not frame:
                masked.append(name)
            frame = shown
        frame.write_parquet(out / f"{name}.parquet", compression="lz4", statistics=False)
        if name != "rejects" and csv.wanted(frame.height):
            write_csv(frame, out / f"{name}.csv", csv.dialect, header=False)
    store_dir = part / "store"
    store_dir.mkdir(exist_ok=True)
    in_out = []  # the store's tables that are audit tables no masking changed: their part file is the store's
    for name, frame in store_tables.items():
        if (index and name == BROADCAST) or not (keep_store_tables or name in NAMES):
            continue
        if name in tables and name not in masked and frame is tables[name]:
            in_out.append(name)
            continue
        frame.write_parquet(store_dir / f"{name}.parquet", compression="lz4", statistics=False)
    stats = {
        "partition": index,
        "pay_rows": raw["pay"].rows if "pay" in raw else 0,
        "employee_rows": raw["employees"].rows if "employees" in raw else 0,
        "output_rows": {name: frame.height for name, frame in tables.items()},
        "id_bounds": bounds,
        "masked": masked,
        "store_in_out": in_out,
        "seconds": time.perf_counter() - started,
        "peak_rss_mb": _peak_rss_mb(),
        "peak_is_per_task": reset,
        "worker_pid": os.getpid(),
        "facts": facts,
    }
    return stats


# ------------------------------------------------------------------------------------------------
# Merging (driver)
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _TableParts:
    """One output table as partition files (in employee-id range order)."""

    name: str
    parquet: tuple[Path, ...]
    csv: tuple[Path, ...]
    rows: tuple[int, ...]

    def frame(self) -> pl.DataFrame:
        """The whole table, in one frame (the partitions in range order)."""
        schema, used = _common_schema(self)
        if not sum(self.rows):
            return pl.DataFrame(schema=schema)
        return pl.concat([pl.read_parquet(self.parquet[i]) for i in used], rechunk=True)


def _common_schema(parts: _TableParts) -> tuple[dict[str, pl.DataType], list[int]]:
    """Schema of the non-empty partitions (they must agree) and their positions."""
    used = [i for i, n in enumerate(parts.rows) if n] or [0]
    schemas = [pl.read_parquet_schema(parts.parquet[i]) for i in used]
    if any(s != schemas[0] for s in schemas[1:]):
        raise PayrollError(f"{parts.name}: partitions produced different column types; cannot merge exactly")
    return dict(schemas[0]), used


def _write_parts(parts: _TableParts, folder: Path, name: str, csv: CsvChoice) -> list[dict[str, Any]]:
    """``audit.write_run`` table writer for a partitioned table: same bytes as ``write_table``."""
    schema, used = _common_schema(parts)
    rows = sum(parts.rows)
    parquet = folder / f"{name}.parquet"
    # Parquet: row groups and pages depend on the whole table (and on its chunks), so the table is
    # assembled in one chunk, as the single run's tables are, and written by the same call
    # (a streaming sink cuts row groups elsewhere).
    frame = parts.frame()
    parquet_sha = write_parquet_hashed(frame, parquet)
    del frame
    entries = [{"name": parquet.name, "sha256": parquet_sha, "rows": rows}]
    if not csv.wanted(rows):
        return entries
    path = folder / f"{name}.csv"
    header = csv_header(schema, csv.dialect)

    def write_body(fh: Any) -> None:
        fh.write(header)
        for i in used:
            with parts.csv[i].open("rb") as src:
                for chunk in iter(lambda: src.read(1 << 22), b""):
                    fh.write(chunk)

    return [*entries, {"name": path.name, "sha256": write_hashed(path, write_body, direct=True), "rows": rows}]


def _id_bounds(frame: pl.DataFrame) -> tuple[str | None, str | None] | None:
    """First and last employee id of an output table (sorted by employee id first), None without rows."""
    if not frame.height or "employee_id" not in frame.columns:
        return None
    ids = frame.get_column("employee_id")
    return ids[0], ids[-1]


def _check_range_order(name: str, bounds: list[tuple[str | None, str | None] | None]) -> None:
    """Concatenation in range order must keep the table sorted by employee id (cheap boundary check on
    each partition's first and last id, taken before national numbers were masked: masking a pay
    export keyed by NISS changes the written ids, not the order)."""
    last = None
    for bound in bounds:
        if bound is None:
            continue
        first, end = bound
        if last is not None and first is not None and first < last:
            raise PayrollError(f"{name}: partition outputs are not in employee-id order; cannot merge exactly")
        last = end if end is not None else last


class _StoreParts(Mapping[str, pl.DataFrame]):
    """The run-store tables of the whole batch, in the single run's row order, each merged from the
    partitions' files when it is read (the run store saves one table at a time)."""

    def __init__(self, work: Path, stats: list[dict[str, Any]]):
        # each partition's file of a table: in its store folder, or its audit part when that holds the
        # same rows (an audit table no masking changed, :func:`run_partition`)
        self._files: dict[str, list[Path]] = {}
        for store, out, s in zip(_part_dirs(work, stats, "store"), _part_dirs(work, stats, "out"), stats):
            found = {p.stem: p for p in store.glob("*.parquet")}
            found |= {name: out / f"{name}.parquet" for name in s.get("store_in_out", ())}
            for name, path in found.items():
                self._files.setdefault(name, []).append(path)
        self._names = sorted(self._files)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __contains__(self, name: object) -> bool:  # without reading the table (Mapping's would)
        return name in self._names

    def __len__(self) -> int:
        return len(self._names)

    def __getitem__(self, name: str) -> pl.DataFrame:
        return self.select(name)

    def select(self, name: str, columns: Collection[str] | None = None) -> pl.DataFrame:
        """Table ``name``, or only those of ``columns`` it has (only they are read from the files), in
        the single run's row order."""
        if name not in self._names:
            raise KeyError(name)
        files = self._files[name]
        kept = read = None
        if columns is not None:
            held = pl.read_parquet_schema(files[0])
            kept = [c for c in held if c in columns]
            read = kept + [c for c in SOURCE_ORDER if name in SORTED_BY_SOURCE and c in held and c not in kept]
        frames = [pl.read_parquet(f, columns=read) for f in files]
        non_empty = [f for f in frames if f.height] or frames[:1]
        frame = pl.concat(non_empty) if len(non_empty) > 1 else non_empty[0]
        if name in SORTED_BY_SOURCE and "source_line" in frame.columns:
            frame = frame.sort(*SOURCE_ORDER, maintain_order=True)
        return frame if kept is None else frame.select(kept)


def _table_writer(table: Any, folder: Path, name: str, csv: CsvChoice) -> list[dict[str, Any]]:
    """``audit.write_run`` table writer of the merged run: partition files, or a DataFrame."""
    if isinstance(table, _TableParts):
        return _write_parts(table, folder, name, csv)
    return write_table(table, folder, name, csv)


# ------------------------------------------------------------------------------------------------
# Cluster
# ------------------------------------------------------------------------------------------------


def resolve_address(explicit: str | None = None) -> str | None:
    """The scheduler address: the argument, else env ``PAYROLL_DASK_ADDRESS``, else None (local cluster)."""
    return explicit or os.environ.get(DASK_ADDRESS_ENV) or None


LOCAL_WORKERS = 2
"""Worker processes of the local cluster (one thread each): its partitions when none are asked."""


def local_cluster(n_workers: int = LOCAL_WORKERS):
    """A local cluster: worker processes, one thread each, no dashboard, localhost only."""
    from distributed import LocalCluster

    return LocalCluster(
        n_workers=n_workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        host="127.0.0.1",
    )


# ------------------------------------------------------------------------------------------------
# Entry point
# ------------------------------------------------------------------------------------------------


def run_partitioned(
    input_dir: Path,
    period: str,
    run_date: dt.date,
    out: Path,
    partitions: int = 0,
    dask_address: str | None = None,
    profile: str | Path | None = None,
    params: Parameters | None = None,
    store: RunStore | None = None,
    part_time_reading: str = "prorated",
    overwrite: bool = False,
    finalise: bool = True,
    work_dir: Path | None = None,
    client: Any = None,
    replace: bool = False,
    wait: float | None = None,
    on_wait: Any = None,
    lang: str | None = None,
    csv: CsvChoice | None = None,
) -> PartitionedResult:
    """Run one batch in ``partitions`` employee-id ranges on a Dask cluster and write its audit files.

    Same outputs (byte for byte, manifest included) and the same run-store effect as the single
    run :func:`pipeline.jobs.monthly.run_month`. ``partitions=0``: one per worker thread of the
    cluster. ``client``: an existing ``distributed.Client`` (else one is made from ``dask_address``,
    env ``PAYROLL_DASK_ADDRESS`` or a local 2-worker cluster, and closed at the end).
    ``work_dir``: where partition files go (default: a temporary folder next to ``out``; must be
    shared with the workers of a remote cluster); removed at the end. ``replace``, ``wait`` and
    ``on_wait``: as for the single run (the locks of the store and of ``out`` are held throughout);
    ``lang`` and ``csv`` too (the language of the report, workbook and console summary; which
    tables get a CSV, in which dialect).
    """
    with monthly.locks(store, Path(out), wait, on_wait):
        return _run_partitioned(
            input_dir, period, run_date, Path(out), partitions, dask_address, profile, params, store,
            part_time_reading, overwrite, finalise, work_dir, client, replace, lang, csv or CsvChoice(),
        )  # fmt: skip


def _run_partitioned(
    input_dir: Path,
    period: str,
    run_date: dt.date,
    out: Path,
    partitions: int,
    dask_address: str | None,
    profile: str | Path | None,
    params: Parameters | None,
    store: RunStore | None,
    part_time_reading: str,
    overwrite: bool,
    finalise: bool,
    work_dir: Path | None,
    client: Any,
    replace: bool,
    lang: str | None,
    csv: CsvChoice,
) -> PartitionedResult:
    timings: dict[str, float] = {}
    started = time.perf_counter()
    if out.exists() and any(out.iterdir()) and not overwrite:
        raise OutputExistsError(f"output folder {out} already holds files; pass --overwrite to replace it")
    params = params or default_parameters()
    prof = Profile.load(profile)
    input_dir = Path(input_dir)
    if not input_dir.is_dir():
        raise InputError(f"input folder not found: {input_dir}")
    month_start(period)
    code = code_hash()
    with _Connection(client, dask_address) as connection:
        base = Path(work_dir) if work_dir else out.resolve().parent
        base.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{out.name}.partitions-", dir=base))
        try:
            if partitions <= 0 and connection.local:
                partitions = LOCAL_WORKERS
            elif partitions <= 0:  # as many as the cluster has worker threads: asked before splitting
                partitions = max(1, sum(connection.result().nthreads().values()))
            t = time.perf_counter()
            for index in range(partitions):
                (work / f"part-{index:05d}").mkdir()
            infos, _cuts = _split_inputs(input_dir, prof, partitions, work)
            timings["split"] = time.perf_counter() - t
            t = time.perf_counter()
            client = connection.result()
            timings["connect"] = time.perf_counter() - t  # what the driver waited for the cluster after splitting

            t = time.perf_counter()
            futures = client.map(
                run_partition,
                list(range(partitions)),
                work=str(work),
                infos=infos,
                period=period,
                params=params,
                store_root=str(Path(store.root).resolve()) if store is not None else None,
                part_time_reading=part_time_reading,
                keep_store_tables=store is not None,
                expected_code=code,
                csv=csv,
                pure=False,
            )
            stats = sorted(client.gather(futures), key=lambda s: s["partition"])
            timings["partitions"] = time.perf_counter() - t

            t = time.perf_counter()
            tables = _merged_tables(work, stats, period, params)
            computed = sum(tables["payroll_lines"].rows) if "payroll_lines" in tables else 0
            facts = {
                "inputs": run_warnings.input_facts(infos),
                "rows": run_warnings.merge_row_facts(s["facts"] for s in stats),
            }
            options = monthly.run_options(part_time_reading)
            man = manifests.monthly(
                period, run_date, prof.name, infos, tables["rejects"], computed, params, code, facts, options
            )
            result = monthly.BatchResult(
                period,
                tables,
                _StoreParts(work, stats),
                man,
                file_errors=monthly.file_errors(infos),
                lang=monthly.language(lang, prof),
                figures=_merged_figures(work, stats),
                stored_as_is=_stored_as_is(tables, stats),
            )
            done = monthly.publish(result, out, overwrite, store, finalise, _table_writer, replace, csv)
            timings["merge_write"] = time.perf_counter() - t  # the audit files, then the run store
        finally:
            shutil.rmtree(work, ignore_errors=True)
    timings["total"] = time.perf_counter() - started
    return PartitionedResult(
        period,
        man,
        done.path,
        tables["rejects"].height,
        partitions,
        stats,
        timings,
        store=done.store,
        lang=result.lang,
        console=done.console,
    )


def _part_dirs(work: Path, stats: list[dict[str, Any]], sub: str) -> list[Path]:
    """The ``sub`` folder (``out`` or ``store``) of every partition, in range order."""
    return [work / f"part-{s['partition']:05d}" / sub for s in stats]


def _merged_tables(work: Path, stats: list[dict[str, Any]], period: str, params: Parameters) -> dict[str, Any]:
    """The run's audit tables: the rejects re-combined, the per-run table once, every other table as
    its partition files (checked to be in employee-id range order)."""
    part_dirs = _part_dirs(work, stats, "out")
    tables: dict[str, Any] = {"rejects": rejects.combine(*(pl.read_parquet(d / "rejects.parquet") for d in part_dirs))}
    for name in sorted(stats[0]["output_rows"]):
        if name == "rejects":
            continue
        if name == PER_RUN_TABLE:  # the same in every partition: not concatenated
            tables[name] = params.in_force(month_start(period))
            continue
        files = [d / f"{name}.parquet" for d in part_dirs]
        rows = [s["output_rows"][name] for s in stats]
        _check_range_order(name, [s["id_bounds"].get(name) for s in stats])
        tables[name] = _TableParts(name, tuple(files), tuple(d / f"{name}.csv" for d in part_dirs), tuple(rows))
    return tables


def _stored_as_is(tables: Mapping[str, Any], stats: list[dict[str, Any]]) -> frozenset[str]:
    """The merged tables whose audit Parquet file holds the bytes the run store would write for them:
    no partition masked a cell of them (masking is the one difference between a partition's audit table
    and its run-store table), and both are the partitions' rows in range order, in one chunk, written
    with the same options. The store then copies those files instead of merging and compressing the
    tables a second time, after the audit folder (as the single run's store copies its audit files)."""
    masked = {name for s in stats for name in s.get("masked", ())}
    return frozenset(
        name
        for name, table in tables.items()
        if isinstance(table, _TableParts) and sum(table.rows) and name not in masked  # an empty table: written anew
    )


FIGURES_PREFIX = "figures-"
"""Part files of the report's figures, counted in each partition before masking (not audit tables)."""


def _merged_figures(work: Path, stats: list[dict[str, Any]]) -> dict[str, pl.DataFrame]:
    """The report's figures of the run: those of the partitions, summed (:func:`merge_figures`)."""
    part_dirs = _part_dirs(work, stats, "out")
    names = (FIGURES, BY_CODE)
    return merge_figures([{n: pl.read_parquet(d / f"{FIGURES_PREFIX}{n}.parquet") for n in names} for d in part_dirs])


class _Connection:
    """A context: ``client``, or a client of ``dask_address`` (env ``PAYROLL_DASK_ADDRESS``, else a
    local cluster of :data:`LOCAL_WORKERS` workers, ``local``) connected on a helper thread while the
    caller goes on (the driver splits the inputs meanwhile: a local cluster's worker processes take
    about a second to start), and closed, with the cluster it made, at the end. ``result()`` waits
    for the client and raises what connecting raised."""

    def __init__(self, client: Any, dask_address: str | None):
        self.client, self.cluster, self.local = client, None, False
        self._pool: ThreadPoolExecutor | None = None
        if client is not None:
            return
        address = resolve_address(dask_address)
        self.local = address is None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dask-connect")
        self._pending = self._pool.submit(self._connect, address)

    def _connect(self, address: str | None) -> Any:
        from distributed import Client

        if address:
            self.client = Client(address)
        else:
            self.cluster = local_cluster()
            self.client = Client(self.cluster)
        return self.client

    def result(self) -> Any:
        return self.client if self._pool is None else self._pending.result()

    def __enter__(self) -> _Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        """Close the client and the cluster this connection made (once they are up)."""
        if self._pool is None:
            return
        with suppress(BaseException):
            self._pending.result()
        self._pool.shutdown()
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()
