"""Prefect flow ``monthly_payroll``: the monthly job of ``pipeline.jobs.monthly`` with each of its
steps run as a Prefect task (the CLI runs the very same job, so both give identical outputs).

The run is named ``payroll-<YYYY-MM>-<client>`` (the client: the ``client`` parameter, else the
batch folder's name). Its final state says what happened: ``Completed``, or ``Completed with
rejects`` (state type COMPLETED) when rows were rejected; a table artifact shows the lines,
rejected rows, total due to ONSS and warnings. The flow logs counts and paths only, never rows.

No ``from __future__ import annotations`` here: Prefect reads the flow's annotations at run time
to check and coerce the deployment's parameters, and postponed (string) annotations break that.
"""

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any, Optional

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.states import Completed

from pipeline.core.periods import previous_month
from pipeline.errors import sanitised, sanitising
from pipeline.jobs import bureau, monthly
from pipeline.outputs.csv_dialects import CsvChoice
from pipeline.outputs.run_store import RunStore

TASKS = {
    "load": task(sanitising(monthly.load), name="read_inputs", cache_policy=NO_CACHE),
    "check": task(sanitising(monthly.check), name="validate_inputs", cache_policy=NO_CACHE),
    "compute": task(sanitising(monthly.compute), name="compute_rules", cache_policy=NO_CACHE),
    # Not retried: writing the outputs and then the run store is not idempotent (a retry after the
    # outputs were written would stop on the existing folder).
    "publish": task(sanitising(monthly.publish), name="write_outputs", cache_policy=NO_CACHE),
}
"""The job's steps as Prefect tasks (the manifest, built from counts, runs in the flow itself). A task
logs its failure in Prefect's database: each step raises only our one-line message
(:func:`pipeline.errors.sanitising`), never a library's text that may quote a row."""


def as_task(name: str, fn: Callable[..., Any], *args: Any) -> Any:
    """Step runner of the monthly job: the step's task, or the step itself when it has none."""
    step = TASKS.get(name)
    return step(*args) if step is not None else fn(*args)


def prefect_server() -> Optional[str]:
    """The API URL of the configured Prefect server (``PREFECT_API_URL`` or the active profile), if any."""
    from prefect.settings import get_current_settings

    return get_current_settings().api.url or None


def parameter_date(value: Any) -> dt.date:
    """A date parameter as a date (a deployment may pass text); today when empty."""
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)) if value else dt.date.today()


def run_name() -> str:
    """``payroll-<YYYY-MM>-<client>``, from the flow run's parameters."""
    params = flow_run.parameters
    period = params.get("period") or previous_month(parameter_date(params.get("run_date")))
    client = params.get("client") or Path(str(params.get("input_dir", "batch"))).name
    return f"payroll-{period}-{client}"


@task(cache_policy=NO_CACHE)
def run_partitioned_batch(
    input_dir: str,
    period: str,
    run_date: dt.date,
    out_dir: str,
    profile: str,
    store_dir: str,
    overwrite: bool,
    finalise: bool,
    part_time_reading: str,
    partitions: int,
    dask_address: Optional[str],
    replace: bool,
    lang: Optional[str],
    csv: CsvChoice,
):
    from pipeline.jobs.partitioned import run_partitioned

    return run_partitioned(
        Path(input_dir),
        period,
        run_date,
        Path(out_dir),
        partitions=partitions,
        dask_address=dask_address,
        profile=profile,
        store=RunStore(Path(store_dir)),
        part_time_reading=part_time_reading,
        overwrite=overwrite,
        finalise=finalise,
        replace=replace,
        lang=lang,
        csv=csv,
    )


@flow(name="monthly_payroll", flow_run_name=run_name, log_prints=False)
def monthly_payroll(
    input_dir: str = "sample_data/batch_2026_10",
    period: Optional[str] = None,
    out_dir: Optional[str] = None,
    run_date: Optional[dt.date] = None,
    profile: str = "canonical",
    store_dir: str = "run_store",
    overwrite: bool = False,
    finalise: bool = True,
    part_time_reading: str = "prorated",
    partitions: int = 0,
    dask_address: Optional[str] = None,
    replace: bool = False,
    client: Optional[str] = None,
    lang: Optional[str] = None,
    csv: str = "auto",
    csv_dialect: str = "machine",
):
    """Compute one payroll month and write its audit files, ``report.html`` and ``payroll.xlsx``;
    keep each employer's month in the run store.

    ``period`` defaults to the month before ``run_date`` (itself today by default). Returns the
    client's summary (:func:`pipeline.jobs.bureau.summary`: output folder, exit code of the
    contract (0 or 3), counts, total due, warnings, the run store's outcome), in a state named
    ``Completed with rejects`` when rows were rejected. ``replace``: replace finalised months.

    ``partitions`` > 0 or a ``dask_address`` (else env ``PAYROLL_DASK_ADDRESS``) runs the batch in
    employee-id partitions on a Dask cluster (``pipeline.jobs.partitioned``; a local 2-worker cluster
    when no address is known); the outputs are byte-identical to the single-process run.

    ``lang`` (``en``, ``fr``, ``nl``; default: the mapping profile's, else ``en``): the language of
    the report, the workbook and the console summary (``console`` of the returned summary);
    ``csv`` (``auto``, ``all``, ``none``) and ``csv_dialect`` (``machine``, ``excel-be``): which
    tables get a CSV file, in which dialect (as ``payroll run --csv --csv-dialect``).
    """
    logger = get_run_logger()
    day = run_date or dt.date.today()
    month = period or previous_month(day)
    target = out_dir or f"out/{month}"
    name = client or Path(input_dir).name
    try:
        choice = CsvChoice(csv, csv_dialect)
        if partitions > 0 or dask_address:
            args = (input_dir, month, day, target, profile, store_dir, overwrite, finalise, part_time_reading)
            done = run_partitioned_batch(*args, partitions, dask_address, replace, lang, choice)
        else:
            done = monthly.run_month(
                Path(input_dir),
                month,
                day,
                Path(target),
                profile=profile,
                store=RunStore(Path(store_dir)),
                part_time_reading=part_time_reading,
                overwrite=overwrite,
                finalise=finalise,
                replace=replace,
                on_step=as_task,
                on_wait=logger.warning,
                lang=lang,
                csv=choice,
            )
    except Exception as exc:
        raise sanitised(exc) from None
    summary = bureau.summary(name, done)
    totals = summary["totals"]
    logger.info(
        "period %s: read %s, valid %s, rejected %s, out of period %s, computed %s -> %s",
        month,
        totals["read"],
        totals["valid"],
        totals["rejected"],
        totals["out_of_period"],
        totals["computed"],
        summary["out_dir"],
    )
    for text in summary["store"]:
        logger.info(text)
    for warning in summary["warnings"]:
        logger.warning(warning["message"])
    create_table_artifact(
        table=bureau.table([summary]),
        description=bureau.markdown(month, [summary]),
    )
    state, message = bureau.final_state(month, [summary])
    return Completed(name=state, message=message, data=summary)
