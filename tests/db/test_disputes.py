"""Part disputes, credit notes and write-offs against a real database: reminders and interest use
only the undisputed part; a credit note reduces the balance and the aging report follows it from
its date; write-offs leave the aging report and appear in the write-off report."""

from datetime import date

import pytest
from sqlalchemy import select

from debtordesk.db.ledger import drift
from debtordesk.db.models import Activity, Customer, Invoice, Payment
from debtordesk.domain.dunning import DEFAULT_POLICY
from debtordesk.domain.problems import FieldErrors
from debtordesk.services.adjustments import (
    credit_note,
    invoice_credits,
    write_off,
    write_off_csv,
    write_off_report,
)
from debtordesk.services.aging import aging_report
from debtordesk.services.disputes import (
    DisputeError,
    dispute_history,
    mark_disputed,
    open_dispute,
    resolve_dispute,
)
from debtordesk.services.dunning import dunning_run, policy_rows, save_policy
from debtordesk.services.payments import PaymentQuery, list_payments, record_payment
from debtordesk.services.statements import statement
from helpers import dunning_books

D = date.fromisoformat


@pytest.fixture
def books(db):
    """Alder owes £1,200 (INV-1, issued 1 Jan, due 31 Jan 2026), UK business: the final demand claims interest."""
    dunning_books(db)
    return db


def ids(s) -> tuple[int, int]:
    cid = s.scalar(select(Customer.id).where(Customer.ref == "ALD"))
    return cid, s.scalar(select(Invoice.id).where(Invoice.number == "INV-1"))


def claim_interest_from_the_first_letter(s) -> None:
    rows = policy_rows(DEFAULT_POLICY)
    for row in rows:
        row["claims_interest"] = True
    save_policy(s, rows)


def proposal(db, day):
    with db.session() as s:
        return next(p for p in dunning_run(s, D(day)) if p.ref == "ALD")


def aging_total(db, day) -> int:
    with db.session() as s:
        return sum(r.total for r in aging_report(s, D(day)).rows if r.customer_ref == "ALD")


def test_a_part_dispute_leaves_its_part_out_of_reminders_and_interest(books):
    full = proposal(books, "2026-03-31")
    with books.transaction() as s:
        _, inv = ids(s)
        open_dispute(s, inv, "Two days of work were not done.", D("2026-02-10"), 30000, who="tester")
    part = proposal(books, "2026-03-31")
    assert part.lines[0].open_minor == 90000  # £1,200 less the £300 disputed
    assert part.lines[0].disputed_minor == 30000
    assert part.lines[0].paid_minor == 0
    assert part.open_minor == 90000
    # the aging report still shows the whole debt: disputed is not credited
    assert aging_total(books, "2026-03-31") == 120000
    assert full.open_minor == 120000


def test_the_final_demand_claims_interest_on_the_undisputed_part(books):
    with books.transaction() as s:
        claim_interest_from_the_first_letter(s)  # every level claims: the first letter shows the workings
        _, inv = ids(s)
        open_dispute(s, inv, "Price", D("2026-02-10"), 30000, who="tester")
    p = proposal(books, "2026-03-31")
    assert p.level is not None and p.level.claims_interest
    line = p.lines[0]
    assert line.interest is not None
    assert {per.principal_minor for per in line.interest.periods} == {90000}
    # 59 days on £900 at 11.75% (Bank Rate 3.75% on 31 Dec 2025 + 8)
    assert line.interest_minor == 1709
    assert line.compensation_minor == 4000  # £900 is under £1,000: £40, not the £70 of the whole


def test_a_wholly_disputed_invoice_gets_no_letter(books):
    with books.transaction() as s:
        _, inv = ids(s)
        open_dispute(s, inv, "Never ordered", D("2026-02-10"), who="tester")
        assert s.get(Invoice, inv).disputed_minor == 120000
    p = proposal(books, "2026-03-31")
    assert p.level is None and p.reason == "Every overdue invoice is disputed."


def test_resolving_by_credit_note_reduces_the_balance_and_the_aging_report_matches(books):
    with books.transaction() as s:
        _, inv = ids(s)
        d = open_dispute(s, inv, "Two days of work were not done.", D("2026-02-10"), 30000, who="tester").id
    with books.transaction() as s:
        resolve_dispute(s, d, "credit_note", D("2026-03-01"), note="Agreed on the phone", who="tester")
    with books.session() as s:
        _, inv = ids(s)
        invoice = s.get(Invoice, inv)
        assert (invoice.open_minor, invoice.disputed, invoice.disputed_minor) == (90000, False, 0)
        credits = invoice_credits(s, inv)
        assert [(c.kind, c.reference, c.amount_minor, c.on) for c in credits] == [
            ("credit_note", "CN-0001", 30000, D("2026-03-01"))]
        assert drift(s) == []
        hist = dispute_history(s, inv)
        assert (hist[0].resolution, hist[0].resolved_on, hist[0].credited_minor) == ("credit_note", D("2026-03-01"),
                                                                                      30000)
        # the statement shows the credit note as a credit line
        st = statement(s, ids(s)[0], "GBP", D("2026-03-31"), D("2026-01-01"))
        assert [(e.kind, e.text, e.credit_minor) for e in st.entries if e.credit_minor] == [
            ("credit_note", "CN-0001", 30000)]
        assert st.closing_minor == 90000
        # a credit note is not money received
        assert list_payments(s, PaymentQuery(customer_id=ids(s)[0]), 0, 10) == []
    # aging as of each date: the whole debt before the credit note, the reduced one from its date
    assert aging_total(books, "2026-02-28") == 120000
    assert aging_total(books, "2026-03-01") == 90000
    p = proposal(books, "2026-03-31")
    assert p.open_minor == 90000 == aging_total(books, "2026-03-31")


