"""The output contract (docs/data-contract.md "Outputs"): every table a run writes, its columns
and their polars types, in the fixed column order of the files, declared once.

- Monthly run (``payroll run``): ``payroll_lines``, ``contribution_lines``,
  ``guaranteed_wage_days``, ``onem_allowance``, ``withholding_decisions``, ``parameters`` and
  ``rejects``, as Parquet and CSV. The first five are also the run-store tables that are not
  inputs (``<store>/<table>/period=YYYY-MM/data.parquet``, same types: :attr:`OutputSpec.stored`).
  The run store also keeps the month's validated inputs: :func:`stored_input_schema`.
- Quarterly DmfA export (``payroll dmfa``): the audit tables ``dmfa_worker_lines``,
  ``dmfa_occupations``, ``dmfa_services``, ``dmfa_contributions`` and ``dmfa_reconciliation``
  (one quarter per file; national numbers masked).
- Semester claims (``payroll claims``): ``onem_claims`` (one semester per file). Its six month
  columns are named after the semester's months (``2026-07`` ... ``2026-12``): the declaration
  holds the placeholders :data:`CLAIM_MONTHS`, :func:`claims_spec` gives a semester's table.

Rows are sorted by :attr:`OutputSpec.key`, which also identifies a row within one file.

**Enum of text.** Some text columns are written as a polars ``Enum`` (an Arrow dictionary in
Parquet) whose vocabulary is not fixed by the contract but by the period: ``parameter`` and
``source`` list the legal parameters in force on the period's first day and their citations,
``contribution``, ``payer``, ``kind`` and ``dmfa_code`` the contributions declared in the code.
They are declared here as :data:`ENUM_OF_TEXT`; :meth:`OutputSpec.schema` turns them into a
``pl.Enum`` of the vocabulary the caller gives (or into plain text, as the run store reads them
back), and :func:`check` accepts any ``pl.Enum`` for them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Union

import polars as pl

from pipeline.core.money import MONEY, RATIO, SHARE, WIDE
from pipeline.core.params import IN_FORCE_CITATIONS, IN_FORCE_SCHEMA
from pipeline.core.periods import semester_periods
from pipeline.core.rejects import REJECT_KEY, REJECT_SCHEMA
from pipeline.errors import PayrollError
from schemas.inputs import INPUTS, typed


class EnumOfText:
    """Type marker of a text column written as a ``pl.Enum`` whose vocabulary depends on the period."""

    def __repr__(self) -> str:
        return "enum of text"


ENUM_OF_TEXT = EnumOfText()

ColumnType = Union[pl.DataType, EnumOfText]

RATE = pl.Decimal(18, 8)
"""A contribution rate as applied (``contribution_lines.rate``, ``dmfa_contributions.rate``)."""
DAYS_HOURS = pl.Decimal(18, 2)
"""DmfA day and hour counts (quantities with two decimals, DmfA glossary zones 00053 and 00054)."""
BEF = pl.Decimal(18, 0)
"""ONEM band amounts in whole Belgian francs (``onem_allowance.band_bef``)."""
SOURCE_COLUMNS: dict[str, pl.DataType] = {"source_file": pl.String, "source_line": pl.Int64}
"""Where every stored input row comes from (file name and 1-based line)."""


class OutputSchemaError(PayrollError):
    """A frame does not have the columns, types or column order its output table declares."""


@dataclass(frozen=True)
class OutputSpec:
    """One output table: name, key (sort order), columns and types in file order."""

    name: str
    written_by: str  # monthly | quarterly | claims: the job that writes it
    key: tuple[str, ...]
    types: tuple[tuple[str, ColumnType], ...]
    stored: bool = False  # also a run-store table (written per period, read back by later runs)

    @property
    def columns(self) -> tuple[str, ...]:
        """Column names in file order."""
        return tuple(name for name, _ in self.types)

    @property
    def enum_columns(self) -> tuple[str, ...]:
        """The columns declared :data:`ENUM_OF_TEXT`."""
        return tuple(name for name, dtype in self.types if isinstance(dtype, EnumOfText))

    def schema(
        self, vocabularies: Mapping[str, pl.Enum | Iterable[str]] | None = None, *, plain_text: bool = False
    ) -> dict[str, pl.DataType]:
        """Column name -> polars type, in file order.

        Each :data:`ENUM_OF_TEXT` column takes its vocabulary from ``vocabularies`` (a ``pl.Enum``
        or the values, sorted here), or becomes ``pl.String`` with ``plain_text=True`` (how the
        run store reads them back). An enum column with neither is refused: its vocabulary is the
        period's, never guessed.
        """
        vocabularies = dict(vocabularies or {})
        unknown = sorted(set(vocabularies) - set(self.enum_columns))
        if unknown:
            raise OutputSchemaError(f"{self.name}: {unknown} are not enum-of-text columns {list(self.enum_columns)}")
        out: dict[str, pl.DataType] = {}
        for name, dtype in self.types:
            if not isinstance(dtype, EnumOfText):
                out[name] = dtype
            elif name in vocabularies:
                vocabulary = vocabularies[name]
                out[name] = vocabulary if isinstance(vocabulary, pl.Enum) else pl.Enum(sorted(set(vocabulary)))
            elif plain_text:
                out[name] = pl.String
            else:
                raise OutputSchemaError(
                    f"{self.name}.{name} is an enum of text whose vocabulary depends on the period: "
                    "pass its vocabulary, or plain_text=True"
                )
        return out

    def empty(
        self, vocabularies: Mapping[str, pl.Enum | Iterable[str]] | None = None, *, plain_text: bool = False
    ) -> pl.DataFrame:
        """A frame with no row and the table's columns and types (see :meth:`schema`)."""
        return pl.DataFrame(schema=self.schema(vocabularies, plain_text=plain_text))


