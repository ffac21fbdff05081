"""Contract defaults come from the input specs only (schemas/inputs.py), typed as validated rows are."""

from __future__ import annotations

from decimal import Decimal

from pipeline.jobs import monthly
from pipeline.rules import employed_abroad
from schemas.inputs import typed_defaults


def test_typed_defaults_of_the_input_specs():
    # data-contract "Inputs": employer_category 000, workforce 0, commercial true; work_fraction 1,
    # weekly_work_days 5 (Monday-Friday), work_country BE.
    assert typed_defaults("employers") == {"employer_category": "000", "workforce": 0, "commercial": True}
    employees = typed_defaults("employees")
    assert (employees["work_fraction"], employees["weekly_work_days"], employees["work_country"]) == (
        Decimal("1"),
        5,
        "BE",
    )
    assert typed_defaults("pay") == {"days_worked_residence": 0, "days_worked_other": 0, "zone_exit_days": 0}


def test_the_jobs_and_rules_use_them():
    assert typed_defaults("employers") == monthly.EMPLOYER_DEFAULTS
    assert typed_defaults("employees")["work_country"] == employed_abroad.DEFAULT_WORK_COUNTRY
