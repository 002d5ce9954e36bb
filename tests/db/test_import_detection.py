"""Detecting how a CSV file is written, on files shaped like the ones people really have, and
suggesting which column is which field."""

import shutil
from pathlib import Path

import pytest

from debtordesk.domain.csvformat import CsvFormat
from debtordesk.domain.problems import Rejected
from debtordesk.services.import_format import SAMPLE_CHARS, detect_format, read_sample
from debtordesk.services.import_mapping import field_for, missing_required, suggest_mapping

FIXTURES = Path(__file__).parents[1] / "fixtures" / "import"


def notes(detection) -> dict[str, tuple[str, bool]]:
    return {n.what: (n.text, n.sure) for n in detection.notes}


def test_windows_1252_semicolons_decimal_comma_and_german_dates():
    found = detect_format(FIXTURES / "rechnungen-cp1252.csv", "invoices")
    assert found.format == CsvFormat("cp1252", ";", True, "dd.mm.yyyy")
    assert not found.date_ambiguous
    assert found.header[4] == "Fällig" and found.rows[0][2] == "Müller GmbH"
    assert "€" in found.rows[0][9] and found.rows[1][9] == "Café Crème für das Büro"
    said = notes(found)
    assert said["encoding"] == ("The file is not UTF-8; reading it as Windows-1252 (Excel's usual choice on "
                                "Windows).", False)
    assert said["delimiter"] == ("The columns are separated by semicolons (10 columns).", True)
    assert said["decimal"][0] == "The amounts are written with a decimal comma (1.234,56)."
    assert said["dates"] == ("All 5 sample dates read as DD.MM.YYYY.", True)
    assert found.fields == ["number", "customer_ref", "", "issue_date", "due_date", "", "", "amount", "currency",
                            "description"]


def test_a_bom_means_utf8_and_quoted_line_breaks_stay_in_their_row():
    found = detect_format(FIXTURES / "customers-bom.csv", "customers")
    assert found.format == CsvFormat("utf-8-sig", ",", False, "iso")
    assert found.header[0] == "Customer No"  # no BOM left on the first header
    assert [r[0] for r in found.rows] == ["ACME", "ZOE", "BETA"]
    assert found.rows[1][1] == "Zoë's Café, Ltd" and found.rows[1][3] == "Flat 2\n3 Mill Lane\nNorth Side"
    assert notes(found)["encoding"][0] == "The file starts with a UTF-8 mark (BOM)."
    assert notes(found)["dates"] == ("A customers file has no dates.", True)


def test_tabs_and_us_dates_settled_by_a_day_over_twelve():
    found = detect_format(FIXTURES / "invoices-us.tsv", "invoices")
    assert found.format == CsvFormat("utf-8", "\t", False, "mm/dd/yyyy")
    assert not found.date_ambiguous
    assert notes(found)["encoding"][0] == "The file has only plain letters (ASCII); reading it as UTF-8."


def test_day_month_that_no_row_settles_is_flagged_for_the_user():
    found = detect_format(FIXTURES / "payments-ambiguous.csv", "payments")
    assert found.date_ambiguous
    text, sure = notes(found)["dates"]
    assert not sure and "could be DD/MM/YYYY or MM/DD/YYYY (for example 03/04/2026)" in text


def test_a_deciding_date_far_down_the_file_is_found(tmp_path, monkeypatch):
    monkeypatch.setattr("debtordesk.services.import_format.SAMPLE_CHARS", 200)
    lines = ["customer_ref,date,amount"] + [f"ACME,0{1 + i % 9}/0{1 + i % 8}/2026,1.00" for i in range(40)]
    lines.append("ACME,25/12/2026,1.00")
    f = tmp_path / "p.csv"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    found = detect_format(f, "payments")
    assert (found.format.date_format, found.date_ambiguous) == ("dd/mm/yyyy", False)
    assert "further down the file" in notes(found)["dates"][0]
    assert SAMPLE_CHARS == 1_000_000  # the real sample is larger than this test's


def test_an_unchosen_kind_reads_dates_and_amounts_from_every_cell():
    found = detect_format(FIXTURES / "rechnungen-cp1252.csv")
    assert found.format == CsvFormat("cp1252", ";", True, "dd.mm.yyyy")
    assert found.fields == []


def test_given_encoding_and_delimiter_are_taken_as_they_are():
    found = detect_format(FIXTURES / "rechnungen-cp1252.csv", "invoices", encoding="cp1252", delimiter=",")
    assert found.format.delimiter == "," and len(found.header) == 1
    assert notes(found)["delimiter"][0] == "The columns are separated by commas, as chosen."


def test_empty_missing_and_undecodable_files_are_refused(tmp_path):
    (tmp_path / "empty.csv").write_text("", encoding="utf-8")
    with pytest.raises(Rejected, match="empty.csv: the file is empty; it needs a header row"):
        detect_format(tmp_path / "empty.csv", "customers")
    with pytest.raises(Rejected, match=r"gone.csv: cannot be read \(No such file"):
        detect_format(tmp_path / "gone.csv", "customers")
    shutil.copy(FIXTURES / "kunden-cp1252.csv", tmp_path / "k.csv")
    with pytest.raises(Rejected, match="k.csv: is not UTF-8 text"):
        read_sample(tmp_path / "k.csv", CsvFormat(encoding="utf-8"))


def test_header_names_map_by_exact_name_then_english_and_german_synonyms():
    cases = {
        "invoices": {"Invoice No": "number", "Rechnungsnummer": "number", "Customer No": "customer_ref",
                     "Account": "customer_ref", "Kundennummer": "customer_ref", "Date": "issue_date",
                     "Invoice date": "issue_date", "Datum": "issue_date", "Due date": "due_date",
                     "Fällig": "due_date", "FÄLLIG AM": "due_date", "Amount": "amount", "Total": "amount",
                     "Betrag": "amount", "Currency": "currency", "Währung": "currency", "due_date": "due_date",
                     " customer ref ": "customer_ref", "Customer name": None, "VAT": None},
        "customers": {"Name": "name", "E-mail": "email", "E-Mail": "email", "Customer No": "ref",
                      "Kundennummer": "ref", "Straße": "address", "PLZ": "postcode", "Zip code": "postcode"},
        "payments": {"Date": "date", "Payment date": "date", "Amount": "amount", "Betrag": "amount",
                     "Verwendungszweck": "reference", "Invoice No": "invoice_number", "Account": "customer_ref"},
    }
    for kind, headers in cases.items():
        for header, expected in headers.items():
            assert field_for(kind, header) == expected, (kind, header)


def test_a_suggestion_uses_each_field_once_exact_names_first():
    header = ["Date", "issue_date", "Total", "Amount", "Notes"]
    assert suggest_mapping("invoices", header) == ["", "issue_date", "amount", "", ""]
    assert suggest_mapping("invoices", header, unknown=None) == [None, "issue_date", "amount", None, None]
    assert missing_required("invoices", ["issue_date", "amount"]) == ["number", "customer_ref"]
