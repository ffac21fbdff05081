"""The audit tables a payroll officer checks the quarter's declarations with (NISS masked).

- ``dmfa_worker_lines``: one row per worker line: days per service code, remuneration code 1,
  the worker-code contribution with its cap, the CSSS, the quarter's total and its
  reconciliation, each deduction (work bonus 0001, structural reduction 3000 of its occupations)
  and the net amount owed;
- ``dmfa_occupations``, ``dmfa_services``: as declared per occupation (with the occupation's
  structural reduction and the figures it was computed from);
- ``dmfa_contributions``: one row per WorkerContribution block (worker code and type) with the
  contributions it groups, their parameters, the basis and the cap;
- ``dmfa_reconciliation``: each block against the three monthly runs.

National numbers are masked (last two digits shown) in every table: the declaration itself is the
only file that carries them.
"""

from __future__ import annotations

import polars as pl

from pipeline.core.money import MONEY
from pipeline.core.rejects import mask_expr
from pipeline.declarations.dmfa.aggregate import QuarterAggregate
from pipeline.declarations.dmfa.forms import CSSS_CODE, WORK_BONUS_CODE
from pipeline.declarations.dmfa.occupations import SERVICE_CODES
from pipeline.declarations.dmfa.quarter import DAYS, WORKER_LINE_KEY

TABLES = ("dmfa_worker_lines", "dmfa_occupations", "dmfa_services", "dmfa_contributions", "dmfa_reconciliation")
_PERSON = [*WORKER_LINE_KEY, "natural_person_seq"]
_LINE_SORT = ["employer_id", "natural_person_seq", "worker_code"]
_CONTRIBUTION_SORT = [*_LINE_SORT, "contribution_worker_code", "contribution_type"]
_LINE_SUMS = (
    "contribution_basis",
    "worker_code_amount",
    "worker_code_cap_relief",
    "total_contributions",
    "monthly_worker",
    "monthly_employer",
    "rounding_regularisation",
    "cap_relief",
    "csss",
    "work_bonus",
    "structural_reduction",
)


