"""``payroll``: the command line of the cross-border payroll processor.

Exit codes (data-contract "Exit codes"): 0 everything computed; 3 some rows rejected (valid rows
computed, rejects written); 4 a legal parameter is missing for the period; 5 the output exists
and --overwrite was not given; 1 anything else; 2 a usage error.
"""

from __future__ import annotations

import datetime as dt
import inspect
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
import typer.core
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from pipeline.core.periods import Month, Quarter
from pipeline.errors import PayrollError, exit_code, one_line
from pipeline.outputs.csv_dialects import CSV_MODES, DIALECTS
from pipeline.outputs.messages import LANGUAGES


class _PlainFlags(typer.core.TyperGroup):
    """A command group whose help shows no value type for flags: typer's rich help would print
    ``<bool>`` beside ``--overwrite`` or ``--help``, as if they took a value. The flags of the
    group and of each of its commands (``--help`` included, which click creates on demand) get an
    empty metavar; a flag's help line then shows its name and its text only. In the list of
    commands, each command's summary is the first paragraph of its help as one line (the rich help
    would keep the docstring's line breaks and cut its sentences)."""

    def get_params(self, ctx: Any) -> list[Any]:
        return _plain_flags(super().get_params(ctx))

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            _plain_flags(command.get_params(ctx))
            if command.short_help is None and command.help:
                command.short_help = " ".join(inspect.cleandoc(command.help).split("\n\n")[0].split())
        return command


def _plain_flags(params: list[Any]) -> list[Any]:
    for param in params:
        if isinstance(param, typer.core.TyperOption) and param.is_flag and param.metavar is None:
            param.metavar = ""
    return params


app = typer.Typer(
    cls=_PlainFlags,
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    help="Belgian payroll for cross-border workers: ONSS contributions, guaranteed wage, withholding "
    "applicability, ONEM frontier allowance and DmfA audit exports.",
)
params_app = typer.Typer(
    cls=_PlainFlags, no_args_is_help=True, help="Show the dated legal parameters (rates, thresholds, dates)."
)
app.add_typer(params_app, name="params")
err = Console(stderr=True)
out = Console()

PeriodOpt = Annotated[
    str, typer.Option("--period", "-p", help="Payroll month to compute, YYYY-MM.", show_default=False)
]
RunDateOpt = Annotated[
    dt.datetime | None,
    typer.Option(
        "--run-date",
        formats=["%Y-%m-%d"],
        help="Date recorded in the run (default: today). Same inputs + same run date = byte-identical outputs.",
    ),
]
ProfileOpt = Annotated[
    str, typer.Option("--profile", help="Column-mapping profile: canonical, fr_export, nl_export or a YAML file.")
]
StoreOpt = Annotated[Path, typer.Option("--store", help="Run-store folder holding earlier finalised periods.")]
OverwriteOpt = Annotated[bool, typer.Option("--overwrite", help="Replace an existing output folder.")]


def _choice(values: tuple[str, ...]) -> Callable[[str | None], str | None]:
    def check(value: str | None) -> str | None:
        if value is not None and value not in values:
            raise typer.BadParameter(f"{value!r} is not one of {', '.join(values)}")
        return value

    return check


LangOpt = Annotated[
    str | None,
    typer.Option(
        "--lang",
        callback=_choice(LANGUAGES),
        help="Language of report.html, payroll.xlsx and the console summary: en, fr or nl (default: the "
        "mapping profile's language, else en).",
        show_default=False,
    ),
]


def _run_date(value: dt.datetime | None) -> dt.date:
    return value.date() if value else dt.date.today()


def _check_period(period: str) -> str:
    try:
        return Month.parse(period).text
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--period") from None


def _print_error(exc: BaseException) -> None:
    """The one line that reports a failure (:func:`pipeline.errors.one_line`), never wrapped."""
    err.print(f"[red]error:[/red] {escape(one_line(exc))}", soft_wrap=True, highlight=False)


