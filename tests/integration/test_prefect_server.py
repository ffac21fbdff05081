"""The schedules fire: a real local Prefect server (``prefect server start`` on 127.0.0.1, a free
port, a temporary PREFECT_HOME) serves the deployments of ``flows/deploy.py``, and its scheduler
creates the runs: 06:00 Europe/Brussels on the 1st (monthly), 07:00 on the 5th of January, April,
July and October (quarterly). Then ``prefect deploy --all`` (prefect.yaml) without PAYROLL_HOME,
and its pull step resolves to the project folder, as a worker runs it.

With SQLAlchemy 2.1, Prefect 3.8.8's scheduler fails (``Can't evaluate bulk DML statement``) and no
run is ever created: pinning SQLAlchemy below 2.1 is what this test guards.

Every wait is bounded; the server and the serving process are stopped at the end. The API is
queried over HTTP, so the session's test harness (another server) is not involved.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
BRUSSELS = ZoneInfo("Europe/Brussels")
PREFECT = str(Path(sys.executable).with_name("prefect"))
SERVER_START_S = 180
SCHEDULE_S = 90

pytestmark = pytest.mark.flow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(home: Path, api: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_") and k != "PAYROLL_HOME"}
    env.update(
        PREFECT_HOME=str(home),
        DO_NOT_TRACK="1",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS="1",
        PYTHONPATH=str(ROOT),
    )
    if api:
        env["PREFECT_API_URL"] = api
    return env


def _stop(process: subprocess.Popen) -> None:
    """Stop a process started by this test, and its children (its own process group)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


def _until(what: str, seconds: float, probe):
    deadline = time.monotonic() + seconds
    while True:
        found = probe()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {seconds} s")
        time.sleep(0.5)


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    home = tmp_path_factory.mktemp("prefect_home")
    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    log = (home / "server.log").open("wb")
    process = subprocess.Popen(
        [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=_env(home),
        cwd=home,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:

        def healthy():
            try:
                return httpx.get(f"{api}/health", timeout=2).status_code == 200
            except httpx.HTTPError:
                assert process.poll() is None, (home / "server.log").read_text(errors="replace")[-2000:]
                return False

        _until("the Prefect server answers /api/health", SERVER_START_S, healthy)
        yield api, home
    finally:
        _stop(process)
        log.close()


def _deployments(api: str) -> dict[str, dict]:
    found = httpx.post(f"{api}/deployments/filter", json={}, timeout=10).json()
    return {d["name"]: d for d in found}


def _scheduled(api: str, deployment_id: str) -> list[dt.datetime]:
    body = {
        "deployments": {"id": {"any_": [deployment_id]}},
        "flow_runs": {"state": {"type": {"any_": ["SCHEDULED"]}}},
        "sort": "EXPECTED_START_TIME_ASC",
    }
    runs = httpx.post(f"{api}/flow_runs/filter", json=body, timeout=10).json()
    return [dt.datetime.fromisoformat(r["expected_start_time"]).astimezone(BRUSSELS) for r in runs]


def _next(now: dt.datetime, months: tuple[int, ...], day: int, hour: int) -> dt.datetime:
    """The first local time at ``hour``:00 on ``day`` of one of ``months`` after ``now`` (Brussels)."""
    local = now.astimezone(BRUSSELS)
    for step in range(0, 25):
        year, month = divmod(local.month - 1 + step, 12)
        if month + 1 in months:
            candidate = dt.datetime(local.year + year, month + 1, day, hour, tzinfo=BRUSSELS)
            if candidate > local:
                return candidate
    raise AssertionError("no candidate")


def test_served_deployments_get_their_scheduled_runs(server):
    api, home = server
    now = dt.datetime.now(dt.UTC)
    serving = subprocess.Popen(
        [sys.executable, "-m", "flows.deploy"],
        env=_env(home, api),
        cwd=ROOT,
        stdout=(home / "serve.log").open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        built = _until("both deployments exist", SCHEDULE_S, lambda: len(_deployments(api)) >= 2 and _deployments(api))
        monthly = _until("scheduled monthly runs", SCHEDULE_S, lambda: _scheduled(api, built["monthly-payroll"]["id"]))
        quarterly = _until(
            "scheduled quarterly runs", SCHEDULE_S, lambda: _scheduled(api, built["quarterly-dmfa"]["id"])
        )
    finally:
        _stop(serving)
    # 06:00 Brussels time on the 1st of each month (05:00 UTC in winter, 04:00 UTC in summer).
    every_month = tuple(range(1, 13))
    assert monthly[0] == _next(now, every_month, 1, 6)
    assert all((t.day, t.hour, t.minute) == (1, 6, 0) for t in monthly)
    assert [t.month for t in monthly[:2]] == [monthly[0].month, monthly[0].month % 12 + 1]
    # 07:00 Brussels time on the 5th of January, April, July and October.
    assert quarterly[0] == _next(now, (1, 4, 7, 10), 5, 7)
    assert all((t.day, t.hour, t.minute, t.month in (1, 4, 7, 10)) == (5, 7, 0, True) for t in quarterly)
    assert built["monthly-payroll"]["parameters"] == {"inbox": "inbox", "store_dir": "run_store", "out_root": "out"}


def test_prefect_yaml_deploys_without_payroll_home_and_its_pull_step_finds_the_project(server, tmp_path):
    api, home = server
    env = _env(home, api)
    for args in (["work-pool", "create", "payroll-pool", "--type", "process"], ["--no-prompt", "deploy", "--all"]):
        done = subprocess.run([PREFECT, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=180)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    built = _deployments(api)
    for name in ("monthly-payroll", "quarterly-dmfa"):
        assert built[name]["work_pool_name"] == "payroll-pool"
        assert built[name]["pull_steps"] == [
            {"pipeline.jobs.worker.project_directory": {"directory": "{{ $PAYROLL_HOME }}"}}
        ]
    assert built["monthly-payroll"]["entrypoint"] == "flows/monthly_bureau.py:monthly_bureau"
    _until(
        "scheduled runs of the prefect.yaml deployment",
        SCHEDULE_S,
        lambda: _scheduled(api, built["quarterly-dmfa"]["id"]),
    )
    # What a worker does first: the pull steps, from another folder, without PAYROLL_HOME.
    steps = json.dumps(built["quarterly-dmfa"]["pull_steps"])
    script = (
        "import asyncio, json, os, sys\n"
        "from prefect.deployments.steps.core import run_steps\n"
        f"out = asyncio.run(run_steps(json.loads({steps!r})))\n"
        "print(json.dumps({'directory': out['directory'], 'cwd': os.getcwd()}))\n"
    )
    ran = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert ran.returncode == 0, ran.stderr[-2000:]
    assert json.loads(ran.stdout.strip().splitlines()[-1]) == {"directory": str(ROOT), "cwd": str(ROOT)}
    # A PAYROLL_HOME that is not the project: one clear line, not a crash in Prefect's own code.
    wrong = subprocess.run(
        [sys.executable, "-c", script], env={**env, "PAYROLL_HOME": str(tmp_path)}, cwd=tmp_path,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert wrong.returncode != 0
    assert f"PAYROLL_HOME={tmp_path} is not the payroll project folder" in wrong.stderr
