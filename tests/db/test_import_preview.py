"""Importing files in other formats and with mapped columns; the preview that checks every row and
writes nothing; all-or-nothing, cancelling included."""

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from debtordesk.db.ledger import drift
from debtordesk.db.models import Customer, Invoice, Payment
from debtordesk.domain.csvformat import CsvFormat
from debtordesk.domain.problems import Rejected
from debtordesk.domain.progress import Cancelled
from debtordesk.services.import_format import detect_format
from debtordesk.services.imports import import_csv, preview_csv

FIXTURES = Path(__file__).parents[1] / "fixtures" / "import"
DE = CsvFormat("cp1252", ";", True, "dd.mm.yyyy")


def load(db, name: str, kind: str):
    """Import a fixture as detected and mapped from its header names."""
    found = detect_format(FIXTURES / name, kind)
    with db.transaction() as s:
        return import_csv(s, kind, FIXTURES / name, found.format, found.fields)


def count(db, model) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_continental_customers_and_invoices_arrive_as_written(db):
    assert load(db, "kunden-cp1252.csv", "customers").rows == 3
    assert load(db, "rechnungen-cp1252.csv", "invoices").rows == 3
    with db.session() as s:
        people = {c.ref: (c.name, c.address_line1, c.city, c.credit_limit_minor, c.terms_days)
                  for c in s.scalars(select(Customer))}
        invoices = [(i.number, i.customer.ref, i.issue_date, i.due_date, i.amount_minor, i.currency, i.description)
                    for i in s.scalars(select(Invoice).order_by(Invoice.number))]
        assert drift(s) == []
    assert people["K-100"] == ("Müller GmbH", "Hauptstraße 5", "München", 500000, 14)
    assert people["K-101"][0] == "Café Crème SARL" and people["K-101"][3] is None
    assert people["K-102"][3] == 75050
    assert invoices == [
        ("RE-2026-001", "K-100", date(2026, 1, 5), date(2026, 2, 4), 123456, "EUR", "Beratung (€ pauschal)"),
        ("RE-2026-002", "K-101", date(2026, 1, 15), date(2026, 2, 14), 1250, "EUR", "Café Crème für das Büro"),
        ("RE-2026-003", "K-100", date(2026, 2, 28), date(2026, 3, 14), 100000, "GBP", "Wartung Februar"),
    ]


def test_quoted_line_breaks_and_tab_separated_us_files(db):
    assert load(db, "customers-bom.csv", "customers").rows == 3
    assert load(db, "invoices-us.tsv", "invoices").rows == 3
    with db.session() as s:
        zoe = s.scalars(select(Customer).where(Customer.ref == "ZOE")).one()
        assert (zoe.name, zoe.address_line1, zoe.address_line2) == ("Zoë's Café, Ltd", "Flat 2",
                                                                     "3 Mill Lane, North Side")
        us1 = s.scalars(select(Invoice).where(Invoice.number == "US-1")).one()
        assert (us1.issue_date, us1.due_date, us1.amount_minor, us1.currency) == (
            date(2026, 1, 5), date(2026, 2, 4), 125000, "USD")


BAD_INVOICES = (
    "Rechnungsnummer;Kundennummer;Datum;Fällig;Betrag;Währung;Notiz\n"
    "R-1;K-100;05.01.2026;;1.234,56;EUR;gut\n"                       # 2 fine
    "R-2;K-100;31.02.2026;;10,00;EUR;\n"                             # 3 no such day
    "R-3;K-100;2026-01-05;;10,00;EUR;\n"                             # 4 ISO date in a DD.MM.YYYY file
    "R-4;K-100;05.01.2026;;10.00;EUR;\n"                             # 5 decimal point in a decimal-comma file
    "R-5;K-100;05.01.2026;;0,00;EUR;\n"                              # 6 zero
    "R-6;NOPE;05.01.2026;;10,00;EUR;\n"                              # 7 unknown customer
    ";K-100;05.01.2026;;10,00;EUR;\n"                                # 8 no number
    "R-1;K-100;05.01.2026;;10,00;EUR;\n"                             # 9 number twice in the file
    "R-9;K-100;05.02.2026;01.02.2026;10,00;XYZ;\"zwei\nZeilen\"\n"    # 10 due before issue, bad currency
    "R-10;K-100;05.01.2026\n"                                        # 11 too few fields
    "R-11;K-100;05.01.2026;;1,005;EUR;\n"                            # 12 three decimals
)
FIELDS = ["number", "customer_ref", "issue_date", "due_date", "amount", "currency", ""]


@pytest.fixture
def bad_file(db, tmp_path):
    load(db, "kunden-cp1252.csv", "customers")
    f = tmp_path / "rechnungen.csv"
    f.write_bytes(BAD_INVOICES.encode("cp1252"))
    return f


