"""Promises to pay against a real database: kept, partly kept and broken, and the dunning run pausing
and resuming exactly as documented as of each date; the collections log and follow-ups."""

from datetime import date

import pytest
from sqlalchemy import func, select

from debtordesk.db.models import Activity, Customer, Promise
from debtordesk.domain.problems import FieldErrors
from debtordesk.services.activity import (
    complete_follow_up,
    customer_timeline,
    follow_ups_due,
    log_activity,
    read_activity,
)
from debtordesk.services.dunning import dunning_run
from debtordesk.services.payments import record_payment
from debtordesk.services.promises import (
    PromiseError,
    cancel_promise,
    promise_states,
    promises_to_watch,
    record_broken_promises,
    record_promise,
)
from helpers import dunning_books

D = date.fromisoformat


@pytest.fixture
def books(db):
    """Alder owes £1,200 (INV-1, due 31 Jan 2026); Reminder 1 is due from 7 Feb."""
    dunning_books(db)
    return db


def alder(s) -> int:
    return s.scalar(select(Customer.id).where(Customer.ref == "ALD"))


def promise(db, amount=50000, due="2026-02-15", made="2026-02-05", grace=3) -> int:
    with db.transaction() as s:
        return record_promise(s, alder(s), "GBP", amount, D(due), promised_on=D(made), grace_days=grace,
                              who="tester").id


def pay(db, day, minor):
    with db.transaction() as s:
        record_payment(s, alder(s), D(day), minor, "GBP")


def letter_for_alder(db, day):
    with db.session() as s:
        return next(p for p in dunning_run(s, D(day)) if p.ref == "ALD")


def status(db, pid, day):
    with db.session() as s:
        return promise_states(s, D(day), promise_ids=[pid])[0][1]


def test_kept_promise_pauses_letters_until_the_money_is_in(books):
    pid = promise(books)
    paused = letter_for_alder(books, "2026-02-10")
    assert not paused.proposed
    assert paused.reason == ("A promise to pay £500.00 by 2026-02-15 is pending: reminders pause until 2026-02-18.")
    pay(books, "2026-02-15", 50000)
    assert status(books, pid, "2026-02-14").status == "pending"
    kept = status(books, pid, "2026-02-15")
    assert (kept.status, kept.kept_on, kept.received_minor) == ("kept", D("2026-02-15"), 50000)
    # kept: the rest (£700) is chased as usual from the next day
    resumed = letter_for_alder(books, "2026-02-16")
    assert resumed.proposed and resumed.level.name == "Reminder 1" and resumed.open_minor == 70000


def test_partly_kept_promise_is_broken_after_the_grace_days(books):
    pid = promise(books)
    pay(books, "2026-02-12", 20000)
    assert not letter_for_alder(books, "2026-02-18").proposed  # the last day of grace
    st = status(books, pid, "2026-02-19")
    assert (st.status, st.partly_kept, st.broken_on, st.received_minor) == ("broken", True, D("2026-02-19"), 20000)
    assert letter_for_alder(books, "2026-02-19").level.name == "Reminder 1"
    with books.transaction() as s:
        found = record_broken_promises(s, D("2026-02-20"), who="tester")
        assert len(found) == 1 and "only £200.00 of it came in by 2026-02-18" in found[0].note
        assert record_broken_promises(s, D("2026-02-21"), who="tester") == []  # recorded once
    with books.session() as s:
        assert s.get(Promise, pid).broken_on == D("2026-02-19")


def test_broken_promise_with_nothing_paid_and_payments_before_it_do_not_count(books):
    pay(books, "2026-02-01", 10000)  # before the promise was made
    pid = promise(books, grace=0)
    st = status(books, pid, "2026-02-16")
    assert (st.status, st.received_minor) == ("broken", 0)
    with books.session() as s:
        watch = promises_to_watch(s, D("2026-02-16"))
    assert [(w.name, w.status) for w in watch] == [("Alder & Co", "broken")]


def test_one_pending_promise_at_a_time_and_withdrawing_it(books):
    pid = promise(books)
    with books.transaction() as s, pytest.raises(PromiseError, match="has already promised £500.00 by 2026-02-15"):
        record_promise(s, alder(s), "GBP", 10000, D("2026-02-20"), promised_on=D("2026-02-06"))
    with books.transaction() as s:
        cancel_promise(s, pid, D("2026-02-07"), who="tester")
    assert letter_for_alder(books, "2026-02-08").proposed  # letters no longer pause
    with books.transaction() as s, pytest.raises(FieldErrors) as bad:
        record_promise(s, alder(s), "GBP", 0, D("2026-02-01"), promised_on=D("2026-02-06"))
    assert set(bad.value.errors) == {"amount", "due"}


