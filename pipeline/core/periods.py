"""Calendar periods: the payroll month, the ONSS quarter, the ONEM semester and the civil year.

Parsed once, at the edge (the CLI, a flow parameter, a job's argument); everything inside works on
these values. Text forms are the contract's: ``YYYY-MM``, ``YYYY-Qn``, ``YYYY-H1``/``YYYY-H2``.

- A payroll month closes on its last calendar day; contributions are due per month and declared
  per calendar quarter (DmfA, Royal Decree of 28 November 1969, art. 33).
- The ONEM frontier allowance is claimed per calendar semester (Royal Decree of 9 June 1999,
  art. 3).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import ClassVar, Self

import polars as pl


def _first_of_next(year: int, month: int) -> dt.date:
    return dt.date(year + month // 12, month % 12 + 1, 1)


class _MonthRun:
    """A run of whole calendar months within one year, numbered from 1 in the year (month 1-12,
    quarter 1-4, semester 1-2): what Month, Quarter and Semester share. A subclass is a dataclass
    of ``year`` and its number, and says how long it is, how it is written and how a bad text is
    refused."""

    LENGTH: ClassVar[int]  # months in the run
    _PATTERN: ClassVar[re.Pattern[str]]  # the text form, groups (year, number)
    _TEXT: ClassVar[str]  # format of the text form, fields year and number
    _REFUSED: ClassVar[str]  # message of a text that is not the form, field text

    year: int

    @property
    def _number(self) -> int:
        raise NotImplementedError

    @classmethod
    def parse(cls, text: str) -> Self:
        m = cls._PATTERN.match(str(text or ""))
        if not m:
            raise ValueError(cls._REFUSED.format(text=text))
        return cls(int(m.group(1)), int(m.group(2)))

    @classmethod
    def of(cls, day: dt.date) -> Self:
        """The run that contains ``day``."""
        return cls(day.year, (day.month - 1) // cls.LENGTH + 1)

    @property
    def text(self) -> str:
        return self._TEXT.format(year=self.year, number=self._number)

    def __str__(self) -> str:
        return self.text

    @property
    def _first_month(self) -> int:
        return (self._number - 1) * self.LENGTH + 1

    @property
    def months(self) -> list[Month]:
        return [Month(self.year, m) for m in range(self._first_month, self._first_month + self.LENGTH)]

    @property
    def periods(self) -> list[str]:
        """The ``YYYY-MM`` payroll months of the run: ``"2026-Q3"`` -> ``["2026-07", "2026-08", "2026-09"]``."""
        return [m.text for m in self.months]

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self._first_month, 1)

    @property
    def end(self) -> dt.date:
        return _first_of_next(self.year, self._first_month + self.LENGTH - 1) - dt.timedelta(days=1)

    def previous(self) -> Self:
        return self.of(self.start - dt.timedelta(days=1))

    def next(self) -> Self:
        return self.of(self.end + dt.timedelta(days=1))


@dataclass(frozen=True, order=True)
class Month(_MonthRun):
    """A payroll month, ``Month.parse("2026-10")``."""

    LENGTH = 1
    _PATTERN = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
    _TEXT = "{year:04d}-{number:02d}"
    _REFUSED = "{text!r} is not a month YYYY-MM"

    year: int
    month: int

    @property
    def _number(self) -> int:
        return self.month

    @property
    def quarter(self) -> Quarter:
        return Quarter.of(self.start)

    @property
    def semester(self) -> Semester:
        return Semester.of(self.start)


@dataclass(frozen=True, order=True)
class Quarter(_MonthRun):
    """A calendar quarter, ``Quarter.parse("2026-Q3")``: the DmfA declaration period."""

    LENGTH = 3
    _PATTERN = re.compile(r"^(\d{4})-Q([1-4])$")
    _TEXT = "{year:04d}-Q{number}"
    _REFUSED = "quarter must look like '2026-Q3', got {text!r}"

    year: int
    number: int

    @property
    def _number(self) -> int:
        return self.number

    @property
    def code(self) -> str:
        """DmfA zone Quarter [00013]: ``"2026-Q3"`` -> ``"20263"``."""
        return f"{self.year:04d}{self.number}"


@dataclass(frozen=True, order=True)
class Semester(_MonthRun):
    """A calendar semester, ``Semester.parse("2026-H2")`` (January-June or July-December)."""

    LENGTH = 6
    _PATTERN = re.compile(r"^(\d{4})-H([12])$")
    _TEXT = "{year:04d}-H{number}"
    _REFUSED = "semester {text!r} is not YYYY-H1 or YYYY-H2"

    year: int
    half: int

    @property
    def _number(self) -> int:
        return self.half


def month(text: str) -> Month:
    """Parse ``YYYY-MM`` (raises ValueError naming the expected form)."""
    return Month.parse(text)


def month_start(text: str) -> dt.date:
    """First day of a ``YYYY-MM`` period."""
    return Month.parse(text).start


def month_bounds(text: str) -> tuple[dt.date, dt.date]:
    """First and last day of a ``YYYY-MM`` period."""
    m = Month.parse(text)
    return m.start, m.end


def previous_month(day: dt.date) -> str:
    """The payroll month a run on ``day`` closes: the month before (runs are scheduled on the 1st)."""
    return Month.of(day).previous().text


def previous_quarter(day: dt.date) -> str:
    """The quarter before the one containing ``day`` (the quarterly run declares the quarter just ended)."""
    return Quarter.of(day).previous().text


def quarter_periods(text: str) -> list[str]:
    """The three payroll months of a quarter: ``"2026-Q3"`` -> ``["2026-07", "2026-08", "2026-09"]``."""
    return Quarter.parse(text).periods


def quarter_bounds(text: str) -> tuple[dt.date, dt.date]:
    """First and last day of the quarter (DmfA NOSSQuarterStartingDate / EndingDate)."""
    q = Quarter.parse(text)
    return q.start, q.end


def quarter_code(text: str) -> str:
    """DmfA zone Quarter [00013]: ``"2026-Q3"`` -> ``"20263"``."""
    return Quarter.parse(text).code


def semester_periods(text: str) -> list[str]:
    """The six ``YYYY-MM`` periods of a semester ``YYYY-H1`` / ``YYYY-H2``."""
    return Semester.parse(text).periods


def month_start_expr(period: pl.Expr) -> pl.Expr:
    """First day of each ``YYYY-MM`` period of a column (validated periods)."""
    return (period + "-01").str.to_date("%Y-%m-%d")


def month_starts(periods: pl.Series) -> list[dt.date]:
    """The distinct first days of a column of ``YYYY-MM`` periods (validated), in order: the distinct
    periods first (a monthly run has one), then their dates."""
    return sorted(month_start(p) for p in periods.unique().to_list())


def month_start_of(period: pl.Expr, months: list[dt.date]) -> pl.Expr:
    """:func:`month_start_expr` of a column whose distinct first days are ``months``: a literal when
    there is one (a monthly run), so that what depends on the month alone (its end, its calendar,
    the parameters in force) is worked out once and not on every row."""
    return pl.lit(months[0], pl.Date) if len(months) == 1 else month_start_expr(period)


def semester_expr(period: pl.Expr) -> pl.Expr:
    """Calendar semester (``YYYY-H1`` January-June, ``YYYY-H2`` July-December) of each ``YYYY-MM`` period."""
    month = period.str.slice(5, 2).cast(pl.Int32)
    return pl.concat_str(
        period.str.slice(0, 4), pl.lit("-H"), pl.when(month <= 6).then(pl.lit("1")).otherwise(pl.lit("2"))
    )