@contextmanager
def _domain_errors() -> Iterator[None]:
    """Turn domain errors into their exit code with a one-line message (never a traceback of data)."""
    try:
        yield
    except PayrollError as exc:
        _print_error(exc)
        raise typer.Exit(exc.exit_code) from None


_DEBUG = {"on": False}


@app.callback()
def _options(
    debug: Annotated[
        bool, typer.Option("--debug", help="On an unexpected error, show the full traceback (it may quote data).")
    ] = False,
) -> None:
    """Options of every command (before the command's name)."""
    _DEBUG["on"] = debug


def _part_time_reading(value: str) -> str:
    from pipeline.rules.onem_allowance import READINGS

    if value not in READINGS:
        raise typer.BadParameter(f"{value!r} is not one of {', '.join(READINGS)}")
    return value


def _steps(quiet: bool) -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=quiet or not err.is_terminal,
    )


STEP_LABELS = {"load": "reading inputs", "check": "validating", "compute": "computing", "publish": "writing"}
"""Progress labels of the monthly job's steps (the others are too short to show)."""


def _shown(progress: Progress, task: Any) -> Callable[..., Any]:
    """A step runner of the monthly job that shows each labelled step on the progress display."""

    def on_step(name: str, fn: Callable[..., Any], *args: Any) -> Any:
        label = STEP_LABELS.get(name)
        if label is None:
            return fn(*args)
        progress.update(task, description=label)
        value = fn(*args)
        progress.advance(task)
        return value

    return on_step


def _print_summary(console: list[str], how: str, stored: list[str], rejected: int, out_dir: Path, lang: str) -> None:
    """The lines after a run: the console summary of the job (the run's counts, per employer the
    lines, rejects and euro totals, then the warnings; in the run's language), the run store's
    outcome, the report's path and, when rows were rejected, where they are."""
    from pipeline.outputs import messages

    t = messages.get(lang)
    plain = {"soft_wrap": True, "highlight": False, "markup": False}
    first, *rest = console or [""]
    out.print(f"{first}{how}", **plain)
    for text in [*rest, *stored, t("console.report_written", path=out_dir / "report.html")]:
        out.print(text, **plain)
    if rejected:
        err.print(t("console.rejected_see", rejected=rejected, path=out_dir / "rejects.csv"), style="yellow", **plain)


