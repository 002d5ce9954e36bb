"""Backups as the user meets them: File ▸ Back up now and Restore…, Settings ▸ Backups, the
message when another DebtorDesk has the file, and the offer of the latest backup of a damaged file."""

import sqlite3
from datetime import date, datetime

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QMessageBox
from sqlalchemy import select

from debtordesk.db.backups import backups_dir, list_backups, take_backup
from debtordesk.db.engine import open_database
from debtordesk.db.lock import hold
from debtordesk.db.models import Customer
from debtordesk.services.company import save_company
from debtordesk.ui import app as app_module
from debtordesk.ui.app import Desk, make_app
from debtordesk.ui.dialogs.opening import DamagedDialog
from debtordesk.ui.dialogs.restore import RestoreDialog
from debtordesk.ui.messages import ProblemsDialog

pytestmark = pytest.mark.sqlite_only
TODAY = date(2026, 11, 24)


def refs(db) -> list[str]:
    with db.session() as s:
        return list(s.scalars(select(Customer.ref).order_by(Customer.ref)))


def books(path, *refs_: str):
    db = open_database(f"sqlite:///{path}")
    with db.transaction() as s:
        save_company(s, {"name": "Acme Ltd"})
        s.add_all([Customer(ref=r, name=f"{r} Ltd") for r in refs_])
    return db


@pytest.fixture
def desk(qtbot, db_path):
    make_app()
    desk = Desk(TODAY)
    desk.start(books(db_path, "A1", "B2"), hold(db_path))
    qtbot.waitExposed(desk.window)
    yield desk
    for w in QApplication.topLevelWidgets():
        if isinstance(w, (QMessageBox, ProblemsDialog, RestoreDialog)) and w.isVisible():
            w.close()
    assert desk.window.tasks.wait(10_000)
    desk.close()


def trigger(window, *path: str) -> None:
    menu = next(a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == path[0])
    next(a for a in menu.actions() if a.text().replace("&", "") == path[1]).trigger()


def message(qtbot, window, contains: str) -> str:
    boxes = []

    def shown():
        boxes[:] = [b for b in window.findChildren(QMessageBox) if b.isVisible() and contains in b.text()]
        return bool(boxes)

    qtbot.waitUntil(shown, timeout=15_000)
    boxes[0].close()
    return boxes[0].text()


def visible(kind):
    shown = [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]
    return shown[0] if shown else None


def test_back_up_now_asks_nothing_and_says_where(qtbot, desk, db_path):
    trigger(desk.window, "File", "Back up now")
    text = message(qtbot, desk.window, "backed up")
    [backup] = list_backups(db_path)
    assert text.startswith(f"books.sqlite3 is backed up as {backup.path.name} in {backups_dir()}.")
    assert "keeps the newest 10 backups" in text and backup.reason == "manual"


def test_restore_lists_the_backups_and_puts_the_chosen_one_back(qtbot, desk, db_path, monkeypatch):
    take_backup(db_path, "on-close", now=datetime(2026, 11, 20, 17, 5))
    with desk.db.transaction() as s:
        s.add(Customer(ref="C3", name="C3 Ltd"))
    take_backup(db_path, "manual", now=datetime(2026, 11, 23, 9, 14))
    with desk.db.transaction() as s:
        s.add(Customer(ref="D4", name="D4 Ltd"))
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda _p, title, text, *a: asked.append(text)
                        or QMessageBox.StandardButton.Yes)
    old = desk.window
    trigger(old, "File", "Restore…")
    qtbot.waitUntil(lambda: visible(RestoreDialog) is not None, timeout=15_000)
    dialog = visible(RestoreDialog)
    table = dialog.table
    rows = [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]
    assert [r[:2] for r in rows] == [["23 Nov 2026, 09:14", "with File ▸ Back up now"],
                                     ["20 Nov 2026, 17:05", "when DebtorDesk closed"]]
    assert [r[3:] for r in rows] == [["3", "0", "0"], ["2", "0", "0"]]
    assert all(r[2].endswith("KB") for r in rows)
    table.selectRow(1)
    dialog.restore_button.click()
    qtbot.waitUntil(lambda: desk.window is not old, timeout=20_000)
    assert asked and "It holds 2 customers, 0 invoices and 0 payments." in asked[0]
    assert refs(desk.db) == ["A1", "B2"]
    assert "Restored books-2026-11-20-1705-on-close.sqlite3 into books.sqlite3" in message(
        qtbot, desk.window, "Restored")
    before = [b for b in list_backups(db_path) if b.reason == "before-restore"]
    assert len(before) == 1 and before[0].size > 0


