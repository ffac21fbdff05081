"""The run manifest lists, for the period's first day, every parameter whose value is not verified.

The FFE rates of 2024 could not be sourced: their 2024 keys are placeholders marked ``unverified``
(docs/onss_parameters.md), so a 2024 run must name them under ``parameters_not_verified``; from 2026
the ONSS rates files verify them and they drop out of the list.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.testing import synthetic

FFE = {
    "onss/special/ffe_commercial_small_rate",
    "onss/special/ffe_commercial_large_rate",
    "onss/special/ffe_noncommercial_rate",
    "onss/special/ffe_special_rate",
}


@pytest.mark.parametrize(("period", "listed"), [("2024-06", FFE), ("2026-06", set())])
def test_manifest_lists_the_unsourced_ffe_rates_of_2024(tmp_path, period, listed):
    synthetic.write_batch(synthetic.generate(20, period=period, history_months=0, seed=3), tmp_path / "in")
    year, month = period.split("-")
    result = CliRunner().invoke(
        app,
        [
            "run",
            str(tmp_path / "in"),
            "--period",
            period,
            "--out",
            str(tmp_path / "out"),
            "--store",
            str(tmp_path / "store"),
            "--run-date",
            f"{year}-{int(month) + 1:02d}-02",
            "-q",
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert set(manifest["parameters_not_verified"]) & FFE == listed
