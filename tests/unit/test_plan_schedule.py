"""Payment-plan schedules: properties (exact sums, increasing dates, no empty instalment, level
instalments), the month-end rule, down payment and fee, annuities worked by hand, refusals."""

from datetime import date, timedelta
from decimal import Decimal as D
from decimal import localcontext

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from debtordesk.domain.plans import (
    MAX_INSTALMENTS,
    Frequency,
    Interest,
    PlanTerms,
    add_months,
    parse_frequency,
    schedule,
)
from debtordesk.domain.problems import FieldErrors

frequencies = st.one_of(
    st.sampled_from([Frequency.weekly(), Frequency.fortnightly(), Frequency.monthly()]),
    st.integers(1, 365).map(Frequency.every_days),
)
starts = st.one_of(
    st.dates(date(2000, 1, 1), date(2100, 12, 31)),
    st.builds(lambda y, m, d: date(y, m, min(d, 28 if m == 2 else 30 if m in (4, 6, 9, 11) else 31)),
              st.integers(2000, 2100), st.integers(1, 12), st.integers(28, 31)),
)


def check_invariants(s, terms, interest_total=None):
    lines = s.instalments
    assert all(i.amount_minor > 0 for i in lines)
    assert all(i.principal_minor >= 0 and i.interest_minor >= 0 and i.fee_minor >= 0 for i in lines)
    assert all(i.amount_minor == i.principal_minor + i.interest_minor + i.fee_minor for i in lines)
    assert all(a.due < b.due for a, b in zip(lines, lines[1:], strict=False))
    assert lines[0].due == terms.first_due
    assert s.principal_minor == terms.amount_minor
    assert s.fee_minor == terms.plan_fee_minor
    assert s.total_minor == terms.amount_minor + s.interest_minor + terms.plan_fee_minor
    if interest_total is not None:
        assert s.interest_minor == interest_total
    still = s.total_minor
    for i in lines:
        still -= i.amount_minor
        assert i.balance_after_minor == still
    assert lines[-1].balance_after_minor == 0
    assert s.end == lines[-1].due


@settings(max_examples=300, deadline=None)
@given(amount=st.integers(1, 10**9), count=st.integers(1, 120), freq=frequencies, start=starts)
def test_plain_plan_sums_exactly_and_is_level(amount, count, freq, start):
    assume(amount >= count)
    terms = PlanTerms(amount, "GBP", start, freq, count=count)
    s = schedule(terms)
    check_invariants(s, terms, interest_total=0)
    amounts = [i.amount_minor for i in s.instalments]
    assert len(amounts) == count
    assert len(set(amounts[:-1])) <= 1
    assert abs(amounts[-1] - amounts[0]) < count or count == 1


@settings(max_examples=200, deadline=None)
@given(amount=st.integers(2, 10**9), count=st.integers(1, 120), freq=frequencies, start=starts,
       down_share=st.integers(0, 99), fee=st.integers(0, 10**6), flat=st.integers(0, 10000))
def test_down_payment_fee_and_flat_interest_sum_exactly(amount, count, freq, start, down_share, fee, flat):
    down = amount * down_share // 100
    pct = D(flat) / 100
    interest = int((D(amount - down) * pct / 100).quantize(D(1), "ROUND_HALF_UP"))
    assume(amount - down + interest + fee >= count)
    terms = PlanTerms(amount, "GBP", start, freq, count=count, down_payment_minor=down, plan_fee_minor=fee,
                      interest=Interest.flat(pct))
    s = schedule(terms)
    check_invariants(s, terms, interest_total=interest)
    regular = [i.amount_minor for i in s.instalments if i.number > 0]
    assert len(regular) == count
    assert abs(regular[-1] - regular[0]) < count or count == 1
    if down:
        assert (s.instalments[0].number, s.instalments[0].amount_minor) == (0, down)
        assert s.instalments[1].due == freq.due(start, 1)


@settings(max_examples=200, deadline=None)
@given(amount=st.integers(1, 10**9), n=st.integers(1, 600), bump=st.integers(0, 3), freq=frequencies,
       start=starts, fee=st.integers(0, 10**5))
