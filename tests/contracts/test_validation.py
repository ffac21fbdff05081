"""Validation: every failure in one pass, exact reject rows, cascades, read = valid + rejected."""

from pathlib import Path

import polars as pl

from pipeline.intake.reading import Profile, read_batch
from pipeline.intake.validation import validate_batch

EMPLOYERS = "employer_id,name,workforce\n125482497,Acme,5\n199999934,Test,30\n"
EMPLOYEES = (
    "employee_id,employer_id,niss,last_name,first_name,birth_date,worker_status,contract_type,contract_start,contract_end,"
    "work_fraction,residence_country\n"
    "E1,125482497,85073003328,Dupont,Jean,1985-07-30,blue_collar,open_ended,2020-01-01,,1,FR\n"  # line 2 valid
    "E2,125482497,85073003329,Martin,Anne,,white_collar,open_ended,2020-01-01,,1,BE\n"  # line 3 bad NISS
    # line 4: several defects
    "E3,125482498,17073003384,Peeters,Jan,2017-07-30,white_collar,fixed_term,2020-01-01,2019-12-31,1.5,NL\n"
    "E4,199999934,98472899765,Schmidt,Eva,1998-07-01,blue_collar,open_ended,2021-03-01,,0.5,DE\n"  # line 5 birth date
    "E5,125482497,17073003384,Muller,Lea,,white_collar,fixed_term,2026-01-01,,1,LU\n"  # line 6 no end
)
PAY = (
    "employee_id,period,gross_salary,daily_wage,days_worked_be\n"
    "E1,2026-10,3000.00,138.46,20\n"  # line 2 valid
    "E1,2026-10,3000.00,138.46,20\n"  # line 3 duplicate of line 2
    "E2,2026-10,2500.00,,\n"  # line 4 falls with employee E2
    "E1,2026-09,3000.005,,20\n"  # line 5 three decimals
    "E9,2026-10,100.00,,\n"  # line 6 unknown employee
    "E1,2026-08,-5.00,,40\n"  # line 7 negative salary and too many days
    "E1,2026-07,3000.00,,20\n"  # line 8 valid, but falls with E1's rejected absences
)
ABSENCES = (
    "employee_id,start_date,end_date,cause\n"
    "E1,2026-10-01,2026-10-10,illness\n"  # line 2 valid
    "E1,2026-10-05,2026-10-20,illness\n"  # line 3 overlaps line 2
    "E1,2026-09-10,2026-09-01,occupational_accident\n"  # line 4 ends before start, out of scope
)


def batch(tmp_path: Path):
    for name, text in (("employers", EMPLOYERS), ("employees", EMPLOYEES), ("pay", PAY), ("absences", ABSENCES)):
        (tmp_path / f"{name}.csv").write_text(text, encoding="utf-8")
    return validate_batch(read_batch(tmp_path, Profile.load(None)))


def keyed(rejects: pl.DataFrame) -> set[tuple]:
    return {(r["source_file"], r["source_line"], r["column"], r["check"]) for r in rejects.iter_rows(named=True)}


def test_every_defect_found_in_one_pass(tmp_path):
    result = batch(tmp_path)
    got = keyed(result.rejects)
    expected = {
        ("employees.csv", 3, "niss", "format_niss"),
        ("employees.csv", 4, "employer_id", "format_onss_nr"),
        ("employees.csv", 4, "contract_end", "contract_dates_order"),
        ("employees.csv", 4, "work_fraction", "work_fraction_range"),
        ("employees.csv", 5, "birth_date", "birth_date_matches_niss"),
        ("employees.csv", 6, "contract_end", "contract_end_required"),
        ("pay.csv", 2, "period", "duplicate"),
        ("pay.csv", 3, "period", "duplicate"),
        ("pay.csv", 4, "employee_id", "employee_rejected"),
        ("pay.csv", 5, "gross_salary", "format_money"),
        ("pay.csv", 6, "employee_id", "unknown_employee"),
        ("pay.csv", 7, "gross_salary", "range"),
        ("pay.csv", 7, "days_worked_be", "range"),
        ("pay.csv", 7, "days_worked_be", "days_in_month"),
        ("absences.csv", 3, "start_date", "overlapping_absence"),
        ("absences.csv", 4, "end_date", "episode_dates_order"),
        ("absences.csv", 4, "cause", "cause_out_of_scope"),
        ("pay.csv", 8, "employee_id", "absence_rejected"),
    }
    assert got == expected
    assert result.frames["employees"]["employee_id"].to_list() == ["E1"]


