"""Prefect flows: the deployments build (no server needed) and, under ONE session-scoped test
harness, the monthly flow writes exactly what the CLI writes."""

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from pipeline.cli import app

ROOT = Path(__file__).resolve().parents[2]


def test_deployments_have_monthly_cron_in_brussels_time():
    from flows.deploy import deployments

    built = {d.name: d for d in deployments()}
    monthly = built["monthly-payroll"]
    schedule = monthly.schedules[0].schedule
    assert (schedule.cron, schedule.timezone) == ("0 6 1 * *", "Europe/Brussels")
    spec = yaml.safe_load((ROOT / "prefect.yaml").read_text())
    for dep in spec["deployments"]:
        module, func = dep["entrypoint"].split(":")
        assert (ROOT / module).is_file() and func in (ROOT / module).read_text()
        assert dep["schedules"][0]["timezone"] == "Europe/Brussels"


def test_previous_month():
    import datetime as dt

    from pipeline.core.periods import previous_month

    assert previous_month(dt.date(2026, 11, 1)) == "2026-10"
    assert previous_month(dt.date(2026, 1, 1)) == "2025-12"


def _task_names(flow_run_id, expected: int, wait_s: float = 20.0) -> list[str]:
    """Names of the task runs of a flow run (the server records them shortly after they end)."""
    import time

    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    deadline = time.monotonic() + wait_s
    while True:
        with get_client(sync_client=True) as client:
            runs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))
        if len(runs) >= expected or time.monotonic() > deadline:
            return sorted(run.name.rsplit("-", 1)[0] for run in runs)
        time.sleep(0.2)


@pytest.mark.flow
def test_flow_and_cli_give_identical_outputs(prefect_harness, tmp_path):
    import datetime as dt

    from flows.monthly_payroll import monthly_payroll

    flow_state = monthly_payroll(
        input_dir=str(ROOT / "sample_data" / "batch_2026_10"),
        period="2026-10",
        out_dir=str(tmp_path / "flow"),
        run_date=dt.date(2026, 11, 2),
        store_dir=str(tmp_path / "store_flow"),
        return_state=True,
    )
    state = flow_state.result()
    assert state["exit_code"] == 0
    # Each step of the monthly job ran as its own task of the flow run.
    assert _task_names(flow_state.state_details.flow_run_id, 4) == [
        "compute_rules",
        "read_inputs",
        "validate_inputs",
        "write_outputs",
    ]
    result = CliRunner().invoke(
        app,
        [
            "run",
            str(ROOT / "sample_data" / "batch_2026_10"),
            "--period",
            "2026-10",
            "--out",
            str(tmp_path / "cli"),
            "--run-date",
            "2026-11-02",
            "--store",
            str(tmp_path / "store_cli"),
            "-q",
        ],
    )
    assert result.exit_code == 0
    names = sorted(p.name for p in (tmp_path / "flow").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "cli").iterdir())
    for name in names:
        assert (tmp_path / "flow" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes(), name


def test_deployments_have_quarterly_dmfa_cron_and_previous_quarter():
    import datetime as dt

    from flows.deploy import deployments
    from pipeline.core.periods import previous_quarter

    schedule = {d.name: d for d in deployments()}["quarterly-dmfa"].schedules[0].schedule
    assert (schedule.cron, schedule.timezone) == ("0 7 5 1,4,7,10 *", "Europe/Brussels")
    assert previous_quarter(dt.date(2026, 10, 5)) == "2026-Q3"
    assert previous_quarter(dt.date(2027, 1, 5)) == "2026-Q4"


@pytest.mark.flow
def test_quarterly_flow_and_cli_give_identical_outputs(prefect_harness, tmp_path):
    import datetime as dt

    from flows.quarterly_dmfa import quarterly_dmfa

    store = tmp_path / "store"
    quarter = ROOT / "sample_data" / "quarter_2026_q3"
    for month in ("2026-07", "2026-08", "2026-09"):
        result = CliRunner().invoke(
            app,
            [
                "run",
                str(quarter / month),
                "--period",
                month,
                "--out",
                str(tmp_path / month),
                "--run-date",
                "2026-10-02",
                "--store",
                str(store),
                "-q",
            ],
        )
        assert result.exit_code == 0, result.output
    state = quarterly_dmfa(store_dir=str(store), out_dir=str(tmp_path / "flow"), run_date=dt.date(2026, 10, 5))
    assert state["quarter"] == "2026-Q3" and len(state["declarations"]) == 4
    result = CliRunner().invoke(
        app,
        [
            "dmfa",
            "--quarter",
            "2026-Q3",
            "--store",
            str(store),
            "--out",
            str(tmp_path / "cli"),
            "--run-date",
            "2026-10-05",
        ],
    )
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (tmp_path / "flow").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "cli").iterdir())
    for name in names:
        assert (tmp_path / "flow" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes(), name
