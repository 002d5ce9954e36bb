"""The Customers screen opening: the count and the first page of 200 customers by name, each with
its balance and overdue amount per currency, oldest overdue due date and last contact. Ours calls
the service functions the screen's table model calls (a session each, as the model does); the
baseline is hand-written SQL on a plain sqlite3 connection returning the same rows."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import date

from bench.core import Context, Target

TITLE = "customer balances list, first page"
TARGET = Target(ratio=2)
PAGE = 200

NOTE = ("Both sides count the active customers and read the first 200 by name with, per customer, the "
        "balance per currency (open invoice amounts minus unapplied payment credit), the overdue amount per "
        "currency, the oldest overdue due date and the last contact date. The baseline does it in four plain "
        "statements: the count, the page of customers (name index), one aggregate over the open invoices and "
        "unapplied payments of just those 200 customers, and the latest activity of each; ours calls "
        "count_customers and list_customers as the table model does. prepare() checks both return the same rows.")

COUNT = "SELECT count(*) FROM customer WHERE archived = 0"
PAGE_SQL = ("SELECT id, ref, name, credit_limit_minor, on_hold, archived FROM customer WHERE archived = 0 "
            "ORDER BY name, id LIMIT ?")


def _amounts_sql(n: int) -> str:
    marks = ",".join("?" * n)
    return (
        "SELECT cid, cur, sum(owed), sum(late), min(late_due) FROM ("
        "  SELECT customer_id AS cid, currency AS cur, open_minor AS owed,"
        "         CASE WHEN due_date < ? THEN open_minor ELSE 0 END AS late,"
        "         CASE WHEN due_date < ? THEN due_date END AS late_due"
        f"  FROM invoice WHERE open_minor > 0 AND customer_id IN ({marks})"
        "  UNION ALL"
        "  SELECT customer_id, currency, -unapplied_minor, 0, NULL"
        f"  FROM payment WHERE unapplied_minor > 0 AND customer_id IN ({marks})"
        ") GROUP BY cid, cur"
    )


def raw_page(con: sqlite3.Connection, today: date) -> tuple[int, list[dict]]:
    """(count, rows) in the shape of CustomerRow, by plain SQL."""
    t = today.isoformat()
    n = con.execute(COUNT).fetchone()[0]
    rows = [dict(id=i, ref=ref, name=name, balances={}, overdue={}, oldest_overdue_days=None,
                 credit_limit_minor=limit, on_hold=bool(hold), archived=bool(arch), last_contact=None)
            for i, ref, name, limit, hold, arch in con.execute(PAGE_SQL, (PAGE,))]
    by_id = {r["id"]: r for r in rows}
    ids = list(by_id)
    oldest: dict[int, str] = {}
    for cid, cur, owed, late, late_due in con.execute(_amounts_sql(len(ids)), (t, t, *ids, *ids)):
        row = by_id[cid]
        if owed:
            row["balances"][cur] = owed
        if late:
            row["overdue"][cur] = late
        if late_due is not None and (cid not in oldest or late_due < oldest[cid]):
            oldest[cid] = late_due
    for cid, due in oldest.items():
        by_id[cid]["oldest_overdue_days"] = (today - date.fromisoformat(due)).days
    marks = ",".join("?" * len(ids))
    for cid, last in con.execute(f"SELECT customer_id, max(occurred_on) FROM activity "
                                 f"WHERE customer_id IN ({marks}) GROUP BY customer_id", ids):
        by_id[cid]["last_contact"] = date.fromisoformat(last)
    return n, rows


def _ours_fn(ctx: Context):
    from debtordesk.db.engine import open_database
    from debtordesk.services.customers import CustomerQuery, count_customers, list_customers

    db = open_database(f"sqlite:///{ctx.db}")
    query = CustomerQuery()

    def run():
        with db.session() as s:  # PagedTableModel.reload(): the count
            n = count_customers(s, query, ctx.today)
        with db.session() as s:  # the first block the view asks for
            rows = list_customers(s, query, ctx.today, 0, PAGE)
        return n, rows

    return db, run


def prepare(ctx: Context) -> None:
    """Check once, in a child process (the parent's memory would count in every side's peak),
    that both sides return the same rows: a baseline drifting from the service would mean nothing."""
    subprocess.run([sys.executable, "-m", __name__, *ctx.args()], check=True)


def _check(ctx: Context) -> None:
    db, run = _ours_fn(ctx)
    try:
        n, rows = run()
    finally:
        db.dispose()
    con = sqlite3.connect(ctx.db)
    try:
        want_n, want = raw_page(con, ctx.today)
    finally:
        con.close()
    fields = ("id", "balances", "overdue", "oldest_overdue_days", "last_contact", "on_hold", "archived")
    got = [{f: getattr(r, f) for f in fields} for r in rows]
    want = [{f: r[f] for f in fields} for r in want]
    if n != want_n or got != want:
        raise AssertionError(f"b_customers: ours and the baseline differ (count {n} vs {want_n})")


def ours(ctx: Context):
    return _ours_fn(ctx)[1]


def baseline(ctx: Context):
    con = sqlite3.connect(ctx.db)
    return lambda: raw_page(con, ctx.today)


if __name__ == "__main__":  # prepare()'s child: python -m bench.b_customers --db ... --work ... --today ...
    from pathlib import Path

    a = dict(zip(sys.argv[1::2], sys.argv[2::2], strict=False))
    _check(Context(Path(a["--db"]), Path(a["--work"]), date.fromisoformat(a["--today"])))
