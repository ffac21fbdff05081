"""Dated parameters for the special employer ONSS contributions and the employer cap.

Checks the packaged bundle (``default_parameters()``) on both sides of every change date, with
exact Decimal values. Percent parameters come back as fractions (0.34 % -> Decimal("0.0034")).
Sources of the expected figures: the references in each YAML file (ONSS rates files 2026/2 and
2026/3; socialsecurity.be asbestos-fund instructions; Odoo 19 l10n_be_hr_payroll; ONSS intermediate
instructions 2025/4; Programme Act of 18 July 2025 for the cap). See docs/onss_parameters.md.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from pipeline.core.params import STATUSES, default_parameters
from pipeline.errors import MissingParameterError

D = dt.date

SPECIAL = [
    "onss/special/work_accident_rate",
    "onss/special/asbestos_rate",
    "onss/special/asbestos_quarters",
    "onss/special/ffe_commercial_small_rate",
    "onss/special/ffe_commercial_large_rate",
    "onss/special/ffe_workforce_threshold",
    "onss/special/ffe_noncommercial_rate",
    "onss/special/ffe_special_rate",
    "onss/special/ar401_rate",
    "onss/special/ar401_workforce_threshold",
    "onss/special/temporary_unemployment_rate",
    "onss/special/cpae_cp200_rate",
    "onss/employer_cap_quarter",
]

# (parameter, date, expected value). Dates sit on both sides of every dated key (including keys
# that repeat the previous value with a different status, e.g. 2025-01-01 for the FFE rates).
CASES = [
    # 255: 0.02 % constant over the covered history.
    ("onss/special/work_accident_rate", D(2024, 1, 1), Decimal("0.0002")),
    ("onss/special/work_accident_rate", D(2026, 11, 15), Decimal("0.0002")),
    # 256: 0.01 % constant.
    ("onss/special/asbestos_rate", D(2024, 1, 1), Decimal("0.0001")),
    ("onss/special/asbestos_rate", D(2026, 9, 30), Decimal("0.0001")),
    # 256 quarters: 2024 Q1-Q2, 2025 Q1-Q2 (default rule), 2026 Q1-Q3, 2027 default Q1-Q2.
    ("onss/special/asbestos_quarters", D(2024, 1, 1), (1, 2)),
    ("onss/special/asbestos_quarters", D(2024, 12, 31), (1, 2)),
    ("onss/special/asbestos_quarters", D(2025, 1, 1), (1, 2)),
    ("onss/special/asbestos_quarters", D(2025, 12, 31), (1, 2)),
    ("onss/special/asbestos_quarters", D(2026, 1, 1), (1, 2, 3)),
    ("onss/special/asbestos_quarters", D(2026, 12, 31), (1, 2, 3)),
    ("onss/special/asbestos_quarters", D(2027, 1, 1), (1, 2)),
    # 809 type 0 (< 20 workers): 0.18 % in 2024-2025, 0.34 % (0.32 + 0.02) from 2026.
    ("onss/special/ffe_commercial_small_rate", D(2024, 6, 30), Decimal("0.0018")),
    ("onss/special/ffe_commercial_small_rate", D(2024, 12, 31), Decimal("0.0018")),
    ("onss/special/ffe_commercial_small_rate", D(2025, 1, 1), Decimal("0.0018")),
    ("onss/special/ffe_commercial_small_rate", D(2025, 12, 31), Decimal("0.0018")),
    ("onss/special/ffe_commercial_small_rate", D(2026, 1, 1), Decimal("0.0034")),
    ("onss/special/ffe_commercial_small_rate", D(2026, 7, 1), Decimal("0.0034")),
    # 809 type 5 (>= 20 workers): 0.23 % then 0.39 % (0.37 + 0.02).
    ("onss/special/ffe_commercial_large_rate", D(2024, 12, 31), Decimal("0.0023")),
    ("onss/special/ffe_commercial_large_rate", D(2025, 1, 1), Decimal("0.0023")),
    ("onss/special/ffe_commercial_large_rate", D(2025, 12, 31), Decimal("0.0023")),
    ("onss/special/ffe_commercial_large_rate", D(2026, 1, 1), Decimal("0.0039")),
    ("onss/special/ffe_commercial_large_rate", D(2026, 9, 30), Decimal("0.0039")),
    ("onss/special/ffe_workforce_threshold", D(2024, 1, 1), Decimal("20")),
    ("onss/special/ffe_workforce_threshold", D(2026, 11, 1), Decimal("20")),
    # 811: 0.01 % throughout 2024-2026 (2024 carried back, unverified).
    ("onss/special/ffe_noncommercial_rate", D(2024, 1, 1), Decimal("0.0001")),
    ("onss/special/ffe_noncommercial_rate", D(2024, 12, 31), Decimal("0.0001")),
    ("onss/special/ffe_noncommercial_rate", D(2025, 1, 1), Decimal("0.0001")),
    ("onss/special/ffe_noncommercial_rate", D(2025, 12, 31), Decimal("0.0001")),
    ("onss/special/ffe_noncommercial_rate", D(2026, 1, 1), Decimal("0.0001")),
    # 810: 0.17 % in 2024-2025, 0.10 % (0.09 + 0.01) from 2026.
    ("onss/special/ffe_special_rate", D(2024, 12, 31), Decimal("0.0017")),
    ("onss/special/ffe_special_rate", D(2025, 1, 1), Decimal("0.0017")),
    ("onss/special/ffe_special_rate", D(2025, 12, 31), Decimal("0.0017")),
    ("onss/special/ffe_special_rate", D(2026, 1, 1), Decimal("0.0010")),
    # 855: 1.69 % (1.60 x 1.0567 rounded).
    ("onss/special/ar401_rate", D(2024, 1, 1), Decimal("0.0169")),
    ("onss/special/ar401_rate", D(2026, 11, 30), Decimal("0.0169")),
    ("onss/special/ar401_workforce_threshold", D(2024, 1, 1), Decimal("10")),
    ("onss/special/ar401_workforce_threshold", D(2026, 11, 30), Decimal("10")),
    # 859: 0.10 %.
    ("onss/special/temporary_unemployment_rate", D(2024, 1, 1), Decimal("0.001")),
    ("onss/special/temporary_unemployment_rate", D(2026, 11, 30), Decimal("0.001")),
    # 831 (category 010): 0.23 %.
    ("onss/special/cpae_cp200_rate", D(2024, 1, 1), Decimal("0.0023")),
    ("onss/special/cpae_cp200_rate", D(2026, 11, 30), Decimal("0.0023")),
    # Employer cap: none before 2025Q3, 85,000 -> 86,700 (x1.02) -> 88,434 (x1.02).
    ("onss/employer_cap_quarter", D(2024, 1, 1), None),
    ("onss/employer_cap_quarter", D(2025, 6, 30), None),
    ("onss/employer_cap_quarter", D(2025, 7, 1), Decimal("85000.00")),
    ("onss/employer_cap_quarter", D(2025, 12, 31), Decimal("85000.00")),
    ("onss/employer_cap_quarter", D(2026, 1, 1), Decimal("86700.00")),
    ("onss/employer_cap_quarter", D(2026, 6, 30), Decimal("86700.00")),
    ("onss/employer_cap_quarter", D(2026, 7, 1), Decimal("88434.00")),
    ("onss/employer_cap_quarter", D(2026, 11, 30), Decimal("88434.00")),
]


@pytest.mark.parametrize(("name", "on", "expected"), CASES, ids=[f"{c[0]}@{c[1]}" for c in CASES])
def test_value_on_date(name, on, expected):
    got = default_parameters().value(name, on)
    assert got == expected
    if isinstance(expected, Decimal):
        assert isinstance(got, Decimal)


def test_every_date_change_is_covered_on_both_sides():
    """Each change key has a case on its first day and a case before it (guards the table above)."""
    params = default_parameters()
    dates_by_name: dict[str, set[dt.date]] = {}
    for name, on, _ in CASES:
        dates_by_name.setdefault(name, set()).add(on)
    for name in SPECIAL:
        values = params.get(name).values
        for prev, nxt in zip(values, values[1:]):
            assert nxt.effective_from in dates_by_name[name], (name, nxt.effective_from)
            assert any(prev.effective_from <= d <= prev.effective_to for d in dates_by_name[name]), name


def test_history_starts_by_2024_and_nothing_before_raises_silently():
    params = default_parameters()
    for name in SPECIAL:
        assert params.get(name).values[0].effective_from <= D(2024, 1, 1), name
    with pytest.raises(MissingParameterError):
        params.value("onss/special/ffe_special_rate", D(2023, 12, 31))


@pytest.mark.parametrize("name", SPECIAL)
def test_status_and_reference_present(name):
    for v in default_parameters().get(name).values:
        assert v.status in STATUSES
        assert v.status in {"verified", "secondary", "unverified"}
        assert v.title and v.href.startswith("http")


def test_statuses_flag_the_unverified_figures():
    """The figures without a source are visibly unverified (see docs/onss_parameters.md)."""
    params = default_parameters()
    for name in [
        "onss/special/ffe_commercial_small_rate",
        "onss/special/ffe_commercial_large_rate",
        "onss/special/ffe_noncommercial_rate",
        "onss/special/ffe_special_rate",
    ]:
        assert params.entry(name, D(2024, 5, 1)).status == "unverified"
        assert params.entry(name, D(2026, 5, 1)).status == "verified"
    assert params.entry("onss/special/asbestos_quarters", D(2024, 3, 1)).status == "verified"
    assert params.entry("onss/special/asbestos_quarters", D(2026, 8, 1)).status == "unverified"


FFE_RATES = [
    "onss/special/ffe_commercial_small_rate",
    "onss/special/ffe_commercial_large_rate",
    "onss/special/ffe_noncommercial_rate",
    "onss/special/ffe_special_rate",
]


@pytest.mark.parametrize("name", FFE_RATES)
def test_ffe_2024_rates_say_they_are_not_sourced(name):
    """The FFE rates are fixed per calendar year by royal decree (law of 26 June 2002); no 2024 figure could be
    sourced, so the 2024 key holds a placeholder (the 2025 value) marked unverified whose reference says so,
    never another year's value silently. The 2025 key is a separate entry with its own (secondary) status."""
    params = default_parameters()
    y2024, y2025 = params.entry(name, D(2024, 6, 1)), params.entry(name, D(2025, 6, 1))
    assert y2024.status == "unverified"
    assert y2024.title.startswith("NOT SOURCED for 2024")
    assert "placeholder" in y2024.title and "not a 2024 figure" in y2024.title
    assert (y2024.effective_from, y2024.effective_to) == (D(2024, 1, 1), D(2024, 12, 31))
    assert y2025.status == "secondary" and y2025.effective_from == D(2025, 1, 1)
    assert y2024.value == y2025.value


