"""Reading: dialect detection (encoding, separator, decimal mark), formats, profiles, source lines."""

from pathlib import Path

import polars as pl
import pytest

from pipeline.errors import InputError
from pipeline.intake.reading import Profile, _ascii_cells, read_input
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


def test_a_header_mismatch_lists_the_headers_found_and_the_profiles_names(tmp_path):
    """The one line of a missing column says what the profile expected and what the file holds:
    here the French export's first-name column typed without its accent (profile header "prénom")."""
    header = "matricule;numero_onss_employeur;niss;nom;prenom;statut;type_contrat;date_debut_contrat;pays_residence"
    row = "FR-0001;126132785;70021152943;Lamquet;Étienne;ouvrier;CDI;02/05/2006;France"
    write(tmp_path, "travailleurs.csv", f"{header}\n{row}\n".encode("cp1252"))  # the profile says Windows-1252
    with pytest.raises(InputError) as info:
        read_input(tmp_path, EMPLOYEES, Profile.load("fr_export"))
    message = str(info.value)
    assert message == (
        "travailleurs.csv: required column(s) missing from the header: first_name (header 'prénom' or "
        "'first_name'; found 'prenom'); headers found (9): 'matricule', 'numero_onss_employeur', 'niss', 'nom', "
        "'prenom', 'statut', 'type_contrat', 'date_debut_contrat', 'pays_residence'; check that the first row is "
        "the header and that the mapping profile (fr_export) fits the file"
    )
    assert "\n" not in message and "Lamquet" not in message and "70021152943" not in message  # no row content


def test_a_file_without_its_header_row_shows_no_cell_of_the_first_row(tmp_path):
    # The first row is data (a name and a national number): counted, never quoted (data-contract: no
    # national number or name in a message).
    write(tmp_path, "pay.csv", b"E1,2026-10,Dupont,85073003328,10.00\n")
    with pytest.raises(InputError) as info:
        read_pay(tmp_path)
    message = str(info.value)
    assert "none of the first row's 5 cells is a header the profile knows" in message
    assert "Dupont" not in message and "85073003328" not in message and "E1" not in message


# --------------------------------------------------------------------------------------------
# Dialects and damage (data-contract "General conventions": file-level and row-level errors).
# --------------------------------------------------------------------------------------------


def read_csv(folder: Path, text: str, encoding: str = "utf-8", profile: str | None = None):
    write(folder, "pay.csv", text.encode(encoding))
    return read_pay(folder, profile)


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("3.120,00", "3120.00"),  # Belgian Excel: "." groups thousands, "," marks decimals
        ("3 120,50", "3120.50"),
        ("3\u00a0120,50", "3120.50"),  # no-break space
        ("1.234.567,8", "1234567.8"),
        ("1.234", "1234"),  # a thousands group once the comma is the decimal mark
        ("12,5", "12.5"),
        ("1.23", "1.23"),  # does not fit the comma dialect: left as it is, validation rejects it...
    ],
)
def test_amounts_with_thousands_separators_once_the_decimal_comma_is_decided(tmp_path, amount, expected):
    if amount == "1.23":  # ...except that it votes for the point: both marks used is a file-level error
        with pytest.raises(InputError, match="both a decimal comma"):
            read_csv(tmp_path, f"employee_id;period;gross_salary\nE1;2026-10;{amount}\nE2;2026-10;2,50\n")
        return
    raw = read_csv(tmp_path, f"employee_id;period;gross_salary\nE1;2026-10;{amount}\nE2;2026-10;2,50\n")
    assert raw.frame["gross_salary"].to_list() == [expected, "2.50"]
    assert raw.dialect == "csv encoding=utf-8 delimiter=; decimal=comma"


def test_amounts_with_thousands_separators_once_the_decimal_point_is_decided(tmp_path):
    raw = read_csv(tmp_path, 'employee_id,period,gross_salary\nE1,2026-10,"3,120.00"\nE2,2026-10,3 120.5\n')
    assert raw.frame["gross_salary"].to_list() == ["3120.00", "3120.5"]


