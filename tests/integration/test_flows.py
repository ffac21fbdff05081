"""Prefect flows: the deployments build (no server needed) and, under ONE session-scoped test
harness, the monthly flow writes exactly what the CLI writes, and the bureau's monthly flow runs
every client of an inbox, one sub-flow run each, and says in its state and artifacts what each
computed. (The schedules themselves are tested against a real server: test_prefect_server.py.)"""

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
    assert monthly.entrypoint.endswith("flows/monthly_bureau.py:monthly_bureau")
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


def _runs_named(names: list[str]) -> dict[str, str]:
    """Flow run name -> state name, for the named flow runs."""
    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterName

    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(flow_run_filter=FlowRunFilter(name=FlowRunFilterName(any_=names)))
    return {run.name: run.state.name for run in runs}


def _artifact(key: str):
    from prefect import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    with get_client(sync_client=True) as client:
        found = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])))
    assert len(found) == 1, key
    return found[0]


@pytest.mark.flow
def test_bureau_flow_runs_every_client_and_says_what_each_computed(prefect_harness, tmp_path):
    import datetime as dt
    import json
    import shutil
    from decimal import Decimal

    import polars as pl

    from flows.monthly_bureau import monthly_bureau
    from pipeline.outputs.run_store import RunStore

    inbox = tmp_path / "inbox"
    shutil.copytree(ROOT / "sample_data" / "inbox", inbox, symlinks=False)
    shutil.copytree(ROOT / "sample_data" / "bad_input", inbox / "bad-client")
    (inbox / "broken-client").mkdir()  # no employees file: this client's run fails, the others go on
    (inbox / "broken-client" / "pay.csv").write_text("employee_id,period,gross_salary\n", encoding="utf-8")
    (inbox / "_archive").mkdir()  # skipped
    state = monthly_bureau(
        inbox=str(inbox),
        period="2026-10",
        run_date=dt.date(2026, 11, 2),
        out_root=str(tmp_path / "out"),
        store_dir=str(tmp_path / "store"),
        return_state=True,
    )
    rows = {r["client"]: r for r in state.result(raise_on_failure=False)}
    assert sorted(rows) == ["bad-client", "broken-client", "export-fr", "export-nl", "sample-batch"]
    assert state.is_failed() and "FAILED: broken-client" in state.message
    # 67 + 8 + 8 lines of the sample clients + 4 of bad_input; its 34 rejected rows
    assert "5 client(s), 87 payroll lines, 34 rejected rows" in state.message
    assert {c: r["status"] for c, r in rows.items()} == {
        "bad-client": "rejects",
        "broken-client": "failed",
        "export-fr": "ok",
        "export-nl": "ok",
        "sample-batch": "ok",
    }
    assert "required input 'employees' not found" in rows["broken-client"]["error"]
    # Each client's run is a sub-flow run named payroll-<month>-<client>; one with rejects says so.
    names = [f"payroll-2026-10-{c}" for c in rows]
    assert _runs_named(names) == {
        "payroll-2026-10-bad-client": "Completed with rejects",
        "payroll-2026-10-broken-client": "Failed",
        "payroll-2026-10-export-fr": "Completed",
        "payroll-2026-10-export-nl": "Completed",
        "payroll-2026-10-sample-batch": "Completed",
    }
    # The table artifact: per client the lines, rejects and the total due to ONSS (worker and
    # employer contributions, CSSS when computed: the sums of the client's payroll lines).
    table = {r["client"]: r for r in json.loads(_artifact("payroll-2026-10").data)}
    for client in ("sample-batch", "export-fr", "export-nl", "bad-client"):
        out = tmp_path / "out" / "2026-10" / client
        manifest = json.loads((out / "manifest.json").read_text())
        lines = pl.read_parquet(out / "payroll_lines.parquet")
        due = sum(lines["worker_contribution"]) + sum(lines["employer_contribution"]) + sum(lines["csss"])
        assert (table[client]["lines"], table[client]["rejects"]) == (
            manifest["totals"]["computed"],
            manifest["totals"]["rejected"],
        )
        assert Decimal(table[client]["due_to_onss"]) == due, client
        assert "parameters_not_verified" in table[client]["warnings"]
    assert table["sample-batch"]["lines"] == 67 and table["bad-client"]["rejects"] > 0
    summary = _artifact("payroll-2026-10-summary").data
    assert "# Payroll 2026-10: Failed" in summary and "| bad-client | rejects |" in summary
    # Every client's employers are in the one run store, side by side.
    current = RunStore(tmp_path / "store").current("2026-10")
    assert {"174389412", "126132785", "134843676", "178398131"} <= set(current)