def test_instalment_amount_sets_the_count_and_the_last_is_the_remainder(amount, n, bump, freq, start, fee):
    total = amount + fee
    inst = max(1, total // n) + bump
    assume(inst <= total and -(-total // inst) <= MAX_INSTALMENTS)
    terms = PlanTerms(amount, "GBP", start, freq, instalment_minor=inst, plan_fee_minor=fee)
    s = schedule(terms)
    check_invariants(s, terms, interest_total=0)
    amounts = [i.amount_minor for i in s.instalments]
    assert amounts[:-1] == [inst] * (len(amounts) - 1)
    assert 0 < amounts[-1] <= inst


@settings(max_examples=200, deadline=None)
@given(amount=st.integers(1, 10**9), count=st.integers(1, 120), freq=frequencies, start=starts,
       rate=st.integers(1, 10000), fee=st.integers(0, 10**5))
def test_annuity_sums_exactly_with_equal_payments_but_the_last(amount, count, freq, start, rate, fee):
    assume(amount >= count)
    terms = PlanTerms(amount, "GBP", start, freq, count=count, plan_fee_minor=fee,
                      interest=Interest.annual(D(rate) / 100))
    s = schedule(terms)
    check_invariants(s, terms)
    payments = [i.amount_minor - i.fee_minor for i in s.instalments]
    assert len(payments) == count
    assert len(set(payments[:-1])) <= 1


def test_monthly_from_the_31st_keeps_the_day_when_the_month_has_it():
    s = schedule(PlanTerms(40000, "GBP", date(2027, 1, 31), Frequency.monthly(), count=5))
    assert [i.due for i in s.instalments] == [
        date(2027, 1, 31), date(2027, 2, 28), date(2027, 3, 31), date(2027, 4, 30), date(2027, 5, 31)]
    leap = schedule(PlanTerms(40000, "GBP", date(2028, 1, 31), Frequency.monthly(), count=3))
    assert [i.due for i in leap.instalments] == [date(2028, 1, 31), date(2028, 2, 29), date(2028, 3, 31)]
    assert add_months(date(2027, 12, 30), 2) == date(2028, 2, 29)
    assert add_months(date(2027, 11, 30), 3) == date(2028, 2, 29)


def test_other_frequencies_and_their_parsing():
    assert parse_frequency("week") == Frequency.weekly()
    assert parse_frequency("fortnight") == Frequency.fortnightly()
    assert parse_frequency("month") == Frequency.monthly()
    assert parse_frequency("10d") == Frequency.every_days(10)
    s = schedule(PlanTerms(30000, "GBP", date(2027, 3, 1), Frequency.every_days(10), count=3))
    assert [i.due for i in s.instalments] == [date(2027, 3, 1), date(2027, 3, 11), date(2027, 3, 21)]
    for bad in ("0d", "yearly", "", "d", "400d"):
        with pytest.raises(FieldErrors) as exc:
            parse_frequency(bad)
        assert "frequency" in exc.value.errors


def test_rounding_remainder_goes_to_the_last_instalment():
    # 100.00 in 3: 33.33 + 33.33 + 33.34; 0.06 in 4: 0.02 would leave nothing for the last -> 0.01 x 3 + 0.03
    s = schedule(PlanTerms(10000, "GBP", date(2027, 1, 1), count=3))
    assert [i.amount_minor for i in s.instalments] == [3333, 3333, 3334]
    s = schedule(PlanTerms(6, "GBP", date(2027, 1, 1), count=4))
    assert [i.amount_minor for i in s.instalments] == [1, 1, 1, 3]


def test_down_payment_and_fee():
    # 1,000.00 with 100.00 down on 31 Jan 2027, a 10.00 fee and 5% flat interest on the 900.00 financed
    # (45.00), in 4 monthly instalments: (900 + 45 + 10) / 4 = 238.75 each, from 28 Feb
    s = schedule(PlanTerms(100000, "GBP", date(2027, 1, 31), count=4, down_payment_minor=10000,
                           plan_fee_minor=1000, interest=Interest.flat(5)))
    rows = [(i.number, i.due, i.amount_minor, i.principal_minor, i.interest_minor, i.fee_minor,
             i.balance_after_minor) for i in s.instalments]
    assert rows == [
        (0, date(2027, 1, 31), 10000, 10000, 0, 0, 95500),
        (1, date(2027, 2, 28), 23875, 22500, 1125, 250, 71625),
        (2, date(2027, 3, 31), 23875, 22500, 1125, 250, 47750),
        (3, date(2027, 4, 30), 23875, 22500, 1125, 250, 23875),
        (4, date(2027, 5, 31), 23875, 22500, 1125, 250, 0),
    ]
    assert (s.principal_minor, s.interest_minor, s.fee_minor, s.total_minor) == (100000, 4500, 1000, 105500)
    assert s.count == 4 and s.end == date(2027, 5, 31)


def test_fee_that_does_not_divide_evenly():
    # 100.00 + 0.10 fee in 3: 33.37, 33.36, 33.37 -> level split 33.37 x 2 + 33.36; fee shared 0.03, 0.04, 0.03
    s = schedule(PlanTerms(10000, "GBP", date(2027, 1, 1), count=3, plan_fee_minor=10))
    assert [i.amount_minor for i in s.instalments] == [3337, 3337, 3336]
    assert sum(i.fee_minor for i in s.instalments) == 10
    assert sum(i.principal_minor for i in s.instalments) == 10000


def _annuity(principal: str, annual_pct: str, per_year: int, n: int) -> D:
    with localcontext() as ctx:
        ctx.prec = 40
        r = D(annual_pct) / 100 / per_year
        return D(principal) * r / (1 - (1 + r) ** -n)


def test_annuity_ten_thousand_at_twelve_percent_monthly():
    # r = 12% / 12 = 0.01; payment = 10000 x 0.01 / (1 - 1.01^-12) = 100 / (1 - 0.887449) = 888.4879 -> 888.49.
    # Interest: month 1 = 10000.00 x 0.01 = 100.00, principal 788.49, balance 9211.51; month 2 = 92.12 ...
    # After 11 payments the balance is 879.67; the last = 879.67 + 8.80 interest = 888.47.
    # Total interest 11 x 888.49 + 888.47 - 10000 = 661.86 (the unrounded annuity: 12 x 888.4879 - 10000 = 661.85).
    assert round(_annuity("10000", "12", 12, 12), 2) == D("888.49")
    s = schedule(PlanTerms(1000000, "GBP", date(2027, 1, 31), count=12, interest=Interest.annual(12)))
    amounts = [i.amount_minor for i in s.instalments]
    assert amounts == [88849] * 11 + [88847]
    assert [i.interest_minor for i in s.instalments[:2]] == [10000, 9212]
    assert s.instalments[0].principal_minor == 78849
    assert s.instalments[-1].interest_minor == 880
    assert (s.interest_minor, s.total_minor) == (66186, 1066186)
    assert s.end == date(2027, 12, 31)


def test_annuity_five_thousand_at_six_percent_over_two_years():
    # r = 6% / 12 = 0.005; payment = 5000 x 0.005 / (1 - 1.005^-24) = 25 / 0.112814 = 221.6031 -> 221.60.
    # Month 1: interest 25.00, principal 196.60. The payment was rounded down 0.3 pence, so the last
    # instalment is a little larger: 221.69 (220.59 balance + 1.10 interest). Total interest 318.49.
    assert round(_annuity("5000", "6", 12, 24), 2) == D("221.60")
    s = schedule(PlanTerms(500000, "GBP", date(2027, 1, 15), count=24, interest=Interest.annual(6)))
    amounts = [i.amount_minor for i in s.instalments]
    assert amounts == [22160] * 23 + [22169]
    assert (s.instalments[0].interest_minor, s.instalments[0].principal_minor) == (2500, 19660)
    assert s.interest_minor == 31849


def test_annuity_set_by_the_instalment_amount():
    # 1,000.00 at 12% a year (1% a month), 300.00 a month: interest 10.00, 7.10, 4.17 (4.171), so the balance goes
    # 1000.00 -> 710.00 -> 417.10 -> 121.27; the last = 121.27 + 1.21 interest = 122.48
    s = schedule(PlanTerms(100000, "GBP", date(2027, 1, 1), instalment_minor=30000, interest=Interest.annual(12)))
    assert [i.amount_minor for i in s.instalments] == [30000, 30000, 30000, 12248]
    assert [i.interest_minor for i in s.instalments] == [1000, 710, 417, 121]
    assert s.instalments[-1].principal_minor == 12127


def test_zero_annual_rate_is_a_plain_plan():
    s = schedule(PlanTerms(10000, "GBP", date(2027, 1, 1), count=3, interest=Interest.annual(0)))
    assert [i.amount_minor for i in s.instalments] == [3333, 3333, 3334]


def test_grace_days_do_not_move_due_dates():
    s = schedule(PlanTerms(10000, "GBP", date(2027, 1, 1), count=2, grace_days=5))
    assert s.instalments[0].due == date(2027, 1, 1)
    assert s.late_from(s.instalments[0]) == date(2027, 1, 1) + timedelta(days=6)


def refused(**changes) -> dict[str, str]:
    terms = {"amount_minor": 100000, "currency": "GBP", "first_due": date(2027, 1, 1), "count": 10, **changes}
    with pytest.raises(FieldErrors) as exc:
        schedule(PlanTerms(**terms))
    return exc.value.errors


@pytest.mark.parametrize("changes, field, words", [
    ({"amount_minor": 0}, "amount_minor", "amount owed must be more than zero"),
    ({"amount_minor": -5}, "amount_minor", "amount owed must be more than zero"),
    ({"count": 0}, "count", "between 1 and 600"),
    ({"count": 601}, "count", "between 1 and 600"),
    ({"count": None}, "count", "either the number of instalments or the instalment amount"),
    ({"instalment_minor": 100}, "count", "either the number of instalments or the instalment amount"),
    ({"count": None, "instalment_minor": 0}, "instalment_minor", "more than zero"),
    ({"count": None, "instalment_minor": 100001}, "instalment_minor", "larger than the 1000.00 GBP"),
    ({"count": None, "instalment_minor": 100}, "instalment_minor", "at most 600"),
    ({"down_payment_minor": 100000}, "down_payment_minor", "less than the amount owed"),
    ({"down_payment_minor": -1}, "down_payment_minor", "cannot be negative"),
    ({"plan_fee_minor": -1}, "plan_fee_minor", "cannot be negative"),
    ({"interest": Interest.flat(101)}, "interest", "flat interest must be between 0 and 100 percent"),
    ({"interest": Interest.annual(-1)}, "interest", "annual interest rate must be between 0 and 100"),
    ({"frequency": Frequency.every_days(0)}, "frequency", "at least 1"),
    ({"grace_days": -1}, "grace_days", "grace period"),
    ({"currency": "XYZ"}, "currency", "not a known currency"),
    ({"amount_minor": 5}, "count", "cannot be paid in 10 instalments"),
    ({"count": None, "instalment_minor": 500, "interest": Interest.annual(12)}, "instalment_minor",
     "does not cover the first period's interest of 10.00 GBP"),
    ({"count": None, "instalment_minor": 50000, "interest": Interest.annual(12), "plan_fee_minor": 100},
     "plan_fee_minor", "give the number of instalments instead"),
    ({"first_due": date(9999, 1, 1), "count": 24}, "first_due", "past the year 9999"),
])
def test_refusals_name_the_field(changes, field, words):
    errors = refused(**changes)
    assert field in errors
    assert words in errors[field]


def test_several_problems_are_reported_together():
    errors = refused(amount_minor=0, plan_fee_minor=-1, grace_days=-2)
    assert set(errors) == {"amount_minor", "plan_fee_minor", "grace_days"}