def test_an_ambiguous_group_is_left_for_validation_when_no_amount_decides_the_mark(tmp_path):
    """'1,234' could be 1.234 or 1234: with whole numbers only, nothing decides, so it is not guessed."""
    raw = read_csv(tmp_path, 'employee_id,period,gross_salary\nE1,2026-10,"1,234"\nE2,2026-10,3 120\n')
    assert raw.frame["gross_salary"].to_list() == ["1,234", "3120"]  # format_money rejects the first
    assert raw.dialect == "csv encoding=utf-8 delimiter=,"


def test_line_endings_and_bom_encodings_give_the_same_rows(tmp_path):
    text = "employee_id;period;gross_salary\nÉ1;2026-10;3000,50\nE2;2026-10;10,00\n"
    expected = None
    for i, (encoding, eol) in enumerate(
        [("utf-8", "\n"), ("utf-8", "\r\n"), ("utf-8", "\r"), ("utf-8-sig", "\r"), ("utf-16", "\r\n"), ("utf-32", "\n")]
    ):
        folder = tmp_path / str(i)
        folder.mkdir()
        raw = read_csv(folder, text.replace("\n", eol), encoding)
        got = raw.frame.select("employee_id", "gross_salary", "source_line").rows()
        expected = expected or got
        assert got == expected == [("É1", "3000.50", 2), ("E2", "10.00", 3)], (encoding, eol)


def test_utf16_without_a_bom_is_refused(tmp_path):
    write(tmp_path, "pay.csv", "employee_id,period,gross_salary\nE1,2026-10,1\n".encode("utf-16-le"))
    with pytest.raises(InputError, match="UTF-16 or UTF-32 without a byte-order mark"):
        read_pay(tmp_path)


def test_as_many_windows_1252_lines_as_utf8_lines_is_undecidable(tmp_path):
    data = "employee_id;period;gross_salary\nZoé;2026-10;1\n".encode() + "René;2026-10;2\n".encode("cp1252")
    write(tmp_path, "pay.csv", data)
    with pytest.raises(InputError, match="mixes UTF-8 and Windows-1252 text .line 3 is not UTF-8"):
        read_pay(tmp_path)


def test_a_profile_saying_windows_1252_for_a_utf8_file_is_refused(tmp_path):
    write(tmp_path, "employeurs.csv", "numero_onss;raison_sociale\n126132785;Société\n".encode())
    from schemas.inputs import EMPLOYERS

    with pytest.raises(InputError, match="the mapping profile says cp1252, but the file is UTF-8"):
        read_input(tmp_path, EMPLOYERS, Profile.load("fr_export"))


def test_quotes_multiline_cells_and_unbalanced_quotes(tmp_path):
    raw = read_csv(
        tmp_path,
        "employee_id,period,gross_salary\n"
        'O"Brien,2026-10,1\n'  # line 2: a quote inside an unquoted cell is a character
        '"E\n2",2026-10,2\n'  # lines 3-4: one record
        '"E3,2026-10,3\n'  # line 5: the quote never closes
        "E4,2026-10,4,,\n",  # line 6: two empty extra fields, as spreadsheets leave them
    )
    assert raw.frame.select("employee_id", "source_line").rows() == [
        ('O"Brien', 2),
        ("E\n2", 3),
        ("E3,2026-10,3", 5),
        ("E4", 6),
    ]
    assert raw.defects.select("source_line", "column", "check").rows() == [(5, "(row)", "quoting")]


