"""Payment plans against a real database: agreeing, payments paying instalments in order, statuses
as of several dates, breach (recorded once, dunning back at the right level), cancelling, the
receipts forecast."""

from datetime import date

import pytest
from sqlalchemy import func, select

from debtordesk.db.models import Activity, Customer, Invoice, Letter
from debtordesk.domain.plans import NO_INTEREST, Frequency, Interest, PlanTerms
from debtordesk.domain.problems import FieldErrors
from debtordesk.services.dunning import dunning_run
from debtordesk.services.dunning_letters import mark_sent
from debtordesk.services.kpi import receipts_forecast
from debtordesk.services.payments import record_payment
from debtordesk.services.plan_tracking import instalments_due, plan_states, record_breaches
from debtordesk.services.plans import PlanError, cancel_plan, coverable_invoices, create_plan, plan_detail, plan_rows
from debtordesk.services.settings import put_settings
from helpers import add_invoice, dunning_books

D = date.fromisoformat


@pytest.fixture
def books(db):
    """Alder owes £1,200 (INV-1, due 31 Jan 2026) and had Reminder 1 on 7 Feb."""
    dunning_books(db)
    with db.transaction() as s:
        chosen = [p.letter_key for p in dunning_run(s, D("2026-02-07")) if p.proposed and p.ref == "ALD"]
        mark_sent(s, chosen, D("2026-02-07"), user="tester")
    return db


def alder(s) -> int:
    return s.scalar(select(Customer.id).where(Customer.ref == "ALD"))


def invoice_id(s, number) -> int:
    return s.scalar(select(Invoice.id).where(Invoice.number == number))


def agree(db, *, count=4, grace=5, fee=0, interest=NO_INTEREST, numbers=("INV-1",), amount=120000,
          agreed="2026-02-10", first="2026-03-01"):
    with db.transaction() as s:
        terms = PlanTerms(amount, "GBP", D(first), Frequency.monthly(), count=count, plan_fee_minor=fee,
                          interest=interest, grace_days=grace)
        return create_plan(s, alder(s), [invoice_id(s, n) for n in numbers], terms, agreed_on=D(agreed),
                           who="tester").id


def pay(db, day, minor):
    with db.transaction() as s:
        record_payment(s, alder(s), D(day), minor, "GBP")


def state(db, plan_id, day):
    with db.session() as s:
        return plan_states(s, D(day), plan_ids=[plan_id])[0][1]


def statuses(db, plan_id, day):
    st = state(db, plan_id, day)
    return st.status, [(x.number, x.status, x.paid_minor) for x in st.lines]


def dunning_for_alder(db, day):
    with db.session() as s:
        return next(p for p in dunning_run(s, D(day)) if p.ref == "ALD")


def test_statuses_on_time_within_grace_part_paid_and_missed_as_of_several_dates(books):
    plan = agree(books)
    pay(books, "2026-03-01", 30000)  # instalment 1 on its day
    pay(books, "2026-04-04", 30000)  # instalment 2 three days late, inside the 5 days of grace
    pay(books, "2026-04-20", 10000)  # a third of instalment 3, early
    # instalment 3 (1 May) is never completed: missed from 7 May (1 May + 5 days grace + 1)
    assert statuses(books, plan, "2026-02-20") == ("active", [(1, "due", 0), (2, "due", 0), (3, "due", 0),
                                                              (4, "due", 0)])
    assert statuses(books, plan, "2026-04-02") == ("active", [(1, "paid", 30000), (2, "late", 0), (3, "due", 0),
                                                              (4, "due", 0)])
    assert state(books, plan, "2026-04-02").arrears_minor == 30000
    st = state(books, plan, "2026-04-05")
    assert [x.status for x in st.lines] == ["paid", "paid", "due", "due"]
    assert [x.on_time for x in st.lines[:2]] == [True, True]
    assert statuses(books, plan, "2026-04-25")[1][2] == (3, "part-paid", 10000)
    assert statuses(books, plan, "2026-05-06") == ("active", [(1, "paid", 30000), (2, "paid", 30000),
                                                              (3, "late", 10000), (4, "due", 0)])
    st = state(books, plan, "2026-05-07")
    assert (st.status, st.breached_on, st.breach_line) == ("breached", D("2026-05-07"), 3)
    assert st.left_minor == 50000 and st.arrears_minor == 20000
    # paying the rest later does not undo the breach; paying everything completes the plan
    pay(books, "2026-05-20", 20000)
    assert state(books, plan, "2026-05-25").status == "breached"
    pay(books, "2026-06-01", 30000)
    assert state(books, plan, "2026-06-01").status == "completed"


