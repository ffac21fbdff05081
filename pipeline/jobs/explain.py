"""``payroll explain``: the path of one employee-month's figure, read from the run store or
recomputed from a batch folder by the monthly job.

- ``withholding``: the withholding-tax decision, as the run decided it
  (:func:`pipeline.rules.withholding.explain_employee` on the ``withholding_decisions`` table);
- ``work-bonus`` and ``csss``: the month's work bonus or CSSS, recomputed on the employee's payroll
  line by the function the monthly job uses (:func:`pipeline.rules.deductions.month_deductions`),
  then explained by the rule (:func:`~pipeline.rules.work_bonus.explain_work_bonus`,
  :func:`~pipeline.rules.csss.explain_csss`); the explanation says so when the figure the run
  stored differs;
- ``structural``: the structural reduction of the employee's occupations in the quarter of the
  period, computed by the DmfA aggregation from the quarter's three stored months
  (:func:`~pipeline.rules.structural_reduction.explain_structural_reduction`).

Every number shown is a column of the rule's output: the explanations hold no arithmetic.
An employee with no line in the period stops with :class:`ExplainError` (one line, exit 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipeline.core.params import Parameters
from pipeline.core.periods import month
from pipeline.declarations.dmfa.aggregate import aggregate_quarter
from pipeline.errors import PayrollError, RunStoreError
from pipeline.jobs import monthly
from pipeline.jobs.quarterly import read_quarter
from pipeline.outputs.run_store import RunStore
from pipeline.rules.csss import explain_csss
from pipeline.rules.deductions import month_deductions
from pipeline.rules.structural_reduction import explain_structural_reduction
from pipeline.rules.withholding import WithholdingResult, explain_employee
from pipeline.rules.work_bonus import explain_work_bonus

WHAT = ("withholding", "work-bonus", "csss", "structural")
"""The figures ``payroll explain --what`` explains."""

TABLES = ("payroll_lines", "guaranteed_wage_days", "withholding_decisions", "employees", "pay")
"""What an explanation of a month reads: the run's tables and the month's validated inputs."""

EMPLOYEE_COLUMNS = ("employee_id", "weekly_work_days", "contract_start", "contract_end", "household")
PAY_COLUMNS = ("employee_id", "paid_hours", "full_time_hours")


class ExplainError(PayrollError):
    """Nothing to explain: the employee has no line in the period, or the figure cannot be explained
    from what was given."""


@dataclass(frozen=True)
class MonthRun:
    """One month as the run computed it: its tables (:data:`TABLES`) and its rejects."""

    period: str
    tables: dict[str, pl.DataFrame]
    rejects: pl.DataFrame


def stored_month(store: RunStore, period: str) -> MonthRun:
    """The month's tables from the run store (raises :class:`RunStoreError` when it holds no run of it)."""
    found = {name: store.read(name, [period]) for name in TABLES}
    if found["payroll_lines"] is None:
        raise RunStoreError(f"no run of {period} in the run store {store.root}; use --input to recompute")
    empty = pl.DataFrame(schema={"employee_id": pl.String, "date": pl.Date, "service_code": pl.Int32})
    found["guaranteed_wage_days"] = (
        found["guaranteed_wage_days"] if found["guaranteed_wage_days"] is not None else empty
    )
    return MonthRun(period, found, pl.DataFrame(schema={"employee_id": pl.String}))


def recomputed_month(
    input_dir: Path, period: str, params: Parameters, store: RunStore, profile: str = "canonical"
) -> MonthRun:
    """The month recomputed from a batch folder by the monthly job's steps (nothing written)."""
    _, raw = monthly.load(input_dir, profile)
    tables, kept, _ = monthly.check_and_compute(raw, period, params, store)
    found = {name: tables[name] if name in tables else kept[name] for name in TABLES}
    return MonthRun(period, found, tables["rejects"])


