"""Importing a CSV file of 100,000 invoices into a database of 50,000 customers: what
`debtordesk import invoices FILE` does (import_csv, then commit), against a plain csv + sqlite3
load of the same file. Each run starts from a fresh copy of the same database (untimed)."""

from __future__ import annotations

import csv
import random
import shutil
import sqlite3
import subprocess
import sys
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from bench.core import Context, Target

TITLE = "CSV import of 100k invoices"
TARGET = Target(ratio=3)
ROWS = 100_000
SEED = 7

NOTE = ("A file of 100,000 valid invoice rows (half with a due date, half taking the customer's terms; "
        "about a fifth in EUR or USD, the rest with the currency left blank for the base currency) goes into "
        "a copy of the ledger's 50,000 customers. Ours is import_csv in one transaction, with all its checks "
        "(header, every field, duplicate numbers in the file and the database, unknown customers, due after "
        "issue) before anything is written. The baseline reads the file with the csv module, looks the "
        "customers up with one query, converts dates and amounts without checking them and inserts the rows "
        "with executemany in one transaction, with the same connection settings as the app (foreign keys on, "
        "WAL, synchronous=NORMAL). prepare() checks both leave the same invoice rows.")


def _paths(ctx: Context) -> tuple[Path, Path]:
    return ctx.work / "import-base.sqlite3", ctx.work / f"invoices-{ROWS}.csv"


def _fresh(ctx: Context, name: str) -> Path:
    """A fresh copy of the base database (the file and nothing else: the base is closed)."""
    base, _ = _paths(ctx)
    dest = ctx.work / name
    for suffix in ("", "-wal", "-shm"):
        Path(f"{dest}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(base, dest)
    return dest


def _write_base(ctx: Context, base: Path) -> list[str]:
    """A DebtorDesk database (the app's migrations) holding the ledger's customers and company only."""
    from debtordesk.db.engine import open_database

    tmp = base.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    open_database(f"sqlite:///{tmp}").dispose()
    con = sqlite3.connect(tmp)
    con.execute("ATTACH DATABASE ? AS ledger", (str(ctx.db),))  # read only: nothing is written to it
    with con:
        for table in ("company_profile", "customer"):
            cols = ", ".join(r[1] for r in con.execute(f"PRAGMA main.table_info({table})"))
            con.execute(f"INSERT INTO main.{table} ({cols}) SELECT {cols} FROM ledger.{table}")
    refs = [r[0] for r in con.execute("SELECT ref FROM main.customer WHERE archived = 0 ORDER BY id")]
    con.execute("DETACH DATABASE ledger")
    con.execute("PRAGMA journal_mode=DELETE")  # one self-contained file to copy
    con.execute("ANALYZE")
    con.close()
    tmp.replace(base)
    return refs


def _write_csv(path: Path, refs: list[str], today: date) -> None:
    rng = random.Random(SEED)
    first = today - timedelta(days=730)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["number", "customer_ref", "issue_date", "amount", "due_date", "currency", "description"])
        for n in range(1, ROWS + 1):
            issue = first + timedelta(days=rng.randrange(731))
            due = (issue + timedelta(days=rng.choice((14, 30, 45, 60)))).isoformat() if rng.random() < 0.5 else ""
            cur = rng.choices(("", "EUR", "USD"), (80, 12, 8))[0]
            minor = rng.randrange(2_000, 2_000_000)
            w.writerow([f"IMP-{n:07d}", rng.choice(refs), issue.isoformat(), f"{minor // 100}.{minor % 100:02d}",
                        due, cur, f"Imported work order {rng.randrange(1_000_000)}"])


def prepare(ctx: Context) -> None:
    """Write the base database and the file once, in a child process: the parent's memory would
    count in every side's peak."""
    base, path = _paths(ctx)
    if not base.exists() or not path.exists():
        subprocess.run([sys.executable, "-m", __name__, *ctx.args()], check=True)


def _prepare_here(ctx: Context) -> None:
    base, path = _paths(ctx)
    refs = _write_base(ctx, base)
    _write_csv(path, refs, ctx.today)
    _check_same(ctx)


def _check_same(ctx: Context) -> None:
    """Both sides, once each: the invoices they leave must be the same."""
    results = []
    for side, name in ((ours, "check-ours.sqlite3"), (baseline, "check-baseline.sqlite3")):
        before, run = side(ctx, name)
        before()
        run()
        con = sqlite3.connect(ctx.work / name)
        results.append(con.execute(
            "SELECT number, customer_id, issue_date, due_date, amount_minor, open_minor, currency, description, "
            "disputed, version FROM invoice ORDER BY number").fetchall())
        con.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{ctx.work / name}{suffix}").unlink(missing_ok=True)
    if len(results[0]) != ROWS or results[0] != results[1]:
        raise AssertionError("b_import: ours and the baseline leave different invoices")


def ours(ctx: Context, name: str = "run-ours.sqlite3"):
    from debtordesk.db.engine import open_database
    from debtordesk.services.imports import import_csv

    _, path = _paths(ctx)
    state = {}

    def before():
        if "db" in state:
            state["db"].dispose()
        state["db"] = open_database(f"sqlite:///{_fresh(ctx, name)}")

    def run():
        with state["db"].transaction() as session:  # what `debtordesk import invoices` does
            return import_csv(session, "invoices", path).rows

    return before, run


INSERT = ("INSERT INTO invoice (number, customer_id, issue_date, due_date, amount_minor, open_minor, currency, "
          "description, disputed, created_at, version, disputed_minor, discount_percent, discount_days) "
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, 1, 0, '', 0)")


def baseline(ctx: Context, name: str = "run-baseline.sqlite3"):
    _, path = _paths(ctx)
    state = {}

    def before():
        if "con" in state:
            state["con"].close()
        con = sqlite3.connect(_fresh(ctx, name), isolation_level=None)
        con.execute("PRAGMA foreign_keys=ON")
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=NORMAL")
        state["con"] = con

    def run():
        con = state["con"]
        base = con.execute("SELECT base_currency FROM company_profile ORDER BY id LIMIT 1").fetchone()[0] or "GBP"
        customers = {ref: (cid, terms) for ref, cid, terms in con.execute("SELECT ref, id, terms_days FROM customer")}
        now = datetime.now().isoformat(" ")
        rows = []
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.reader(f)
            header = next(reader)
            at = {c: header.index(c) for c in header}
            i_num, i_ref, i_issue, i_amount = at["number"], at["customer_ref"], at["issue_date"], at["amount"]
            i_due, i_cur, i_desc = at["due_date"], at["currency"], at["description"]
            for r in reader:
                cid, terms = customers[r[i_ref]]
                due = r[i_due] or (date.fromisoformat(r[i_issue]) + timedelta(days=terms)).isoformat()
                minor = int(Decimal(r[i_amount]).scaleb(2))
                rows.append((r[i_num], cid, r[i_issue], due, minor, minor, r[i_cur] or base, r[i_desc], now))
        con.execute("BEGIN")
        con.executemany(INSERT, rows)
        con.execute("COMMIT")
        return len(rows)

    return before, run


if __name__ == "__main__":  # prepare()'s child: python -m bench.b_import --db ... --work ... --today ...
    a = dict(zip(sys.argv[1::2], sys.argv[2::2], strict=False))
    _prepare_here(Context(Path(a["--db"]), Path(a["--work"]), date.fromisoformat(a["--today"])))
