"""Pulling the plug: an import killed half-way through writing leaves the database whole and as it
was — every row and every amount — because the import is one transaction and SQLite's journal
throws away what was never committed."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from debtordesk.db.engine import open_database
from debtordesk.db.models import Customer
from debtordesk.services.demo import fill_demo
from helpers import file_fingerprint

pytestmark = pytest.mark.sqlite_only
ROWS = 60_000  # a few seconds of writing on a slow machine
STARTED = 1024 * 1024  # this much in the -wal file: rows are being written, not only checked


def test_an_import_killed_while_writing_leaves_the_database_whole_and_unchanged(tmp_path):
    path = tmp_path / "books.sqlite3"
    db = open_database(f"sqlite:///{path}")
    with db.transaction() as s:
        fill_demo(s, date(2026, 11, 24))
    with db.session() as s:
        refs = list(s.scalars(select(Customer.ref)))
    db.close()
    before = file_fingerprint(path)
    big = tmp_path / "big.csv"
    with big.open("w", encoding="utf-8") as out:  # the CLI's plain invoice file
        out.write("number,customer_ref,issue_date,amount\n")
        for i in range(ROWS):
            out.write(f"BIG-{i:06d},{refs[i % len(refs)]},2026-{1 + i % 12:02d}-{1 + i % 28:02d},"
                      f"{10 + i % 5000}.{i % 100:02d}\n")
    wal = Path(f"{path}-wal")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "debtordesk", "--db", str(path), "import", "invoices", str(big)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        deadline = time.monotonic() + 60
        while not (wal.exists() and wal.stat().st_size > STARTED):
            assert proc.poll() is None, f"the import ended before it was stopped: {proc.communicate()}"
            assert time.monotonic() < deadline, "the import did not start writing within a minute"
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == -signal.SIGKILL and b"Imported" not in out
    assert wal.stat().st_size > STARTED  # the half-written transaction is still there, uncommitted
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert raw.execute("SELECT count(*) FROM invoice WHERE number LIKE 'BIG-%'").fetchone() == (0,)
    assert file_fingerprint(path) == before
    open_database(f"sqlite:///{path}").close()  # and DebtorDesk opens it as usual
