"""Serve the payroll deployments with their schedules (Europe/Brussels time).

    PREFECT_API_URL=http://127.0.0.1:4200/api python -m flows.deploy

serves, from the project folder, against the Prefect server of ``PREFECT_API_URL``:

- ``monthly-payroll``: the flow ``monthly_bureau`` at 06:00 on the 1st, every client folder of
  ``inbox/`` (``inbox/<client>/``), closing the previous month into ``run_store/`` and
  ``out/<YYYY-MM>/<client>/``;
- ``quarterly-dmfa``: the flow ``quarterly_dmfa`` at 07:00 on the 5th of January, April, July and
  October, the DmfA of the quarter just ended from ``run_store/``.

Equivalent declarative form: ``prefect.yaml`` at the project root (``prefect deploy --all`` and a
worker of the pool ``payroll-pool``; docs/operations.md).
"""

from prefect.schedules import Cron

from flows.monthly_bureau import monthly_bureau
from flows.quarterly_dmfa import quarterly_dmfa

TIMEZONE = "Europe/Brussels"
MONTHLY_CRON = "0 6 1 * *"  # 06:00 on the 1st: closes the previous month
QUARTERLY_CRON = "0 7 5 1,4,7,10 *"  # 07:00 on the 5th after a quarter: DmfA of the quarter just ended
MONTHLY_PARAMETERS = {"inbox": "inbox", "store_dir": "run_store", "out_root": "out"}
QUARTERLY_PARAMETERS = {"store_dir": "run_store"}


def deployments() -> list:
    """The deployment objects (built without contacting a server)."""
    return [
        monthly_bureau.to_deployment(
            name="monthly-payroll",
            schedule=Cron(MONTHLY_CRON, timezone=TIMEZONE),
            parameters=MONTHLY_PARAMETERS,
            tags=["payroll", "monthly"],
        ),
        quarterly_dmfa.to_deployment(
            name="quarterly-dmfa",
            schedule=Cron(QUARTERLY_CRON, timezone=TIMEZONE),
            parameters=QUARTERLY_PARAMETERS,
            tags=["payroll", "dmfa", "quarterly"],
        ),
    ]


if __name__ == "__main__":  # pragma: no cover
    from prefect import serve

    serve(*deployments())
