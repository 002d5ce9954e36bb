"""The evidence pack against a real database: every stored letter in the ZIP byte for byte (its
SHA-256 as in the manifest and the database), the CSV's open totals equal to the aging report's for
the customer, the summary PDF's text, and a cancel leaving no file behind."""

import csv
import hashlib
import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from debtordesk.db.models import Customer, Invoice, Letter
from debtordesk.domain.money import parse_amount
from debtordesk.domain.problems import UserError
from debtordesk.domain.progress import Cancelled
from debtordesk.services.aging import aging_report
from debtordesk.services.dunning_letters import mark_sent
from debtordesk.services.evidence import evidence_pack
from debtordesk.services.handover import hand_over
from debtordesk.services.payments import record_payment
from debtordesk.services.statements import statement_pdf
from helpers import add_invoice, dunning_books

D = date.fromisoformat


@pytest.fixture
def books(db):
    """Alder: £1,200 (INV-1, due 31 Jan 2026) with two reminders sent, £500 (INV-6) part-paid, $300
    (INV-7) in dollars, a paid invoice, and a statement recorded as a letter; handed to a solicitor."""
    dunning_books(db)
    with db.transaction() as s:
        alder = s.scalars(select(Customer).where(Customer.ref == "ALD")).one()
        add_invoice(s, alder, "INV-6", "2026-02-01", "2026-03-03", 50000)
        add_invoice(s, alder, "INV-7", "2026-01-15", "2026-02-14", 30000, currency="USD")
        add_invoice(s, alder, "INV-8", "2026-01-05", "2026-02-04", 10000)
        record_payment(s, alder.id, D("2026-02-10"), 10000, "GBP", invoice_id=s.scalar(
            select(Invoice.id).where(Invoice.number == "INV-8")))
        record_payment(s, alder.id, D("2026-03-10"), 12345, "GBP", invoice_id=s.scalar(
            select(Invoice.id).where(Invoice.number == "INV-6")))
        mark_sent(s, [(alder.id, "GBP", 1)], D("2026-02-07"), user="tester")
    with db.transaction() as s:
        mark_sent(s, [(alder.id, "GBP", 2)], D("2026-02-21"), user="tester")
        pdf = statement_pdf(s, alder.id, D("2026-02-28"))
        s.add(Letter(customer_id=alder.id, kind="statement", currency="GBP", as_of=D("2026-02-28"),
                     sent_on=D("2026-02-28"), pdf=pdf, sha256=hashlib.sha256(pdf).hexdigest(), created_by="tester"))
        hand_over(s, alder.id, "GBP", kind="solicitor", name="Smith & Co Solicitors", handed_on=D("2026-03-01"),
                  reference="ABC/123", who="tester")
    return db


def alder_id(db) -> int:
    with db.session() as s:
        return s.scalar(select(Customer.id).where(Customer.ref == "ALD"))


def write_pack(db, tmp_path, as_of="2026-03-31", **kw):
    with db.session() as s:
        return evidence_pack(s, alder_id(db), D(as_of), tmp_path / "alder.zip", **kw)


def test_every_stored_letter_is_in_the_pack_byte_for_byte(books, tmp_path):
    pack = write_pack(books, tmp_path)
    with books.session() as s:
        stored = {x.id: (x.pdf, x.sha256) for x in s.scalars(select(Letter).where(Letter.customer_id
                                                                                  == alder_id(books)))}
    assert len(stored) == 3 and pack.letters == 3
    with zipfile.ZipFile(pack.path) as z:
        names = z.namelist()
        manifest = list(csv.DictReader(io.StringIO(z.read("manifest.csv").decode("utf-8"))))
        by_name = {m["file"]: m for m in manifest}
        letter_names = sorted(n for n in names if n.startswith("letters/"))
        assert len(letter_names) == 3
        for name in letter_names:
            letter_id = int(name.removesuffix(".pdf").rsplit("-", 1)[1])
            pdf, sha = stored[letter_id]
            data = z.read(name)
            assert data == pdf  # byte-identical
            assert hashlib.sha256(data).hexdigest() == sha == by_name[name]["sha256"]
            assert int(by_name[name]["bytes"]) == len(pdf)
        # the manifest covers every other file too
        assert set(by_name) == set(names) - {"manifest.csv"}
        for name in names:
            if name != "manifest.csv":
                assert hashlib.sha256(z.read(name)).hexdigest() == by_name[name]["sha256"]
    assert letter_names == ["letters/2026-02-07-reminder-1-1.pdf", "letters/2026-02-21-reminder-2-2.pdf",
                            "letters/2026-02-28-statement-3.pdf"]


