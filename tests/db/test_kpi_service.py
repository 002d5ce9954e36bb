"""The KPI service against a real SQLite file: a small ledger whose figures are worked out by hand
(the same ledger as `ALDER` in tests/unit/test_kpi_formulas.py and the example in docs/kpi.md)."""

from datetime import date
from decimal import Decimal

import pytest

from debtordesk.domain.kpi import NOT_ENOUGH_DATA, KpiError, rounded
from debtordesk.services.kpi import (
    collection_kpis,
    customer_days_late,
    expected_receipts,
    forecast_json,
    kpi_json,
    kpi_trend,
    receipts_forecast,
    trend_json,
)
from debtordesk.services.payments import record_payment
from helpers import add_customer, add_invoice

AS_OF = date(2026, 6, 30)  # the 90-day period is 2 April .. 30 June 2026


def books(db) -> dict:
    """Alder (GBP, pays late) and Birch (EUR, no payment history).

    A0  issued 10 Jan, due  9 Feb, 2,500.00 paid 20 Feb (11 days late): before the period
    A1  issued  1 Mar, due 31 Mar, 2,000.00 paid 10 Apr (10 days late)
    A2  issued 20 Mar, due 19 Apr, 1,000.00 open (overdue)
    A3  issued 15 Apr, due 15 May, 3,000.00 paid 10 May (5 days early: 0 late)
    A4  issued 10 May, due  9 Jun, 3,000.00 paid 1,000.00 on 19 Jun (10 late) and 2,000.00 on 29 Jun (20 late)
    A5  issued 20 May, due 19 Jun, 1,500.00 open (overdue)
    A6  issued 15 Jun, due 15 Jul, 3,000.00 open (current)
    B1  issued  1 Jun, due  1 Jul, 1,000.00 EUR open (current)
    """
    with db.transaction() as s:
        alder = add_customer(s, "ALD", "Alder & Co")
        birch = add_customer(s, "BIR", "Birch GmbH")
        inv = {
            "A0": add_invoice(s, alder, "A0", "2026-01-10", "2026-02-09", 250000),
            "A1": add_invoice(s, alder, "A1", "2026-03-01", "2026-03-31", 200000),
            "A2": add_invoice(s, alder, "A2", "2026-03-20", "2026-04-19", 100000),
            "A3": add_invoice(s, alder, "A3", "2026-04-15", "2026-05-15", 300000),
            "A4": add_invoice(s, alder, "A4", "2026-05-10", "2026-06-09", 300000),
            "A5": add_invoice(s, alder, "A5", "2026-05-20", "2026-06-19", 150000),
            "A6": add_invoice(s, alder, "A6", "2026-06-15", "2026-07-15", 300000),
            "B1": add_invoice(s, birch, "B1", "2026-06-01", "2026-07-01", 100000, "EUR"),
        }
        for number, day, amount in [("A0", "2026-02-20", 250000), ("A1", "2026-04-10", 200000),
                                    ("A3", "2026-05-10", 300000), ("A4", "2026-06-19", 100000),
                                    ("A4", "2026-06-29", 200000)]:
            record_payment(s, alder.id, date.fromisoformat(day), amount, "GBP", invoice_id=inv[number].id)
        return {"alder": alder.id, "birch": birch.id}