def test_payments_pay_the_plan_before_older_invoices_outside_it(books):
    with books.transaction() as s:
        older = add_invoice(s, s.get(Customer, alder(s)), "INV-0", "2025-12-01", "2026-01-10", 5000)
        older_id = older.id
    plan = agree(books)
    pay(books, "2026-03-01", 30000)
    with books.session() as s:
        assert s.get(Invoice, invoice_id(s, "INV-1")).open_minor == 90000
        assert s.get(Invoice, older_id).open_minor == 5000  # oldest first would have paid this
    assert statuses(books, plan, "2026-03-02")[1][0] == (1, "paid", 30000)


def test_kept_plan_skips_its_invoices_and_breach_goes_to_final_demand_once(books):
    agree(books)
    pay(books, "2026-03-01", 30000)
    kept = dunning_for_alder(books, "2026-03-20")
    assert not kept.proposed
    assert kept.reason == "Payment plan PP-0001 is being kept; next instalment £300.00 due 2026-04-01."
    with books.transaction() as s:
        put_settings(s, {"plans.on_breach": "final-demand"})
    # instalment 2 (1 Apr) is never paid: broken on 7 Apr
    assert not dunning_for_alder(books, "2026-04-06").proposed
    broken = dunning_for_alder(books, "2026-04-07")
    assert broken.proposed and broken.level.name == "Final demand"
    with books.transaction() as s:
        found = record_breaches(s, D("2026-04-10"), who="tester")
    assert [(b.reference, b.breached_on, b.instalment) for b in found] == [("PP-0001", D("2026-04-07"), 2)]
    assert "dunning resumes at Final demand" in found[0].note and "£900.00" in found[0].note
    with books.transaction() as s:
        assert record_breaches(s, D("2026-04-20"), who="tester") == []  # recorded once
        notes = s.scalars(select(Activity.note).where(Activity.note.like("%PP-0001 broken%"))).all()
        assert len(notes) == 1
        mark_sent(s, [broken.letter_key], D("2026-04-10"), user="tester")
    waiting = dunning_for_alder(books, "2026-04-15")
    assert not waiting.proposed and waiting.reason.startswith("Letter before action waits until 2026-04-20")
    assert dunning_for_alder(books, "2026-04-20").level.name == "Letter before action"
    with books.session() as s:
        kinds = s.scalars(select(Letter.level_name).order_by(Letter.id)).all()
    assert kinds == ["Reminder 1", "Final demand"]


def test_breach_resumes_where_the_reminders_stopped_by_default(books):
    agree(books)
    after = dunning_for_alder(books, "2026-03-07")  # instalment 1 unpaid beyond grace
    assert after.proposed and after.level.name == "Reminder 2"


def test_fee_and_interest_are_an_invoice_due_at_the_end_brought_forward_by_a_breach(books):
    plan = agree(books, fee=1000, interest=Interest.flat(5))
    with books.session() as s:
        detail = plan_detail(s, plan, D("2026-02-10"))
        charges = s.get(Invoice, next(x.invoice_id for x in detail.invoices if x.charges))
        assert (charges.number, charges.amount_minor, charges.due_date) == ("PP-0001", 7000, D("2026-06-01"))
        assert detail.schedule.total_minor == 127000 == sum(x.amount_minor for x in detail.state.lines)
        assert [x.amount_minor for x in detail.schedule.instalments] == [31750] * 4
    with books.transaction() as s:
        record_breaches(s, D("2026-03-10"), who="tester")
    with books.session() as s:
        assert s.get(Invoice, charges.id).due_date == D("2026-03-07")


