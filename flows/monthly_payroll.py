"""Prefect flow ``monthly_payroll``: the monthly job of ``pipeline.jobs.monthly`` with each of its
steps run as a Prefect task (the CLI runs the very same job, so both give identical outputs).

No ``from __future__ import annotations`` here: Prefect reads the flow's annotations at run time
to check and coerce the deployment's parameters, and postponed (string) annotations break that.
"""

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any, Optional

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from pipeline.core.periods import previous_month
from pipeline.jobs import monthly
from pipeline.outputs.run_store import RunStore

TASKS = {
    "load": task(monthly.load, name="read_inputs", cache_policy=NO_CACHE),
    "check": task(monthly.check, name="validate_inputs", cache_policy=NO_CACHE),
    "compute": task(monthly.compute, name="compute_rules", cache_policy=NO_CACHE),
    "publish": task(monthly.publish, name="write_outputs", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5),
}
"""The job's steps as Prefect tasks (the manifest, built from counts, runs in the flow itself)."""


def as_task(name: str, fn: Callable[..., Any], *args: Any) -> Any:
    """Step runner of the monthly job: the step's task, or the step itself when it has none."""
    step = TASKS.get(name)
    return step(*args) if step is not None else fn(*args)


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
    )


@flow(name="monthly_payroll", log_prints=False)
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
) -> dict:
    """Compute one payroll month and write its audit files.

    ``period`` defaults to the month before ``run_date`` (itself today by default): the
    deployment runs on the 1st of each month, Europe/Brussels time, and closes the month before.
    Returns the output folder, the exit code of the contract (0 or 3) and the row counts.

    ``partitions`` > 0 or a ``dask_address`` (else env ``PAYROLL_DASK_ADDRESS``) runs the batch in
    employee-id partitions on a Dask cluster (``pipeline.jobs.partitioned``; a local 2-worker cluster
    when no address is known); the outputs are byte-identical to the single-process run.
    """
    logger = get_run_logger()
    day = run_date or dt.date.today()
    month = period or previous_month(day)
    target = out_dir or f"out/{month}"
    partitioned = partitions > 0 or bool(dask_address)
    if partitioned:
        done = run_partitioned_batch(
            input_dir,
            month,
            day,
            target,
            profile,
            store_dir,
            overwrite,
            finalise,
            part_time_reading,
            partitions,
            dask_address,
        )
        how = f" in {done.partitions} partitions"
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
            on_step=as_task,
        )
        how = ""
    path = str(done.path)
    totals = done.manifest["totals"]
    logger.info(
        "period %s%s: read %s, valid %s, rejected %s, computed %s -> %s",
        month,
        how,
        totals["read"],
        totals["valid"],
        totals["rejected"],
        totals["computed"],
        path,
    )
    if done.exit_code and not partitioned:
        logger.warning("%s rows rejected: see %s/rejects.csv", totals["rejected"], path)
    return {"out_dir": path, "exit_code": done.exit_code, "totals": totals, "run_id": done.manifest["run_id"]}
