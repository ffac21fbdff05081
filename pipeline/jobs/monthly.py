"""The monthly payroll job: load -> check -> compute -> manifest -> publish, composed once.

:func:`run_month` is the only place the steps are put together. The command line (with its
progress display), the Prefect flow ``monthly_payroll`` (each step a task) and the benchmark run it
and differ only in the ``on_step`` runner they pass; the partitioned run
(:mod:`pipeline.jobs.partitioned`) runs :func:`check` and :func:`compute` on each partition and
:func:`publish` on the merged result. While writing, the job holds the locks of the run store and
of the output folder (:func:`locks`); :func:`publish` keeps each employer's month in the run store
(:mod:`pipeline.outputs.run_store`), finalised only when it can be trusted (:func:`statuses`).

:func:`compute` applies the rules of the month in this order:

1. history: the input rows plus the run store's earlier rows of the batch's employers (withholding
   counters of the year, guaranteed-wage episodes); pay rows of later months are out of scope;
2. population: Belgian payroll, or employed abroad (:mod:`pipeline.rules.employed_abroad`: a
   resident of Belgium employed in the Netherlands or France is insured and taxed there,
   Regulation (EC) No 883/2004 art. 11(3)(a));
3. rules: guaranteed wage on sickness (law of 3 July 1978 on employment contracts, art. 52, 70
   and 71; CCT 12bis and 13bis), withholding-tax applicability (the employment articles of the
   tax conventions with France, Luxembourg, the Netherlands and Germany), ONEM frontier allowance
   (Royal Decree of 9 June 1999);
4. payroll lines: ONSS base and contributions (law of 29 June 1981, art. 38; ONSS administrative
   instructions) of the Belgian payroll, the employed-abroad columns of the others;
5. output tables: the audit tables and what the run store keeps for later months.
"""

from __future__ import annotations

import datetime as dt
import gc
import importlib
import os
import threading
from collections.abc import Callable, Collection, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NamedTuple

import polars as pl

from pipeline.core import keys, rejects
from pipeline.core.money import MONEY, SHARE
from pipeline.core.params import Parameters, default_parameters
from pipeline.core.periods import month
from pipeline.intake.reading import Profile, RawInput, read_batch
from pipeline.intake.validation import ValidatedBatch, validate_batch
from pipeline.outputs import lock, messages
from pipeline.outputs import manifest as manifests
from pipeline.outputs import warnings as run_warnings
from pipeline.outputs.audit import csv_entry, parquet_as_is, write_run
from pipeline.outputs.csv_dialects import CsvChoice
from pipeline.outputs.report import console_summary, render_report
from pipeline.outputs.report.figures import EMPLOYER_TOTALS, employer_totals, figures_only
from pipeline.outputs.run_store import FILE_ERROR_REASON, Outcome, RunStore, Staging, Status
from pipeline.outputs.workbook import workbook_bytes
from pipeline.rules import employed_abroad
from pipeline.rules.contributions import contributions, input_columns, onss_base, worker_code
from pipeline.rules.deductions import LINE_COLUMNS, month_deductions
from pipeline.rules.guaranteed_wage import GuaranteedWageResult, compute_guaranteed_wage
from pipeline.rules.onem_allowance import compute_onem_allowance
from pipeline.rules.withholding import PAY_COLUMNS, WithholdingResult, decide_withholding
from schemas.inputs import typed_defaults

PAYROLL_COLUMNS = [
    "employee_id",
    "period",
    "employer_id",
    "worker_code",
    "worker_status",
    "residence_country",
    "work_country",
    "work_fraction",
    "household",
    "gross_salary",
    "guaranteed_wage_onss",
    "guaranteed_wage_exempt",
    "onss_base",
    "worker_contribution",
    "work_bonus",
    "employer_contribution",
    "csss",
    "withholding_applies",
    "withholding_reason",
    "taxable_share_be",
    "regularisation_required",
    "regularisation_periods",
    "onem_allowance",
    "days_worked_be",
    "days_worked_residence",
    "days_worked_other",
    "zone_exit_days",
]
WITHHOLDING_COLUMNS = [
    "withholding_applies",
    "withholding_reason",
    "taxable_share_be",
    "regularisation_required",
    "regularisation_periods",
]
EMPLOYER_DEFAULTS = typed_defaults("employers")
"""The employer columns the rules read, with the employers input's defaults (an employee whose
employer is not in the employers input gets these)."""

STEPS = ("load", "check", "compute", "manifest", "publish")
"""The job's steps, in order: the names a step runner (``on_step``) is called with."""

StepRunner = Callable[..., Any]
"""``on_step(name, fn, *args)``: runs the step ``name`` (one of :data:`STEPS`) as ``fn(*args)``
and returns its value; a caller may time it, show its progress or run it as a Prefect task."""


def run_step(name: str, fn: Callable[..., Any], *args: Any) -> Any:
    """The plain step runner: ``fn(*args)``."""
    return fn(*args)


DEFAULT_PART_TIME_READING = "prorated"


