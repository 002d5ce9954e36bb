"""Early-settlement discounts: a payment inside the window equal to the discounted amount settles the
invoice and records the discount; statements offer the discount while it is available; unused
offers leave the aging report alone."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from debtordesk.db.ledger import drift
from debtordesk.db.models import Customer, Invoice, Payment
from debtordesk.domain.discounts import available, check_terms, discount_minor
from debtordesk.domain.problems import FieldErrors
from debtordesk.services.adjustments import invoice_credits
from debtordesk.services.aging import aging_report
from debtordesk.services.customers import read_form, save_customer
from debtordesk.services.invoices import blank_invoice, save_invoice
from debtordesk.services.payments import PaymentQuery, list_payments, record_payment
from debtordesk.services.statements import discount_lines, statement
from helpers import add_customer

D = date.fromisoformat


@pytest.fixture
def books(db):
    """Acme has 2% / 10 days terms; INV-1 for £1,000.00 issued 1 Mar 2026 (discount until 11 Mar)."""
    with db.transaction() as s:
        cid = add_customer(s).id
        form = read_form(s, cid)
        form.values.update(discount_percent="2", discount_days="10")
        save_customer(s, form)
    with db.transaction() as s:
        inv = blank_invoice(s, cid, D("2026-03-01"))
        assert (inv.values["discount_percent"], inv.values["discount_days"]) == ("2", "10")
        inv.values.update(number="INV-1", amount="1000.00", currency="GBP")
        save_invoice(s, inv)
    return db


def ids(s):
    return s.scalar(select(Customer.id)), s.scalar(select(Invoice.id).where(Invoice.number == "INV-1"))


def aging_total(db, day):
    with db.session() as s:
        return sum(r.total for r in aging_report(s, D(day)).rows)


def test_a_payment_of_the_discounted_amount_in_the_window_settles_the_invoice(books):
    with books.transaction() as s:
        cid, iid = ids(s)
        record_payment(s, cid, D("2026-03-11"), 98000, "GBP")  # the last day of the window
    with books.session() as s:
        cid, iid = ids(s)
        assert s.get(Invoice, iid).open_minor == 0
        credits = [(c.kind, c.amount_minor, c.on) for c in invoice_credits(s, iid)]
        assert credits == [("discount", 2000, D("2026-03-11"))]
        assert [p.amount_minor for p in list_payments(s, PaymentQuery(), 0, 10)] == [98000]  # money received only
        assert s.scalar(select(Payment.unapplied_minor).where(Payment.kind == "payment")) == 0
        assert drift(s) == []
    assert aging_total(books, "2026-03-10") == 100000  # the offer alone changes nothing
    assert aging_total(books, "2026-03-11") == 0


def test_after_the_window_the_same_payment_is_a_part_payment(books):
    with books.transaction() as s:
        cid, iid = ids(s)
        record_payment(s, cid, D("2026-03-12"), 98000, "GBP")
        assert s.get(Invoice, iid).open_minor == 2000
        assert invoice_credits(s, iid) == []


def test_other_amounts_take_no_discount(books):
    with books.transaction() as s:
        cid, iid = ids(s)
        record_payment(s, cid, D("2026-03-05"), 50000, "GBP")
        assert s.get(Invoice, iid).open_minor == 50000
        record_payment(s, cid, D("2026-03-06"), 49000, "GBP")  # 98% of the rest is not the discounted amount
        assert s.get(Invoice, iid).open_minor == 1000
        assert invoice_credits(s, iid) == []


def test_statements_offer_the_discount_while_it_is_available(books):
    with books.session() as s:
        cid, _ = ids(s)
        offers = statement(s, cid, "GBP", D("2026-03-05")).discounts
        assert [(o.number, o.pay_minor, o.last_day) for o in offers] == [("INV-1", 98000, D("2026-03-11"))]
        assert discount_lines(offers, "GBP", "en") == (
            "Early-payment discount: pay £980.00 instead of £1,000.00 by 11 March 2026 and take the 2% discount "
            "on invoice INV-1.",)
        assert "Skonto" in discount_lines(offers, "GBP", "de")[0]
        assert statement(s, cid, "GBP", D("2026-03-12")).discounts == []


def test_terms_are_checked_field_by_field(books):
    assert check_terms("2,5%", "14")[:2] == ("2.5", 14)
    assert check_terms("", "")[:2] == ("", 0)
    assert set(check_terms("2", "")[2]) == {"discount_days"}
    assert set(check_terms("60", "x")[2]) == {"discount_percent", "discount_days"}
    with books.transaction() as s:
        cid, _ = ids(s)
        form = blank_invoice(s, cid, D("2026-03-02"))
        form.values.update(number="INV-2", amount="10", currency="GBP", discount_percent="abc")
        with pytest.raises(FieldErrors) as err:
            save_invoice(s, form)
        assert set(err.value.errors) == {"discount_percent"}


@given(amount=st.integers(1, 10**11), percent=st.decimals("0.01", "50", places=2))
def test_the_discount_and_the_payment_make_up_the_invoice_exactly(amount, percent):
    off = discount_minor(amount, str(percent))
    assert 0 <= off <= amount // 2 + 1
    assert available(str(percent), 10, D("2026-03-01"), D("2026-03-11"), amount, amount) == off
    assert (amount - off) + off == amount
    assert available(str(percent), 10, D("2026-03-01"), D("2026-03-12"), amount, amount) == 0
    assert available(str(percent), 10, D("2026-03-01"), D("2026-03-05"), amount, amount - 1) == 0
