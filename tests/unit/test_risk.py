"""The risk score (domain.risk): bounded 0–100, never lower when one factor gets worse and the others
stay as they are (one property per factor), the worked example of docs/collections.md, and the
worklist's order keys."""

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from debtordesk.domain.risk import (
    BY_PRIORITY,
    RECENT_FIRST,
    WEIGHTS,
    RiskInputs,
    grade,
    priority,
    priority_points,
    risk_score,
)

days = st.decimals(min_value=0, max_value=500, places=2)
maybe_days = st.none() | days
percent = st.decimals(min_value=0, max_value=100, places=2)
counts = st.integers(min_value=0, max_value=40)
ages = st.integers(min_value=0, max_value=4000)


@st.composite
def inputs(draw) -> RiskInputs:
    paid_off = draw(counts)
    return RiskInputs(
        days_late=draw(maybe_days), paid_off=paid_off, paid_late=draw(st.integers(0, paid_off)),
        recent_days_late=draw(maybe_days), earlier_days_late=draw(maybe_days),
        promises_kept=draw(counts), promises_broken=draw(counts),
        overdue_percent=draw(percent), oldest_overdue_days=draw(ages),
    )


def score(i: RiskInputs) -> int:
    return risk_score(i).score


def points(i: RiskInputs, key: str) -> Decimal:
    return next(f.points for f in risk_score(i).factors if f.key == key)


def assert_not_better(better: RiskInputs, worse: RiskInputs, key: str) -> None:
    """`worse` differs from `better` only in factor `key`, for the worse: neither the factor's
    points nor the score may go down."""
    assert points(worse, key) >= points(better, key)
    assert score(worse) >= score(better)


@given(inputs())
def test_the_score_is_bounded_and_adds_up_its_factors(i):
    r = risk_score(i)
    assert 0 <= r.score <= 100
    assert r.grade == grade(r.score)
    assert [f.key for f in r.factors] == list(WEIGHTS) and sum(WEIGHTS.values()) == 100
    for f in r.factors:
        assert 0 <= f.points <= f.weight == WEIGHTS[f.key]
        assert f.points == f.points.quantize(Decimal("0.1"))
        assert f.text.endswith(f" of {f.weight}")
    total = sum(f.points for f in r.factors)
    assert r.score == int(total.quantize(Decimal(1), rounding="ROUND_HALF_UP"))


@given(inputs(), days, days)
def test_more_days_late_never_lowers_the_score(i, a, b):
    lo, hi = sorted((a, b))
    assert_not_better(replace(i, days_late=lo), replace(i, days_late=hi), "days_late")


@given(inputs(), st.integers(1, 40), st.data())
def test_more_invoices_paid_late_never_lowers_the_score(i, paid_off, data):
    a, b = sorted((data.draw(st.integers(0, paid_off)), data.draw(st.integers(0, paid_off))))
    assert_not_better(replace(i, paid_off=paid_off, paid_late=a), replace(i, paid_off=paid_off, paid_late=b),
                      "share_late")


@given(inputs(), days, days, days)
def test_paying_later_than_the_half_year_before_never_lowers_the_score(i, earlier, a, b):
    lo, hi = sorted((a, b))
    # later in the last 6 months, the 6 before unchanged
    assert_not_better(replace(i, earlier_days_late=earlier, recent_days_late=lo),
                      replace(i, earlier_days_late=earlier, recent_days_late=hi), "trend")
    # or the same last 6 months after a better 6 months before
    assert_not_better(replace(i, recent_days_late=earlier, earlier_days_late=hi),
                      replace(i, recent_days_late=earlier, earlier_days_late=lo), "trend")


@given(inputs(), counts, counts)
def test_more_broken_promises_never_lower_the_score_and_kept_ones_never_raise_it(i, a, b):
    lo, hi = sorted((a, b))
    assert_not_better(replace(i, promises_broken=lo), replace(i, promises_broken=hi), "promises")
    assert_not_better(replace(i, promises_kept=hi), replace(i, promises_kept=lo), "promises")


@given(inputs(), percent, percent)
def test_a_larger_overdue_share_never_lowers_the_score(i, a, b):
    lo, hi = sorted((a, b))
    assert_not_better(replace(i, overdue_percent=lo), replace(i, overdue_percent=hi), "overdue_share")


@given(inputs(), ages, ages)
def test_an_older_overdue_invoice_never_lowers_the_score(i, a, b):
    lo, hi = sorted((a, b))
    assert_not_better(replace(i, oldest_overdue_days=lo), replace(i, oldest_overdue_days=hi), "overdue_age")


