"""ONSS base and contributions (data-contract computations 2 and 3), and the contribution declarations.

Each expected amount is worked out by hand: amount = round_half_up(onss_base x rate, 0.01).
"""

import datetime as dt
from decimal import Decimal as D

import polars as pl
import pytest

from pipeline.core.money import MONEY
from pipeline.core.params import default_parameters
from pipeline.rules.contributions import (
    AR401_EMPLOYERS,
    ASBESTOS_QUARTERS,
    BLUE_COLLARS,
    COMMERCIAL_LARGE,
    COMMERCIAL_SMALL,
    CONTRIBUTIONS,
    CP200_WHITE_COLLARS,
    EVERYONE,
    NON_COMMERCIAL,
    WORKER_CODE,
    Computed,
    Contribution,
    contribution_lines,
    contributions,
    declared_contributions,
    declared_deductions,
    lines_and_totals,
    onss_base,
    rate_amount,
    totals,
)

PARAMS = default_parameters()


def frame(period: str, status: str, gross: str, gw_onss: str = "0", category="000", workforce=5, commercial=True):
    return pl.DataFrame(
        {
            "employee_id": ["E1"],
            "period": [period],
            "worker_status": [status],
            "gross_salary": [D(gross)],
            "guaranteed_wage_onss": [D(gw_onss)],
            "employer_category": [category],
            "workforce": [workforce],
            "commercial": [commercial],
        },
        schema_overrides={"gross_salary": MONEY, "guaranteed_wage_onss": MONEY, "workforce": pl.Int32},
    )


def compute(df: pl.DataFrame) -> tuple[dict[str, D], pl.DataFrame]:
    start = dt.date.fromisoformat(df["period"][0] + "-01")
    df = df.with_columns(onss_base(PARAMS, start))
    lines = contribution_lines(df, PARAMS, start)
    return {r["contribution"]: r["amount"] for r in lines.iter_rows(named=True)}, totals(lines).join(
        df, on=["employee_id", "period"]
    )


def test_blue_collar_3000_in_2026_10():
    # ONSS base = 3,000.00 x 108 % = 3,240.00 (ouvriers at 108 %, RD 28 November 1969 art. 19 § 1).
    amounts, tot = compute(frame("2026-10", "blue_collar", "3000.00"))
    assert tot["onss_base"][0] == D("3240.00")
    assert amounts["worker_onss"] == D("423.47")  # 3,240 x 13.07 % = 423.468
    assert amounts["employer_basic"] == D("644.11")  # 3,240 x 19.88 % = 644.112
    assert amounts["wage_moderation"] == D("165.89")  # 3,240 x 5.12 % = 165.888
    assert amounts["holiday_quarterly"] == D("180.47")  # code 253: 3,240 x 5.57 % = 180.468
    assert amounts["holiday_annual_accrual"] == D("332.75")  # 3,240 x 10.27 % = 332.748 (accrual, not due now)
    assert amounts["work_accident_special"] == D("0.65")  # 255: 3,240 x 0.02 % = 0.648
    assert amounts["ffe_commercial_small"] == D("11.02")  # 809 (< 20 workers, 2026): 3,240 x 0.34 % = 11.016
    assert amounts["ffe_special"] == D("3.24")  # 810 (2026): 3,240 x 0.10 %
    assert amounts["temporary_unemployment"] == D("3.24")  # 859: 3,240 x 0.10 %
    assert "asbestos_fund" not in amounts  # 256 is not due in Q4 2026 (due quarters 1-3)
    assert "ar401_special" not in amounts  # 855 needs at least 10 workers
    assert tot["worker_contribution"][0] == D("423.47")
    start = dt.date(2026, 10, 1)
    lines = contribution_lines(
        frame("2026-10", "blue_collar", "3000.00").with_columns(onss_base(PARAMS, start)), PARAMS, start
    )
    codes = dict(zip(lines["contribution"], lines["dmfa_code"]))
    assert (codes["worker_onss"], codes["holiday_quarterly"], codes["holiday_annual_accrual"]) == ("015", "253", None)
    # 644.11 + 165.89 + 180.47 + 0.65 + 11.02 + 3.24 + 3.24 = 1,008.62 (the accrual line is not included)
    assert tot["employer_contribution"][0] == D("1008.62")