def test_kpis_equal_the_hand_worked_figures(db):
    books(db)
    with db.session() as s:
        eur, gbp = collection_kpis(s, AS_OF)  # sorted by currency code
    assert gbp.currency == "GBP" and eur.currency == "EUR"
    # opening (open on 1 April): A1 2,000 + A2 1,000 = 3,000.00 (A0 was paid in February)
    assert gbp.opening_minor == 300000
    # credit sales 2 April .. 30 June: A3 3,000 + A4 3,000 + A5 1,500 + A6 3,000 = 10,500.00
    assert gbp.credit_sales_minor == 1050000
    # receivables on 30 June: A2 1,000 + A5 1,500 (overdue) + A6 3,000 (current) = 5,500.00
    assert (gbp.receivables_minor, gbp.overdue_minor, gbp.current_minor) == (550000, 250000, 300000)
    # DSO = 5,500 / 10,500 × 90 = 47.142... days
    assert gbp.dso == Decimal(550000) * 90 / Decimal(1050000)
    assert rounded(gbp.dso) == Decimal("47.1")
    # countback: June's 3,000 sales explain 3,000 (30 days), the other 2,500 are 2,500/4,500 of
    # May's sales (A4 + A5): 31 × 2,500 / 4,500 = 17.222 → 47.222 days
    assert gbp.countback_dso == 30 + Decimal(31) * 250000 / 450000
    assert rounded(gbp.countback_dso) == Decimal("47.2")
    # CEI = (3,000 + 10,500 − 5,500) / (3,000 + 10,500 − 3,000) × 100 = 8,000 / 10,500 × 100 = 76.19 %
    assert rounded(gbp.cei) == Decimal("76.2")
    # paid off in the period: A1, A3, A4; paid late: A1 and A4 → 2 of 3 = 66.7 %
    assert (gbp.paid_off, gbp.paid_late) == (3, 2)
    assert rounded(gbp.share_paid_late) == Decimal("66.7")
    # days late, weighted by allocation: (2,000×10 + 3,000×0 + 1,000×10 + 2,000×20) / 8,000 = 8.75
    assert gbp.average_days_late == Decimal("8.75")
    assert rounded(gbp.average_days_late) == Decimal("8.8")
    # overdue share = 2,500 / 5,500 × 100 = 45.45 %
    assert rounded(gbp.overdue_share) == Decimal("45.5")
    assert gbp.notes == ()


def test_currencies_are_kept_apart(db):
    books(db)
    with db.session() as s:
        results = collection_kpis(s, AS_OF)
    eur = results[0]
    # B1 only: 1,000 EUR sold in June and still open, not yet due
    assert (eur.receivables_minor, eur.overdue_minor, eur.credit_sales_minor, eur.opening_minor) == (
        100000, 0, 100000, 0)
    assert eur.dso == 90  # 1,000 / 1,000 × 90
    assert eur.countback_dso == 30  # June's sales explain it all
    assert eur.overdue_share == 0
    # nothing fell due, nothing was paid: no CEI, no days late
    assert eur.cei is None and eur.average_days_late is None and eur.share_paid_late is None
    assert any(n.startswith("CEI: " + NOT_ENOUGH_DATA) for n in eur.notes)
    assert any(n.startswith("Average days late") and NOT_ENOUGH_DATA in n for n in eur.notes)
    data = kpi_json(results)
    assert [d["currency"] for d in data] == ["EUR", "GBP"]
    assert data[1]["dso"] == "47.1" and data[1]["receivables"] == "5500.00" and data[0]["cei"] is None


def test_as_of_an_earlier_date_ignores_later_payments_and_invoices(db):
    books(db)
    with db.session() as s:
        (gbp,) = collection_kpis(s, date(2026, 4, 30), period_days=30)
    # 1 .. 30 April: A1 paid 10 April; open on 30 April: A2 1,000 (overdue) + A3 3,000 (current)
    assert (gbp.opening_minor, gbp.receivables_minor, gbp.overdue_minor, gbp.credit_sales_minor) == (
        300000, 400000, 100000, 300000)
    assert gbp.dso == 40  # 4,000 / 3,000 × 30
    assert (gbp.paid_off, gbp.paid_late, gbp.average_days_late) == (1, 1, 10)
    # (3,000 + 3,000 − 4,000) / (3,000 + 3,000 − 3,000) × 100
    assert gbp.cei == Decimal(200000) * 100 / Decimal(300000)


def test_an_empty_ledger_has_no_results_and_bad_periods_are_refused(db):
    with db.session() as s:
        assert collection_kpis(s, AS_OF) == []
        assert kpi_trend(s, AS_OF) == {}
        assert expected_receipts(s, AS_OF) == {}
        with pytest.raises(KpiError, match="at least 1 day"):
            collection_kpis(s, AS_OF, period_days=0)


def test_customer_days_late_over_a_year(db):
    ids = books(db)
    with db.session() as s:
        late = customer_days_late(s, AS_OF)
    # A0 2,500×11 + the 7,000,000 of the period = 9,750,000 over 10,500.00 paid = 9.2857 days
    assert late == {(ids["alder"], "GBP"): Decimal(9750000) / Decimal(1050000)}
    with db.session() as s:
        assert customer_days_late(s, AS_OF, period_days=90)[(ids["alder"], "GBP")] == Decimal("8.75")


