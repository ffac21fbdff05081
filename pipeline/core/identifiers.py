"""Belgian identifier checks the core needs (masking national numbers in every output): the
separators people type, the mod-97 check digits, and the national / BIS number.

National numbers (Law of 8 August 1983 organising a National Register, art. 8) and BIS numbers
(Crossroads Bank for Social Security) share one layout: 6 digits of birth date, 3 of serial, 2 check
digits. ``schemas.checks`` builds the input checks on these.
"""

from __future__ import annotations

import polars as pl

NISS_CLEAN = r"[.\-\s/]"


def clean_number(expr: pl.Expr) -> pl.Expr:
    """Strip the separators people type in identifiers (``.``, ``-``, spaces, ``/``)."""
    return expr.str.replace_all(NISS_CLEAN, "")


def mod97_ok(expr: pl.Expr, body_digits: int, prefix: int = 0) -> pl.Expr:
    """True when the last two digits equal 97 - ((prefix + body) mod 97)."""
    body = expr.str.slice(0, body_digits).cast(pl.Int64, strict=False)
    check = expr.str.slice(body_digits, 2).cast(pl.Int64, strict=False)
    return (97 - (body + prefix) % 97) == check


def niss_ok(expr: pl.Expr, cleaned: bool = False) -> pl.Expr:
    """Belgian national number or BIS number: 11 digits, mod-97 check (National Register / Crossroads Bank
    for Social Security numbering).

    Born before 2000: CC = 97 - (first 9 digits mod 97); born from 2000: the same with a leading
    "2" (i.e. + 2,000,000,000). At most one rule can match. ``cleaned``: the text holds no
    separators already (the input reader removes them), which saves stripping them again: on a
    million rows that step costs more than the checksum.
    """
    n = expr if cleaned else clean_number(expr)
    return n.str.contains(r"^\d{11}$") & (mod97_ok(n, 9) | mod97_ok(n, 9, 2_000_000_000))