@app.command()
def run(
    input_dir: Annotated[
        Path,
        typer.Argument(
            exists=True,
            file_okay=False,
            help="Batch folder with employees, pay (and employers, absences) as CSV, Parquet or XLSX.",
        ),
    ],
    period: PeriodOpt,
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Output folder for the audit files.")],
    run_date: RunDateOpt = None,
    profile: ProfileOpt = "canonical",
    store: StoreOpt = Path("run_store"),
    overwrite: OverwriteOpt = False,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="Replace the employers' months already finalised in the run store (the replaced version is "
            "kept, marked superseded). Without it, such a run stops with exit 5 and writes nothing.",
        ),
    ] = False,
    finalise: Annotated[
        bool,
        typer.Option(
            "--finalise/--no-finalise",
            help="Mark the month final in the run store for each employer with payroll lines (needed by the "
            "DmfA export); a batch with a file-level error is never finalised.",
        ),
    ] = True,
    part_time_reading: Annotated[
        str,
        typer.Option(
            "--onem-part-time",
            callback=_part_time_reading,
            help="ONEM allowance part-time reading: prorated or full_band (see docs/onem_allowance.md).",
        ),
    ] = "prorated",
    lang: LangOpt = None,
    csv: Annotated[
        str,
        typer.Option(
            "--csv",
            callback=_choice(CSV_MODES),
            help="Which tables also get a CSV file: auto (those of at most 1,048,575 rows, what a spreadsheet "
            "opens; larger ones stay in Parquet only), all or none. Parquet is always written.",
        ),
    ] = "auto",
    csv_dialect: Annotated[
        str,
        typer.Option(
            "--csv-dialect",
            callback=_choice(DIALECTS),
            help="machine (UTF-8, ',', decimal point) or excel-be (what a Belgian Excel opens: ';', decimal "
            "comma, UTF-8 with BOM, codes kept as text).",
        ),
    ] = "machine",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")] = False,
    via_prefect: Annotated[
        bool,
        typer.Option(
            "--via-prefect",
            help="Run as the Prefect flow monthly_payroll, recorded on the Prefect server of PREFECT_API_URL "
            "(without one, Prefect starts a temporary local server, which takes 10-30 s).",
        ),
    ] = False,
    partitions: Annotated[
        int,
        typer.Option(
            "--partitions",
            min=0,
            help="Split the batch into this many employee partitions run on a Dask cluster (0 with "
            "--dask-address: one per worker thread). Same outputs as a single run.",
        ),
    ] = 0,
    dask_address: Annotated[
        str | None,
        typer.Option(
            "--dask-address",
            envvar="PAYROLL_DASK_ADDRESS",
            help="Scheduler of an existing Dask cluster, e.g. tcp://10.0.0.5:8786 (default: a local "
            "2-worker cluster when --partitions is given).",
        ),
    ] = None,
) -> None:
    """Compute one monthly payroll batch, write the audit files, report.html and payroll.xlsx, and
    keep each employer's month in the run store.

    Rows of months after --period are out of scope: counted and warned, not rejected. Two runs on
    one store or one output folder never write at once: the second waits (PAYROLL_LOCK_WAIT_SECONDS,
    default 60), then stops with exit 5.

    Example: payroll run sample_data/batch_2026_10 --period 2026-10 --out out/2026-10 --run-date 2026-11-02
    """
    from pipeline.jobs import monthly
    from pipeline.outputs.csv_dialects import CsvChoice
    from pipeline.outputs.run_store import RunStore

    _check_period(period)
    day = _run_date(run_date)
    job: dict[str, Any] = {
        "profile": profile,
        "part_time_reading": part_time_reading,
        "overwrite": overwrite,
        "finalise": finalise,
        "replace": replace,
        "lang": lang,
    }

    def waiting(text: str) -> None:
        err.print(f"[yellow]{text}[/yellow]", soft_wrap=True, highlight=False)

    with _domain_errors():
        if via_prefect:
            from flows.monthly_payroll import monthly_payroll, prefect_server

            server = prefect_server()
            if server:
                err.print(f"recording the run on the Prefect server {server}", soft_wrap=True, highlight=False)
            else:
                waiting("no Prefect server configured (PREFECT_API_URL): starting a temporary local one (10-30 s)")
            state = monthly_payroll(
                input_dir=str(input_dir),
                period=period,
                out_dir=str(out_dir),
                run_date=day,
                store_dir=str(store),
                partitions=partitions,
                dask_address=dask_address,
                csv=csv,
                csv_dialect=csv_dialect,
                **job,
            )
            totals, code, how = state["totals"], state["exit_code"], " (Prefect flow run)"
            console, stored, used = state["console"], state["store"], state["lang"]
        elif partitions > 0 or dask_address:
            from pipeline.jobs.partitioned import run_partitioned

            done = run_partitioned(
                input_dir,
                period,
                day,
                out_dir,
                partitions=partitions,
                dask_address=dask_address,
                store=RunStore(store),
                on_wait=waiting,
                csv=CsvChoice(csv, csv_dialect),
                **job,
            )
            totals, code, how = done.manifest["totals"], done.exit_code, f" ({done.partitions} partitions on Dask)"
            console, stored, used = done.console, done.store.lines(done.lang) if done.store else [], done.lang
        else:
            with _steps(quiet) as progress:
                task = progress.add_task("starting", total=len(STEP_LABELS))
                result = monthly.run_month(
                    input_dir,
                    period,
                    day,
                    out_dir,
                    store=RunStore(store),
                    on_step=_shown(progress, task),
                    on_wait=waiting,
                    csv=CsvChoice(csv, csv_dialect),
                    **job,
                )
            totals, code, how = result.manifest["totals"], result.exit_code, ""
            console, stored, used = result.console, result.store.lines(result.lang) if result.store else [], result.lang
    _print_summary(console, how, stored, totals["rejected"] if code else 0, out_dir, used)
    raise typer.Exit(code)