def test_the_worked_example_of_the_docs():
    """docs/collections.md, "Risk score": Alder & Co."""
    r = risk_score(RiskInputs(
        days_late=Decimal(23), paid_off=10, paid_late=4, recent_days_late=Decimal(30), earlier_days_late=Decimal(18),
        promises_kept=2, promises_broken=1, overdue_percent=Decimal(42), oldest_overdue_days=75))
    assert [(f.key, f.points) for f in r.factors] == [
        ("days_late", Decimal("11.5")),  # 30 × 23 / 60
        ("share_late", Decimal("6.0")),  # 15 × 4 / 10
        ("trend", Decimal("4.0")),  # 10 × (30 − 18) / 30
        ("promises", Decimal("1.7")),  # 5 × 1 × 1 / 3 = 1.67
        ("overdue_share", Decimal("6.3")),  # 15 × 42 / 100
        ("overdue_age", Decimal("12.5")),  # 15 × 75 / 90
    ]
    assert (r.score, r.grade, r.label) == (42, "C", "C 42")
    assert [f.text for f in r.factors] == [
        "Pays on average 23 days late (last 12 months, weighted by amount): +11.5 of 30",
        "Paid 4 of 10 invoices late (last 12 months): +6 of 15",
        "Paid 12 days later in the last 6 months than in the 6 before (30 against 18 days): +4 of 10",
        "Broke 1 of 3 promises to pay (last 12 months): +1.7 of 15",
        "42 % of what is owed is overdue: +6.3 of 15",
        "Oldest overdue invoice 75 days past due: +12.5 of 15",
    ]
    assert r.explanation().splitlines()[0] == "Risk C 42 of 100 (higher is riskier; grades A best .. E worst)"


def test_a_customer_without_history_gets_the_neutral_score_and_is_told_so():
    r = risk_score(RiskInputs())
    assert (r.score, r.grade, r.history) == (23, "B", False)  # 15 + 7.5 = 22.5, rounded half up
    assert "neutral" in r.factors[0].text and r.factors[0].points == 15
    assert "neutral" in r.factors[1].text and r.factors[1].points == Decimal("7.5")
    assert r.factors[2].text.startswith("No trend")


def test_the_worst_case_is_100_and_a_perfect_payer_0():
    worst = RiskInputs(Decimal(90), 5, 5, Decimal(90), Decimal(0), 0, 4, Decimal(100), 400)
    assert (risk_score(worst).score, risk_score(worst).grade) == (100, "E")
    best = RiskInputs(Decimal(0), 12, 0, Decimal(0), Decimal(0), 3, 0, Decimal(0), 0)
    assert (risk_score(best).score, risk_score(best).grade) == (0, "A")


@pytest.mark.parametrize(("value", "expected"), [(0, "A"), (19, "A"), (20, "B"), (39, "B"), (40, "C"), (59, "C"),
                                                 (60, "D"), (79, "D"), (80, "E"), (100, "E")])
def test_grade_cut_offs(value, expected):
    assert grade(value) == expected


def test_priority_points_follow_the_documented_formula():
    # 1,000.00 overdue, risk 50, 90 days: 1000 × 1.5 × (1 + 90/180) = 2250
    assert priority_points(Decimal("1000.00"), 90, 50) == 2250
    assert priority_points(Decimal("1000.00"), 400, 100) == 4000  # age stops counting at 180 days
    assert priority_points(Decimal("1000.00"), 0, 0) == 1000


@given(st.decimals(0, 10**9, places=2), st.decimals(0, 10**9, places=2), ages, ages, st.integers(0, 100),
       st.integers(0, 100))
def test_priority_grows_with_amount_age_and_risk(a, b, d1, d2, s1, s2):
    lo, hi = sorted((a, b))
    (young, old), (safe, risky) = sorted((d1, d2)), sorted((s1, s2))
    assert priority(hi, old, risky) >= priority(lo, young, safe)


def test_recently_overdue_first_puts_the_freshest_debt_first_then_the_larger():
    debts = [(Decimal(500), 40), (Decimal(9000), 200), (Decimal(800), 3), (Decimal(900), 3)]
    ranked = sorted(debts, key=lambda d: priority(d[0], d[1], 50, RECENT_FIRST), reverse=True)
    assert ranked == [(Decimal(900), 3), (Decimal(800), 3), (Decimal(500), 40), (Decimal(9000), 200)]
    by_priority = sorted(debts, key=lambda d: priority(d[0], d[1], 50, BY_PRIORITY), reverse=True)
    assert by_priority[0] == (Decimal(9000), 200)


def test_an_unknown_ordering_is_refused():
    with pytest.raises(ValueError, match="ordered by"):
        priority(Decimal(1), 1, 1, "alphabetical")
