from datetime import date, timedelta
from decimal import Decimal

import pytest

from debtordesk.domain.dunning import (
    DEFAULT_POLICY,
    Account,
    LastLetter,
    OverdueItem,
    check_policy,
    decide,
)
from debtordesk.domain.problems import FieldErrors

DUE = date(2026, 1, 31)


def item(iid=1, due=DUE, open_minor=10000, disputed=False):
    return OverdueItem(iid, f"INV-{iid}", due - timedelta(days=30), due, 10000, open_minor, disputed)


def account(*items, on_hold=False, last=None, excluded=""):
    return Account(7, "GBP", tuple(items) or (item(),), on_hold, last, excluded)


def test_walked_week_by_week_escalates_one_level_at_a_time_and_never_repeats():
    last = None
    sent = []
    day = DUE
    while day <= DUE + timedelta(days=120):
        d = decide(account(item(1), item(2, DUE + timedelta(days=20)), last=last), DEFAULT_POLICY, day)
        if d.level is not None:
            sent.append((d.level.position, (day - DUE).days))
            last = LastLetter(d.level.position, d.level.name, day, frozenset(i.invoice_id for i in d.items))
        day += timedelta(days=7)
    # weekly runs: 7 -> R1, 21 -> R2, 35 -> final demand, 56 (first run at or after 50) -> LBA
    assert sent == [(1, 7), (2, 21), (3, 35), (4, 56)]
    d = decide(account(item(1), last=last), DEFAULT_POLICY, DUE + timedelta(days=130))
    assert d.level is None and "Every level has been sent" in d.reason


def test_one_step_at_a_time_even_when_very_late():
    d = decide(account(item(due=DUE - timedelta(days=200))), DEFAULT_POLICY, DUE)
    assert d.level.position == 1 and d.days_overdue == 200
    last = LastLetter(1, "Reminder 1", DUE, frozenset({1}))
    d = decide(account(item(due=DUE - timedelta(days=200)), last=last), DEFAULT_POLICY, DUE + timedelta(days=9))
    assert d.level is None and "waits until 2026-02-10" in d.reason
    d = decide(account(item(due=DUE - timedelta(days=200)), last=last), DEFAULT_POLICY, DUE + timedelta(days=10))
    assert d.level.position == 2


def test_skips_hold_disputes_exclusions_and_small_amounts_with_reasons():
    on = DUE + timedelta(days=40)
    assert decide(account(on_hold=True), DEFAULT_POLICY, on).reason == "The customer is on hold."
    assert decide(account(item(disputed=True)), DEFAULT_POLICY, on).reason == "Every overdue invoice is disputed."
    assert decide(account(excluded="A promise to pay is pending."), DEFAULT_POLICY, on).reason == \
        "A promise to pay is pending."
    small = decide(account(item(open_minor=499)), DEFAULT_POLICY, on, 500, lambda m: f"£{m / 100:.2f}")
    assert small.level is None and small.reason == "The overdue amount £4.99 is below the minimum of £5.00."
    assert decide(account(item(open_minor=500)), DEFAULT_POLICY, on, 500).level is not None


def test_disputed_invoices_are_left_out_of_the_letter():
    d = decide(account(item(1), item(2, disputed=True)), DEFAULT_POLICY, DUE + timedelta(days=8))
    assert [i.invoice_id for i in d.items] == [1]
    assert d.open_minor == 10000


def test_not_yet_overdue_enough_and_not_yet_due_invoices():
    d = decide(account(item()), DEFAULT_POLICY, DUE + timedelta(days=6))
    assert d.level is None and d.reason == "Reminder 1 is due at 7 days overdue; the oldest invoice is 6 days overdue."
    d = decide(account(item()), DEFAULT_POLICY, DUE)  # due today is not overdue
    assert d.reason == "Nothing is overdue."


def test_a_paid_cycle_starts_again_at_the_first_level():
    last = LastLetter(3, "Final demand", DUE, frozenset({1}))  # invoice 1 has since been paid
    d = decide(account(item(2, DUE - timedelta(days=10)), last=last), DEFAULT_POLICY, DUE + timedelta(days=20))
    assert d.level.position == 1 and d.previous is None


def test_pay_by_follows_the_level_deadline():
    d = decide(account(item()), DEFAULT_POLICY, DUE + timedelta(days=7))
    assert d.pay_by == DUE + timedelta(days=14)


def test_policy_checked_with_field_sentences():
    rows = [dict(name="Reminder", days_overdue="7", min_days_since_previous="0", fee="", channel="letter"),
            dict(name="", days_overdue="5", fee="-1", channel="fax")]
    with pytest.raises(FieldErrors) as e:
        check_policy(rows)
    assert e.value.errors == {
        "2.name": "Level 2 needs a name.",
        "2.fee": "Level 2: the fee must be an amount like 5.00 (or empty for none).",
        "2.channel": "Level 2: the channel must be letter, e-mail or both.",
        "2.days_overdue": "Level 2 must come later than level 1 (7 days overdue).",
    }
    levels = check_policy([dict(name="Reminder", days_overdue="7", fee="2.50", channel="both")])
    assert levels[0].fee == Decimal("2.50") and levels[0].key == "reminder-1" and levels[0].channel == "both"