def test_ffe_2026_published_rates_equal_basic_plus_moderation():
    """Rate file 2026/3: 809/0 = 0.32 + 0.02, 809/5 = 0.37 + 0.02, 810/0 = 0.09 + 0.01 (percent)."""
    params = default_parameters()
    on = D(2026, 8, 1)
    assert params.value("onss/special/ffe_commercial_small_rate", on) == (Decimal("0.32") + Decimal("0.02")) / 100
    assert params.value("onss/special/ffe_commercial_large_rate", on) == (Decimal("0.37") + Decimal("0.02")) / 100
    assert params.value("onss/special/ffe_special_rate", on) == (Decimal("0.09") + Decimal("0.01")) / 100


def test_cap_indexation_steps_are_two_percent():
    params = default_parameters()
    c1 = params.value("onss/employer_cap_quarter", D(2025, 7, 1))
    c2 = params.value("onss/employer_cap_quarter", D(2026, 1, 1))
    c3 = params.value("onss/employer_cap_quarter", D(2026, 7, 1))
    assert c2 == c1 * Decimal("1.02")  # 85,000.00 x 1.02 = 86,700.00
    assert c3 == c2 * Decimal("1.02")  # 86,700.00 x 1.02 = 88,434.00


def test_cap_series_has_null_before_2025q3():
    series = default_parameters().series("onss/employer_cap_quarter")
    assert series.get_column("value").to_list()[0] is None
    assert series.get_column("effective_to").to_list()[0] == D(2025, 6, 30)
