"""Polars' allocator is tuned before polars is loaded, by every entry point (``pipeline.ALLOCATOR_TUNING``).

jemalloc reads ``_RJEM_MALLOC_CONF`` once, when polars' library is loaded: each check runs in a fresh
interpreter, which records the variable at the moment polars is first imported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import ALLOCATOR_TUNING

ROOT = Path(__file__).resolve().parents[2]

WATCH = """
import importlib.abc, json, os, sys
seen = {}
class Watch(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "polars" and "at_polars" not in seen:
            seen["at_polars"] = os.environ.get("_RJEM_MALLOC_CONF")
        return None
sys.meta_path.insert(0, Watch())
import %s
print(json.dumps(seen))
"""


def _seen(module: str, **env: str) -> dict:
    environ = {k: v for k, v in os.environ.items() if k != "_RJEM_MALLOC_CONF"} | env
    done = subprocess.run(
        [sys.executable, "-c", WATCH % module], cwd=ROOT, env=environ, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "module", ["pipeline.cli", "pipeline.jobs.monthly", "flows.monthly_payroll", "flows.quarterly_dmfa"]
)
def test_every_entry_sets_the_tuning_before_polars_loads(module):
    assert _seen(module) == {"at_polars": ALLOCATOR_TUNING}


def test_a_setting_already_made_is_kept():
    assert _seen("pipeline.cli", _RJEM_MALLOC_CONF="") == {"at_polars": ""}