@app.command()
def validate(
    input_dir: Annotated[Path, typer.Argument(exists=True, file_okay=False, help="Batch folder to check.")],
    profile: ProfileOpt = "canonical",
    report: Annotated[Path | None, typer.Option("--report", help="Also write the rejects to this CSV file.")] = None,
    period: Annotated[
        str | None,
        typer.Option(
            "--period",
            "-p",
            help="Also apply the rules of this month (YYYY-MM) without writing anything: rejects exactly what "
            "`payroll run --period` would reject, and shows its warnings.",
            show_default=False,
        ),
    ] = None,
    store: Annotated[
        Path, typer.Option("--store", help="With --period: the run store the rules read history from (read only).")
    ] = Path("run_store"),
) -> None:
    """Check a batch folder without writing anything: list every defect (exit 3 when any).

    Without --period, the input contract only (formats, checksums, cross-file rules); with it, the
    monthly job as `run` computes it (history from the run store included), nothing written.
    """
    from pipeline.jobs import monthly
    from pipeline.outputs.csv_dialects import neutralise

    warnings: list[dict[str, Any]] = []
    with _domain_errors():
        if period is None:
            _, raw = monthly.load(input_dir, profile)
            checked = monthly.check(raw)
            counts, rej = checked.counts, checked.rejects
        else:
            from pipeline.outputs.run_store import RunStore

            _check_period(period)
            result = monthly.run_month(input_dir, period, dt.date.today(), profile=profile, store=RunStore(store))
            counts, rej, warnings = result.manifest["counts"], result.tables["rejects"], result.warnings
    plain = {"soft_wrap": True, "highlight": False, "markup": False}  # file names and [check] codes as they are
    for name, c in counts.items():
        later = f"  out of period {c['out_of_period']:>8}" if c.get("out_of_period") else ""
        out.print(f"{name:10} read {c['read']:>8}  valid {c['valid']:>8}  rejected {c['rejected']:>8}{later}", **plain)
    if rej.height:
        for row in rej.head(50).iter_rows(named=True):
            where = f"{row['source_file']}:{row['source_line']}"
            out.print(f"{where} {row['column']} [{row['check']}] {row['message']}", **plain)
        if rej.height > 50:
            out.print(f"... and {rej.height - 50} more")
        if report:
            neutralise(rej).write_csv(report)
    for warning in warnings:
        out.print(f"warning [{warning['code']}] {warning['message']}", **plain)
    if rej.height:
        raise typer.Exit(3)
    out.print("no defects found")


@app.command()
def explain(
    employee_id: Annotated[str, typer.Argument(help="Employee id as in the employees input.")],
    period: PeriodOpt,
    what: Annotated[
        str,
        typer.Option(
            "--what",
            help="withholding (the decision table), work-bonus (reference wage, table and band, fraction, "
            "cap), csss (household, band) or structural (the quarter's structural reduction of the "
            "period's quarter, from the run store).",
        ),
    ] = "withholding",
    store: StoreOpt = Path("run_store"),
    input_dir: Annotated[
        Path | None,
        typer.Option(
            "--input",
            exists=True,
            file_okay=False,
            help="Recompute from this batch folder instead of reading the run store.",
        ),
    ] = None,
    profile: ProfileOpt = "canonical",
) -> None:
    """Explain one employee's figure for a month: the path through the withholding decision table
    (docs/withholding.md), or of the work bonus, the CSSS or the structural reduction
    (docs/deductions.md), with each parameter and its source.

    Example: payroll explain EMP-BE-015 --period 2026-10 --what work-bonus --store run_store
    """
    from pipeline.core.params import default_parameters
    from pipeline.jobs.explain import WHAT
    from pipeline.jobs.explain import explain as explain_figure
    from pipeline.outputs.run_store import RunStore

    _check_period(period)
    if what not in WHAT:
        raise typer.BadParameter(f"one of {', '.join(WHAT)}", param_hint="--what")
    with _domain_errors():
        text = explain_figure(what, employee_id, period, default_parameters(), RunStore(store), input_dir, profile)
    typer.echo(text)


