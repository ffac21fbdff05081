"""Audit files of a run: Parquet + CSV per table, and ``manifest.json``.

- Rows sorted by their key, fixed column order (data-contract "Outputs").
- CSV: UTF-8, ``,``, decimal point; text cells a spreadsheet would take for a formula
  (``=``, ``+``, ``-``, ``@``, tab, carriage return at the start) are neutralised with a leading
  apostrophe (OWASP CSV injection guidance).
- Atomic: the whole run is written into a hidden sibling folder and renamed into place at the
  end, so a crash never leaves a folder that looks complete; an existing output is only
  replaced when overwriting was asked (else exit code 5).
- Deterministic: same inputs, parameters, code and run date give byte-identical files; the
  manifest holds no wall-clock time.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import polars as pl

from pipeline.errors import OutputExistsError

FORMULA_START = r"^[=+\-@\t\r]"


def neutralise(frame: pl.DataFrame) -> pl.DataFrame:
    """Prefix text cells that start like a spreadsheet formula with an apostrophe."""
    text = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(FORMULA_START)).then(pl.lit("'") + pl.col(c)).otherwise(pl.col(c)).alias(c)
        for c in text
    )


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_table(frame: pl.DataFrame, folder: Path, name: str) -> list[dict[str, Any]]:
    """Write ``name.parquet`` and ``name.csv`` into ``folder``; return their manifest entries."""
    parquet = folder / f"{name}.parquet"
    csv = folder / f"{name}.csv"
    frame.write_parquet(parquet, compression="zstd", statistics=False)
    neutralise(frame).write_csv(csv, include_bom=False, line_terminator="\n", datetime_format="%Y-%m-%dT%H:%M:%S")
    return [
        {"name": p.name, "sha256": sha256_file(p), "rows": frame.height} for p in (parquet, csv)
    ]


def code_hash() -> str:
    """SHA-256 of the program's own source (pipeline + schemas), so the manifest pins the code."""
    digest = hashlib.sha256()
    root = Path(__file__).resolve().parent.parent
    for package in ("pipeline", "schemas"):
        for path in sorted((root / package).rglob("*.py")):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def write_run(out: Path, tables: Mapping[str, pl.DataFrame], manifest: dict[str, Any], overwrite: bool = False) -> Path:
    """Write every table and the manifest into ``out`` atomically."""
    out = Path(out)
    if out.exists() and any(out.iterdir()) and not overwrite:
        raise OutputExistsError(f"output folder {out} already holds files; pass --overwrite to replace it")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    try:
        entries = []
        for name in sorted(tables):
            entries.extend(write_table(tables[name], staging, name))
        manifest = dict(manifest, outputs=entries)
        text = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n"
        (staging / "manifest.json").write_text(text, encoding="utf-8")
        os.chmod(staging, 0o755)
        if out.exists():
            trash = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            os.replace(out, trash / out.name)
            os.replace(staging, out)
            shutil.rmtree(trash, ignore_errors=True)
        else:
            os.replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out
