"""The run store of a bureau: every employer's months, each as the version of the run that made it.

Later runs read their history from it (calendar-year withholding counters, relapse history), and
the claims and DmfA exports read whole semesters and quarters (data-contract "The run store of a
bureau"). Layout (format 2, a local folder, ``--store``, default ``./run_store``)::

    <store>/store.json                          {"format": 2}
    <store>/.lock                               held by the run that writes (pipeline.outputs.lock)
    <store>/.staging/                           versions being written: never read
    <store>/versions/YYYY-MM/NNNN-<run id>/     one run's tables of the month (every employer of its batch)
        version.json                            run id, run date, output folder, totals, rejected rows,
                                                per employer: payroll lines, finalised, why not
        payroll_lines.parquet, contribution_lines.parquet, ..., employees.parquet, ...
    <store>/months/YYYY-MM.json                 per employer: the current version and the versions it replaced

- **Per employer.** A batch holding employers A and B makes one version of the month; the month's
  index points A and B at it. A later batch for employer C makes another version and points C at
  it: A's and B's months are untouched. Readers take, for each (employer, month), the rows of that
  employer in its current version.
- **Finalised.** An (employer, month) is finalised when its batch had no file-level error and
  computed at least one payroll line for that employer (and ``--no-finalise`` was not given). A
  finalised month is replaced only with ``replace`` (``--replace``); the replaced version stays in
  ``versions/`` and is listed under ``superseded`` in the month's index, with its run id. A month
  that is not final never displaces a finalised one without ``replace``. Saving the very run that
  is already current (same run id, same status) changes nothing.
- **Atomic.** A version is written into ``.staging/`` and renamed into ``versions/`` in one rename
  of the whole folder; then the month's index is replaced in one rename. A crash at any point
  leaves the previous index, which names only complete versions: a finalised month never misses
  a table. Stale staging folders are removed by the next save.
- **One writer.** Saving needs the store's lock (:meth:`RunStore.locked`): the monthly job holds it
  for the whole run, so two runs never write one store at once.
- **Private.** The store holds national numbers and names: folders ``0o700``, files ``0o600``.

A store of the first layout (one batch per month: ``<table>/period=YYYY-MM/`` and ``periods/``) is
refused with a message; :func:`migrate` (``python -m pipeline.outputs.run_store migrate <store>``)
converts it, keeping the old folders under ``legacy-1/``.
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Collection, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import polars as pl

from pipeline.errors import OutputExistsError, RunStoreError
from pipeline.outputs import lock, messages
from pipeline.outputs.audit import PARQUET_OPTIONS, TABLE_WRITERS

FORMAT = 2
LAYOUT_FILE = "store.json"
STAGING = ".staging"
LEGACY = "legacy-1"
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


class ReplaceNeededError(OutputExistsError):
    """A finalised (employer, month) would be replaced and ``--replace`` was not given (exit 5)."""


def plain_text(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with its enumerated text columns as plain text (periods' vocabularies differ)."""
    return frame.with_columns(pl.col(pl.Enum, pl.Categorical).cast(pl.String))


@dataclass(frozen=True)
class Status:
    """What a run makes of one employer's month: its payroll lines, finalised or not and why not."""

    lines: int
    finalised: bool
    reason: str | None = None


@dataclass(frozen=True)
class Entry:
    """The current version of one (employer, month) (an entry of ``months/YYYY-MM.json``)."""

    employer_id: str
    period: str
    version: str
    run_id: str
    run_date: str
    finalised: bool
    reason: str | None
    lines: int
    rejected_rows: int
    output: str | None
    superseded: tuple[dict[str, Any], ...] = ()

    @classmethod
    def of(cls, employer_id: str, period: str, record: Mapping[str, Any]) -> Entry:
        return cls(
            employer_id,
            period,
            record["version"],
            record["run_id"],
            str(record.get("run_date")),
            bool(record["finalised"]),
            record.get("reason"),
            int(record.get("lines", 0)),
            int(record.get("rejected_rows", 0)),
            record.get("output"),
            tuple(record.get("superseded", ())),
        )

    def record(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "run_id": self.run_id,
            "run_date": self.run_date,
            "finalised": self.finalised,
            "reason": self.reason,
            "lines": self.lines,
            "rejected_rows": self.rejected_rows,
            "output": self.output,
            "superseded": list(self.superseded),
        }

    def source(self) -> dict[str, Any]:
        """The entry as an export names its source: run id and run date (and rejected rows, when any)."""
        found = {"run_id": self.run_id, "run_date": self.run_date}
        return {**found, "rejected_rows": self.rejected_rows} if self.rejected_rows else found


