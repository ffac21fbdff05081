"""A run's warnings and the run store's outcome in the run's language: the manifest keeps the
English text, the report and the console summary say it in English, French or Dutch."""

import pytest

from pipeline.outputs import messages
from pipeline.outputs.run_store import Outcome
from pipeline.outputs.warnings import derive, warning_message

INPUTS = {
    "file_errors": [{"file": "pay.csv", "column": "gross_salary", "rows": 12}],
    "employers_file": False,
    "column_defaults": [
        {"input": "employers", "column": "workforce", "file": "employers.csv", "default": "0", "rows": 3},
        {"input": "employees", "column": "household", "file": "employees.csv", "default": "single", "rows": 9},
    ],
}
ROWS = {
    "employers": ["100000001", "100000002"],
    "batch_employers": ["100000001", "100000002", *(f"20000000{i}" for i in range(7))],
    "household_missing": 4,
    "out_of_period": 2,
    "later_months": ["2026-11"],
}


def test_the_manifest_keeps_the_english_text():
    found = {w["code"]: w for w in derive(INPUTS, ROWS, ["onss/x", "onss/y"], "2026-10")}
    assert found["nothing_computed"]["message"] == (
        "no payroll line computed for 7 employer(s) of the batch (200000000, 200000001, 200000002, 200000003, "
        "200000004 and 2 more): their month is not finalised in the run store, and their quarter's DmfA export "
        "will refuse it"
    )
    assert found["column_default"]["message"] == (
        "employers.csv has no column workforce: 0 assumed for its 3 rows (the small-employer FFE rate applies and "
        "the special contribution of larger employers (DmfA 855) is not due)"
    )
    assert found["parameters_not_verified"]["message"] == (
        "2 legal parameter(s) in force in 2026-10 are not verified against their official source (listed under "
        "parameters_not_verified)"
    )
    assert found["out_of_period"]["count"] == 2 and "(2026-11)" in found["out_of_period"]["message"]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("fr", "4 travailleur(s) sans ménage fiscal : leur CSSS est calculée au barème d'un isolé"),
        ("nl", "4 werknemer(s) zonder fiscaal gezin: hun BBSZ wordt berekend volgens de schaal van een alleenstaande"),
    ],
)
def test_each_warning_is_said_in_the_run_language(lang, expected):
    t = messages.get(lang)
    found = derive(INPUTS, ROWS, ["onss/x"], "2026-10")
    texts = {w["code"]: warning_message(t, w) for w in found}
    assert texts["household_missing"] == expected
    assert len(texts) == 7 and all(text != w["message"] for text, w in zip(texts.values(), found))
    more = {"fr": "et 2 autre(s)", "nl": "en 2 andere"}[lang]
    assert more in texts["nothing_computed"]


def test_the_run_store_outcome_in_french():
    outcome = Outcome("store", "2026-10", "v1", ["100000002", "100000001"], {"100000003": "--no-finalise"}, [], [], [])
    assert outcome.lines() == [
        "run store store, 2026-10: finalised for employers 100000001, 100000002",
        "run store store, 2026-10: NOT finalised for employer 100000003 (--no-finalise); its DmfA export will "
        "refuse it",
    ]
    assert (
        outcome.lines("fr")[0]
        == "archive des calculs store, 2026-10 : finalisé pour les employeurs 100000001, 100000002"
    )


def test_the_console_counts_rejected_rows_per_check_in_the_run_language():
    import polars as pl

    from pipeline.outputs.report.monthly import _rejects_by_check

    rejects = pl.DataFrame(
        {
            "source_file": ["pay.csv", "pay.csv", "pay.csv", "employees.csv"],
            "source_line": [4, 4, 9, 2],  # line 4 has two defects of one check: one row
            "check": ["duplicate", "duplicate", "duplicate", "range"],
        }
    )
    t = messages.get("fr")
    assert _rejects_by_check(t, rejects) == [
        t("console.rejects_by_check"),
        f"  [duplicate] 2 : {t.check('duplicate')}",
        f"  [range] 1 : {t.check('range')}",
    ]