def test_white_collar_3000_cp200_large_employer():
    # White collar: base = gross (100 %). Employer category 010 (CP 200) adds 831; 25 workers: 809 type 5 and 855.
    amounts, tot = compute(frame("2026-10", "white_collar", "3000.00", category="010", workforce=25))
    assert tot["onss_base"][0] == D("3000.00")
    assert amounts["worker_onss"] == D("392.10")  # 3,000 x 13.07 %
    assert amounts["employer_basic"] == D("596.40")  # 3,000 x 19.88 %
    assert amounts["wage_moderation"] == D("153.60")  # 3,000 x 5.12 %
    assert "holiday_quarterly" not in amounts and "holiday_annual_accrual" not in amounts  # ouvriers only (ONVA)
    assert amounts["ffe_commercial_large"] == D("11.70")  # 3,000 x 0.39 %
    assert amounts["ar401_special"] == D("50.70")  # 855: 3,000 x 1.69 %
    assert amounts["cpae_cp200"] == D("6.90")  # 831: 3,000 x 0.23 %
    # 596.40 + 153.60 + 0.60 + 11.70 + 3.00 + 3.00 + 50.70 + 6.90 = 825.90
    assert tot["employer_contribution"][0] == D("825.90")


def test_part_time_white_collar_non_commercial_in_q3():
    # Half-time white collar, 1,234.50 a month, non-commercial employer (FFE 811), August 2026 (Q3: asbestos due).
    amounts, tot = compute(frame("2026-08", "white_collar", "1234.50", commercial=False, workforce=3))
    assert amounts["worker_onss"] == D("161.35")  # 1,234.50 x 13.07 % = 161.34915
    assert amounts["employer_basic"] == D("245.42")  # 1,234.50 x 19.88 % = 245.4186
    assert amounts["wage_moderation"] == D("63.21")  # 1,234.50 x 5.12 % = 63.2064
    assert amounts["work_accident_special"] == D("0.25")  # x 0.02 % = 0.2469
    assert amounts["asbestos_fund"] == D("0.12")  # x 0.01 % = 0.12345
    assert amounts["ffe_noncommercial"] == D("0.12")  # 811: x 0.01 % = 0.12345
    assert amounts["ffe_special"] == D("1.23")  # x 0.10 % = 1.2345
    assert "ffe_commercial_small" not in amounts
    assert tot["employer_contribution"][0] == D("311.58")  # 245.42+63.21+0.25+0.12+0.12+1.23+1.23


@pytest.mark.parametrize(
    ("period", "ffe_small", "ffe_special"),
    [
        ("2025-12", D("4.86"), D("4.59")),  # 2025: 809 0.18 %, 810 0.17 % -> 2,700 x 0.18 % = 4.86; x 0.17 % = 4.59
        ("2026-01", D("9.18"), D("2.70")),  # 2026: 809 0.34 %, 810 0.10 % -> 2,700 x 0.34 % = 9.18; x 0.10 % = 2.70
    ],
)
def test_both_sides_of_the_2026_ffe_rate_change(period, ffe_small, ffe_special):
    amounts, tot = compute(frame(period, "blue_collar", "2500.00"))
    assert tot["onss_base"][0] == D("2700.00")  # 2,500 x 108 %
    assert amounts["ffe_commercial_small"] == ffe_small
    assert amounts["ffe_special"] == ffe_special
    assert amounts["worker_onss"] == D("352.89")  # 2,700 x 13.07 % = 352.89


