"""Serve the payroll deployments with their schedules (Europe/Brussels time).

    python -m flows.deploy          # needs a Prefect server (PREFECT_API_URL) or starts a local one

Equivalent declarative form: ``prefect.yaml`` at the project root (``prefect deploy --all``).
"""

from prefect.schedules import Cron

from flows.monthly_payroll import monthly_payroll
from flows.quarterly_dmfa import quarterly_dmfa

TIMEZONE = "Europe/Brussels"
MONTHLY_CRON = "0 6 1 * *"  # 06:00 on the 1st: closes the previous month
QUARTERLY_CRON = "0 7 5 1,4,7,10 *"  # 07:00 on the 5th after a quarter: DmfA of the quarter just ended


def deployments() -> list:
    """The deployment objects (built without contacting a server)."""
    return [
        monthly_payroll.to_deployment(
            name="monthly-payroll",
            schedule=Cron(MONTHLY_CRON, timezone=TIMEZONE),
            parameters={"input_dir": "inbox/current", "store_dir": "run_store"},
            tags=["payroll", "monthly"],
        ),
        quarterly_dmfa.to_deployment(
            name="quarterly-dmfa",
            schedule=Cron(QUARTERLY_CRON, timezone=TIMEZONE),
            parameters={"store_dir": "run_store"},
            tags=["payroll", "dmfa", "quarterly"],
        ),
    ]


if __name__ == "__main__":  # pragma: no cover
    from prefect import serve

    serve(*deployments())