def test_nat_numbers_are_masked_and_messages_point_at_the_culprit(tmp_path):
    rej = batch(tmp_path).rejects
    niss = rej.filter(pl.col("column") == "niss")
    assert niss["value"].to_list() == ["*********29"]
    fell = rej.filter(pl.col("check") == "employee_rejected")
    assert fell["message"].to_list() == ["employee row employees.csv:3 was rejected"]


def test_counts_reconcile(tmp_path):
    result = batch(tmp_path)
    for name, c in result.counts.items():
        assert c["read"] == c["valid"] + c["rejected"] + c["blank"] + c["out_of_period"], name
    assert result.counts["pay"] == {"read": 7, "valid": 0, "rejected": 7, "blank": 0, "out_of_period": 0}
    assert result.counts["employees"] == {"read": 5, "valid": 1, "rejected": 4, "blank": 0, "out_of_period": 0}


def test_pre_filter_reports_what_pandera_reports_on_the_whole_input(tmp_path):
    """The validation evaluates the checks only on the rows `failing_rows` flags (pipeline/intake/validation.py);
    every row pandera finds on the whole of a synthetic batch with 5 % defects must be among them."""
    import pandera.errors

    from pipeline.testing import synthetic
    from schemas.inputs import INPUTS, failing_rows, pandera_schema

    synthetic.write_batch(
        synthetic.generate(400, period="2026-10", history_months=1, seed=5, bad_fraction=0.05), tmp_path
    )
    raw = read_batch(tmp_path, Profile.load(None))
    for name, item in raw.items():
        frame = item.frame.drop("source_file", "source_line")
        try:
            pandera_schema(INPUTS[name]).validate(frame, lazy=True)
            whole = set()
        except pandera.errors.SchemaErrors as exc:
            whole = set(exc.failure_cases.get_column("index").drop_nulls().to_list())
        flagged = set(frame.with_row_index("i").filter(failing_rows(INPUTS[name])).get_column("i").to_list())
        assert whole <= flagged, name


def _pandera_failures(raw, spec) -> pl.DataFrame:
    """Reject rows as pandera reports them on the whole input: ``validate(lazy=True)``, its failure
    cases mapped back to the source rows (index, column, check, value; messages and masking as the
    validation gives them)."""
    import pandera.errors

    from pipeline.core import rejects
    from schemas.inputs import MESSAGES, pandera_schema

    frame = raw.frame
    try:
        pandera_schema(spec).validate(frame, lazy=True)
        return rejects.empty()
    except pandera.errors.SchemaErrors as exc:
        cases = exc.failure_cases.filter(pl.col("index").is_not_null())
    employee = pl.col("employee_id") if "employee_id" in frame.columns else pl.lit(None, pl.String)
    rows = cases.select(pl.col("index").cast(pl.UInt32), "column", "check", pl.col("failure_case").alias("value")).join(
        frame.with_row_index("index").select("index", "source_file", "source_line", employee.alias("employee_id")),
        on="index",
    )
    message = pl.col("check").replace_strict(MESSAGES, default=pl.col("check"))
    message = (
        pl.when((pl.col("check") == "not_nullable") & pl.col("column").is_in(list(raw.missing_columns)))
        .then(pl.lit("required column is missing from the file: ") + pl.col("column"))
        .otherwise(message)
    )
    return rows.select(
        "source_file", "source_line", "column", "check", "employee_id", message.alias("message"), "value"
    ).with_columns(
        pl.when(pl.col("column") == "niss").then(rejects.mask_expr(pl.col("value"))).otherwise("value").alias("value")
    )


