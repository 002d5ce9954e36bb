"""The prioritised worklist over the whole ledger: every overdue debt of every customer with its
risk score (12 months of payment history in two halves, invoices paid late, promises to pay, the
overdue share and age), ordered by amount, age and risk, as services.risk.worklist gives it.

The large ledger has no promises to pay (it predates them): `prepare` copies it into the work
folder, brings the copy up to the current schema and adds promises made in the last 12 months to
it, one kept and one broken for every tenth payment of the year. The ledger itself is not touched."""

from __future__ import annotations

import sqlite3

from bench.core import Context, Target

TITLE = "prioritised worklist with the risk score of every overdue customer (whole ledger)"
TARGET = Target(seconds=4.0)

NOTE = ("Ours only (no baseline): the worklist reads the open items once, the days late of the two "
        "half-years and the invoices paid late through the KPI service's queries, the promises kept and "
        "broken in one aggregate, then scores each overdue customer and sorts. The ledger copy has "
        "promises added: one kept and one broken per tenth payment of the last 12 months.")

PROMISES = """
INSERT INTO promise (customer_id, currency, amount_minor, promised_on, due_date, grace_days, note,
                     cancelled_on, broken_on, created_by, created_at, version)
SELECT customer_id, currency, amount_minor * (CASE WHEN id % 20 = 0 THEN 1 ELSE 3 END),
       date(date, '-10 days'), date(date, '-2 days'), 3, '', NULL, NULL, 'bench', :today, 1
FROM payment WHERE date > date(:today, '-350 days') AND date <= :today AND id % 10 = 0
"""


def copy_path(ctx: Context):
    return ctx.work / "risk-ledger.sqlite3"


def prepare(ctx: Context) -> None:
    from debtordesk.db.engine import open_database

    target = copy_path(ctx)
    if target.exists():
        return
    src, dst = sqlite3.connect(ctx.db), sqlite3.connect(target)
    src.backup(dst)
    src.close()
    dst.close()
    open_database(f"sqlite:///{target}").dispose()  # migrate the copy
    con = sqlite3.connect(target)
    with con:
        con.execute(PROMISES, {"today": ctx.today.isoformat()})
    con.close()


def ours(ctx: Context):
    from debtordesk.db.engine import open_database
    from debtordesk.services.risk import worklist

    db = open_database(f"sqlite:///{copy_path(ctx)}")

    def run():
        with db.session() as s:
            return len(worklist(s, ctx.today))

    return run
