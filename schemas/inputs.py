"""The input contract (data-contract.md "Inputs") as column specs, and the pandera schemas built
from them.

Inputs are validated in two stages: every column is read as text, the checks of one pandera
``DataFrameSchema`` per input (formats, enumerations, ranges, checksums and row rules) are
evaluated on the text, every failure collected as ``validate(df, lazy=True)`` collects them, and
only then are the rows that passed cast to their types (:func:`typed`). Money is never cast
before its format (at most two decimals) is checked, so nothing is rounded silently. The text checked is the
canonical text of the reader (``pipeline.intake.reading``): identifiers (NISS, ONSS, enterprise
and establishment-unit numbers) come without the separators people type, so their checks do not
strip them again.

Each check is defined once (:func:`column_checks`, with not-null on the required columns:
:func:`schema_checks`): the pandera schema is built from these definitions, and so is
:func:`failing_rows`, one expression true where a row fails at least one of them. Validation
evaluates it over all rows in one polars pass and runs pandera on the suspect rows only (see
``pipeline.intake.validation``), which gives pandera's failure cases without its 56 passes over
every row; the tests hold the two to the same result.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from pipeline.core.money import MONEY, MONEY_PATTERN, RATIO
from schemas.checks import (
    country_code_not_reserved,
    country_code_ok,
    enterprise_number_ok,
    establishment_unit_ok,
    niss_birth_date_if_ok,
    niss_birth_text_if_ok,
    niss_ok,
    onss_number_ok,
)

TRUE_WORDS = ("true", "1", "yes", "oui", "ja", "y", "o", "j", "vrai", "waar")
FALSE_WORDS = ("false", "0", "no", "non", "nee", "n", "faux", "onwaar")
DECIMAL_PATTERN = r"^\d{1,6}(\.\d{1,6})?$"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
PERIOD_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
HOUSEHOLDS = ("single", "joint_one_income", "joint_two_incomes")
"""Tax households of the CSSS scales: individual taxation; joint taxation, spouse without / with own
professional income (ONSS DmfA instructions, "La cotisation spéciale pour la sécurité sociale")."""


@dataclass(frozen=True)
class Col:
    """One canonical input column."""

    name: str
    # id | text | niss | onss_nr | enterprise_nr | date | period | money | int | fraction | bool | enum | country
    # | code3
    kind: str
    required: bool = False
    default: str | None = None
    values: tuple[str, ...] = ()
    min: int | None = None
    max: int | None = None


@dataclass(frozen=True)
class RowRule:
    """A rule across columns of one row, reported on ``column``."""

    column: str
    check: str
    message: str
    fails: pl.Expr  # True where the row breaks the rule (on the text columns)
    may_fail: pl.Expr | None = None  # cheaper, True at least wherever ``fails`` is (None: ``fails``)


@dataclass(frozen=True)
class InputSpec:
    name: str
    required: bool
    columns: tuple[Col, ...]
    key: tuple[str, ...]
    rules: tuple[RowRule, ...] = field(default=())

    def col(self, name: str) -> Col:
        return next(c for c in self.columns if c.name == name)


MESSAGES = {
    "not_nullable": "required value missing",
    "format_id": "identifier must be non-empty text without control characters",
    "format_niss": "not a valid Belgian national (NISS) or BIS number: 11 digits with a mod-97 check",
    "format_onss_nr": "not a valid ONSS employer number (9 digits, mod-97 check)",
    "format_enterprise_nr": "not a valid BCE/KBO enterprise number (10 digits, mod-97 check)",
    "format_unit_nr": (
        "not a valid KBO/BCE establishment-unit number (10 digits, first 2-8, mod-97 check; DmfA LocalUnitID)"
    ),
    "format_date": "not a valid date (YYYY-MM-DD, or the profile's date format)",
    "format_period": "not a valid period (YYYY-MM)",
    "format_money": "not an amount in euros with at most two decimals",
    "format_int": "not a whole number",
    "format_fraction": "not a decimal number",
    "format_bool": "not a boolean (true/false, 1/0, yes/no, oui/non, ja/nee)",
    "format_country": "not an ISO 3166-1 alpha-2 country code",
    "country_code_reserved": (
        "UK and EL are reserved codes, not ISO 3166-1 alpha-2 country codes: use GB for the United Kingdom, "
        "GR for Greece"
    ),
    "format_code3": "not a 3-digit ONSS code",
    "allowed_values": "value not allowed",
    "range": "value out of the plausible range",
}


def _num(name: str, dtype: pl.DataType = pl.Int64) -> pl.Expr:
    return pl.col(name).cast(dtype, strict=False)


def _date(name: str) -> pl.Expr:
    return pl.col(name).str.to_date("%Y-%m-%d", strict=False)


EMPLOYERS = InputSpec(
    name="employers",
    required=False,
    key=("employer_id",),
    columns=(
        Col("employer_id", "onss_nr", required=True),
        Col("enterprise_number", "enterprise_nr"),
        Col("name", "text"),
        Col("employer_category", "code3", default="000"),
        Col("workforce", "int", default="0", min=0, max=1_000_000),
        Col("commercial", "bool", default="true"),
        Col("local_unit_id", "unit_nr"),
    ),
)

EMPLOYEES = InputSpec(
    name="employees",
    required=True,
    key=("employee_id",),
    columns=(
        Col("employee_id", "id", required=True),
        Col("employer_id", "onss_nr", required=True),
        Col("niss", "niss", required=True),
        Col("last_name", "text", required=True),
        Col("first_name", "text", required=True),
        Col("birth_date", "date"),
        Col("worker_status", "enum", required=True, values=("blue_collar", "white_collar")),
        Col(
            "contract_type", "enum", required=True, values=("open_ended", "fixed_term", "specific_work", "replacement")
        ),
        Col("contract_start", "date", required=True),
        Col("contract_end", "date"),
        Col("work_fraction", "fraction", default="1"),
        Col("weekly_work_days", "int", default="5", min=5, max=6),
        Col("residence_country", "country", required=True),
        Col("work_country", "country", default="BE"),
        Col("fr_grandfathered", "bool"),
        Col(
            "fr_excluded_category",
            "enum",
            default="none",
            values=(
                "none",
                "public_dual_nationality",
                "public_undertaking_dual_nationality",
                "international_transport",
                "company_director",
                "teacher",
            ),
        ),
        Col("fr_276fg_year", "int", min=2000, max=2100),
        Col("fr_second_chance_used", "bool", default="false"),
        Col("fr_seasonal", "bool", default="false"),
        Col("be_border_zone_resident", "bool"),
        Col("foreign_border_zone_work", "bool"),
        Col("foreign_social_insurance", "bool"),
        Col("taxed_in_belgium", "bool"),
        # Tax household for the CSSS scale. No default on purpose: the data contract computes a missing
        # value as ``single`` and reports it as a warning.
        Col("household", "enum", values=HOUSEHOLDS),
    ),
    rules=(
        RowRule(
            "contract_end",
            "contract_dates_order",
            "contract_end is before contract_start",
            _date("contract_end") < _date("contract_start"),
        ),
        RowRule(
            "contract_end",
            "contract_end_required",
            "contract_end is required for fixed_term and specific_work contracts",
            pl.col("contract_type").is_in(["fixed_term", "specific_work"]) & pl.col("contract_end").is_null(),
        ),
        RowRule(
            "work_fraction",
            "work_fraction_range",
            "work_fraction must be above 0 and at most 1",
            (_num("work_fraction", pl.Decimal(18, 6)) <= 0) | (_num("work_fraction", pl.Decimal(18, 6)) > 1),
        ),
        RowRule(
            "birth_date",
            "birth_date_matches_niss",
            "birth_date disagrees with the birth date encoded in the NISS",
            niss_ok(pl.col("niss"), cleaned=True)
            & (_date("birth_date") != niss_birth_date_if_ok(pl.col("niss"), cleaned=True)),
            # The same date written the same way agrees: only other texts need their dates compared.
            niss_ok(pl.col("niss"), cleaned=True)
            & (pl.col("birth_date") != niss_birth_text_if_ok(pl.col("niss"), cleaned=True)),
        ),
    ),
)

PAY = InputSpec(
    name="pay",
    required=True,
    key=("employee_id", "period"),
    columns=(
        Col("employee_id", "id", required=True),
        Col("period", "period", required=True),
        Col("gross_salary", "money", required=True, min=0, max=1_000_000),
        Col("daily_wage", "money", min=0, max=20_000),
        Col("days_worked_be", "int", min=0, max=31),
        Col("days_worked_residence", "int", default="0", min=0, max=31),
        Col("days_worked_other", "int", default="0", min=0, max=31),
        Col("zone_exit_days", "int", default="0", min=0, max=31),
        Col("paid_hours", "fraction"),  # hours paid this month (work bonus and structural reduction)
        Col("full_time_hours", "fraction"),  # hours of a full-time reference worker this month
    ),
    rules=(
        RowRule(
            "days_worked_be",
            "days_in_month",
            "days worked (Belgium + residence + other) exceed 31 in the month",
            (
                _num("days_worked_be").fill_null(0)
                + _num("days_worked_residence").fill_null(0)
                + _num("days_worked_other").fill_null(0)
            )
            > 31,
        ),
        RowRule(
            "full_time_hours",
            "full_time_hours_positive",
            "full_time_hours must be above 0 (hours a full-time reference worker is paid for in the month)",
            _num("full_time_hours", pl.Decimal(18, 6)) <= 0,
        ),
    ),
)

ABSENCES = InputSpec(
    name="absences",
    required=False,
    key=("employee_id", "start_date"),
    columns=(
        Col("employee_id", "id", required=True),
        Col("start_date", "date", required=True),
        Col("end_date", "date", required=True),
        Col(
            "cause",
            "enum",
            required=True,
            values=("illness", "private_accident", "occupational_accident", "occupational_disease"),
        ),
        Col("other_cause", "bool", default="false"),
        Col("partial_resumption", "bool", default="false"),
    ),
    rules=(
        RowRule(
            "end_date",
            "episode_dates_order",
            "episode ends before it starts",
            _date("end_date") < _date("start_date"),
        ),
        RowRule(
            "cause",
            "cause_out_of_scope",
            "occupational accidents and diseases are outside the guaranteed-wage rules (law of 10 April 1971 / "
            "occupational-disease regime): handle this episode outside the batch",
            pl.col("cause").is_in(["occupational_accident", "occupational_disease"]),
        ),
    ),
)

INPUTS = {spec.name: spec for spec in (EMPLOYERS, EMPLOYEES, PAY, ABSENCES)}


def _format_check(col: Col) -> tuple[str, pl.Expr] | None:
    """(check name, expression True where the text is well-formed) for a column kind (only the
    expression of that kind is built: building expressions costs more than it seems, on every run)."""
    c = pl.col(col.name)
    exprs = {
        "id": lambda: c.str.contains(r"^[^\x00-\x1f]+$"),
        "niss": lambda: niss_ok(c, cleaned=True),
        "onss_nr": lambda: onss_number_ok(c, cleaned=True),
        "enterprise_nr": lambda: enterprise_number_ok(c, cleaned=True),
        "unit_nr": lambda: establishment_unit_ok(c, cleaned=True),
        "date": lambda: c.str.contains(DATE_PATTERN) & c.str.to_date("%Y-%m-%d", strict=False).is_not_null(),
        "period": lambda: c.str.contains(PERIOD_PATTERN),
        "money": lambda: c.str.contains(MONEY_PATTERN),
        "int": lambda: c.str.contains(r"^-?\d{1,9}$"),
        "fraction": lambda: c.str.contains(DECIMAL_PATTERN),
        "bool": lambda: c.str.to_lowercase().is_in(TRUE_WORDS + FALSE_WORDS),
        "country": lambda: country_code_ok(c),
        "code3": lambda: c.str.contains(r"^\d{3}$"),
    }
    if col.kind in exprs:
        return f"format_{col.kind}", exprs[col.kind]()
    return None


@dataclass(frozen=True)
class CheckDef:
    """One row-wise check of a column: the single definition behind both the pandera check and
    the pre-filter of :func:`failing_rows`."""

    column: str
    name: str
    passed: pl.Expr  # True where the row passes, never null (what pandera sees)
    may_fail: pl.Expr | None = None  # cheaper, True at least wherever ``passed`` is False (None: ~passed)

    @property
    def suspect(self) -> pl.Expr:
        """True at least wherever the check fails, never null: what :func:`failing_rows` tests."""
        return ~self.passed if self.may_fail is None else self.may_fail.fill_null(False)


def _passed(column: str, ok: pl.Expr, null_passes: bool = True) -> pl.Expr:
    """By default a missing value passes (nullability is checked separately); row rules decide
    about nulls themselves. A null outcome fails."""
    passed = (ok | pl.col(column).is_null()) if null_passes else ok
    return passed.fill_null(False)


def column_checks(spec: InputSpec) -> list[CheckDef]:
    """Every row-wise check of an input, in schema order (format, allowed values, range, row rules)."""
    out: list[CheckDef] = []
    for col in spec.columns:
        fmt = _format_check(col)
        if fmt:
            out.append(CheckDef(col.name, fmt[0], _passed(col.name, fmt[1])))
        if col.kind == "country":
            out.append(
                CheckDef(
                    col.name, "country_code_reserved", _passed(col.name, country_code_not_reserved(pl.col(col.name)))
                )
            )
        if col.kind == "enum":
            out.append(CheckDef(col.name, "allowed_values", _passed(col.name, pl.col(col.name).is_in(col.values))))
        if col.min is not None or col.max is not None:
            dtype = MONEY if col.kind == "money" else pl.Int64
            value = pl.col(col.name).cast(dtype, strict=False)
            ok = pl.lit(True)
            if col.min is not None:
                ok = ok & (value >= col.min)
            if col.max is not None:
                ok = ok & (value <= col.max)
            out.append(CheckDef(col.name, "range", _passed(col.name, ok | value.is_null())))
        for rule in spec.rules:
            if rule.column == col.name:
                passed = _passed(col.name, ~rule.fails.fill_null(False), null_passes=False)
                out.append(CheckDef(col.name, rule.check, passed, rule.may_fail))
                MESSAGES.setdefault(rule.check, rule.message)
    return out


def failing_rows(spec: InputSpec) -> pl.Expr:
    """True where a row may fail a check of the pandera schema of ``spec`` (:func:`schema_checks`):
    where it fails one, and where the cheaper test of a costly check (``may_fail``: the birth date
    against the NISS) cannot rule the failure out. A row where this is False passes every check by
    construction, so the checks only need to see the rows where it is True to report every failure."""
    fails = [check.suspect for check in schema_checks(spec)]
    return pl.any_horizontal(fails) if fails else pl.lit(False)


def schema_checks(spec: InputSpec) -> list[CheckDef]:
    """Every check of the pandera schema of ``spec``, as row-wise definitions: not-null on each
    required column (pandera's ``not_nullable``), then :func:`column_checks`. A row fails a check
    where ``passed`` is False, and pandera's failure case is the row's value of ``column`` (null
    for ``not_nullable``): the schema is built from them (:func:`pandera_schema`) and the validation's
    pre-filter too (:func:`failing_rows`), so pandera only needs to see the rows the pre-filter flags."""
    nulls = [CheckDef(c.name, "not_nullable", pl.col(c.name).is_not_null()) for c in spec.columns if c.required]
    return nulls + column_checks(spec)


def pandera_schema(spec: InputSpec):
    """The pandera schema that checks one input in its text form (``pandera.polars.DataFrameSchema``).

    The reference the validation's direct evaluation of :func:`schema_checks` is tested against;
    pandera is imported here only (its import costs about half a second, with hypothesis installed)."""
    import pandera.polars as pa

    def _check(check: CheckDef) -> pa.Check:
        """A pandera check from a row-wise boolean expression."""

        def fn(data: pa.PolarsData) -> pl.LazyFrame:
            return data.lazyframe.select(check.passed.alias(data.key))

        return pa.Check(fn, name=check.name)

    checks = column_checks(spec)
    columns = {
        col.name: pa.Column(
            pl.String,
            nullable=not col.required,
            checks=[_check(c) for c in checks if c.column == col.name],
            required=True,
        )
        for col in spec.columns
    }
    return pa.DataFrameSchema(columns, strict=False, name=spec.name)


def typed(spec: InputSpec, frame: pl.DataFrame) -> pl.DataFrame:
    """Cast the (already validated) text columns to their contract types."""
    return frame.with_columns(typed_columns(spec))


def typed_columns(spec: InputSpec, strict: bool = True) -> list[pl.Expr]:
    """The expressions of :func:`typed`: each column cast to its contract type (and the pay's
    ``period_start``). ``strict=False``: a value that does not cast gives null instead of an error,
    for casting rows before they are validated (a valid value casts to the same either way)."""
    exprs = []
    for col in spec.columns:
        c = pl.col(col.name)
        if col.kind == "enterprise_nr":
            c = c.str.replace(r"^BE", "")
        elif col.kind == "date":
            c = c.str.to_date("%Y-%m-%d", strict=strict)
        elif col.kind == "money":
            c = c.cast(pl.Decimal(38, 2), strict=strict).cast(MONEY, strict=strict)
        elif col.kind == "int":
            c = c.cast(pl.Int32, strict=strict)
            if spec.name == "employees" and col.name == "weekly_work_days":
                c = c.cast(pl.Int8, strict=strict)
        elif col.kind == "fraction":
            c = c.cast(pl.Decimal(38, 6), strict=strict).cast(RATIO, strict=strict)
        elif col.kind == "bool":
            c = c.str.to_lowercase().is_in(TRUE_WORDS)  # null stays null (is_in of a null is null)
        exprs.append(c.alias(col.name))
    if spec.name == "pay":
        exprs.append((pl.col("period") + "-01").str.to_date("%Y-%m-%d", strict=strict).alias("period_start"))
    return exprs


def typed_defaults(name: str) -> dict[str, object]:
    """``{column: default}`` of an input's columns that have a contract default, each cast as the
    validated rows are (:func:`typed`): e.g. ``typed_defaults("employers")`` gives
    ``{"employer_category": "000", "workforce": 0, "commercial": True}``.

    The one source of the contract defaults: code that fills a missing value uses these.
    """
    spec = INPUTS[name]
    text = pl.DataFrame(
        {col.name: [col.default] for col in spec.columns}, schema={c.name: pl.String for c in spec.columns}
    )
    row = typed(spec, text).row(0, named=True)
    return {col.name: row[col.name] for col in spec.columns if col.default is not None}