def test_schema_failures_are_what_pandera_reports_on_the_whole_input(tmp_path):
    """The validation runs pandera on the suspect rows only (the pre-filter's): on a synthetic
    batch with 5 % defects, the bad-input sample and a file missing optional columns, every reject row
    (file, line, column, check, employee, message, value) equals what pandera reports on the whole input."""
    from pipeline.intake import validation
    from pipeline.testing import synthetic
    from schemas.inputs import INPUTS

    synthetic.write_batch(
        synthetic.generate(600, period="2026-10", history_months=1, seed=11, bad_fraction=0.05), tmp_path / "syn"
    )
    (tmp_path / "small").mkdir()
    (tmp_path / "small" / "employees.csv").write_text(EMPLOYEES)
    (tmp_path / "small" / "pay.csv").write_text(PAY)
    folders = [tmp_path / "syn", Path(__file__).parents[2] / "sample_data" / "bad_input", tmp_path / "small"]
    compared = 0
    order = ["source_file", "source_line", "column", "check", "message", "value"]
    for folder in folders:
        for name, raw in read_batch(folder, Profile.load(None)).items():
            ours = validation._schema_failures(raw, INPUTS[name]).sort(order, nulls_last=True)
            theirs = _pandera_failures(raw, INPUTS[name]).sort(order, nulls_last=True)
            assert ours.equals(theirs), (folder.name, name)
            compared += theirs.height
    assert compared > 50


