import sqlite3
from datetime import date, datetime

import pytest
from alembic import command as alembic_command
from alembic.script import ScriptDirectory
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from debtordesk.db import engine as engine_mod
from debtordesk.db.backups import backups_dir
from debtordesk.db.engine import StorageError, head_revision, open_database
from debtordesk.db.models import Customer, Invoice
from helpers import add_customer, add_invoice


@pytest.mark.sqlite_only
def test_pragmas_on_every_connection(db):
    with db.engine.connect() as conn:
        fk = conn.exec_driver_sql("PRAGMA foreign_keys").scalar()
        mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
        timeout = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
    assert (fk, mode, timeout) == (1, "wal", 10000)


def test_schema_is_at_head(db):
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head_revision()


def test_foreign_keys_and_checks_are_enforced(db):
    with pytest.raises(IntegrityError), db.transaction() as s:
        s.add(Invoice(number="X", customer_id=999, issue_date=date(2026, 1, 1),
                      due_date=date(2026, 1, 1), amount_minor=100, currency="GBP"))
    with pytest.raises(IntegrityError), db.transaction() as s:
        c = add_customer(s)
        add_invoice(s, c, "N", "2026-01-01", "2026-01-31", -5)
    with pytest.raises(IntegrityError), db.transaction() as s:
        c = add_customer(s)
        add_invoice(s, c, "D", "2026-02-01", "2026-01-31", 500)


def test_customer_with_invoices_cannot_be_deleted(db):
    with db.transaction() as s:
        c = add_customer(s)
        add_invoice(s, c, "A-1", "2026-01-01", "2026-01-31", 100)
    with pytest.raises(IntegrityError), db.transaction() as s:
        s.execute(text("DELETE FROM customer"))


def test_a_lost_update_is_refused(db):
    with db.transaction() as s:
        add_customer(s)
    first, second = db.session(), db.session()
    a = first.get(Customer, 1)
    b = second.get(Customer, 1)
    a.name = "Acme Limited"
    first.commit()
    b.name = "ACME PLC"
    with pytest.raises(StaleDataError):
        second.commit()
    first.close()
    second.close()


def test_reopening_a_current_database_takes_no_copy(db_path, db):
    again = open_database(f"sqlite:///{db_path}")
    assert again.migration_copy is None
    again.dispose()


@pytest.mark.sqlite_only
def test_upgrading_takes_a_copy_first(db_path, db, monkeypatch):
    with db.transaction() as s:
        add_customer(s)
    db.dispose()
    with sqlite3.connect(db_path) as raw:  # pretend the file was made by an older version
        raw.execute("UPDATE alembic_version SET version_num = 'base0'")
    real_walk = ScriptDirectory.walk_revisions
    monkeypatch.setattr(engine_mod, "head_revision", lambda: "0001")
    monkeypatch.setattr(
        alembic_command, "upgrade",
        lambda cfg, rev: cfg.attributes["connection"].exec_driver_sql(
            "UPDATE alembic_version SET version_num = '0001'"),
    )

    class _Rev:
        revision = "base0"

    monkeypatch.setattr(ScriptDirectory, "walk_revisions",
                        lambda self: [*real_walk(self), _Rev()])
    copy = engine_mod.migrate(f"sqlite:///{db_path}", now=datetime(2026, 11, 24, 9, 30))
    # into the backups folder, named after the database, the time and the reason; nothing beside the file
    assert copy == backups_dir() / "books-2026-11-24-0930-before-upgrade.sqlite3"
    assert not [p.name for p in db_path.parent.iterdir() if "before" in p.name or p.suffix == ".bak"]
    with sqlite3.connect(copy) as raw:
        assert raw.execute("SELECT version_num FROM alembic_version").fetchone() == ("base0",)
        assert raw.execute("SELECT ref FROM customer").fetchall() == [("ACME",)]


@pytest.mark.sqlite_only
def test_a_database_from_a_newer_version_is_refused(db_path, db):
    db.dispose()
    with sqlite3.connect(db_path) as raw:
        raw.execute("UPDATE alembic_version SET version_num = 'future9'")
    with pytest.raises(StorageError, match="newer version"):
        open_database(f"sqlite:///{db_path}")


def test_files_that_are_not_ours_are_refused(tmp_path):
    junk = tmp_path / "notes.sqlite3"
    junk.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(StorageError, match="not a DebtorDesk database"):
        open_database(f"sqlite:///{junk}")
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as raw:
        raw.execute("CREATE TABLE recipes (id INTEGER)")
    with pytest.raises(StorageError, match="not a DebtorDesk database"):
        open_database(f"sqlite:///{other}")
    assert sqlite3.connect(other).execute("SELECT name FROM sqlite_master").fetchall() == [("recipes",)]


def test_a_0001_database_with_payments_upgrades_with_open_amounts(tmp_path):
    from alembic import command

    from debtordesk.db.ledger import drift
    from debtordesk.db.models import Payment

    path = tmp_path / "old.sqlite3"
    engine = engine_mod.make_engine(f"sqlite:///{path}", for_migration=True)
    cfg = engine_mod.alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.exec_driver_sql(
            "INSERT INTO customer (id, ref, name, contact_person, email, phone, address_line1, address_line2,"
            " postcode, city, country, language, kind, terms_days, on_hold, notes, archived, created_at, version)"
            " VALUES (1, 'A', 'A Ltd', '', '', '', '', '', '', '', '', 'en', 'business', 30, 0, '', 0,"
            " '2026-01-01 00:00:00', 1)")
        conn.exec_driver_sql(
            "INSERT INTO invoice (id, number, customer_id, issue_date, due_date, amount_minor, currency,"
            " description, disputed, created_at, version) VALUES"
            " (1, 'I-1', 1, '2026-01-01', '2026-01-31', 10000, 'GBP', '', 0, '2026-01-01 00:00:00', 1),"
            " (2, 'I-2', 1, '2026-01-02', '2026-02-01', 5000, 'GBP', '', 0, '2026-01-01 00:00:00', 1)")
        conn.exec_driver_sql(
            "INSERT INTO payment (id, customer_id, date, amount_minor, currency, reference, method,"
            " created_at) VALUES (1, 1, '2026-02-01', 12000, 'GBP', '', '', '2026-02-01 00:00:00')")
        conn.exec_driver_sql("INSERT INTO allocation (payment_id, invoice_id, amount_minor) VALUES (1, 1, 10000)")
    engine.dispose()
    db = open_database(f"sqlite:///{path}")
    try:
        assert db.migration_copy is not None
        with db.session() as s:
            assert [(i.number, i.open_minor) for i in s.scalars(select(Invoice).order_by(Invoice.id))] == [
                ("I-1", 0), ("I-2", 5000)]
            assert s.scalar(select(Payment.unapplied_minor)) == 2000
            assert drift(s) == []
    finally:
        db.dispose()


def test_migrations_build_exactly_the_models(db):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from debtordesk.db.models import Base

    with db.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


@pytest.mark.sqlite_only
def test_closing_keeps_planner_statistics(db_path, db):
    with db.transaction() as s:
        for i in range(3):
            add_customer(s, f"R{i}", f"Customer {i}")
    db.close()
    with sqlite3.connect(db_path) as raw:
        assert raw.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone() == (1,)


def test_the_head_known_without_alembic_is_the_migrations_head():
    assert engine_mod.HEAD == head_revision()


@pytest.mark.sqlite_only
def test_opening_a_current_database_does_not_import_alembic(db_path, db):
    import subprocess
    import sys

    code = ("import sys; from debtordesk.db.engine import open_database; "
            f"open_database('sqlite:///{db_path}').dispose(); print('alembic' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
