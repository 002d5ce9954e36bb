import io
from datetime import date

from pypdf import PdfReader

from debtordesk.db.models import Customer
from debtordesk.services.dunning import dunning_run
from debtordesk.services.dunning_letters import render_run
from debtordesk.services.payments import record_payment
from debtordesk.services.settings import put_settings
from debtordesk.services.statements import statement, statement_pdf
from helpers import add_invoice, dunning_books


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def alder(db):
    with db.transaction() as s:
        c = s.query(Customer).filter_by(ref="ALD").one()
        add_invoice(s, c, "INV-4", "2026-02-10", "2026-03-12", 30000)
        add_invoice(s, c, "INV-5", "2026-03-20", "2026-04-19", 45000)
        record_payment(s, c.id, date(2026, 3, 1), 50000, "GBP", reference="BACS 1")  # part of INV-1
        return c.id


def test_statement_running_balance_closing_and_age(db):
    dunning_books(db)
    cid = alder(db)
    with db.session() as s:
        st = statement(s, cid, "GBP", date(2026, 3, 31), start=date(2026, 2, 1))
    # opening: INV-1 (1,200.00) issued before 1 February, nothing paid before then
    assert st.opening_minor == 120000
    assert [(e.on.isoformat(), e.kind, e.debit_minor, e.credit_minor, e.balance_minor) for e in st.entries] == [
        ("2026-02-10", "invoice", 30000, 0, 150000),
        ("2026-03-01", "payment", 0, 50000, 100000),
        ("2026-03-20", "invoice", 45000, 0, 145000),
    ]
    assert st.closing_minor == 145000
    # open as at 31 March: INV-5 not yet due 450.00; INV-4 19 days late 300.00; INV-1 59 days 700.00
    assert st.aging == [45000, 30000, 70000, 0, 0] and sum(st.aging) == st.closing_minor
    assert st.open_count == 3


def test_statement_pdf_and_attached_to_reminders(db):
    dunning_books(db)
    cid = alder(db)
    with db.session() as s:
        text = text_of(statement_pdf(s, cid, date(2026, 3, 31), start=date(2026, 2, 1)))
    assert "Statement of account" in text and "Closing balance" in text and "£1,450.00" in text
    with db.transaction() as s:
        put_settings(s, {"letters.attach_statement": "yes"})
    with db.session() as s:
        chosen = [p for p in dunning_run(s, date(2026, 3, 31)) if p.ref == "ALD"]
        with_statement = text_of(render_run(s, chosen, date(2026, 3, 31)))
    assert "Reminder" in with_statement or "reminder" in with_statement
    assert "Closing balance" in with_statement


def test_a_customer_without_transactions_has_no_statement(db):
    dunning_books(db)
    with db.transaction() as s:
        s.add(Customer(ref="NEW", name="New Ltd"))
    with db.session() as s:
        cid = s.query(Customer).filter_by(ref="NEW").one().id
        try:
            statement_pdf(s, cid, date(2026, 3, 31))
        except ValueError as exc:
            assert str(exc) == "New Ltd has no invoices or payments yet, so there is no statement to print."
        else:
            raise AssertionError("a statement was printed for a customer with no transactions")