def _spec(
    name: str, written_by: str, key: tuple[str, ...], types: dict[str, ColumnType], stored: bool = False
) -> OutputSpec:
    missing = [k for k in key if k not in types]
    if missing:  # a declaration error, caught at import
        raise OutputSchemaError(f"{name}: key columns {missing} are not columns of the table")
    return OutputSpec(name, written_by, key, tuple(types.items()), stored)


PAYROLL_LINES = _spec(
    "payroll_lines",
    "monthly",
    ("employee_id", "period"),
    {
        "employee_id": pl.String,
        "period": pl.String,
        "employer_id": pl.String,
        "worker_code": pl.String,
        "worker_status": pl.String,
        "residence_country": pl.String,
        "work_country": pl.String,
        "work_fraction": RATIO,
        "household": pl.String,  # as given (null: none given; the CSSS then uses the single scale)
        "gross_salary": MONEY,
        "guaranteed_wage_onss": MONEY,
        "guaranteed_wage_exempt": MONEY,
        "onss_base": MONEY,
        "worker_contribution": MONEY,  # the 13.07 % line after the work bonus
        "work_bonus": MONEY,  # positive: the amount deducted (DmfA 0001)
        "employer_contribution": MONEY,
        "csss": MONEY,  # withheld besides worker_contribution (DmfA 856)
        "withholding_applies": pl.Boolean,
        "withholding_reason": pl.String,
        "taxable_share_be": SHARE,
        "regularisation_required": pl.Boolean,
        "regularisation_periods": pl.String,
        "onem_allowance": MONEY,
        "days_worked_be": pl.Int32,
        "days_worked_residence": pl.Int32,
        "days_worked_other": pl.Int32,
        "zone_exit_days": pl.Int32,
    },
    stored=True,
)

