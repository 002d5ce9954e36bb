"""The customer's Privacy menu: export the personal data into a folder, erase it (refused with the
reason while money is open, asked first otherwise)."""

from datetime import date

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox
from sqlalchemy import select

from debtordesk.db.models import AuditEntry, Customer
from debtordesk.services.customers import read_form, save_customer
from debtordesk.services.payments import record_payment
from debtordesk.ui.dialogs import privacy as privacy_dialogs
from debtordesk.ui.main_window import MainWindow
from helpers import add_customer, add_invoice

TODAY = date(2026, 3, 1)


@pytest.fixture
def ledger(db):
    with db.transaction() as s:
        c = add_customer(s, "ALD", "Alder & Co")
        add_invoice(s, c, "INV-1", "2026-01-05", "2026-02-04", 120000)
    with db.session() as s:
        form = read_form(s, 1)
    form.values.update(email="jo@alder.example", contact_person="Jo Alder")
    with db.transaction() as s:
        save_customer(s, form)
    return db


@pytest.fixture
def window(qtbot, ledger, monkeypatch):
    told = []
    monkeypatch.setattr(privacy_dialogs, "tell", lambda _parent, text, *a, **k: told.append(text))
    w = MainWindow(ledger, today=TODAY)
    w.told = told
    qtbot.addWidget(w)
    w.resize(1280, 720)
    w.show()
    w.show_customer(1)
    assert w.customers_view.detail.row.id == 1
    yield w
    assert w.tasks.wait(10_000)


def detail(window):
    return window.customers_view.detail


def test_the_privacy_menu_offers_export_and_erase(window):
    d = detail(window)
    assert d.privacy_button.isEnabled()
    assert [a.text() for a in d.privacy_button.menu().actions()] == ["Export personal data…", "Erase personal data…"]


def test_export_writes_both_files_into_the_chosen_folder(window, qtbot, tmp_path, monkeypatch):
    folder = tmp_path / "for-jo"
    folder.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(folder))
    task = detail(window).export_personal_data()
    qtbot.waitUntil(lambda: task.finished, timeout=20_000)
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["ALD-personal-data-2026-03-01.json", "ALD-personal-data-2026-03-01.pdf"]
    assert window.told and window.told[0].startswith(f"Everything held about Alder & Co is saved in {folder}")


def test_erase_is_refused_with_the_reason_while_money_is_open(window, warnings, monkeypatch):
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a) or QMessageBox.StandardButton.Yes)
    assert detail(window).erase_personal_data() is None
    assert asked == []
    assert warnings == [("Personal data not erased", "Alder & Co's personal data cannot be erased while money is "
                         "still open: 1 invoice is still open (£1,200.00). Settle these first (collect, credit or "
                         "write off what is owed, refund or apply the credit, resolve disputes), then erase.")]


def test_erase_asks_first_then_erases_and_the_lists_follow(window, ledger, qtbot, monkeypatch):
    with ledger.transaction() as s:
        record_payment(s, 1, date(2026, 2, 20), 120000, "GBP")
    asked = []

    def answer(_parent, title, text, *a, **k):
        asked.append((title, text))
        return QMessageBox.StandardButton.No if len(asked) == 1 else QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", answer)
    assert detail(window).erase_personal_data() is None  # No: nothing happens
    with ledger.session() as s:
        assert s.get(Customer, 1).name == "Alder & Co"
    task = detail(window).erase_personal_data()
    qtbot.waitUntil(lambda: task.finished, timeout=20_000)
    title, text = asked[0]
    assert title == "Erase personal data" and "“Erased customer ALD”" in text and "cannot be undone" in text
    assert "Invoices, payments, amounts and dates stay" in text
    with ledger.session() as s:
        c = s.get(Customer, 1)
        assert (c.name, c.email, c.archived) == ("Erased customer ALD", "", True)
        assert s.scalars(select(AuditEntry.summary).where(AuditEntry.action == "erase")).all() == [
            "Personal data of customer ALD erased"]
    assert window.told[-1].startswith("The personal data of Alder & Co is erased: the customer is now "
                                      "“Erased customer ALD” (archived)")
    assert "Alder & Co" not in window.customers_view.list.visible_texts(1)
