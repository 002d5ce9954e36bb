"""Hand-over to an agency or a solicitor against a real database: the dunning run leaves the invoices
handed over out as of each date and takes them back after a recall; the refusals; what came in
since the hand-over, less the commission; the options compared, worked by hand."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from debtordesk.db.models import Activity, Customer, Handover, HandoverInvoice, Invoice
from debtordesk.domain.handover import OptionInputs, best_option, compare_options, net_recovery, parse_percent
from debtordesk.domain.plans import PlanTerms
from debtordesk.domain.problems import FieldErrors
from debtordesk.services.dunning import dunning_run
from debtordesk.services.handover import (
    HandoverError,
    chase_history,
    claim,
    customer_handovers,
    hand_over,
    options,
    recall_handover,
)
from debtordesk.services.payments import record_payment
from debtordesk.services.plans import create_plan
from helpers import add_customer, add_invoice, dunning_books

D = date.fromisoformat


@pytest.fixture
def books(db):
    """Alder owes £1,200 (INV-1, due 31 Jan 2026), Birch £500 (on hold), Cedar £700 (disputed)."""
    dunning_books(db)
    return db


def cid(s, ref="ALD") -> int:
    return s.scalar(select(Customer.id).where(Customer.ref == ref))


def iid(s, number) -> int:
    return s.scalar(select(Invoice.id).where(Invoice.number == number))


def handover(db, day="2026-03-01", kind="solicitor", name="Smith & Co Solicitors", ref="ABC/123", commission="",
             invoices=None, customer="ALD") -> int:
    with db.transaction() as s:
        ids = None if invoices is None else [iid(s, n) for n in invoices]
        return hand_over(s, cid(s, customer), "GBP", kind=kind, name=name, handed_on=D(day), reference=ref,
                         commission=commission, invoice_ids=ids, who="tester").id


def alder_letter(db, day):
    with db.session() as s:
        return next(p for p in dunning_run(s, D(day)) if p.ref == "ALD")


def pay(db, day, minor, number=None):
    with db.transaction() as s:
        record_payment(s, cid(s), D(day), minor, "GBP", invoice_id=iid(s, number) if number else None)


def test_a_hand_over_stops_the_letters_from_its_date_and_new_invoices_are_still_chased(books):
    hid = handover(books)
    before = alder_letter(books, "2026-02-28")
    assert before.proposed and before.level.name == "Reminder 1"
    on_the_day = alder_letter(books, "2026-03-01")
    assert not on_the_day.proposed
    assert on_the_day.reason == "Handed to Smith & Co Solicitors on 2026-03-01 (ref ABC/123)."
    with books.transaction() as s:
        h = s.get(Handover, hid)
        assert (h.whole_account, h.agent_kind, h.commission_percent) == (True, "solicitor", "")
        assert [(x.invoice_id, x.open_minor) for x in h.invoices] == [(iid(s, "INV-1"), 120000)]
        note = s.scalars(select(Activity.note).where(Activity.customer_id == cid(s))).one()
        assert note == ("Handed to Smith & Co Solicitors (solicitor) on 2026-03-01, ref ABC/123: 1 invoice, "
                        "£1,200.00 open. Reminders stop for it.")
        add_invoice(s, s.get(Customer, cid(s)), "INV-5", "2026-03-05", "2026-03-20", 30000)
    # the invoice issued after the hand-over is not covered: it alone is chased
    later = alder_letter(books, "2026-03-28")
    assert later.proposed and [x.number for x in later.lines] == ["INV-5"] and later.open_minor == 30000
    # other customers are not touched
    with books.session() as s:
        birch = next(p for p in dunning_run(s, D("2026-03-28")) if p.ref == "BIR")
    assert birch.reason == "The customer is on hold."


def test_a_recall_brings_the_invoices_back_into_the_run(books):
    hid = handover(books)
    with books.transaction() as s:
        version = s.get(Handover, hid).version
        recall_handover(s, hid, D("2026-04-01"), note="No progress", version=version, who="tester")
    assert not alder_letter(books, "2026-03-31").proposed
    back = alder_letter(books, "2026-04-01")
    assert back.proposed and [x.number for x in back.lines] == ["INV-1"]
    with books.transaction() as s:
        with pytest.raises(HandoverError, match="already recalled .* on 2026-04-01"):
            recall_handover(s, hid, D("2026-04-02"))
        states = customer_handovers(s, cid(s), D("2026-04-10"))
        assert [x.status for x in states] == ["recalled"]
        assert customer_handovers(s, cid(s), D("2026-03-10"))[0].status == "active"
        assert customer_handovers(s, cid(s), D("2026-02-10"))[0].status == "later"
    # once recalled, the invoice can be handed over again
    handover(books, "2026-04-05", kind="agency", name="Collectors Ltd", ref="", commission="20")
    again = alder_letter(books, "2026-04-06")
    assert again.reason == "Handed to Collectors Ltd on 2026-04-05."


def test_recall_refusals(books):
    hid = handover(books)
    with books.transaction() as s:
        with pytest.raises(FieldErrors) as exc:
            recall_handover(s, hid, D("2026-02-27"))
        assert exc.value.errors == {"recalled_on": "The recall date cannot be before the day the debt was handed "
                                                   "over (2026-03-01)."}
        with pytest.raises(HandoverError, match="changed elsewhere"):
            recall_handover(s, hid, D("2026-03-05"), version=99)


def test_refusals_name_the_field_or_the_invoice(books):
    with books.transaction() as s:
        alder = cid(s)
        kw = dict(kind="agency", name="Collectors Ltd", handed_on=D("2026-03-01"))
        for commission, message in [
                ("", "The agency's commission is needed: a percentage from 0 to 100, e.g. 15."),
                ("abc", "The agency's commission must be a percentage from 0 to 100, e.g. 15, not 'abc'."),
                ("150", "The agency's commission must be a percentage from 0 to 100, not 150."),
                ("100", "The commission must be less than 100 %: nothing would be left to you.")]:
            with pytest.raises(FieldErrors) as exc:
                hand_over(s, alder, "GBP", commission=commission, **kw)
            assert exc.value.errors == {"commission": message}
        with pytest.raises(FieldErrors) as exc:
            hand_over(s, alder, "GBP", kind="bailiff", name=" ", handed_on=D("2026-03-01"))
        assert set(exc.value.errors) == {"kind", "name"}
        with pytest.raises(HandoverError, match="Alder & Co has nothing open in EUR on 2026-03-01: there is nothing"):
            hand_over(s, alder, "EUR", commission="15", **kw)
        with pytest.raises(HandoverError, match="nothing open in GBP on 2025-12-31"):  # not yet invoiced then
            hand_over(s, alder, "GBP", kind="solicitor", name="Smith", handed_on=D("2025-12-31"))
        with pytest.raises(HandoverError, match="Nothing is left to pay on INV-2 on 2026-03-01"):
            hand_over(s, alder, "GBP", commission="15", invoice_ids=[iid(s, "INV-2")], **kw)  # Birch's invoice
    handover(books)
    with books.transaction() as s, pytest.raises(
            HandoverError, match=r"INV-1 is already handed to Smith & Co Solicitors \(since 2026-03-01\); recall"):
        hand_over(s, cid(s), "GBP", commission="15", **kw)
    with books.session() as s:
        assert s.scalars(select(Handover.id)).all() == [1]


def test_chosen_invoices_only(books):
    with books.transaction() as s:
        add_invoice(s, s.get(Customer, cid(s)), "INV-4", "2026-01-10", "2026-02-09", 40000)
    handover(books, "2026-03-01", kind="agency", name="Collectors Ltd", ref="C-9", commission="15",
             invoices=["INV-4"])
    rest = alder_letter(books, "2026-03-02")
    assert rest.proposed and [x.number for x in rest.lines] == ["INV-1"]  # the rest is still chased
    with books.session() as s:
        h = s.scalars(select(Handover)).one()
        assert not h.whole_account and h.commission_percent == "15"
        assert s.scalars(select(HandoverInvoice.open_minor)).all() == [40000]


def test_a_hand_over_next_to_a_payment_plan_says_both(books):
    with books.transaction() as s:
        add_invoice(s, s.get(Customer, cid(s)), "INV-4", "2026-01-10", "2026-02-09", 40000)
        create_plan(s, cid(s), [iid(s, "INV-4")], PlanTerms(40000, "GBP", D("2026-03-20"), count=4),
                    agreed_on=D("2026-02-20"))
    handover(books, invoices=["INV-1"])
    letter = alder_letter(books, "2026-03-02")
    assert not letter.proposed
    assert letter.reason.startswith("Handed to Smith & Co Solicitors on 2026-03-01 (ref ABC/123). Payment plan ")


def test_net_recovery_counts_payments_after_the_hand_over_until_the_recall(books):
    pay(books, "2026-02-20", 20000)  # before: the hand-over takes what is left
    hid = handover(books, kind="agency", name="Collectors Ltd", commission="15")
    pay(books, "2026-03-01", 5000)  # entered after the hand-over, dated its day: collected since
    pay(books, "2026-03-10", 40000)
    pay(books, "2026-04-20", 10000)  # after the recall: the company's own
    with books.transaction() as s:
        recall_handover(s, hid, D("2026-04-15"), who="tester")
    with books.session() as s:
        h = s.get(Handover, hid)
        assert [x.open_minor for x in h.invoices] == [100000]  # open at the start of the hand-over day
        early = customer_handovers(s, cid(s), D("2026-03-05"))[0].recovery
        assert (early.handed_minor, early.collected_minor, early.commission_minor) == (100000, 5000, 750)
        # 50 + 400 collected; 15 % of 450 = 67.50; the 100 paid after the recall is not theirs
        r = customer_handovers(s, cid(s), D("2026-06-30"))[0].recovery
        assert (r.handed_minor, r.collected_minor, r.commission_minor, r.net_minor, r.left_minor) == (
            100000, 45000, 6750, 38250, 55000)
        note = s.scalars(select(Activity.note).where(Activity.note.like("Recalled%"))).one()
        assert note == ("Recalled from Collectors Ltd (agency) on 2026-04-15: £450.00 collected while it was with "
                        "them (net £382.50), £550.00 still open; reminders resume.")
        line = customer_handovers(s, cid(s), D("2026-06-30"))[0].describe()
        assert line == ("to Collectors Ltd (agency) on 2026-03-01, ref ABC/123: every open invoice, £1,000.00; "
                        "collected £450.00, less 15 % commission £67.50 = net £382.50; still open £550.00 "
                        "(recalled 2026-04-15)")


def test_a_payment_entered_before_the_hand_over_on_its_day_is_added_back(books):
    pay(books, "2026-02-20", 20000)
    pay(books, "2026-03-01", 5000)
    hid = handover(books, kind="agency", name="Collectors Ltd", commission="10")
    with books.session() as s:
        assert [x.open_minor for x in s.get(Handover, hid).invoices] == [100000]
        r = customer_handovers(s, cid(s), D("2026-03-01"))[0].recovery
        assert (r.collected_minor, r.commission_minor, r.left_minor) == (5000, 500, 95000)


def test_net_recovery_rounds_the_commission_half_up():
    r = net_recovery(100000, 33333, Decimal("12.5"))  # 4,166.625 -> 4,167
    assert (r.commission_minor, r.net_minor, r.left_minor) == (4167, 29166, 66667)
    assert net_recovery(100000, 33333, None).net_minor == 33333


def test_the_options_worked_by_hand():
    inputs = OptionInputs(chase_percent=Decimal(40), agency_percent=Decimal(60), commission_percent=Decimal(15),
                          court_percent=Decimal(80), court_fee_minor=20500)
    chase, agency, court = compare_options(120000, 1234, 7000, inputs, money=lambda m: f"{m / 100:.2f}")
    # keep chasing: 1,200.00 × 40 % = 480.00
    assert (chase.collected_minor, chase.cost_minor, chase.net_minor) == (48000, 0, 48000)
    assert chase.workings == "1200.00 open × 40 % chance"
    # agency: 1,200.00 × 60 % = 720.00 collected; × (1 − 15 %) = 612.00 net; commission 108.00
    assert (agency.collected_minor, agency.cost_minor, agency.net_minor) == (72000, 10800, 61200)
    assert agency.workings == "1200.00 open × 60 % recovered × (100 % − 15 % commission)"
    # court: (1,200.00 + 12.34 + 70.00) × 80 % = 1,025.872 -> 1,025.87; less the 205.00 fee = 820.87
    assert (court.collected_minor, court.cost_minor, court.net_minor) == (102587, 20500, 82087)
    assert best_option([chase, agency, court]) is court
    # a missing input leaves that option open, never guessed
    partial = compare_options(120000, 0, 0, OptionInputs(None, Decimal(50), None, Decimal(50), None))
    assert [o.net_minor for o in partial] == [None, None, None] and best_option(partial) is None
    # rounding once from the exact product: 333 × 33.3 % = 110.889 -> 111; net 333 × 33.3 % × 90 % = 99.8 -> 100
    _, small, _ = compare_options(333, 0, 0, OptionInputs(None, Decimal("33.3"), Decimal(10), None, None))
    assert (small.collected_minor, small.net_minor, small.cost_minor) == (111, 100, 11)


def test_percentages_are_read_as_written():
    assert parse_percent("12,5 %", "x", "X") == Decimal("12.5")
    assert parse_percent("", "x", "X", required=False) is None
    with pytest.raises(FieldErrors):
        parse_percent("-1", "x", "X")


def test_claim_and_options_for_alder(books):
    with books.session() as s:
        debt = claim(s, cid(s), "GBP", D("2026-03-02"))
        # UK regime: £1,200 from 1 Feb to 2 Mar 2026 (30 days) at Bank Rate on 31 Dec 2025 + 8 points; £70 fixed
        (line,) = debt.lines
        period = line.interest.periods[0]
        assert (period.start, period.end, period.days) == (D("2026-02-01"), D("2026-03-02"), 30)
        expected = round(Decimal(120000) * period.rate * 30 / Decimal(36500))
        assert line.interest_minor == expected and line.compensation_minor == 7000
        assert debt.total_minor == 120000 + expected + 7000 and debt.age_days == 30
        opts = options(debt, OptionInputs(Decimal(50), None, None, None, None))
        assert opts[0].net_minor == 60000 and opts[0].workings == "£1,200.00 open × 50 % chance"


def test_chase_history_worked_by_hand(books):
    """As of 30 June 2026 for a debt 30 days past due: invoices due 2 Jun 2023 – 31 May 2025, open 30 days
    after their due date, and what of that came in within the year after."""
    with books.transaction() as s:
        dog = add_customer(s, "DOG", "Dogwood Ltd")
        h1 = add_invoice(s, dog, "H-1", "2025-01-01", "2025-01-31", 100000)  # paid in 10 days: never that old
        h2 = add_invoice(s, dog, "H-2", "2025-01-01", "2025-01-31", 100000)  # 600 open at 30 days, paid at 150
        add_invoice(s, dog, "H-3", "2025-01-01", "2025-01-31", 50000)  # never paid
        h4 = add_invoice(s, dog, "H-4", "2025-01-01", "2025-01-31", 100000)  # paid at 455 days: too late to count
        add_invoice(s, dog, "H-5", "2025-06-01", "2025-06-30", 90000)  # due after 31 May 2025: not in the window
        for day, minor, inv in [("2025-02-10", 100000, h1), ("2025-02-15", 40000, h2), ("2025-06-30", 60000, h2),
                                ("2026-05-01", 100000, h4)]:
            record_payment(s, dog.id, D(day), minor, "GBP", invoice_id=inv.id)
        history = chase_history(s, "GBP", D("2026-06-30"), 30)
    assert (history.first_due, history.last_due) == (D("2023-06-02"), D("2025-05-31"))
    # open at 30 days: 600 + 500 + 1,000 = 2,100; collected within the year: 600 -> 28.571 % -> 28.6 %
    assert (history.invoices, history.open_minor, history.collected_minor) == (3, 210000, 60000)
    assert history.percent == Decimal("28.6")
    assert history.describe("GBP").endswith("you collected £600.00 within the following year: 28.6 %.")
    with books.session() as s:
        assert chase_history(s, "EUR", D("2026-06-30"), 30).percent is None