@dataclass
class BatchResult:
    period: str
    tables: Mapping[str, Any]  # the audit tables of the contract (DataFrames, or a partitioned run's table files)
    store_tables: Mapping[str, pl.DataFrame]  # what the run store keeps for later runs
    manifest: dict[str, Any]
    path: Path | None = None  # the output folder, once published
    file_errors: tuple[str, ...] = ()  # file-level errors of the inputs: nothing of the batch is finalised
    store: Outcome | None = None  # what publishing did in the run store
    lang: str = messages.DEFAULT_LANGUAGE  # of the report, the workbook and the console summary
    console: list[str] = field(default_factory=list)  # the console summary, once published
    figures: Mapping[str, pl.DataFrame] | None = None  # the report's figures when ``tables`` are files (figures_only)
    by_code: pl.DataFrame | None = None  # the contributions by code, when the rules summed them (figures_only)
    stored_as_is: frozenset[str] = frozenset()  # tables whose audit Parquet file holds the run store's bytes
    employer_lines: pl.DataFrame | None = None  # the batch's employers and their payroll lines (statuses)

    @property
    def exit_code(self) -> int:
        return 3 if self.tables["rejects"].height else 0

    @property
    def warnings(self) -> list[dict[str, Any]]:
        return self.manifest.get("warnings", [])


@dataclass(frozen=True)
class Published:
    """What :func:`publish` did: the output folder, and the run store's outcome (when a store was given)."""

    path: Path
    store: Outcome | None = field(default=None)
    console: list[str] = field(default_factory=list)  # the console summary (:func:`console_summary`)


def run_options(part_time_reading: str) -> dict[str, str]:
    """The run's choices that change what it computes, when not the default (part of the run id)."""
    return {} if part_time_reading == DEFAULT_PART_TIME_READING else {"onem_part_time": part_time_reading}


def language(lang: str | None, prof: Profile) -> str:
    """The language of the run's report, workbook and console summary: ``lang`` (``--lang``), else
    the mapping profile's ``language``, else English."""
    return messages.get(lang or prof.language).lang


PEOPLE_TABLES = ("payroll_lines", "rejects", "parameters")
"""The audit tables that the report and the workbook read (with the run store's employees and
employers, for the names). They read the contribution lines only as their sums by code, which
:func:`publish` hands them with the figures (:func:`~pipeline.outputs.report.figures.figures_only`):
a partitioned run then never merges the ten times longer table in memory for them."""


NAME_COLUMNS = {
    "employees": ("employee_id", "employer_id", "last_name", "first_name"),
    "employers": ("employer_id", "name"),
}
"""The columns of the run store's tables that the report, the workbook and the console summary read."""


def selected(tables: Mapping[str, Any], name: str, columns: Collection[str]) -> pl.DataFrame:
    """The columns of table ``name`` of ``tables`` that are among ``columns``, in the table's order. A
    mapping that reads its tables from files when asked (a partitioned run's run-store tables) offers
    ``select(name, columns)`` and reads only those columns."""
    select = getattr(tables, "select", None)
    if select is not None:
        return select(name, columns)
    table = tables[name]
    return table.select(c for c in table.columns if c in columns)


def people_tables(tables: Mapping[str, Any], store_tables: Mapping[str, Any]) -> dict[str, pl.DataFrame]:
    """The tables of :func:`people_files`: the audit tables it reads, plus the ``employees`` and
    ``employers`` columns of :data:`NAME_COLUMNS` (the names). A table that is not a DataFrame (a
    partitioned run's table files) is read through its ``frame()``. Every national number is
    masked, as in the audit files (:func:`pipeline.core.rejects.mask_national_numbers`): the
    workbook and the report never show one, whatever column it is in."""

    def frame(table: Any) -> pl.DataFrame:
        return table if isinstance(table, pl.DataFrame) else table.frame()

    found = {name: frame(tables[name]) for name in PEOPLE_TABLES if name in tables}
    for name, columns in NAME_COLUMNS.items():
        if name in store_tables:
            found[name] = selected(store_tables, name, columns)
    return {name: rejects.mask_national_numbers(table) for name, table in found.items()}


def people_files(people: Mapping[str, pl.DataFrame], manifest: Mapping[str, Any], lang: str) -> dict[str, bytes]:
    """``report.html`` and ``payroll.xlsx`` of the run (data-contract "Outputs"), rendered from
    :func:`people_tables` and the manifest (with its warnings and its ``csv`` entry)."""
    return {
        "report.html": render_report(people, manifest, lang),
        "payroll.xlsx": workbook_bytes(people, manifest, lang),
    }


def file_errors(inputs: Mapping[str, Any]) -> tuple[str, ...]:
    """The file-level errors of the inputs (a required column missing), as the warnings name them."""
    return tuple(f"{e['file']}: no column {e['column']}" for e in run_warnings.input_facts(inputs)["file_errors"])


# ------------------------------------------------------------------------------------------------
# The steps
# ------------------------------------------------------------------------------------------------


