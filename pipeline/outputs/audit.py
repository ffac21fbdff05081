"""Audit files of a run: Parquet + CSV per table, and ``manifest.json``.

- Rows sorted by their key, fixed column order (data-contract "Outputs").
- CSV: UTF-8, ``,``, decimal point; text cells a spreadsheet would take for a formula
  (``=``, ``+``, ``-``, ``@``, tab, carriage return at the start) are neutralised with a leading
  apostrophe (OWASP CSV injection guidance).
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
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import polars as pl

from pipeline.core.rejects import mask_national_numbers
from pipeline.errors import OutputExistsError, OutputWriteError, os_errno, os_error_parts, os_error_text
from pipeline.outputs.hashed_file import write_hashed
from pipeline.outputs.manifest import code_hash  # noqa: F401  (re-exported for pipeline.declarations.dmfa)

FORMULA_START = r"^[=+\-@\t\r]"
CSV_OPTIONS = {"include_bom": False, "line_terminator": "\n", "datetime_format": "%Y-%m-%dT%H:%M:%S"}
PARQUET_OPTIONS = {"compression": "zstd", "statistics": False}
"""Writer options of the audit files: a partitioned run must use the same to write the same bytes."""


def _may_start_like_formula(column: str) -> pl.Expr:
    """True for every text cell whose first byte is one of ``\t \r + -`` (between tab and ``0``)
    or ``= @`` (between ``:`` and ``A``), and for a few harmless others in those byte ranges.

    Two string comparisons (polars compares the inline prefix of each string view), about four
    times cheaper than a regular expression over millions of cells: a column none of whose
    cells is in range holds no formula-like cell.
    """
    col = pl.col(column)
    return col.is_between(pl.lit("\t"), pl.lit("0"), closed="left") | col.is_between(
        pl.lit(":"), pl.lit("A"), closed="left"
    )


def neutralise(frame: pl.DataFrame) -> pl.DataFrame:
    """Prefix text cells that start like a spreadsheet formula with an apostrophe.

    Only the text columns that hold such a cell are rebuilt; one pass of byte-range comparisons
    finds the candidate columns, the exact pattern is evaluated on those only.
    """
    text = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    if not text or frame.height == 0:
        return frame
    found = frame.select(_may_start_like_formula(c).any().alias(c) for c in text).row(0, named=True)
    starts = {c: pl.col(c).str.contains(FORMULA_START) for c in text if found[c]}
    if starts:
        found = frame.select(expr.any().alias(c) for c, expr in starts.items()).row(0, named=True)
    hit = [c for c in starts if found[c]]
    if not hit:
        return frame
    return frame.with_columns(
        pl.when(starts[c]).then(pl.lit("'") + pl.col(c)).otherwise(pl.col(c)).alias(c) for c in hit
    )


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_parquet_hashed(frame: pl.DataFrame, path: Path) -> str:
    """Write ``frame`` (in one chunk) as the audit Parquet file ``path``; return its SHA-256."""
    return write_hashed(path, lambda fh: frame.write_parquet(fh, **PARQUET_OPTIONS))


def write_table(frame: pl.DataFrame, folder: Path, name: str) -> list[dict[str, Any]]:
    """Write ``name.parquet`` and ``name.csv`` into ``folder``; return their manifest entries.

    The two files are written at the same time (the Parquet file on a helper thread; polars
    releases the GIL) and hashed while they are written; the CSV file, the large one, bypasses the
    page cache where it can (:mod:`pipeline.outputs.hashed_file`). Bytes are the same as writing each file
    to its path with polars and hashing it afterwards.
    """
    parquet = folder / f"{name}.parquet"
    csv = folder / f"{name}.csv"
    frame = mask_national_numbers(frame)
    frame = frame.rechunk()  # Parquet bytes depend on the memory layout: always one chunk (free when it is)
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(write_parquet_hashed, frame, parquet)
        csv_sha = write_hashed(csv, lambda fh: neutralise(frame).write_csv(fh, **CSV_OPTIONS), direct=True)
        parquet_sha = pending.result()
    return [
        {"name": parquet.name, "sha256": parquet_sha, "rows": frame.height},
        {"name": csv.name, "sha256": csv_sha, "rows": frame.height},
    ]


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


def _write_error(exc: BaseException, out: Path) -> OutputWriteError:
    meaning, todo = os_error_parts(exc)
    return OutputWriteError(f"cannot write the outputs into {out}: {meaning}; nothing was written; {todo}")


def write_run(
    out: Path,
    tables: Mapping[str, Any],
    manifest: dict[str, Any],
    overwrite: bool = False,
    table_writer: Callable[[Any, Path, str], list[dict[str, Any]]] | None = None,
    files: Mapping[str, bytes] | None = None,
) -> Path:
    """Write every table and the manifest into ``out`` atomically.

    ``tables`` maps a table name to a DataFrame, written by :func:`write_table`; a
    ``table_writer(table, folder, name)`` may write other table handles instead (the partitioned
    run of ``pipeline.jobs.partitioned`` passes each table's partition files) and must return the same
    manifest entries. ``files`` maps a file name to its bytes (e.g. the DmfA XML declarations),
    written first, each listed in the manifest with its SHA-256 and size.

    Raises :class:`OutputExistsError` (exit 5) when ``out`` holds files and ``overwrite`` is not
    set, and :class:`OutputWriteError` (exit 1) when the file system refuses the writing; then
    nothing is left behind (an output being replaced stays as it was).
    """
    writer = table_writer or write_table
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
        for name in sorted(files or {}):
            path = staging / name
            path.write_bytes(files[name])
            entries.append({"name": name, "sha256": sha256_file(path), "bytes": path.stat().st_size})
        # Tables are written concurrently, the largest first: while one table's CSV goes to the
        # disk, the CPU renders the next (each file's bytes do not depend on the order).
        with ThreadPoolExecutor(max_workers=TABLE_WRITERS) as pool:
            largest_first = sorted(tables, key=lambda name: (-_rows(tables[name]), name))
            pending = {name: pool.submit(writer, tables[name], staging, name) for name in largest_first}
            for name in sorted(tables):
                entries.extend(pending[name].result())
        manifest = dict(manifest, outputs=entries)
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
