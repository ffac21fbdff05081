"""The words a person reads: the labels of the run report and the workbook, the plain-language
message of every reject ``check`` and the console summary, in English, French and Dutch.

One flat catalogue per language (``en.py``, ``fr.py``, ``nl.py``), keyed by dotted names
(``report.*``, ``figure.*``, ``column.*``, ``check.<code>``, ``contribution.<name>``,
``console.*``, ``month.01`` ...). The three catalogues hold the same keys with the same
``{placeholders}`` (a test fails otherwise). Reject ``check`` codes and column names are never
translated: they are the stable keys of the audit files; only the text shown beside them is.

The catalogues are Python modules rather than data files so that they are part of the code hash
a run's manifest records: a change of wording changes the report, so it must change the hash.

Numbers follow the language's Belgian usage (CLDR ``en``, ``fr-BE``, ``nl-BE``): ``1,234.56``;
``1 234,56`` (narrow no-break space); ``1.234,56``.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType

import polars as pl

from pipeline.outputs.messages import en, fr, nl

LANGUAGES = ("en", "fr", "nl")
DEFAULT_LANGUAGE = "en"
CATALOGUES: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {"en": MappingProxyType(en.MESSAGES), "fr": MappingProxyType(fr.MESSAGES), "nl": MappingProxyType(nl.MESSAGES)}
)
HTML_LANG = {"en": "en", "fr": "fr-BE", "nl": "nl-BE"}
_SEPARATORS = {"en": (",", "."), "fr": ("\u202f", ","), "nl": (".", ",")}  # (thousands, decimal)


def placeholders(text: str) -> set[str]:
    """The ``{field}`` names of a catalogue text."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@dataclass(frozen=True)
class Messages:
    """The catalogue of one language, with its number formats.

    ``t("report.total")`` gives a label, ``t("console.run_summary", period=...)`` fills the
    placeholders; a key missing from the catalogue raises ``KeyError`` (the completeness test
    keeps every key in every language).
    """

    lang: str

    @property
    def catalogue(self) -> Mapping[str, str]:
        return CATALOGUES[self.lang]

    def __call__(self, key: str, **fields: object) -> str:
        text = self.catalogue[key]
        return text.format(**fields) if fields else text

    def get(self, key: str, default: str | None = None) -> str | None:
        return self.catalogue.get(key, default)

    def check(self, code: str) -> str | None:
        """Plain-language message of a reject check code (None for a code the catalogue lacks)."""
        return self.catalogue.get(f"check.{code}")

    def column(self, name: str) -> str:
        """Label of an output column (its canonical name when the catalogue has none)."""
        return self.catalogue.get(f"column.{name}", name)

    def contribution(self, name: str) -> str:
        """Label of a contribution line (``contribution_lines.contribution``), else its code."""
        return self.catalogue.get(f"contribution.{name}", name)

    def yes_no(self, value: bool | None) -> str:
        if value is None:
            return self.catalogue["common.none"]
        return self.catalogue["common.yes" if value else "common.no"]

    def month(self, period: str) -> str:
        """``2026-10`` -> ``October 2026`` / ``octobre 2026`` / ``oktober 2026``."""
        return f"{self.catalogue['month.' + period[5:7]]} {period[:4]}"

    def number(self, value: Decimal | int | None, decimals: int = 2) -> str:
        """A number with the language's thousands and decimal marks, rounded half away from zero."""
        if value is None:
            return self.catalogue["common.none"]
        thousands, mark = _SEPARATORS[self.lang]
        quantum = Decimal(1).scaleb(-decimals)
        text = f"{Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP):f}"
        sign, text = ("-", text[1:]) if text.startswith("-") else ("", text)
        whole, _, part = text.partition(".")
        groups = []
        while len(whole) > 3:
            whole, tail = whole[:-3], whole[-3:]
            groups.insert(0, tail)
        whole = thousands.join([whole, *groups])
        return sign + whole + (mark + part if part else "")

    def number_expr(self, expr: pl.Expr) -> pl.Expr:
        """:meth:`number` as a whole-column polars expression, for values that already have the
        decimals to show (a Decimal column of that scale, or integers): the same text, e.g.
        ``1 234,56`` (fr); null gives the catalogue's "none"."""
        thousands, mark = _SEPARATORS[self.lang]
        text = expr.cast(pl.String)
        body = text.str.strip_prefix("-")
        whole = (
            body.str.extract(r"^(\d+)", 1)
            .str.reverse()
            .str.replace_all(r"(\d{3})", "${1},")
            .str.reverse()
            .str.strip_prefix(",")
            .str.replace_all(",", thousands, literal=True)
        )
        sign = pl.when(text.str.starts_with("-")).then(pl.lit("-")).otherwise(pl.lit(""))
        shown = pl.concat_str(sign, whole, (pl.lit(mark) + body.str.extract(r"\.(\d+)$", 1)).fill_null(""))
        return pl.when(expr.is_null()).then(pl.lit(self.catalogue["common.none"])).otherwise(shown)

    def money(self, value: Decimal | None) -> str:
        return self.number(value, 2)

    def integer(self, value: int | None) -> str:
        return self.number(value, 0)

    def percent(self, rate: Decimal | None) -> str:
        """A rate held as a fraction (0.1307) shown as a percentage (``13.07 %``), all its digits."""
        if rate is None:
            return self.catalogue["common.none"]
        shown = (Decimal(rate) * 100).normalize()
        decimals = max(-shown.as_tuple().exponent, 2)
        return f"{self.number(shown, decimals)}\u00a0%"


def get(lang: str | None = None) -> Messages:
    """The messages of ``lang`` (``en``, ``fr`` or ``nl``; None: English)."""
    lang = lang or DEFAULT_LANGUAGE
    if lang not in CATALOGUES:
        raise ValueError(f"unknown language {lang!r}: expected one of {', '.join(LANGUAGES)}")
    return Messages(lang)
