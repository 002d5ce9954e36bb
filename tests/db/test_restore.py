"""Back up and restore, as the services do them: the round trip gives back every row and every
amount; a file that is not a DebtorDesk database of a known version is refused with nothing
replaced; a damaged database is set aside and its latest backup put in its place."""

import hashlib
import sqlite3
from datetime import date, datetime, timedelta

import pytest

from debtordesk.db.backups import backups_dir, latest_backup, list_backups, take_backup
from debtordesk.db.engine import DatabaseDamaged, open_database
from debtordesk.services.backup import BackupWatch, back_up_now, close_and_back_up, save_keep_count
from debtordesk.services.demo import fill_demo
from debtordesk.services.restore import (
    NotRestorable,
    RestoreError,
    backups_with_contents,
    read_contents,
    restore,
)
from helpers import add_customer
from helpers import file_fingerprint as fingerprint

pytestmark = pytest.mark.sqlite_only
TODAY = date(2026, 11, 24)


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def books(db_path, db):
    with db.transaction() as s:
        fill_demo(s, TODAY)
    return db


def test_back_up_then_restore_gives_back_every_row_and_amount(db_path, books):
    original = fingerprint(db_path)
    assert original["invoice"][0] > 100 and original["payment"][0] > 10 and original["allocation"][1] > 0
    backup = back_up_now(books, now=datetime(2026, 11, 24, 9, 0))
    with books.transaction() as s:
        add_customer(s, "LATE", "Added after the backup")
        s.execute(sqlite3_text("UPDATE invoice SET amount_minor = amount_minor + 1 WHERE id = 1"))
    changed = fingerprint(db_path)
    assert changed != original
    done = restore(db_path, backup.path, keep=10, close=books.dispose, now=datetime(2026, 11, 24, 10, 0))
    assert (done.contents.customers, done.contents.invoices) == (original["customer"][0], original["invoice"][0])
    assert fingerprint(db_path) == original
    assert done.before.path.name == "books-2026-11-24-1000-before-restore.sqlite3"
    assert fingerprint(done.before.path) == changed  # what was there is kept
    again = open_database(f"sqlite:///{db_path}")
    again.dispose()
    with sqlite3.connect(db_path) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def sqlite3_text(sql: str):
    from sqlalchemy import text

    return text(sql)


def newer_copy(backup, tmp_path):
    newer = tmp_path / "from-the-future.sqlite3"
    newer.write_bytes(backup.read_bytes())
    with sqlite3.connect(newer) as raw:
        raw.execute("UPDATE alembic_version SET version_num = '9999'")
    return newer


def test_files_that_are_not_debtordesk_databases_are_refused_with_nothing_replaced(db_path, books, tmp_path):
    backup = back_up_now(books, now=datetime(2026, 11, 24, 9, 0))
    recipes = tmp_path / "recipes.sqlite3"
    with sqlite3.connect(recipes) as raw:
        raw.execute("CREATE TABLE recipe (name TEXT)")
    text = tmp_path / "notes.sqlite3"
    text.write_text("Dear diary, today I kept my accounts in a text file.\n" * 50)
    half = tmp_path / "half.sqlite3"
    with sqlite3.connect(half) as raw:
        raw.execute("CREATE TABLE alembic_version (version_num TEXT)")
        raw.execute("INSERT INTO alembic_version VALUES ('0001')")
        raw.execute("CREATE TABLE customer (id INTEGER)")
    expected = {
        recipes: "recipes.sqlite3 is not a DebtorDesk database: it has no DebtorDesk version mark.",
        text: "notes.sqlite3 is not a DebtorDesk database: it is not an SQLite database file.",
        newer_copy(backup.path, tmp_path): "from-the-future.sqlite3 was made by a newer version of DebtorDesk",
        half: "half.sqlite3 is not a complete DebtorDesk database: it has no company_profile, invoice, payment, "
              "allocation tables.",
        db_path: "books.sqlite3 is the database that is open",
        tmp_path / "gone.sqlite3": "gone.sqlite3 does not exist.",
    }
    before, folder = digest(db_path), sorted(backups_dir().iterdir())
    closed = []
    for candidate, words in expected.items():
        with pytest.raises(NotRestorable) as caught:
            restore(db_path, candidate, keep=10, close=lambda: closed.append(1))
        assert words in str(caught.value) and str(caught.value).endswith("Nothing was changed.")
    assert (digest(db_path), sorted(backups_dir().iterdir()), closed) == (before, folder, [])