def test_a_letter_altered_in_the_database_stops_the_pack(books, tmp_path):
    with books.transaction() as s:
        letter = s.get(Letter, 2)
        letter.pdf = letter.pdf + b"\n% changed afterwards"
    with pytest.raises(UserError, match="not written. Reminder 2 sent 2026-02-21 .*does not match its fingerprint"):
        write_pack(books, tmp_path)
    assert not (tmp_path / "alder.zip").exists()
    assert list(tmp_path.glob("*.part")) == []


def csv_rows(path):
    with zipfile.ZipFile(path) as z:
        return list(csv.DictReader(io.StringIO(z.read("invoices.csv").decode("utf-8"))))


@pytest.mark.parametrize("as_of", ["2026-03-31", "2026-03-05", "2026-02-12"])
def test_csv_totals_equal_the_aging_report(books, tmp_path, as_of):
    pack = write_pack(books, tmp_path, as_of)
    rows = csv_rows(pack.path)
    with books.session() as s:
        aging = {r.currency: r for r in aging_report(s, D(as_of)).rows if r.customer_id == alder_id(books)}
    totals = {r["currency"]: r for r in rows if r["invoice"] == "TOTAL"}
    assert set(totals) == set(aging) == {"GBP", "USD"}
    for cur, r in totals.items():
        assert parse_amount(r["open"], cur) == aging[cur].total
        lines = [x for x in rows if x["currency"] == cur and x["invoice"] != "TOTAL"]
        for col in ("amount", "paid", "open", "interest", "compensation", "total"):
            assert sum(parse_amount(x[col], cur) for x in lines) == parse_amount(r[col], cur), col
        for x in lines:
            assert parse_amount(x["total"], cur) == sum(parse_amount(x[c], cur)
                                                        for c in ("open", "interest", "compensation"))
    assert pack.totals == {cur: a.total for cur, a in aging.items()}


def test_csv_lines_as_of_the_end_of_march(books, tmp_path):
    rows = csv_rows(write_pack(books, tmp_path).path)
    got = [(r["currency"], r["invoice"], r["amount"], r["paid"], r["open"], r["handed_to"]) for r in rows]
    assert got == [
        ("GBP", "INV-1", "1200.00", "0.00", "1200.00", "Smith & Co Solicitors"),
        ("GBP", "INV-6", "500.00", "123.45", "376.55", "Smith & Co Solicitors"),
        ("GBP", "TOTAL", "1700.00", "123.45", "1576.55", ""),
        ("USD", "INV-7", "300.00", "0.00", "300.00", ""),
        ("USD", "TOTAL", "300.00", "0.00", "300.00", ""),
    ]
    inv1 = rows[0]
    # UK Act: £1,200 for 1 Feb–31 Mar 2026 (59 days) at Bank Rate + 8 points; £70 fixed sum (£1,000–£9,999.99)
    assert inv1["days_overdue"] == "59" and inv1["compensation"] == "70.00"
    assert Decimal(inv1["interest"]) > 0
    assert Decimal(rows[3]["interest"]) > 0 and rows[3]["compensation"] == "0.00"  # no UK fixed sum for dollars


def test_the_summary_pdf_says_what_the_pack_holds(books, tmp_path):
    from pypdf import PdfReader

    pack = write_pack(books, tmp_path)
    with zipfile.ZipFile(pack.path) as z:
        text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(z.read("summary.pdf"))).pages)
    with books.session() as s:
        sha = s.get(Letter, 1).sha256
    for words in ("Evidence pack — Alder & Co", "Customer details", "Smith & Co Solicitors", "ABC/123",
                  "Interest workings (GBP)", "Letters sent", sha, "Collections log", "Handed to Smith & Co",
                  "Statement of account", "The claim as of 31 March 2026"):
        assert words in text, words


def test_cancel_leaves_no_file(books, tmp_path):
    calls = []

    def cancel_soon() -> bool:
        calls.append(1)
        return len(calls) > 3

    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(Cancelled):
        write_pack(books, folder, should_cancel=cancel_soon)
    assert list(folder.iterdir()) == []


def test_progress_is_reported(books, tmp_path):
    seen = []
    write_pack(books, tmp_path, report=seen.append)
    assert seen[0].done == 0 and seen[-1].done == seen[-1].total == 6
    assert any("Letter 2 of 3" in p.text for p in seen)


def test_a_customer_with_nothing_open_gets_a_pack_too(books, tmp_path):
    with books.session() as s:
        cedar = s.scalar(select(Customer.id).where(Customer.ref == "CED"))
        pack = evidence_pack(s, cedar, D("2025-12-01"), tmp_path / "cedar.zip")
    assert pack.letters == 0 and pack.totals == {}
    assert csv_rows(pack.path) == []


def test_session_is_left_unchanged(books, tmp_path):
    with books.session() as s:
        evidence_pack(s, alder_id(books), D("2026-03-31"), tmp_path / "a.zip")
        assert not s.new and not s.dirty
        assert isinstance(s, Session)
