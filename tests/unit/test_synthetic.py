"""The synthetic data generator (pipeline/testing/synthetic.py) and the committed sample data.

Oracles: python-stdnum (``stdnum.be.nn`` / ``stdnum.be.bis``) for NISS and BIS numbers
(national register numbers, Law of 8 August 1983), ``schemas.checks`` for the ONSS and enterprise
numbers, and the project's own reading + validation for the sample batches.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path

import polars as pl
import pytest
from stdnum.be import bis, nn

from pipeline.intake.reading import Profile, read_batch
from pipeline.intake.validation import validate_batch
from pipeline.testing import synthetic as syn
from schemas.checks import enterprise_number_ok, niss_birth_date, onss_number_ok
from schemas.inputs import INPUTS

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"


@pytest.fixture(scope="module")
def batch() -> dict[str, pl.DataFrame]:
    return syn.generate(4000, period="2026-10", history_months=9, seed=11)


def _share(frame: pl.DataFrame, cond: pl.Expr) -> float:
    return frame.select(cond.mean()).item()


# --- identifiers ------------------------------------------------------------------------------


def test_every_niss_is_valid_for_python_stdnum(batch):
    numbers = batch["employees"].get_column("niss").to_list()
    invalid = [n for n in numbers if not (nn.is_valid(n) or bis.is_valid(n))]
    assert invalid == []


def test_niss_and_bis_numbers_of_both_centuries(batch):
    e = batch["employees"]
    numbers = e.get_column("niss").to_list()
    kinds = {"nn": sum(nn.is_valid(n) for n in numbers), "bis": sum(bis.is_valid(n) for n in numbers)}
    assert kinds["nn"] > 0 and kinds["bis"] > 0
    born_2000 = [n for n, b in zip(numbers, e.get_column("birth_date").to_list()) if b >= "2000-01-01"]
    assert len(born_2000) > 0.05 * len(numbers)
    # the 2000 rule: 97 - ((2,000,000,000 + first 9 digits) mod 97)
    assert all(97 - (2_000_000_000 + int(n[:9])) % 97 == int(n[9:]) for n in born_2000)
    # BIS numbers only for non-residents, month + 20 or + 40
    months = e.filter(pl.col("niss").str.slice(2, 2).cast(pl.Int32) > 12)
    assert months.height > 0
    assert (months.get_column("residence_country") != "BE").all()


def test_birth_date_agrees_with_the_niss(batch):
    e = batch["employees"]
    encoded = e.select(niss_birth_date(pl.col("niss")).dt.to_string("%Y-%m-%d")).to_series()
    assert (encoded == e.get_column("birth_date")).all()
    # and python-stdnum reads the same date
    for n, b in zip(e.get_column("niss").head(200).to_list(), e.get_column("birth_date").head(200).to_list()):
        assert nn.get_birth_date(n).isoformat() == b


def test_niss_numbers_are_unique(batch):
    assert batch["employees"].get_column("niss").n_unique() == batch["employees"].height


def test_employer_numbers_pass_the_project_checks(batch):
    er = batch["employers"]
    ok = er.select(onss_number_ok(pl.col("employer_id")).all(), enterprise_number_ok(pl.col("enterprise_number")).all())
    assert ok.row(0) == (True, True)
    assert er.get_column("employer_id").n_unique() == er.height
    # (N x 100 + CC) mod 97 = 96, by hand
    assert all(int(x) % 97 == 96 for x in er.get_column("employer_id").to_list())
    assert set(batch["employees"].get_column("employer_id")) <= set(er.get_column("employer_id"))


# --- mixes and counts -------------------------------------------------------------------------


def test_counts_and_canonical_text_columns(batch):
    assert batch["employees"].height == 4000
    for name, frame in batch.items():
        assert frame.columns == [c.name for c in INPUTS[name].columns]
        assert all(dtype == pl.String for dtype in frame.dtypes)
    pay = batch["pay"]
    assert pay.get_column("period").unique().sort().to_list() == [f"2026-{m:02d}" for m in range(1, 11)]
    assert pay.select(pl.struct("employee_id", "period").is_unique().all()).item()
    # every employee has a row for the period (all contracts run through it)
    assert pay.filter(pl.col("period") == "2026-10").height == 4000


def test_residence_mix(batch):
    e = batch["employees"]
    at_home = pl.col("work_country") == "BE"
    expected = {"BE": 0.40, "FR": 0.20, "LU": 0.10, "NL": 0.15, "DE": 0.10}
    for country, share in expected.items():
        got = _share(e, (pl.col("residence_country") == country) & at_home)
        assert abs(got - share) < 0.03, (country, got)
    other = _share(e, ~pl.col("residence_country").is_in(list(expected)))
    assert 0.01 < other < 0.035
    abroad = e.filter(~at_home)
    assert 0.02 < abroad.height / e.height < 0.045
    assert set(abroad.get_column("residence_country")) == {"BE"}
    assert set(abroad.get_column("work_country")) == {"NL", "FR"}
    # the four allowance conditions are given for them, mostly not taxed in Belgium
    conds = ["be_border_zone_resident", "foreign_border_zone_work", "foreign_social_insurance", "taxed_in_belgium"]
    assert abroad.select(pl.col(conds).is_not_null().all()).row(0) == (True,) * 4
    taxed = _share(abroad, pl.col("taxed_in_belgium") == "true")
    assert 0 < taxed < 0.4
    assert e.filter(at_home).select(pl.col(conds).is_null().all()).row(0) == (True,) * 4


def test_status_time_and_contract_mix(batch):
    e = batch["employees"]
    assert abs(_share(e, pl.col("worker_status") == "blue_collar") - 0.5) < 0.03
    part = e.filter(pl.col("work_fraction") != "1")
    assert abs(part.height / e.height - 0.20) < 0.03
    assert set(part.get_column("work_fraction")) == {"0.5", "0.6", "0.8"}
    assert abs(_share(e, pl.col("weekly_work_days") == "6") - 0.05) < 0.015
    assert _share(e, pl.col("contract_type") == "open_ended") > 0.8
    start = pl.col("contract_start").str.to_date()
    end = pl.col("contract_end").str.to_date()
    fixed = e.filter(pl.col("contract_type") == "fixed_term")
    short = fixed.filter(end < start.dt.offset_by("3mo"))
    assert 0 < short.height < fixed.height  # some under 3 months, some at least 3 months
    assert (
        e.filter(
            pl.col("contract_type").is_in(["fixed_term", "specific_work"]) & pl.col("contract_end").is_null()
        ).height
        == 0
    )
    assert e.filter(end < start).height == 0
    assert e.filter(start > pl.date(2026, 10, 31)).height == 0


def test_french_regime_fields(batch):
    fr = batch["employees"].filter((pl.col("residence_country") == "FR") & (pl.col("work_country") == "BE"))
    assert _share(fr, pl.col("fr_grandfathered") == "true") > 0.6
    grand = fr.filter(pl.col("fr_grandfathered") == "true")
    assert _share(grand, pl.col("fr_276fg_year") == "2026") > 0.85
    assert grand.filter(pl.col("fr_276fg_year") == "2025").height > 0
    assert grand.get_column("fr_276fg_year").null_count() == 0  # missing: reject withholding_input_missing
    assert fr.get_column("fr_276fg_year").null_count() > 0
    assert 0 < fr.filter(pl.col("fr_excluded_category") != "none").height < 0.1 * fr.height
    assert 0 < fr.filter(pl.col("fr_second_chance_used") == "true").height < 0.1 * fr.height
    assert fr.filter(pl.col("fr_seasonal") == "true").height > 0
    others = batch["employees"].filter(pl.col("residence_country") != "FR")
    assert others.get_column("fr_grandfathered").null_count() == others.height


def test_pay_amounts_and_days(batch):
    pay = batch["pay"].join(
        batch["employees"].select(
            "employee_id", "worker_status", "work_fraction", "residence_country", "work_country", "contract_start"
        ),
        on="employee_id",
    )
    assert pay.select(pl.col("gross_salary", "daily_wage").str.contains(r"^\d+\.\d{2}$").all()).row(0) == (True, True)
    money = pay.with_columns(
        pl.col("gross_salary").cast(pl.Float64).alias("g"),
        pl.col("daily_wage").cast(pl.Float64).alias("d"),
        pl.col("work_fraction").cast(pl.Float64).alias("f"),
    )
    full = money.filter(pl.col("d") > 0).with_columns((pl.col("d") * 21.67 / pl.col("f")).alias("fte"))
    blue = full.filter(pl.col("worker_status") == "blue_collar").get_column("fte")
    white = full.filter(pl.col("worker_status") == "white_collar").get_column("fte")
    assert blue.min() >= 2090 and blue.max() <= 4510
    assert white.min() >= 2790 and white.max() <= 9010
    # daily wage = monthly gross / 21.67, to the cent
    assert (
        full.get_column("fte") * full.get_column("f") - money.filter(pl.col("d") > 0).get_column("d") * 21.67
    ).abs().max() < 0.2
    days = pay.select(
        pl.col("days_worked_be", "days_worked_residence", "days_worked_other", "zone_exit_days").cast(pl.Int64)
    )
    assert days.select(pl.all().min()).row(0) >= (0, 0, 0, 0)
    assert (
        days.select(pl.sum_horizontal("days_worked_be", "days_worked_residence", "days_worked_other").max()).item()
        <= 23
    )
    exits = pay.filter(pl.col("zone_exit_days") != "0")
    assert set(exits.get_column("residence_country")) == {"FR"}
    assert int(exits.get_column("zone_exit_days").cast(pl.Int64).max()) <= 4
    # no pay before the contract starts
    assert pay.filter((pl.col("period") + "-31") < pl.col("contract_start")).height == 0


def test_absences(batch):
    a = batch["absences"].with_columns(pl.col("start_date", "end_date").str.to_date())
    ill = a.filter(pl.col("end_date") >= pl.date(2026, 10, 1)).get_column("employee_id").n_unique()
    assert 0.03 < ill / 4000 < 0.07
    lengths = a.select((pl.col("end_date") - pl.col("start_date")).dt.total_days() + 1).to_series()
    assert lengths.min() >= 1 and lengths.max() <= 45
    assert a.filter(pl.col("end_date") < pl.col("start_date")).height == 0
    assert a.filter(pl.col("start_date").dt.month() != pl.col("end_date").dt.month()).height > 0
    relapses = a.group_by("employee_id").len().filter(pl.col("len") > 1)
    assert relapses.height > 0
    assert a.filter(pl.col("cause") == "private_accident").height > 0
    assert a.filter(pl.col("other_cause") == "true").height > 0
    # episodes of one employee never overlap
    s = a.sort("employee_id", "start_date").with_columns(pl.col("end_date").shift(1).over("employee_id").alias("prev"))
    assert s.filter(pl.col("start_date") <= pl.col("prev")).height == 0


# --- determinism, scale, defects ----------------------------------------------------------------


def test_generation_is_deterministic_for_a_seed():
    one = syn.generate(300, history_months=2, seed=5)
    two = syn.generate(300, history_months=2, seed=5)
    other = syn.generate(300, history_months=2, seed=6)
    for name in one:
        assert one[name].equals(two[name]), name
    assert not one["employees"].equals(other["employees"])


def test_100k_employees_generate_vectorised():
    frames = syn.generate(100_000, seed=3)
    assert frames["employees"].height == 100_000
    assert frames["pay"].height == 100_000


def test_valid_batch_validates_without_rejects(tmp_path, batch):
    syn.write_batch(batch, tmp_path, "csv")
    v = validate_batch(read_batch(tmp_path, Profile.load("canonical")))
    assert v.rejects.height == 0
    assert v.counts["employees"]["valid"] == 4000


def test_parquet_batch_reads_back(tmp_path):
    frames = syn.generate(200, history_months=1, seed=8)
    syn.write_batch(frames, tmp_path, "parquet")
    v = validate_batch(read_batch(tmp_path, Profile.load("canonical")))
    assert v.rejects.height == 0 and v.counts["pay"]["read"] == frames["pay"].height


def test_bad_fraction_exercises_the_reject_path(tmp_path):
    frames = syn.generate(3000, history_months=2, seed=4, bad_fraction=0.03)
    syn.write_batch(frames, tmp_path, "csv")
    v = validate_batch(read_batch(tmp_path, Profile.load("canonical")))
    checks = set(v.rejects.get_column("check"))
    for check in (
        "format_niss",
        "contract_dates_order",
        "work_fraction_range",
        "allowed_values",
        "birth_date_matches_niss",
        "unknown_employer",
        "not_nullable",
        "format_money",
        "range",
        "duplicate",
        "unknown_employee",
    ):
        assert check in checks, check
    assert 0 < v.counts["employees"]["rejected"] < 0.06 * 3000


# --- the committed sample data -------------------------------------------------------------------


def _validate(folder: str, profile: str):
    return validate_batch(read_batch(SAMPLE / folder, Profile.load(profile)))


@pytest.mark.parametrize(
    ("folder", "profile"),
    [
        ("batch_2026_10", "canonical"),
        ("exports_fr", "fr_export"),
        ("exports_nl", "nl_export"),
    ],
)
def test_sample_batches_validate_without_rejects(folder, profile):
    v = _validate(folder, profile)
    assert v.rejects.height == 0, v.rejects.drop("value")
    assert v.counts["employees"]["valid"] >= 8


def test_main_sample_batch_shape():
    v = _validate("batch_2026_10", "canonical")
    e = v.frames["employees"]
    assert e.height >= 40
    assert set(e.get_column("residence_country")) >= {"BE", "FR", "LU", "NL", "DE"}
    assert set(e.get_column("work_country")) == {"BE", "NL", "FR"}
    assert set(v.frames["pay"].get_column("period")) == {f"2026-{m:02d}" for m in range(1, 11)}
    er = v.frames["employers"]
    assert er.filter(pl.col("workforce") >= 20).height >= 1
    assert er.filter(~pl.col("commercial")).height >= 1
    assert "010" in er.get_column("employer_category").to_list()


def test_bad_input_gives_exactly_the_documented_rejects():
    v = _validate("bad_input", "canonical")
    key = ["source_file", "source_line", "column", "check", "employee_id"]
    got = v.rejects.select(key).sort(key)
    expected = (
        pl.read_csv(SAMPLE / "bad_input" / "expected_rejects.csv", infer_schema=False)
        .select("source_file", pl.col("source_line").cast(pl.Int64), "column", "check", "employee_id")
        .sort(key)
    )
    assert got.equals(expected), (got.join(expected, on=key, how="anti"), expected.join(got, on=key, how="anti"))
    assert v.frames["employees"].height > 0 and v.frames["pay"].height > 0


def test_sample_data_is_what_the_script_generates(tmp_path, monkeypatch):
    """The committed CSVs are reproducible: the script regenerates them byte for byte."""
    spec = importlib.util.spec_from_file_location("make_sample_data", ROOT / "scripts" / "make_sample_data.py")
    mod = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "make_sample_data", mod)
    spec.loader.exec_module(mod)
    monkeypatch.setattr(mod, "OUT", tmp_path)
    mod.main()
    quarter = [f"quarter_2026_q3/{m}" for m in ("2026-07", "2026-08", "2026-09")]
    for folder in ("batch_2026_10", "bad_input", "exports_fr", "exports_nl", *quarter):
        committed = sorted(p.name for p in (SAMPLE / folder).iterdir() if p.is_file())
        assert committed == sorted(p.name for p in (tmp_path / folder).iterdir()), folder
        for name in committed:
            assert (tmp_path / folder / name).read_bytes() == (SAMPLE / folder / name).read_bytes(), f"{folder}/{name}"


def test_establishment_unit_numbers(batch):
    """KBO establishment-unit number (DmfA LocalUnitID, glossary zone 00042): 10 digits, first 2-8,
    last two = 97 - (first 8 mod 97). By hand: 8999999005 (ONSS 'awaiting a number'):
    89,999,990 mod 97 = 92, 97 - 92 = 5 -> valid; 2000001725: 20,000,017 mod 97 = 72, 97 - 72 = 25 -> valid;
    an enterprise number (first digit 0) or a wrong check digit is refused."""
    from schemas.checks import establishment_unit_ok

    assert batch["employers"].select(establishment_unit_ok(pl.col("local_unit_id")).all()).item()
    cases = pl.DataFrame({"n": ["8999999005", "2000001725", "2000001726", "0523168213", "9000000097", "2.000.001.725"]})
    assert cases.select(establishment_unit_ok(pl.col("n"))).to_series().to_list() == [
        True,
        True,
        False,
        False,
        False,
        True,
    ]


# --- the mixes of the benchmark (keyword arguments of generate) ------------------------------------


def test_one_employer_mix(tmp_path):
    frames = syn.generate(2000, seed=9, n_employers=1)
    assert frames["employers"].height == 1
    assert (
        frames["employees"].get_column("employer_id").unique().to_list() == frames["employers"]["employer_id"].to_list()
    )
    # the workforce is the batch's 2000 employees plus 0-25 others
    assert 2000 <= int(frames["employers"].item(0, "workforce")) <= 2025
    syn.write_batch(frames, tmp_path, "csv")
    assert validate_batch(read_batch(tmp_path, Profile.load("canonical"))).rejects.height == 0


def test_many_small_employers_mix(tmp_path):
    frames = syn.generate(3000, seed=9, employer_size=(5, 20))
    sizes = frames["employees"].group_by("employer_id").len().get_column("len")
    # consecutive blocks of 5-20 employees; only the last employer may be cut short by the batch's end
    assert sizes.sort()[1:].min() >= 5 and sizes.max() <= 20
    # 3000 employees in blocks of 12.5 on average: about 240 employers
    assert 200 < frames["employers"].height < 290
    assert frames["employers"].height == sizes.len()
    syn.write_batch(frames, tmp_path, "csv")
    assert validate_batch(read_batch(tmp_path, Profile.load("canonical"))).rejects.height == 0


def test_residence_mix_and_french_frontier_share():
    mix = {"BE": 0.37, "BE>NL": 0.02, "BE>FR": 0.01, "FR": 0.30, "LU": 0.10, "NL": 0.10, "DE": 0.10}
    e = syn.generate(5000, seed=9, residence_mix=mix, fr_frontier_share=1.0)["employees"]
    at_home = pl.col("work_country") == "BE"
    for country in ("BE", "FR", "LU", "NL", "DE"):
        got = _share(e, (pl.col("residence_country") == country) & at_home)
        assert abs(got - mix[country]) < 0.025, (country, got)
    assert e.filter(~pl.col("residence_country").is_in(["BE", "FR", "LU", "NL", "DE"])).height == 0
    fr = e.filter((pl.col("residence_country") == "FR") & at_home)
    born_before_1994 = pl.col("birth_date") < "1994-01-01"
    # every French resident born before 1994 is grandfathered, each with the form of the year
    assert (fr.filter(born_before_1994).get_column("fr_grandfathered") == "true").all()
    assert (fr.filter(pl.col("fr_grandfathered") == "true").get_column("fr_276fg_year") == "2026").all()
    assert (fr.filter(~born_before_1994).get_column("fr_grandfathered") == "false").all()
    with pytest.raises(ValueError, match="residence_mix"):
        syn.generate(10, residence_mix={"BE": 0.5, "FR": 0.4})


def test_long_sickness_mix(tmp_path):
    frames = syn.generate(4000, seed=9, sickness_share=0.12, episode_days=(3, 150), episode_lead_days=120)
    a = frames["absences"].with_columns(pl.col("start_date", "end_date").str.to_date())
    ill = a.filter(pl.col("end_date") >= pl.date(2026, 10, 1)).get_column("employee_id").n_unique()
    assert 0.07 < ill / 4000 < 0.13
    lengths = a.select((pl.col("end_date") - pl.col("start_date")).dt.total_days() + 1).to_series()
    assert lengths.max() <= 150 and lengths.filter(lengths > 60).len() > 0.2 * ill
    # episodes begin at most 120 days before 1 October (relapses: their earlier illness up to 51 days before)
    assert a.get_column("start_date").min() >= dt.date(2026, 6, 3) - dt.timedelta(days=51)
    assert a.filter(pl.col("start_date").dt.month() < 9).height > 0
    syn.write_batch(frames, tmp_path, "csv")
    assert validate_batch(read_batch(tmp_path, Profile.load("canonical"))).rejects.height == 0


def test_unknown_employer_defect_never_names_a_generated_employer():
    # with 142,856 employers or more, a generated employer may hold the ONSS base 1,999,990 that
    # the defect uses; the defect then takes 9,999,999 (beyond every base 1,000,000 + 7 i + 0..6)
    frames = syn.generate(60, seed=9)
    taken = pl.select(syn.onss_number(pl.lit(1_999_990))).item()
    first = frames["employers"].item(0, "employer_id")
    frames = {
        name: f.with_columns(pl.col("employer_id").replace(first, taken)) if "employer_id" in f.columns else f
        for name, f in frames.items()
    }
    bad = syn.inject_defects(frames, 1.0, seed=9)
    unknown = set(bad["employees"]["employer_id"]) - set(bad["employers"]["employer_id"])
    # 9,999,999 x 100 = 999,999,900; 999,999,900 mod 97 = 31 (97 x 10,309,277 = 999,999,869), CC = 96 - 31 = 65
    assert unknown == {"999999965"}
