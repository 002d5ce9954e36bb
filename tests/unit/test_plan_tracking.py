"""Where a payment plan stands as of a date (domain.plan_tracking): worked cases and properties."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from debtordesk.domain.plan_tracking import ACTIVE, BREACHED, CANCELLED, COMPLETED, Line, track

D = date.fromisoformat
LINES = [Line(0, D("2027-01-05"), 5000), Line(1, D("2027-02-05"), 10000), Line(2, D("2027-03-05"), 10000)]


def test_receipts_fill_the_instalments_in_order_down_payment_first():
    st_ = track(LINES, 3, [(D("2027-01-05"), 12000)], D("2027-01-20"))
    assert [(s.number, s.status, s.paid_minor) for s in st_.lines] == [(0, "paid", 5000), (1, "part-paid", 7000),
                                                                      (2, "due", 0)]
    assert st_.next_line.number == 1 and st_.next_line.left_minor == 3000
    assert st_.arrears_minor == 0 and st_.status == ACTIVE


def test_grace_days_decide_the_breach_not_the_due_date():
    paid_late = [(D("2027-01-05"), 5000), (D("2027-02-08"), 10000)]  # 3 days late, grace 3
    assert track(LINES, 3, paid_late, D("2027-02-07")).lines[1].status == "late"
    ok = track(LINES, 3, paid_late, D("2027-02-10"))
    assert ok.status == ACTIVE and ok.lines[1].on_time is True
    too_late = [(D("2027-01-05"), 5000), (D("2027-02-09"), 10000)]  # the first day beyond grace
    broken = track(LINES, 3, too_late, D("2027-02-10"))
    assert (broken.status, broken.breached_on, broken.breach_line) == (BREACHED, D("2027-02-09"), 1)
    assert broken.lines[1].on_time is False


def test_completed_wins_over_breached_and_cancelled_over_both():
    everything_late = [(D("2027-04-01"), 25000)]
    assert track(LINES, 0, everything_late, D("2027-03-31")).status == BREACHED
    assert track(LINES, 0, everything_late, D("2027-04-01")).status == COMPLETED
    assert track(LINES, 0, everything_late, D("2027-04-01"), cancelled_on=D("2027-01-10")).status == CANCELLED
    assert track(LINES, 0, [], D("2027-01-05"), cancelled_on=D("2027-01-10")).status == ACTIVE


def test_receipts_after_the_date_are_not_counted():
    st_ = track(LINES, 0, [(D("2027-01-05"), 5000), (D("2027-02-01"), 10000)], D("2027-01-31"))
    assert st_.received_minor == 5000 and [s.status for s in st_.lines] == ["paid", "due", "due"]


amounts = st.lists(st.integers(1, 50000), min_size=1, max_size=12)


@given(amounts, st.lists(st.tuples(st.integers(0, 400), st.integers(1, 60000)), max_size=10), st.integers(0, 14),
       st.integers(0, 420), st.integers(1, 60))
def test_properties_of_any_plan_and_receipts(parts, receipts, grace, day, step):
    start = D("2027-01-01")
    lines = [Line(n, start + timedelta(days=step * n), a) for n, a in enumerate(parts)]
    money = [(start + timedelta(days=d), m) for d, m in receipts]
    as_of = start + timedelta(days=day)
    s = track(lines, grace, money, as_of)
    received = sum(m for d, m in money if d <= as_of)
    # paid parts never exceed an instalment and together are what was received (up to the total)
    assert all(0 <= x.paid_minor <= x.amount_minor for x in s.lines)
    assert s.paid_minor == min(received, s.total_minor)
    # in order: an instalment is only part-paid or unpaid when every later one is unpaid
    firsts = [x.paid_minor < x.amount_minor for x in s.lines]
    for k, unpaid in enumerate(firsts):
        if unpaid:
            assert all(y.paid_minor == 0 for y in s.lines[k + 1:])
            break
    # a later look never un-pays an instalment nor moves an earlier breach
    later = track(lines, grace, money, as_of + timedelta(days=30))
    assert all(b.paid_minor >= a.paid_minor for a, b in zip(s.lines, later.lines, strict=True))
    if s.breached_on is not None:
        assert later.breached_on == s.breached_on
    assert s.status in (ACTIVE, COMPLETED, BREACHED)
    assert (s.status == COMPLETED) == (s.paid_minor == s.total_minor)