def _rejected(run: MonthRun, employee_id: str, what: str) -> str | None:
    """Why an employee of the input has no line (its rejects), or None; raises :class:`ExplainError`
    for an employee the period does not know."""
    why = run.rejects.filter(pl.col("employee_id") == employee_id)
    if why.height == 0:
        staff = run.tables["employees"]
        if staff is not None and not staff.filter(pl.col("employee_id") == employee_id).height:
            count = staff.get_column("employee_id").n_unique()
            raise ExplainError(f"employee {employee_id}: not among the {count} employees of {run.period}")
        raise ExplainError(f"employee {employee_id}: no payroll line in {run.period}")
    lines = [f"No {what} for employee {employee_id} in {run.period}: input rejected"]
    for r in why.iter_rows(named=True):
        lines.append(f"  {r['source_file']}:{r['source_line']} column {r['column']} ({r['check']}): {r['message']}")
    return "\n".join(lines)


def _line(run: MonthRun, employee_id: str) -> pl.DataFrame:
    """The employee's payroll line of the month with the employee and pay columns the deduction
    rules read (the same columns the monthly job gives them)."""
    tables = run.tables
    one = pl.col("employee_id") == employee_id
    pay = tables["pay"].filter(one & (pl.col("period") == run.period)).select(PAY_COLUMNS)
    return (
        tables["payroll_lines"]
        .filter(one & (pl.col("period") == run.period))
        .drop("household", strict=False)
        .join(tables["employees"].filter(one).select(EMPLOYEE_COLUMNS), on="employee_id", how="left")
        .join(pay, on="employee_id", how="left")
    )


def _deduction(run: MonthRun, employee_id: str, what: str, params: Parameters) -> str:
    line = _line(run, employee_id)
    label = "work bonus" if what == "work-bonus" else "CSSS"
    if line.height == 0:
        return _rejected(run, employee_id, label)
    days = run.tables["guaranteed_wage_days"].filter(pl.col("employee_id") == employee_id)
    found = month_deductions(line, days, params, month(run.period).start)
    column = "work_bonus" if what == "work-bonus" else "csss"
    row = (found.work_bonus if what == "work-bonus" else found.csss).row(0, named=True)
    text = explain_work_bonus(row, params) if what == "work-bonus" else explain_csss(row, params)
    stored = line.get_column(column)[0] if column in line.columns else None
    if stored is not None and stored != row[column]:
        text += (
            f"\nNote: the run's payroll line shows {column} = {stored:,.2f} (computed with other code or parameters)"
        )
    return text


def _structural(store: RunStore, employee_id: str, period: str, params: Parameters) -> str:
    quarter = month(period).quarter.text
    agg = aggregate_quarter(read_quarter(store, quarter), params)
    rows = agg.structural_reduction.filter(pl.col("employee_id") == employee_id).sort("employer_id", "occupation")
    if rows.height == 0:
        raise ExplainError(f"employee {employee_id}: no occupation under Belgian ONSS in {quarter}")
    # the rule's worker_id holds the national number: the explanation names the employee instead
    shown = rows.with_columns(pl.col("employee_id").alias("worker_id"))
    return "\n\n".join(explain_structural_reduction(r, params) for r in shown.iter_rows(named=True))


def explain(
    what: str,
    employee_id: str,
    period: str,
    params: Parameters,
    store: RunStore,
    input_dir: Path | None = None,
    profile: str = "canonical",
) -> str:
    """The explanation of ``what`` (one of :data:`WHAT`) for one employee and month.

    ``input_dir``: recompute the month from this batch folder instead of reading the run store
    (not for ``structural``, which is computed on a quarter of the store)."""
    if what not in WHAT:
        raise ExplainError(f"--what must be one of {', '.join(WHAT)}, not {what!r}")
    if what == "structural":
        if input_dir is not None:
            raise ExplainError("--what structural is computed on a quarter: it reads the run store, not --input")
        return _structural(store, employee_id, period, params)
    run = recomputed_month(input_dir, period, params, store, profile) if input_dir else stored_month(store, period)
    if what == "withholding":
        decisions = run.tables["withholding_decisions"]
        if decisions is None or not decisions.filter(pl.col("employee_id") == employee_id).height:
            _rejected(run, employee_id, "withholding decision")
        return explain_employee(WithholdingResult(decisions, run.rejects), employee_id, params)
    return _deduction(run, employee_id, what, params)