@dataclass
class Plan:
    """What saving a run's month will do, decided before its output folder is written."""

    period: str
    run_id: str
    statuses: dict[str, Status]
    store: list[str] = field(default_factory=list)  # employers whose current version becomes this run's
    replaced: list[str] = field(default_factory=list)  # ... among them, those whose finalised version is superseded
    unchanged: list[str] = field(default_factory=list)  # the current version is this very run
    kept: list[str] = field(default_factory=list)  # finalised and kept: this run is not final (no --replace)


@dataclass
class Outcome:
    """What a save did, for the console and the flow run."""

    store: str
    period: str
    version: str | None
    finalised: list[str]
    not_finalised: dict[str, str]  # employer -> why
    replaced: list[str]
    unchanged: list[str]
    kept: list[str]

    def lines(self, lang: str | None = None) -> list[str]:
        """One readable line per kind of result, in ``lang`` (employer ids are ONSS numbers, not personal data)."""
        t = messages.get(lang)
        where = {"store": self.store, "period": self.period}

        out = []
        if self.finalised:
            out.append(t("store.finalised", employers=_employers(self.finalised, t), **where))
        for reason in sorted(set(self.not_finalised.values())):
            who = [e for e, r in self.not_finalised.items() if r == reason]
            out.append(t("store.not_finalised", employers=_employers(who, t), reason=_reason(reason, t), **where))
        for kind, ids in (("replaced", self.replaced), ("unchanged", self.unchanged), ("kept", self.kept)):
            if ids:
                out.append(t(f"store.{kind}", employers=_employers(ids, t), **where))
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "finalised": self.finalised,
            "not_finalised": self.not_finalised,
            "replaced": self.replaced,
            "unchanged": self.unchanged,
            "kept": self.kept,
        }


def _employers(ids: list[str], t: messages.Messages | None = None, shown: int = 10) -> str:
    """``employers A, B and 3 more`` in the language of ``t`` (English by default)."""
    t = t or messages.get("en")
    ids = sorted(ids)
    listed = ", ".join(ids[:shown])
    listed = t("warning.names_more", names=listed, more=len(ids) - shown) if len(ids) > shown else listed
    return t("store.employers" if len(ids) > 1 else "store.employer", ids=listed)


_REASONS = {"--no-finalise": "no_finalise", "no payroll line computed": "no_lines", "not final": "not_final"}
FILE_ERROR_REASON = "file-level error"


def _reason(reason: str, t: messages.Messages) -> str:
    """Why a month is not finalised, in the language of ``t`` (the store records it in English)."""
    if reason in _REASONS:
        return t(f"store.reason.{_REASONS[reason]}")
    if reason.startswith(f"{FILE_ERROR_REASON}: "):
        return f"{t('store.reason.file_error')}: {reason[len(FILE_ERROR_REASON) + 2 :]}"
    return reason


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(path, PRIVATE_FILE)


_ORJSON = (
    orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
)


def _json(value: Any) -> str:
    """``json.dumps(value, indent=2, sort_keys=True, default=str)`` and a newline, encoded in C.

    The standard library encodes indented JSON in Python (a second at a bureau's 30,000
    employers); orjson writes the same text for what the store records (text keys, text,
    integers, booleans, null; dates and anything else through ``str``), except that it writes
    non-ASCII characters as they are and refuses some values: then the standard encoder does it.
    """
    try:
        text = orjson.dumps(value, default=str, option=_ORJSON).decode("ascii")
    except (TypeError, UnicodeDecodeError):  # orjson.JSONEncodeError is a TypeError
        return json.dumps(value, indent=2, sort_keys=True, default=str) + "\n"
    return text + "\n"


