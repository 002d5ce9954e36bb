"""File menu: import, export, back up, new and open database — as the user sees them."""

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit, QMessageBox
from sqlalchemy import func, select

from debtordesk.db.engine import open_database
from debtordesk.db.models import Customer, Invoice
from debtordesk.services.company import company_form, save_company
from debtordesk.services.demo import fill_demo
from debtordesk.ui.app import Desk, make_app
from debtordesk.ui.dialogs.import_wizard import ImportWizard
from debtordesk.ui.dialogs.welcome import WelcomeDialog
from debtordesk.ui.messages import ProblemsDialog

TODAY = date(2026, 11, 24)


@pytest.fixture
def desk(qtbot, tmp_path):
    """A window on a started database with a profile and two customers."""
    make_app()
    db = open_database(f"sqlite:///{tmp_path / 'books.sqlite3'}")
    with db.transaction() as s:
        save_company(s, {"name": "Acme Ltd"})
        s.add_all([Customer(ref="A1", name="Alder & Co"), Customer(ref="B2", name="Birch Holdings")])
    desk = Desk(TODAY)
    desk.start(db)
    qtbot.waitExposed(desk.window)
    yield desk
    for w in QApplication.topLevelWidgets():
        if isinstance(w, (QMessageBox, ProblemsDialog)) and w.isVisible():
            w.close()
    assert desk.window.tasks.wait(10_000)
    desk.close()


def trigger(window, *path: str) -> None:
    """Click File ▸ … by the texts the user reads."""
    menu = next(a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == path[0])
    for i, text in enumerate(path[1:], 1):
        action = next(a for a in menu.actions() if a.text().replace("&", "") == text)
        if i == len(path) - 1:
            action.trigger()
        else:
            menu = action.menu()


def file_dialog(monkeypatch, method: str, answer: str) -> list:
    """Answer QFileDialog.`method` with `answer`; returns the arguments it was called with."""
    calls = []

    def fake(*args, **kwargs):
        calls.append(args)
        return answer if method == "getExistingDirectory" else (answer, "")

    monkeypatch.setattr(QFileDialog, method, staticmethod(fake))
    return calls


def message(qtbot, window, contains: str = "") -> str:
    """Wait for the message box over `window` and return its text."""
    boxes = []

    def shown():
        boxes[:] = [b for b in window.findChildren(QMessageBox) if b.isVisible() and contains in b.text()]
        return bool(boxes)

    qtbot.waitUntil(shown, timeout=10_000)
    boxes[0].close()
    return boxes[0].text()


def refs(db) -> list[str]:
    with db.session() as s:
        return list(s.scalars(select(Customer.ref).order_by(Customer.ref)))


def test_file_menu_lists_the_actions_with_quit_last(desk):
    [file_menu] = [a.menu() for a in desk.window.menuBar().actions() if a.text() == "&File"]
    texts = [a.text().replace("&", "") for a in file_menu.actions() if not a.isSeparator()]
    assert texts == ["New database…", "Open database…", "Import…", "Import", "Import bank statement…", "Export…",
                     "Export everything (JSON)…", "Back up now", "Save a copy as…", "Restore…", "Print…",
                     "Quit"]
    new = next(a for a in file_menu.actions() if a.text() == "&New database…")
    assert new.shortcut().toString() == "Ctrl+Shift+N"


def import_through_the_wizard(qtbot, window, kind: str, path: Path) -> ImportWizard:
    """File ▸ Import ▸ Kind…: the wizard opens with the kind chosen; give it the file and go to the
    last page, where every row has been checked."""
    trigger(window, "File", "Import", f"{kind.title()}…")
    qtbot.waitUntil(lambda: any(w.isVisible() for w in window.findChildren(ImportWizard)), timeout=5000)
    wizard = next(w for w in window.findChildren(ImportWizard) if w.isVisible())
    assert wizard.kind_page.buttons[kind].isChecked()
    wizard.kind_page.file.setText(str(path))
    for _ in range(3):
        qtbot.waitUntil(lambda: wizard.currentPage().isComplete(), timeout=10_000)
        wizard.next()
    qtbot.waitUntil(lambda: not wizard.preview_page.counts.text().startswith("Checking"), timeout=10_000)
    return wizard