def test_cancelling_withdraws_unpaid_charges_and_dunning_takes_the_debt_up_again(books):
    plan = agree(books, fee=1000)
    with books.transaction() as s:
        cancel_plan(s, plan, D("2026-02-20"), "customer asked to pay in full", who="tester")
    with books.session() as s:
        assert s.scalar(select(Invoice.id).where(Invoice.number == "PP-0001")) is None
        assert plan_rows(s, D("2026-02-21"))[0].status == "cancelled"
    assert dunning_for_alder(books, "2026-02-21").level.name == "Reminder 2"
    with books.transaction() as s, pytest.raises(PlanError, match="already cancelled"):
        cancel_plan(s, plan, D("2026-02-22"))


def test_refusals_name_the_problem(books):
    agree(books)
    with books.transaction() as s, pytest.raises(PlanError, match="already has payment plan PP-0001 in GBP"):
        create_plan(s, alder(s), [invoice_id(s, "INV-1")],
                    PlanTerms(120000, "GBP", D("2026-03-01"), count=2), agreed_on=D("2026-02-11"))
    with books.transaction() as s, pytest.raises(PlanError, match="INV-2 belongs to another customer"):
        create_plan(s, alder(s), [invoice_id(s, "INV-2")],
                    PlanTerms(50000, "GBP", D("2026-03-01"), count=2), agreed_on=D("2026-02-11"))
    with books.transaction() as s:
        cid = s.scalar(select(Customer.id).where(Customer.ref == "BIR"))
        with pytest.raises(FieldErrors) as bad:
            create_plan(s, cid, [invoice_id(s, "INV-2")],
                        PlanTerms(50000, "GBP", D("2026-02-01"), count=0), agreed_on=D("2026-02-11"))
        assert set(bad.value.errors) == {"count"}
        with pytest.raises(PlanError, match="have £500.00 left to pay"):
            create_plan(s, cid, [invoice_id(s, "INV-2")],
                        PlanTerms(40000, "GBP", D("2026-03-01"), count=2), agreed_on=D("2026-02-11"))
    with books.session() as s:
        assert s.scalar(select(func.count()).select_from(Invoice)) == 3  # nothing half-written


def test_builder_offers_open_invoices_and_marks_those_in_a_plan(books):
    with books.transaction() as s:
        add_invoice(s, s.get(Customer, alder(s)), "INV-7", "2026-02-01", "2026-03-03", 4000)
    agree(books)
    with books.session() as s:
        found = {c.number: c for c in coverable_invoices(s, alder(s), D("2026-02-15"))}
    assert found["INV-1"].in_plan == "PP-0001" and found["INV-1"].overdue
    assert not found["INV-7"].overdue and not found["INV-7"].in_plan


def test_today_lists_instalments_due_and_the_forecast_expects_them_on_their_dates(books):
    plan = agree(books)
    pay(books, "2026-03-01", 30000)
    with books.session() as s:
        due = instalments_due(s, D("2026-03-28"), D("2026-04-03"))
        assert [(d.reference, d.number, d.left_minor, d.status) for d in due] == [("PP-0001", 2, 30000, "due")]
        weeks = receipts_forecast(s, D("2026-03-02"), weeks=13)["GBP"]
    expected = {w.week_start: w.expected_minor for w in weeks.weeks if w.expected_minor}
    # Birch's and Cedar's £1,200 overdue in week 1; Alder's three instalments of £300 on 1 Apr, 1 May
    # and 1 Jun (after the 13 weeks); the £900 still open on INV-1 is not expected a second time
    assert expected == {D("2026-03-02"): 120000, D("2026-03-30"): 30000, D("2026-04-27"): 30000}
    assert weeks.later_minor == 30000
    with books.session() as s:
        row = plan_rows(s, D("2026-03-02"))[0]
    assert (row.plan_id, row.next_due, row.next_minor, row.paid_minor) == (plan, D("2026-04-01"), 30000, 30000)
