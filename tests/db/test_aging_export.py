import io
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from pypdf import PdfReader

from debtordesk.services.aging import aging_report
from debtordesk.services.aging_export import aging_csv, aging_document, aging_pdf
from debtordesk.services.company import save_company
from debtordesk.services.payments import record_payment
from debtordesk.services.settings import put_settings
from helpers import add_customer, add_invoice, dunning_books

AS_OF = date(2026, 11, 24)
EXE = Path(sys.executable).with_name("debtordesk")


def books(db) -> None:
    """Kestrel Joinery's GBP debtors, a euro customer with a comma and quotes in the name, and
    an overpayment left unapplied."""
    dunning_books(db)
    with db.transaction() as s:
        elm = add_customer(s, "ELM", 'Elm, "Ulme" & Söhne GmbH')
        add_invoice(s, elm, "E-1", "2026-10-01", "2026-10-31", 98765, "EUR")
        add_invoice(s, elm, "E-2", "2026-11-10", "2026-12-10", 1001, "EUR")
        record_payment(s, elm.id, date(2026, 11, 20), 2000, "GBP")


def pdf_text(data: bytes) -> list[str]:
    return [p.extract_text() for p in PdfReader(io.BytesIO(data)).pages]


def test_csv_is_what_the_command_line_prints(db):
    books(db)
    with db.session() as s:
        expected = aging_csv(aging_report(s, AS_OF, (30, 60, 90), "due"))
    env = {**os.environ, "DEBTORDESK_DB": db.url}
    proc = subprocess.run([str(EXE), "aging", "--format", "csv", "--as-of", AS_OF.isoformat()],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == expected
    lines = expected.splitlines()
    assert lines[0] == "customer_ref,name,currency,current,1-30,31-60,61-90,91+,total,unapplied,balance"
    assert 'ELM,"Elm, ""Ulme"" & Söhne GmbH",EUR,10.01,987.65,0.00,0.00,0.00,997.66,0.00,997.66' in lines
    assert "ELM,\"Elm, \"\"Ulme\"\" & Söhne GmbH\",GBP,0.00,0.00,0.00,0.00,0.00,0.00,20.00,-20.00" in lines


def test_csv_with_other_buckets_keeps_their_labels(db):
    books(db)
    with db.session() as s:
        text = aging_csv(aging_report(s, AS_OF, (15,), "issue"))
    assert text.splitlines()[0] == "customer_ref,name,currency,current,1-15,16+,total,unapplied,balance"
    assert text.endswith("\n") and "\r" not in text


def test_pdf_has_the_company_the_date_the_customers_and_the_totals(db):
    books(db)
    with db.session() as s:
        report = aging_report(s, AS_OF)
        data = aging_pdf(s, report)
    text = "\n".join(pdf_text(data))
    for expected in ("Kestrel Joinery Ltd", "1 Mill Lane", "Aged receivables as of 24 November 2026 (by due date)",
                     "Alder & Co", "Birch Ltd", "Cedar plc", 'Elm, "Ulme" & Söhne GmbH', "Total GBP", "£2,400.00",
                     "Total EUR", "€997.66", "Totals by currency", "Page 1 of 1"):
        assert expected in text, expected
    page = PdfReader(io.BytesIO(data)).pages[0]
    assert float(page.mediabox.width) > float(page.mediabox.height)  # landscape
    assert round(float(page.mediabox.width)) == 842  # A4


def test_zero_buckets_are_blank_and_amounts_formatted(db):
    books(db)
    with db.session() as s:
        doc = aging_document(s, aging_report(s, AS_OF))
    assert doc.columns == ("Ref", "Customer", "Current", "1-30", "31-60", "61-90", "91+", "Total", "Unapplied",
                           "Balance")
    assert doc.align == ("l", "l", "r", "r", "r", "r", "r", "r", "r", "r")
    gbp = next(x for x in doc.sections if x.heading.startswith("GBP"))
    alder = next(r for r in gbp.rows if r[0] == "ALD")
    assert alder == ("ALD", "Alder & Co", "", "", "", "", "£1,200.00", "£1,200.00", "", "£1,200.00")
    credit = next(r for r in gbp.rows if r[0] == "ELM")
    assert credit[-3:] == ("£0.00", "£20.00", "-£20.00")  # total and balance always print
    assert gbp.total_row == ("", "Total GBP", "", "", "", "", "£2,400.00", "£2,400.00", "£20.00", "£2,380.00")


def test_letter_paper_and_an_empty_report(db):
    with db.transaction() as s:
        save_company(s, {"name": "Kestrel Joinery Ltd"})
        put_settings(s, {"letters.paper": "Letter"})
    with db.session() as s:
        data = aging_pdf(s, aging_report(s, AS_OF, basis="issue"))
    page = PdfReader(io.BytesIO(data)).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (792, 612)
    text = pdf_text(data)[0]
    assert "Nothing is owed." in text and "(by issue date)" in text and "Page 1 of 1" in text


def test_a_long_report_repeats_the_header_on_every_page(db):
    with db.transaction() as s:
        save_company(s, {"name": "Kestrel Joinery Ltd", "address": "1 Mill Lane\nLeeds LS1 4AB"})
        for n in range(300):
            c = add_customer(s, f"C{n:04d}", f"Customer number {n:04d} with a longish trading name Ltd")
            add_invoice(s, c, f"I{n}", "2026-06-01", "2026-07-01", 10_000 + n)
    with db.session() as s:
        pages = pdf_text(aging_pdf(s, aging_report(s, AS_OF)))
    assert len(pages) > 3
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert "GBP — British Pound" in text and "Unapplied" in text and "Balance" in text, number
    assert "Kestrel Joinery Ltd" in pages[-1]  # the continuation line names the company
    everything = "\n".join(pages)
    assert all(f"C{n:04d}" in everything for n in range(300))
    assert "Total GBP" in pages[-1] and "£30,448.50" in pages[-1]