def _masked(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(mask_expr(pl.col("niss")).alias("niss"))


def _who(agg: QuarterAggregate, employees: str) -> list[str | pl.Expr]:
    """The first columns of every table: employer, quarter, person and names (``employees``:
    ``employee_id`` per occupation, ``employee_ids`` per worker line)."""
    return [
        "employer_id",
        pl.lit(agg.quarter).alias("quarter"),
        "natural_person_seq",
        employees,
        "last_name",
        "first_name",
    ]


def _persons(agg: QuarterAggregate) -> pl.DataFrame:
    return agg.worker_lines.select(*_PERSON, "employee_ids", "last_name", "first_name")


def _line_sums(agg: QuarterAggregate) -> pl.DataFrame:
    """Per worker line: its own worker-code block (amount, cap relief) and the sums of all blocks."""
    own_code = pl.col("contribution_worker_code") == pl.col("worker_code")
    return agg.reconciliation.group_by(WORKER_LINE_KEY).agg(
        *[pl.col(c).filter(own_code).sum().cast(MONEY).alias(f"worker_code_{c}") for c in ("amount", "cap_relief")],
        pl.col("amount").filter(pl.col("contribution_worker_code") == CSSS_CODE).sum().cast(MONEY).alias("csss"),
        pl.col("amount").sum().cast(MONEY).alias("total_contributions"),
        pl.col("monthly_worker").sum().cast(MONEY).alias("monthly_worker"),
        pl.col("monthly_employer").sum().cast(MONEY).alias("monthly_employer"),
        pl.col("rounding_regularisation").sum().cast(MONEY).alias("rounding_regularisation"),
        pl.col("cap_relief").sum().cast(MONEY).alias("cap_relief"),
    )


def _deduction_sums(agg: QuarterAggregate) -> pl.DataFrame:
    """Per worker line: its work bonus (0001) and the structural reduction (3000) of its occupations."""
    bonus = agg.worker_deductions.filter(pl.col("deduction_code") == WORK_BONUS_CODE)
    return (
        bonus.group_by(WORKER_LINE_KEY)
        .agg(pl.col("amount").sum().cast(MONEY).alias("work_bonus"))
        .join(
            agg.structural_reduction.group_by(WORKER_LINE_KEY).agg(
                pl.col("structural_reduction").sum().cast(MONEY).alias("structural_reduction")
            ),
            on=WORKER_LINE_KEY,
            how="full",
            coalesce=True,
        )
    )


def _days(agg: QuarterAggregate) -> pl.DataFrame:
    """Per worker line, the days of each service code."""
    return (
        agg.services.join(
            agg.occupations.select("employee_id", "occupation_no", *WORKER_LINE_KEY),
            on=["employee_id", "occupation_no"],
        )
        .group_by(WORKER_LINE_KEY)
        .agg(
            *[
                pl.col("days").filter(pl.col("service_code") == c).sum().cast(DAYS).alias(f"days_code{c}")
                for c in SERVICE_CODES
            ]
        )
    )


def worker_lines_table(agg: QuarterAggregate) -> pl.DataFrame:
    """``dmfa_worker_lines``."""
    own_code = agg.contributions.filter(pl.col("contribution_worker_code") == pl.col("worker_code")).select(
        *WORKER_LINE_KEY, pl.col("basis").alias("contribution_basis"), "basis_capped", "employer_cap_quarter"
    )
    table = (
        agg.worker_lines.join(_days(agg), on=WORKER_LINE_KEY, how="left")
        .join(own_code, on=WORKER_LINE_KEY, how="left")
        .join(_line_sums(agg), on=WORKER_LINE_KEY, how="left")
        .join(_deduction_sums(agg), on=WORKER_LINE_KEY, how="left")
        .with_columns(
            *[pl.col(f"days_code{c}").fill_null(pl.lit(0, DAYS)) for c in SERVICE_CODES],
            *[pl.col(c).fill_null(pl.lit(0, MONEY)) for c in _LINE_SUMS],
        )
        .with_columns((pl.col("work_bonus") + pl.col("structural_reduction")).cast(MONEY).alias("total_deductions"))
        .with_columns((pl.col("total_contributions") - pl.col("total_deductions")).cast(MONEY).alias("net_owed_amount"))
    )
    return table.select(
        *_who(agg, "employee_ids"),
        "niss",
        "worker_code",
        "worker_status",
        pl.col("employer_category").alias("employer_class"),
        "border",
        "residence_country",
        "work_country",
        "occupations",
        *[f"days_code{c}" for c in SERVICE_CODES],
        "remuneration_code1",
        "contribution_basis",
        "employer_cap_quarter",
        "basis_capped",
        pl.col("worker_code_amount").alias("worker_code_contribution"),
        pl.col("worker_code_cap_relief").alias("worker_code_cap_relief"),
        "csss",
        "total_contributions",
        "monthly_worker",
        "monthly_employer",
        "rounding_regularisation",
        "cap_relief",
        "work_bonus",
        "structural_reduction",
        "total_deductions",
        "net_owed_amount",
    ).sort(_LINE_SORT)


STRUCTURAL_COLUMNS = (
    "performance_basis",
    "reference_wage",
    "mu",
    "mu_glob",
    "beta",
    "employer_contributions",
    "structural_reduction",
)
"""The structural-reduction figures shown per occupation (``payroll explain --what structural`` shows the path)."""


def occupations_table(agg: QuarterAggregate) -> pl.DataFrame:
    """``dmfa_occupations``."""
    reduction = agg.structural_reduction.select(*WORKER_LINE_KEY, "occupation_seq", *STRUCTURAL_COLUMNS)
    return (
        agg.occupations.join(_persons(agg).select(_PERSON), on=WORKER_LINE_KEY)
        .join(reduction, on=[*WORKER_LINE_KEY, "occupation_seq"], how="left")
        .select(
            *_who(agg, "employee_id"),
            "niss",
            "worker_code",
            "occupation_seq",
            "months",
            "start",
            "end",
            "span_start",
            "span_end",
            "contract_type",
            "contract_start",
            "contract_end",
            pl.col("dmfa_contract_type"),
            "work_fraction",
            "weekly_work_days",
            "joint_committee",
            "ref_mean_working_hours",
            "mean_working_hours",
            pl.col("remuneration").alias("remuneration_code1"),
            pl.col("performance_basis").cast(pl.String),
            *STRUCTURAL_COLUMNS[1:],
        )
        .sort(*_LINE_SORT, "occupation_seq")
    )


def services_table(agg: QuarterAggregate) -> pl.DataFrame:
    """``dmfa_services``."""
    occ = agg.occupations.select(
        "employee_id", "occupation_no", *WORKER_LINE_KEY, "occupation_seq", "last_name", "first_name"
    )
    return (
        agg.services.join(occ, on=["employee_id", "occupation_no"])
        .join(_persons(agg).select(_PERSON), on=WORKER_LINE_KEY)
        .select(
            *_who(agg, "employee_id"),
            "niss",
            "worker_code",
            "occupation_seq",
            "service_code",
            "days",
            "hours",
        )
        .sort(*_LINE_SORT, "occupation_seq", "service_code")
    )


def contributions_table(agg: QuarterAggregate) -> pl.DataFrame:
    """``dmfa_contributions``."""
    return (
        agg.contributions.join(_persons(agg), on=WORKER_LINE_KEY)
        .select(
            *_who(agg, "employee_ids"),
            "niss",
            "worker_code",
            "contribution_worker_code",
            "contribution_type",
            "contributions",
            "parameters",
            "basis",
            "employer_cap_quarter",
            "basis_capped",
            "rate",
            "amount_uncapped",
            "cap_relief",
            "amount",
            "worker_part",
        )
        .sort(_CONTRIBUTION_SORT)
    )


def reconciliation_table(agg: QuarterAggregate) -> pl.DataFrame:
    """``dmfa_reconciliation``."""
    recon = agg.reconciliation
    return (
        recon.join(_persons(agg), on=WORKER_LINE_KEY, how="left")
        .select(
            *_who(agg, "employee_ids"),
            *[c for c in recon.columns if c != "employer_id"],
        )
        .sort(_CONTRIBUTION_SORT)
    )


def audit_tables(agg: QuarterAggregate) -> dict[str, pl.DataFrame]:
    """The five audit tables of the quarter, NISS masked."""
    built = {
        "dmfa_worker_lines": worker_lines_table(agg),
        "dmfa_occupations": occupations_table(agg),
        "dmfa_services": services_table(agg),
        "dmfa_contributions": contributions_table(agg),
        "dmfa_reconciliation": reconciliation_table(agg),
    }
    return {name: _masked(built[name]) for name in TABLES}
