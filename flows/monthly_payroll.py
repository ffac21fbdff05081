"""Prefect flow ``monthly_payroll``: one monthly payroll batch, as thin tasks around
``pipeline.jobs.monthly`` (the CLI runs the very same functions, so both give identical outputs).

No ``from __future__ import annotations`` here: it breaks deployment parameter checks
(stack-notes A2).
"""

import datetime as dt
from pathlib import Path
from typing import Optional

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from pipeline.core.params import default_parameters
from pipeline.core.periods import previous_month
from pipeline.jobs import monthly
from pipeline.outputs.run_store import RunStore


@task(cache_policy=NO_CACHE)
def read_inputs(input_dir: str, profile: str):
    return monthly.load(Path(input_dir), profile)


@task(cache_policy=NO_CACHE)
def validate_inputs(raw):
    return monthly.check(raw)


@task(cache_policy=NO_CACHE)
def compute_rules(checked, period: str, store_dir: str, part_time_reading: str):
    return monthly.compute(checked, period, default_parameters(), RunStore(Path(store_dir)), part_time_reading)


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5)
def write_outputs(result, out_dir: str, overwrite: bool, store_dir: str, finalise: bool) -> str:
    return str(monthly.publish(result, Path(out_dir), overwrite, RunStore(Path(store_dir)), finalise))


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
    if partitions > 0 or dask_address:
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
        totals = done.manifest["totals"]
        logger.info(
            "period %s in %s partitions: read %s, valid %s, rejected %s, computed %s -> %s",
            month,
            done.partitions,
            totals["read"],
            totals["valid"],
            totals["rejected"],
            totals["computed"],
            done.path,
        )
        return {
            "out_dir": str(done.path),
            "exit_code": done.exit_code,
            "totals": totals,
            "run_id": done.manifest["run_id"],
        }
    prof, raw = read_inputs(input_dir, profile)
    checked = validate_inputs(raw)
    tables, store_tables = compute_rules(checked, month, store_dir, part_time_reading)
    result = monthly.BatchResult(
        month, tables, store_tables, monthly.manifest(month, day, prof, raw, tables, default_parameters())
    )
    path = write_outputs(result, target, overwrite, store_dir, finalise)
    totals = result.manifest["totals"]
    logger.info(
        "period %s: read %s, valid %s, rejected %s, computed %s -> %s",
        month,
        totals["read"],
        totals["valid"],
        totals["rejected"],
        totals["computed"],
        path,
    )
    if result.exit_code:
        logger.warning("%s rows rejected: see %s/rejects.csv", totals["rejected"], path)
    return {"out_dir": path, "exit_code": result.exit_code, "totals": totals, "run_id": result.manifest["run_id"]}