def test_a_call_with_a_promise_and_a_follow_up(books):
    form = read_activity({"kind": "call", "occurred_on": "2026-02-05", "outcome": "promised",
                          "promise_amount": "300", "promise_due": "2026-02-20", "currency": "GBP",
                          "note": "Spoke to the owner", "follow_up_on": "2026-02-21"})
    with books.transaction() as s:
        log_activity(s, alder(s), form, who="tester")
    with books.session() as s:
        line = customer_timeline(s, alder(s))[0]
        assert (line.kind, line.outcome) == ("call", "promised")
        assert line.note == "Promised to pay £300.00 by 2026-02-20. Spoke to the owner"
        assert s.scalar(select(func.count()).select_from(Promise)) == 1
        assert follow_ups_due(s, D("2026-02-20")) == []
        due = follow_ups_due(s, D("2026-02-21"))
        assert [(f.name, f.due) for f in due] == [("Alder & Co", D("2026-02-21"))]
    with books.transaction() as s:
        complete_follow_up(s, due[0].activity_id)
    with books.session() as s:
        assert follow_ups_due(s, D("2026-03-01")) == []


def test_log_refusals_name_the_field(books):
    with pytest.raises(FieldErrors) as bad:
        read_activity({"kind": "call", "occurred_on": "2026-02-05", "outcome": "promised", "currency": "GBP",
                       "promise_amount": "-5", "promise_due": "2026-02-01", "follow_up_on": "2026-02-01"})
    assert set(bad.value.errors) == {"promise_amount", "promise_due", "follow_up_on"}
    with pytest.raises(FieldErrors) as bad:
        read_activity({"kind": "note", "occurred_on": "05/02/2026", "outcome": "", "note": ""})
    assert bad.value.errors["occurred_on"] == "The date must be a date like 2026-12-03."
    with books.session() as s:
        assert s.scalar(select(func.count()).select_from(Activity)) == 0


def test_the_account_owner_is_kept_with_the_customer(books):
    from debtordesk.services.activity import account_owners
    from debtordesk.services.customers import blank_form, read_form, save_customer

    with books.transaction() as s:
        form = blank_form()
        form.values.update(ref="OAK", name="Oak Ltd", owner=" Sam ")
        oak = save_customer(s, form).id
    with books.session() as s:
        assert read_form(s, oak).values["owner"] == "Sam"
        assert account_owners(s) == {oak: "Sam"}
    with books.transaction() as s:
        form = read_form(s, oak)
        form.values["owner"] = "x" * 101
        with pytest.raises(FieldErrors) as bad:
            save_customer(s, form)
    assert "at most 100 characters" in bad.value.errors["owner"]


def test_the_accounts_to_chase_leave_out_what_the_reminders_leave_alone(books):
    from debtordesk.domain.plans import PlanTerms
    from debtordesk.services.plans import create_plan
    from debtordesk.services.risk import worklist
    from helpers import add_invoice

    def chased(day):
        with books.session() as s:
            return {(w.name, w.overdue_minor) for w in worklist(s, D(day))}

    assert ("Alder & Co", 120000) in chased("2026-02-10")
    pid = promise(books)  # pending until 18 Feb: not on the list
    assert "Alder & Co" not in {n for n, _ in chased("2026-02-10")}
    with books.transaction() as s:
        cancel_promise(s, pid, D("2026-02-10"), who="tester")
        alder_ = s.get(Customer, alder(s))
        extra = add_invoice(s, alder_, "INV-5", "2026-01-05", "2026-02-04", 3000)
        from debtordesk.db.models import Invoice

        one = s.scalar(select(Invoice.id).where(Invoice.number == "INV-1"))
        create_plan(s, alder_.id, [one], PlanTerms(120000, "GBP", D("2026-03-01"), count=4),
                    agreed_on=D("2026-02-11"), who="tester")
        assert extra.id
    # the plan is kept: only INV-5 (£30, 8 days overdue on 12 Feb) is left to chase
    with books.session() as s:
        alder_item = next(w for w in worklist(s, D("2026-02-12")) if w.name == "Alder & Co")
    assert (alder_item.overdue_minor, alder_item.oldest_overdue_days) == (3000, 8)
