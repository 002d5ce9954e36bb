"""The Invoices screen on the whole ledger: open it (count, first window by issue date, newest
first) and jump to the end. Ours drives the real InvoicesView offscreen (its paged table model
reads blocks of 200 through the services as the view paints them); the baseline is plain sqlite3
keyset paging over the same order."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

from bench.core import Context, Target

TITLE = "invoice list: open + first window + scroll to the end"
TARGET = Target(ratio=2)
PAGE = 200

NOTE_TEXT = ("Ours is the real InvoicesView built once offscreen (QT_QPA_PLATFORM=offscreen); each run "
             "reloads it (count_invoices), paints the first window (list_invoices, offset 0, issue date "
             "newest first), calls table.scrollToBottom() and paints again, which reads the last block "
             "(OFFSET near the count) — painting included. The baseline is plain sqlite3 keyset paging: "
             "count(*), the first 200 rows ORDER BY issue_date DESC, id DESC with the customer joined, and "
             "the last 200 read as ORDER BY issue_date ASC, id ASC LIMIT 200 and reversed — no painting. "
             "Memory stays flat: {memory}.")
NOTE = NOTE_TEXT.format(memory="the model keeps at most 8 blocks of 200 rows")

COLUMNS = ("i.id, i.number, i.customer_id, c.ref, c.name, i.issue_date, i.due_date, i.amount_minor, "
           "i.open_minor, i.currency, i.disputed")


def _view(ctx: Context):
    """The InvoicesView on the ledger, shown offscreen, and the application."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from debtordesk.db.engine import open_database
    from debtordesk.ui.app import make_app
    from debtordesk.ui.views.invoices import InvoicesView

    app = make_app(["bench"])
    db = open_database(f"sqlite:///{ctx.db}")
    view = InvoicesView(db, ctx.today)
    view.resize(1280, 800)
    return app, view


def _open_and_scroll(app, view) -> None:
    view.reload()  # count, model reset (the view goes back to the top)
    view.show()
    app.processEvents()  # paint: the first block is read
    view.table.scrollToBottom()
    app.processEvents()  # paint: the last block is read


def ours(ctx: Context):
    app, view = _view(ctx)
    return lambda: _open_and_scroll(app, view)


def baseline(ctx: Context):
    con = sqlite3.connect(ctx.db)
    select = f"SELECT {COLUMNS} FROM invoice i JOIN customer c ON c.id = i.customer_id "

    def run():
        n = con.execute("SELECT count(*) FROM invoice").fetchone()[0]
        first = con.execute(select + "ORDER BY i.issue_date DESC, i.id DESC LIMIT ?", (PAGE,)).fetchall()
        last = con.execute(select + "ORDER BY i.issue_date ASC, i.id ASC LIMIT ?", (PAGE,)).fetchall()
        last.reverse()
        return n, first, last

    return run


def prepare(ctx: Context) -> None:
    """Run the view once in a child process (the parent stays free of Qt, and its memory would
    count in every side's peak) to check its rows and fill in the NOTE."""
    global NOTE
    out = subprocess.run([sys.executable, "-m", __name__, *ctx.args()], check=True, capture_output=True, text=True)
    held = json.loads(out.stdout.strip().splitlines()[-1])
    if not held["same_rows"]:
        raise AssertionError("b_invoices: the view shows other rows than the baseline reads")
    NOTE = NOTE_TEXT.format(memory=(
        f"after the scroll the model holds rows_in_memory = {held['rows_in_memory']:,} of {held['rows']:,} rows "
        f"(fetched_rows = {held['fetched_rows']:,} since the reload)")) + (
        f" The service calls alone (count, first window, last window by OFFSET; no Qt) took "
        f"{held['services_ms']:.1f} ms in the check run.")


def _held(ctx: Context) -> dict:
    """One open-and-scroll: what the model holds afterwards, whether the rows at the top and the
    bottom are the baseline's, and (for the note) the service calls alone, without painting."""
    import statistics
    import time

    from debtordesk.services.invoices import InvoiceQuery, count_invoices, list_invoices

    app, view = _view(ctx)
    _open_and_scroll(app, view)
    model = view.model
    held = {"rows_in_memory": model.rows_in_memory, "fetched_rows": model.fetched_rows}
    n, first, last = baseline(ctx)()
    top = [model.row_at(i).id for i in range(PAGE)]
    bottom = [model.row_at(i).id for i in range(n - PAGE, n)]
    held.update(rows=model.rowCount(),
                same_rows=top == [r[0] for r in first] and bottom == [r[0] for r in last])
    db, query, times = view.db, InvoiceQuery(), []
    for _ in range(6):
        start = time.perf_counter()
        with db.session() as s:
            count = count_invoices(s, query, ctx.today)
        with db.session() as s:
            list_invoices(s, query, ctx.today, 0, PAGE)
        with db.session() as s:
            list_invoices(s, query, ctx.today, max(count - PAGE, 0), PAGE)
        times.append(time.perf_counter() - start)
    held["services_ms"] = statistics.median(times[1:]) * 1000
    return held


if __name__ == "__main__":  # prepare()'s child: python -m bench.b_invoices --db ... --work ... --today ...
    from datetime import date
    from pathlib import Path

    a = dict(zip(sys.argv[1::2], sys.argv[2::2], strict=False))
    print(json.dumps(_held(Context(Path(a["--db"]), Path(a["--work"]), date.fromisoformat(a["--today"])))))
