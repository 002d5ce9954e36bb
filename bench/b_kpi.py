"""Collection KPIs over the whole ledger as `debtordesk kpi` shows them: the KPIs of every currency
(90-day period), the 12-month trend and the 13-week forecast of receipts, from the services against
hand-written SQL on the same file. `prepare` checks that both give the same figures."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from bench.core import Context, Target

TITLE = "collection KPIs, 12-month trend and 13-week forecast (whole ledger)"
TARGET = Target(ratio=1.5)

NOTE = ("The baseline is the best plain SQL we could write for the same figures on the same file: open "
        "amounts as of every date of the trend in one grouped pass (the open amounts kept on invoices plus "
        "what payments dated after each date paid, bucketed by date), sales per issue day, the invoices "
        "paid off found through the payments of the period (payment joined first, which SQLite's planner "
        "does not pick by itself), and the forecast's days late per customer in one statement; the ratios "
        "are worked out in Python with Decimal like ours. Conditional sums per date instead of buckets "
        "took 2.2 s.")

PERIOD, TREND_DAYS, MONTHS, WEEKS, COUNTBACK = 90, 90, 12, 13, 24

# open amounts as of several dates in one pass: each open invoice and each allocation of a payment
# after the first date is bucketed by the first date on/after its issue (i), after its due date (d)
# and on/after its payment (p); Python adds each bucket to the dates it is open (and overdue) on
OPEN_AT = """
SELECT cur, i, d, p, SUM(v) FROM (
  SELECT currency AS cur, {issue} AS i, {due} AS d, {n} AS p, open_minor AS v
  FROM invoice WHERE open_minor > 0 AND issue_date <= :hi
  UNION ALL
  SELECT i.currency, {i_issue}, {i_due}, {paid}, a.amount_minor
  FROM payment p CROSS JOIN allocation a ON a.payment_id = p.id JOIN invoice i ON i.id = a.invoice_id
  WHERE p.date > :lo AND i.issue_date <= :hi
) GROUP BY cur, i, d, p
"""
SALES = """
SELECT currency, issue_date, SUM(amount_minor) FROM invoice
WHERE issue_date > :lo AND issue_date <= :hi GROUP BY currency, issue_date
"""
PAID_OFF = """
WITH last AS (
  SELECT a.invoice_id AS iid, MAX(p.date) AS last FROM payment p CROSS JOIN allocation a ON a.payment_id = p.id
  WHERE p.date > :start GROUP BY a.invoice_id
), po AS (
  SELECT i.id, i.customer_id AS cid, i.currency AS cur, i.due_date AS due, last.last FROM last
  JOIN invoice i ON i.id = last.iid WHERE last.last <= :as_of AND i.open_minor = 0 AND i.issue_date <= :as_of
)
"""
COUNTS = PAID_OFF + "SELECT cur, COUNT(*), SUM(last > due) FROM po GROUP BY cur"
LATE = PAID_OFF + """
SELECT po.cur, SUM(a.amount_minor), SUM(a.amount_minor * MAX(0, CAST(julianday(p.date) - julianday(po.due) AS INTEGER)))
FROM po JOIN allocation a ON a.invoice_id = po.id JOIN payment p ON p.id = a.payment_id GROUP BY po.cur
"""
FORECAST = PAID_OFF + """
, hist AS (
  SELECT po.cid, po.cur, SUM(a.amount_minor) AS paid,
         SUM(a.amount_minor * MAX(0, CAST(julianday(p.date) - julianday(po.due) AS INTEGER))) AS w
  FROM po JOIN allocation a ON a.invoice_id = po.id JOIN payment p ON p.id = a.payment_id GROUP BY po.cid, po.cur
), items AS (
  SELECT customer_id AS cid, currency AS cur, due_date AS due, open_minor AS v FROM invoice
  WHERE open_minor > 0 AND issue_date <= :as_of
  UNION ALL
  SELECT i.customer_id, i.currency, i.due_date, a.amount_minor
  FROM payment p CROSS JOIN allocation a ON a.payment_id = p.id JOIN invoice i ON i.id = a.invoice_id
  WHERE p.date > :as_of AND i.issue_date <= :as_of
)
SELECT items.cur, MIN(MAX(CAST(julianday(items.due) - julianday(:as_of) AS INTEGER)
                          + COALESCE((2 * hist.w + hist.paid) / (2 * hist.paid), 0), -1), :horizon) AS off, SUM(v)
