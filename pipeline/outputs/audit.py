"""Audit files of a run: Parquet + CSV per table, and ``manifest.json``.

- Rows sorted by their key, fixed column order (data-contract "Outputs").
- CSV (data-contract "Outputs"): in the ``machine`` dialect (UTF-8, ``,``, decimal point) or the
  ``excel-be`` one (``;``, decimal comma, UTF-8 with BOM; :mod:`pipeline.outputs.csv_dialects`);
  ``--csv auto`` writes the CSV of every table a spreadsheet opens (at most 1,048,575 rows) and
  leaves larger ones in Parquet only, ``all`` / ``none`` every / no table; the manifest's ``csv``
  entry records the mode, the dialect and the Parquet-only tables. Text cells a spreadsheet would
  take for a formula (``=``, ``+``, ``-``, ``@``, tab, carriage return at the start) are
  neutralised with a leading apostrophe (OWASP CSV injection guidance).
- Atomic: the whole run is written into a hidden sibling folder (``.<name>.partial-<pid>-...``)
  and renamed into place at the end, so a crash never leaves a folder that looks complete; an
  existing output is only replaced when overwriting was asked (else exit code 5). When writing
  fails (disk full, read-only folder, no permission) the staging folder is removed, no output
  folder is left behind (an output being replaced is put back) and the failure is one
  :class:`~pipeline.errors.OutputWriteError`; staging folders that an interrupted run left (its
  process is gone) are removed by the next run into the same folder.
- No national number in clear: every valid NISS/BIS number in a text cell is masked
  (:func:`pipeline.core.rejects.mask_national_numbers`); only the DmfA declarations (``files``)
  and the run store carry them.
- Deterministic: same inputs, parameters, code and run date give byte-identical files; the
  manifest holds no wall-clock time.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Collection, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import polars as pl

from pipeline.core.rejects import mask_national_numbers
from pipeline.errors import OutputExistsError, OutputWriteError, os_errno, os_error_parts, os_error_text
from pipeline.outputs.csv_dialects import CSV_OPTIONS, CsvChoice, neutralise, write_csv  # noqa: F401  (re-exported)
from pipeline.outputs.hashed_file import write_hashed
from pipeline.outputs.manifest import code_hash  # noqa: F401  (re-exported for pipeline.declarations.dmfa)

PARQUET_OPTIONS = {"compression": "zstd", "statistics": False}
"""Writer options of the audit Parquet files: a partitioned run must use the same to write the same bytes."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_parquet_hashed(frame: pl.DataFrame, path: Path) -> str:
    """Write ``frame`` (in one chunk) as the audit Parquet file ``path``; return its SHA-256."""
    return write_hashed(path, lambda fh: frame.write_parquet(fh, **PARQUET_OPTIONS))


def parquet_as_is(frame: pl.DataFrame, masked: pl.DataFrame | None = None) -> bool:
    """True when :func:`write_table` writes ``frame`` itself to Parquet (no national number to
    mask, every column in one chunk): its ``name.parquet`` then holds the bytes of
    ``frame.write_parquet(path, **PARQUET_OPTIONS)``. ``masked``: ``mask_national_numbers(frame)``
    when the caller has it (else it is computed)."""
    if not all(n == 1 for n in frame.n_chunks("all")):
        return False
    return (mask_national_numbers(frame) if masked is None else masked) is frame


def write_table(
    frame: pl.DataFrame, folder: Path, name: str, csv: CsvChoice | None = None, masked: bool = False
) -> list[dict[str, Any]]:
    """Write ``name.parquet`` and, when ``csv`` wants it (default: ``auto``, ``machine``),
    ``name.csv`` into ``folder``; return their manifest entries.

    The two files are written at the same time (the Parquet file on a helper thread; polars
    releases the GIL) and hashed while they are written; the CSV file, the large one, bypasses the
    page cache where it can (:mod:`pipeline.outputs.hashed_file`). Bytes are the same as writing each file
    to its path with polars and hashing it afterwards. ``masked``: ``frame`` is already
    ``mask_national_numbers`` of the table (its text is not scanned again).
    """
    csv = csv or CsvChoice()
    parquet = folder / f"{name}.parquet"
    frame = frame if masked else mask_national_numbers(frame)
    frame = frame.rechunk()  # Parquet bytes depend on the memory layout: always one chunk (free when it is)
    if not csv.wanted(frame.height):
        return [{"name": parquet.name, "sha256": write_parquet_hashed(frame, parquet), "rows": frame.height}]
    path = folder / f"{name}.csv"
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(write_parquet_hashed, frame, parquet)
        csv_sha = write_hashed(path, lambda fh: write_csv(frame, fh, csv.dialect), direct=True)
        parquet_sha = pending.result()
    return [
        {"name": parquet.name, "sha256": parquet_sha, "rows": frame.height},
        {"name": path.name, "sha256": csv_sha, "rows": frame.height},
    ]


def csv_entry(tables: Mapping[str, Any], csv: CsvChoice | None = None) -> dict[str, Any]:
    """The manifest's ``csv`` entry of a run writing ``tables`` (:meth:`CsvChoice.describe`)."""
    return (csv or CsvChoice()).describe({name: _rows(table) for name, table in tables.items()})


TABLE_WRITERS = 2
"""Tables written at the same time by :func:`write_run` (each also writes its two files at once)."""


def _rows(table: Any) -> int:
    """Row count of a table handle: a DataFrame, or a partitioned table with per-part ``rows``."""
    return table.height if isinstance(table, pl.DataFrame) else sum(getattr(table, "rows", ()))


