"""Prefect flow ``monthly_bureau``: a payroll bureau's month, every client folder of an inbox
(``inbox/<client>/``, :mod:`pipeline.jobs.bureau`) as one sub-flow run ``monthly_payroll`` named
``payroll-<YYYY-MM>-<client>``, one after the other, into the bureau's one run store.

A client whose run fails does not stop the others. The flow's final state is ``Completed``,
``Completed with rejects`` (state type COMPLETED) or ``Failed`` (a client failed), with a message
counting clients, lines and rejects; a table artifact and a markdown artifact show per client the
payroll lines, rejected rows, rows out of the period, the total due to ONSS and the warnings.

No ``from __future__ import annotations`` here (Prefect reads the parameters' annotations).
"""

import datetime as dt
from pathlib import Path
from typing import Optional

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.runtime import flow_run
from prefect.states import Completed, Failed

from flows.monthly_payroll import monthly_payroll, parameter_date
from pipeline.core.periods import previous_month
from pipeline.errors import PayrollError
from pipeline.jobs import bureau


def _failure(state) -> str:
    """One line for a failed client run: our own message, else the kind of error only."""
    exc = state.result(raise_on_failure=False)
    if isinstance(exc, PayrollError):
        return f"failed: {exc}"
    return f"failed ({state.name}); see the run's logs"


def run_name() -> str:
    """``payroll-<YYYY-MM>-bureau``, from the flow run's parameters."""
    params = flow_run.parameters
    return f"payroll-{params.get('period') or previous_month(parameter_date(params.get('run_date')))}-bureau"


@flow(name="monthly_bureau", flow_run_name=run_name, log_prints=False)
def monthly_bureau(
    inbox: str = "inbox",
    period: Optional[str] = None,
    run_date: Optional[dt.date] = None,
    out_root: str = "out",
    store_dir: str = "run_store",
    overwrite: bool = False,
    replace: bool = False,
    finalise: bool = True,
    lang: Optional[str] = None,
    csv: str = "auto",
    csv_dialect: str = "machine",
):
    """Run the month of every client folder of ``inbox`` into ``<out_root>/<YYYY-MM>/<client>/``
    and the run store ``store_dir``. ``period`` defaults to the month before ``run_date`` (itself
    today by default): the deployment runs at 06:00 on the 1st, Europe/Brussels time. ``lang``,
    ``csv``, ``csv_dialect``: as for ``monthly_payroll`` (``lang`` by default each client's
    mapping profile's language, else ``en``)."""
    logger = get_run_logger()
    day = run_date or dt.date.today()
    month = period or previous_month(day)
    rows = []
    for client, folder in bureau.client_folders(Path(inbox)):
        state = monthly_payroll(
            input_dir=str(folder),
            period=month,
            out_dir=str(bureau.client_output(Path(out_root), month, client)),
            run_date=day,
            profile=bureau.client_profile(folder),
            store_dir=store_dir,
            overwrite=overwrite,
            finalise=finalise,
            replace=replace,
            client=client,
            lang=lang,
            csv=csv,
            csv_dialect=csv_dialect,
            return_state=True,
        )
        if state.is_completed():
            rows.append(state.result())
        else:
            rows.append(bureau.failed(client, _failure(state)))
            logger.error("client %s: %s", client, rows[-1]["error"])
    create_table_artifact(table=bureau.table(rows), key=f"payroll-{month}", description=f"Payroll {month} per client")
    create_markdown_artifact(markdown=bureau.markdown(month, rows), key=f"payroll-{month}-summary")
    name, message = bureau.final_state(month, rows)
    logger.info(message)
    if name == "Failed":
        return Failed(message=message, data=rows)
    return Completed(name=name, message=message, data=rows)