def test_birth_date_from_valid_niss_matches_the_general_decoder():
    """`niss_birth_date_if_ok` (text slices) equals `niss_birth_date` wherever the NISS is valid:
    both centuries, BIS month offsets (+20, +40), unknown month/day (00)."""
    from pipeline.testing import synthetic
    from schemas.checks import niss_birth_date, niss_birth_date_if_ok, niss_ok

    births = pl.date_range(pl.date(1930, 1, 1), pl.date(2025, 12, 31), "13d", eager=True)
    n = births.len()
    frame = pl.DataFrame(
        {
            "birth": births,
            "serial": pl.int_range(1, n + 1, eager=True) % 997 + 1,
            "bis": pl.Series([0, 20, 40] * (n // 3 + 1))[:n],
        }
    )
    niss = frame.select(synthetic.niss_number(pl.col("birth"), pl.col("serial"), pl.col("bis")).alias("n"))
    niss = pl.concat(
        [niss, pl.DataFrame({"n": ["85000003306", "85070003355", "01000003317"]})]
    )  # month or day 00; born 2001
    got = niss.filter(niss_ok(pl.col("n"))).select(
        niss_birth_date(pl.col("n")).alias("general"), niss_birth_date_if_ok(pl.col("n")).alias("fast")
    )
    assert got.height >= n
    assert got.filter(pl.col("general").ne_missing(pl.col("fast"))).height == 0


def test_country_codes_are_checked_against_the_assigned_iso_3166_codes(tmp_path):
    """Data contract: residence_country / work_country are ISO 3166-1 alpha-2 codes, "an assigned code (a real
    country: XX, UK, EL are rejected)". The list of assigned codes is the ISO 3166 Maintenance Agency's, as
    shipped by pycountry: GB and GR are assigned; UK and EL are only *exceptionally reserved* (the EU's
    abbreviations), so they are rejected with a message naming GB / GR; XX is user-assigned (no country) and
    gets the general format message, as does an alpha-3 code."""
    header = (
        "employee_id,employer_id,niss,last_name,first_name,birth_date,worker_status,contract_type,contract_start,"
        "contract_end,work_fraction,residence_country,work_country\n"
    )
    rows = [
        ("C1", "85073003328", "GB", "BE"),  # line 2: valid (United Kingdom)
        ("C2", "90020200146", "GR", ""),  # line 3: valid (Greece), work_country defaults to BE
        ("C3", "88121500118", "UK", "BE"),  # line 4: reserved -> GB
        ("C4", "79041000181", "EL", "BE"),  # line 5: reserved -> GR
        ("C5", "83060700166", "XX", "BE"),  # line 6: not a country
        ("C6", "85073003328", "BE", "UK"),  # line 7: work_country checked the same way
        ("C7", "90020200146", "be", "BE"),  # line 8: valid, reading puts country codes in upper case
        ("C8", "88121500118", "BEL", "BE"),  # line 9: alpha-3, not alpha-2
    ]
    text = header + "".join(
        f"{eid},125482497,{niss},Name,First,,white_collar,open_ended,2020-01-01,,1,{res},{work}\n"
        for eid, niss, res, work in rows
    )
    (tmp_path / "employers.csv").write_text("employer_id,name,workforce\n125482497,Acme,5\n", encoding="utf-8")
    (tmp_path / "employees.csv").write_text(text, encoding="utf-8")
    (tmp_path / "pay.csv").write_text("employee_id,period,gross_salary\nC1,2026-10,3000.00\n", encoding="utf-8")
    result = validate_batch(read_batch(tmp_path, Profile.load(None)))
    country = result.rejects.filter(pl.col("column").is_in(["residence_country", "work_country"]))
    got = {(r["source_line"], r["column"], r["check"], r["value"]) for r in country.iter_rows(named=True)}
    assert got == {
        (4, "residence_country", "country_code_reserved", "UK"),
        (5, "residence_country", "country_code_reserved", "EL"),
        (6, "residence_country", "format_country", "XX"),
        (7, "work_country", "country_code_reserved", "UK"),
        (9, "residence_country", "format_country", "BEL"),
    }
    messages = dict(zip(country["value"], country["message"], strict=False))
    assert "use GB for the United Kingdom" in messages["UK"] and "GR for Greece" in messages["EL"]
    assert messages["XX"] == "not an ISO 3166-1 alpha-2 country code"  # unchanged message
    assert "C1" in result.frames["employees"]["employee_id"].to_list()


def test_the_assigned_code_list_is_the_iso_one():
    """249 assigned alpha-2 codes in ISO 3166-1 (pycountry 26.2.16); every country the batch knows is there."""
    from schemas.checks import ISO_3166_ALPHA2, RESERVED_COUNTRY_CODES

    assert len(ISO_3166_ALPHA2) == 249
    assert {"BE", "FR", "LU", "NL", "DE", "IT", "PL", "ES", "PT", "GB", "GR"} <= set(ISO_3166_ALPHA2)
    assert not {"UK", "EL", "XX"} & set(ISO_3166_ALPHA2)
    assert RESERVED_COUNTRY_CODES == {"UK": "GB", "EL": "GR"}


def test_identifier_checks_see_the_reader_text_without_separators(tmp_path):
    """The NISS, ONSS, enterprise and establishment-unit checks do not strip separators again
    (``cleaned=True``): the reader has removed them. So on what the reader gives, the checks with
    and without that step agree, row by row, also for numbers typed ``85.07.30-033.28`` or
    ``0403 170 701`` (National Register layout; BCE/KBO number with spaces) and broken ones."""
    from schemas.checks import enterprise_number_ok, establishment_unit_ok, niss_birth_date_if_ok, onss_number_ok
    from schemas.inputs import INPUTS, column_checks, niss_ok

    (tmp_path / "employers.csv").write_text(
        "employer_id,enterprise_number,local_unit_id\n"
        "125.482.497,0403 170 701,2.000.000.339\n"
        "1254-82497,BE0403.170.702,2 000 000 338\n"
        " 125/482/497 ,BE 0403-170-701,\n"
    )
    (tmp_path / "employees.csv").write_text(
        "employee_id,employer_id,niss,last_name,first_name,birth_date,worker_status,contract_type,contract_start,"
        "residence_country\n"
        "E1,125.482.497,85.07.30-033.28,A,B,1985-07-30,blue_collar,open_ended,2020-01-01,FR\n"
        "E2,125482497,85 07 30 033 28,A,B,1985-07-31,blue_collar,open_ended,2020-01-01,FR\n"
        "E3,125482497,85/07/30/033/29,A,B,1985-07-30,blue_collar,open_ended,2020-01-01,FR\n"
        "E4,125482497,01.02.03-004.67,A,B,2001-02-03,blue_collar,open_ended,2020-01-01,FR\n"
    )
    (tmp_path / "pay.csv").write_text("employee_id,period,gross_salary\nE1,2026-10,1.00\n")
    raw = read_batch(tmp_path, Profile.load(None))
    general = {
        "niss": niss_ok,
        "onss_nr": onss_number_ok,
        "enterprise_nr": enterprise_number_ok,
        "unit_nr": establishment_unit_ok,
    }
    compared = 0
    for name in ("employers", "employees"):
        frame = raw[name].frame
        for col in INPUTS[name].columns:
            if col.kind not in general:
                continue
            c = pl.col(col.name)
            got = frame.select(general[col.kind](c, cleaned=True).alias("fast"), general[col.kind](c).alias("slow"))
            assert got.filter(pl.col("fast").ne_missing(pl.col("slow"))).height == 0, col.name
            compared += frame.height
    assert compared == 3 * 3 + 4 * 2
    e = raw["employees"].frame
    births = e.select(
        niss_birth_date_if_ok(pl.col("niss"), cleaned=True).ne_missing(niss_birth_date_if_ok(pl.col("niss")))
    )
    assert not births.to_series().any()
    # The checks as validation runs them: E1 and E4 valid; E2's birth date (31 July) disagrees with
    # 85.07.30; E3's check digits (29) are not 97 - (850730033 mod 97) = 97 - 69 = 28; E4 (born 2001) has
    # 97 - (2010203004 mod 97) = 97 - 30 = 67.
    failing = {
        chk.name: e.filter(~chk.passed).get_column("employee_id").to_list()
        for chk in column_checks(INPUTS["employees"])
        if chk.name in ("format_niss", "birth_date_matches_niss", "format_onss_nr")
    }
    assert failing == {"format_onss_nr": [], "format_niss": ["E3"], "birth_date_matches_niss": ["E2"]}


def test_duplicates_found_by_neighbours_in_key_order_are_those_of_hashing():
    """`_duplicated` compares neighbours when the rows are in key order; on random small frames
    (sorted by the key, by its first column only, or not at all) it equals `struct.is_duplicated`."""
    import random

    from pipeline.intake.validation import _duplicated

    rng = random.Random(0)
    for _ in range(1500):
        n = rng.randint(0, 12)
        frame = pl.DataFrame(
            {
                "a": [rng.choice(["E1", "E2", "E3", "E10"]) for _ in range(n)],
                "b": [rng.choice(["2026-09", "2026-10"]) for _ in range(n)],
            },
            schema={"a": pl.String, "b": pl.String},
        )
        frame = rng.choice([frame, frame.sort("a", "b"), frame.sort("a")])
        for key in (("a",), ("a", "b")):
            want = frame.select(pl.struct(list(key)).is_duplicated()).to_series()
            assert _duplicated(frame, key).to_list() == want.to_list(), (frame, key)


def test_valid_rows_keep_one_chunk(tmp_path):
    """The typed valid rows of a CSV input come in one chunk, as the reader gives them: the run
    store writes them to Parquet, whose bytes depend on the chunks."""
    (tmp_path / "employees.csv").write_text(EMPLOYEES)
    (tmp_path / "pay.csv").write_text(PAY)
    result = validate_batch(read_batch(tmp_path, Profile.load(None)))
    assert {name: frame.n_chunks() for name, frame in result.frames.items()} == dict.fromkeys(result.frames, 1)