def load(input_dir: Path, profile: str | Path | None = None) -> tuple[Profile, dict[str, RawInput]]:
    """Step 1: read every input of the batch folder through the mapping profile."""
    prof = Profile.load(profile)
    return prof, read_batch(Path(input_dir), prof)


def check(raw: dict[str, RawInput]) -> ValidatedBatch:
    """Step 2: validate every input in one pass (pandera + cross-file rules).

    The text frames are not needed after validation (the typed rows are in the result): ``raw``
    is updated in place to keep only each input's metadata and line numbers (path, SHA-256,
    dialect, ``source_file`` / ``source_line``), which is what the manifest reads. At 1,000,000
    employee-months this frees about 0.5 GB before the rules run (docs/performance.md).
    """
    validated = validate_batch(raw)
    for name, item in raw.items():
        raw[name] = replace(item, frame=item.frame.select("source_file", "source_line"))
    return validated


class ComputedMonth(NamedTuple):
    """What step 3 returns."""

    tables: dict[str, pl.DataFrame]  # the audit tables
    store_tables: dict[str, pl.DataFrame]  # the tables for the run store
    by_code: pl.DataFrame | None  # the contributions by code, when the rules summed them (``figures_only``)


def compute(
    checked: ValidatedBatch,
    period: str,
    params: Parameters | None = None,
    store: RunStore | None = None,
    part_time_reading: str = "prorated",
) -> ComputedMonth:
    """Step 3: every rule for the run period.

    The rules' inputs (the history, the population's splits: about 0.3 GB at a million
    employee-months) are let go once the rules have run, before the payroll and contribution
    lines are made: only the period's pay rows are kept, for the run store. The validated pay rows
    up to the period are let go as soon as the history holds them (0.2–0.3 GB of peak at a million
    employee-months with two earlier months; nothing when the batch holds the period alone, whose rows
    the history shares): ``checked.frames["pay"]`` keeps the rows of later months only, which the
    manifest counts (:func:`pipeline.outputs.warnings.row_facts`). The earlier months' pay rows are
    then kept only for the withholding decision, which alone reads them, and with only the columns
    it reads (:data:`pipeline.rules.withholding.PAY_COLUMNS`)."""
    params = params or default_parameters()
    hist = history(checked, period, store)
    checked.frames["pay"] = checked.frames["pay"].filter(pl.col("period") > period)
    pop = population(hist, period)
    hist = replace(hist, pay=pop.now)  # the earlier months: in pop.pay_domestic, the withholding's columns only
    decided = apply_rules(hist, pop, period, params, part_time_reading)
    del hist
    # Pay rows of the period that a rule rejected are not computed (they are in rejects).
    fallen = rejects.rejected_mask(pop.now, decided.rejects)
    computed = pop.joined.get_column(_ABROAD).is_not_null() & ~fallen
    wanted = payroll_line_inputs(params, period)
    now, rows = pop.now, pop.joined.select(c for c in pop.joined.columns if c in wanted).filter(computed)
    del pop
    lines, contrib, by_code = payroll_lines(rows, decided, period, params)
    del rows
    tables, store_tables = output_tables(checked, now, decided, lines, contrib, fallen, computed, period, params)
    return ComputedMonth(tables, store_tables, by_code)


def statuses(
    store_tables: Mapping[str, pl.DataFrame],
    finalise: bool,
    errors: tuple[str, ...],
    per_employer: pl.DataFrame | None = None,
) -> dict[str, Status]:
    """What the run makes of each employer's month in the run store (data-contract "The run store of
    a bureau"): finalised only when the batch had no file-level error, finalising was asked, and at
    least one payroll line was computed for that employer. The employers are those of the valid
    employers and employees rows (``per_employer``: their :func:`~pipeline.outputs.warnings.employer_lines`,
    when the caller has it)."""
    if per_employer is None:
        wanted = ("employer_id",)
        per_employer = run_warnings.employer_lines(
            {n: selected(store_tables, n, wanted) for n in ("employers", "employees") if n in store_tables},
            selected(store_tables, "payroll_lines", wanted),
        )
    batch_reason = (
        "--no-finalise" if not finalise else (f"{FILE_ERROR_REASON}: {'; '.join(errors)}" if errors else None)
    )
    found = {}
    for employer, n in zip(*(per_employer.get_column(c).to_list() for c in ("employer_id", "lines"))):
        reason = batch_reason or (None if n else "no payroll line computed")
        found[employer] = Status(n, reason is None, reason)
    return found


