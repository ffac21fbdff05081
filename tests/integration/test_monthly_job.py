"""The monthly job is composed once (pipeline.jobs.monthly.run_month): every caller runs the same
steps in the same order and only chooses how each step is run."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pipeline.jobs import monthly
from pipeline.outputs.run_store import RunStore

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "batch_2026_10"


def test_run_month_runs_every_step_in_order_through_the_runner(tmp_path):
    seen = []

    def on_step(name, fn, *args):
        seen.append(name)
        return fn(*args)

    store = RunStore(tmp_path / "store")
    result = monthly.run_month(SAMPLE, "2026-10", dt.date(2026, 11, 2), tmp_path / "out", store=store, on_step=on_step)
    assert seen == list(monthly.STEPS) == ["load", "check", "compute", "manifest", "publish"]
    assert result.path == tmp_path / "out" and (tmp_path / "out" / "manifest.json").is_file()
    # publish kept the month of each of the batch's four employers in the run store, finalised, with
    # the manifest's run id; the version records the manifest's totals
    current = store.current("2026-10")
    assert sorted(current) == ["174389412", "174393195", "174396881", "174400567"]
    assert {(x.run_id, x.finalised) for x in current.values()} == {(result.manifest["run_id"], True)}
    version = next(iter(current.values())).version
    assert store.version_info("2026-10", version)["totals"] == result.manifest["totals"]
    assert sum(x.lines for x in current.values()) == 67 == result.manifest["totals"]["computed"]


def test_without_an_output_folder_nothing_is_published(tmp_path):
    seen = []

    def on_step(name, fn, *args):
        seen.append(name)
        return fn(*args)

    result = monthly.run_month(SAMPLE, "2026-10", dt.date(2026, 11, 2), on_step=on_step)
    assert seen == ["load", "check", "compute", "manifest"]
    assert result.path is None and result.manifest["totals"]["computed"] == 67
