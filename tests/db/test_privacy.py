"""Personal data: the export holds everything about one customer (JSON and a readable PDF); erasing
is refused while money is open, and otherwise blanks the personal fields, the notes, the letter
copies and the earlier audit entries' personal values, while the financial records and their totals
stay as they were; both are recorded in the audit trail, which stays append-only."""

import io
import json
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import DBAPIError

from debtordesk.db.models import (
    Activity,
    Allocation,
    AuditEntry,
    Customer,
    Invoice,
    Letter,
    Payment,
    Promise,
)
from debtordesk.domain.plans import Frequency, PlanTerms
from debtordesk.domain.problems import UserError
from debtordesk.services.customers import read_form, save_customer
from debtordesk.services.disputes import open_dispute, resolve_dispute
from debtordesk.services.dunning import dunning_run
from debtordesk.services.dunning_letters import letter_pdf, mark_sent
from debtordesk.services.payments import record_payment
from debtordesk.services.plans import create_plan
from debtordesk.services.privacy import erase_customer, erase_refusal, export_personal_data, personal_data
from debtordesk.services.promises import record_promise
from helpers import add_customer, add_invoice, dunning_books

D = date.fromisoformat
TODAY = D("2026-03-01")
PERSONAL = ("Alder & Co", "Jo Alder", "jo@alder.example", "0113 496 0000", "4 High St", "YO1 7HH",
            "Prefers calls in the morning", "Jo says after payday")


@pytest.fixture
def books(db):
    """Alder (business, York) with its details filled in, a letter, a promise, a payment of half of
    INV-1 and a short-lived invoice deleted since; Birch and Cedar are other customers."""
    dunning_books(db)
    with db.session() as s:
        form = read_form(s, 1)
    form.values.update(email="jo@alder.example", phone="0113 496 0000", contact_person="Jo Alder",
                       notes="Prefers calls in the morning")
    with db.transaction() as s:
        save_customer(s, form)
    with db.transaction() as s:
        keys = [p.letter_key for p in dunning_run(s, D("2026-02-07")) if p.proposed and p.ref == "ALD"]
        mark_sent(s, keys, D("2026-02-07"), user="tester")
        record_promise(s, 1, "GBP", 50000, D("2026-03-01"), promised_on=D("2026-02-10"), note="Jo says after payday")
        gone = add_invoice(s, s.get(Customer, 1), "INV-GONE", "2026-02-01", "2026-03-01", 1000)
    with db.transaction() as s:
        s.delete(s.get(Invoice, gone.id))
    with db.transaction() as s:
        record_payment(s, 1, D("2026-02-20"), 60000, "GBP", reference="ALDER BACS")
    return db


def pay_the_rest(db):
    with db.transaction() as s:
        record_payment(s, 1, D("2026-02-25"), 60000, "GBP")


def totals(db):
    with db.session() as s:
        return (s.execute(select(func.count(), func.sum(Invoice.amount_minor), func.sum(Invoice.open_minor))).one(),
                s.execute(select(func.count(), func.sum(Payment.amount_minor),
                                 func.sum(Payment.unapplied_minor))).one(),
                s.execute(select(func.count(), func.sum(Allocation.amount_minor))).one(),
                s.execute(select(Letter.total_minor, Letter.sha256, Letter.sent_on)).all(),
                s.execute(select(Invoice.number, Invoice.issue_date, Invoice.due_date, Invoice.description)
                          .order_by(Invoice.id)).all())


def audit_text(db) -> str:
    with db.session() as s:
        return "\n".join(f"{e.summary} {e.changes}" for e in s.scalars(select(AuditEntry)))


def test_export_holds_everything_about_the_customer_and_is_recorded(books, tmp_path):
    with books.transaction() as s:
        out = export_personal_data(s, 1, tmp_path, TODAY)
    assert out.json_path.name == "ALD-personal-data-2026-03-01.json" and out.pdf_path.suffix == ".pdf"
    data = json.loads(out.json_path.read_text(encoding="utf-8"))
    c = data["customer"]
    assert (c["name"], c["email"], c["contact_person"], c["city"]) == ("Alder & Co", "jo@alder.example", "Jo Alder",
                                                                       "York")
    assert [(i["number"], i["amount"], i["open"], i["currency"]) for i in data["invoices"]] == [
        ("INV-1", "1200.00", "600.00", "GBP")]
    assert [(p["amount"], p["reference"], p["kind"]) for p in data["payments"]] == [("600.00", "ALDER BACS", "payment")]
    assert [(a["invoice_number"], a["amount"]) for a in data["allocations"]] == [("INV-1", "600.00")]
    (letter,) = data["letters"]
    assert letter["invoices"] == ["INV-1"] and letter["pdf_bytes"] > 1000 and len(letter["sha256"]) == 64
    assert "pdf" not in letter
    assert [p["note"] for p in data["promises"]] == ["Jo says after payday"]
    assert len(data["activity"]) == 2 and data["disputes"] == [] and data["payment_plans"] == []
    trail = [(e["action"], e["record"], e["summary"]) for e in data["audit_trail"]]
    assert ("create", "customer", "Customer ALD, Alder & Co") in trail
    assert ("delete", "invoice", "Invoice INV-GONE for Alder & Co, £10.00") in trail  # a record since deleted
    assert not [t for t in trail if "Birch" in t[2] or "Cedar" in t[2]]
    pages = PdfReader(io.BytesIO(out.pdf_path.read_bytes())).pages
    words = " ".join(p.extract_text() for p in pages)
    for expected in ("Personal data held about Alder & Co (ALD)", "jo@alder.example", "INV-1", "£1,200.00",
                     "Reminder 1", "Jo says after payday", "Changes recorded in the audit trail"):
        assert expected in words
    with books.session() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "export")).one()
        assert (entry.entity, entry.entity_id) == ("customer", "1")
        assert json.loads(entry.changes)["files"] == [out.json_path.name, out.pdf_path.name]