def test_guaranteed_wage_subject_part_enters_the_base_and_base_rounds_once():
    # (2,000.00 + 500.00 guaranteed wage days 1-7) x 108 % = 2,700.00
    _, tot = compute(frame("2026-10", "blue_collar", "2000.00", gw_onss="500.00"))
    assert tot["onss_base"][0] == D("2700.00")
    # 2,345.67 x 108 % = 2,533.3236 -> base 2,533.32; worker 2,533.32 x 13.07 % = 331.104924 -> 331.10
    amounts, tot = compute(frame("2026-10", "blue_collar", "2345.67"))
    assert tot["onss_base"][0] == D("2533.32")
    assert amounts["worker_onss"] == D("331.10")


def test_period_before_the_parameter_history_is_refused():
    # The special contributions are kept from 2024 on: a 2017 period cannot be computed (exit code 4).
    from pipeline.errors import MissingParameterError

    with pytest.raises(MissingParameterError):
        compute(frame("2017-12", "blue_collar", "1000.00"))


def test_rate_change_2017_to_2018():
    # Private profit sector: 22.65 % + 7.35 % until 2017Q4, then 19.88 % + 5.12 % (white collar base 1,000).
    # (history kept for corrections of old periods; the special contributions start in 2024, so only the core lines)
    for period, basic, moderation in (("2017-12", D("226.50"), D("73.50")), ("2018-01", D("198.80"), D("51.20"))):
        start = dt.date.fromisoformat(period + "-01")
        assert PARAMS.value("onss/employer_basic_rate", start) * D("1000.00") == basic
        assert PARAMS.value("onss/wage_moderation_rate", start) * D("1000.00") == moderation


# --------------------------------------------------------------------------------------------
# Each contribution declared once (pipeline.rules.contributions.CONTRIBUTIONS)
# --------------------------------------------------------------------------------------------
def _new(**fields) -> Contribution:
    """A new employer contribution, declared with ``fields`` on top of a plausible base."""
    base = {"name": "new_fund", "payer": "employer", "parameter": "onss/special/ffe_special_rate", "dmfa_code": "852"}
    return Contribution(**{**base, **fields})


def test_a_contribution_cannot_be_declared_without_an_applicability_condition():
    # No default: leaving out who it applies to does not silently make it apply to everyone.
    with pytest.raises(TypeError, match="applies_to"):
        _new(dmfa_type="0")
    # Nor does None or an anonymous function: "everyone" is the named condition EVERYONE.
    with pytest.raises(TypeError, match="applies_to must be a Condition"):
        _new(applies_to=None, dmfa_type="0")
    with pytest.raises(TypeError, match="applies_to must be a Condition"):
        _new(applies_to=lambda params, on: pl.lit(True), dmfa_type="0")
    assert _new(applies_to=EVERYONE, dmfa_type="0").applies_to is EVERYONE