@contextmanager
def _uncollected() -> Iterator[None]:
    """Python's cyclic garbage collector paused for the block, which makes a month index's entries
    (dicts, texts and ``Entry`` objects, none of them in a cycle): each of the collections that
    making them would set off scans every object made so far, half the time of reading or writing
    the index of 80,000 employers (0.8 s of 1.6 for a month saved again)."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


class Staging:
    """A version's tables (``names`` of ``tables``) being written into ``folder`` (in the store's
    staging area), two at a time on background threads (polars releases the GIL while it
    compresses), in the order given: each table is read once, when it is written (a partitioned
    run's tables are merged from files when read)."""

    def __init__(self, folder: Path, tables: Mapping[str, pl.DataFrame], names: list[str]):
        self.folder = folder
        self.tables = names
        self._pool = ThreadPoolExecutor(max_workers=TABLE_WRITERS)
        self._pending = [self._pool.submit(self._write, tables, t) for t in names]

    def _write(self, tables: Mapping[str, pl.DataFrame], table: str) -> None:
        path = self.folder / f"{table}.parquet"
        # in one chunk: the Parquet row groups, and so the bytes, then depend on the rows alone, not on how
        # the frame was built (the number of threads that parsed the input, the engine, the partitions)
        tables[table].rechunk().write_parquet(path, **PARQUET_OPTIONS)
        os.chmod(path, PRIVATE_FILE)

    def wait(self) -> None:
        """Wait until every table is written (raises the first failure)."""
        try:
            for done in self._pending:
                done.result()
        finally:
            self.stop()

    def stop(self) -> None:
        """Write no more table (those being written are finished)."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    def discard(self) -> None:
        """:meth:`stop`, and remove the folder."""
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


class RunStore:
    def __init__(self, root: Path):
        self.root = Path(root)
        self._locked = 0

    # --------------------------------------------------------------------------------------------
    # Layout
    # --------------------------------------------------------------------------------------------
    def _check_layout(self) -> bool:
        """True when the store exists in format 2; False when it does not exist yet (or is empty).
        Refuses (clear message) a store of the first layout or of an unknown format."""
        layout = self.root / LAYOUT_FILE
        if layout.is_file():
            found = json.loads(layout.read_text(encoding="utf-8")).get("format")
            if found != FORMAT:
                raise RunStoreError(
                    f"run store {self.root}: format {found} is not the format {FORMAT} this version reads"
                )
            return True
        if (self.root / "periods").is_dir() or any(self.root.glob("*/period=*")):
            raise RunStoreError(
                f"run store {self.root} has the first layout (one batch per month); convert it with "
                f"`python -m pipeline.outputs.run_store migrate {self.root}` (docs/operations.md, the run store)"
            )
        return False

    def _month_file(self, period: str) -> Path:
        return self.root / "months" / f"{period}.json"

    def _version_dir(self, period: str, version: str) -> Path:
        return self.root / "versions" / period / version

    # --------------------------------------------------------------------------------------------
    # Reading (no lock: the indexes are replaced atomically and versions never change)
    # --------------------------------------------------------------------------------------------
    def months(self) -> list[str]:
        """The months with at least one employer, sorted."""
        if not self._check_layout():
            return []
        return sorted(p.stem for p in (self.root / "months").glob("*.json"))

    def current(self, period: str) -> dict[str, Entry]:
        """employer_id -> the current version of that employer's ``period``."""
        if not self._check_layout():
            return {}
        path = self._month_file(period)
        if not path.is_file():
            return {}
        with _uncollected():
            doc = orjson.loads(path.read_bytes())  # the text the store wrote (C, ten times the standard parser's)
            return {e: Entry.of(e, period, r) for e, r in sorted(doc.get("employers", {}).items())}

    def version_info(self, period: str, version: str) -> dict[str, Any]:
        return json.loads((self._version_dir(period, version) / "version.json").read_text(encoding="utf-8"))

    def _table(self, period: str, version: str, table: str, info: Mapping[str, Any]) -> pl.DataFrame | None:
        if table not in info.get("tables", ()):
            return None
        path = self._version_dir(period, version) / f"{table}.parquet"
        if not path.is_file():
            raise RunStoreError(
                f"run store {self.root}: {period} version {version} lacks {table}: the store is damaged"
            )
        return pl.read_parquet(path)

    def _of_employers(
        self, frame: pl.DataFrame, period: str, version: str, info: Mapping[str, Any], employers: list[str]
    ) -> pl.DataFrame:
        """The rows of ``frame`` (a table of one version) that belong to ``employers``."""
        if "employer_id" in frame.columns:
            return frame.filter(pl.col("employer_id").is_in(employers))
        staff = self._table(period, version, "employees", info)
        if staff is None or "employee_id" not in frame.columns:
            return frame.clear()
        ids = staff.filter(pl.col("employer_id").is_in(employers)).select("employee_id")
        return frame.join(ids, on="employee_id", how="semi", maintain_order="left")

    def read(
        self, table: str, periods: list[str] | None = None, employers: list[str] | None = None
    ) -> pl.DataFrame | None:
        """One table over the given (default: all) months, for the given (default: all) employers,
        each (employer, month) from its current version; None when nothing is stored.

        Enumerated text columns (``contribution_lines``: one vocabulary per period) come back as
        plain text, so periods with different vocabularies concatenate.
        """
        wanted = None if employers is None else set(employers)
        frames = []
        for period in self.months() if periods is None else periods:
            by_version: dict[str, list[str]] = {}
            for employer, entry in self.current(period).items():
                if wanted is None or employer in wanted:
                    by_version.setdefault(entry.version, []).append(employer)
            for version, chosen in sorted(by_version.items()):
                info = self.version_info(period, version)
                frame = self._table(period, version, table, info)
                if frame is None:
                    continue
                if set(info.get("employers", {})) - set(chosen):
                    frame = self._of_employers(frame, period, version, info, chosen)
                frames.append(plain_text(frame))
        return pl.concat(frames, how="diagonal_relaxed") if frames else None

    def source_runs(self, periods: list[str], employers: list[str] | None = None) -> dict[str, dict[str, Any]]:
        """The runs the months come from: ``YYYY-MM`` -> run id and run date when one run made the
        month of every employer asked, else one ``YYYY-MM/<employer_id>`` entry per employer."""
        found: dict[str, dict[str, Any]] = {}
        for period in periods:
            entries = [x for e, x in self.current(period).items() if employers is None or e in employers]
            if len({x.run_id for x in entries}) == 1:
                found[period] = entries[0].source()
            else:
                found.update({f"{period}/{x.employer_id}": x.source() for x in entries})
        return found

    # --------------------------------------------------------------------------------------------
    # Writing (under the lock)
    # --------------------------------------------------------------------------------------------
    @property
    def holds_lock(self) -> bool:
        """True while this object holds the store's lock (:meth:`locked`)."""
        return self._locked > 0

    @contextmanager
    def locked(self, wait: float | None = None, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
        """Hold the store's lock (the second writer waits, then stops with exit 5)."""
        self._check_layout()
        self.root.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
        with lock.held(self.root / ".lock", f"the run store {self.root}", wait, on_wait):
            self._locked += 1
            try:
                yield
            finally:
                self._locked -= 1

    def plan(self, period: str, run_id: str, statuses: Mapping[str, Status], replace: bool = False) -> Plan:
        """Decide, before anything is written, what saving this run's ``period`` does for each
        employer; raises :class:`ReplaceNeededError` when a finalised month would be replaced
        without ``replace``."""
        plan = Plan(period, run_id, dict(sorted(statuses.items())))
        current = self.current(period)
        refused = []
        for employer, status in plan.statuses.items():
            now = current.get(employer)
            if now is None or not now.finalised:
                same = now is not None and now.run_id == run_id and not status.finalised
                (plan.unchanged if same else plan.store).append(employer)
            elif now.run_id == run_id and status.finalised:
                plan.unchanged.append(employer)
            elif replace:
                plan.store.append(employer)
                plan.replaced.append(employer)
            elif status.finalised:
                refused.append(now)
            else:
                plan.kept.append(employer)
        if refused:
            runs = sorted({x.run_id[:12] for x in refused})
            raise ReplaceNeededError(
                f"{period} is already finalised in the run store {self.root} for "
                f"{_employers([x.employer_id for x in refused])} (run {', '.join(runs)}); nothing was written: "
                "pass --replace to replace it (the finalised version is kept as superseded)"
            )
        return plan

    def stage(self, plan: Plan, tables: Mapping[str, pl.DataFrame], later: Collection[str] = ()) -> Staging | None:
        """Start writing the version of ``plan`` (None when no employer is to be stored): the
        ``tables`` not in ``later`` are written into the store's staging area on background
        threads while the caller goes on (the job writes its audit folder meanwhile); nothing is
        visible in the store until :meth:`write` is given the staging, and
        :meth:`Staging.discard` drops it (a crashed run's staging is removed by the next save)."""
        if not self._locked:
            raise RunStoreError(f"run store {self.root}: a save must hold the store's lock")
        if not plan.store:
            return None
        folder = Path(tempfile.mkdtemp(prefix="version-", dir=self._prepare()))  # created 0o700
        return Staging(folder, tables, [t for t in tables if t not in later])

    def write(
        self,
        plan: Plan,
        tables: Mapping[str, pl.DataFrame],
        info: Mapping[str, Any],
        same: Mapping[str, Path] | None = None,
        staged: Staging | None = None,
    ) -> Outcome:
        """Carry out ``plan``: one new version holding ``tables`` (when an employer is to be stored),
        then the month's index. ``info``: run_id, run_date, output, totals (recorded in the version).
        ``same``: tables whose Parquet file is already written, byte for byte as the store writes
        it (``frame.write_parquet(path, **PARQUET_OPTIONS)``, e.g. the run's audit file of a table
        that :func:`pipeline.outputs.audit.parquet_as_is`): copied instead of compressed again.
        ``staged``: the version :meth:`stage` began (its tables are not written again)."""
        if not self._locked:
            raise RunStoreError(f"run store {self.root}: a save must hold the store's lock")
        version = None
        if plan.store:
            staged = staged or self.stage(plan, tables, same or {})
            version = self._new_version(plan, tables, info, same or {}, staged)
            self._point(plan, version, info)
        return Outcome(
            str(self.root),
            plan.period,
            version,
            finalised=[e for e in plan.store if plan.statuses[e].finalised],
            not_finalised={
                e: plan.statuses[e].reason or "not final" for e in plan.store if not plan.statuses[e].finalised
            },
            replaced=plan.replaced,
            unchanged=plan.unchanged,
            kept=plan.kept,
        )

    def save(
        self,
        period: str,
        tables: Mapping[str, pl.DataFrame],
        info: Mapping[str, Any],
        statuses: Mapping[str, Status],
        replace: bool = False,
    ) -> Outcome:
        """Plan and write one run's month (taking the lock unless the caller holds it)."""
        if self._locked:
            return self.write(self.plan(period, info["run_id"], statuses, replace), tables, info)
        with self.locked():
            return self.write(self.plan(period, info["run_id"], statuses, replace), tables, info)

    def _prepare(self) -> Path:
        """The store's folders (private), a fresh staging area, and stale staging folders removed."""
        if not (self.root / LAYOUT_FILE).is_file():
            _write_private(self.root / LAYOUT_FILE, _json({"format": FORMAT}))
        os.chmod(self.root, PRIVATE_DIR)
        staging = self.root / STAGING
        if staging.is_dir():
            shutil.rmtree(staging)  # left by a crashed save; we hold the lock, so no save is running
        for folder in (staging, self.root / "versions", self.root / "months"):
            folder.mkdir(exist_ok=True, mode=PRIVATE_DIR)
        return staging

    def _new_version(
        self,
        plan: Plan,
        tables: Mapping[str, pl.DataFrame],
        info: Mapping[str, Any],
        same: Mapping[str, Path],
        staged: Staging,
    ) -> str:
        staging = staged.folder
        try:
            for table in tables:
                if table not in staged.tables:
                    path = staging / f"{table}.parquet"
                    shutil.copyfile(same[table], path)
                    os.chmod(path, PRIVATE_FILE)
        except BaseException:
            staged.stop()  # a failed save leaves its staging folder, as a crash does (never read)
            raise
        staged.wait()
        names = list(tables)
        month = self.root / "versions" / plan.period
        month.mkdir(exist_ok=True, mode=PRIVATE_DIR)
        taken = [int(p.name.split("-", 1)[0]) for p in month.iterdir() if p.name[:4].isdigit()]
        version = f"{max(taken, default=0) + 1:04d}-{plan.run_id[:12]}"
        record = {
            "format": FORMAT,
            "period": plan.period,
            **{k: info.get(k) for k in ("run_id", "run_date", "output", "totals")},
            "rejected_rows": int((info.get("totals") or {}).get("rejected", 0)),
            "tables": sorted(names),
            "employers": {
                e: {"lines": s.lines, "finalised": s.finalised, "reason": s.reason} for e, s in plan.statuses.items()
            },
        }
        _write_private(staging / "version.json", _json(record))
        os.replace(staging, month / version)  # the whole version appears at once
        return version

    def _point(self, plan: Plan, version: str, info: Mapping[str, Any]) -> None:
        """Point the stored employers of the month at ``version`` (one atomic replace of the index)."""
        current = self.current(plan.period)
        rejected = int((info.get("totals") or {}).get("rejected", 0))
        with _uncollected():
            entries = {e: x.record() for e, x in current.items()}
            for employer in plan.store:
                status = plan.statuses[employer]
                before = current.get(employer)
                superseded = list(before.superseded) if before else []
                if before is not None:
                    gone = {k: v for k, v in before.record().items() if k != "superseded"}
                    superseded.append({**gone, "replaced_by": plan.run_id})
                entries[employer] = {
                    "version": version,
                    "run_id": plan.run_id,
                    "run_date": str(info.get("run_date")),
                    "finalised": status.finalised,
                    "reason": status.reason,
                    "lines": status.lines,
                    "rejected_rows": rejected,
                    "output": info.get("output"),
                    "superseded": superseded,
                }
        target = self._month_file(plan.period)
        tmp = target.with_name(f".{target.name}.tmp")
        _write_private(tmp, _json({"period": plan.period, "employers": entries}))  # _json sorts the keys
        os.replace(tmp, target)


# ------------------------------------------------------------------------------------------------
# Migration from the first layout
# ------------------------------------------------------------------------------------------------
def migrate(root: Path) -> list[str]:
    """Convert a store of the first layout (``<table>/period=YYYY-MM/data.parquet`` and
    ``periods/period=YYYY-MM.json``) into format 2, in place; returns one line per month.

    Each month becomes one version for the employers of its stored tables. An employer's month is
    finalised only when the old record was and its payroll lines include that employer (a month
    the first layout finalised with nothing computed is not). The old folders are moved, untouched,
    into ``legacy-1/``.
    """
    root = Path(root)
    store = RunStore(root)
    if (root / LAYOUT_FILE).is_file():
        raise RunStoreError(f"run store {root} is already in format {FORMAT}")
    if not (root / "periods").is_dir():
        raise RunStoreError(f"run store {root}: no first-layout store here (no periods/ folder)")
    legacy = root / LEGACY
    legacy.mkdir(mode=PRIVATE_DIR)
    for child in sorted(root.iterdir()):
        if child.name not in (LEGACY, ".lock"):
            os.replace(child, legacy / child.name)
    done = []
    with store.locked():
        for record in sorted((legacy / "periods").glob("period=*.json")):
            period = record.stem[len("period=") :]
            info = json.loads(record.read_text(encoding="utf-8"))
            tables = {
                path.parent.parent.name: pl.read_parquet(path)
                for path in sorted(legacy.glob(f"*/period={period}/data.parquet"))
            }
            statuses = _legacy_statuses(tables, bool(info.get("finalised")))
            outcome = store.save(period, tables, info, statuses)
            done += outcome.lines() or [f"{period}: no employer in the stored tables"]
    return done


def _legacy_statuses(tables: Mapping[str, pl.DataFrame], finalised: bool) -> dict[str, Status]:
    ids: set[str] = set()
    for name in ("employers", "employees", "payroll_lines"):
        if name in tables and "employer_id" in tables[name].columns:
            ids |= set(tables[name].get_column("employer_id").drop_nulls().to_list())
    lines = tables.get("payroll_lines")
    counts = dict(lines.group_by("employer_id").len().iter_rows()) if lines is not None else {}
    statuses = {}
    for employer in sorted(ids):
        n = int(counts.get(employer, 0))
        reason = None if finalised and n else ("not finalised by its run" if not finalised else "no payroll line")
        statuses[employer] = Status(n, reason is None, reason)
    return statuses


if __name__ == "__main__":  # pragma: no cover - operator's tool
    if len(sys.argv) != 3 or sys.argv[1] != "migrate":
        sys.exit("usage: python -m pipeline.outputs.run_store migrate <store folder>")
    try:
        for text in migrate(Path(sys.argv[2])):
            print(text)
    except RunStoreError as exc:
        sys.exit(f"error: {exc}")
