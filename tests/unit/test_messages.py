"""The message catalogue: the same keys and placeholders in English, French and Dutch, a message
for every reject check code the program can emit, and the Belgian number formats."""

from __future__ import annotations

import ast
from decimal import Decimal
from pathlib import Path

import pytest

from pipeline.outputs import messages

ROOT = Path(__file__).resolve().parents[2]


def test_every_language_has_every_key():
    english = set(messages.CATALOGUES["en"])
    for lang in messages.LANGUAGES:
        keys = set(messages.CATALOGUES[lang])
        assert keys == english, f"{lang}: missing {sorted(english - keys)}, extra {sorted(keys - english)}"


def test_placeholders_agree_and_no_text_is_empty():
    english = messages.CATALOGUES["en"]
    for lang in messages.LANGUAGES:
        for key, text in messages.CATALOGUES[lang].items():
            assert text.strip(), f"{lang} {key} is empty"
            assert messages.placeholders(text) == messages.placeholders(english[key]), f"{lang} {key}"


def test_french_and_dutch_are_translated():
    """A catalogue copied from English would pass the key test: most texts must differ."""
    english = messages.CATALOGUES["en"]
    for lang in ("fr", "nl"):
        same = [k for k, v in messages.CATALOGUES[lang].items() if v == english[k]]
        # Codes and symbols that stay the same (—, SHA-256, DmfA, Total, Parameter ...): a handful only.
        assert len(same) < 25, same


def test_payroll_vocabulary():
    fr, nl = messages.get("fr"), messages.get("nl")
    assert fr("figure.employer_contribution") == "Cotisations patronales"
    assert nl("figure.employer_contribution") == "Werkgeversbijdragen"
    assert fr.column("worker_contribution") == "Cotisations personnelles"
    assert nl.column("worker_contribution") == "Persoonlijke bijdragen"
    assert "précompte professionnel" in fr("figure.withholding_applies")
    assert "bedrijfsvoorheffing" in nl("figure.withholding_applies")
    assert fr.column("work_bonus") == "Bonus à l'emploi" and nl.column("work_bonus") == "Werkbonus"
    assert fr("figure.csss") == "Cotisation spéciale de sécurité sociale (CSSS)"
    assert nl("figure.csss") == "Bijzondere bijdrage voor de sociale zekerheid (BBSZ)"
    assert "Salaire garanti" in fr.column("guaranteed_wage_onss")
    assert "Gewaarborgd loon" in nl.column("guaranteed_wage_onss")
    assert "ONSS" in fr("figure.due_to_onss") and "RSZ" in nl("figure.due_to_onss")
    assert "ONEM" in fr("figure.onem_allowance") and "RVA" in nl("figure.onem_allowance")


def _literal(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def emitted_check_codes() -> set[str]:
    """Every reject ``check`` code written in the program's source: the third argument of
    ``rejects.from_rows``, the second of ``RowRule``, the fourth of ``_falls_with``, any
    ``check=`` keyword, any default of a parameter named ``check``, and the keys of
    ``schemas.inputs.MESSAGES``."""
    found: set[str] = set()
    positions = {"from_rows": 2, "RowRule": 1, "_falls_with": 3}
    for path in [*(ROOT / "pipeline").rglob("*.py"), *(ROOT / "schemas").rglob("*.py")]:
        if "testing" in path.parts or "vendor" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
                at = positions.get(name)
                if at is not None and len(node.args) > at and _literal(node.args[at]):
                    found.add(_literal(node.args[at]))
                found |= {_literal(k.value) for k in node.keywords if k.arg == "check" and _literal(k.value)}
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                args = node.args.args[len(node.args.args) - len(node.args.defaults) :]
                found |= {_literal(d) for a, d in zip(args, node.args.defaults) if a.arg == "check" and _literal(d)}
    from schemas.inputs import MESSAGES

    return found | set(MESSAGES)


def test_every_check_code_has_a_message():
    codes = emitted_check_codes()
    # The scan itself must see the codes of each layer (intake, schemas, rules). Pay rows of months
    # after the run's period are out of scope, not rejected: no check code for them.
    assert {"format_niss", "duplicate", "episode_overlap", "withholding_input_missing"} <= codes
    assert "period_after_run" not in codes
    missing = sorted(c for c in codes if f"check.{c}" not in messages.CATALOGUES["en"])
    assert not missing, f"reject check codes without a plain-language message: {missing}"


def test_every_contribution_and_payroll_column_has_a_label():
    from pipeline.jobs.monthly import PAYROLL_COLUMNS
    from pipeline.rules.contributions import CONTRIBUTIONS

    english = messages.CATALOGUES["en"]
    assert not [c.name for c in CONTRIBUTIONS if f"contribution.{c.name}" not in english]
    assert not [c for c in [*PAYROLL_COLUMNS, "work_bonus", "csss"] if f"column.{c}" not in english]


@pytest.mark.parametrize(
    ("lang", "money", "rate", "count"),
    [
        # CLDR: en 1,234.56; fr-BE narrow no-break space and decimal comma; nl-BE dot and decimal comma.
        ("en", "-1,234,567.50", "13.07\u00a0%", "1,234"),
        ("fr", "-1\u202f234\u202f567,50", "13,07\u00a0%", "1\u202f234"),
        ("nl", "-1.234.567,50", "13,07\u00a0%", "1.234"),
    ],
)
def test_number_formats(lang, money, rate, count):
    t = messages.get(lang)
    assert t.money(Decimal("-1234567.5")) == money
    assert t.percent(Decimal("0.13070000")) == rate
    assert t.integer(1234) == count
    # Half away from zero, once: 0.005 -> 0.01 (not banker's 0.00).
    assert t.money(Decimal("0.005")).endswith("01")
    # A rate with more digits keeps them all: 0.0169 -> 1.69 %, 0.000525 -> 0.0525 %.
    assert t.percent(Decimal("0.000525")).startswith("0" + ("." if lang == "en" else ",") + "0525")


def test_month_names_and_unknown_language():
    assert messages.get("fr").month("2026-08") == "août 2026"
    assert messages.get("nl").month("2026-03") == "maart 2026"
    assert messages.get(None).lang == "en"
    with pytest.raises(ValueError, match="unknown language"):
        messages.get("de")
