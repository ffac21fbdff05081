"""Belgian residents employed in the Netherlands or France: no Belgian payroll, the ONEM allowance.

Regulation (EC) No 883/2004 art. 11(3)(a): a person employed in a Member State is subject to that
State's legislation, so a resident of Belgium employed in the Netherlands pays Dutch, not Belgian,
social contributions; the wage is taxed in the Netherlands (Belgium-Netherlands convention of
5 June 2001, art. 15), so no Belgian withholding. Royal Decree of 9 June 1999 art. 1 §1: these
workers are the ones the ONEM frontier allowance covers.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import polars as pl

from pipeline.core.money import MONEY, SHARE
from pipeline.jobs import monthly
from pipeline.rules import employed_abroad
from pipeline.rules.employed_abroad import REASON, employed_abroad_expr, unsupported_work_country_expr

EMPLOYEES = (
    "employee_id,employer_id,niss,last_name,first_name,birth_date,worker_status,contract_type,contract_start,"
    "work_fraction,weekly_work_days,residence_country,work_country,be_border_zone_resident,"
    "foreign_border_zone_work,foreign_social_insurance,taxed_in_belgium\n"
    "E-BE,174389412,81022758727,Fonmesnil,Noel,1981-02-27,white_collar,open_ended,2012-09-03,1,5,BE,BE,,,,\n"
    "E-NL,174389412,86063019574,De Straete,Ruben,1986-06-30,white_collar,open_ended,2016-06-01,1,5,BE,NL,"
    "true,true,true,true\n"
)
PAY = (
    "employee_id,period,gross_salary,daily_wage,days_worked_be,days_worked_residence,days_worked_other,zone_exit_days\n"
    "E-BE,2026-10,3000.00,138.46,22,0,0,0\n"
    "E-NL,2026-10,2500.00,115.38,0,0,22,0\n"
)


def test_who_is_employed_abroad():
    frame = pl.DataFrame(
        {
            "residence_country": ["BE", "BE", "BE", "BE", "FR", "BE", None],
            "work_country": ["NL", "FR", None, "BE", "NL", "DE", "NL"],
        }
    )
    got = frame.select(
        employed_abroad_expr().alias("abroad"), unsupported_work_country_expr().alias("unsupported")
    ).to_dict(as_series=False)
    # BE->NL and BE->FR: the decree's scope; a null work_country is the input default BE; a French
    # resident working in NL is not a resident of Belgium; BE->DE is neither Belgian payroll nor the decree.
    # An unknown residence leaves "employed abroad" unknown (null), and "unsupported" false (null and false).
    assert got["abroad"] == [True, True, False, False, False, False, None]
    assert got["unsupported"] == [False, False, False, False, False, True, False]
    assert employed_abroad.employed_abroad(frame).to_list() == [True, True, False, False, False, False, False]


def test_line_columns_replace_the_belgian_payroll_values_only_where_abroad():
    frame = pl.DataFrame(
        {
            "abroad": [False, True],
            "onss_base": [D("3000.00"), D("2500.00")],
            "worker_contribution": [D("392.10"), D("326.75")],
            "withholding_reason": ["BE_RESIDENT", "BE_RESIDENT"],
            "taxable_share_be": [D("1.0000"), D("1.0000")],
        },
        schema_overrides={"onss_base": MONEY, "worker_contribution": MONEY, "taxable_share_be": SHARE},
    )
    belgian = {name: pl.col(name) for name in frame.columns if name != "abroad"}
    out = frame.select(employed_abroad.line_columns(pl.col("abroad"), belgian))
    assert out.row(0) == (D("3000.00"), D("392.10"), "BE_RESIDENT", D("1.0000"))
    assert out.row(1) == (None, D("0.00"), REASON, D("0.0000"))


def test_batch_gives_a_worker_employed_in_the_netherlands_no_belgian_payroll(tmp_path: Path):
    (tmp_path / "employees.csv").write_text(EMPLOYEES, encoding="utf-8")
    (tmp_path / "pay.csv").write_text(PAY, encoding="utf-8")
    result = monthly.run_month(tmp_path, "2026-10", dt.date(2026, 11, 2))
    assert result.exit_code == 0
    lines = {row["employee_id"]: row for row in result.tables["payroll_lines"].iter_rows(named=True)}

    # E-NL, resident of Belgium employed in the Netherlands: no worker code, no ONSS base, 0.00
    # contributions, no Belgian withholding (share 0.0000, nothing to regularise).
    nl = lines["E-NL"]
    assert (nl["worker_code"], nl["onss_base"]) == (None, None)
    assert (nl["worker_contribution"], nl["employer_contribution"]) == (D("0.00"), D("0.00"))
    assert (nl["withholding_applies"], nl["withholding_reason"]) == (False, "EMPLOYED_ABROAD_NO_BE_PAYROLL")
    assert nl["taxable_share_be"] == D("0.0000")
    assert (nl["regularisation_required"], nl["regularisation_periods"]) == (False, "")
    # The allowance instead (AR 9 June 1999 art. 2 §1): 2,500.00 EUR x 2.20371 = 5,509.275 NLG,
    # above 4,500 and at most 7,500 NLG -> band 3, 1,000 BEF / 40.3399 = 24.789352 -> 24.79.
    assert nl["onem_allowance"] == D("24.79")
    contributions = result.tables["contribution_lines"]
    assert contributions.filter(pl.col("employee_id") == "E-NL").height == 0

    # E-BE, on the Belgian payroll: white collar (worker code 495), base = gross 3,000.00,
    # 13.07 % line 3,000.00 x 13.07 % = 392.10, less the work bonus (Law of 20 December 1999; table
    # of 2026-09-01, employés: volet A 127.54 - 0.2739 x (3,000.00 - 2,937.93) = 110.539027 -> 110.54,
    # volet B 0 above 2,937.93): worker contribution 281.56; Belgian resident: withholding on 100 %.
    # E-NL gets neither the bonus nor the CSSS (no Belgian social security).
    be = lines["E-BE"]
    assert (be["worker_code"], be["onss_base"], be["worker_contribution"]) == ("495", D("3000.00"), D("281.56"))
    assert (be["work_bonus"], nl["work_bonus"], nl["csss"]) == (D("110.54"), D("0.00"), D("0.00"))
    assert (be["withholding_reason"], be["taxable_share_be"], be["onem_allowance"]) == (
        "BE_RESIDENT",
        D("1.0000"),
        D("0.00"),
    )