def test_the_preview_names_every_bad_row_with_its_column_and_writes_nothing(db, bad_file):
    with db.session() as s:
        preview = preview_csv(s, "invoices", bad_file, DE, FIELDS)
        assert not s.new and not s.dirty
    assert count(db, Invoice) == 0
    assert (len(preview.rows), preview.good, preview.bad, preview.ready) == (11, 1, 10, False)
    got = {n: [(p.column, p.message) for p in ps] for n, ps in preview.problems.items()}
    assert got == {
        3: [("Datum", "'31.02.2026' is not a real calendar date")],
        4: [("Datum", "'2026-01-05' is not a date in the form DD.MM.YYYY (for example 31.03.2026)")],
        5: [("Betrag", "'10.00' is not an amount (write it like 1234,50 or 1.234,50: ',' as decimal comma, "
                       "'.' only between thousands)")],
        6: [("Betrag", "'0,00' must be more than zero")],
        7: [("Kundennummer", "no customer has ref 'NOPE' (import customers first)")],
        8: [("Rechnungsnummer", "this value is required")],
        9: [("Rechnungsnummer", "invoice number 'R-1' is used twice in this file (also row 2)")],
        10: [("Fällig", "2026-02-01 is before the issue date 2026-02-05"),
             ("Währung", "'XYZ' is not a known currency code (use three letters such as GBP, EUR, USD)")],
        11: [("", "has 3 fields but the header has 7")],
        12: [("Betrag", "'1,005' has more than 2 decimal places for EUR")],
    }
    assert preview.rows[0] == (2, {"number": "R-1", "customer_ref": "K-100", "issue_date": "05.01.2026",
                                   "due_date": "", "amount": "1.234,56", "currency": "EUR"})
    assert preview.rows[9][0] == 11 and preview.rows[9][1]["number"] == "R-10"  # shown as read
    assert [str(p) for p in preview.all_problems()][0].startswith("rechnungen.csv, row 3, column Datum:")


def test_importing_a_file_with_any_bad_row_writes_nothing(db, bad_file):
    with pytest.raises(Rejected) as caught, db.transaction() as s:
        import_csv(s, "invoices", bad_file, DE, FIELDS)
    assert [p.row for p in caught.value.problems] == [3, 4, 5, 6, 7, 8, 9, 10, 10, 11, 12]
    assert count(db, Invoice) == 0


def test_header_mistakes_in_a_mapping_are_named(db, tmp_path):
    f = tmp_path / "p.csv"
    f.write_text("Konto;Datum;Wert;Betrag\nK-1;01.02.2026;1;2\n", encoding="utf-8")
    fmt = DE.but(encoding="utf-8")
    with db.session() as s:
        doubled = preview_csv(s, "payments", f, fmt, ["customer_ref", "date", "amount", "amount"])
        missing = preview_csv(s, "payments", f, fmt, ["customer_ref", "", "", "amount"])
        wrong = preview_csv(s, "payments", f, fmt, ["customer_ref", "date"])
    assert [(p.row, p.column, p.message) for p in doubled.file_problems] == [
        (1, "Betrag", "'Wert' and 'Betrag' both feed Amount; choose one of them")]
    assert [(p.row, p.column, p.message) for p in missing.file_problems] == [
        (1, "date", "this required column is missing")]
    assert "has 4 columns but the mapping has 2" in wrong.file_problems[0].message
    assert not (doubled.ready or missing.ready or wrong.rows)


def test_a_clean_preview_is_ready_and_the_import_then_writes_every_row(db):
    load(db, "kunden-cp1252.csv", "customers")
    found = detect_format(FIXTURES / "rechnungen-cp1252.csv", "invoices")
    with db.session() as s:
        preview = preview_csv(s, "invoices", FIXTURES / "rechnungen-cp1252.csv", found.format, found.fields)
    assert preview.ready and preview.good == 3 and preview.all_problems() == []
    assert load(db, "rechnungen-cp1252.csv", "invoices").rows == 3


def test_payments_in_the_file_format_are_allocated(db, tmp_path):
    load(db, "kunden-cp1252.csv", "customers")
    load(db, "rechnungen-cp1252.csv", "invoices")
    f = tmp_path / "zahlungen.csv"
    f.write_bytes("Kundennummer;Zahlungsdatum;Betrag;Verwendungszweck;Rechnungsnummer\n"
                  "K-100;10.02.2026;1.234,56;RE-2026-001 Müller;RE-2026-001\n".encode("cp1252"))
    found = detect_format(f, "payments")
    assert found.format == DE and found.fields == ["customer_ref", "date", "amount", "reference", "invoice_number"]
    with db.transaction() as s:
        assert import_csv(s, "payments", f, found.format, found.fields).rows == 1
    with db.session() as s:
        paid = s.scalars(select(Invoice).where(Invoice.number == "RE-2026-001")).one()
        payment = s.scalars(select(Payment)).one()
        assert (paid.open_minor, payment.amount_minor, payment.currency, payment.reference) == (
            0, 123456, "EUR", "RE-2026-001 Müller")


def test_cancelling_leaves_nothing_written_and_progress_is_told(db, tmp_path):
    load(db, "kunden-cp1252.csv", "customers")
    f = tmp_path / "many.csv"
    f.write_text("number,customer_ref,issue_date,amount\n"
                 + "".join(f"N-{i},K-100,2026-01-01,1.00\n" for i in range(25_000)), encoding="utf-8")
    said = []
    with pytest.raises(Cancelled), db.transaction() as s:
        import_csv(s, "invoices", f, CsvFormat(), report=said.append,
                   should_cancel=lambda: any(p.text.startswith("Writing") for p in said))
    assert count(db, Invoice) == 0
    assert said[0].text.startswith("Reading") and any(p.text.startswith("Checking 25,000 rows") for p in said)
    assert said[-1].text == "Writing invoice 1 of 25,000"
