"""The manifest builder (pipeline.outputs.manifest): one head for every job, counts per input."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from types import SimpleNamespace

import polars as pl

from pipeline.core.params import default_parameters
from pipeline.outputs import manifest
from pipeline.outputs import warnings as run_warnings

PARAMS = default_parameters()
HEAD = {"run_id", "code_version", "code_sha256", "parameter_bundle_sha256", "parameters_not_verified"}


def test_run_id_is_the_sha256_of_the_identity_as_canonical_json():
    # keys sorted, json.dumps default separators: {"a": "x", "b": 1}
    expected = hashlib.sha256(b'{"a": "x", "b": 1}').hexdigest()
    assert manifest.run_id({"b": 1, "a": "x"}) == expected


def test_head_pins_code_and_parameters_and_the_run_id_follows_them():
    day = dt.date(2026, 10, 1)
    built = manifest.build({"period": "2026-10"}, PARAMS, [day], {"period": "2026-10"})
    assert set(built) == HEAD | {"period"}
    assert built["code_sha256"] == manifest.code_hash()
    assert built["parameter_bundle_sha256"] == PARAMS.bundle_hash
    identity = {"period": "2026-10", "params": PARAMS.bundle_hash, "code": built["code_sha256"]}
    assert built["run_id"] == manifest.run_id(identity)
    other_code = manifest.build({"period": "2026-10"}, PARAMS, [day], {}, code="0" * 64)
    other_period = manifest.build({"period": "2026-11"}, PARAMS, [day], {})
    assert len({built["run_id"], other_code["run_id"], other_period["run_id"]}) == 3


def test_parameters_not_verified_are_those_in_force_on_any_date_sorted():
    jan_2024, oct_2026 = dt.date(2024, 1, 1), dt.date(2026, 10, 1)

    def not_verified(day: dt.date) -> set[str]:
        table = PARAMS.table(day)
        return set(table.filter(pl.col("status") != "verified").get_column("parameter"))

    assert manifest.parameters_not_verified(PARAMS, [oct_2026]) == sorted(not_verified(oct_2026))
    both = manifest.parameters_not_verified(PARAMS, [oct_2026, jan_2024])
    assert both == sorted(not_verified(jan_2024) | not_verified(oct_2026))
    # The FFE rate for small commercial employers: the 2024 value is unverified, the 2026 one verified;
    # the asbestos-fund quarters: the 2024 value verified, the 2026 one unverified. Both are listed.
    assert "onss/special/ffe_commercial_small_rate" in both and "onss/special/asbestos_quarters" in both
    assert "onss/special/ffe_commercial_small_rate" not in not_verified(oct_2026)
    assert "onss/special/asbestos_quarters" not in not_verified(jan_2024)


def test_monthly_manifest_counts_rejected_lines_once_per_input():
    inputs = {
        "pay": SimpleNamespace(path=Path("/in/pay.csv"), rows=5, sha256="b" * 64, dialect="csv"),
        "employees": SimpleNamespace(path=Path("/in/employees.csv"), rows=2, sha256="a" * 64, dialect="csv"),
    }
    # pay.csv line 3 fails two checks (one rejected row), line 4 one: 2 of the 5 pay rows rejected.
    rejects = pl.DataFrame({"source_file": ["pay.csv", "pay.csv", "pay.csv"], "source_line": [3, 3, 4]})
    built = manifest.monthly("2026-10", dt.date(2026, 11, 2), "canonical", inputs, rejects, 3, PARAMS)
    assert built["counts"] == {
        "employees": {"read": 2, "valid": 2, "rejected": 0, "blank": 0, "out_of_period": 0},
        "pay": {"read": 5, "valid": 3, "rejected": 2, "blank": 0, "out_of_period": 0},
    }
    assert built["totals"] == {"read": 7, "valid": 5, "rejected": 2, "blank": 0, "out_of_period": 0, "computed": 3}
    assert [i["input"] for i in built["inputs"]] == ["employees", "pay"]
    identity = {
        "period": "2026-10",
        "run_date": "2026-11-02",
        "inputs": ["a" * 64, "b" * 64],
        "profile": "canonical",
        "params": PARAMS.bundle_hash,
        "code": built["code_sha256"],
    }
    assert built["run_id"] == manifest.run_id(identity)
    assert built["parameters_not_verified"] == manifest.parameters_not_verified(PARAMS, [dt.date(2026, 10, 1)])


def test_monthly_manifest_counts_blank_and_out_of_period_rows_and_warns():
    # pay.csv: 5 records and 1 blank row; line 3 rejected; 1 valid row of a month after the run's
    # period (out of scope, not rejected): read 6 = valid 3 + rejected 1 + blank 1 + out_of_period 1.
    inputs = {
        "pay": SimpleNamespace(
            path=Path("/in/pay.csv"), rows=5, blank=1, sha256="b" * 64, dialect="csv", missing_columns=("paid_hours",)
        ),
        "employees": SimpleNamespace(
            path=Path("/in/employees.csv"), rows=2, sha256="a" * 64, dialect="csv", missing_columns=("work_country",)
        ),
    }
    rejects = pl.DataFrame({"source_file": ["pay.csv"], "source_line": [3]})
    facts = {
        "inputs": run_warnings.input_facts(inputs),
        "rows": {
            "out_of_period": 1,
            "later_months": ["2026-11"],
            "employers": ["174389412"],
            "batch_employers": ["174389412"],
            "household_missing": 0,
        },
    }
    built = manifest.monthly("2026-10", dt.date(2026, 11, 2), "canonical", inputs, rejects, 2, PARAMS, None, facts)
    assert built["counts"]["pay"] == {"read": 6, "valid": 3, "rejected": 1, "blank": 1, "out_of_period": 1}
    assert built["totals"] == {"read": 8, "valid": 5, "rejected": 1, "blank": 1, "out_of_period": 1, "computed": 2}
    # No employers file, work_country absent (default BE), parameters not verified, the November row:
    # in that order; paid_hours has no default (it is "not given"), so it is not warned about.
    assert [(w["code"], w["count"]) for w in built["warnings"]] == [
        ("employers_missing", 1),
        ("column_default", 2),
        ("parameters_not_verified", len(built["parameters_not_verified"])),
        ("out_of_period", 1),
    ]
    assert "employees.csv has no column work_country: BE assumed for its 2 rows" in built["warnings"][1]["message"]
    assert "2026-11" in built["warnings"][3]["message"]
    # An option that changes what is computed is part of the run's identity.
    other = manifest.monthly(
        "2026-10", dt.date(2026, 11, 2), "canonical", inputs, rejects, 2, PARAMS, None, facts, {"onem_part_time": "x"}
    )
    assert other["run_id"] != built["run_id"] and other["options"] == {"onem_part_time": "x"}


def test_claims_manifest_has_the_common_head_for_the_stored_months():
    runs = {"2026-10": "r10", "2026-07": "r07"}
    built = manifest.claims("2026-H2", dt.date(2026, 11, 2), runs, ["2026-08"], PARAMS)
    assert set(built) == HEAD | {"semester", "run_date", "source_runs", "months_missing_from_store"}
    assert built["code_sha256"] == manifest.code_hash()
    assert built["parameter_bundle_sha256"] == PARAMS.bundle_hash
    assert built["parameters_not_verified"] == manifest.parameters_not_verified(
        PARAMS, [dt.date(2026, 7, 1), dt.date(2026, 10, 1)]
    )
    assert list(built["source_runs"]) == ["2026-07", "2026-10"]
    assert built["months_missing_from_store"] == ["2026-08"]