def test_every_declared_dmfa_contribution_has_a_contribution_type():
    # A contribution declared in the DmfA (due, with a code) without a ContributionType [00083] is refused ...
    with pytest.raises(ValueError, match="ContributionType"):
        _new(applies_to=EVERYONE)
    # ... and one not declared (accrual, or no code) cannot carry one.
    with pytest.raises(ValueError, match="ContributionType"):
        _new(applies_to=EVERYONE, dmfa_code=None, dmfa_type="0")
    # A type per worker status is only for the worker-code line, and must name both statuses.
    with pytest.raises(ValueError, match="worker status"):
        _new(applies_to=EVERYONE, dmfa_type={"blue_collar": "1", "white_collar": "0"})
    with pytest.raises(ValueError, match="worker status"):
        _new(applies_to=EVERYONE, dmfa_code=WORKER_CODE, dmfa_type={"blue_collar": "1"})
    # Every declared contribution evaluates to a one-digit type for both statuses (ONSS DmfA
    # instructions, annex 3: 015 type 1 "108 %", 495 type 0 "100 %"; 809 type 0 below 20 workers,
    # type 5 at or above; every other special contribution here type 0).
    statuses = pl.DataFrame({"worker_status": ["blue_collar", "white_collar"]})
    types = {
        c.name: tuple(statuses.with_columns(c.type_expr().alias("t")).get_column("t").to_list())
        for c in declared_contributions()
    }
    assert types == {
        "worker_onss": ("1", "0"),
        "employer_basic": ("1", "0"),
        "wage_moderation": ("1", "0"),
        "holiday_quarterly": ("0", "0"),
        "work_accident_special": ("0", "0"),
        "asbestos_fund": ("0", "0"),
        "ffe_commercial_small": ("0", "0"),
        "ffe_commercial_large": ("5", "5"),
        "ffe_noncommercial": ("0", "0"),
        "ffe_special": ("0", "0"),
        "ar401_special": ("0", "0"),
        "temporary_unemployment": ("0", "0"),
        "cpae_cp200": ("0", "0"),
        "csss": ("0", "0"),  # 856 type 0 (annex 3), declared without a basis
    }
    # Every contribution but the annual holiday accrual (collected next year by debit notice) is declared;
    # the work bonus as a WorkerDeduction (code 0001, annex 4), which has no ContributionType.
    assert [c.name for c in CONTRIBUTIONS if not c.declared] == ["holiday_annual_accrual"]
    assert [(c.name, c.dmfa_code, c.dmfa_type) for c in declared_deductions()] == [("work_bonus", "0001", None)]
    # Recomputed on the quarter (base x rate): every WorkerContribution but the CSSS (the sum withheld).
    assert [c.name for c in declared_contributions() if not c.recomputed] == ["csss"]


def test_codes_and_the_employer_cap_are_fields_of_the_declarations():
    by_name = {c.name: c for c in CONTRIBUTIONS}
    # The worker code line 015/495 groups the personal, basic and wage-moderation contributions.
    assert [c.name for c in CONTRIBUTIONS if c.dmfa_code == WORKER_CODE] == [
        "worker_onss",
        "employer_basic",
        "wage_moderation",
    ]
    # The employer cap touches the basic employer and wage-moderation contributions only (the
    # personal 13.07 % and the special contributions stay due on the full pay).
    assert [c.name for c in CONTRIBUTIONS if c.employer_cap] == ["employer_basic", "wage_moderation"]
    assert (by_name["ffe_commercial_small"].dmfa_code, by_name["ffe_commercial_large"].dmfa_code) == ("809", "809")
    with pytest.raises(ValueError, match="employer cap"):
        _new(applies_to=EVERYONE, dmfa_type="0", payer="worker", employer_cap=True)


@pytest.mark.parametrize(
    ("status", "category", "workforce", "commercial", "expected"),
    [
        # 2026-08-01 (Q3: asbestos due; onss/special/ffe_workforce_threshold 20, ar401 threshold 10)
        ("blue_collar", "000", 5, True, {"blue_collars", "asbestos_quarters", "commercial_small"}),
        ("white_collar", "010", 25, True, {"asbestos_quarters", "commercial_large", "ar401_employers", "cp200"}),
        ("white_collar", "000", 10, False, {"asbestos_quarters", "non_commercial", "ar401_employers"}),
        # 19 workers: below the FFE threshold (20), not below AR 401's (10); commercial null counts as true
        ("white_collar", "000", 19, None, {"asbestos_quarters", "commercial_small", "ar401_employers"}),
    ],
)
def test_named_conditions(status, category, workforce, commercial, expected):
    row = pl.DataFrame(
        {
            "worker_status": [status],
            "employer_category": [category],
            "workforce": [workforce],
            "commercial": [commercial],
        },
        schema_overrides={"workforce": pl.Int32, "commercial": pl.Boolean},
    )
    on = dt.date(2026, 8, 1)
    conditions = {
        "everyone": EVERYONE,
        "blue_collars": BLUE_COLLARS,
        "asbestos_quarters": ASBESTOS_QUARTERS,
        "commercial_small": COMMERCIAL_SMALL,
        "commercial_large": COMMERCIAL_LARGE,
        "non_commercial": NON_COMMERCIAL,
        "ar401_employers": AR401_EMPLOYERS,
        "cp200": CP200_WHITE_COLLARS,
    }
    holds = {name for name, cond in conditions.items() if row.select(cond(PARAMS, on)).item()}
    assert holds == expected | {"everyone"}


