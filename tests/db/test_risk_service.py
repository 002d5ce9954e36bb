"""Risk scores and the worklist against a real SQLite file: a small ledger worked out by hand (the
figures are in the comments), the promise counts against promise_states, both worklist orders
and the owner filter."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from debtordesk.db.models import Customer, Promise
from debtordesk.domain.problems import UserError
from debtordesk.domain.risk import RiskInputs
from debtordesk.services.payments import record_payment
from debtordesk.services.promises import promise_states
from debtordesk.services.risk import risk_inputs, risk_scores, worklist
from helpers import add_customer, add_invoice

D = date.fromisoformat
AS_OF = D("2026-06-30")  # last 6 months: 31 Dec 2025 .. 30 Jun 2026; the 6 before: 1 Jul .. 30 Dec 2025


def promise(s, customer, made, due, amount, grace=0, cancelled=None, currency="GBP") -> Promise:
    p = Promise(customer_id=customer.id, currency=currency, amount_minor=amount, promised_on=D(made), due_date=D(due),
                grace_days=grace, cancelled_on=D(cancelled) if cancelled else None)
    s.add(p)
    s.flush()
    return p


def pay(s, customer, day, amount, invoice=None, currency="GBP"):
    record_payment(s, customer.id, D(day), amount, currency, invoice_id=invoice.id if invoice else None)


@pytest.fixture
def books(db) -> dict[str, int]:
    """Alder (owner jo) has a history; Birch, Cedar and Dogwood have none; Fir is archived.

    Alder, paid off in the 6 months before (1 Jul .. 30 Dec 2025):
      E1 1,000.00 due 1 Aug 2025, paid 11 Aug (10 days late); E2 1,000.00 due 1 Oct, paid 25 Sep (on time)
      → 10,000 / 2,000 = 5 days late on average
    paid off in the last 6 months (31 Dec 2025 .. 30 Jun 2026):
      R1 2,000.00 due 1 Feb 2026, paid 3 Mar (30 days late); R2 1,000.00 due 1 Apr, paid 1 Apr (on time)
      → 60,000 / 3,000 = 20 days late
    the 12 months: 70,000 / 5,000 = 14 days late; 2 of the 4 invoices paid late
    open: O1 1,500.00 due 1 May (60 days overdue), O2 1,500.00 due 15 Jul (current) → 50 % overdue
    promises made in the 12 months: 2,000.00 by 5 Mar (kept by R1's payment on 3 Mar), 500.00 by
      20 May with 3 days of grace (nothing came: broken); not counted: one made in Jan 2025 (too
      old), one withdrawn, one pending (due 10 Jul).
    """
    with db.transaction() as s:
        alder = add_customer(s, "ALD", "Alder & Co")
        alder.owner = "jo"
        e1 = add_invoice(s, alder, "E1", "2025-07-02", "2025-08-01", 100000)
        e2 = add_invoice(s, alder, "E2", "2025-09-01", "2025-10-01", 100000)
        r1 = add_invoice(s, alder, "R1", "2026-01-02", "2026-02-01", 200000)
        r2 = add_invoice(s, alder, "R2", "2026-03-02", "2026-04-01", 100000)
        add_invoice(s, alder, "O1", "2026-04-01", "2026-05-01", 150000)
        add_invoice(s, alder, "O2", "2026-06-15", "2026-07-15", 150000)
        pay(s, alder, "2025-08-11", 100000, e1)
        pay(s, alder, "2025-09-25", 100000, e2)
        pay(s, alder, "2026-03-03", 200000, r1)
        pay(s, alder, "2026-04-01", 100000, r2)
        promise(s, alder, "2025-01-10", "2025-01-20", 50000)  # broken, but made more than 12 months ago
        promise(s, alder, "2026-03-01", "2026-03-05", 200000)  # kept
        promise(s, alder, "2026-04-10", "2026-04-20", 30000, cancelled="2026-04-12")  # withdrawn
        promise(s, alder, "2026-05-05", "2026-05-20", 50000, grace=3)  # broken on 24 May
        promise(s, alder, "2026-06-25", "2026-07-10", 150000)  # pending

        birch = add_customer(s, "BIR", "Birch GmbH")
        add_invoice(s, birch, "B1", "2026-06-01", "2026-07-31", 80000, "EUR")
        cedar = add_customer(s, "CED", "Cedar plc")
        cedar.owner = "sam"
        add_invoice(s, cedar, "C1", "2026-05-28", "2026-06-27", 500000)  # 3 days overdue
        dogwood = add_customer(s, "DOG", "Dogwood Ltd")
        add_invoice(s, dogwood, "D1", "2026-05-26", "2026-06-25", 40000)  # 5 days overdue
        fir = add_customer(s, "FIR", "Fir Traders")
        fir.archived = True
        add_invoice(s, fir, "F1", "2025-01-01", "2025-01-31", 990000)
        return {"alder": alder.id, "birch": birch.id, "cedar": cedar.id, "dogwood": dogwood.id, "fir": fir.id}


def test_the_inputs_are_the_hand_worked_figures(db, books):
    with db.session() as s:
        inputs = risk_inputs(s, AS_OF)
    assert inputs[books["alder"]] == RiskInputs(
        days_late=Decimal(14), paid_off=4, paid_late=2, recent_days_late=Decimal(20), earlier_days_late=Decimal(5),
        promises_kept=1, promises_broken=1, overdue_percent=Decimal(50), oldest_overdue_days=60)
    assert inputs[books["birch"]] == RiskInputs()  # nothing paid, nothing overdue
    assert inputs[books["cedar"]] == RiskInputs(overdue_percent=Decimal(100), oldest_overdue_days=3)
    assert set(inputs) == set(books.values())


def test_the_scores_are_the_hand_worked_scores(db, books):
    with db.session() as s:
        scores = risk_scores(s, AS_OF)
    alder = scores[books["alder"]]
    # 30 × 14/60 = 7; 15 × 2/4 = 7.5; 10 × (20 − 5)/30 = 5; 5 × 1 × 1/2 = 2.5; 15 × 50 % = 7.5; 15 × 60/90 = 10
    assert [f.points for f in alder.factors] == [Decimal(7), Decimal("7.5"), Decimal(5), Decimal("2.5"),
                                                 Decimal("7.5"), Decimal(10)]
    assert alder.label == "C 40"  # 39.5 rounded half up
    assert scores[books["birch"]].label == "B 23"  # no history: 15 + 7.5 neutral
    assert scores[books["cedar"]].label == "B 38"  # 22.5 + 15 (all overdue) + 0.5 (3 of 90 days)
    assert scores[books["dogwood"]].label == "B 38"  # 22.5 + 15 + 0.8 (5 of 90 days) = 38.3


def test_scores_for_some_customers_only(db, books):
    with db.session() as s:
        some = risk_scores(s, AS_OF, [books["alder"], books["cedar"], 999])
        everyone = risk_scores(s, AS_OF)
    assert set(some) == {books["alder"], books["cedar"]}  # 999 does not exist
    assert some[books["alder"]] == everyone[books["alder"]] and some[books["cedar"]] == everyone[books["cedar"]]


def test_a_customer_in_two_currencies_is_judged_by_the_worse_one_and_never_adds_them(db):
    with db.transaction() as s:
        elm = add_customer(s, "ELM", "Elm Stores")
        g1 = add_invoice(s, elm, "G1", "2026-01-01", "2026-01-31", 100000)  # paid 10 days late
        y1 = add_invoice(s, elm, "Y1", "2026-01-01", "2026-01-31", 5000, "JPY")  # ¥5,000 paid 40 days late
        pay(s, elm, "2026-02-10", 100000, g1)
        pay(s, elm, "2026-03-12", 5000, y1, "JPY")
        add_invoice(s, elm, "G2", "2026-06-01", "2026-06-20", 10000)  # £100 of £1,000 overdue: 10 %
        add_invoice(s, elm, "G3", "2026-06-01", "2026-07-20", 90000)
        add_invoice(s, elm, "Y2", "2026-05-01", "2026-05-31", 300, "JPY")  # all the yen overdue: 100 %
        elm_id = elm.id
    with db.session() as s:
        i = risk_inputs(s, AS_OF)[elm_id]
        items = worklist(s, AS_OF)
    # weighting pounds against yen would give (1000 × 10 + 5000 × 40) / 6000 = 35 days: not done
    assert (i.days_late, i.overdue_percent, i.oldest_overdue_days) == (Decimal(40), Decimal(100), 30)
    assert (i.paid_off, i.paid_late) == (2, 2)
    # one item per currency; without exchange rates the amounts are compared as written (¥300 > £100)
    assert [(w.currency, w.overdue_minor) for w in items] == [("JPY", 300), ("GBP", 10000)]


def test_promise_counts_follow_the_promise_rules(db):
    """Kept, kept within grace, partly kept, broken, pending, withdrawn before and after the date,
    money in another currency, before the promise or after its deadline: counted as promise_states
    says, on every day of a stretch."""
    with db.transaction() as s:
        gum = add_customer(s, "GUM", "Gum Tree Ltd")
        add_invoice(s, gum, "G1", "2026-01-01", "2026-01-31", 900000)
        promise(s, gum, "2026-02-01", "2026-02-10", 10000)  # kept on 9 Feb
        promise(s, gum, "2026-02-12", "2026-02-20", 10000, grace=4)  # kept on 24 Feb, the last day of grace
        promise(s, gum, "2026-03-01", "2026-03-05", 20000)  # partly kept (5,000 on 4 Mar): broken
        promise(s, gum, "2026-03-10", "2026-03-15", 10000, cancelled="2026-03-12")  # withdrawn
        promise(s, gum, "2026-03-20", "2026-03-25", 10000, cancelled="2026-04-20")  # broken, then withdrawn
        promise(s, gum, "2026-04-01", "2026-04-10", 10000)  # EUR money and money after the deadline only
        promise(s, gum, "2026-04-20", "2026-04-30", 10000, grace=2)  # money before it was made only
        for day, amount, currency in [("2026-02-09", 10000, "GBP"), ("2026-02-24", 10000, "GBP"),
                                      ("2026-03-04", 5000, "GBP"), ("2026-04-05", 10000, "EUR"),
                                      ("2026-04-11", 10000, "GBP"), ("2026-04-19", 10000, "GBP")]:
            record_payment(s, gum.id, D(day), amount, currency)
        gum_id = gum.id
    from debtordesk.services import risk

    day = D("2026-02-05")
    while day <= D("2026-05-10"):
        with db.session() as s:
            states = [st.status for p, st in promise_states(s, day, customer_id=gum_id)
                      if p.promised_on > day - timedelta(days=365)]
            expected = (states.count("kept"), states.count("broken"))
            got = risk._promise_counts(s, day, None).get(gum_id, (0, 0))
        assert got == expected, day
        day += timedelta(days=2)
    # on 10 May: two kept; broken: partly kept, money after the deadline only, money too early only
    # (the one broken on 26 March and withdrawn on 20 April counts as withdrawn from then on)
    with db.session() as s:
        assert risk._promise_counts(s, D("2026-05-10"), None)[gum_id] == (2, 3)


def test_a_pending_promise_keeps_the_account_off_the_worklist(db, books):
    """Alder promised on 25 Jun to pay by 10 Jul: its reminders pause, and it is not chased."""
    with db.session() as s:
        assert "Alder & Co" not in [w.name for w in worklist(s, AS_OF)]
        assert risk_scores(s, AS_OF)[s.scalar(select(Customer.id).where(Customer.ref == "ALD"))].score == 40


@pytest.fixture
def chased(db, books):
    """The books with Alder's pending promise withdrawn (a withdrawn promise counts neither way)."""
    with db.transaction() as s:
        s.scalars(select(Promise).where(Promise.due_date == D("2026-07-10"))).one().cancelled_on = D("2026-06-26")
    return books


def test_worklist_by_amount_age_and_risk(db, chased):
    with db.session() as s:
        items = worklist(s, AS_OF)
    # Cedar 5,000 × 1.38 × (1 + 3/180) = 7,015; Alder 1,500 × 1.40 × (1 + 60/180) = 2,800;
    # Dogwood 400 × 1.38 × (1 + 5/180) = 567.33; Fir is archived, Birch owes nothing overdue
    assert [(w.name, w.priority) for w in items] == [
        ("Cedar plc", Decimal(7015)), ("Alder & Co", Decimal(2800)), ("Dogwood Ltd", Decimal(567))]
    alder = items[1]
    assert (alder.currency, alder.overdue_minor, alder.oldest_overdue_days, alder.score, alder.grade) == (
        "GBP", 150000, 60, 40, "C")
    assert alder.reasons[:2] == ("£1,500.00 overdue, the oldest 60 days past due", "Risk C 40 of 100")
    assert alder.reasons[2] == "Oldest overdue invoice 60 days past due: +10 of 15"  # the heaviest factor


def test_worklist_recently_overdue_first(db, chased):
    with db.session() as s:
        items = worklist(s, AS_OF, ordering="recent")
    assert [(w.name, w.oldest_overdue_days) for w in items] == [
        ("Cedar plc", 3), ("Dogwood Ltd", 5), ("Alder & Co", 60)]


def test_recently_overdue_ties_go_to_the_larger_amount(db, chased):
    with db.transaction() as s:
        elm = add_customer(s, "ELM", "Elm Stores")
        add_invoice(s, elm, "L1", "2026-05-26", "2026-06-25", 40001)  # as old as Dogwood's, 1p more
    with db.session() as s:
        items = worklist(s, AS_OF, ordering="recent")
    assert [w.name for w in items] == ["Cedar plc", "Elm Stores", "Dogwood Ltd", "Alder & Co"]


def test_worklist_for_one_owner(db, chased):
    with db.session() as s:
        assert [w.name for w in worklist(s, AS_OF, owner="jo")] == ["Alder & Co"]
        assert [w.name for w in worklist(s, AS_OF, owner="sam", ordering="recent")] == ["Cedar plc"]
        assert [w.name for w in worklist(s, AS_OF, owner="")] == ["Dogwood Ltd"]  # nobody's accounts
        assert worklist(s, AS_OF, owner="nobody") == []


def test_an_unknown_ordering_is_refused_in_words(db, books):
    with db.session() as s, pytest.raises(UserError, match="amount, age and risk or recently overdue first"):
        worklist(s, AS_OF, ordering="alphabetical")


def test_the_half_years_and_the_year_end_where_the_docs_say(db):
    """Paid off on 30 Jun 2025: outside the 12 months; 1 Jul 2025 and 30 Dec 2025: the 6 months
    before; 31 Dec 2025: the last 6 months."""
    with db.transaction() as s:
        oak = add_customer(s, "OAK", "Oak Ltd")
        for number, due, paid, late in [("K0", "2025-06-20", "2025-06-30", 10), ("K1", "2025-06-21", "2025-07-01", 10),
                                        ("K2", "2025-12-10", "2025-12-30", 20), ("K3", "2025-12-01", "2025-12-31", 30)]:
            inv = add_invoice(s, oak, number, "2025-05-01", due, 10000)
            assert (D(paid) - D(due)).days == late
            pay(s, oak, paid, 10000, inv)
        oak_id = oak.id
    with db.session() as s:
        i = risk_inputs(s, AS_OF)[oak_id]
    assert (i.earlier_days_late, i.recent_days_late, i.days_late, i.paid_off) == (15, 30, 20, 3)
