"""Prefect flow ``quarterly_dmfa``: the DmfA audit export of one quarter, as thin tasks around the
steps of ``pipeline.jobs.quarterly`` (the CLI ``payroll dmfa`` runs the very same functions, so both give
identical outputs).

No ``from __future__ import annotations`` here: Prefect reads the flow's parameter annotations at
run time to check and coerce deployment parameters, and postponed (string) annotations break that.
"""

import datetime as dt
from pathlib import Path
from typing import Optional

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from pipeline.core.params import default_parameters
from pipeline.core.periods import previous_quarter
from pipeline.errors import sanitising
from pipeline.jobs import quarterly
from pipeline.outputs.run_store import RunStore


@task(cache_policy=NO_CACHE)
@sanitising
def read_quarter(store_dir: str, quarter: str, employers: Optional[list[str]] = None):
    return quarterly.read_quarter(RunStore(Path(store_dir)), quarter, employers)


@task(cache_policy=NO_CACHE)
@sanitising
def compute_quarter(data, run_date: dt.date, joint_committees: Optional[str]):
    return quarterly.compute_quarter(
        data, default_parameters(), run_date, quarterly.joint_committees_file(joint_committees)
    )


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5)
@sanitising
def write_quarter(result, out_dir: str, overwrite: bool, lang: Optional[str] = None) -> str:
    return str(quarterly.write_quarter(result, Path(out_dir), overwrite, lang))


@flow(name="quarterly_dmfa", log_prints=False)
def quarterly_dmfa(
    quarter: Optional[str] = None,
    store_dir: str = "run_store",
    out_dir: Optional[str] = None,
    run_date: Optional[dt.date] = None,
    overwrite: bool = False,
    joint_committees: Optional[str] = None,
    employers: Optional[list[str]] = None,
    lang: Optional[str] = None,
) -> dict:
    """Export the DmfA of ``quarter`` (e.g. ``2026-Q3``) from the three finalised months in the run store.

    ``quarter`` defaults to the quarter before ``run_date`` (itself today by default): the
    deployment runs on the 5th of January, April, July and October, Europe/Brussels time, after
    the monthly run of the quarter's last month. Every employer of the run store with a month in
    the quarter is declared (or only ``employers``); fails (RunStoreError) when a month of one of
    them is missing or not finalised, writing nothing then. ``joint_committees``: optional CSV of
    the JointCommissionNbr per employer and worker status
    (``pipeline.jobs.quarterly.joint_committees_file``). Months whose monthly run had rejected rows
    are warned about (logged, and ``warnings`` in the manifest). ``lang``: the language of the
    folder's ``report.html`` (en, fr or nl; default en).
    """
    logger = get_run_logger()
    day = run_date or dt.date.today()
    q = quarter or previous_quarter(day)
    target = out_dir or f"out/dmfa-{q}"
    data = read_quarter(store_dir, q, employers)
    result = compute_quarter(data, day, joint_committees)
    path = write_quarter(result, target, overwrite, lang)
    employers = result.manifest["employers"]
    for employer_id, summary in employers.items():
        logger.info(
            "%s employer %s: %s worker lines, contributions %s, net owed %s, reconciles with the monthly runs: %s",
            q,
            employer_id,
            summary["worker_lines"],
            summary["contributions"],
            summary["net_owed_amount"],
            summary["reconciles"],
        )
    for warning in quarterly.stored_month_warnings(result.manifest["source_runs"]):
        logger.warning(warning["message"])
    return {
        "out_dir": path,
        "quarter": q,
        "declarations": sorted(result.declarations),
        "run_id": result.manifest["run_id"],
    }
