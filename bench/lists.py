"""How fast the list screens open on a large ledger, against the simplest hand-written SQL.

    python -m bench.lists DB.sqlite3 [--today 2026-11-24] [--runs 5] [--explain] [--out bench/lists-results.md]

Each operation is what a screen does when it opens or changes: count the rows, then read the first
window of 200 (or the last one). "ours" calls the services the screens call, each in its own
session as the views do; "baseline" is plain sqlite3 SQL returning the same rows, run in the same
loop so both see the same caches. One warm-up run of each is not counted; the median of --runs
follows. The rows of both are compared, so a baseline that drifts from the service is caught.
Then the Qt views are built offscreen once: time to the first rows shown, and the rows held in
memory after scrolling to the bottom. --explain prints SQLite's plan of every statement ours ran.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import event

from debtordesk.db.engine import Database, open_database
from debtordesk.services.customers import CustomerQuery, count_customers, customer_row, list_customers
from debtordesk.services.invoices import InvoiceQuery, count_invoices, list_invoices
from debtordesk.services.lists import Sort
from debtordesk.services.payments import PaymentQuery, count_payments, list_payments

PAGE = 200
FIRST_PAGE_BUDGET_MS = 300
RESULTS = Path(__file__).resolve().parent / "lists-results.md"
NOTES_MARKER = "<!-- notes: kept when the measurement is run again -->"


@dataclass
class Operation:
    name: str
    ours: Callable[[], tuple[int, list[int]]]  # (count, ids of the window)
    baseline: Callable[[], tuple[int, list[int]]]
    ours_ms: list[float] = field(default_factory=list)
    baseline_ms: list[float] = field(default_factory=list)
    statements: list[tuple[str, tuple]] = field(default_factory=list)
    mismatch: str = ""

    @property
    def ours_median(self) -> float:
        return statistics.median(self.ours_ms)

    @property
    def baseline_median(self) -> float:
        return statistics.median(self.baseline_ms)

    @property
    def ratio(self) -> float:
        return self.ours_median / self.baseline_median if self.baseline_median else float("inf")


# --- the baselines: plain SQL --------------------------------------------------------------------

INVOICE_COLUMNS = ("i.id, i.number, i.customer_id, c.ref, c.name, i.issue_date, i.due_date, i.amount_minor, "
                   "i.open_minor, i.currency, i.disputed")
OVERDUE = "i.open_minor > 0 AND i.due_date < :today"


class Raw:
    """Hand-written queries on one plain sqlite3 connection."""

    def __init__(self, path: Path, today: date):
        self.con = sqlite3.connect(str(path))
        self.today = today.isoformat()

    def scalar(self, sql: str, **params) -> int:
        return self.con.execute(sql, {"today": self.today, **params}).fetchone()[0]

    def rows(self, sql: str, **params) -> list[tuple]:
        return self.con.execute(sql, {"today": self.today, **params}).fetchall()

    # customers: the window of customers first, then the amounts of just those customers
    def customer_amounts(self, ids: list[int]) -> None:
        marks = ",".join("?" * len(ids))
        self.con.execute(
            f"SELECT customer_id, currency, sum(open_minor), sum(CASE WHEN due_date < ? THEN open_minor END), "
            f"min(CASE WHEN due_date < ? THEN due_date END) FROM invoice "
            f"WHERE open_minor > 0 AND customer_id IN ({marks}) GROUP BY customer_id, currency",
            (self.today, self.today, *ids)).fetchall()
        self.con.execute(
            f"SELECT customer_id, currency, sum(unapplied_minor) FROM payment "
            f"WHERE unapplied_minor > 0 AND customer_id IN ({marks}) GROUP BY customer_id, currency", ids).fetchall()
        self.con.execute(
            f"SELECT customer_id, max(occurred_on) FROM activity WHERE customer_id IN ({marks}) GROUP BY customer_id",
            ids).fetchall()

    def customers_by_name(self) -> tuple[int, list[int]]:
        n = self.scalar("SELECT count(*) FROM customer WHERE archived = 0")
        rows = self.rows("SELECT id, ref, name, credit_limit_minor, on_hold, archived FROM customer "
                         "WHERE archived = 0 ORDER BY name, id LIMIT :limit", limit=PAGE)
        ids = [r[0] for r in rows]
        self.customer_amounts(ids)
        return n, ids

    def customers_by_balance(self) -> tuple[int, list[int]]:
        n = self.scalar("SELECT count(*) FROM customer WHERE archived = 0")
        rows = self.rows(
            "SELECT c.id, c.ref, c.name, coalesce(b.balance, 0) AS balance FROM customer c LEFT JOIN ("
            "  SELECT cid, sum(owed) AS balance FROM ("
            "    SELECT customer_id AS cid, open_minor AS owed FROM invoice WHERE open_minor > 0"
            "    UNION ALL SELECT customer_id, -unapplied_minor FROM payment WHERE unapplied_minor > 0)"
            "  GROUP BY cid) b ON b.cid = c.id "
            "WHERE c.archived = 0 ORDER BY balance DESC, c.id LIMIT :limit", limit=PAGE)
        ids = [r[0] for r in rows]
        self.customer_amounts(ids)
        return n, ids

    def customers_overdue(self) -> tuple[int, list[int]]:
        late = f"SELECT customer_id FROM invoice i WHERE {OVERDUE}"
        n = self.scalar(f"SELECT count(*) FROM customer WHERE archived = 0 AND id IN ({late})")
        rows = self.rows(f"SELECT id, ref, name, credit_limit_minor, on_hold, archived FROM customer "
                         f"WHERE archived = 0 AND id IN ({late}) ORDER BY name, id LIMIT :limit", limit=PAGE)
        ids = [r[0] for r in rows]
        self.customer_amounts(ids)
        return n, ids

    def customer_one(self, cid: int) -> tuple[int, list[int]]:
        rows = self.rows("SELECT id, ref, name, credit_limit_minor, on_hold, archived FROM customer WHERE id = :id",
                         id=cid)
        self.customer_amounts([cid])
        return 1, [r[0] for r in rows]

    # invoices: one query for the count, one for the window
    def invoices(self, where: str = "1", order: str = "i.issue_date DESC, i.id DESC", offset: int = 0,
                 **params) -> tuple[int, list[int]]:
        n = self.scalar(f"SELECT count(*) FROM invoice i WHERE {where}", **params)
        rows = self.rows(f"SELECT {INVOICE_COLUMNS} FROM invoice i JOIN customer c ON c.id = i.customer_id "
                         f"WHERE {where} ORDER BY {order} LIMIT :limit OFFSET :offset",
                         limit=PAGE, offset=offset, **params)
        return n, [r[0] for r in rows]

    def payments(self) -> tuple[int, list[int]]:
        n = self.scalar("SELECT count(*) FROM payment")
        rows = self.rows("SELECT p.id, p.date, p.customer_id, c.ref, c.name, p.amount_minor, p.unapplied_minor, "
                         "p.currency, p.reference, p.method FROM payment p JOIN customer c ON c.id = p.customer_id "
                         "ORDER BY p.date DESC, p.id DESC LIMIT :limit", limit=PAGE)
        ids = [r[0] for r in rows]
        marks = ",".join("?" * len(ids))
        self.con.execute(f"SELECT a.payment_id, i.number FROM allocation a JOIN invoice i ON i.id = a.invoice_id "
                         f"WHERE a.payment_id IN ({marks}) ORDER BY a.payment_id, i.due_date, i.id", ids).fetchall()
        return n, ids


# --- ours: the services, a session per call as the views do ---------------------------------------

class Ours:
    def __init__(self, db: Database, today: date):
        self.db, self.today = db, today

    def customers(self, query: CustomerQuery, offset: int = 0) -> tuple[int, list[int]]:
        with self.db.session() as s:
            n = count_customers(s, query, self.today)
        with self.db.session() as s:
            rows = list_customers(s, query, self.today, offset, PAGE)
        return n, [r.id for r in rows]

    def customer_one(self, cid: int) -> tuple[int, list[int]]:
        with self.db.session() as s:
            return 1, [customer_row(s, cid, self.today).id]

    def invoices(self, query: InvoiceQuery, offset: int | None = 0) -> tuple[int, list[int]]:
        with self.db.session() as s:
            n = count_invoices(s, query, self.today)
        with self.db.session() as s:
            rows = list_invoices(s, query, self.today, max(n - PAGE, 0) if offset is None else offset, PAGE)
        return n, [r.id for r in rows]

    def payments(self, query: PaymentQuery) -> tuple[int, list[int]]:
        with self.db.session() as s:
            n = count_payments(s, query)
        with self.db.session() as s:
            rows = list_payments(s, query, 0, PAGE)
        return n, [r.id for r in rows]


@contextmanager
def recording(db: Database, into: list[tuple[str, tuple]]):
    def note(_conn, _cursor, statement, parameters, _context, _executemany):
        into.append((statement, tuple(parameters or ())))

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield
    finally:
        event.remove(db.engine, "before_cursor_execute", note)


def operations(db: Database, raw: Raw, today: date) -> list[Operation]:
    ours = Ours(db, today)
    n_invoices = raw.scalar("SELECT count(*) FROM invoice")
    # a number from the middle of the ledger, typed in full
    number = raw.scalar("SELECT number FROM invoice WHERE id = :id", id=max(1, n_invoices // 2)) or "INV-"
    pattern = "%" + number.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    busiest = raw.scalar("SELECT customer_id FROM invoice WHERE open_minor > 0 GROUP BY customer_id "
                         "ORDER BY count(*) DESC LIMIT 1") or 1
    last = max(n_invoices - PAGE, 0)
    return [
        Operation("customers: first page, by name", lambda: ours.customers(CustomerQuery()), raw.customers_by_name),
        Operation("customers: first page, by balance desc",
                  lambda: ours.customers(CustomerQuery(sort=Sort("balance", descending=True))),
                  raw.customers_by_balance),
        Operation("customers: first page, filter overdue",
                  lambda: ours.customers(CustomerQuery(filters=frozenset({"overdue"}))), raw.customers_overdue),
        Operation("customers: one row (detail pane)", lambda: ours.customer_one(busiest),
                  lambda: raw.customer_one(busiest)),
        Operation("invoices: first page, by issue date desc", lambda: ours.invoices(InvoiceQuery()), raw.invoices),
        Operation("invoices: first page, status overdue", lambda: ours.invoices(InvoiceQuery(status="overdue")),
                  lambda: raw.invoices(OVERDUE)),
        Operation("invoices: first page, by customer",
                  lambda: ours.invoices(InvoiceQuery(sort=Sort("customer"))),
                  lambda: raw.invoices(order="c.name, i.id")),
        Operation(f"invoices: search '{number}'", lambda: ours.invoices(InvoiceQuery(search=number)),
                  lambda: raw.invoices("(i.number LIKE :p ESCAPE '\\' OR i.description LIKE :p ESCAPE '\\')",
                                       p=pattern)),
        Operation("invoices: last window, by issue date desc", lambda: ours.invoices(InvoiceQuery(), offset=None),
                  lambda: raw.invoices(offset=last)),
        Operation("payments: first page, by date desc", lambda: ours.payments(PaymentQuery()), raw.payments),
    ]


def measure(ops: list[Operation], db: Database, runs: int) -> None:
    for op in ops:
        with recording(db, op.statements):  # the warm-up run: its statements are kept for --explain
            got = op.ours()
        want = op.baseline()
        if got != want:
            same_count = "same count" if got[0] == want[0] else f"count {got[0]:,} vs {want[0]:,}"
            op.mismatch = f"{same_count}; first ids {got[1][:3]} vs {want[1][:3]}"
        for _ in range(runs):
            t = time.perf_counter()
            op.ours()
            op.ours_ms.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            op.baseline()
            op.baseline_ms.append((time.perf_counter() - t) * 1000)
        print(f"  {op.name}: {op.ours_median:.1f} ms / {op.baseline_median:.1f} ms", file=sys.stderr)


def shorten(sql: str) -> str:
    """The SQL with the long per-currency CASE of `nominal()` and long IN lists cut short."""
    sql = re.sub(r"(WHEN \((\w+\.\w+) = \?\) THEN .+?)(?: WHEN \(\2 = \?\) THEN .+?)+ (?=ELSE)", r"\1 … ", sql)
    return re.sub(r"IN \(\?(?:, \?){3,}\)", "IN (?, ?, …)", sql)


def explain(ops: list[Operation], raw: Raw) -> str:
    out = []
    for op in ops:
        out.append(f"### {op.name}")
        for sql, params in op.statements:
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            out.append("```sql\n" + shorten(" ".join(sql.split())) + "\n```")
            plan = raw.con.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
            depth = {0: 0}
            lines = []
            for node, parent, _unused, detail in plan:
                depth[node] = depth.get(parent, 0) + 1
                lines.append("  " * (depth[node] - 1) + detail)
            out.append("```\n" + "\n".join(lines) + "\n```")
    return "\n".join(out)


# --- the Qt views --------------------------------------------------------------------------------

def measure_views(db: Database, today: date) -> list[tuple[str, str]]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from debtordesk.ui.app import make_app
    from debtordesk.ui.views.customers import CustomersView
    from debtordesk.ui.views.invoices import InvoicesView

    app = make_app(["bench"])
    results = []
    for name, make, list_of in (
        ("Invoices", lambda: InvoicesView(db, today), lambda v: v),
        ("Customers", lambda: CustomersView(db, today), lambda v: v.list),
    ):
        t0 = time.perf_counter()
        view = make()
        t1 = time.perf_counter()
        view.resize(1280, 800)
        view.refresh()
        view.show()
        app.processEvents()
        t2 = time.perf_counter()
        lv = list_of(view)
        shown = lv.model.rowCount()
        first = lv.model.index(0, 0).data()
        t3 = time.perf_counter()
        lv.table.scrollToBottom()
        app.processEvents()
        t4 = time.perf_counter()
        results.append((name, (
            f"built {1000 * (t1 - t0):.0f} ms, then refresh + show + paint {1000 * (t2 - t1):.0f} ms "
            f"(first rows shown after {1000 * (t2 - t0):.0f} ms; {shown:,} rows, first {first!r}); "
            f"scrollToBottom + paint {1000 * (t4 - t3):.0f} ms; rows_in_memory {lv.model.rows_in_memory:,}, "
            f"fetched since reset {lv.model.fetched_rows:,}")))
        view.close()
        view.deleteLater()
        app.processEvents()
    QApplication.processEvents()
    return results


# --- report --------------------------------------------------------------------------------------

def table(ops: list[Operation]) -> str:
    lines = ["| operation | ours (ms) | baseline (ms) | ratio |", "|---|---:|---:|---:|"]
    for op in ops:
        flag = " ⚠" if op.ours_median > FIRST_PAGE_BUDGET_MS or op.ratio > 2 else ""
        lines.append(f"| {op.name}{flag} | {op.ours_median:.1f} | {op.baseline_median:.1f} | {op.ratio:.1f}× |")
    return "\n".join(lines)


def ledger_counts(raw: Raw) -> str:
    parts = []
    for t in ("customer", "invoice", "payment", "allocation"):
        parts.append(f"{raw.scalar(f'SELECT count(*) FROM {t}'):,} {t}s")
    parts.append(f"{raw.scalar('SELECT count(*) FROM invoice WHERE open_minor > 0'):,} open invoices")
    parts.append(f"{raw.scalar('SELECT count(*) FROM invoice i WHERE ' + OVERDUE):,} overdue")
    return ", ".join(parts)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.lists", description=__doc__.split("\n\n")[0])
    p.add_argument("db", type=Path)
    p.add_argument("--today", type=date.fromisoformat, default=date(2026, 11, 24))
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--explain", action="store_true", help="print the query plans of the statements ours ran")
    p.add_argument("--no-views", action="store_true", help="skip the Qt views")
    p.add_argument("--out", type=Path, default=RESULTS, help=f"markdown results (default {RESULTS})")
    args = p.parse_args(argv)
    if not args.db.exists():
        p.error(f"{args.db} does not exist")
    if args.runs < 1:
        p.error("--runs must be at least 1")

    db = open_database(f"sqlite:///{args.db}")
    raw = Raw(args.db, args.today)
    try:
        counts = ledger_counts(raw)
        print(f"{args.db}: {counts}", file=sys.stderr)
        ops = operations(db, raw, args.today)
        measure(ops, db, args.runs)
        views = [] if args.no_views else measure_views(db, args.today)
        plans = explain(ops, raw) if args.explain else ""
    finally:
        raw.con.close()
        db.dispose()

    head = (f"Measured {date.today().isoformat()} on {platform.platform()} ({os.cpu_count()} CPUs), "
            f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}; "
            f"median of {args.runs} runs after one warm-up; today = {args.today}.")
    body = [
        "# List screens on a large ledger", "",
        f"Database: `{args.db.name}` — {counts}.", "", head, "",
        "Each operation counts the rows and reads a window of 200 (what a screen does when it opens). "
        "*ours* calls the services (a session per call, as the views do); *baseline* is the simplest plain "
        f"sqlite3 SQL returning the same rows. ⚠ marks ours over {FIRST_PAGE_BUDGET_MS} ms or over twice the "
        "baseline.", "",
        table(ops), "",
    ]
    mismatches = [op for op in ops if op.mismatch]
    if mismatches:
        body += ["Rows differing between ours and the baseline:", ""]
        body += [f"- {op.name}: {op.mismatch}" for op in mismatches] + [""]
    if views:
        body += ["## Qt views (offscreen, once)", ""] + [f"- **{name}**: {text}" for name, text in views] + [""]
    text = "\n".join(body)
    print(text)
    if plans:
        print("\n## Query plans (ours)\n")
        print(plans)
    if args.out:
        kept = ""  # notes written by hand below the marker survive a new run
        if args.out.exists():
            _, marker, tail = args.out.read_text(encoding="utf-8").partition(NOTES_MARKER)
            kept = marker + tail
        args.out.write_text(text + ("\n" + kept if kept else ""), encoding="utf-8")
        print(f"(written to {args.out})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