CONTRIBUTION_LINES = _spec(
    "contribution_lines",
    "monthly",
    ("employee_id", "period", "contribution"),
    {
        "employee_id": pl.String,
        "period": pl.String,
        "contribution": ENUM_OF_TEXT,  # the contributions declared in the code
        "payer": ENUM_OF_TEXT,  # worker / employer
        "kind": ENUM_OF_TEXT,  # due / accrual / deduction / withheld
        "dmfa_code": ENUM_OF_TEXT,  # worker codes, special-contribution codes, deduction code 0001
        "base": MONEY,
        "rate": RATE,  # null on the lines a rule computes (work bonus, CSSS)
        "amount": MONEY,
        "parameter": ENUM_OF_TEXT,  # the parameters in force on the period's first day
        "source": ENUM_OF_TEXT,  # their citations, parameter@effective_from [status]
    },
    stored=True,
)

GUARANTEED_WAGE_DAYS = _spec(
    "guaranteed_wage_days",
    "monthly",
    ("employee_id", "date"),
    {
        "employee_id": pl.String,
        "date": pl.Date,
        "episode_start": pl.Date,
        "day_rank": pl.Int32,
        "band": pl.String,
        "payer": pl.String,
        "rate": RATIO,
        "amount": MONEY,
        "onss_subject": pl.Boolean,
        "service_code": pl.Int32,
        "episode_end": pl.Date,
        "episode_day": pl.Int32,
        "chain_start": pl.Date,
        "relapse": pl.Boolean,
        "regime": pl.String,
        "working_day": pl.Boolean,
        "public_holiday": pl.Boolean,
        "daily_wage": MONEY,
        "daily_ceiling": RATIO,
        "rate_above_ceiling": RATIO,
        "absence_source_file": pl.String,
        "absence_source_line": pl.Int64,
    },
    stored=True,
)

ONEM_ALLOWANCE = _spec(
    "onem_allowance",
    "monthly",
    ("employee_id", "period"),
    {
        "employee_id": pl.String,
        "period": pl.String,
        "country": pl.String,
        "semester": pl.String,
        "fte_wage": WIDE,
        "fte_wage_national": WIDE,
        "band": pl.Int8,
        "band_bef": BEF,
        "amount": MONEY,
        "eligible": pl.Boolean,
        "reason": pl.String,
        "claim_deadline": pl.Date,
        "part_time_reading": pl.String,
    },
    stored=True,
)

WITHHOLDING_DECISIONS = _spec(
    "withholding_decisions",
    "monthly",
    ("employee_id", "period"),
    {
        "employee_id": pl.String,
        "period": pl.String,
        "withholding_applies": pl.Boolean,
        "withholding_reason": pl.String,
        "table_row": pl.Int8,
        "taxable_share_be": SHARE,
        "taxable_share_basis": pl.String,
        "regularisation_required": pl.Boolean,
        "regularisation_periods": pl.String,
        # inputs of the decision, as used
        "residence_country": pl.String,
        "days_worked_be": pl.Int32,
        "days_worked_residence": pl.Int32,
        "days_worked_other": pl.Int32,
        "days_be_ytd": pl.Int32,
        "days_worked_ytd": pl.Int32,
        "fr_grandfathered": pl.Boolean,
        "fr_excluded_category": pl.String,
        "fr_seasonal": pl.Boolean,
        "fr_second_chance_used": pl.Boolean,
        "fr_276fg_year": pl.Int32,
        "fr_276fg_valid": pl.Boolean,
        "fr_regime_end": pl.Date,
        # calendar-year counters
        "fr_exit_days_ytd": pl.Int32,
        "fr_exit_limit": WIDE,
        "fr_exit_limit_formula": pl.String,
        "fr_days_employed_year": pl.Int32,
        "days_in_year": pl.Int32,
        "fr_first_excess_period": pl.String,
        "days_outside_be_ytd": pl.Int32,
        "lu_tolerance": pl.Int32,
        "ytd_periods": pl.String,
        "ytd_missing_periods": pl.String,
    },
    stored=True,
)

PARAMETERS = _spec(
    "parameters",
    "monthly",
    ("source",),
    # parameter, source: the same vocabularies as contribution_lines, so a line joins its reference
    {**dict.fromkeys(IN_FORCE_CITATIONS, ENUM_OF_TEXT), **IN_FORCE_SCHEMA},
)
"""``parameters``: its columns are declared with the table's builder, ``Parameters.in_force`` in
``pipeline.core.params`` (core code does not import ``schemas``)."""

