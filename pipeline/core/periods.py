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

import polars as pl

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_SEMESTER = re.compile(r"^(\d{4})-H([12])$")


def _first_of_next(year: int, month: int) -> dt.date:
    return dt.date(year + month // 12, month % 12 + 1, 1)


@dataclass(frozen=True, order=True)
class Month:
    """A payroll month, ``Month.parse("2026-10")``."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        m = _MONTH.match(str(text or ""))
        if not m:
            raise ValueError(f"{text!r} is not a month YYYY-MM")
        return cls(int(m.group(1)), int(m.group(2)))

    @classmethod
    def of(cls, day: dt.date) -> Month:
        return cls(day.year, day.month)

    @property
    def text(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def __str__(self) -> str:
        return self.text

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def end(self) -> dt.date:
        return _first_of_next(self.year, self.month) - dt.timedelta(days=1)

    @property
    def quarter(self) -> Quarter:
        return Quarter(self.year, (self.month - 1) // 3 + 1)

    @property
    def semester(self) -> Semester:
        return Semester(self.year, 1 if self.month <= 6 else 2)

    def previous(self) -> Month:
        return Month.of(self.start - dt.timedelta(days=1))

    def next(self) -> Month:
        return Month.of(self.end + dt.timedelta(days=1))


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter, ``Quarter.parse("2026-Q3")``: the DmfA declaration period."""

    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        m = _QUARTER.match(str(text or ""))
        if not m:
            raise ValueError(f"quarter must look like '2026-Q3', got {text!r}")
        return cls(int(m.group(1)), int(m.group(2)))

    @classmethod
    def of(cls, day: dt.date) -> Quarter:
        return Month.of(day).quarter

    @property
    def text(self) -> str:
        return f"{self.year:04d}-Q{self.number}"

    def __str__(self) -> str:
        return self.text

    @property
    def months(self) -> list[Month]:
        return [Month(self.year, m) for m in range(3 * self.number - 2, 3 * self.number + 1)]

    @property
    def periods(self) -> list[str]:
        """``"2026-Q3"`` -> ``["2026-07", "2026-08", "2026-09"]``."""
        return [m.text for m in self.months]

    @property
    def start(self) -> dt.date:
        return self.months[0].start

    @property
    def end(self) -> dt.date:
        return self.months[-1].end

    @property
    def code(self) -> str:
        """DmfA zone Quarter [00013]: ``"2026-Q3"`` -> ``"20263"``."""
        return f"{self.year:04d}{self.number}"

    def previous(self) -> Quarter:
        return Quarter.of(self.start - dt.timedelta(days=1))


@dataclass(frozen=True, order=True)
class Semester:
    """A calendar semester, ``Semester.parse("2026-H2")`` (January-June or July-December)."""

    year: int
    half: int

    @classmethod
    def parse(cls, text: str) -> Semester:
        m = _SEMESTER.match(str(text or ""))
        if not m:
            raise ValueError(f"semester {text!r} is not YYYY-H1 or YYYY-H2")
        return cls(int(m.group(1)), int(m.group(2)))

    @property
    def text(self) -> str:
        return f"{self.year:04d}-H{self.half}"

    def __str__(self) -> str:
        return self.text

    @property
    def months(self) -> list[Month]:
        first = 1 if self.half == 1 else 7
        return [Month(self.year, m) for m in range(first, first + 6)]

    @property
    def periods(self) -> list[str]:
        return [m.text for m in self.months]

    @property
    def start(self) -> dt.date:
        return self.months[0].start

    @property
    def end(self) -> dt.date:
        return self.months[-1].end


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


def semester_expr(period: pl.Expr) -> pl.Expr:
    """Calendar semester (``YYYY-H1`` January-June, ``YYYY-H2`` July-December) of each ``YYYY-MM`` period."""
    month = period.str.slice(5, 2).cast(pl.Int32)
    return pl.concat_str(
        period.str.slice(0, 4), pl.lit("-H"), pl.when(month <= 6).then(pl.lit("1")).otherwise(pl.lit("2"))
    )
