"""The run store: each finalised period of earlier runs, so later runs (calendar-year counters,
relapse history) and the quarterly DmfA export can read history.

Embedded default: partitioned Parquet in a local folder (``--store``, default ``./run_store``)::

    <store>/<table>/period=YYYY-MM/data.parquet
    <store>/periods/period=YYYY-MM.json      # run id, run date, counts, finalised flag

A period is replaced as a whole (written to a temporary folder, then renamed), so a crash never
leaves a half-written partition that looks complete.

The store holds national numbers and names (data-contract "The run store of a bureau"): its
folders are created ``0o700`` and its files ``0o600``, readable by their owner only, and a
store made before is tightened on the next save.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import polars as pl

from pipeline.errors import RunStoreError

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600

STORED_TABLES = (
    "payroll_lines",
    "contribution_lines",
    "guaranteed_wage_days",
    "onem_allowance",
    "withholding_decisions",
    "pay",
    "employees",
    "employers",
    "absences",
)


def _private(root: Path) -> None:
    """Make ``root`` and everything below it readable by its owner only."""
    os.chmod(root, PRIVATE_DIR)
    for folder, dirs, files in os.walk(root):
        for name in dirs:
            os.chmod(os.path.join(folder, name), PRIVATE_DIR)
        for name in files:
            os.chmod(os.path.join(folder, name), PRIVATE_FILE)


def plain_text(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with its enumerated text columns as plain text (periods' vocabularies differ)."""
    return frame.with_columns(pl.col(pl.Enum, pl.Categorical).cast(pl.String))


class RunStore:
    def __init__(self, root: Path):
        self.root = Path(root)

    def _partition(self, table: str, period: str) -> Path:
        return self.root / table / f"period={period}"

    def save(self, period: str, tables: dict[str, pl.DataFrame], info: dict[str, Any]) -> None:
        """Store (replace) one period's tables and its info record."""
        self.root.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
        _private(self.root)
        for table, frame in tables.items():
            target = self._partition(table, period)
            target.parent.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
            staging = Path(tempfile.mkdtemp(prefix=".partial-", dir=target.parent))  # created 0o700
            frame.write_parquet(staging / "data.parquet", compression="zstd", statistics=False)
            os.chmod(staging / "data.parquet", PRIVATE_FILE)
            if target.exists():
                shutil.rmtree(target)
            os.replace(staging, target)
        meta = self.root / "periods"
        meta.mkdir(exist_ok=True, mode=PRIVATE_DIR)
        tmp = meta / f".period={period}.json.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(info, indent=2, sort_keys=True, default=str) + "\n")
        os.chmod(tmp, PRIVATE_FILE)
        os.replace(tmp, meta / f"period={period}.json")

    def info(self, period: str) -> dict[str, Any] | None:
        path = self.root / "periods" / f"period={period}.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None

    def periods(self) -> list[str]:
        meta = self.root / "periods"
        if not meta.is_dir():
            return []
        return sorted(p.name[len("period=") : -len(".json")] for p in meta.glob("period=*.json"))

    def read(self, table: str, periods: list[str] | None = None) -> pl.DataFrame | None:
        """Concatenate a table over the given (default: all) stored periods; None when absent.

        Enumerated text columns (``contribution_lines``: one vocabulary per period) come back as
        plain text, so periods with different vocabularies concatenate.
        """
        base = self.root / table
        if not base.is_dir():
            return None
        chosen = periods if periods is not None else self.periods()
        files = [self._partition(table, p) / "data.parquet" for p in chosen]
        files = [f for f in files if f.is_file()]
        if not files:
            return None
        return pl.concat([plain_text(pl.read_parquet(f)) for f in files], how="diagonal_relaxed")

    def require_finalised(self, periods: list[str]) -> None:
        """Refuse (clear message) when a period is missing or was not finalised."""
        problems = []
        for p in periods:
            info = self.info(p)
            if info is None:
                problems.append(f"{p}: no run in the store {self.root}")
            elif not info.get("finalised"):
                problems.append(
                    f"{p}: the run {info.get('run_id', '?')[:12]} was not finalised (rerun with --finalise)"
                )
        if problems:
            raise RunStoreError("cannot use the run store: " + "; ".join(problems))