def test_import_of_a_good_file_adds_the_rows_and_says_how_many(qtbot, desk, tmp_path):
    good = tmp_path / "customers.csv"
    good.write_text("ref,name,email,country\nC3,Cedar GmbH,ap@cedar.example,DE\nD4,Dogwood Ltd,,GB\n",
                    encoding="utf-8")
    invoices = tmp_path / "invoices.csv"
    invoices.write_text("number,customer_ref,issue_date,amount,currency\nI-1,C3,2026-10-01,1250.00,EUR\n",
                        encoding="utf-8")
    window = desk.window
    import_through_the_wizard(qtbot, window, "customers", good).accept()
    assert message(qtbot, window, "Imported") == "Imported 2 customers from customers.csv."
    assert refs(desk.db) == ["A1", "B2", "C3", "D4"]

    import_through_the_wizard(qtbot, window, "invoices", invoices).accept()
    assert message(qtbot, window, "Imported") == "Imported 1 invoice from invoices.csv."
    # the window was refreshed: the aging table now shows the new invoice's customer
    model = window.aging_view.table.model
    qtbot.waitUntil(lambda: model() is not None and "Cedar GmbH" in {
        model().index(r, 1).data() for r in range(model().rowCount())}, timeout=10_000)


def test_import_of_a_bad_file_lists_the_problems_and_changes_nothing(qtbot, desk, tmp_path):
    bad = tmp_path / "new-customers.csv"
    bad.write_text("ref,name,email\nE5,Elm Stores,accounts@elm.example\nF6,,not-an-email\nA1,Again Ltd,\n",
                   encoding="utf-8")
    wizard = import_through_the_wizard(qtbot, desk.window, "customers", bad)
    page = wizard.preview_page
    assert page.counts.text().startswith("1 row ready, 2 with problems.")
    model = page.table.model()
    lines = [model.index(r, 1).data() for r in range(model.rowCount())]
    assert lines[0] == "OK"
    assert lines[1].startswith("Name: ") and "E-mail: 'not-an-email'" in lines[1]
    assert "Customer reference (ref): a customer with ref 'A1' already exists" in lines[2]
    wizard.accept()  # refused: Import waits until every row is right
    assert not page.isComplete()
    wizard.close()
    assert refs(desk.db) == ["A1", "B2"]  # not even the good row went in


def test_export_writes_three_files_that_import_again(qtbot, desk, tmp_path, monkeypatch):
    folder = tmp_path / "out"
    folder.mkdir()
    file_dialog(monkeypatch, "getExistingDirectory", str(folder))
    trigger(desk.window, "File", "Export…")
    text = message(qtbot, desk.window, "Exported")
    assert text.startswith("Exported 2 customers, 0 invoices and 0 payments to ")
    assert sorted(p.name for p in folder.iterdir()) == ["customers.csv", "invoices.csv", "payments.csv"]
    assert (folder / "customers.csv").read_text(encoding="utf-8").splitlines()[1].startswith("A1,Alder & Co")


def test_save_a_copy_as_writes_a_database_with_the_same_customers(qtbot, desk, tmp_path, monkeypatch):
    dest = tmp_path / "safe" / "copy.sqlite3"
    dest.parent.mkdir()
    calls = file_dialog(monkeypatch, "getSaveFileName", str(dest))
    trigger(desk.window, "File", "Save a copy as…")
    assert Path(calls[0][2]).name == "debtordesk-backup-2026-11-24.sqlite3"  # the suggested name
    assert "A copy of the database is saved as" in message(qtbot, desk.window, "copy")
    copy = open_database(f"sqlite:///{dest}")
    try:
        assert refs(copy) == ["A1", "B2"]
        with copy.session() as s:
            assert company_form(s)["name"] == "Acme Ltd"
    finally:
        copy.dispose()
    assert [p.name for p in dest.parent.iterdir()] == ["copy.sqlite3"]  # no half-written leftovers


