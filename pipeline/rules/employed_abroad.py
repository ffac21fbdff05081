"""Belgian residents employed in the Netherlands or France: on a foreign payroll, not a Belgian one.

Social security: a person employed in a Member State is subject to the legislation of that State
(Regulation (EC) No 883/2004, art. 11(3)(a)), wherever they live; a resident of Belgium employed
in the Netherlands or France pays Dutch or French contributions, so no Belgian ONSS contribution
is due on that work (the batch gives them no worker code, no ONSS base and no contribution line).

Income tax: wages are taxable in the State where the employment is exercised (OECD model art. 15
as taken over by the Belgium-Netherlands convention of 5 June 2001, art. 15, and, since its
frontier-worker rule was abolished from 2007-01-01 by the avenant of 12 December 2008, the
Belgium-France convention of 10 March 1964, art. 11): no Belgian professional withholding tax is
kept on them (reason :data:`REASON`, taxable share in Belgium 0).

What they get instead is the ONEM compensation allowance for Belgian frontier workers (Royal
Decree of 9 June 1999, art. 1 §1: residents of Belgium employed in the Netherlands or France),
computed by :mod:`pipeline.rules.onem_allowance`. A resident of Belgium employed in another
country is outside what the batch computes (:func:`unsupported_work_country_expr`).
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from pipeline.core.money import MONEY, SHARE
from schemas.inputs import typed_defaults

RESIDENCE_COUNTRY = "BE"
"""Residence the decree covers: 'travailleurs frontaliers belges' living in the Belgian border zone (art. 1)."""

ALLOWANCE_COUNTRIES = ("NL", "FR")
"""Countries of employment the decree covers: 'occupés aux Pays-Bas ou en France' (art. 1 §1)."""

DEFAULT_WORK_COUNTRY = typed_defaults("employees")["work_country"]
"""work_country of an employee who gives none (the employees input's default: BE)."""

REASON = "EMPLOYED_ABROAD_NO_BE_PAYROLL"
"""withholding_reason of a payroll line of a worker employed abroad."""

LINE_VALUES: dict[str, pl.Expr] = {
    "worker_code": pl.lit(None),
    "onss_base": pl.lit(None),
    "worker_contribution": pl.lit(0, MONEY),
    "employer_contribution": pl.lit(0, MONEY),
    "withholding_applies": pl.lit(False),
    "withholding_reason": pl.lit(REASON),
    "taxable_share_be": pl.lit(0, SHARE),
    "regularisation_required": pl.lit(False),
    "regularisation_periods": pl.lit(""),
}
"""Payroll-line columns of a worker employed abroad: no Belgian ONSS (no worker code, no base,
0.00 contributions) and no Belgian withholding (not applicable, share 0, nothing to regularise)."""


def work_country_expr() -> pl.Expr:
    """The employee's country of work (null: the input's default, BE)."""
    return pl.col("work_country").fill_null(DEFAULT_WORK_COUNTRY)


def employed_abroad_expr() -> pl.Expr:
    """True for a resident of Belgium employed in the Netherlands or France (AR 9 June 1999 art. 1 §1).

    Operates on employee columns ``residence_country`` and ``work_country`` (null = BE). These
    workers are insured and taxed in the country of work (Reg. (EC) 883/2004 art. 11(3)(a); the
    tax conventions with the Netherlands and France): the batch computes no Belgian ONSS or
    withholding for them, only the allowance.
    """
    return (pl.col("residence_country") == RESIDENCE_COUNTRY) & work_country_expr().is_in(ALLOWANCE_COUNTRIES)


def unsupported_work_country_expr() -> pl.Expr:
    """True for a resident of Belgium whose work_country is neither BE nor NL/FR (rejected by the
    allowance: neither a Belgian payroll nor the decree's scope)."""
    return (pl.col("residence_country") == RESIDENCE_COUNTRY) & ~work_country_expr().is_in(
        (DEFAULT_WORK_COUNTRY, *ALLOWANCE_COUNTRIES)
    )


def employed_abroad(employees: pl.DataFrame) -> pl.Series:
    """One boolean per employee row: :func:`employed_abroad_expr`, with an unknown country as False."""
    return employees.select(employed_abroad_expr().fill_null(False)).to_series()


def line_columns(abroad: pl.Expr, belgian: Mapping[str, pl.Expr]) -> list[pl.Expr]:
    """Payroll-line columns: for each ``name -> expression`` of ``belgian`` (the Belgian payroll's
    value), the :data:`LINE_VALUES` value where ``abroad`` is true, the Belgian value elsewhere."""
    return [pl.when(abroad).then(LINE_VALUES[name]).otherwise(expr).alias(name) for name, expr in belgian.items()]