FROM items LEFT JOIN hist ON hist.cid = items.cid AND hist.cur = items.cur GROUP BY items.cur, off
"""


def _first(column: str, points: list[date], op: str = "<=") -> str:
    whens = " ".join(f"WHEN {column} {op} '{d}' THEN {k}" for k, d in enumerate(points))
    return f"CASE {whens} ELSE {len(points)} END"


def _open_at(con, points: list[date]) -> dict[str, list[list[int]]]:
    n = len(points)
    sql = OPEN_AT.format(issue=_first("issue_date", points), due=_first("due_date", points, "<"), n=n,
                         i_issue=_first("i.issue_date", points), i_due=_first("i.due_date", points, "<"),
                         paid=_first("p.date", points))
    out: dict[str, list[list[int]]] = {}
    for cur, i, d, p, v in con.execute(sql, {"lo": points[0].isoformat(), "hi": points[-1].isoformat()}):
        rows = out.setdefault(cur, [[0, 0] for _ in range(n)])
        for k in range(i, p):
            rows[k][0] += v
            if k >= d:
                rows[k][1] += v
    return out


def _sales(con, lo: date, hi: date) -> dict[str, list[tuple[date, int]]]:
    out = defaultdict(list)
    for cur, day, amount in con.execute(SALES, {"lo": lo.isoformat(), "hi": hi.isoformat()}):
        out[cur].append((date.fromisoformat(day), amount))
    return out


def _ratio(num, den, scale=1) -> Decimal | None:
    return None if den <= 0 else Decimal(num) * scale / Decimal(den)


def _month_ends(as_of: date) -> list[date]:
    ends, first = [as_of], as_of.replace(day=1)
    while len(ends) < MONTHS:
        ends.append(first - timedelta(days=1))
        first = ends[-1].replace(day=1)
    return ends[::-1]


def figures(con, as_of: date) -> dict:
    """The same figures as ours, from plain SQL."""
    start = as_of - timedelta(days=PERIOD)
    months = [(as_of.replace(day=1), as_of)]
    while len(months) < COUNTBACK:
        last = months[-1][0] - timedelta(days=1)
        months.append((last.replace(day=1), last))
    opened = _open_at(con, [start, as_of])
    sales = _sales(con, min(start, months[-1][0] - timedelta(days=1)), as_of)
    params = {"start": start.isoformat(), "as_of": as_of.isoformat()}
    counts = {cur: (n, late) for cur, n, late in con.execute(COUNTS, params)}
    late = {cur: (paid, w) for cur, paid, w in con.execute(LATE, params)}
    kpis = {}
    for cur in set(opened) | set(sales) | set(counts):
        (opening, _), (recv, overdue) = opened.get(cur, [[0, 0], [0, 0]])
        days = sales.get(cur, [])
        credit = sum(a for d, a in days if d > start)
        if not (opening or recv or credit or cur in counts):
            continue
        rest, cb = recv, Decimal(0)
        for first, last in months:
            s = sum(a for d, a in days if first <= d <= last)
            if rest <= 0:
                break
            if rest >= s:
                cb, rest = cb + (last - first).days + 1, rest - s
            else:
                cb, rest = cb + Decimal((last - first).days + 1) * rest / s, 0
        n, n_late = counts.get(cur, (0, 0))
        paid, w = late.get(cur, (0, 0))
        kpis[cur] = (recv, overdue, credit, _ratio(recv * PERIOD, credit),
                     cb if any(a for day, a in days if day >= months[-1][0]) else None,
                     _ratio(opening + credit - recv, opening + credit - (recv - overdue), 100),
                     _ratio(w, paid), _ratio(n_late, n, 100), _ratio(overdue, recv, 100))
    points = _month_ends(as_of)
    t_open = _open_at(con, points)
    t_sales = _sales(con, points[0] - timedelta(days=TREND_DAYS), as_of)
    trend = {}
    for cur in set(t_open) | set(t_sales):
        rows, days = t_open.get(cur, [[0, 0]] * MONTHS), t_sales.get(cur, [])
        trend[cur] = [(p, _ratio(o * TREND_DAYS, sum(a for d, a in days if p - timedelta(TREND_DAYS) < d <= p)),
                       _ratio(od, o, 100)) for p, (o, od) in zip(points, rows, strict=True)]
    year = {"start": (as_of - timedelta(days=365)).isoformat(), "as_of": as_of.isoformat(), "horizon": 7 * WEEKS}
    weeks: dict[str, list[int]] = {}
    for cur, off, amount in con.execute(FORECAST, year):
        w = weeks.setdefault(cur, [0] * (WEEKS + 2))  # overdue, weeks 1..13, later
        w[0 if off < 0 else WEEKS + 1 if off >= 7 * WEEKS else 1 + off // 7] += amount
    return {"kpis": kpis, "trend": trend, "forecast": weeks}


def ours_figures(session, as_of: date) -> dict:
    from debtordesk.services.kpi import collection_kpis, kpi_trend, receipts_forecast

    kpis = {r.currency: (r.receivables_minor, r.overdue_minor, r.credit_sales_minor, r.dso, r.countback_dso, r.cei,
                         r.average_days_late, r.share_paid_late, r.overdue_share)
            for r in collection_kpis(session, as_of, PERIOD)}
    trend = {cur: [(p.month_end, p.dso, p.overdue_share) for p in points]
             for cur, points in kpi_trend(session, as_of, MONTHS).items()}
    weeks = {cur: [f.weeks[0].overdue_minor, f.weeks[0].expected_minor - f.weeks[0].overdue_minor,
                   *[w.expected_minor for w in f.weeks[1:]], f.later_minor]
             for cur, f in receipts_forecast(session, as_of, WEEKS).items()}
    return {"kpis": kpis, "trend": trend, "forecast": weeks}


def _same(a, b) -> bool:
    """Equal, with ratios compared to 10 decimals (the two sides divide in a different order)."""
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return abs(a - b) < Decimal("1e-10")
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b


def prepare(ctx: Context) -> None:
    from debtordesk.db.engine import open_database

    db = open_database(f"sqlite:///{ctx.db}")
    with db.session() as s:
        mine = ours_figures(s, ctx.today)
    db.dispose()
    con = sqlite3.connect(ctx.db)
    theirs = figures(con, ctx.today)
    con.close()
    for key in mine:
        if not _same(mine[key], theirs[key]):
            raise AssertionError(f"b_kpi: ours and the baseline disagree on the {key}")


def ours(ctx: Context):
    from debtordesk.db.engine import open_database
    from debtordesk.services.kpi import collection_kpis, expected_receipts, kpi_trend

    db = open_database(f"sqlite:///{ctx.db}")

    def run():
        with db.session() as s:
            return (len(collection_kpis(s, ctx.today)), len(kpi_trend(s, ctx.today)),
                    len(expected_receipts(s, ctx.today)))

    return run


def baseline(ctx: Context):
    con = sqlite3.connect(ctx.db)

    def run():
        f = figures(con, ctx.today)
        return len(f["kpis"]), len(f["trend"]), len(f["forecast"])

    return run