def test_open_on_a_junk_file_says_so_and_keeps_the_window(qtbot, desk, tmp_path, monkeypatch):
    junk = tmp_path / "holiday.sqlite3"
    junk.write_bytes(b"these are my holiday photos, not a database" * 100)
    window = desk.window
    file_dialog(monkeypatch, "getOpenFileName", str(junk))
    trigger(window, "File", "Open database…")
    text = message(qtbot, window, "holiday.sqlite3")
    assert "holiday.sqlite3 cannot be opened: it is damaged, or it is not a DebtorDesk database" in text
    assert "The database you had open stays open." in text
    assert desk.window is window and window.isVisible() and window.windowTitle().endswith("books.sqlite3")
    assert junk.read_bytes().startswith(b"these are my holiday photos")


def test_open_switches_the_window_to_another_database(qtbot, desk, tmp_path, monkeypatch):
    other = tmp_path / "other.sqlite3"
    db = open_database(f"sqlite:///{other}")
    with db.transaction() as s:
        fill_demo(s, TODAY)
    db.dispose()
    old = desk.window
    file_dialog(monkeypatch, "getOpenFileName", str(other))
    trigger(old, "File", "Open database…")
    qtbot.waitUntil(lambda: desk.window is not old, timeout=10_000)
    window = desk.window
    assert window.isVisible() and window.windowTitle().endswith("other.sqlite3")
    qtbot.waitUntil(lambda: window.aging_view.table.model() is not None
                    and window.aging_view.table.model().rowCount() > 10, timeout=10_000)


def test_new_database_greets_the_new_file(qtbot, desk, tmp_path, monkeypatch):
    fresh = tmp_path / "second business"  # no suffix: .sqlite3 is added
    old = desk.window
    file_dialog(monkeypatch, "getSaveFileName", str(fresh))
    trigger(old, "File", "New database…")

    def welcome():
        shown = [w for w in QApplication.topLevelWidgets() if isinstance(w, WelcomeDialog) and w.isVisible()]
        return shown[0] if shown else None

    qtbot.waitUntil(lambda: welcome() is not None, timeout=10_000)
    dialog = welcome()
    [name] = [w for w in dialog.findChildren(QLineEdit) if w.accessibleName() == "Company name"]
    name.setText("Second Business Ltd")
    dialog.start_button.click()
    qtbot.waitUntil(lambda: desk.window is not old, timeout=10_000)
    assert desk.window.windowTitle().endswith("second business.sqlite3")
    assert refs(desk.db) == []
    with desk.db.session() as s:
        assert company_form(s)["name"] == "Second Business Ltd"


def test_new_database_refuses_an_existing_file(qtbot, desk, tmp_path, monkeypatch):
    taken = tmp_path / "taken.sqlite3"
    taken.write_bytes(b"precious")
    file_dialog(monkeypatch, "getSaveFileName", str(taken))
    trigger(desk.window, "File", "New database…")
    assert "taken.sqlite3 already exists" in message(qtbot, desk.window, "already exists")
    assert taken.read_bytes() == b"precious"


def count(db, model) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_a_cancelled_file_dialog_does_nothing(qtbot, desk, monkeypatch):
    for method in ("getOpenFileName", "getSaveFileName"):
        file_dialog(monkeypatch, method, "")
    file_dialog(monkeypatch, "getExistingDirectory", "")
    for path in (("Open database…",), ("New database…",), ("Export…",),
                 ("Save a copy as…",)):
        trigger(desk.window, "File", *path)
    assert desk.window.tasks.wait(5000)
    assert not [b for b in desk.window.findChildren(QMessageBox) if b.isVisible()]
    assert count(desk.db, Invoice) == 0