def test_field_counts_blank_lines_and_invalid_bytes_are_per_row(tmp_path):
    data = (
        "employee_id,period,gross_salary\n"
        "Zoé,2026-10\n"  # line 2: too few
        ",,\n"  # line 3: blank
        "E3,2026-10,3,x\n"  # line 4: too many (not empty)
        "\n"  # line 5: blank
        "René,2026-10,5\n"  # line 6: UTF-8, as the file
    ).encode() + "Léa,2026-10,6\n".encode("cp1252")  # line 7: not UTF-8
    write(tmp_path, "pay.csv", data)
    raw = read_pay(tmp_path)
    assert raw.blank == 2 and raw.rows == 4
    assert raw.dialect == "csv encoding=utf-8 delimiter=,"
    assert raw.defects.select("source_line", "column", "check").rows() == [
        (2, "(row)", "field_count"),
        (4, "(row)", "field_count"),
        (7, "employee_id", "encoding"),
    ]
    assert raw.frame.get_column("employee_id").to_list() == ["Zoé", "E3", "René", "L\ufffda"]


def test_a_malformed_profile_is_one_message(tmp_path):
    bad = tmp_path / "p.yaml"
    bad.write_text("name: x\ninputs:\n  pay: [a, b\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"mapping profile p.yaml: not readable as YAML \(line \d+\)"):
        Profile.load(bad)
    bad.write_text("name: x\ninputs:\n  pay:\n    columns: {Montant: gross_amount}\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"inputs.pay.columns maps to unknown columns \['gross_amount'\]"):
        Profile.load(bad)


# --------------------------------------------------------------------------------------------
# Typed sources: XLSX and Parquet.
# --------------------------------------------------------------------------------------------


def test_workbook_numbers_get_their_leading_zeros_back_and_dates_read_as_months(tmp_path):
    import datetime as dt

    import xlsxwriter

    from schemas.inputs import EMPLOYERS

    book = xlsxwriter.Workbook(tmp_path / "employers.xlsx")
    sheet = book.add_worksheet()
    rows = [["employer_id", "enterprise_number", "name"], [13212405, 403170701, "Acme"], [], [13212405, None, "B"]]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r + 2, c + 1, value)  # the table starts at B3, row 5 is empty
    book.close()
    raw = read_input(tmp_path, EMPLOYERS, Profile.load(None))
    # 013212405 (9 digits) and 0403170701 (10): the zeros a number cannot hold
    assert raw.frame.select("employer_id", "enterprise_number", "source_line").rows() == [
        ("013212405", "0403170701", 4),  # header on sheet row 3, first record on row 4
        ("013212405", None, 6),
    ]
    assert raw.blank == 1

    book = xlsxwriter.Workbook(tmp_path / "pay.xlsx")
    sheet = book.add_worksheet()
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    for c, name in enumerate(["employee_id", "period", "gross_salary"]):
        sheet.write(0, c, name)
    sheet.write(1, 0, "E1")
    sheet.write_datetime(1, 1, dt.datetime(2026, 10, 1), day)
    sheet.write(1, 2, 3120.5)
    sheet.write(2, 0, "E2")
    sheet.write(2, 1, "2026-09")
    sheet.write(2, 2, "3120,50")  # a text cell with a decimal comma
    book.close()
    raw = read_pay(tmp_path)
    assert raw.frame.select("period", "gross_salary", "source_line").rows() == [
        ("2026-10", "3120.5", 2),
        ("2026-09", "3120.50", 3),
    ]


def test_parquet_numbers_dates_and_wrong_types(tmp_path):
    import datetime as dt

    from schemas.inputs import EMPLOYEES

    pl.DataFrame(
        {
            "employee_id": ["E1"],
            "niss": [1020312325],  # an integer column: the leading 0 of 01020312325 is restored
            "contract_start": [dt.date(2020, 1, 6)],
            "work_fraction": [0.8],
        }
    ).write_parquet(tmp_path / "employees.parquet")
    with pytest.raises(InputError, match="required column"):  # the other required columns are missing
        read_input(tmp_path, EMPLOYEES, Profile.load(None))
    pl.DataFrame(
        {"employee_id": ["E1", "E2"], "period": [dt.date(2026, 10, 1), None], "gross_salary": [3120.0, 10.25]}
    ).write_parquet(tmp_path / "pay.parquet")
    raw = read_pay(tmp_path)
    assert raw.frame.select("employee_id", "period", "gross_salary").rows() == [
        ("E1", "2026-10", "3120"),
        ("E2", None, "10.25"),
    ]
    pl.DataFrame({"employee_id": ["E1"], "period": [["2026-10"]], "gross_salary": [1]}).write_parquet(
        tmp_path / "pay.parquet"
    )
    with pytest.raises(InputError, match="pay.parquet: column 'period' holds List values"):
        read_pay(tmp_path)


def test_identifiers_and_dates_are_rewritten_only_where_needed_also_after_a_value_map(tmp_path):
    """A column is rewritten (separators out of an identifier, a midnight time off a date) only
    when one of its values needs it, or when the profile maps its values (a mapped value may bring
    separators or a time): the canonical text is the same as if every column were rewritten."""
    profile = tmp_path / "p.yaml"
    profile.write_text(
        "name: test\ninputs:\n  employees:\n"
        "    values: {niss: {inconnu: 85.07.30-033.28}, birth_date: {idem: '1985-07-30 00:00:00'}}\n",
        encoding="utf-8",
    )
    head = "employee_id,employer_id,niss,last_name,first_name,birth_date,contract_start,worker_status,contract_type"
    head += ",residence_country"
    rows = [
        "A1,125.482.497,inconnu,D,J,idem,2020-01-01T00:00:00,blue_collar,open_ended,BE",
        "A2,125482497,85073003328,D,J,1985-07-30,2020-01-01,blue_collar,open_ended,BE",
    ]
    write(tmp_path, "employees.csv", "\n".join([head, *rows, ""]).encode())
    frame = read_input(tmp_path, EMPLOYEES, Profile.load(profile)).frame
    assert frame["employer_id"].to_list() == ["125482497", "125482497"]
    assert frame["niss"].to_list() == ["85073003328", "85073003328"]
    assert frame["birth_date"].to_list() == ["1985-07-30", "1985-07-30"]
    assert frame["contract_start"].to_list() == ["2020-01-01", "2020-01-01"]


def test_only_ascii_csv_bytes_read_as_ascii_mark_an_input_ascii(tmp_path):
    """Validation looks for digits of other scripts (``١٢٣``) only in inputs not marked ASCII: a
    CSV file whose bytes are ASCII, read in an encoding where they are ASCII characters, without a
    value map (a mapped value may be any text). Parquet and XLSX cells are never marked."""
    (tmp_path / "plain").mkdir()
    write(tmp_path / "plain", "pay.csv", f"{PAY_HEADER}E1,2026-10,10.00\n".encode())
    assert read_pay(tmp_path / "plain").ascii
    (tmp_path / "accent").mkdir()
    write(tmp_path / "accent", "pay.csv", f"{PAY_HEADER}É1,2026-10,10.00\n".encode())
    assert not read_pay(tmp_path / "accent").ascii
    (tmp_path / "arabic").mkdir()
    write(tmp_path / "arabic", "pay.csv", f"{PAY_HEADER}E1,2026-10,١٠.00\n".encode())
    assert not read_pay(tmp_path / "arabic").ascii
    (tmp_path / "typed").mkdir()
    pl.DataFrame({"employee_id": ["E1"], "period": ["2026-10"], "gross_salary": ["10.00"]}).write_parquet(
        tmp_path / "typed" / "pay.parquet"
    )
    assert not read_pay(tmp_path / "typed").ascii
    mapped = tmp_path / "p.yaml"
    mapped.write_text("name: test\ninputs:\n  pay:\n    values: {gross_salary: {nul: '0'}}\n", encoding="utf-8")
    assert not read_input(tmp_path / "plain", PAY, Profile.load(mapped)).ascii
    wide = tmp_path / "w.yaml"
    wide.write_text("name: test\ncsv: {encoding: utf-16-le}\n", encoding="utf-8")
    data = (tmp_path / "plain" / "pay.csv").read_bytes()
    assert data.isascii() and not _ascii_cells(data, Path("pay.csv"), Profile.load(wide), {})  # b"12" is U+3231
