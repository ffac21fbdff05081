"""Special social-security contribution (cotisation spéciale pour la sécurité sociale, CSSS;
bijzondere bijdrage voor de sociale zekerheid), withheld from the worker's pay every month and
declared in the DmfA as worker contribution 856 (type 0, no basis).

Legal basis: Law of 30 March 1994 portant des dispositions sociales (the special contribution);
ONSS DmfA administrative instructions "La cotisation spéciale pour la sécurité sociale" (current
version,
https://www.socialsecurity.be/employer/instructions/dmfa/fr/latest/instructions/special_contributions/other_specialcontributions/specialsocialsecuritycontribution.html)
and DmfAPPL 2017-4.

- Due by every worker subject to Belgian social security, frontier workers included: the
  condition is the social-security subjection, not tax residence or the withholding-tax
  exemption (``belgian_social_security``).
- Base: the month's remuneration declared to ONSS, at 108 % for ouvriers, i.e. the month's
  ``onss_base`` m.
- Scale by the tax household (``household``: ``single`` individual taxation;
  ``joint_one_income`` / ``joint_two_incomes`` joint taxation with a spouse or legal cohabitant
  without / with own professional income), in force on the month's first day
  (``onss/csss/<household>``). The band is chosen by the quarterly remuneration; the monthly
  withholding estimates it as Q = 3 × m (the quarterly limits / 3 compared with m, exactly), and
  applies the band's monthly formula to m, rounded once half-up to the cent (exact integer arithmetic in
  cents: :meth:`pipeline.core.params.Scale.cents`).
- A missing household is computed on the ``single`` scale and flagged (``household_missing``);
  :func:`household_warning` gives the run's warning from the payroll lines.

Each month is withheld on its own pay and the DmfA declares the sum withheld; the instructions
leave the rounding of the quarter open (a quarterly recomputation may differ by a cent).
:func:`explain_csss` reads the columns this computation writes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import polars as pl

from pipeline.core.money import MONEY, WHOLE, check_places, from_units, units
from pipeline.core.params import Parameters, Value, select
from pipeline.core.periods import month_start_of, month_starts
from pipeline.rules import output_schema
from schemas.inputs import HOUSEHOLDS

P = "onss/csss"
DEFAULT_HOUSEHOLD = "single"
"""Household used when the input has none (data contract: ``single``, with a warning)."""

MONTHS_PER_QUARTER = 3
"""The monthly withholding estimates the quarter's remuneration as three times the month's."""

OUTPUT_SCHEMA: dict[str, pl.DataType] = {
    "employee_id": pl.String,
    "period": pl.String,
    "csss": MONEY,
    "onss_base": MONEY,
    "quarterly_estimate": MONEY,
    "household": pl.Enum(list(HOUSEHOLDS)),
    "household_missing": pl.Boolean,
    "band": pl.Int8,
    "parameter": pl.Categorical(),
    "source": pl.Categorical(),
}
"""Columns of :func:`compute_csss`, in order."""


def _scales(params: Parameters, dates: list[dt.date]) -> list[tuple[dt.date, str, Value]]:
    return [(on, h, params.entry(f"{P}/{h}", on)) for on in dates for h in HOUSEHOLDS]


def compute_csss(frame: pl.DataFrame, params: Parameters, columns: Sequence[str] | None = None) -> pl.DataFrame:
    """The month's CSSS withholding of every employee-month of ``frame`` (columns :data:`OUTPUT_SCHEMA`,
    or only ``columns`` of it: see :func:`pipeline.rules.output_schema`).

    ``frame`` columns: employee_id, period (``YYYY-MM``), onss_base (money, 108 % for blue
    collars), household (null = single, flagged), belgian_social_security (bool; null counts as
    false: no withholding).

    Raises :class:`MissingParameterError` for a month before the scales' history.
    """
    schema = output_schema(OUTPUT_SCHEMA, columns)
    check_places(frame.schema, {"onss_base": 2})
    if frame.height == 0:
        return pl.DataFrame(schema=schema)
    dates = month_starts(frame.get_column("period"))
    found = _scales(params, dates)

    def pick(value_of) -> pl.Expr:
        cases = [((pl.col("__on") == on) & (pl.col("household") == h), value_of(h, v)) for on, h, v in found]
        return select(cases)

    m, q = pl.col("onss_base"), pl.col("quarterly_estimate")  # in cents (whole numbers)
    subject = pl.col("belgian_social_security").fill_null(False)
    return (
        frame.lazy()
        .with_columns(
            month_start_of(pl.col("period"), dates).alias("__on"),
            pl.col("household").is_null().alias("household_missing"),
            pl.col("household").cast(pl.String).fill_null(DEFAULT_HOUSEHOLD).alias("household"),
            units(m, 2).alias("onss_base"),
        )
        .with_columns((m * MONTHS_PER_QUARTER).alias("quarterly_estimate"))
        .with_columns(
            pl.when(subject).then(pick(lambda h, v: v.value.band(q, 2))).alias("band"),
            pl.when(subject)
            .then(pl.max_horizontal(pick(lambda h, v: v.value.cents(q, 2, m, 2)), pl.lit(0, WHOLE)))
            .otherwise(pl.lit(0, WHOLE))
            .alias("csss"),
            pick(lambda h, v: pl.lit(f"{P}/{h}")).alias("parameter"),
            pick(lambda h, v: pl.lit(v.key(f"{P}/{h}"))).alias("source"),
        )
        .select(
            [
                from_units(pl.col(name), 2, dtype) if dtype == MONEY else pl.col(name).cast(dtype)
                for name, dtype in schema.items()
            ]
        )
        .collect()
    )


def household_warning(payroll_lines: pl.DataFrame) -> str | None:
    """The run's warning about the CSSS computed on the ``single`` scale for want of a household
    (data contract: a missing ``household`` is assumed ``single``, with a warning): the payroll lines
    under Belgian social security (with an ONSS base) whose ``household`` is null; None when none."""
    count = payroll_lines.filter(pl.col("onss_base").is_not_null() & pl.col("household").is_null()).height
    if count == 0:
        return None
    return (
        f"household missing for {count} employee(s) on the Belgian payroll: CSSS computed on the single "
        "scale (onss/csss/single); payroll_lines.household is empty for them"
    )


def explain_csss(row: dict[str, Any], params: Parameters) -> str:
    """The path of one employee-month's CSSS: base, household, quarterly estimate, band and formula,
    with the parameter and its source. ``row`` is one row of :func:`compute_csss` (as a dict)."""
    on = dt.date.fromisoformat(f"{row['period']}-01")
    out = [f"Special social-security contribution (CSSS, DmfA 856) of employee {row['employee_id']}, {row['period']}"]
    if row["band"] is None:
        out.append("Not subject to Belgian social security: no CSSS.")
        return "\n".join(out)
    household = row["household"]
    if row["household_missing"]:
        household += " (household missing from the input: the single scale is assumed)"
    entry = params.entry(row["parameter"], on)
    out += [
        f"Household: {household}",
        f"m = the month's ONSS base (108 % for ouvriers) = {row['onss_base']:,.2f}; "
        f"Q = {MONTHS_PER_QUARTER} × m = {row['quarterly_estimate']:,.2f} (the quarter estimated from the month)",
        f"Band {row['band']} of {row['parameter']} [{entry.effective_from}, {entry.status}]: "
        f"{entry.value.text(row['band'])}",
        f"CSSS withheld = {row['csss']:,.2f} (half-up to the cent); source: {entry.source}",
    ]
    return "\n".join(out)