@app.command()
def claims(
    semester: Annotated[
        str, typer.Option("--semester", help="Calendar semester, e.g. 2026-H1 (January-June) or 2026-H2.")
    ],
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Output folder for the claim file.")],
    store: StoreOpt = Path("run_store"),
    run_date: RunDateOpt = None,
    overwrite: OverwriteOpt = False,
    lang: Annotated[
        str,
        typer.Option("--lang", callback=_choice(LANGUAGES), help="Language of the folder's report.html: en, fr or nl."),
    ] = "en",
) -> None:
    """ONEM frontier-allowance claims of a semester (AR 9 June 1999 art. 3), one row per worker:
    the six months, the total, the claim deadline and whether it can still be claimed; with its
    report.html."""
    from pipeline.jobs.claims import export_claims
    from pipeline.outputs.run_store import RunStore

    with _domain_errors():
        result = export_claims(RunStore(store), semester, out_dir, _run_date(run_date), overwrite, lang=lang)
    out.print(f"{semester}: {result['rows']} claim rows written to {out_dir}")


@app.command()
def dmfa(
    quarter: Annotated[str, typer.Option("--quarter", help="Calendar quarter, e.g. 2026-Q3 (July-September).")],
    out_dir: Annotated[
        Path, typer.Option("--out", "-o", help="Output folder for the declarations and the worker-line tables.")
    ],
    store: StoreOpt = Path("run_store"),
    run_date: RunDateOpt = None,
    overwrite: OverwriteOpt = False,
    joint_committees: Annotated[
        Path | None,
        typer.Option(
            "--joint-committees",
            exists=True,
            dir_okay=False,
            help="CSV with employer_id, worker_status, joint_committee (e.g. 124 for construction blue "
            "collars); default CP 100 for blue collars, CP 200 for white collars.",
        ),
    ] = None,
    via_prefect: Annotated[
        bool,
        typer.Option(
            "--via-prefect",
            help="Run as the Prefect flow quarterly_dmfa (starts a temporary server when none is configured).",
        ),
    ] = False,
    lang: Annotated[
        str,
        typer.Option("--lang", callback=_choice(LANGUAGES), help="Language of the folder's report.html: en, fr or nl."),
    ] = "en",
) -> None:
    """Quarterly DmfA audit export from the three finalised months in the run store: one XML
    declaration per employer (validated against the official schema), worker lines, occupations,
    services, contributions and their reconciliation with the monthly runs.

    Refuses (exit 1, nothing written) when a month of the quarter is missing or not finalised.
    The run date is the declarations' creation date. Example:
    payroll dmfa --quarter 2026-Q3 --store run_store --out out/dmfa-2026-Q3 --run-date 2026-10-05
    """
    from pipeline.jobs import quarterly

    try:
        Quarter.parse(quarter)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--quarter") from None
    day = _run_date(run_date)
    with _domain_errors():
        if via_prefect:
            from flows.quarterly_dmfa import quarterly_dmfa

            state = quarterly_dmfa(
                quarter=quarter,
                store_dir=str(store),
                out_dir=str(out_dir),
                run_date=day,
                overwrite=overwrite,
                joint_committees=str(joint_committees) if joint_committees else None,
                lang=lang,
            )
            manifest = json.loads((Path(state["out_dir"]) / "manifest.json").read_text(encoding="utf-8"))
        else:
            from pipeline.core.params import default_parameters
            from pipeline.outputs.run_store import RunStore

            options = quarterly.joint_committees_file(joint_committees)
            manifest = quarterly.export_quarter(
                RunStore(store), quarter, out_dir, day, default_parameters(), overwrite, options, lang
            )
    for employer_id, summary in manifest["employers"].items():
        out.print(
            f"{quarter} employer {employer_id}: {summary['worker_lines']} worker lines, contributions "
            f"{summary['contributions']} (monthly runs {summary['monthly_contributions']}, rounding "
            f"{summary['rounding_regularisation']}, cap {summary['cap_relief']}), net owed {summary['net_owed_amount']}"
        )
    out.print(f"{len(manifest['employers'])} declaration(s) written to {out_dir}")
    for warning in manifest.get("warnings", []):
        out.print(f"warning [{warning['code']}] {warning['message']}", soft_wrap=True, highlight=False, markup=False)