def _staging_pid(path: Path, prefix: str) -> int | None:
    head = path.name[len(prefix) :].split("-", 1)[0]
    return int(head) if head.isdigit() else None


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # this process is not writing that folder now: it is about to
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale_staging(out: Path) -> list[Path]:
    """Remove the staging folders that earlier runs into ``out`` left behind (their process is
    gone); return them. A replaced output left aside by a run that died between its two renames
    is put back when ``out`` is missing, else removed."""
    removed = []
    for kind in ("partial", "old"):
        prefix = f".{out.name}.{kind}-"
        try:
            candidates = [p for p in out.parent.iterdir() if p.name.startswith(prefix) and p.is_dir()]
        except OSError:
            return removed
        for path in candidates:
            pid = _staging_pid(path, prefix)
            if pid is not None and _alive(pid):
                continue
            kept = path / out.name
            if kind == "old" and kept.is_dir() and not out.exists():
                os.replace(kept, out)
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def _make_parents(folder: Path) -> list[Path]:
    """Create ``folder`` and its missing parents; return those created (deepest first)."""
    missing = []
    for path in (folder, *folder.parents):
        if path.exists():
            break
        missing.append(path)
    folder.mkdir(parents=True, exist_ok=True)
    return missing


def _remove_empty(folders: list[Path]) -> None:
    for path in folders:
        try:
            path.rmdir()
        except OSError:
            break


def _write_file(path: Path, data: bytes) -> dict[str, Any]:
    """Write ``data`` to ``path``; its manifest entry (name, SHA-256, size)."""
    path.write_bytes(data)
    return {"name": path.name, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}


def _write_error(exc: BaseException, out: Path) -> OutputWriteError:
    meaning, todo = os_error_parts(exc)
    return OutputWriteError(f"cannot write the outputs into {out}: {meaning}; nothing was written; {todo}")


def write_run(
    out: Path,
    tables: Mapping[str, Any],
    manifest: dict[str, Any],
    overwrite: bool = False,
    table_writer: Callable[[Any, Path, str, CsvChoice], list[dict[str, Any]]] | None = None,
    files: Mapping[str, bytes] | Callable[[], Mapping[str, bytes]] | None = None,
    csv: CsvChoice | None = None,
    masked: Collection[str] = (),
) -> Path:
    """Write every table and the manifest into ``out`` atomically.

    ``tables`` maps a table name to a DataFrame, written by :func:`write_table`; a
    ``table_writer(table, folder, name, csv)`` may write other table handles instead (the partitioned
    run of ``pipeline.jobs.partitioned`` passes each table's partition files) and must return the same
    manifest entries. ``masked``: the tables that are already ``mask_national_numbers`` of the run's
    (:func:`write_table` does not scan them again). ``files`` maps a file name to its bytes (e.g. the
    DmfA XML declarations, ``report.html``, ``payroll.xlsx``), each listed in the manifest (before
    the tables) with its SHA-256 and size; it may be a function returning them, called in this thread
    while the tables are written on others (rendering in Python overlaps polars' writing, which
    releases the GIL). ``csv``: which tables get a CSV, in which dialect (default ``auto``,
    ``machine``); the manifest's ``csv`` entry records it (:func:`csv_entry`).

    Raises :class:`OutputExistsError` (exit 5) when ``out`` holds files and ``overwrite`` is not
    set, and :class:`OutputWriteError` (exit 1) when the file system refuses the writing; then
    nothing is left behind (an output being replaced stays as it was).
    """

    def writer(table: Any, folder: Path, name: str, choice: CsvChoice) -> list[dict[str, Any]]:
        if table_writer is not None:
            return table_writer(table, folder, name, choice)
        if name in masked:
            return write_table(table, folder, name, choice, masked=True)
        return write_table(table, folder, name, choice)

    csv = csv or CsvChoice()
    out = Path(out)
    try:
        occupied = out.exists() and any(out.iterdir())
    except OSError as exc:
        raise OutputWriteError(os_error_text(exc, "cannot read the output folder")) from None
    if occupied and not overwrite:
        raise OutputExistsError(f"output folder {out} already holds files; pass --overwrite to replace it")
    created: list[Path] = []
    trash: Path | None = None
    try:
        created = _make_parents(out.parent)
        clean_stale_staging(out)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-{os.getpid()}-", dir=out.parent))
    except OSError as exc:
        _remove_empty(created)
        raise _write_error(exc, out) from None
    try:
        entries = []
        # Tables are written concurrently, the largest first: while one table's CSV goes to the
        # disk, the CPU renders the next (each file's bytes do not depend on the order).
        with ThreadPoolExecutor(max_workers=TABLE_WRITERS) as pool:
            largest_first = sorted(tables, key=lambda name: (-_rows(tables[name]), name))
            pending = {name: pool.submit(writer, tables[name], staging, name, csv) for name in largest_first}
            try:
                given = (files() if callable(files) else files) or {}
                for name in sorted(given):
                    entries.append(_write_file(staging / name, given[name]))
                for name in sorted(tables):
                    entries.extend(pending[name].result())
            except BaseException:
                pool.shutdown(wait=True, cancel_futures=True)
                raise
        manifest = dict(manifest, csv=csv_entry(tables, csv), outputs=entries)
        text = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n"
        (staging / "manifest.json").write_text(text, encoding="utf-8")
        os.chmod(staging, 0o755)
        if out.exists():
            trash = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-{os.getpid()}-", dir=out.parent))
            os.replace(out, trash / out.name)
            try:
                os.replace(staging, out)
            except BaseException:
                os.replace(trash / out.name, out)
                raise
            shutil.rmtree(trash, ignore_errors=True)
        else:
            os.replace(staging, out)
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if trash is not None and not (trash / out.name).exists():
            shutil.rmtree(trash, ignore_errors=True)
        _remove_empty(created)
        if os_errno(exc) is not None:
            raise _write_error(exc, out) from None
        raise
    return out