REJECTS = _spec("rejects", "monthly", tuple(REJECT_KEY), dict(REJECT_SCHEMA))
"""``rejects``: declared with the reject rows themselves (``pipeline.core.rejects``, which every stage uses)."""

EMPLOYER_TOTALS = _spec(
    "employer_totals",
    "monthly",
    ("employer_id",),
    {
        "employer_id": pl.String,
        "name": pl.String,
        "headcount": pl.Int64,
        "gross_salary": MONEY,
        "onss_base": MONEY,
        "worker_contribution": MONEY,
        "work_bonus": MONEY,
        "employer_contribution": MONEY,
        "csss": MONEY,
        "due_to_onss": MONEY,
    },
)
"""``employer_totals``: one row per employer with payroll lines, the sums of its lines (the
report's recap, every employer): ``name`` from the employers input (null without one);
``work_bonus`` / ``csss`` null when the run does not compute them; ``due_to_onss`` =
worker_contribution + employer_contribution + csss."""

_PERSON: dict[str, ColumnType] = {
    "last_name": pl.String,
    "first_name": pl.String,
    "niss": pl.String,  # masked
    "worker_code": pl.String,
}

DMFA_WORKER_LINES = _spec(
    "dmfa_worker_lines",
    "quarterly",
    ("employer_id", "natural_person_seq", "worker_code"),
    {
        "employer_id": pl.String,
        "quarter": pl.String,
        "natural_person_seq": pl.Int64,
        "employee_ids": pl.String,
        **_PERSON,
        "worker_status": pl.String,
        "employer_class": pl.String,
        "border": pl.Int8,
        "residence_country": pl.String,
        "work_country": pl.String,
        "occupations": pl.Int64,
        "days_code1": DAYS_HOURS,
        "days_code10": DAYS_HOURS,
        "days_code11": DAYS_HOURS,
        "days_code50": DAYS_HOURS,
        "remuneration_code1": MONEY,
        "contribution_basis": MONEY,
        "employer_cap_quarter": MONEY,
        "basis_capped": MONEY,
        "worker_code_contribution": MONEY,
        "worker_code_cap_relief": MONEY,
        "csss": MONEY,  # WorkerContribution 856, the sum withheld
        "total_contributions": MONEY,
        "monthly_worker": MONEY,
        "monthly_employer": MONEY,
        "rounding_regularisation": MONEY,
        "cap_relief": MONEY,
        "work_bonus": MONEY,  # WorkerDeduction 0001
        "structural_reduction": MONEY,  # OccupationDeduction 3000, its occupations together
        "total_deductions": MONEY,
        "net_owed_amount": MONEY,  # total_contributions - total_deductions
    },
)

DMFA_OCCUPATIONS = _spec(
    "dmfa_occupations",
    "quarterly",
    ("employer_id", "natural_person_seq", "worker_code", "occupation_seq"),
    {
        "employer_id": pl.String,
        "quarter": pl.String,
        "natural_person_seq": pl.Int64,
        "employee_id": pl.String,
        **_PERSON,
        "occupation_seq": pl.Int64,
        "months": pl.String,
        "start": pl.Date,
        "end": pl.Date,
        "span_start": pl.Date,
        "span_end": pl.Date,
        "contract_type": pl.String,
        "contract_start": pl.Date,
        "contract_end": pl.Date,
        "dmfa_contract_type": pl.String,
        "work_fraction": RATIO,
        "weekly_work_days": pl.Int8,
        "joint_committee": pl.String,
        "ref_mean_working_hours": DAYS_HOURS,
        "mean_working_hours": DAYS_HOURS,
        "remuneration_code1": MONEY,
        # structural reduction, category 1 (OccupationDeduction 3000)
        "performance_basis": pl.String,  # complete / days / hours
        "reference_wage": WIDE,  # S, not rounded
        "mu": DAYS_HOURS,
        "mu_glob": DAYS_HOURS,
        "beta": WIDE,
        "employer_contributions": MONEY,  # the ceiling: the worker line's basic + moderation after the cap
        "structural_reduction": MONEY,
    },
)