def publish(
    result: BatchResult,
    out: Path,
    overwrite: bool = False,
    store: RunStore | None = None,
    finalise: bool = True,
    table_writer: Callable[[Any, Path, str, CsvChoice], list[dict[str, Any]]] | None = None,
    replace: bool = False,
    csv: CsvChoice | None = None,
) -> Published:
    """Step 5: write the audit files (the run's tables and ``employer_totals``, the totals of every
    employer), ``report.html`` and ``payroll.xlsx`` atomically, then keep the month of each
    employer in the run store.

    (Step 4, the manifest, is :func:`month_manifest`.) The report and the
    workbook are rendered in ``result.lang`` from the manifest as written (its warnings, its
    ``language`` and ``csv`` entries); the console summary too (``Published.console``). ``csv``:
    which tables get a CSV and in which dialect (default ``auto``, ``machine``).

    The run store's plan is made first, so a finalised month that would be replaced without
    ``replace`` stops the run (exit 5) before anything is written. :func:`run_month` holds the locks
    of the store and the output folder (:func:`locks`) for the whole run; called alone, publish
    takes the store's lock.
    ``table_writer``: how to write a table that is not a DataFrame (see ``audit.write_run``).
    """
    if store is not None and not store.holds_lock:
        with store.locked():
            return publish(result, out, overwrite, store, finalise, table_writer, replace, csv)
    frames = {n: f for n, f in result.tables.items() if isinstance(f, pl.DataFrame)}
    # The figures (counted on the tables before national numbers are masked: masked ids collide) and the
    # national-number scan of the audit tables that are not people tables (people_tables masks those) are
    # made on a second thread while this one plans the run store's month (polars works without the GIL).
    # Every audit table is scanned once; the run store's copy needs to know whether masking changes it.
    with ThreadPoolExecutor(max_workers=1) as pool:
        counted = None if result.figures is not None else pool.submit(figures_only, result.tables, result.by_code)
        scanned = {
            n: pool.submit(rejects.mask_national_numbers, f) for n, f in frames.items() if n not in PEOPLE_TABLES
        }
        plan = None
        if store is not None:
            found = statuses(result.store_tables, finalise, result.file_errors, result.employer_lines)
            plan = store.plan(result.period, result.manifest["run_id"], found, replace)
        csv = csv or CsvChoice()
        people = people_tables(result.tables, result.store_tables)
        people.update(result.figures if counted is None else counted.result())
        written = {**result.tables, EMPLOYER_TOTALS: employer_totals(people)}
        masked = {n: people[n] if n in PEOPLE_TABLES else scanned[n].result() for n in frames}  # written as masked
    manifest = {**result.manifest, "language": result.lang, "csv": csv_entry(written, csv)}
    kept = result.store_tables
    # the store's tables whose audit Parquet file has their bytes are copied from it afterwards
    same = {
        n: Path(out) / f"{n}.parquet"
        for n, f in result.tables.items()
        if n in kept
        and (
            n in result.stored_as_is
            or (isinstance(f, pl.DataFrame) and kept[n] is f and parquet_as_is(f, masked.get(n)))
        )
    }
    console: list[str] = []
    staged: list[Staging | None] = []

    def files() -> dict[str, bytes]:
        """Called by write_run once its tables are being written: the report, the workbook and the
        console summary are rendered meanwhile (polars writes without the GIL), and the store's
        other tables are written into its staging area, when they are in memory (a partitioned
        run's, merged from files when read, are written after the audit folder, one at a time)."""
        early = plan is not None and table_writer is None
        staged.append(store.stage(plan, kept, later=same) if early else None)
        rendered = people_files(people, manifest, result.lang)
        console.extend(console_summary(people, manifest, out, result.lang))
        people.clear()
        return rendered

    try:
        path = write_run(
            out, {**written, **masked}, manifest, overwrite, table_writer, files=files, csv=csv, masked=list(masked)
        )
    except BaseException:
        if staged and staged[0] is not None:
            staged[0].discard()
        raise
    if plan is None:
        return Published(path, console=console)
    info = {
        "run_id": result.manifest["run_id"],
        "run_date": result.manifest["run_date"],
        "totals": result.manifest["totals"],
        "output": str(Path(out).resolve()),
    }
    return Published(path, store.write(plan, kept, info, same, staged[0] if staged else None), console)


def month_manifest(
    period: str,
    run_date: dt.date,
    profile_name: str,
    raw: Mapping[str, RawInput],
    checked: ValidatedBatch,
    tables: Mapping[str, pl.DataFrame],
    params: Parameters,
    part_time_reading: str,
) -> tuple[dict[str, Any], pl.DataFrame]:
    """Step 4: the run manifest (:func:`pipeline.outputs.manifest.monthly`), with the warnings' facts
    of the inputs and rows; and the batch's employers with their payroll lines
    (:func:`~pipeline.outputs.warnings.employer_lines`), which the run store's statuses read."""
    per_employer = run_warnings.employer_lines(checked.frames, tables["payroll_lines"])
    facts = {
        "inputs": run_warnings.input_facts(raw),
        "rows": run_warnings.row_facts(checked.frames, tables["payroll_lines"], period, per_employer),
    }
    lines, options = tables["payroll_lines"].height, run_options(part_time_reading)
    made = manifests.monthly(
        period, run_date, profile_name, raw, tables["rejects"], lines, params, None, facts, options
    )
    return made, per_employer