def test_forecast_moves_due_dates_by_the_customers_days_late(db):
    ids = books(db)
    with db.session() as s:
        weeks = expected_receipts(s, AS_OF)
        forecast = receipts_forecast(s, AS_OF, extra=[(ids["alder"], "GBP", date(2026, 7, 8), 5000),
                                                      (ids["alder"], "GBP", date(2026, 6, 1), 700)])
    gbp, eur = weeks["GBP"], weeks["EUR"]
    assert len(gbp) == 13 and gbp[0].week_start == AS_OF and gbp[1].week_start == date(2026, 7, 7)
    # Alder is 9.29 → 9 days late: A2 (19 Apr + 9) and A5 (19 Jun + 9 = 28 Jun) are still overdue: week 1
    assert (gbp[0].expected_minor, gbp[0].overdue_minor) == (250000, 250000)
    # A6 due 15 Jul (week 3) is expected on 24 Jul: week 4 (21 .. 27 Jul)
    assert gbp[2].expected_minor == 0
    assert (gbp[3].week_start, gbp[3].expected_minor, gbp[3].overdue_minor) == (date(2026, 7, 21), 300000, 0)
    assert sum(w.expected_minor for w in gbp) == 550000
    # Birch has no history: B1 is expected on its due date, 1 July, in week 1 and not overdue
    assert (eur[0].expected_minor, eur[0].overdue_minor) == (100000, 0)
    # the hook: a promise for 8 July lands in week 2, one dated before the as-of date is overdue
    f = forecast["GBP"]
    assert f.weeks[1].expected_minor == 5000
    assert (f.weeks[0].expected_minor, f.weeks[0].overdue_minor) == (250700, 250700)
    assert f.later_minor == 0 and f.total_minor == 555700
    data = forecast_json(forecast)
    assert data["GBP"]["weeks"][3] == {"week_start": "2026-07-21", "expected": "3000.00", "overdue": "0.00"}


def test_forecast_puts_what_is_beyond_the_weeks_in_later(db):
    books(db)
    with db.session() as s:
        f = receipts_forecast(s, AS_OF, weeks=2)["GBP"]
    assert [w.expected_minor for w in f.weeks] == [250000, 0] and f.later_minor == 300000


def test_trend_has_a_point_per_month_end(db):
    books(db)
    with db.session() as s:
        trend = kpi_trend(s, AS_OF)
    gbp = trend["GBP"]
    assert [p.month_end for p in gbp][:2] == [date(2025, 7, 31), date(2025, 8, 31)]
    assert [p.month_end for p in gbp][-2:] == [date(2026, 5, 31), AS_OF]
    assert len(gbp) == 12 and len(trend["EUR"]) == 12
    # the last point is the KPIs' own DSO and overdue share
    assert gbp[-1].dso == Decimal(550000) * 90 / Decimal(1050000)
    assert rounded(gbp[-1].overdue_share) == Decimal("45.5")
    # 31 May: open A2 1,000 (overdue) + A4 3,000 + A5 1,500 = 5,500; sales 3 Mar .. 31 May:
    # A2 + A3 + A4 + A5 = 8,500 → DSO 5,500 / 8,500 × 90 = 58.2, overdue 1,000 / 5,500 = 18.2 %
    assert (rounded(gbp[-2].dso), rounded(gbp[-2].overdue_share)) == (Decimal("58.2"), Decimal("18.2"))
    # 31 January: A0 open, not yet due; its 2,500 the only sales → 90 days, 0 % overdue
    jan = gbp[6]
    assert (jan.month_end, jan.dso, jan.overdue_share) == (date(2026, 1, 31), 90, 0)
    # before any invoice: not enough data
    assert gbp[0].dso is None and gbp[0].overdue_share is None
    assert trend_json(trend)["GBP"][0] == {"month_end": "2025-07-31", "dso": None, "overdue_share": None}


