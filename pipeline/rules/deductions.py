"""The month's work bonus and CSSS of the payroll lines (data-contract computations 3b and 3c):
what :mod:`pipeline.rules.work_bonus` and :mod:`pipeline.rules.csss` read, taken from the payroll
lines of a month, and their results, one row per line in the lines' order.

- Subject to Belgian social security = the line has an ONSS base: a worker employed abroad (on a
  foreign payroll, Regulation (EC) No 883/2004 art. 11(3)(a)) has none, owes no personal 13.07 %
  and so gets no work bonus, and owes no CSSS. Frontier workers living abroad and working in
  Belgium are on the Belgian payroll: they owe both (ONSS DmfA instructions, "La cotisation
  spéciale pour la sécurité sociale": the condition is the subjection, not the residence).
- The work bonus is capped at the month's personal contribution: the 13.07 % line
  (:func:`pipeline.rules.contributions.rate_amount`, the amount the ``worker_onss`` line carries).
- Its incomplete months count as unpaid the contract's scheduled days with a guaranteed-wage day
  under DmfA service code 10, 11 or 50 (second week of guaranteed pay, incapacity with the CCT
  12bis/13bis complement, sickness paid by the mutuality): days not covered by pay subject to
  ONSS (ONSS DmfA instructions "Le bonus à l'emploi": the fraction counts the days covered by
  such pay), the same days the DmfA declares under those codes.

The monthly job and ``payroll explain`` both call :func:`month_deductions`, so an explanation
shows the figures the run computed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from pipeline.core.params import Parameters
from pipeline.rules.contributions import computed_columns, rate_amount
from pipeline.rules.csss import compute_csss
from pipeline.rules.guaranteed_wage import G100, SERVICE_CODE, SERVICE_CODE_MUTUALITY
from pipeline.rules.work_bonus import compute_work_bonus

UNPAID_SERVICE_CODES = tuple(
    sorted({c for c in SERVICE_CODE.values() if c != SERVICE_CODE[G100]} | {SERVICE_CODE_MUTUALITY})
)
"""DmfA service codes of the incapacity days not covered by pay subject to ONSS: 10 (guaranteed pay
of the second week), 11 (incapacity with the CCT 12bis/13bis complement) and 50 (sickness, the
mutuality pays), taken from the guaranteed-wage rule so that both agree."""

LINE_COLUMNS = (
    "employee_id",
    "period",
    "worker_status",
    "gross_salary",
    "guaranteed_wage_onss",
    "onss_base",
    "work_fraction",
    "weekly_work_days",
    "contract_start",
    "contract_end",
    "paid_hours",
    "full_time_hours",
    "household",
)
"""The columns of the payroll lines (with their employee and pay columns) the two rules read."""


@dataclass(frozen=True)
class MonthDeductions:
    """The rules' output tables, one row per payroll line, in the lines' order."""

    work_bonus: pl.DataFrame  # pipeline.rules.work_bonus.OUTPUT_SCHEMA
    csss: pl.DataFrame  # pipeline.rules.csss.OUTPUT_SCHEMA

    def tables(self) -> dict[str, pl.DataFrame]:
        """The tables by rule name (``Computed.rule`` of the contribution declarations)."""
        return {"work_bonus": self.work_bonus, "csss": self.csss}


def unpaid_days(days: pl.DataFrame) -> pl.DataFrame:
    """Per employee, the scheduled working days of the guaranteed-wage table (``days``, the run
    month's days) under a service code of :data:`UNPAID_SERVICE_CODES`."""
    working = pl.col("working_day").fill_null(False) if "working_day" in days.columns else pl.lit(True)
    return (
        days.filter(pl.col("service_code").is_in(list(UNPAID_SERVICE_CODES)) & working)
        .group_by("employee_id")
        .agg(pl.len().cast(pl.Int32).alias("unpaid_days"))
    )


def month_deductions(
    lines: pl.DataFrame, days: pl.DataFrame, params: Parameters, on: dt.date, line_columns_only: bool = False
) -> MonthDeductions:
    """The work bonus and the CSSS of every line of ``lines`` (one month, the columns of
    :data:`LINE_COLUMNS`; ``onss_base`` null for a worker not under Belgian social security),
    with ``days`` the month's guaranteed-wage days (employee_id, service_code, working_day) and
    ``on`` the month's first day.

    ``line_columns_only``: each table holds only what the contribution lines take from it
    (employee_id and the ``Computed`` columns of the declarations), which is what the monthly job
    keeps; the rest of each rule's path (the explanation's figures) is then never computed."""
    subject = pl.col("onss_base").is_not_null()
    frame = (
        lines.select(LINE_COLUMNS)
        .join(unpaid_days(days), on="employee_id", how="left", maintain_order="left")
        .with_columns(
            pl.col("unpaid_days").fill_null(0),
            subject.alias("owes_personal_contribution"),
            subject.alias("belgian_social_security"),
            rate_amount("worker_onss", params, on).alias("worker_onss"),
        )
    )
    wanted = computed_columns()

    def columns(rule: str) -> tuple[str, ...] | None:
        return ("employee_id", *wanted[rule]) if line_columns_only else None

    return MonthDeductions(
        compute_work_bonus(frame, params, columns("work_bonus")), compute_csss(frame, params, columns("csss"))
    )
