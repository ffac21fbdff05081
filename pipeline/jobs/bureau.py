"""A payroll bureau's month: every client folder of an inbox, one monthly run each.

Inbox layout (the monthly deployment's ``inbox`` parameter, default ``inbox/`` in the project
folder)::

    inbox/
      <client>/          one batch folder per client employer (or group of employers), as for
        employees.csv    ``payroll run``: employees, pay, and optionally employers and absences
        pay.csv          (CSV, Parquet or XLSX; a ``profile.txt`` holding a mapping profile's name,
        ...              e.g. ``fr_export``, when the client's export is not canonical)

Folders whose name starts with ``.`` or ``_`` are skipped (e.g. ``_done``). Each client gets its
own output folder ``<out_root>/<YYYY-MM>/<client>/``; every client's months go into the one run
store of the bureau, per employer (:mod:`pipeline.outputs.run_store`). An example inbox is
``sample_data/inbox/``.

This module holds the file-system and summary parts; the orchestration (one run per client, so
that one bad client does not stop the others) is the Prefect flow ``monthly_bureau``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import polars as pl

from pipeline.errors import InputError
from pipeline.outputs.report.figures import employer_figures, figures_total

PROFILE_FILE = "profile.txt"
CLIENT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
"""A client folder's name: letters, digits, ``.``, ``_``, ``-`` (it appears in run names and paths)."""


def client_folders(inbox: Path) -> list[tuple[str, Path]]:
    """(client, folder) of every client folder of ``inbox``, sorted by name."""
    inbox = Path(inbox)
    if not inbox.is_dir():
        raise InputError(f"inbox folder not found: {inbox} (one sub-folder per client, see docs/operations.md)")
    found = [(p.name, p) for p in sorted(inbox.iterdir()) if p.is_dir() and not p.name.startswith((".", "_"))]
    bad = [name for name, _ in found if not CLIENT_NAME.match(name)]
    if bad:
        raise InputError(f"inbox {inbox}: client folder names must be letters, digits, '.', '_' or '-': {bad}")
    if not found:
        raise InputError(f"inbox {inbox} holds no client folder (one sub-folder per client, see docs/operations.md)")
    return found


def client_profile(folder: Path, default: str = "canonical") -> str:
    """The mapping profile named in the client folder's ``profile.txt``, else ``default``."""
    path = Path(folder) / PROFILE_FILE
    return path.read_text(encoding="utf-8").strip() or default if path.is_file() else default


def client_output(out_root: Path, period: str, client: str) -> Path:
    """The client's output folder of the month."""
    return Path(out_root) / period / client


def due_to_onss(payroll_lines: pl.DataFrame) -> str:
    """The month's total due to ONSS (personal and employer contributions, CSSS), as text."""
    figures = employer_figures(payroll_lines)
    return str(figures_total(figures).get("due_to_onss", "0.00")) if figures.height else "0.00"


def summary(client: str, result: Any) -> dict[str, Any]:
    """What one client's run computed, for the flow's state and artifact: counts, total due,
    warnings, the run store's outcome. ``result``: a monthly or partitioned result, published."""
    tables = getattr(result, "tables", None)  # a partitioned result keeps its tables on disk only
    lines = tables.get("payroll_lines") if tables is not None else None
    if not isinstance(lines, pl.DataFrame):
        lines = pl.read_parquet(Path(result.path) / "payroll_lines.parquet")
    totals = result.manifest["totals"]
    return {
        "client": client,
        "status": "rejects" if result.exit_code else "ok",
        "exit_code": result.exit_code,
        "lines": totals["computed"],
        "rejects": totals["rejected"],
        "out_of_period": totals.get("out_of_period", 0),
        "due_to_onss": due_to_onss(lines),
        "warnings": list(result.warnings),
        "error": "",
        "store": result.store.lines(result.lang) if result.store else [],
        "out_dir": str(result.path),
        "run_id": result.manifest["run_id"],
        "totals": totals,
        "console": list(result.console),
        "lang": result.lang,
    }


def failed(client: str, message: str) -> dict[str, Any]:
    """The summary of a client whose run failed (``message``: one line, no row content)."""
    return {
        "client": client,
        "status": "failed",
        "exit_code": 1,
        "lines": 0,
        "rejects": 0,
        "out_of_period": 0,
        "due_to_onss": "",
        "warnings": [],
        "error": message,
        "store": [],
        "out_dir": "",
        "run_id": "",
        "totals": {},
        "console": [],
        "lang": "",
    }


def final_state(period: str, rows: list[Mapping[str, Any]]) -> tuple[str, str]:
    """(state name, message) of the month: ``Completed``, ``Completed with rejects`` or ``Failed``."""
    failed_clients = [r["client"] for r in rows if r["status"] == "failed"]
    rejected = [r["client"] for r in rows if r["status"] == "rejects"]
    lines = f"{sum(r['lines'] for r in rows)} payroll lines, {sum(r['rejects'] for r in rows)} rejected rows"
    counts = f"{rows[0]['client']}: {lines}" if len(rows) == 1 else f"{len(rows)} client(s), {lines}"
    if failed_clients:
        return "Failed", f"{period}: {counts}; FAILED: {', '.join(failed_clients)}"
    if rejected:
        return "Completed with rejects", f"{period}: {counts}; rejects in {', '.join(rejected)}"
    return "Completed", f"{period}: {counts}"


TABLE_COLUMNS = ("client", "status", "lines", "rejects", "out_of_period", "due_to_onss", "warnings", "out_dir")


def table(rows: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The rows of the flow's table artifact (one per client)."""
    return [{k: (_codes(r) if k == "warnings" else r[k]) for k in TABLE_COLUMNS} for r in rows]


def _codes(row: Mapping[str, Any]) -> str:
    return ", ".join(w["code"] for w in row["warnings"])


def markdown(period: str, rows: list[Mapping[str, Any]]) -> str:
    """The flow's markdown artifact: the month per client, then each client's warnings and store outcome."""
    name, message = final_state(period, rows)
    head = "| client | status | payroll lines | rejected rows | out of period | due to ONSS (EUR) | warnings |"
    out = [f"# Payroll {period}: {name}", "", message, "", head, "|---|---|---:|---:|---:|---:|---|"]
    for r in rows:
        out.append(
            f"| {r['client']} | {r['status']} | {r['lines']} | {r['rejects']} | {r['out_of_period']} | "
            f"{r['due_to_onss']} | {_codes(r)} |"
        )
    for r in rows:
        notes = [*([r["error"]] if r["error"] else []), *(w["message"] for w in r["warnings"]), *r["store"]]
        if notes:
            out += ["", f"## {r['client']}", "", *(f"- {text}" for text in notes)]
    return "\n".join(out) + "\n"