def test_a_damaged_backup_is_refused_and_the_list_says_what_each_holds(db_path, books, tmp_path):
    good = back_up_now(books, now=datetime(2026, 11, 24, 9, 0))
    bad = take_backup(db_path, "manual", now=datetime(2026, 11, 24, 9, 30))
    with open(bad.path, "r+b") as handle:
        handle.seek(bad.path.stat().st_size // 2)
        handle.write(b"\x00\xff" * 2048)
    with pytest.raises(NotRestorable, match="is damaged: SQLite's check of the file found"):
        restore(db_path, bad.path, keep=10)
    listed = backups_with_contents(db_path)
    assert [x.backup.path for x in listed] == [bad.path, good.path]
    contents = read_contents(good.path)
    assert listed[1].contents == contents and contents.customers == 24 and contents.invoices == 240


def test_a_damaged_database_is_set_aside_and_its_latest_backup_restored(db_path, books):
    original = fingerprint(db_path)
    take_backup(db_path, "on-close", now=datetime(2026, 11, 20, 17, 0))
    books.close()
    with open(db_path, "r+b") as handle:  # a disk fault in the middle of the file
        handle.seek(db_path.stat().st_size // 2)
        handle.write(b"\x5a" * 8192)
    with pytest.raises(DatabaseDamaged, match="books.sqlite3 is damaged") as caught:
        open_database(f"sqlite:///{db_path}")
    latest = latest_backup(caught.value.path)
    assert latest.taken == datetime(2026, 11, 20, 17, 0)
    done = restore(db_path, latest.path, keep=10, now=datetime(2026, 11, 24, 9, 0))
    assert done.before is None and done.set_aside.name == "books.sqlite3.damaged-2026-11-24-090000"
    assert fingerprint(db_path) == original
    open_database(f"sqlite:///{db_path}").dispose()


def test_a_backup_from_an_older_version_is_restored_and_upgraded_on_opening(db_path, books, tmp_path):
    from test_backup_folder import older_database

    old = tmp_path / "old.sqlite3"
    older_database(old, "0001")
    with sqlite3.connect(old) as raw:
        raw.execute("INSERT INTO customer (id, ref, name, contact_person, email, phone, address_line1, "
                    "address_line2, postcode, city, country, language, kind, terms_days, on_hold, notes, archived, "
                    "created_at, version) VALUES (1, 'OLD', 'Old Ltd', '', '', '', '', '', '', '', '', 'en', "
                    "'business', 30, 0, '', 0, '2026-01-01 00:00:00', 1)")
    assert read_contents(old).revision == "0001"
    restore(db_path, old, keep=10, close=books.dispose)
    upgraded = open_database(f"sqlite:///{db_path}")
    try:
        assert upgraded.migration_copy is not None
        with upgraded.session() as s:
            assert s.execute(sqlite3_text("SELECT ref FROM customer")).scalars().all() == ["OLD"]
    finally:
        upgraded.dispose()


def test_a_restore_refuses_while_another_program_is_in_the_file(db_path, books):
    backup = back_up_now(books, now=datetime(2026, 11, 24, 9, 0))
    with books.transaction() as s:
        add_customer(s, "NEW", "New Ltd")
    changed = fingerprint(db_path)
    other = sqlite3.connect(db_path)  # e.g. a report tool still reading it
    other.execute("SELECT count(*) FROM customer").fetchone()
    try:
        with pytest.raises(RestoreError, match="books.sqlite3 is in use by another program"):
            restore(db_path, backup.path, keep=10, close=books.dispose)
    finally:
        other.close()
    assert fingerprint(db_path) == changed


def test_closing_backs_up_only_what_changed_since_the_latest_backup(db_path, books):
    watch = BackupWatch.start(books)
    assert watch.stale  # never backed up
    first = close_and_back_up(books, watch, now=datetime(2026, 11, 24, 9, 0))
    assert first.reason == "on-close"

    quiet = open_database(f"sqlite:///{db_path}")
    watch = BackupWatch.start(quiet)
    with quiet.session() as s:
        s.execute(sqlite3_text("SELECT count(*) FROM invoice")).all()
    assert close_and_back_up(quiet, watch, now=datetime(2026, 11, 24, 10, 0)) is None

    busy = open_database(f"sqlite:///{db_path}")
    watch = BackupWatch.start(busy)
    with busy.transaction() as s:
        add_customer(s, "NEW", "New Ltd")
    back_up_now(busy, watch, now=datetime(2026, 11, 24, 11, 0))
    assert close_and_back_up(busy, watch, now=datetime(2026, 11, 24, 11, 5)) is None  # nothing since

    again = open_database(f"sqlite:///{db_path}")
    watch = BackupWatch.start(again)
    with again.transaction() as s:
        add_customer(s, "NEWER", "Newer Ltd")
    last = close_and_back_up(again, watch, now=datetime(2026, 11, 24, 12, 0))
    assert [b.path.name for b in list_backups(db_path)] == [
        "books-2026-11-24-1200-on-close.sqlite3", "books-2026-11-24-1100-manual.sqlite3",
        "books-2026-11-24-0900-on-close.sqlite3"]
    assert fingerprint(last.path)["customer"][0] == 26


def test_a_file_changed_elsewhere_is_backed_up_on_close(db_path, books):
    take_backup(db_path, "on-close", now=datetime(2026, 11, 24, 9, 0))
    books.close()
    with sqlite3.connect(db_path) as raw:  # another program, after the latest backup
        raw.execute("UPDATE setting SET value = value WHERE 0")
        raw.execute("INSERT INTO setting (key, value) VALUES ('elsewhere', 'yes')")
    reopened = open_database(f"sqlite:///{db_path}")
    watch = BackupWatch.start(reopened)
    assert close_and_back_up(reopened, watch, now=datetime(2026, 11, 24, 10, 0)) is not None


def test_back_up_now_keeps_the_number_set(db_path, books):
    with books.transaction() as s:
        save_keep_count(s, "2")
    start = datetime(2026, 11, 24, 9, 0)
    for i in range(4):
        back_up_now(books, now=start + timedelta(minutes=i))
    assert [b.taken.minute for b in list_backups(db_path)] == [3, 2]
    with pytest.raises(Exception, match="whole number from 1 to 999"), books.transaction() as s:
        save_keep_count(s, "0")
