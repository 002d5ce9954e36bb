"""The Audit trail screen on a real database: newest first, the filters narrow it, the chosen entry's
changes in words, CSV export of what the filters show, and nothing can be edited or deleted."""

import csv
import io
from datetime import date, timedelta

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QAbstractItemView, QPushButton

from debtordesk.services.audit import set_actor
from debtordesk.services.customers import read_form, save_customer
from debtordesk.services.invoices import read_invoice, save_invoice
from debtordesk.ui.main_window import PAGES, MainWindow
from debtordesk.ui.views import audit as audit_view
from debtordesk.ui.views.audit import AuditView
from debtordesk.ui.workers import TaskRunner
from helpers import add_customer, add_invoice

WHEN, WHO, ACTION, RECORD, WHAT = range(5)
TODAY = date.today()


@pytest.fixture
def ledger(db):
    with db.transaction() as s:
        a = add_customer(s, "ALD", "Alder & Co")
        add_customer(s, "BIR", "Birch GmbH")
        add_invoice(s, a, "INV-1", "2026-01-05", "2026-02-04", 120000)
    set_actor("Jo Bloggs")
    try:
        with db.session() as s:
            form = read_invoice(s, 1)
        form.values.update(amount="1300.00")
        with db.transaction() as s:
            save_invoice(s, form)
        with db.session() as s:
            form = read_form(s, 2)
        form.values.update(email="accounts@birch.example")
        with db.transaction() as s:
            save_customer(s, form)
    finally:
        set_actor(None)
    return db


@pytest.fixture
def screen(qtbot, ledger, monkeypatch):
    told = []
    monkeypatch.setattr(audit_view, "tell", lambda _parent, text, *a, **k: told.append(text))
    v = AuditView(ledger, TODAY)
    v.told = told
    qtbot.addWidget(v)
    v.tasks = TaskRunner(v)
    v.resize(1200, 700)
    v.show()
    v.ensure_loaded()
    return v


def texts(view, column):
    return view.list.visible_texts(column)


def test_newest_first_with_who_what_and_the_changes_in_words(screen, qtmodeltester):
    qtmodeltester.check(screen.list.model)
    assert texts(screen, WHAT) == ["Customer BIR, Birch GmbH", "Invoice INV-1 for Alder & Co, £1,300.00",
                                   "Invoice INV-1 for Alder & Co, £1,200.00", "Customer BIR, Birch GmbH",
                                   "Customer ALD, Alder & Co"]
    assert texts(screen, ACTION) == ["Changed", "Changed", "Created", "Created", "Created"]
    assert texts(screen, WHO)[:2] == ["Jo Bloggs", "Jo Bloggs"] and texts(screen, RECORD)[1] == "Invoice"
    screen.list.table.selectRow(1)
    assert screen.detail.toPlainText() == "amount: £1,200.00 → £1,300.00"
    assert screen.detail_title.text().startswith("Changed by Jo Bloggs on ")
    screen.list.table.selectRow(2)
    assert "customer: Alder & Co" in screen.detail.toPlainText().splitlines()


def test_the_filters_narrow_the_list(screen, qtbot):
    lst = screen.list
    lst.action.setCurrentIndex(lst.action.findData("update"))
    assert texts(screen, WHAT) == ["Customer BIR, Birch GmbH", "Invoice INV-1 for Alder & Co, £1,300.00"]
    lst.kind.setCurrentIndex(lst.kind.findData("Invoices"))
    assert texts(screen, WHAT) == ["Invoice INV-1 for Alder & Co, £1,300.00"]
    lst.action.setCurrentIndex(0)
    lst.kind.setCurrentIndex(0)
    lst.who.setCurrentIndex(lst.who.findData("Jo Bloggs"))
    assert len(texts(screen, WHAT)) == 2
    lst.who.setCurrentIndex(0)
    lst.search.setText("Birch")
    qtbot.waitUntil(lambda: texts(screen, WHAT) == ["Customer BIR, Birch GmbH"] * 2)
    lst.search.setText("INV-1")
    qtbot.waitUntil(lambda: len(texts(screen, WHAT)) == 2)
    lst.search.clear()
    tomorrow = TODAY + timedelta(days=1)
    lst.start.setDate(QDate(tomorrow.year, tomorrow.month, tomorrow.day))
    lst.reload()
    assert lst.model.rowCount() == 0 and lst.empty.text() == "Nothing matches the search or filters."
    lst.start.setDate(lst.start.minimumDate())
    lst.end.setDate(QDate(TODAY.year, TODAY.month, TODAY.day))
    lst.reload()
    assert lst.model.rowCount() == 5 and lst.start.text() == "any date"


def test_csv_export_writes_the_entries_the_filters_show(screen, qtbot, tmp_path):
    screen.list.kind.setCurrentIndex(screen.list.kind.findData("Invoices"))
    target = tmp_path / "audit.csv"
    task = screen.export_csv(target)
    qtbot.waitUntil(lambda: task.finished, timeout=10_000)
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert [(r["action"], r["who"], r["summary"]) for r in rows] == [
        ("Changed", "Jo Bloggs", "Invoice INV-1 for Alder & Co, £1,300.00"),
        ("Created", rows[1]["who"], "Invoice INV-1 for Alder & Co, £1,200.00")]
    assert rows[0]["changes"] == "amount: £1,200.00 → £1,300.00"
    assert "customer: Alder & Co" in rows[1]["changes"] and rows[0]["when_utc"][:4] == str(TODAY.year)[:4]
    assert screen.told == [f"Saved 2 audit entries to {target}."]


def test_nothing_on_the_screen_edits_or_deletes_an_entry(screen):
    model = screen.list.model
    index = model.index(0, WHAT)
    assert not model.flags(index) & Qt.ItemFlag.ItemIsEditable
    assert screen.list.table.editTriggers() == QAbstractItemView.EditTrigger.NoEditTriggers
    assert screen.detail.isReadOnly()
    buttons = [b.text() for b in screen.findChildren(QPushButton)]
    assert buttons == ["Export CSV…"]


def test_the_sidebar_opens_the_audit_trail(qtbot, ledger):
    window = MainWindow(ledger, today=TODAY)
    qtbot.addWidget(window)
    window.show()
    window.show_page("Audit trail")
    assert "Audit trail" in PAGES and window.pages.currentWidget() is window.audit_view
    assert window.audit_view.list.model.rowCount() == 5
    assert window.tasks.wait(10_000)
