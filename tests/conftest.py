"""Shared fixtures. Prefect flow tests share ONE session-scoped test harness (a temporary
server takes ~15 s to start); everything else runs without Prefect."""

from __future__ import annotations

import os
from pathlib import Path

# hypothesis is imported here, in the main thread: pandera imports it on its first validation, which may
# run on a worker thread, and CPython 3.11.7 can fail pytest's rewriting of a module imported on a
# thread while another thread compiles ("SystemError: AST constructor recursion depth mismatch").
import hypothesis  # noqa: F401
import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"
SHARED = ROOT.parent / "shared"

os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


@pytest.fixture(scope="session")
def prefect_harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
