"""`debtordesk import` detects the format and maps columns by name; options and saved mappings
say otherwise; ambiguous dates are refused until the user says which."""

import shutil
import sqlite3
from pathlib import Path

from cli.conftest import write

FIXTURES = Path(__file__).parents[1] / "fixtures" / "import"


def rows(db: Path, sql: str) -> list:
    with sqlite3.connect(db) as con:
        return con.execute(sql).fetchall()


def test_a_continental_file_is_detected_printed_and_imported(cli, tmp_path):
    r = cli("import", "customers", str(FIXTURES / "kunden-cp1252.csv"))
    assert r.code == 0, r.err
    r = cli("import", "invoices", str(FIXTURES / "rechnungen-cp1252.csv"))
    assert r.code == 1  # 'Kunde', 'Netto' and 'MwSt' name no field: refused without a mapping
    assert "'Kunde', 'Netto', 'MwSt' are not columns DebtorDesk knows" in r.err
    assert "--mapping NAME" in r.err and r.err.splitlines()[-1].startswith("Nothing was imported")
    r = cli("import", "invoices", str(FIXTURES / "rechnungen-cp1252.csv"), "--mapping",
            "Accounting export (continental)")
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert lines[0] == ("rechnungen-cp1252.csv: Windows-1252, semicolon-separated, decimal comma, dates DD.MM.YYYY "
                        "(as saved in 'Accounting export (continental)').")
    assert ("Columns: Rechnungsnummer -> number, Kundennummer -> customer_ref, Kunde (not imported), "
            "Datum -> issue_date") in r.out
    assert lines[-1] == "Imported 3 invoices from rechnungen-cp1252.csv."
    assert rows(cli.db, "SELECT name FROM customer WHERE ref = 'K-101'") == [("Café Crème SARL",)]
    assert rows(cli.db, "SELECT number, issue_date, amount_minor, description FROM invoice ORDER BY number")[0] == (
        "RE-2026-001", "2026-01-05", 123456, "Beratung (€ pauschal)")


def test_detection_is_printed_before_the_rows(cli, tmp_path):
    r = cli("import", "customers", str(FIXTURES / "customers-bom.csv"), "--dry-run")
    assert r.code == 0, r.err
    assert r.out.splitlines() == [
        "customers-bom.csv: UTF-8 with BOM, comma-separated, decimal point, dates YYYY-MM-DD (detected).",
        "  Columns: Customer No -> ref, Customer name -> name, E-mail -> email, Address -> address, "
        "City -> city, Postcode -> postcode, Country -> country",
        "customers-bom.csv: 3 customers checked, no problems found. Nothing was written (dry run).",
    ]


def test_ambiguous_dates_are_refused_until_the_format_is_given(cli, tmp_path):
    assert cli("import", "customers", str(write(tmp_path / "c.csv", "ref,name\nACME,Acme Ltd\n"))).code == 0
    f = FIXTURES / "payments-ambiguous.csv"
    r = cli("import", "payments", str(f))
    assert r.code == 1
    assert ("payments-ambiguous.csv: the dates could be day/month or month/day (for example 03/04/2026); nothing "
            "was imported. Say which with --date-format dd/mm/yyyy or --date-format mm/dd/yyyy.") in r.err
    assert "Note: The dates could be DD/MM/YYYY or MM/DD/YYYY" in r.out
    assert rows(cli.db, "SELECT count(*) FROM payment") == [(0,)]
    r = cli("import", "payments", str(f), "--date-format", "mm/dd/yyyy")
    assert r.code == 0, r.err
    assert "dates MM/DD/YYYY (detected)" in r.out
    assert rows(cli.db, "SELECT date FROM payment ORDER BY date") == [("2026-03-04",), ("2026-05-06",)]


def test_options_override_what_is_detected(cli, tmp_path):
    assert cli("import", "customers", str(write(tmp_path / "c.csv", "ref,name\nACME,Acme Ltd\n"))).code == 0
    f = write(tmp_path / "p.csv", "customer_ref,date,amount\nACME,2026-02-03,1.00\n")
    r = cli("import", "payments", str(write(tmp_path / "t.csv", "customer_ref\tdate\tamount\nACME\t01.02.2026\t5\n")),
            "--delimiter", "tab", "--date-format", "dd.mm.yyyy", "--decimal-comma", "--encoding", "cp1252")
    assert r.code == 0, r.err
    assert r.out.startswith("t.csv: Windows-1252, tab-separated, decimal comma, dates DD.MM.YYYY (detected).")
    r = cli("import", "payments", str(write(tmp_path / "s.csv", "customer_ref;date;amount\nACME;2026-02-03;7,5\n")),
            "--delimiter", ",")
    assert r.code == 1 and "row 1, column customer_ref;date;amount: unknown column" in r.err
    r = cli("import", "payments", str(f), "--delimiter", "|")
    assert r.code == 2 and "'|' is not one of , ; tab" in r.err
    r = cli("import", "payments", str(f), "--encoding", "latin-9")
    assert r.code == 2 and "'latin-9' is not one of utf-8, utf-8-sig, cp1252" in r.err
    r = cli("import", "payments", str(f), "--mapping", "Nope")
    assert r.code == 1 and "There is no saved mapping called 'Nope' for payments" in r.err
    assert rows(cli.db, "SELECT amount_minor FROM payment") == [(500,)]


def test_a_mapping_saved_in_the_database_is_used_by_name(cli, tmp_path):
    from debtordesk.db.engine import open_database
    from debtordesk.domain.csvformat import CsvFormat
    from debtordesk.services.import_mapping import save_mapping

    assert cli("import", "customers", str(FIXTURES / "customers-bom.csv")).code == 0
    db = open_database(f"sqlite:///{cli.db}")
    with db.transaction() as s:
        save_mapping(s, "invoices", "US export", CsvFormat("utf-8", "\t", False, "mm/dd/yyyy"),
                     ["Invoice No", "Account", "Invoice date", "Due date", "Total", "Currency", "Memo"],
                     ["number", "customer_ref", "issue_date", "due_date", "amount", "currency", ""])
    db.dispose()
    us = shutil.copy(FIXTURES / "invoices-us.tsv", tmp_path / "us.csv")
    r = cli("import", "invoices", str(us), "--mapping", "US export")
    assert r.code == 0, r.err
    assert "Memo (not imported)" in r.out
    assert rows(cli.db, "SELECT number, due_date, amount_minor, description FROM invoice ORDER BY number") == [
        ("US-1", "2026-02-04", 125000, ""), ("US-2", "2026-02-19", 9990, ""), ("US-3", "2026-04-01", 1500, "")]