DMFA_SERVICES = _spec(
    "dmfa_services",
    "quarterly",
    ("employer_id", "natural_person_seq", "worker_code", "occupation_seq", "service_code"),
    {
        "employer_id": pl.String,
        "quarter": pl.String,
        "natural_person_seq": pl.Int64,
        "employee_id": pl.String,
        **_PERSON,
        "occupation_seq": pl.Int64,
        "service_code": pl.Int32,
        "days": DAYS_HOURS,
        "hours": DAYS_HOURS,
    },
)

_CONTRIBUTION_KEY = (
    "employer_id",
    "natural_person_seq",
    "worker_code",
    "contribution_worker_code",
    "contribution_type",
)

DMFA_CONTRIBUTIONS = _spec(
    "dmfa_contributions",
    "quarterly",
    _CONTRIBUTION_KEY,
    {
        "employer_id": pl.String,
        "quarter": pl.String,
        "natural_person_seq": pl.Int64,
        "employee_ids": pl.String,
        **_PERSON,
        "contribution_worker_code": pl.String,
        "contribution_type": pl.String,
        "contributions": pl.String,
        "parameters": pl.String,
        "basis": MONEY,
        "employer_cap_quarter": MONEY,
        "basis_capped": MONEY,
        "rate": RATE,
        "amount_uncapped": MONEY,
        "cap_relief": MONEY,
        "amount": MONEY,
        "worker_part": MONEY,
    },
)

DMFA_RECONCILIATION = _spec(
    "dmfa_reconciliation",
    "quarterly",
    _CONTRIBUTION_KEY,
    {
        "employer_id": pl.String,
        "quarter": pl.String,
        "natural_person_seq": pl.Int64,
        "employee_ids": pl.String,
        **_PERSON,
        "contribution_worker_code": pl.String,
        "contribution_type": pl.String,
        "basis": MONEY,
        "monthly_worker": MONEY,
        "monthly_employer": MONEY,
        "monthly_total": MONEY,
        "rounding_regularisation": MONEY,
        "cap_relief": MONEY,
        "amount": MONEY,
        "worker_part_quarterly": MONEY,
        "worker_part_difference": MONEY,
        "employer_part_quarterly": MONEY,
        "employer_regularisation": MONEY,
    },
)

CLAIM_MONTHS = ("month_1", "month_2", "month_3", "month_4", "month_5", "month_6")
"""Placeholders of the month columns of ``onem_claims``; a claim file names them after its semester's
months, ``YYYY-MM`` (:func:`claims_spec`)."""

ONEM_CLAIMS = _spec(
    "onem_claims",
    "claims",
    ("employee_id", "country"),
    {
        "employee_id": pl.String,
        "last_name": pl.String,
        "first_name": pl.String,
        "country": pl.String,
        "semester": pl.String,
        "months": pl.Int32,
        **dict.fromkeys(CLAIM_MONTHS, MONEY),
        "total": MONEY,
        "claim_deadline": pl.Date,
        "claimable": pl.Boolean,
        "months_missing": pl.String,
    },
)


def claims_spec(semester: str) -> OutputSpec:
    """``onem_claims`` of one semester: the month columns named after its six months, ``YYYY-MM``
    (``2026-H2``: ``2026-07`` ... ``2026-12``), as the semester's claim is made month by month
    (Royal Decree of 9 June 1999, art. 2 and 3)."""
    names = dict(zip(CLAIM_MONTHS, semester_periods(semester), strict=True))
    return replace(ONEM_CLAIMS, types=tuple((names.get(name, name), dtype) for name, dtype in ONEM_CLAIMS.types))