@contextmanager
def locks(
    store: RunStore | None,
    out: Path | None,
    wait: float | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Hold the run store's lock, then the output folder's, for the block: two runs never write one
    store or one output folder at once (the second waits, then stops with exit 5)."""
    with ExitStack() as stack:
        if store is not None:
            stack.enter_context(store.locked(wait, on_wait))
        if out is not None:
            stack.enter_context(lock.held(lock.output_lock_path(out), f"the output folder {out}", wait, on_wait))
        yield


# ------------------------------------------------------------------------------------------------
# The composition
# ------------------------------------------------------------------------------------------------


LATER_IMPORTS = ("pandera.polars", "matplotlib.backends.backend_svg", "matplotlib.figure")
"""Libraries a run imports only when it needs them: pandera for the rows that fail a check (about
0.7 s: it imports hypothesis), matplotlib's SVG canvas and figure for the report's charts (about 0.4 s)."""


def preload(modules: tuple[str, ...]) -> threading.Thread:
    """Import ``modules`` on a background thread, while the job reads its inputs (polars parses
    without the GIL, so a core is partly idle then): the step that needs one finds it imported, or
    waits for the import already under way (Python's import lock), instead of importing it then.
    An import that fails here is left to fail where the module is used."""

    def run() -> None:
        for name in modules:
            with suppress(ImportError):
                importlib.import_module(name)

    thread = threading.Thread(target=run, name="preload", daemon=True)
    thread.start()
    return thread


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Leave the objects alive when a run starts (the libraries imported: several hundred thousand) out
    of Python's garbage collections for the block (``gc.freeze``), and put them back afterwards
    (``gc.unfreeze``). A collection scans every tracked object of its generations while holding the
    GIL, and a run's own objects (the charts, the workbook's cells, the store's index) set off about
    500: at a million employee-months they took 0.29 s, and 0.16 s with the libraries left out. The
    run's own objects are still collected."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def in_memory_engine() -> None:
    """Run the plans that do not ask for an engine on polars' in-memory engine, for this process
    (``POLARS_ENGINE_AFFINITY``; left alone when it is set already). Polars 2 runs a lazy plan, and
    many eager methods built on one, on its streaming engine by default: that engine hands back its
    result in one chunk per morsel, which the rules then copy into one chunk. At a million
    employee-months the in-memory engine gives the same bytes at the same speed with about 0.3 GB
    less peak memory. The plans written for streaming (the check's one pass over the inputs, the
    sums by code) still name it."""
    if "POLARS_ENGINE_AFFINITY" not in os.environ:
        pl.Config.set_engine_affinity("in-memory")


def check_and_compute(
    raw: dict[str, RawInput],
    period: str,
    params: Parameters | None = None,
    store: RunStore | None = None,
    part_time_reading: str = "prorated",
    on_step: StepRunner = run_step,
) -> ComputedMonth:
    """Steps 2 and 3 on inputs already read."""
    in_memory_engine()
    checked = on_step("check", check, raw)
    return on_step("compute", compute, checked, period, params or default_parameters(), store, part_time_reading)


def run_month(
    input_dir: Path,
    period: str,
    run_date: dt.date,
    out: Path | None = None,
    *,
    profile: str | Path | None = None,
    params: Parameters | None = None,
    store: RunStore | None = None,
    part_time_reading: str = DEFAULT_PART_TIME_READING,
    overwrite: bool = False,
    finalise: bool = True,
    replace: bool = False,
    on_step: StepRunner = run_step,
    wait: float | None = None,
    on_wait: Callable[[str], None] | None = None,
    lang: str | None = None,
    csv: CsvChoice | None = None,
) -> BatchResult:
    """The monthly job: read, validate and compute one batch, build its manifest and, when ``out``
    is given, write the audit files, the report and the workbook (and the run store, when given).

    ``lang``: the language of the report, the workbook and the console summary (default: the
    mapping profile's, else English); ``csv``: which tables get a CSV, in which dialect.

    ``on_step`` runs each step (:data:`STEPS`); the default calls it. When writing, the job holds
    the locks of the run store and of ``out`` from the first step to the last (``wait``: how long a
    second run waits for them, ``on_wait`` tells it is waiting). ``replace``: replace finalised
    months of the run store.
    """
    params = params or default_parameters()
    in_memory_engine()
    preload(LATER_IMPORTS if out is not None else LATER_IMPORTS[:1])
    with frozen_heap(), locks(store, out, wait, on_wait) if out is not None else ExitStack():
        prof, raw = on_step("load", load, input_dir, profile)
        errors = file_errors(raw)
        checked = on_step("check", check, raw)
        tables, store_tables, by_code = on_step("compute", compute, checked, period, params, store, part_time_reading)
        man, per_employer = on_step(
            "manifest", month_manifest, period, run_date, prof.name, raw, checked, tables, params, part_time_reading
        )
        del checked
        result = BatchResult(
            period,
            tables,
            store_tables,
            man,
            file_errors=errors,
            lang=language(lang, prof),
            by_code=by_code,
            employer_lines=per_employer,
        )
        if out is not None:
            done = on_step("publish", publish, result, out, overwrite, store, finalise, None, replace, csv)
            result.path, result.store, result.console = done.path, done.store, done.console
    return result


def run_batch(
    input_dir: Path,
    period: str,
    run_date: dt.date,
    profile: str | Path | None = None,
    params: Parameters | None = None,
    store: RunStore | None = None,
    part_time_reading: str = "prorated",
) -> BatchResult:
    """Read, validate and compute one batch (no writing): :func:`run_month` without ``out``."""
    return run_month(
        input_dir, period, run_date, profile=profile, params=params, store=store, part_time_reading=part_time_reading
    )


# ------------------------------------------------------------------------------------------------
# compute, by concept: history -> population -> rules -> payroll lines -> output tables
# ------------------------------------------------------------------------------------------------

_ABROAD = "__employed_abroad"


@dataclass(frozen=True)
class History:
    """What the rules of a month read: the input rows plus the run store's earlier rows."""

    employees: pl.DataFrame  # validated employees with their employer's columns (defaults filled)
    pay: pl.DataFrame  # pay rows of the period and of the earlier months of its year
    absences: pl.DataFrame  # absence episodes, with the stored ones that started before the month
    rejects: pl.DataFrame  # validation rejects


@dataclass(frozen=True)
class Population:
    """The period's pay rows split between the Belgian payroll and the employed abroad."""

    domestic: pl.DataFrame  # employees on the Belgian payroll
    abroad: pl.DataFrame  # employees employed abroad (:func:`employed_abroad.employed_abroad`)
    now: pl.DataFrame  # pay rows of the period
    joined: pl.DataFrame  # ``now`` with the employee columns and the flag _ABROAD (null: no employee row)
    now_domestic: pl.DataFrame
    now_abroad: pl.DataFrame
    pay_domestic: pl.DataFrame  # the domestic employees' pay history (year to date; the withholding's columns)


@dataclass(frozen=True)
class Decisions:
    """The rules' results for the period, and every reject of the run."""

    guaranteed_wage: GuaranteedWageResult
    withholding: WithholdingResult
    allowance: pl.DataFrame
    rejects: pl.DataFrame


def _with_store(
    current: pl.DataFrame,
    store: RunStore | None,
    table: str,
    key: list[str],
    keep: pl.Expr,
    months: list[str],
    employers: list[str],
) -> pl.DataFrame:
    """Input rows plus stored rows of earlier runs (``months``, the batch's ``employers``) that the
    input does not repeat (input wins)."""
    if store is None or not months or not employers:
        return current
    stored = store.read(table, months, employers)
    if stored is None or stored.height == 0:
        return current
    stored = stored.filter(keep).select(current.columns).cast(current.schema)
    return pl.concat([current, stored.join(current.select(key), on=key, how="anti")])


def _with_employer(employees: pl.DataFrame, employers: pl.DataFrame) -> pl.DataFrame:
    cols = ["employer_id", *EMPLOYER_DEFAULTS]
    out = employees.join(employers.select(cols), on="employer_id", how="left")
    return out.with_columns(pl.col(name).fill_null(value) for name, value in EMPLOYER_DEFAULTS.items())


def _earlier_months(store: RunStore | None, period: str, same_year: bool) -> list[str]:
    """The stored months before ``period`` (of its calendar year only, when ``same_year``)."""
    if store is None:
        return []
    return [p for p in store.months() if p < period and (not same_year or p[:4] == period[:4])]


def history(checked: ValidatedBatch, period: str, store: RunStore | None) -> History:
    """The employees with their employer, the pay rows of the year up to the period and the absence
    episodes up to its start, from the input and the run store (the current version of each month of
    the batch's employers).

    Pay rows of months after the period are out of the run's scope: not computed, not rejected
    (data-contract "pay"); the manifest counts them as ``out_of_period`` and warns.
    """
    frames = checked.frames
    run = month(period)
    pay_input = frames["pay"]
    pay_months, absence_months = (_earlier_months(store, period, same_year=same) for same in (True, False))
    # the batch's employers (a million rows made unique) only when the store has earlier months to read
    employers = (
        frames["employees"].get_column("employer_id").drop_nulls().unique().sort().to_list()
        if pay_months or absence_months
        else []
    )
    pay = _with_store(
        pay_input.filter(pl.col("period") <= period),
        store,
        "pay",
        ["employee_id", "period"],
        (pl.col("period") < period) & pl.col("period").str.starts_with(f"{run.year:04d}"),
        pay_months,
        employers,
    )
    absences = _with_store(
        frames["absences"],
        store,
        "absences",
        ["employee_id", "start_date"],
        pl.col("start_date") < run.start,
        absence_months,
        employers,
    )
    employees = _with_employer(frames["employees"], frames["employers"])
    return History(employees, pay, absences, checked.rejects)


def population(hist: History, period: str) -> Population:
    """Split the employees and the period's pay rows into the Belgian payroll and the employed abroad.

    One left join of the period's pay rows with the employees (:func:`pipeline.core.keys.aligned`)
    gives every split at once: the employee columns of the payroll lines, the known /
    employed-abroad flags, and (through order-keeping masks) the pay rows each rule gets. Matching
    string keys is the costly operation at a million rows, so it is made once (employee_id is
    unique in the validated employees, and (employee_id, period) in the validated pay rows).
    """
    employees, pay = hist.employees, hist.pay
    abroad_flag = employed_abroad.employed_abroad(employees)
    domestic = employees.filter(~abroad_flag)
    now = pay.filter(pl.col("period") == period)
    flagged = employees.with_columns(abroad_flag.alias(_ABROAD))
    flagged = flagged.rename({c: f"{c}_employee" for c in flagged.columns if c in now.columns and c != "employee_id"})
    joined = now.hstack(keys.aligned(now.get_column("employee_id"), flagged).get_columns())
    flag = joined.get_column(_ABROAD)
    now_domestic = now.filter(flag.not_())
    if pay.height == now.height:  # no earlier month: the history is the period itself
        pay_domestic = now_domestic
    else:
        pay_domestic = pay.select(c for c in PAY_COLUMNS if c in pay.columns).join(
            domestic.select("employee_id"), on="employee_id", how="semi", maintain_order="left"
        )
    return Population(
        domestic, employees.filter(abroad_flag), now, joined, now_domestic, now.filter(flag), pay_domestic
    )


def apply_rules(hist: History, pop: Population, period: str, params: Parameters, part_time_reading: str) -> Decisions:
    """Guaranteed wage and withholding for the Belgian payroll, the ONEM allowance for the employed
    abroad; every reject of the run combined.

    The guaranteed wage and the withholding decision read the same frames and nothing of each
    other: the first is computed on a second thread while this one decides the second (polars works
    without the GIL, so the two plans share the cores; each result is the same as computed alone)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(compute_guaranteed_wage, pop.domestic, hist.absences, pop.now_domestic, period, params)
        wh = decide_withholding(pop.domestic, pop.pay_domestic, period, params)
        gw = pending.result()
    allowance, onem_rejects = compute_onem_allowance(pop.abroad, pop.now_abroad, period, params, part_time_reading)
    found = rejects.combine(hist.rejects, gw.rejects, wh.rejects, onem_rejects)
    return Decisions(gw, wh, allowance, found)


def _per_employee(frame: pl.DataFrame, period: str) -> pl.DataFrame:
    """A rule's (employee_id, period) table of the run period, keyed by employee_id alone.

    Every row of the run's lines has ``period``, so joining on employee_id only is the same
    join on one string key instead of two.
    """
    if frame.height and frame.filter(pl.col("period") != period).height:
        raise ValueError(f"rule output holds rows outside the run period {period}")
    return frame.drop("period")


def _sorted_by_employee(frame: pl.DataFrame, period: str) -> bool:
    """True when rows of the one ``period`` are already in employee_id order (sorting would change nothing:
    employee_id is unique within a period)."""
    return frame.get_column("employee_id").is_sorted() and (
        frame.height == 0 or frame.select((pl.col("period") == period).all()).item()
    )


def _attach(lines: pl.DataFrame, parts: list[pl.DataFrame]) -> pl.DataFrame:
    """``lines`` left-joined on employee_id with per-employee tables (unique employee_id each).

    Only the key column is matched (:func:`pipeline.core.keys.aligned`), and the matched columns are put beside the
    lines: the wide lines frame is not gathered once per table. Consecutive tables with the same keys in the
    same order (e.g. the contribution totals and the withholding decisions of the Belgian payroll) are matched once.
    """
    ids = lines.get_column("employee_id")
    merged: list[pl.DataFrame] = []
    for part in parts:
        if merged and merged[-1].get_column("employee_id").equals(part.get_column("employee_id")):
            merged[-1] = merged[-1].hstack(part.drop("employee_id").get_columns())
        else:
            merged.append(part)
    return lines.hstack([column for part in merged for column in keys.aligned(ids, part).get_columns()])


def _onss_lines(lines: pl.DataFrame, gw: GuaranteedWageResult, period: str, params: Parameters) -> pl.DataFrame:
    """The computed pay rows with their guaranteed wage, worker code and ONSS base (Belgian payroll)."""
    paid = gw.monthly.filter((pl.col("guaranteed_wage_onss") != 0) | (pl.col("guaranteed_wage_exempt") != 0))
    belgian = {"worker_code": worker_code(), "onss_base": onss_base(params, month(period).start)}
    return (
        _attach(lines, [_per_employee(paid, period)])
        .lazy()
        .with_columns(
            pl.col("guaranteed_wage_onss").fill_null(0).cast(MONEY),
            pl.col("guaranteed_wage_exempt").fill_null(0).cast(MONEY),
        )
        .with_columns(employed_abroad.line_columns(pl.col(_ABROAD), belgian))
        .collect()
    )


def payroll_line_inputs(params: Parameters, period: str) -> frozenset[str]:
    """The columns of the computed pay rows (with their employee columns) that :func:`payroll_lines`
    reads, taken from the expressions that read them: the payroll lines' own columns, the ONSS base and
    the worker code, the work bonus's and the CSSS's (:data:`pipeline.rules.deductions.LINE_COLUMNS`)
    and the contribution lines' (:func:`pipeline.rules.contributions.input_columns`). The compute step
    keeps only these of the population's join (the others, names, NISS, dates of birth, ... are let go
    before the ten times longer contribution lines are made)."""
    on = month(period).start
    read = {name for expr in (worker_code(), onss_base(params, on)) for name in expr.meta.root_names()}
    return frozenset({*PAYROLL_COLUMNS, _ABROAD, *read, *LINE_COLUMNS, *input_columns(params, on)})


def payroll_lines(
    computed: pl.DataFrame, decided: Decisions, period: str, params: Parameters
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame | None]:
    """(payroll_lines, contribution_lines, the contribution lines summed per employer and code or
    None) of the ``computed`` pay rows (those no rule rejected, with their employee columns and the
    employed-abroad flag).

    The work bonus and the CSSS are computed on the ONSS lines (:mod:`pipeline.rules.deductions`)
    and become contribution lines of their own; ``work_bonus`` (positive) and ``csss`` are also
    columns of the payroll lines (0.00 for the employed abroad, who owe neither)."""
    on = month(period).start
    lines = _onss_lines(computed, decided.guaranteed_wage, period, params)
    deductions = month_deductions(lines, decided.guaranteed_wage.days, params, on, line_columns_only=True).tables()
    made = contributions(lines, params, on, deductions, by="employer_id")
    contrib, contributed = made.lines, made.totals
    lines = lines.hstack([deductions["work_bonus"].get_column("work_bonus"), deductions["csss"].get_column("csss")])
    decisions = decided.withholding.lines.select("employee_id", "period", *WITHHOLDING_COLUMNS)
    onem = decided.allowance.select("employee_id", "period", pl.col("amount").alias("onem_allowance"))
    belgian = {
        "worker_contribution": pl.col("worker_contribution").fill_null(0).cast(MONEY),
        "employer_contribution": pl.col("employer_contribution").fill_null(0).cast(MONEY),
        "withholding_applies": pl.col("withholding_applies"),
        "withholding_reason": pl.col("withholding_reason"),
        "taxable_share_be": pl.col("taxable_share_be").cast(SHARE),
        "regularisation_required": pl.col("regularisation_required").fill_null(False),
        "regularisation_periods": pl.col("regularisation_periods").fill_null(""),
    }
    out = (
        _attach(
            lines.select(*(c for c in lines.columns if c in PAYROLL_COLUMNS), _ABROAD),
            [_per_employee(f, period) for f in (contributed, decisions, onem)],
        )
        .lazy()
        .with_columns(
            *employed_abroad.line_columns(pl.col(_ABROAD), belgian),
            pl.col("onem_allowance").fill_null(0).cast(MONEY),
        )
        .select(PAYROLL_COLUMNS)
        .collect()
    )
    if not _sorted_by_employee(out, period):
        out = out.sort("employee_id", "period")
    return out, contrib, made.by_code


def output_tables(
    checked: ValidatedBatch,
    now: pl.DataFrame,
    decided: Decisions,
    lines: pl.DataFrame,
    contrib: pl.DataFrame,
    fallen: pl.Series,
    computed: pl.Series,
    period: str,
    params: Parameters,
) -> tuple[dict[str, pl.DataFrame], dict[str, pl.DataFrame]]:
    """The audit tables of the run and the tables the run store keeps for later months.

    ``now``: the pay rows of the period; ``fallen`` / ``computed``: per row of ``now``, rejected by a
    rule / computed.
    """
    # Decisions of the pay rows that are computed (a decided row can fall with another rule's reject).
    fallen_ids = now.filter(fallen).get_column("employee_id")
    decisions = decided.withholding.lines.filter(~pl.col("employee_id").is_in(fallen_ids.implode()).fill_null(False))
    # Each in one chunk, as its audit Parquet file is written (pipeline.outputs.audit.write_table): the
    # run store then copies that file instead of compressing the table a second time in other row groups.
    computed_tables = {
        "payroll_lines": lines.rechunk(),
        "contribution_lines": contrib.rechunk(),
        "guaranteed_wage_days": decided.guaranteed_wage.days.rechunk(),
        "onem_allowance": decided.allowance.rechunk(),
        "withholding_decisions": decisions.rechunk(),
    }
    tables = {**computed_tables, "parameters": params.in_force(month(period).start), "rejects": decided.rejects}
    frames = checked.frames
    store_tables = {
        **computed_tables,
        "pay": now.filter(computed),
        "employees": frames["employees"],
        "employers": frames["employers"],
        "absences": frames["absences"],
    }
    return tables, store_tables