def test_restore_refuses_a_file_that_is_not_a_debtordesk_database(qtbot, desk, db_path, tmp_path, monkeypatch):
    notes = tmp_path / "notes.sqlite3"
    notes.write_text("shopping list\n" * 100)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(notes), "")))
    warned = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, title, text, *a: warned.append(text))
    window = desk.window
    trigger(window, "File", "Restore…")
    qtbot.waitUntil(lambda: visible(RestoreDialog) is not None, timeout=15_000)
    dialog = visible(RestoreDialog)
    assert dialog.empty.isVisible() and not dialog.restore_button.isEnabled()  # no backups yet
    dialog.other_button.click()
    qtbot.waitUntil(lambda: bool(warned), timeout=15_000)
    assert warned == ["notes.sqlite3 is not a DebtorDesk database: it is not an SQLite database file. "
                      "Nothing was changed."]
    assert desk.window is window and refs(desk.db) == ["A1", "B2"] and list_backups(db_path) == []


def test_settings_keep_the_number_of_backups_and_show_the_folder(qtbot, desk, monkeypatch):
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url) or True))
    window = desk.window
    window.show_page("Settings")
    page = window.settings_view.backups
    window.settings_view.tabs.setCurrentWidget(page)
    assert page.keep.value() == 10 and page.folder.text() == str(backups_dir())
    page.keep.setValue(3)
    page.save_button.click()
    assert message(qtbot, page, "newest 3") == "DebtorDesk keeps the newest 3 backups of each database from now on."
    page.open_button.click()
    assert opened == [QUrl.fromLocalFile(str(backups_dir()))]
    from debtordesk.services.backup import keep_count

    with desk.db.session() as s:
        assert keep_count(s) == 3


def click_in_box(monkeypatch, button_text: str) -> list[str]:
    """Answer the next message boxes by clicking `button_text`; returns their texts."""
    seen = []

    def fake_exec(box):
        seen.append(f"{box.text()}\n{box.informativeText()}")
        next(b for b in box.buttons() if b.text() == button_text).click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    return seen


def test_a_file_open_elsewhere_is_named_and_can_be_opened_read_only(qtbot, desk, tmp_path, monkeypatch):
    other = tmp_path / "shop.sqlite3"
    books(other, "S1").dispose()
    theirs = hold(other, now=datetime(2026, 11, 24, 8, 30))  # another DebtorDesk has it
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(other), "")))
    try:
        seen = click_in_box(monkeypatch, "Cancel")
        old = desk.window
        trigger(old, "File", "Open database…")
        assert len(seen) == 1 and seen[0].startswith("shop.sqlite3 is open in DebtorDesk on ")
        assert " since 08:30 on 24 November 2026." in seen[0] and desk.window is old
        seen = click_in_box(monkeypatch, "Open read-only")
        trigger(old, "File", "Open database…")
        qtbot.waitUntil(lambda: desk.window is not old, timeout=15_000)
        window = desk.window
        assert window.windowTitle() == "DebtorDesk — shop.sqlite3 (read-only)"
        assert refs(desk.db) == ["S1"]
        window.show_page("Settings")
        page = window.settings_view.backups
        page.keep.setValue(4)
        assert not page.save()
        assert page.error.text().startswith("Nothing was saved: shop.sqlite3 is open read-only here")
    finally:
        theirs.release()