def test_erasing_is_refused_while_money_is_open_and_says_what(books):
    with books.session() as s:
        why = erase_refusal(s, 1, TODAY)
    assert why.startswith("Alder & Co's personal data cannot be erased while money is still open: 1 invoice is "
                          "still open (£600.00)")
    with pytest.raises(UserError, match=r"1 invoice is still open \(£600\.00\)"), books.transaction() as s:
        erase_customer(s, 1, TODAY)
    with books.session() as s:
        assert s.get(Customer, 1).email == "jo@alder.example"
        assert not s.scalars(select(AuditEntry).where(AuditEntry.action == "erase")).all()


def test_credit_a_running_plan_and_an_open_dispute_each_refuse(db):
    with db.transaction() as s:
        c = add_customer(s, "FIR", "Fir Ltd")
        add_invoice(s, c, "F-1", "2026-01-01", "2026-01-31", 10000)
        record_payment(s, c.id, D("2026-02-01"), 15000, "GBP")
    with db.session() as s:
        assert erase_refusal(s, c.id, TODAY).endswith(
            "still open: £50.00 of their payments is credit not yet applied to an invoice (refund it or apply it). "
            "Settle these first (collect, credit or write off what is owed, refund or apply the credit, resolve "
            "disputes), then erase.")
    with db.transaction() as s:
        d = add_customer(s, "YEW", "Yew Ltd")
        inv = add_invoice(s, d, "Y-1", "2026-01-01", "2026-01-31", 30000)
        dispute = open_dispute(s, inv.id, "Wrong size", D("2026-02-01"), 5000)
        terms = PlanTerms(30000, "GBP", D("2026-03-01"), Frequency.monthly(), count=3)
        plan = create_plan(s, d.id, [inv.id], terms, agreed_on=D("2026-02-10"))
    with db.session() as s:
        why = erase_refusal(s, d.id, TODAY)
    assert "1 invoice is still open (£300.00)" in why and f"payment plan {plan.reference} is still running" in why
    assert "the dispute about invoice Y-1 (£50.00) is still open" in why
    with db.transaction() as s:
        resolve_dispute(s, dispute.id, "withdrawn", D("2026-02-11"))
    with db.session() as s:
        assert "dispute" not in erase_refusal(s, d.id, TODAY).split(": ", 1)[1].split(". Settle")[0]


def test_erase_blanks_the_personal_data_keeps_the_books_and_is_recorded(books):
    pay_the_rest(books)
    before = totals(books)
    assert all(p in audit_text(books) for p in ("Alder & Co", "jo@alder.example", "Jo says after payday"))
    with books.transaction() as s:
        done = erase_customer(s, 1, TODAY)
    assert done.name == "Erased customer ALD" and done.letters == 1 and done.audit_entries > 5
    assert totals(books) == before
    with books.session() as s:
        c = s.get(Customer, 1)
        assert (c.ref, c.name, c.archived) == ("ALD", "Erased customer ALD", True)
        assert [c.contact_person, c.email, c.phone, c.address_line1, c.postcode, c.city, c.notes] == [""] * 7
        assert set(s.scalars(select(Activity.note).where(Activity.customer_id == 1))) == {""}
        assert s.scalars(select(Promise.note)).all() == [""]
        letter = s.scalars(select(Letter)).one()
        assert letter.pdf == b"" and len(letter.sha256) == 64 and letter.total_minor >= 120000
        with pytest.raises(UserError, match="deleted when the customer's personal data was erased"):
            letter_pdf(s, letter.id)
        erase = s.scalars(select(AuditEntry).where(AuditEntry.action == "erase")).one()
        assert erase.summary == "Personal data of customer ALD erased"
        assert json.loads(erase.changes)["letter_copies_deleted"] == 1
        assert s.get(Customer, 2).name == "Birch Ltd"
    trail = audit_text(books)
    for value in PERSONAL:
        assert value not in trail, value
    assert "Invoice INV-1 for Erased customer ALD, £1,200.00" in trail and "Customer BIR, Birch Ltd" in trail
    with books.session() as s:
        data = personal_data(s, 1)
    assert not [v for v in PERSONAL if v in json.dumps(data, ensure_ascii=False)]


def test_after_an_erasure_the_trail_still_refuses_changes(books):
    pay_the_rest(books)
    with books.transaction() as s:
        erase_customer(s, 1, TODAY)
    with pytest.raises(DBAPIError, match="cannot be changed or deleted"), books.transaction() as s:
        s.execute(update(AuditEntry).values(summary="rewritten"))
    with pytest.raises(DBAPIError, match="cannot be changed or deleted"), books.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log"))


def test_an_erasure_that_fails_half_way_changes_nothing(books, monkeypatch):
    pay_the_rest(books)
    from debtordesk.services import privacy_erase

    def broken(session, rows):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(privacy_erase, "rewrite_entries", broken)
    with pytest.raises(RuntimeError), books.transaction() as s:
        erase_customer(s, 1, TODAY)
    with books.session() as s:
        assert s.get(Customer, 1).name == "Alder & Co" and s.scalars(select(Letter.pdf)).one() != b""
    assert "jo@alder.example" in audit_text(books)