def _reckon_by_hand(s, as_of: date, period_days: int = 90):
    """Every figure worked out invoice by invoice in Python, straight from the definitions."""
    from fractions import Fraction

    from sqlalchemy import select

    from debtordesk.db.models import Allocation, Invoice, Payment

    invoices = s.execute(select(Invoice.id, Invoice.customer_id, Invoice.currency, Invoice.issue_date,
                                Invoice.due_date, Invoice.amount_minor)).all()
    paid: dict[int, list[tuple[date, int]]] = {}
    for iid, day, amount in s.execute(select(Allocation.invoice_id, Payment.date, Allocation.amount_minor)
                                      .join(Payment, Payment.id == Allocation.payment_id)):
        paid.setdefault(iid, []).append((day, amount))

    def open_at(inv, day):
        return inv.amount_minor - sum(a for d, a in paid.get(inv.id, []) if d <= day)

    def paid_off(start, end):
        return [inv for inv in invoices if inv.issue_date <= end and open_at(inv, end) == 0
                and start < max(d for d, _ in paid[inv.id]) <= end]

    def late(invs):
        rows = [(a, max(0, (d - inv.due_date).days)) for inv in invs for d, a in paid[inv.id]]
        total = sum(a for a, _ in rows)
        return Fraction(sum(a * d for a, d in rows), total) if total else None

    start = date.fromordinal(as_of.toordinal() - period_days)
    kpis = {}
    for cur in sorted({inv.currency for inv in invoices}):
        mine = [inv for inv in invoices if inv.currency == cur]
        recv = sum(open_at(i, as_of) for i in mine if i.issue_date <= as_of)
        overdue = sum(open_at(i, as_of) for i in mine if i.issue_date <= as_of and i.due_date < as_of)
        opening = sum(open_at(i, start) for i in mine if i.issue_date <= start)
        sales = sum(i.amount_minor for i in mine if start < i.issue_date <= as_of)
        off = [i for i in paid_off(start, as_of) if i.currency == cur]
        n_late = sum(max(d for d, _ in paid[i.id]) > i.due_date for i in off)
        collectible = opening + sales - (recv - overdue)
        kpis[cur] = (recv, overdue, sales, Fraction(recv * period_days, sales) if sales else None,
                     Fraction(100 * (opening + sales - recv), collectible) if collectible else None,
                     late(off), Fraction(100 * n_late, len(off)) if off else None)
    year_start = date.fromordinal(as_of.toordinal() - 365)
    shift = {}
    for inv in paid_off(year_start, as_of):
        shift.setdefault((inv.customer_id, inv.currency), []).append(inv)
    shift = {k: int(late(v) + Fraction(1, 2)) for k, v in shift.items()}
    weeks: dict[str, list[int]] = {}
    for inv in invoices:
        if inv.issue_date <= as_of and open_at(inv, as_of) > 0:
            offset = (inv.due_date - as_of).days + shift.get((inv.customer_id, inv.currency), 0)
            w = weeks.setdefault(inv.currency, [0] * 15)  # overdue, weeks 1..13, later
            w[0 if offset < 0 else 14 if offset >= 91 else 1 + offset // 7] += open_at(inv, as_of)
    return kpis, weeks


@pytest.mark.parametrize("days_back", [0, 45, 200])
def test_the_demo_ledger_agrees_with_a_reckoning_invoice_by_invoice(db, days_back):
    from fractions import Fraction

    from debtordesk.services.demo import fill_demo

    today = date(2026, 6, 30)
    with db.transaction() as s:
        fill_demo(s, today, 24, 240, 7)
    as_of = date.fromordinal(today.toordinal() - days_back)
    with db.session() as s:
        expected_kpis, expected_weeks = _reckon_by_hand(s, as_of)
        results = collection_kpis(s, as_of)
        forecast = receipts_forecast(s, as_of)

    def same(a, b) -> bool:
        if a is None or b is None:
            return a is b
        return abs(Fraction(a) - Fraction(b)) < Fraction(1, 10**12)

    got = {r.currency: r for r in results}
    assert got.keys() <= expected_kpis.keys() and len(got) >= 2
    for cur, (recv, overdue, sales, dso, cei, late, share) in expected_kpis.items():
        if cur not in got:
            assert recv == overdue == sales == 0
            continue
        r = got[cur]
        assert (r.receivables_minor, r.overdue_minor, r.credit_sales_minor) == (recv, overdue, sales), cur
        for name, value, want in [("dso", r.dso, dso), ("cei", r.cei, cei), ("late", r.average_days_late, late),
                                  ("share", r.share_paid_late, share)]:
            assert same(value, want), (cur, name, value, want)
    got_weeks = {cur: [f.weeks[0].overdue_minor, f.weeks[0].expected_minor - f.weeks[0].overdue_minor,
                       *[w.expected_minor for w in f.weeks[1:]], f.later_minor] for cur, f in forecast.items()}
    assert got_weeks == expected_weeks
