"""Copying the whole database into an empty one: SQLite to SQLite always; SQLite to PostgreSQL and
back when a server is given (DEBTORDESK_TEST_PG)."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from debtordesk.db.engine import open_database
from debtordesk.db.models import AuditEntry, Customer, Letter
from debtordesk.domain.progress import Cancelled
from debtordesk.services import transfer
from debtordesk.services.transfer import TransferError, copy_database
from fullbooks import PDF, full_books
from pgscratch import scratch_database


@pytest.fixture
def books(tmp_path):
    """A SQLite file full of data (always a file, whichever server the other tests use)."""
    db = open_database(f"sqlite:///{tmp_path / 'books.sqlite3'}")
    full_books(db)
    yield db
    db.dispose()


def _copy(db, url, **kw):
    with db.session() as s:
        return copy_database(s, url, **kw)


def test_a_copy_into_a_new_file_has_every_row_and_every_amount(books, tmp_path):
    target = tmp_path / "copy.sqlite3"
    seen = []
    result = _copy(books, f"sqlite:///{target}", report=seen.append)
    assert result.agrees
    audit = result.counts["audit_log"]
    assert result.counts["invoice"] == (240, 240) and audit[0] == audit[1] >= 3
    assert result.counts["letter"] == (1, 1) and result.counts["statement_line"] == (1, 1)
    assert set(result.currency_totals()) == {"EUR", "GBP", "USD"}
    assert all(s == t and s != 0 for s, t in result.currency_totals().values())
    assert any(p.text.startswith("Copying invoice") for p in seen) and seen[-1].text.startswith("Comparing")
    copy = open_database(f"sqlite:///{target}")
    try:
        with copy.session() as s:
            assert s.scalars(select(Letter.pdf)).one() == PDF
            assert s.scalar(select(Customer.name).where(Customer.id == 7)) == "Müller & Söhne GmbH"
        text = "\n".join(result.lines())
        assert "invoice" in text and str(target) in text
    finally:
        copy.dispose()


def test_a_target_that_holds_data_is_refused_in_plain_words(books, tmp_path):
    other = open_database(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    full_books(other, customers=3, invoices=5)
    other.dispose()
    with pytest.raises(TransferError, match=r"already holds DebtorDesk data \(3 customers and 5 invoices\)\. "
                                            r"DebtorDesk copies only into an empty database"):
        _copy(books, f"sqlite:///{tmp_path / 'other.sqlite3'}")
    with pytest.raises(TransferError, match="is the database that is open"):
        _copy(books, books.url)


def test_a_copy_that_does_not_match_is_undone_and_its_file_removed(books, tmp_path, monkeypatch):
    real = transfer.iter_chunks

    def careless(conn, table, size=2000):
        for chunk in real(conn, table, size):
            if table.name == "audit_log":
                chunk = [row for row in chunk if row["id"] != 2]  # an entry lost on the way
            if table.name == "statement_line":
                chunk = [{**row, "amount_minor": row["amount_minor"] + 50} for row in chunk]  # 50 cents out
            yield chunk

    monkeypatch.setattr(transfer, "iter_chunks", careless)
    target = tmp_path / "bad.sqlite3"
    with pytest.raises(TransferError) as caught:
        _copy(books, f"sqlite:///{target}")
    assert not target.exists()
    said = str(caught.value)
    assert said.startswith("The copy was undone because it does not match this database:")
    with books.session() as s:
        entries = s.scalar(select(func.count()).select_from(AuditEntry))
    assert f"audit_log: {entries:,} rows here, {entries - 1:,} in the copy" in said
    assert "statement_line.amount_minor in EUR: -4,250 here, -4,200 in the copy" in said


def test_a_cancelled_copy_leaves_nothing_behind(books, tmp_path):
    target = tmp_path / "cancelled.sqlite3"
    calls = []

    def should_cancel():
        calls.append(1)
        return len(calls) > 3

    with pytest.raises(Cancelled):
        _copy(books, f"sqlite:///{target}", should_cancel=should_cancel)
    assert not target.exists()


def test_sqlite_to_postgresql_and_back_keeps_every_row_and_amount(books, tmp_path):
    with scratch_database("mover_test") as server_db:
        started = time.monotonic()
        there = _copy(books, server_db)
        assert there.agrees and there.counts["invoice"] == (240, 240) and there.counts["letter"] == (1, 1)
        pg = open_database(server_db)
        try:
            with pg.transaction() as s:  # new rows on the server get fresh ids after the copied ones
                added = Customer(ref="NEW-1", name="New after the copy")
                s.add(added)
                s.flush()
                assert added.id == 25
                s.rollback()
            back = tmp_path / "back.sqlite3"
            with pg.session() as s:
                again = copy_database(s, f"sqlite:///{back}")
        finally:
            pg.dispose()
        assert again.agrees
        assert again.counts == there.counts
        assert again.currency_totals() == there.currency_totals()
        print(f"round trip: {there.rows} rows, {time.monotonic() - started:.2f} s")
        copy = open_database(f"sqlite:///{back}")
        try:
            with copy.session() as s:
                assert s.scalars(select(Letter.pdf)).one() == PDF
        finally:
            copy.dispose()
