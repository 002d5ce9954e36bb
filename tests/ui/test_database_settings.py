"""Settings ▸ Database: what is open, testing a server, copying there, switching and back."""

import socket
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox
from sqlalchemy.engine import make_url

from debtordesk.config import remember_db_url, remembered_db_url, remembered_file
from debtordesk.db.engine import open_database
from debtordesk.services.demo import fill_demo
from debtordesk.ui.app import Desk, make_app, open_at_start
from debtordesk.ui.views.settings_database import CopiedDialog
from memkeyring import MemoryKeyring, keyring_backend
from pgscratch import scratch_database

TODAY = date(2026, 11, 24)


@pytest.fixture
def desk(qtbot, tmp_path, monkeypatch):
    make_app()
    broke = []  # an error box would wait for a click: it is recorded and fails the test instead
    for kind in ("critical", "warning"):
        monkeypatch.setattr(QMessageBox, kind, lambda _parent, _title, text, *a: broke.append(text))
    db = open_database(f"sqlite:///{tmp_path / 'books.sqlite3'}")
    with db.transaction() as s:
        fill_demo(s, TODAY, 4, 12)
    desk = Desk(TODAY)
    desk.start(db)
    qtbot.waitExposed(desk.window)
    yield desk
    for w in QApplication.topLevelWidgets():
        if isinstance(w, QMessageBox | CopiedDialog) and w.isVisible():
            w.close()
    assert desk.window.tasks.wait(20_000)
    desk.close()
    assert broke == []


def database_page(qtbot, window):
    window.show_page("Settings")
    settings = window.settings_view
    settings.ensure_loaded()
    settings.tabs.setCurrentWidget(settings.database)
    page = settings.database
    qtbot.waitUntil(lambda: page.summary is not None, timeout=10_000)
    return page


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fill(page, host="127.0.0.1", port="5432", database="books", user="ann", password=""):
    for field, value in ((page.host, host), (page.port, port), (page.database, database), (page.user, user),
                         (page.password, password)):
        field.setText(value)


def test_the_page_says_which_file_is_open_and_what_it_holds(qtbot, desk, tmp_path):
    page = database_page(qtbot, desk.window)
    assert page.where.text() == str(tmp_path / "books.sqlite3")
    assert page.kind.text() == "A database file on this computer"
    assert page.rows.text().startswith("4 customers, 12 invoices, ")
    assert page.rows.text().endswith("tables (data version 0010).")
    assert page.size.text().endswith(" KB")
    assert not page.local_button.isVisibleTo(page)


def test_a_server_that_cannot_be_reached_is_said_in_plain_words(qtbot, desk):
    page = database_page(qtbot, desk.window)
    port = closed_port()
    fill(page, port=str(port), password="x")
    qtbot.mouseClick(page.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.test_button.isEnabled() and "…" not in page.status.text(), timeout=20_000)
    assert page.status.text() == (f"Cannot reach the server at 127.0.0.1:{port}: check the server's name and port, "
                                  "that the server is running, and that this computer may connect to it.")
    fill(page, host=" ", port="port")
    qtbot.mouseClick(page.test_button, Qt.MouseButton.LeftButton)
    assert page.form.error_text("host") == "Type the server's name or address."
    assert page.form.error_text("port").startswith("The port is a whole number from 1 to 65535")


def test_a_remembered_server_that_is_gone_gives_way_to_the_local_file(qtbot, monkeypatch, warnings):
    make_app()
    monkeypatch.delenv("DEBTORDESK_DB")
    remember_db_url(f"postgresql+psycopg://ann:secret@127.0.0.1:{closed_port()}/books")
    assert "secret" not in remembered_file().read_text()
    db, opening = open_at_start(None)
    try:
        assert db.path is not None and db.path.name == "debtordesk.sqlite3"
    finally:
        db.dispose()
        opening.release()
    (title, text), = warnings
    assert "could not be opened" in text and "Cannot reach the server at 127.0.0.1" in text
    assert "Settings ▸ Database switches back" in text


def test_copy_to_a_server_switch_to_it_and_back_to_the_file(qtbot, desk, tmp_path, monkeypatch):
    file_url = desk.db.url
    with keyring_backend(MemoryKeyring()) as store, scratch_database("mover_ui") as server:
        url = make_url(server)
        page = database_page(qtbot, desk.window)
        fill(page, url.host, str(url.port or 5432), url.database, url.username, "wrong password")
        qtbot.mouseClick(page.test_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "refused" in page.status.text(), timeout=20_000)
        assert page.status.text().endswith("with that password: the password is wrong, or there is no such user.")
        page.password.setText(url.password)
        qtbot.mouseClick(page.test_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "Connected" in page.status.text(), timeout=20_000)
        assert page.status.text().endswith(f"“{url.database}” on the server at {url.host}:{url.port or 5432} "
                                           "is empty: this database can be copied there.")

        qtbot.mouseClick(page.copy_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: any(d.isVisible() for d in page.findChildren(CopiedDialog)), timeout=60_000)
        dialog = next(d for d in page.findChildren(CopiedDialog) if d.isVisible())
        assert "every currency the same money total" in dialog.findChild(type(page.status)).text()
        assert "invoice" in dialog.details.toPlainText()
        account = f"postgresql:{url.username}@{url.host}:{url.port or 5432}/{url.database}"
        assert store.store == {("DebtorDesk", account): url.password}
        qtbot.mouseClick(dialog.switch_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: desk.db.url != file_url and desk.window.isVisible(), timeout=30_000)
        without = url._replace(password=None).render_as_string(hide_password=False)
        assert remembered_db_url() == without
        assert f":{url.password}@" not in remembered_file().read_text()

        page = database_page(qtbot, desk.window)
        assert page.where.text() == without
        assert page.kind.text() == "A shared database on a PostgreSQL server"
        assert page.rows.text().startswith("4 customers, 12 invoices, ")
        monkeypatch.setattr(QFileDialog, "getOpenFileName",
                            staticmethod(lambda *a, **k: (str(tmp_path / "books.sqlite3"), "")))
        qtbot.mouseClick(page.local_button, Qt.MouseButton.LeftButton)
        box = next(b for b in page.findChildren(QMessageBox) if b.isVisible())
        have = next(b for b in box.buttons() if b.text() == "Open a file I have…")
        qtbot.mouseClick(have, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: desk.db.url == file_url and desk.window.isVisible(), timeout=30_000)
        assert remembered_db_url() == file_url
        assert desk.window.tasks.wait(20_000)  # nothing reads the server any more when it is dropped
