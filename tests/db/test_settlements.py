"""Settlement offers: accepted and paid → the rest written off on the day the money was in; rejected;
lapsed; reminders pause while an accepted offer is not yet due; refusals."""

from datetime import date

import pytest
from sqlalchemy import select

from debtordesk.db.ledger import drift
from debtordesk.db.models import Customer, Invoice
from debtordesk.domain.problems import FieldErrors
from debtordesk.services.adjustments import write_off_report
from debtordesk.services.aging import aging_report
from debtordesk.services.dunning import dunning_run
from debtordesk.services.payments import record_payment
from debtordesk.services.risk import worklist
from debtordesk.services.settlements import (
    SettlementError,
    accept_offer,
    complete_paid_settlements,
    record_offer,
    reject_offer,
    settlement_states,
)
from helpers import add_invoice, dunning_books

D = date.fromisoformat


@pytest.fixture
def books(db):
    """Alder owes £1,200 (INV-1, due 31 Jan 2026) and £300 (INV-9, due 28 Feb 2026)."""
    dunning_books(db)
    with db.transaction() as s:
        add_invoice(s, s.scalar(select(Customer).where(Customer.ref == "ALD")), "INV-9", "2026-01-29", "2026-02-28",
                    30000)
    return db


def alder(s) -> int:
    return s.scalar(select(Customer.id).where(Customer.ref == "ALD"))


def offer(db, amount=100000, deadline="2026-04-30", on="2026-04-01") -> int:
    with db.transaction() as s:
        return record_offer(s, alder(s), "GBP", amount, D(deadline), D(on), note="By phone", who="t").id


def state(db, sid, day):
    with db.session() as s:
        return next(x for x in settlement_states(s, D(day)) if x.settlement_id == sid)


def alder_letter(db, day):
    with db.session() as s:
        return next((p for p in dunning_run(s, D(day)) if p.ref == "ALD"), None)


def test_accepted_and_paid_the_rest_is_written_off_on_the_day_the_money_came_in(books):
    sid = offer(books)
    assert state(books, sid, "2026-04-01").balance_minor == 150000
    with books.transaction() as s:
        accept_offer(s, sid, D("2026-04-02"), "Cash-flow trouble; better than court", who="t")
    assert "settlement" in alder_letter(books, "2026-04-10").reason
    with books.session() as s:  # nor is it among the accounts to chase while the offer runs
        assert "ALD" not in {w.ref for w in worklist(s, D("2026-04-10"))}
        assert "ALD" in {w.ref for w in worklist(s, D("2026-05-01"))}
    with books.transaction() as s:
        record_payment(s, alder(s), D("2026-04-15"), 60000, "GBP")
    assert state(books, sid, "2026-04-16").status == "accepted"
    assert state(books, sid, "2026-04-16").received_minor == 60000
    with books.transaction() as s:
        record_payment(s, alder(s), D("2026-04-20"), 40000, "GBP")
    st = state(books, sid, "2026-04-21")
    assert (st.status, st.written_off_minor) == ("completed", 50000)
    with books.session() as s:
        numbers = Invoice.number.in_(("INV-1", "INV-9"))
        assert [i.open_minor for i in s.scalars(select(Invoice).where(numbers))] == [0, 0]
        report = write_off_report(s, D("2026-04-01"), D("2026-04-30"))
        assert [(r.on, r.amount_minor) for r in report.rows] == [(D("2026-04-20"), 20000), (D("2026-04-20"), 30000)]
        assert report.rows[0].reason == "Settlement: Cash-flow trouble; better than court"
        assert sum(r.total for r in aging_report(s, D("2026-04-20")).rows if r.customer_ref == "ALD") == 0
        assert sum(r.total for r in aging_report(s, D("2026-04-19")).rows if r.customer_ref == "ALD") == 90000
        assert drift(s) == []


def test_paid_before_acceptance_settles_on_acceptance(books):
    sid = offer(books)
    with books.transaction() as s:
        record_payment(s, alder(s), D("2026-04-03"), 100000, "GBP")
    with books.transaction() as s:
        accept_offer(s, sid, D("2026-04-05"), "Agreed", who="t")
    st = state(books, sid, "2026-04-05")
    assert (st.status, st.written_off_minor) == ("completed", 50000)


def test_a_lapsed_settlement_lets_reminders_resume(books):
    sid = offer(books, deadline="2026-04-10")
    with books.transaction() as s:
        accept_offer(s, sid, D("2026-04-02"), "Agreed", who="t")
        record_payment(s, alder(s), D("2026-04-09"), 50000, "GBP")
    assert state(books, sid, "2026-04-10").status == "accepted"
    assert state(books, sid, "2026-04-11").status == "lapsed"
    with books.transaction() as s:  # money after the deadline does not settle it
        record_payment(s, alder(s), D("2026-04-12"), 50000, "GBP")
        assert complete_paid_settlements(s, D("2026-04-30")) == []
    letter = alder_letter(books, "2026-04-20")
    assert letter.level is not None and letter.open_minor == 50000


def test_rejected_offers_change_nothing_and_refusals(books):
    with books.transaction() as s, pytest.raises(FieldErrors) as err:
        record_offer(s, alder(s), "GBP", 150000, D("2026-03-01"), D("2026-04-01"))
    assert set(err.value.errors) == {"amount", "deadline"}
    sid = offer(books)
    with books.transaction() as s, pytest.raises(SettlementError, match="still offered"):
        record_offer(s, alder(s), "GBP", 1000, D("2026-05-01"), D("2026-04-01"))
    with books.transaction() as s, pytest.raises(FieldErrors):
        accept_offer(s, sid, D("2026-04-02"), " ")
    with books.transaction() as s:
        reject_offer(s, sid, D("2026-04-02"), "Too little", who="t")
    with books.transaction() as s, pytest.raises(SettlementError, match="already rejected"):
        accept_offer(s, sid, D("2026-04-03"), "x")
    assert state(books, sid, "2026-04-05").status == "rejected"
    letter = alder_letter(books, "2026-04-10")
    assert letter.level is not None and letter.open_minor == 150000