@pytest.mark.flow
def test_via_prefect_names_the_server_it_records_on(prefect_harness, tmp_path, monkeypatch):
    import flows.monthly_payroll as module

    args = [
        *("run", str(ROOT / "sample_data" / "bad_input"), "--period", "2026-10", "--out", str(tmp_path / "out")),
        *("--run-date", "2026-11-02", "--store", str(tmp_path / "store"), "-q", "--via-prefect"),
    ]
    server = module.prefect_server()
    assert server and server.startswith("http://127.0.0.1:")  # the harness's server is the configured one
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 3, result.output  # bad_input: rows rejected, the flow run says so
    said = " ".join(result.output.split())
    assert f"recording the run on the Prefect server {server}" in said
    assert "period 2026-10: read 51 rows, valid 17, rejected 34; 4 payroll lines written to" in said
    assert "(Prefect flow run)" in said
    # The console summary came from the flow: per employer the lines, rejects and euro totals.
    assert "employer 178398131 Boulangerie du Val SRL: 3 lines, 14 rejects; personal 1,436.88" in said
    # Without a configured server the command says Prefect starts a temporary one.
    monkeypatch.setattr(module, "prefect_server", lambda: None)
    again = CliRunner().invoke(app, [*args, "--overwrite"])
    assert "no Prefect server configured (PREFECT_API_URL): starting a temporary local one" in " ".join(
        again.output.split()
    )


def _texts_recorded(flow_run_id, wait_s: float = 20.0) -> list[str]:
    """Every log message of a flow run (its tasks' included) and every state message of its task
    runs and of itself, as the server keeps them (logs arrive in batches: wait for the final one)."""
    import time

    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId, LogFilter, LogFilterFlowRunId

    deadline = time.monotonic() + wait_s
    while True:
        with get_client(sync_client=True) as client:
            logs = client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id])))
            tasks = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))
            flow = client.read_flow_run(flow_run_id)
        messages = [log.message for log in logs]
        if any(m.startswith("Finished in state Failed") and "Flow run" in m for m in messages):
            break
        if time.monotonic() > deadline:
            break
        time.sleep(0.2)
    states = [run.state.message or "" for run in [*tasks, flow] if run.state is not None]
    return messages + states


@pytest.mark.flow
def test_a_failing_step_puts_no_row_content_in_prefect(prefect_harness, tmp_path, monkeypatch):
    """A library error quoting a row, raised inside a task, is logged by Prefect (message and
    traceback, in the server's database) and kept as the task's state message: each step raises
    our one-line message instead, naming the error's type and place in our code only."""
    import datetime as dt

    from flows.monthly_payroll import monthly_payroll
    from pipeline.jobs import monthly

    def broken(*args, **kwargs):
        raise ValueError("could not parse 85073003328,Dupont,Jean,1985-07-30 as a date")

    monkeypatch.setattr(monthly, "validate_batch", broken)  # inside the validate_inputs task
    state = monthly_payroll(
        input_dir=str(ROOT / "sample_data" / "batch_2026_10"),
        period="2026-10",
        out_dir=str(tmp_path / "flow"),
        run_date=dt.date(2026, 11, 2),
        store_dir=str(tmp_path / "store"),
        return_state=True,
    )
    assert state.is_failed()
    texts = _texts_recorded(state.state_details.flow_run_id)
    assert any("unexpected internal error (ValueError at pipeline/jobs/monthly.py:" in t for t in texts), texts
    assert not [t for t in texts if "85073003328" in t or "Dupont" in t or "1985-07-30" in t]
    assert not (tmp_path / "flow").exists()
