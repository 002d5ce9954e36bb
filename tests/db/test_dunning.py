import hashlib
import io
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from debtordesk.db.models import Activity, Customer, Letter, LetterInvoice
from debtordesk.domain.problems import FieldErrors, Rejected
from debtordesk.services.dunning import dunning_run, load_policy, policy_rows, save_policy
from debtordesk.services.dunning_letters import customer_letters, letter_pdf, mark_sent, render_run
from debtordesk.services.payments import record_payment
from debtordesk.services.settings import put_settings
from helpers import add_invoice, dunning_books


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def books(db):
    dunning_books(db)
    return db


def proposals(db, as_of):
    with db.session() as s:
        return {p.ref: p for p in dunning_run(s, as_of)}


def send(db, as_of, refs=None):
    with db.transaction() as s:
        chosen = [p for p in dunning_run(s, as_of) if p.proposed and (refs is None or p.ref in refs)]
        return mark_sent(s, [p.letter_key for p in chosen], as_of, user="tester")


def test_weekly_runs_escalate_one_level_at_a_time_and_skip_hold_and_disputes(books):
    levels = []
    day = date(2026, 2, 1)
    while day <= date(2026, 5, 31):
        found = proposals(books, day)
        assert not found["BIR"].proposed and found["BIR"].reason == "The customer is on hold."
        assert not found["CED"].proposed and found["CED"].reason == "Every overdue invoice is disputed."
        if found["ALD"].proposed:
            levels.append((found["ALD"].level.name, (day - date(2026, 1, 31)).days))
            send(books, day, {"ALD"})
        day += timedelta(days=7)
    assert levels == [("Reminder 1", 8), ("Reminder 2", 22), ("Final demand", 36), ("Letter before action", 50)]
    with books.session() as s:
        assert s.scalar(select(func.count()).select_from(Letter)) == 4
        assert s.scalar(select(func.count()).select_from(Activity).where(Activity.kind == "letter")) == 4
    last = proposals(books, date(2026, 6, 30))["ALD"]
    assert not last.proposed and "Every level has been sent" in last.reason


def test_final_demand_claims_uk_interest_and_compensation(books):
    with books.transaction() as s:
        save_policy(s, [dict(r, days_overdue=str(d)) for r, d in zip(policy_rows(load_policy(s)), (1, 2, 3, 4),
                                                                        strict=True)])
    for day in ("2026-02-02", "2026-02-13", "2026-02-24"):
        send(books, date.fromisoformat(day), {"ALD"})
    p = proposals(books, date(2026, 3, 31))["ALD"]
    assert p.level.name == "Letter before action"
    # 8% + BoE 3.75% (in force on 31 Dec 2025) = 11.75%; £1,200 x 11.75% x 59 / 365 = £22.79
    assert p.interest_minor == 2279
    assert p.compensation_minor == 7000  # £1,000 to £9,999.99: £70
    assert p.total_minor == 120000 + 2279 + 7000


def test_printed_letters_carry_names_amounts_and_one_page_per_letter(books):
    with books.session() as s:
        chosen = [p for p in dunning_run(s, date(2026, 2, 10)) if p.proposed]
        pdf = render_run(s, chosen, date(2026, 2, 10))
    text = text_of(pdf)
    assert "Alder & Co" in text and "INV-1" in text and "£1,200.00" in text
    assert "Kestrel Joinery Ltd" in text and "12345678" in text


def test_mark_sent_keeps_the_exact_bytes_and_reprints_them(books):
    sent = send(books, date(2026, 2, 10))
    assert [x.customer for x in sent] == ["Alder & Co"]
    with books.session() as s:
        letter = s.get(Letter, sent[0].id)
        assert letter.sha256 == hashlib.sha256(letter.pdf).hexdigest() == sent[0].sha256
        assert letter.created_by == "tester" and letter.level_name == "Reminder 1"
        assert [x.invoice_id for x in s.scalars(select(LetterInvoice))] == [1]
        assert letter_pdf(s, letter.id) == letter.pdf
        assert "Alder & Co" in text_of(letter.pdf)
        assert [x.reference for x in customer_letters(s, letter.customer_id)] == ["ALD/260210/1"]
        activity = s.scalars(select(Activity)).one()
        assert activity.note == "Reminder 1 sent (ALD/260210/1): £1,200.00 to pay by 2026-02-17."


def test_mark_sent_refuses_everything_when_an_account_changed(books):
    with books.session() as s:
        alder = [p for p in dunning_run(s, date(2026, 2, 10)) if p.proposed][0]
        record_payment(s, alder.customer_id, date(2026, 2, 9), 120000, "GBP")
        with pytest.raises(Rejected) as e:
            mark_sent(s, [(alder.customer_id, "GBP", 1)], date(2026, 2, 10))
        assert "Alder & Co (GBP): nothing is overdue any more" in str(e.value)
        assert s.scalar(select(func.count()).select_from(Letter)) == 0


def test_a_paid_account_starts_again_at_reminder_1(books):
    send(books, date(2026, 2, 10), {"ALD"})
    alder_id = proposals(books, date(2026, 2, 10))["ALD"].customer_id
    with books.transaction() as s:
        record_payment(s, alder_id, date(2026, 2, 20), 120000, "GBP")
        add_invoice(s, s.get(Customer, alder_id), "INV-9", "2026-03-01", "2026-03-31", 3000)
    p = proposals(books, date(2026, 4, 10))["ALD"]
    assert p.level.name == "Reminder 1" and [x.number for x in p.lines] == ["INV-9"]


def test_minimum_balance_skips_small_debts(books):
    with books.transaction() as s:
        put_settings(s, {"dunning.minimum": "2000.00"})
    p = proposals(books, date(2026, 2, 10))["ALD"]
    assert not p.proposed and p.reason == "The overdue amount £1,200.00 is below the minimum of £2,000.00."


def test_policy_refusals_name_the_level(books):
    with books.session() as s:
        rows = policy_rows(load_policy(s))
        rows[1]["days_overdue"] = "3"
        with pytest.raises(FieldErrors) as e:
            save_policy(s, rows)
        assert e.value.errors == {"2.days_overdue": "Level 2 must come later than level 1 (7 days overdue)."}
        assert load_policy(s)[1].days_overdue == 21


def test_a_level_fee_is_claimed_and_printed(books):
    with books.transaction() as s:
        rows = policy_rows(load_policy(s))
        rows[0]["fee"] = "2.50"
        save_policy(s, rows)
    p = proposals(books, date(2026, 2, 10))["ALD"]
    assert (p.fee_minor, p.total_minor) == (250, 120250)
    with books.session() as s:
        text = text_of(render_run(s, [p], date(2026, 2, 10)))
    assert "Reminder fee" in text and "£2.50" in text and "£1,202.50" in text