@params_app.command("show")
def params_show(
    date: Annotated[
        dt.datetime, typer.Option("--date", "-d", formats=["%Y-%m-%d"], help="Show the values in force on this date.")
    ],
    domain: Annotated[
        str, typer.Option("--domain", help="Only this domain (first part of the name): onss, withholding, onem...")
    ] = "",
    name: Annotated[str, typer.Option("--name", help="Only parameters whose name holds this text, e.g. csss.")] = "",
    full: Annotated[bool, typer.Option("--full", help="Show each legal reference whole (wrapped).")] = False,
) -> None:
    """Print the legal parameters in force on a date, grouped by domain: value, since when, status
    and legal reference. Lines fit the terminal's width (COLUMNS; 80 when not a terminal).

    Example: payroll params show --date 2026-10-01 --domain onss --name csss --full
    """
    import shutil

    from pipeline.core.params import default_parameters
    from pipeline.outputs import params_text

    on = date.date()
    with _domain_errors():
        table = default_parameters().table(on)
    known = sorted(set(table.select(params_text.domain_of(table["parameter"])).to_series()))
    if domain and domain.strip().rstrip("/") not in known:
        raise typer.BadParameter(f"{domain!r} is not a domain; one of {', '.join(known)}", param_hint="--domain")
    chosen = params_text.select(table, domain, name)
    if chosen.height == 0:
        asked = " and ".join(f"--{key} {value!r}" for key, value in (("domain", domain), ("name", name)) if value)
        err.print(f"[red]error:[/red] no parameter in force on {on} matches {escape(asked)}", highlight=False)
        raise typer.Exit(1)
    width = shutil.get_terminal_size((80, 24)).columns
    typer.echo(params_text.render(chosen, str(on), width, full))


def _interrupted(exc: BaseException) -> bool:
    """True when ``exc`` comes, through its causes, from a Ctrl-C (a ``KeyboardInterrupt``)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, KeyboardInterrupt):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def main(argv: list[str] | None = None) -> int:
    """The console entry point (``payroll``): the one error boundary of the command line.

    Every failure ends as one readable line on stderr and exit code 1 (or the domain error's
    own code); usage errors keep click's exit code 2. The traceback is shown only with
    ``--debug``: a library's message may quote the row it failed on.
    """
    args = sys.argv[1:] if argv is None else list(argv)
    _DEBUG["on"] = False
    try:
        app(args=args, prog_name="payroll", standalone_mode=True)
    except SystemExit as exc:
        if _interrupted(exc):  # typer ends a command stopped by Ctrl-C with a silent exit 130
            err.print("[red]error:[/red] interrupted", soft_wrap=True)
            return 1
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except KeyboardInterrupt:
        err.print("[red]error:[/red] interrupted", soft_wrap=True)
        return 1
    except Exception as exc:
        if _DEBUG["on"]:
            raise
        _print_error(exc)
        return exit_code(exc)
    return 0
