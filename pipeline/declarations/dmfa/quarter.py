"""The quarter a DmfA declaration covers: what the quarterly export reads, the choices the input
cannot give, and the keys and column types the aggregation modules share.

A DmfA declaration is made per employer and quarter, with one worker line per person and worker
code; contributions are computed per worker line (ONSS DmfA administrative instructions, "Le
concept de DmfA",
https://www.socialsecurity.be/employer/instructions/dmfa/fr/latest/instructions/fill_in_dmfa/generalprinciples.html).
Zone numbers in brackets are those of the ONSS DmfA glossary.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from pipeline.core.money import RATIO
from schemas.inputs import INPUTS

DEFAULT_JOINT_COMMITTEE = {"blue_collar": "100", "white_collar": "200"}
"""JointCommissionNbr [00046] when the input gives none: the auxiliary joint committees for
blue collars (CP 100) and white collars (CP 200). Override with ``DmfaOptions``."""

WORKER_LINE_KEY = ["employer_id", "niss", "worker_code"]
"""A worker line: employer, person (NISS) and worker code."""
CONTRIBUTION_KEY = [*WORKER_LINE_KEY, "contribution_worker_code", "contribution_type"]
"""A WorkerContribution block: ContributionWorkerCode [00082] and ContributionType [00083] of a worker line."""
OCCUPATION_ATTRIBUTES = [
    "employer_id",
    "worker_code",
    "contract_type",
    "contract_start",
    "contract_end",
    "work_fraction",
    "weekly_work_days",
]
"""The monthly snapshot columns whose change starts a new occupation."""
HISTORY_COLUMNS = ["employee_id", "employer_id", "worker_status", *OCCUPATION_ATTRIBUTES[2:]]
"""The employee snapshot columns of earlier stored months that date the start of an occupation."""
HOURS = pl.Decimal(18, 2)
DAYS = pl.Decimal(18, 2)


@dataclass(frozen=True)
class QuarterInput:
    """What the quarterly export reads from the run store (``pipeline.jobs.quarterly.read_quarter``)."""

    quarter: str
    payroll_lines: pl.DataFrame
    contribution_lines: pl.DataFrame
    guaranteed_wage_days: pl.DataFrame | None
    employees: pl.DataFrame  # month snapshots, with ``period``
    employers: pl.DataFrame | None  # month snapshots, with ``period``
    history_employees: pl.DataFrame | None = None  # snapshots of stored months before the quarter
    source_runs: dict[str, dict[str, Any]] = field(default_factory=dict)  # period -> run id, run date


@dataclass(frozen=True)
class DmfaOptions:
    """Choices the input cannot give (docs/dmfa.md, "Quarterly aggregation").

    ``joint_committee``: default JointCommissionNbr per worker_status;
    ``joint_committees``: optional frame (employer_id, worker_status, joint_committee) overriding it.
    """

    joint_committee: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_JOINT_COMMITTEE))
    joint_committees: pl.DataFrame | None = None


def schedule_columns() -> list[pl.Expr]:
    """work_fraction and weekly_work_days of an employee snapshot, with the employees input's
    defaults (data contract) where a snapshot has none."""
    default = {c.name: c.default for c in INPUTS["employees"].columns}
    return [
        pl.col("work_fraction").fill_null(pl.lit(default["work_fraction"]).cast(RATIO)).cast(RATIO),
        pl.col("weekly_work_days").fill_null(int(default["weekly_work_days"])).cast(pl.Int8),
    ]
