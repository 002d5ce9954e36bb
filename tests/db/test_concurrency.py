"""Two bookkeepers at once on one database (run against PostgreSQL by scripts/test-postgres, and
against SQLite): the second of two changes to the same record is refused, naming who changed it and
when; nothing is lost and no money is allocated twice; a letter is recorded once."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from debtordesk.db.ledger import drift
from debtordesk.db.models import Allocation, Letter
from debtordesk.domain.problems import Rejected, UserError
from debtordesk.services.dunning_letters import mark_sent
from debtordesk.services.invoices import read_invoice, save_invoice
from debtordesk.services.payments import payment_details, reallocate, record_payment
from helpers import CHANGED_BY, add_customer, add_invoice, dunning_books


def both_at_once(*works):
    """Run each work(wait) in its own thread; each calls wait() once it has read what it will change,
    so both have read before either writes. Returns each work's result or the exception it raised."""
    barrier = threading.Barrier(len(works))
    results: list = [None] * len(works)

    def run(i, work):
        try:
            results[i] = work(lambda: barrier.wait(timeout=20))
        except Exception as exc:  # the refusal is the result under test
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(works)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads), "a change never finished (deadlock?)"
    return results


def test_two_people_editing_one_invoice_get_one_conflict_and_no_lost_update(db):
    with db.transaction() as s:
        c = add_customer(s)
        iid = add_invoice(s, c, "INV-1", "2026-01-01", "2026-01-31", 100000).id

    def edit(field, value):
        def work(wait):
            with db.transaction() as s:
                form = read_invoice(s, iid)
                wait()
                form.values[field] = value
                save_invoice(s, form)
            return "saved"
        return work

    results = both_at_once(edit("description", "Oak doors"), edit("amount", "1250.00"))
    saved = [r for r in results if r == "saved"]
    refused = [r for r in results if isinstance(r, UserError)]
    assert len(saved) == 1 and len(refused) == 1, results
    assert refused[0].args[0].startswith("Invoice INV-1 ")
    assert __import__("re").search(CHANGED_BY, str(refused[0]))
    with db.session() as s:
        form = read_invoice(s, iid)
    winner = results.index("saved")
    # the saved change is there whole; the refused one left no trace
    assert (form.values["description"], form.values["amount"]) == (
        ("Oak doors", "1000.00") if winner == 0 else ("", "1250.00"))


def test_two_allocations_of_one_payment_exactly_one_succeeds(db):
    with db.transaction() as s:
        c = add_customer(s)
        first = add_invoice(s, c, "INV-1", "2026-01-01", "2026-01-31", 10000).id
        second = add_invoice(s, c, "INV-2", "2026-01-02", "2026-02-01", 10000).id
        pid = record_payment(s, c.id, date(2026, 2, 5), 10000, "GBP").id
        reallocate(s, pid, [])  # £100 unapplied credit

    def allocate_to(invoice_id):
        def work(wait):
            with db.transaction() as s:
                seen = payment_details(s, pid).lines
                wait()
                reallocate(s, pid, [(invoice_id, 10000)], expected=seen)
            return "allocated"
        return work

    results = both_at_once(allocate_to(first), allocate_to(second))
    assert results.count("allocated") == 1, results
    refused = next(r for r in results if r != "allocated")
    assert isinstance(refused, UserError) and __import__("re").search(CHANGED_BY, str(refused)), refused
    with db.session() as s:
        lines = s.execute(select(Allocation.invoice_id, Allocation.amount_minor)).all()
        assert lines == [(first if results[0] == "allocated" else second, 10000)]
        assert drift(s) == []


def test_two_people_recording_the_same_letters_record_them_once(db):
    dunning_books(db)
    as_of = date(2026, 3, 1)
    from debtordesk.services.dunning import dunning_run

    with db.session() as s:
        keys = [(p.customer_id, p.currency, p.level.position) for p in dunning_run(s, as_of) if p.proposed]
    assert keys

    def send(wait):
        with db.transaction() as s:
            wait()
            return len(mark_sent(s, keys, as_of, user="someone"))

    results = both_at_once(send, send)
    assert sorted(map(type, results), key=str) == sorted([int, Rejected], key=str), results
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Letter)) == len(keys)


@pytest.mark.parametrize("field", ["name", "phone"])
def test_an_old_copy_of_a_customer_is_refused_with_who_and_when(db, field):
    from debtordesk.services.customers import read_form, save_customer

    with db.transaction() as s:
        cid = add_customer(s, "N1", "Newt Ltd").id
    with db.session() as s:
        mine, theirs = read_form(s, cid), read_form(s, cid)
    theirs.values["name"] = "Newt Trading Ltd"
    with db.transaction() as s:
        save_customer(s, theirs)
    mine.values[field] = "Newt & Co" if field == "name" else "0113 496 0000"
    with pytest.raises(UserError, match=CHANGED_BY), db.transaction() as s:
        save_customer(s, mine)
    with db.session() as s:
        assert read_form(s, cid).values["name"] == "Newt Trading Ltd"