def test_the_credited_part_never_bore_interest(books):
    with books.transaction() as s:
        claim_interest_from_the_first_letter(s)
        _, inv = ids(s)
        credit_note(s, inv, 30000, D("2026-03-20"), "Price corrected", who="tester")
    p = proposal(books, "2026-03-31")
    assert {per.principal_minor for per in p.lines[0].interest.periods} == {90000}


def test_withdrawn_and_split_resolutions(books):
    with books.transaction() as s:
        _, inv = ids(s)
        d = open_dispute(s, inv, "Hours", D("2026-02-10"), 30000, who="tester").id
    with books.transaction() as s:
        resolve_dispute(s, d, "withdrawn", D("2026-02-20"), who="tester")
    assert proposal(books, "2026-03-31").open_minor == 120000
    with books.transaction() as s:
        _, inv = ids(s)
        d = open_dispute(s, inv, "Hours again", D("2026-03-01"), 30000, who="tester").id
    with books.transaction() as s, pytest.raises(FieldErrors) as err:
        resolve_dispute(s, d, "split", D("2026-03-05"), credited_minor=30000)
    assert "less than the disputed" in err.value.errors["amount"]
    with books.transaction() as s:
        resolve_dispute(s, d, "split", D("2026-03-05"), credited_minor=10000, who="tester")
    with books.session() as s:
        _, inv = ids(s)
        assert s.get(Invoice, inv).open_minor == 110000
        hist = dispute_history(s, inv)
        assert [h.resolution for h in hist] == ["split", "withdrawn"]
        notes = [a.note for a in s.scalars(select(Activity).order_by(Activity.id))]
        assert any("split: credit note CN-0001 for £100.00" in n for n in notes)
    assert proposal(books, "2026-03-31").open_minor == 110000


def test_dispute_refusals_write_nothing(books):
    with books.transaction() as s:
        _, inv = ids(s)
        with pytest.raises(FieldErrors) as err:
            open_dispute(s, inv, "", D("2026-02-10"), 200000)
        assert set(err.value.errors) == {"reason", "amount"}
        open_dispute(s, inv, "Hours", D("2026-02-10"), 1000, who="tester")
        with pytest.raises(DisputeError, match="already disputed"):
            open_dispute(s, inv, "More", D("2026-02-11"))
    with books.transaction() as s:
        mark_disputed(s, ids(s)[1], False, D("2026-02-12"))
        assert s.get(Invoice, ids(s)[1]).disputed is False


def test_credit_note_and_write_off_refusals(books):
    with books.transaction() as s:
        _, inv = ids(s)
        with pytest.raises(FieldErrors) as err:
            credit_note(s, inv, 130000, D("2025-12-01"), "")
        assert set(err.value.errors) == {"amount", "date"}
        with pytest.raises(FieldErrors) as err:
            write_off(s, inv, D("2026-05-01"), "  ")
        assert set(err.value.errors) == {"reason"}
    with books.session() as s:
        assert s.scalar(select(Payment.id)) is None


def test_write_offs_leave_the_aging_report_and_appear_in_the_write_off_report(books):
    with books.transaction() as s:
        cid, inv = ids(s)
        record_payment(s, cid, D("2026-03-10"), 20000, "GBP")
        write_off(s, inv, D("2026-06-30"), "Customer ceased trading", who="tester")
    assert aging_total(books, "2026-06-29") == 100000
    assert aging_total(books, "2026-06-30") == 0
    with books.session() as s:
        assert "ALD" not in {p.ref for p in dunning_run(s, D("2026-07-15"))}  # nothing left to chase
    with books.session() as s:
        report = write_off_report(s, D("2026-01-01"), D("2026-12-31"))
        assert [(r.invoice_number, r.amount_minor, r.reason) for r in report.rows] == [
            ("INV-1", 100000, "Customer ceased trading")]
        assert report.totals == {"GBP": 100000}
        assert write_off_report(s, D("2026-07-01"), D("2026-12-31")).rows == []
        text = write_off_csv(report)
        assert "2026-06-30,ALD,Alder & Co,INV-1,1000.00,GBP,Customer ceased trading" in text
        assert text.strip().endswith(",,Total,,1000.00,GBP,")
        assert drift(s) == []