OUTPUTS: dict[str, OutputSpec] = {
    spec.name: spec
    for spec in (
        PAYROLL_LINES,
        CONTRIBUTION_LINES,
        GUARANTEED_WAGE_DAYS,
        ONEM_ALLOWANCE,
        WITHHOLDING_DECISIONS,
        PARAMETERS,
        REJECTS,
        EMPLOYER_TOTALS,
        DMFA_WORKER_LINES,
        DMFA_OCCUPATIONS,
        DMFA_SERVICES,
        DMFA_CONTRIBUTIONS,
        DMFA_RECONCILIATION,
        ONEM_CLAIMS,
    )
}

STORED_OUTPUTS = tuple(name for name, spec in OUTPUTS.items() if spec.stored)
"""The run-store tables that are not inputs."""


def stored_input_schema(name: str) -> dict[str, pl.DataType]:
    """Types of a validated input as the run store keeps it: the input's typed columns
    (``schemas.inputs.typed``, the single definition of those types) and its source columns."""
    spec = INPUTS[name]
    text = pl.DataFrame(schema=dict.fromkeys((c.name for c in spec.columns), pl.String))
    typed_columns = dict(typed(spec, text).schema)
    extra = {k: v for k, v in typed_columns.items() if k not in {c.name for c in spec.columns}}  # pay: period_start
    columns = {c.name: typed_columns[c.name] for c in spec.columns}
    return {**columns, **SOURCE_COLUMNS, **extra}


def _schema_of(frame: pl.DataFrame | pl.LazyFrame | Mapping[str, pl.DataType]) -> dict[str, pl.DataType]:
    if isinstance(frame, pl.DataFrame):
        return dict(frame.schema)
    if isinstance(frame, pl.LazyFrame):
        return dict(frame.collect_schema())
    return dict(frame)


def mismatches(
    expected: OutputSpec | Mapping[str, ColumnType],
    frame: pl.DataFrame | pl.LazyFrame | Mapping[str, pl.DataType],
    *,
    plain_text: bool = False,
) -> list[str]:
    """Every difference between a frame (or a schema, e.g. ``pl.read_parquet_schema``) and the
    declared columns: missing and extra columns, wrong types, wrong column order. Empty when it
    matches. An :data:`ENUM_OF_TEXT` column matches any ``pl.Enum`` (``pl.String`` with
    ``plain_text=True``)."""
    declared = dict(expected.types) if isinstance(expected, OutputSpec) else dict(expected)
    actual = _schema_of(frame)
    problems = []
    missing = [c for c in declared if c not in actual]
    extra = [c for c in actual if c not in declared]
    if missing:
        problems.append(f"missing columns {missing}")
    if extra:
        problems.append(f"extra columns {extra}")
    for name, want in declared.items():
        if name not in actual:
            continue
        got = actual[name]
        if isinstance(want, EnumOfText):
            ok = got == pl.String if plain_text else isinstance(got, pl.Enum)
            shown = "String (plain text)" if plain_text else "an Enum (enum of text)"
        else:
            ok = got == want
            shown = str(want)
        if not ok:
            problems.append(f"column {name!r}: expected {shown}, got {got}")
    common_declared = [c for c in declared if c in actual]
    common_actual = [c for c in actual if c in declared]
    if common_declared != common_actual:
        first = next(i for i, (a, b) in enumerate(zip(common_declared, common_actual)) if a != b)
        expected_order, actual_order = common_declared[first:], common_actual[first:]
        problems.append(f"column order differs from position {first}: expected {expected_order}, got {actual_order}")
    return problems


def check(
    name: str, frame: pl.DataFrame | pl.LazyFrame | Mapping[str, pl.DataType], *, plain_text: bool = False
) -> None:
    """Raise :class:`OutputSchemaError` naming every mismatch when ``frame`` (or a schema) does not
    have the columns, types and column order of the output table ``name``."""
    if name not in OUTPUTS:
        raise OutputSchemaError(f"unknown output table {name!r}; declared: {sorted(OUTPUTS)}")
    problems = mismatches(OUTPUTS[name], frame, plain_text=plain_text)
    if problems:
        raise OutputSchemaError(f"output table {name!r} does not match its declared schema: " + "; ".join(problems))
