"""The KPI formulas of domain.kpi on two ledgers worked out by hand, a ledger without sales, and
properties. Amounts are minor units (300000 = 3,000.00)."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from debtordesk.domain.kpi import (
    NOT_ENOUGH_DATA,
    CollectionFigures,
    KpiError,
    average_days_late,
    cei,
    countback_dso,
    countback_months,
    days_late,
    dso,
    kpis_for,
    month_ends,
    overdue_share,
    rounded,
    share_paid_late,
    shift_days,
    shown,
    weekly_forecast,
)

# Ledger 1, "Alder" (the ledger of tests/db/test_kpi_service.py and docs/kpi.md), as of 30 June 2026,
# period of 90 days (2 April .. 30 June):
#   open on 1 April 3,000.00; invoiced in the period 10,500.00
#   open on 30 June 5,500.00, of it 2,500.00 overdue and 3,000.00 current (not yet due)
#   sales per month, newest first: June 3,000 (30 days), May 4,500 (31), April 3,000 (30),
#   March 3,000 (31), February 0 (28), January 2,500 (31)
#   paid off in the period: A1 2,000 paid 10 days late; A3 3,000 paid 5 days early;
#   A4 1,000 paid 10 days late and 2,000 paid 20 days late → 3 invoices, 2 paid late (A1, A4)
ALDER = CollectionFigures(
    currency="GBP", as_of=date(2026, 6, 30), period_days=90,
    opening_minor=300000, receivables_minor=550000, overdue_minor=250000, credit_sales_minor=1050000,
    monthly_sales=((30, 300000), (31, 450000), (30, 300000), (31, 300000), (28, 0), (31, 250000)),
    paid=((200000, 10), (300000, -5), (100000, 10), (200000, 20)), paid_off=3, paid_late=2,
)

# Ledger 2, "Beech", a month of 30 days:
#   open at the start 2,000.00; invoiced 1,500.00; open at the end 2,500.00, of it 500.00 current
#   sales per month, newest first: 1,000 (30 days), 500 (31), 2,000 (31)
#   paid off: X1 500 paid 45 days late, X2 1,500 paid 5 days late, X3 1,000 paid 3 days early,
#   X4 1,000 paid on the due date → 4 invoices, 2 paid late
BEECH = CollectionFigures(
    currency="EUR", as_of=date(2026, 3, 31), period_days=30,
    opening_minor=200000, receivables_minor=250000, overdue_minor=200000, credit_sales_minor=150000,
    monthly_sales=((30, 100000), (31, 50000), (31, 200000)),
    paid=((50000, 45), (150000, 5), (100000, -3), (100000, 0)), paid_off=4, paid_late=2,
)


def test_ledger_1_by_hand():
    r = kpis_for(ALDER)
    # DSO = 5,500 / 10,500 × 90 = 47.142857... → 47.1 days
    assert r.dso == Decimal(550000) * 90 / Decimal(1050000)
    assert shown(r.dso) == "47.1"
    # countback: 5,500 − June's 3,000 = 2,500 left after 30 days; 2,500 < May's 4,500, so May counts
    # 31 × 2,500 / 4,500 = 17.222 days → 30 + 17.222 = 47.222 → 47.2 days
    assert r.countback_dso == 30 + Decimal(31) * 250000 / Decimal(450000)
    assert shown(r.countback_dso) == "47.2"
    # CEI = (3,000 + 10,500 − 5,500) / (3,000 + 10,500 − 3,000) × 100 = 8,000 / 10,500 × 100 = 76.19 %
    assert r.cei == Decimal(800000) * 100 / Decimal(1050000)
    assert shown(r.cei) == "76.2"
    # average days late = (2,000×10 + 3,000×0 + 1,000×10 + 2,000×20) / (2,000 + 3,000 + 1,000 + 2,000)
    #                    = (20,000 + 0 + 10,000 + 40,000) / 8,000 = 8.75 → 8.8 (half up); early = 0, not −5
    assert r.average_days_late == Decimal("8.75")
    assert shown(r.average_days_late) == "8.8"
    # % paid late = 2 / 3 × 100 = 66.67 %; overdue share = 2,500 / 5,500 × 100 = 45.45 %
    assert shown(r.share_paid_late) == "66.7"
    assert shown(r.overdue_share) == "45.5"
    assert r.notes == ()
    assert (r.receivables_minor, r.current_minor, r.opening_minor) == (550000, 300000, 300000)


def test_ledger_2_by_hand():
    r = kpis_for(BEECH)
    # DSO = 2,500 / 1,500 × 30 = 50 days
    assert r.dso == 50
    # countback: 2,500 − 1,000 = 1,500 (30 days), − 500 = 1,000 (31 days), then 1,000 of the
    # third month's 2,000: 31 × 1,000 / 2,000 = 15.5 → 30 + 31 + 15.5 = 76.5 days
    assert r.countback_dso == Decimal("76.5")
    # CEI = (2,000 + 1,500 − 2,500) / (2,000 + 1,500 − 500) × 100 = 1,000 / 3,000 × 100 = 33.3 %
    assert shown(r.cei) == "33.3"
    # average days late = (500×45 + 1,500×5 + 1,000×0 + 1,000×0) / 4,000 = 30,000 / 4,000 = 7.5
    assert r.average_days_late == Decimal("7.5")
    # % paid late = 2 / 4 × 100 = 50 %; overdue share = 2,000 / 2,500 × 100 = 80 %
    assert (r.share_paid_late, r.overdue_share) == (50, 80)
    assert r.notes == ()


def test_no_sales_is_not_enough_data_never_a_division_error():
    empty = CollectionFigures("GBP", date(2026, 6, 30), 90, 0, 0, 0, 0, ((30, 0), (31, 0)))
    r = kpis_for(empty)
    assert (r.dso, r.countback_dso, r.cei, r.average_days_late, r.share_paid_late, r.overdue_share) == (
        None, None, None, None, None, None)
    assert len(r.notes) == 5 and all(NOT_ENOUGH_DATA in n for n in r.notes)
    assert r.notes[0] == "DSO: not enough data: no credit sales in the 90 days to 2026-06-30."
    assert [shown(v) for v in (r.dso, r.cei)] == [NOT_ENOUGH_DATA, NOT_ENOUGH_DATA]
    # old debts, nothing sold: no DSO, but a CEI (nothing collected: 0 %) and an overdue share
    old = kpis_for(CollectionFigures("GBP", date(2026, 6, 30), 90, 100000, 100000, 100000, 0, ((30, 0),)))
    assert (old.dso, old.countback_dso, old.cei, old.overdue_share) == (None, None, 0, 100)


def test_the_formulas_on_their_own():
    assert dso(0, 1000, 90) == 0
    assert dso(1000, 0, 90) is None
    assert countback_dso(500, []) is None
    assert countback_dso(0, [(30, 1000)]) == 0
    assert countback_dso(500, [(30, 0), (31, 1000)]) == Decimal("45.5")  # a month with no sales counts whole
    assert cei(0, 0, 0, 0) is None
    assert cei(100, 0, 0, 0) == 100
    assert average_days_late([]) is None
    assert average_days_late([(100, -10)]) == 0
    assert share_paid_late(0, 0) is None
    assert overdue_share(0, 0) is None
    assert days_late(date(2026, 4, 10), date(2026, 3, 31)) == 10
    assert days_late(date(2026, 5, 10), date(2026, 5, 15)) == 0
    with pytest.raises(KpiError):
        dso(-1, 100, 90)
    with pytest.raises(KpiError, match="at least 1 day"):
        kpis_for(CollectionFigures("GBP", date(2026, 6, 30), 0, 0, 0, 0, 0))


def test_countback_beyond_the_months_is_a_lower_bound_with_a_note():
    r = kpis_for(CollectionFigures("GBP", date(2026, 6, 30), 90, 0, 500000, 0, 100000, ((30, 100000), (31, 100000))))
    assert r.countback_dso == 61
    assert any("lower bound" in n for n in r.notes)


def test_rounding_and_shifting_are_half_up():
    assert rounded(Decimal("8.75")) == Decimal("8.8") and rounded(Decimal("8.749")) == Decimal("8.7")
    assert shown(Decimal("45.45"), " %") == "45.5 %"
    assert (shift_days(None), shift_days(Decimal("9.29")), shift_days(Decimal("2.5"))) == (0, 9, 3)


def test_dates_of_the_trend_and_the_countback():
    assert month_ends(date(2026, 6, 15), 3) == [date(2026, 4, 30), date(2026, 5, 31), date(2026, 6, 15)]
    assert len(month_ends(date(2026, 6, 30))) == 12 and month_ends(date(2026, 6, 30))[0] == date(2025, 7, 31)
    months = countback_months(date(2026, 3, 15), 3)
    assert months == [(date(2026, 3, 1), date(2026, 3, 15)), (date(2026, 2, 1), date(2026, 2, 28)),
                      (date(2026, 1, 1), date(2026, 1, 31))]


def test_weekly_forecast_weeks_overdue_and_later():
    f = weekly_forecast("GBP", date(2026, 6, 30), 2, [(-3, 100), (0, 10), (6, 1), (7, 20), (14, 5000)])
    assert [(w.week_start, w.expected_minor, w.overdue_minor) for w in f.weeks] == [
        (date(2026, 6, 30), 111, 100), (date(2026, 7, 7), 20, 0)]
    assert f.later_minor == 5000 and f.total_minor == 5131


amounts = st.integers(min_value=0, max_value=10**12)


@given(amounts, amounts, amounts, amounts)
def test_cei_is_between_0_and_100(a, b, c, d):
    opening, sales = a, b
    total = c % (opening + sales + 1)  # closing total ≤ opening + sales
    current = d % (total + 1)  # closing current ≤ closing total
    value = cei(opening, sales, total, current)
    if opening + sales - current == 0:
        assert value is None
    else:
        assert 0 <= value <= 100


@given(amounts, amounts, st.integers(min_value=1, max_value=10**12), st.integers(min_value=1, max_value=3650))
def test_dso_grows_with_the_receivables(r1, r2, sales, days):
    low, high = sorted((r1, r2))
    assert dso(low, sales, days) <= dso(high, sales, days)


@given(amounts, amounts, st.lists(st.tuples(st.integers(28, 31), amounts), min_size=1, max_size=24))
def test_countback_grows_with_the_receivables_and_stays_within_the_months(r1, r2, months):
    low, high = sorted((r1, r2))
    a, b = countback_dso(low, months), countback_dso(high, months)
    if a is None:
        assert b is None and not any(s for _, s in months)
    else:
        assert 0 <= a <= b <= sum(d for d, _ in months)


@given(st.integers(1, 10**9), st.integers(1, 24))
def test_countback_with_steady_sales_is_the_plain_dso(monthly, n):
    # 30-day months of equal sales S: receivables R ≤ n × S give R / S × 30 both ways (up to the
    # last of Decimal's 28 digits: the countback divides only the last month's part)
    receivables = monthly * n // 2
    assert abs(countback_dso(receivables, [(30, monthly)] * n) - dso(receivables, monthly, 30)) < Decimal("1e-20")


@given(st.lists(st.tuples(st.integers(1, 10**9), st.integers(-60, 400)), min_size=1, max_size=50))
def test_average_days_late_is_within_the_days_paid(paid):
    value = average_days_late(paid)
    clamped = [max(0, d) for _, d in paid]
    assert min(clamped) <= value <= max(clamped)


@given(st.lists(st.tuples(st.integers(-400, 400), st.integers(0, 10**9)), max_size=60), st.integers(1, 20))
def test_the_forecast_keeps_every_amount(items, weeks):
    f = weekly_forecast("GBP", date(2026, 6, 30), weeks, items)
    assert f.total_minor == sum(m for _, m in items)
    assert all(w.overdue_minor == 0 for w in f.weeks[1:]) and f.weeks[0].overdue_minor <= f.weeks[0].expected_minor