def damage(path) -> None:
    with open(path, "r+b") as handle:
        handle.seek(path.stat().st_size // 2)
        handle.write(b"\x5a" * 8192)


def answer_offer(monkeypatch, qtbot, choice: str) -> list[DamagedDialog]:
    shown = []

    def fake_exec(dialog):
        shown.append(dialog)
        if choice == "restore":
            dialog.restore_button.click()
            qtbot.waitUntil(lambda: dialog.db is not None, timeout=20_000)
            return QDialog.DialogCode.Accepted
        dialog.leave_button.click()
        return QDialog.DialogCode.Rejected

    monkeypatch.setattr(DamagedDialog, "exec", fake_exec)
    return shown


def big_books(path):
    db = books(path, *[f"C{i:03d}" for i in range(300)])
    return db


def test_a_damaged_file_at_start_is_offered_its_latest_backup(qtbot, tmp_path, monkeypatch):
    make_app()
    path = tmp_path / "books.sqlite3"
    big_books(path).close()
    take_backup(path, "on-close", now=datetime(2026, 11, 20, 17, 5))
    damage(path)
    shown = answer_offer(monkeypatch, qtbot, "restore")
    db, opening = app_module.open_at_start(str(path))
    try:
        [dialog] = shown
        assert dialog.message.text().startswith(f"{path} is damaged and cannot be used safely")
        assert dialog.offer.text().startswith("The latest backup of books.sqlite3 is from 20 Nov 2026, 17:05 "
                                              "(taken when DebtorDesk closed).")
        assert dialog.restore_button.text() == "Restore the latest backup" and dialog.restore_button.isDefault()
        assert len(refs(db)) == 300
        assert [p.name for p in tmp_path.iterdir() if ".damaged-" in p.name]
    finally:
        db.dispose()
        opening.release()


def test_a_damaged_file_without_a_backup_can_be_left(qtbot, tmp_path, monkeypatch):
    make_app()
    path = tmp_path / "books.sqlite3"
    path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 5000)  # the header, then nothing sensible
    shown = answer_offer(monkeypatch, qtbot, "quit")
    assert app_module.open_at_start(str(path)) is None
    [dialog] = shown
    assert dialog.restore_button is None and dialog.offer.text().startswith("There is no backup of books.sqlite3")
    assert sorted(b.text() for b in dialog.buttons.buttons()) == ["Open another file…", "Quit"]


def test_a_damage_found_while_working_offers_the_latest_backup(qtbot, desk, db_path, monkeypatch):
    take_backup(db_path, "manual", now=datetime(2026, 11, 24, 9, 0))
    shown = answer_offer(monkeypatch, qtbot, "restore")
    old = desk.window
    broken = sqlite3.DatabaseError("database disk image is malformed")
    from sqlalchemy.exc import DatabaseError

    old.tasks.show_error(DatabaseError("SELECT 1", {}, broken))
    [dialog] = shown
    assert dialog.windowTitle() == "books.sqlite3 is damaged"
    assert desk.window is not old and refs(desk.db) == ["A1", "B2"]


def test_closing_backs_up_what_changed_and_releases_the_lock(qtbot, db_path):
    make_app()
    desk = Desk(TODAY)
    desk.start(books(db_path, "A1"), hold(db_path))
    with desk.db.transaction() as s:
        s.add(Customer(ref="B2", name="B2 Ltd"))
    desk.close()
    [backup] = list_backups(db_path)
    assert backup.reason == "on-close"
    with sqlite3.connect(backup.path) as raw:
        assert raw.execute("SELECT ref FROM customer ORDER BY ref").fetchall() == [("A1",), ("B2",)]
    hold(db_path).release()  # free for the next DebtorDesk


def test_at_start_a_file_open_elsewhere_can_be_opened_read_only(qtbot, db_path, monkeypatch):
    make_app()
    books(db_path, "A1").close()
    theirs = hold(db_path)
    try:
        seen = click_in_box(monkeypatch, "Open read-only")
        db, opening = app_module.open_at_start(str(db_path))
        assert seen[0].startswith("books.sqlite3 is open in DebtorDesk on ") and opening.hold is None
        assert db.read_only and refs(db) == ["A1"]
        db.close()
        click_in_box(monkeypatch, "Cancel")
        assert app_module.open_at_start(str(db_path)) is None
    finally:
        theirs.release()


def test_a_damaged_file_chosen_to_restore_is_refused_without_alarming_about_the_open_one(qtbot, desk, tmp_path,
                                                                                         monkeypatch):
    junk = tmp_path / "old.sqlite3"
    junk.write_bytes(b"SQLite format 3\x00" + b"\x5a" * 8000)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(junk), "")))
    warned, offered = [], answer_offer(monkeypatch, qtbot, "quit")
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, title, text, *a: warned.append(text))
    trigger(desk.window, "File", "Restore…")
    qtbot.waitUntil(lambda: visible(RestoreDialog) is not None, timeout=15_000)
    visible(RestoreDialog).other_button.click()
    qtbot.waitUntil(lambda: bool(warned), timeout=15_000)
    assert warned[0].startswith("old.sqlite3 is damaged or not a DebtorDesk database")
    assert offered == [] and refs(desk.db) == ["A1", "B2"]
