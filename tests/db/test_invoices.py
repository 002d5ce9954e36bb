from datetime import date

import pytest

from debtordesk.db.ledger import drift
from debtordesk.db.models import Invoice
from debtordesk.domain.problems import FieldErrors, UserError
from debtordesk.services.disputes import mark_disputed
from debtordesk.services.invoices import (
    InvoiceQuery,
    blank_invoice,
    count_invoices,
    list_invoices,
    read_invoice,
    save_invoice,
)
from debtordesk.services.lists import Sort
from debtordesk.services.payments import (
    PaymentQuery,
    apply_credit,
    count_payments,
    customer_credit,
    list_payments,
    record_payment,
)
from helpers import CHANGED_BY, add_customer, add_invoice

TODAY = date(2026, 3, 1)


@pytest.fixture
def ledger(db):
    with db.transaction() as s:
        a = add_customer(s, "A1", "Alder & Co")
        b = add_customer(s, "B2", "Birch GmbH")
        add_invoice(s, a, "INV-001", "2026-01-01", "2026-01-31", 40000)  # overdue, part-paid below
        add_invoice(s, a, "INV-002", "2026-01-15", "2026-02-14", 10000)  # paid
        add_invoice(s, a, "INV-003", "2026-02-20", "2026-03-22", 5000)   # open, not due
        c = add_invoice(s, b, "INV-004", "2026-02-01", "2026-03-03", 90000, "EUR")
        c.disputed = True
        record_payment(s, a.id, date(2026, 2, 1), 10000, "GBP", invoice_id=2)
        record_payment(s, a.id, date(2026, 2, 10), 15000, "GBP", reference="BACS 77")
    return db


def numbers(db, **kw):
    q = InvoiceQuery(**kw)
    with db.session() as s:
        got = list_invoices(s, q, TODAY, 0, 100)
        assert count_invoices(s, q, TODAY) == len(got)
    return [r.number for r in got]


@pytest.mark.parametrize(("kw", "expected"), [
    ({}, ["INV-003", "INV-004", "INV-002", "INV-001"]),
    ({"status": "open"}, ["INV-003", "INV-004", "INV-001"]),
    ({"status": "overdue"}, ["INV-001"]),
    ({"status": "part_paid"}, ["INV-001"]),
    ({"status": "paid"}, ["INV-002"]),
    ({"disputed": True}, ["INV-004"]),
    ({"currency": "EUR"}, ["INV-004"]),
    ({"customer_id": 2}, ["INV-004"]),
    ({"issued_from": date(2026, 1, 10), "issued_to": date(2026, 2, 1)}, ["INV-004", "INV-002"]),
    ({"search": "002"}, ["INV-002"]),
    ({"sort": Sort("amount", descending=True)}, ["INV-004", "INV-001", "INV-002", "INV-003"]),
    ({"sort": Sort("open")}, ["INV-002", "INV-003", "INV-001", "INV-004"]),
    ({"sort": Sort("customer")}, ["INV-001", "INV-002", "INV-003", "INV-004"]),
    ({"sort": Sort("days_overdue", descending=True)}, ["INV-001", "INV-004", "INV-003", "INV-002"]),
])
def test_filters_and_sorting(ledger, kw, expected):
    assert numbers(ledger, **kw) == expected



def test_rows_carry_status_and_days_overdue(ledger):
    with ledger.session() as s:
        rows = {r.number: r for r in list_invoices(s, InvoiceQuery(), TODAY, 0, 10)}
    assert (rows["INV-001"].status, rows["INV-001"].days_overdue, rows["INV-001"].open_minor) == ("overdue", 29, 25000)
    assert rows["INV-002"].status == "paid" and rows["INV-003"].status == "open"


def test_editor_refuses_each_field_in_plain_words(ledger):
    with ledger.session() as s:
        form = blank_invoice(s, 1, TODAY)
    assert form.values["number"] == "INV-005" and form.values["due_date"] == "2026-03-31"
    form.values.update(number="INV-001", amount="-3", due_date="2026-02-01")
    with ledger.transaction() as s, pytest.raises(FieldErrors) as err:
        save_invoice(s, form)
    assert err.value.errors == {
        "number": "Invoice number INV-001 is already used; each invoice needs its own number.",
        "due_date": "The due date cannot be before the issue date.",
        "amount": "The amount must be more than zero.",
    }
    form.values.update(number="INV-005", amount="120.50", due_date="2026-03-31")
    with ledger.transaction() as s:
        inv = save_invoice(s, form)
        assert (inv.amount_minor, inv.open_minor) == (12050, 12050)


def test_editing_keeps_paid_amounts_consistent(ledger):
    with ledger.session() as s:
        form = read_invoice(s, 1)
    assert form.paid_minor == 15000 and form.values["amount"] == "400.00"
    form.values.update(amount="100.00", currency="EUR")
    with ledger.transaction() as s, pytest.raises(FieldErrors) as err:
        save_invoice(s, form)
    assert set(err.value.errors) == {"amount", "currency"}
    assert err.value.errors["amount"].startswith("150.00 has already been paid")
    form.values.update(amount="200.00", currency="GBP")
    with ledger.transaction() as s:
        assert save_invoice(s, form).open_minor == 5000
        assert drift(s) == []
    stale = form
    with ledger.transaction() as s, pytest.raises(UserError, match=CHANGED_BY):
        save_invoice(s, stale)  # the version read before the last save


def test_disputes_toggle(ledger):
    with ledger.transaction() as s:
        mark_disputed(s, 4, False, date(2026, 6, 1))
    assert numbers(ledger, disputed=True) == []


def test_payments_list_and_credit(ledger):
    with ledger.session() as s:
        rows = list_payments(s, PaymentQuery(), 0, 10)
        assert [(r.reference, r.invoices, r.unapplied_minor) for r in rows] == [
            ("BACS 77", ["INV-001"], 0), ("", ["INV-002"], 0)]
        assert count_payments(s, PaymentQuery(search="bacs")) == 1
    with ledger.transaction() as s:
        record_payment(s, 1, date(2026, 2, 25), 30000, "GBP")  # pays INV-001 and INV-003 (issued 20 Feb)
        record_payment(s, 1, date(2026, 2, 26), 7000, "GBP")   # nothing left to pay: all credit
        assert customer_credit(s, 1) == {"GBP": 7000 + 30000 - 25000 - 5000}
        add_invoice(s, s.get(Invoice, 1).customer, "INV-009", "2026-02-27", "2026-03-29", 9000)
        assert apply_credit(s, 1, "GBP") == 7000  # all the credit there is
        assert customer_credit(s, 1) == {}
        assert s.get(Invoice, 5).open_minor == 2000
        assert drift(s) == []
    with ledger.session() as s:
        assert count_payments(s, PaymentQuery(unapplied_only=True)) == 0
