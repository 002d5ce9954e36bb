"""A dunning run as of a date over the whole ledger: the service (what the Dunning screen and
`debtordesk dunning` call) against one hand-written SQL aggregate that finds the same accounts."""

from __future__ import annotations

import sqlite3

from bench.core import Context, Target

TITLE = "dunning run: next letter for every overdue customer"
TARGET = Target(seconds=2.0)

NOTE = ("Ours reads every overdue invoice (with its number, dates and amounts, which the run screen, the "
        "letters and the interest workings need), the last letter of each customer and decides one level "
        "per account with the reason for each skip. The baseline only sums the overdue amounts per "
        "customer and currency in SQL and picks a level from the oldest due date, with no reasons, no "
        "invoice lines and no letter history.")

RAW = """
SELECT i.customer_id, i.currency, SUM(i.open_minor), MIN(i.due_date), COUNT(*)
FROM invoice i JOIN customer c ON c.id = i.customer_id
WHERE i.open_minor > 0 AND i.due_date < :as_of AND i.disputed = 0 AND c.archived = 0 AND c.on_hold = 0
GROUP BY i.customer_id, i.currency
"""


def ours(ctx: Context):
    from debtordesk.db.engine import open_database
    from debtordesk.services.dunning import dunning_run

    db = open_database(f"sqlite:///{ctx.db}")

    def run():
        with db.session() as s:
            return len(dunning_run(s, ctx.today))

    return run


def baseline(ctx: Context):
    from datetime import date

    con = sqlite3.connect(ctx.db)
    thresholds = (50, 35, 21, 7)

    def run():
        levels = {}
        for cid, cur, total, oldest, _n in con.execute(RAW, {"as_of": ctx.today.isoformat()}):
            days = (ctx.today - date.fromisoformat(oldest)).days
            levels[(cid, cur)] = next((4 - i for i, t in enumerate(thresholds) if days >= t), 0), total
        return len(levels)

    return run