# --------------------------------------------------------------------------------------------
# Lines a rule computes: the work bonus (deduction) and the CSSS (withheld)
# --------------------------------------------------------------------------------------------
def test_a_computed_line_is_declared_with_its_rule_and_no_rate():
    computed = Computed(rule="work_bonus", amount="work_bonus", base="wage_100", parameter="p", source="s")
    # A deduction or withheld amount comes from a rule (computed), with no rate parameter ...
    with pytest.raises(ValueError, match="computed by a rule"):
        _new(applies_to=EVERYONE, kind="deduction", dmfa_code="0001")
    with pytest.raises(ValueError, match="computed by a rule"):
        _new(applies_to=EVERYONE, kind="deduction", dmfa_code="0001", computed=computed)  # rate parameter kept
    # ... and a due contribution is base x rate: no computed field.
    with pytest.raises(ValueError, match="computed by a rule"):
        _new(applies_to=EVERYONE, dmfa_type="0", parameter=None, computed=computed)
    # A WorkerDeduction has no ContributionType; a withheld WorkerContribution has one.
    with pytest.raises(ValueError, match="ContributionType"):
        _new(applies_to=EVERYONE, kind="deduction", parameter=None, computed=computed, dmfa_code="0001", dmfa_type="0")
    with pytest.raises(ValueError, match="ContributionType"):
        _new(applies_to=EVERYONE, kind="withheld", parameter=None, computed=computed, dmfa_code="856")
    # The employer cap never touches a computed line.
    with pytest.raises(ValueError, match="employer cap"):
        _new(applies_to=EVERYONE, kind="withheld", parameter=None, computed=computed, dmfa_type="0", employer_cap=True)
    ok = _new(applies_to=EVERYONE, payer="worker", kind="deduction", parameter=None, computed=computed, dmfa_code="1")
    assert (ok.block, ok.declared, ok.recomputed) == ("deduction", True, False)


