"""The backups folder: names that say which database, when and why; rotation that keeps the newest
N of each database and never touches a file that is not ours; damaged files refused on open."""

import sqlite3
from datetime import datetime, timedelta

import pytest

from debtordesk.db.backups import backups_dir, latest_backup, list_backups, parse_name, rotate, take_backup
from debtordesk.db.engine import DatabaseDamaged, open_database
from helpers import add_customer, add_invoice

pytestmark = pytest.mark.sqlite_only
T0 = datetime(2026, 11, 25, 9, 14)


def test_a_backup_is_named_after_the_database_the_time_and_the_reason(db_path, db):
    with db.transaction() as s:
        add_customer(s)
    backup = take_backup(db_path, "on-close", now=T0)
    assert backup.path == backups_dir() / "books-2026-11-25-0914-on-close.sqlite3"
    assert (backup.database, backup.taken, backup.why) == ("books", T0, "when DebtorDesk closed")
    with sqlite3.connect(backup.path) as raw:
        assert raw.execute("SELECT ref FROM customer").fetchall() == [("ACME",)]
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # a standalone file
    again = take_backup(db_path, "on-close", now=T0)  # same minute, same reason: a second file
    assert again.path.name == "books-2026-11-25-0914-on-close-2.sqlite3"
    assert [b.path.name for b in list_backups(db_path)] == [again.path.name, backup.path.name]
    assert sorted(p.name for p in backups_dir().iterdir()) == sorted([again.path.name, backup.path.name])


def test_rotation_keeps_the_newest_of_each_database_and_never_touches_other_files(db_path, db, tmp_path):
    other = tmp_path / "other.sqlite3"
    open_database(f"sqlite:///{other}").dispose()
    for i in range(5):
        take_backup(db_path, "on-close", now=T0 + timedelta(hours=i))
    take_backup(other, "manual", now=T0)
    folder = backups_dir()
    strangers = ["notes.txt", "books-2026-11-25-0914-on-close.sqlite3.keep", "books-yesterday.sqlite3",
                 "books-2026-11-25-0914-because.sqlite3", "Books-2026-11-25-0914-on-close.sqlite3"]
    for name in strangers:
        (folder / name).write_text("mine")
    (folder / "books-1999-01-01-0000-manual.sqlite3").mkdir()  # a folder named like a backup
    gone = rotate(db_path, 2)
    assert [p.name for p in gone] == ["books-2026-11-25-1114-on-close.sqlite3",
                                      "books-2026-11-25-1014-on-close.sqlite3",
                                      "books-2026-11-25-0914-on-close.sqlite3"]
    assert [b.path.name for b in list_backups(db_path)] == ["books-2026-11-25-1314-on-close.sqlite3",
                                                             "books-2026-11-25-1214-on-close.sqlite3"]
    assert [b.path.name for b in list_backups(other)] == ["other-2026-11-25-0914-manual.sqlite3"]
    assert all((folder / name).read_text() == "mine" for name in strangers)
    assert latest_backup(db_path).taken == T0 + timedelta(hours=4)


def test_names_that_are_not_ours_are_not_read_as_backups(tmp_path):
    assert parse_name(tmp_path / "books-2026-13-45-0914-on-close.sqlite3") is None  # no such date
    assert parse_name(tmp_path / "books-2026-11-25-0914-on-close.sqlite3.part") is None
    found = parse_name(tmp_path / "my-books-2026-11-25-0914-before-restore-3.sqlite3")
    assert (found.database, found.reason, found.n) == ("my-books", "before-restore", 3)


def older_database(path, revision: str = "0009") -> None:
    """A database file as an older version of DebtorDesk left it."""
    from alembic import command

    from debtordesk.db.engine import alembic_config, make_engine

    engine = make_engine(f"sqlite:///{path}", for_migration=True)
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    engine.dispose()


def test_upgrading_takes_a_backup_and_keeps_the_number_stored_in_the_settings(db_path):
    older_database(db_path)
    with sqlite3.connect(db_path) as raw:
        raw.execute("INSERT INTO setting (key, value) VALUES ('backups.keep', '3')")
    for i in range(5):  # last week's
        take_backup(db_path, "on-close", now=datetime.now() - timedelta(days=7, minutes=i))
    upgraded = open_database(f"sqlite:///{db_path}")
    upgraded.dispose()
    kept = list_backups(db_path)
    assert [b.reason for b in kept] == ["before-upgrade", "on-close", "on-close"]
    assert upgraded.migration_copy == kept[0].path
    with sqlite3.connect(kept[0].path) as raw:
        assert raw.execute("SELECT version_num FROM alembic_version").fetchone() == ("0009",)


def _damage(path, offset: int, length: int) -> None:
    with open(path, "r+b") as handle:
        handle.seek(offset)
        handle.write(b"\xa5" * length)


def _ledger(db) -> None:
    with db.transaction() as s:
        for i in range(40):
            c = add_customer(s, f"C{i:02d}", f"Customer {i} " + "x" * 150)
            for j in range(5):
                add_invoice(s, c, f"I-{i:02d}-{j}", "2026-01-01", "2026-01-31", 1000 + j)


def test_a_file_with_damaged_pages_is_refused_naming_the_file(db_path, db):
    _ledger(db)
    db.close()
    size = db_path.stat().st_size
    _damage(db_path, size // 2, 4096)  # the middle of the file: table and index pages
    with pytest.raises(DatabaseDamaged) as caught:
        open_database(f"sqlite:///{db_path}")
    assert str(db_path) in str(caught.value) and "is damaged" in str(caught.value)
    assert caught.value.path == db_path


def test_a_file_with_a_damaged_header_is_refused_naming_the_file(db_path, db):
    _ledger(db)
    db.close()
    _damage(db_path, 0, 100)
    with pytest.raises(DatabaseDamaged) as caught:
        open_database(f"sqlite:///{db_path}")
    assert f"{db_path} cannot be opened: it is damaged" in str(caught.value)


def test_a_healthy_database_counts_the_transactions_that_changed_something(db):
    with db.session() as s:
        s.execute(sqlite3_version_query()).all()
    with db.transaction() as s:
        s.execute(sqlite3_version_query()).all()
    assert db.writes == 0
    with db.transaction() as s:
        add_customer(s)
    assert db.writes == 1


def sqlite3_version_query():
    from sqlalchemy import text

    return text("SELECT sqlite_version()")
