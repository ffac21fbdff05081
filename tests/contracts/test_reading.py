"""Reading: dialect detection (encoding, separator, decimal mark), formats, profiles, source lines."""

from pathlib import Path

import polars as pl
import pytest

from pipeline.errors import InputError
from pipeline.intake.reading import Profile, read_input
from schemas.inputs import EMPLOYEES, PAY

PAY_HEADER = "employee_id,period,gross_salary,daily_wage\n"


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def read_pay(folder: Path, profile: str | None = None):
    return read_input(folder, PAY, Profile.load(profile))


def test_utf8_with_bom_comma_separated(tmp_path):
    write(
        tmp_path, "pay.csv", b"\xef\xbb\xbf" + (PAY_HEADER + "E1,2026-10,3000.50,138.46\nE2,2026-10,2500,\n").encode()
    )
    raw = read_pay(tmp_path)
    assert raw.frame["employee_id"].to_list() == ["E1", "E2"]
    assert raw.frame["gross_salary"].to_list() == ["3000.50", "2500"]
    assert raw.frame["source_line"].to_list() == [2, 3]  # header = line 1
    assert raw.frame["days_worked_residence"].to_list() == ["0", "0"]  # contract default
    assert raw.dialect == "csv encoding=utf-8-sig delimiter=,"


def test_windows_1252_semicolon_decimal_comma(tmp_path):
    text = "employee_id;period;gross_salary;daily_wage\nÉ1;2026-10;3000,50;138,46\n"
    write(tmp_path, "pay.csv", text.encode("cp1252"))
    raw = read_pay(tmp_path)
    assert raw.frame["employee_id"].to_list() == ["É1"]
    assert raw.frame["gross_salary"].to_list() == ["3000.50"]
    assert raw.dialect == "csv encoding=cp1252 delimiter=; decimal=comma"


def test_undecidable_separator_is_refused(tmp_path):
    write(tmp_path, "pay.csv", b"employee_id;period,gross_salary\nE1;2026-10,1\n")
    with pytest.raises(InputError, match="separator"):
        read_pay(tmp_path)


def test_mixed_decimal_marks_are_refused(tmp_path):
    write(tmp_path, "pay.csv", b"employee_id;period;gross_salary\nE1;2026-10;3000,50\nE2;2026-10;2000.25\n")
    with pytest.raises(InputError, match="decimal comma"):
        read_pay(tmp_path)


def test_parquet_and_xlsx(tmp_path):
    frame = pl.DataFrame(
        {"employee_id": ["E1", "E2"], "period": ["2026-10", "2026-10"], "gross_salary": ["10.00", "20.10"]}
    )
    frame.write_parquet(tmp_path / "pay.parquet")
    raw = read_pay(tmp_path)
    assert raw.frame["gross_salary"].to_list() == ["10.00", "20.10"]
    assert raw.frame["source_line"].to_list() == [2, 3]
    other = tmp_path / "x"
    other.mkdir()
    frame.write_excel(other / "pay.xlsx")
    raw = read_pay(other)
    assert raw.frame["employee_id"].to_list() == ["E1", "E2"]
    assert raw.frame["source_line"].to_list() == [2, 3]  # sheet row numbers


def test_two_files_for_one_input_are_refused(tmp_path):
    write(tmp_path, "pay.csv", PAY_HEADER.encode())
    pl.DataFrame({"employee_id": ["E1"]}).write_parquet(tmp_path / "pay.parquet")
    with pytest.raises(InputError, match="several files"):
        read_pay(tmp_path)


def test_profile_maps_headers_values_and_dates(tmp_path):
    profile = tmp_path / "p.yaml"
    profile.write_text(
        "name: test\ndate_format: '%d/%m/%Y'\ninputs:\n  employees:\n    file: personnel\n"
        "    columns: {Matricule: employee_id, Statut: worker_status, Début: contract_start, Employeur: employer_id,"
        " NISS: niss, Nom: last_name, Prénom: first_name, Contrat: contract_type, Pays: residence_country}\n"
        "    values: {worker_status: {ouvrier: blue_collar, 'employé': white_collar}}\n",
        encoding="utf-8",
    )
    write(
        tmp_path,
        "personnel.csv",
        (
            "Matricule;Statut;Début;Employeur;NISS;Nom;Prénom;Contrat;Pays\n"
            "A1;Ouvrier;01/02/2020;125482497;85073003328;Dupont;Jean;open_ended;BE\n"
            "A2;employé;31/12/2019;125482497;85073003328;Dupont;Jean;open_ended;BE\n"
            "A3;cadre;2019-12-31;125482497;85073003328;Dupont;Jean;open_ended;BE\n"
        ).encode(),
    )
    raw = read_input(tmp_path, EMPLOYEES, Profile.load(profile))
    assert raw.frame["employee_id"].to_list() == ["A1", "A2", "A3"]
    assert raw.frame["worker_status"].to_list() == [
        "blue_collar",
        "white_collar",
        "cadre",
    ]  # unknown value kept for validation
    assert raw.frame["contract_start"].to_list() == ["2020-02-01", "2019-12-31", "2019-12-31"]
    assert "birth_date" in raw.missing_columns  # optional: read as empty


def test_a_missing_required_column_stops_with_one_message(tmp_path):
    """data-contract "General conventions", file-level errors: a required column missing."""
    write(tmp_path, "pay.csv", b"employee_id,gross_salary\nE1,10.00\n")
    with pytest.raises(InputError, match=r"pay.csv: required column\(s\) missing from the header: period"):
        read_pay(tmp_path)