def _rule_tables(df: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """Hand-made outputs of the two rules for the rows of ``df`` (E1: bonus 218.73, CSSS 14.84; E2: none)."""
    work_bonus = pl.DataFrame(
        {
            "employee_id": df["employee_id"],
            "work_bonus": [D("218.73"), D("0.00")],
            "wage_100": [D("2600.00"), D("6000.00")],
            "volet_a_parameter": ["onss/work_bonus/white_collar/volet_a"] * 2,
            "volet_a_source": ["onss/work_bonus/white_collar/volet_a@2026-09-01 [secondary]"] * 2,
        },
        schema_overrides={"work_bonus": MONEY, "wage_100": MONEY},
    )
    csss = pl.DataFrame(
        {
            "employee_id": df["employee_id"],
            "csss": [D("14.84"), D("0.00")],
            "onss_base": [D("2600.00"), D("6000.00")],
            "parameter": ["onss/csss/single", "onss/csss/joint_one_income"],
            "source": ["onss/csss/single@2022-04-01 [secondary]", "onss/csss/joint_one_income@2022-04-01 [secondary]"],
        },
        schema_overrides={"csss": MONEY, "onss_base": MONEY},
    )
    return {"work_bonus": work_bonus, "csss": csss}


def test_computed_lines_take_the_rule_figures_and_totals_count_the_deduction_only():
    start = dt.date(2026, 10, 1)
    df = pl.concat([frame("2026-10", "white_collar", "2600.00"), frame("2026-10", "white_collar", "6000.00")])
    df = df.with_columns(pl.Series("employee_id", ["E1", "E2"])).with_columns(onss_base(PARAMS, start))
    lines = contribution_lines(df, PARAMS, start, _rule_tables(df))
    e1 = {r["contribution"]: r for r in lines.filter(pl.col("employee_id") == "E1").iter_rows(named=True)}
    # The work bonus: a deduction line of the worker, DmfA 0001, amount = -bonus, base = the wage at 100 %,
    # no rate, the parameter and source the rule read; the CSSS: withheld, 856, base = ONSS base.
    bonus, csss = e1["work_bonus"], e1["csss"]
    assert (bonus["payer"], bonus["kind"], bonus["dmfa_code"], bonus["base"], bonus["rate"], bonus["amount"]) == (
        "worker",
        "deduction",
        "0001",
        D("2600.00"),
        None,
        D("-218.73"),
    )
    assert bonus["source"] == "onss/work_bonus/white_collar/volet_a@2026-09-01 [secondary]"
    assert (csss["kind"], csss["dmfa_code"], csss["base"], csss["rate"], csss["amount"], csss["parameter"]) == (
        "withheld",
        "856",
        D("2600.00"),
        None,
        D("14.84"),
        "onss/csss/single",
    )
    # No line where the rule gives 0.00 (E2: above the tables and the CSSS scale of this hand-made table).
    e2 = set(lines.filter(pl.col("employee_id") == "E2").get_column("contribution").cast(pl.String))
    assert "work_bonus" not in e2 and "csss" not in e2 and "worker_onss" in e2
    # Lines in contribution-name order within the employee-month (csss after cpae_cp200 would be; work_bonus
    # between work_accident_special and worker_onss).
    names = lines.filter(pl.col("employee_id") == "E1").get_column("contribution").cast(pl.String).to_list()
    assert names == sorted(names) and names[-2:] == ["work_bonus", "worker_onss"]
    # worker_contribution = 13.07 % line + work-bonus line (2,600.00 x 13.07 % = 339.82; - 218.73 = 121.09);
    # the CSSS is withheld besides it. E2: 6,000.00 x 13.07 % = 784.20.
    got = {r["employee_id"]: r["worker_contribution"] for r in totals(lines).iter_rows(named=True)}
    assert got == {"E1": D("121.09"), "E2": D("784.20")}
    # The same 13.07 % amount the work-bonus cap reads (one formula for the line and the cap).
    assert df.select(rate_amount("worker_onss", PARAMS, start)).to_series().to_list() == [D("339.82"), D("784.20")]
    # A rule table that is not one row per line, in the lines' order, is refused.
    swapped = {k: v.reverse() for k, v in _rule_tables(df).items()}
    with pytest.raises(ValueError, match="one row per line"):
        contribution_lines(df, PARAMS, start, swapped)


@pytest.mark.parametrize("gross", ["2600.00", "9500000000.00"])
def test_totals_of_the_employee_months_are_the_sums_of_the_lines(gross):
    # lines_and_totals sums, per employee-month, the rounded amounts of the counted lines without
    # grouping the lines; 9,500,000,000.00 EUR (950,000,000,000 cents x 19,880,000 units of 10^-8 for the
    # 19.88 % basic employer rate: past 2^63) takes the
    # Decimal path instead of integer cents: the same lines and totals either way.
    # E1 white collar 2,600.00: worker 2,600.00 x 13.07 % = 339.82, work bonus -218.73 -> 121.09.
    start = dt.date(2026, 10, 1)
    df = pl.concat([frame("2026-10", "white_collar", gross), frame("2026-10", "blue_collar", "3000.00")])
    df = df.with_columns(pl.Series("employee_id", ["E1", "E2"])).with_columns(onss_base(PARAMS, start))
    lines, found = lines_and_totals(df, PARAMS, start, _rule_tables(df))
    assert lines.equals(contribution_lines(df, PARAMS, start, _rule_tables(df)))
    assert found.sort("employee_id").equals(totals(lines).sort("employee_id"))
    e2 = found.filter(pl.col("employee_id") == "E2").row(0, named=True)
    assert e2["worker_contribution"] == D("423.47")  # 3,240.00 x 13.07 % = 423.468 (blue collar, base at 108 %)
    if gross == "2600.00":
        assert found.filter(pl.col("employee_id") == "E1")["worker_contribution"][0] == D("121.09")


def test_sums_by_code_are_the_lines_summed_per_employer_and_code():
    # contributions(..., by="employer_id") sums the lines per employer and code from the employee-months
    # (without grouping the lines): the same table as the report's contributions_by_code of the lines.
    # Employer A: E1 and E2 white collar 2,600.00, each 2,600.00 x 13.07 % = 339.82 on code 495 (two lines,
    # 679.64) and a work bonus of 218.73 (code 0001, no rate, two lines: -437.46); employer B: E3 blue collar
    # 3,000.00, base at 108 % = 3,240.00, 13.07 % = 423.468 -> 423.47 on code 015, no bonus, no CSSS line.
    from pipeline.outputs.report.figures import contributions_by_code

    start = dt.date(2026, 10, 1)
    df = pl.concat(
        [frame("2026-10", s, g) for s, g in [("white_collar", "2600.00")] * 2 + [("blue_collar", "3000.00")]]
    )
    df = df.with_columns(
        pl.Series("employee_id", ["E1", "E2", "E3"]), pl.Series("employer_id", ["A", "A", "B"])
    ).with_columns(onss_base(PARAMS, start))
    ids = df["employee_id"]
    rules = {
        "work_bonus": pl.DataFrame(
            {
                "employee_id": ids,
                "work_bonus": [D("218.73"), D("218.73"), D("0.00")],
                "wage_100": [D("2600.00"), D("2600.00"), D("3240.00")],
                "volet_a_parameter": ["onss/work_bonus/white_collar/volet_a"] * 3,
                "volet_a_source": ["onss/work_bonus/white_collar/volet_a@2026-09-01 [secondary]"] * 3,
            },
            schema_overrides={"work_bonus": MONEY, "wage_100": MONEY},
        ),
        "csss": pl.DataFrame(
            {
                "employee_id": ids,
                "csss": [D("14.84"), D("14.84"), D("0.00")],
                "onss_base": [D("2600.00"), D("2600.00"), D("3240.00")],
                "parameter": ["onss/csss/single"] * 3,
                "source": ["onss/csss/single@2022-04-01 [secondary]"] * 3,
            },
            schema_overrides={"csss": MONEY, "onss_base": MONEY},
        ),
    }
    made = contributions(df, PARAMS, start, rules, by="employer_id")
    assert made.by_code.equals(contributions_by_code(made.lines, df.select("employee_id", "period", "employer_id")))
    rows = {(r["employer_id"], r["contribution"]): r for r in made.by_code.iter_rows(named=True)}
    worker = rows[("A", "worker_onss")]
    assert (worker["dmfa_code"], worker["lines"], worker["base"], worker["rate"], worker["amount"]) == (
        "495",
        2,
        D("5200.00"),
        D("0.1307"),
        D("679.64"),
    )
    bonus = rows[("A", "work_bonus")]
    assert (bonus["dmfa_code"], bonus["lines"], bonus["rate"], bonus["amount"]) == ("0001", 2, None, D("-437.46"))
    assert rows[("B", "worker_onss")]["dmfa_code"] == "015" and rows[("B", "worker_onss")]["amount"] == D("423.47")
    assert ("B", "work_bonus") not in rows and ("B", "csss") not in rows
    # Without ``by`` no sums are made.
    assert contributions(df, PARAMS, start, rules).by_code is None
