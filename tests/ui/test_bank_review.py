"""File ▸ Import bank statement…: the review screen as the user drives it."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox
from sqlalchemy import select

from bank_books import FIXTURES, bank_books
from debtordesk.db.engine import open_database
from debtordesk.db.models import Invoice, Payment, StatementLine
from debtordesk.ui.app import Desk, make_app
from debtordesk.ui.dialogs.bank_csv import BankCsvDialog
from debtordesk.ui.dialogs.bank_review import BankReviewDialog
from debtordesk.ui.messages import ProblemsDialog
from debtordesk.ui.models.bank_review import BankReviewModel, rows_for

TODAY = date(2026, 3, 5)


@pytest.fixture
def desk(qtbot, tmp_path):
    make_app()
    db = open_database(f"sqlite:///{tmp_path / 'books.sqlite3'}")
    desk = Desk(TODAY)
    desk.ids = bank_books(db)
    desk.start(db)
    qtbot.waitExposed(desk.window)
    yield desk
    for w in QApplication.topLevelWidgets():
        if isinstance(w, (QMessageBox, ProblemsDialog, BankReviewDialog, BankCsvDialog)) and w.isVisible():
            w.close()
    assert desk.window.tasks.wait(10_000)
    desk.close()


def open_file(qtbot, monkeypatch, window, path, kind=BankReviewDialog):
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(path), "")))
    menu = next(a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == "File")
    next(a for a in menu.actions() if a.text().replace("&", "") == "Import bank statement…").trigger()
    found = []

    def shown():
        found[:] = [w for w in window.findChildren(kind) if w.isVisible()]
        return bool(found)

    qtbot.waitUntil(shown, timeout=10_000)
    return found[0]


def table(dialog) -> list[tuple[str, ...]]:
    """Payer, customer / invoice, confidence and decision of each row, as the table shows them."""
    m = dialog.table.model()
    return [tuple(m.index(r, c).data() for c in (1, 4, 5, 7)) for r in range(m.rowCount())]


def message(qtbot, window, contains: str) -> str:
    boxes = []

    def shown():
        boxes[:] = [b for b in window.findChildren(QMessageBox) if b.isVisible() and contains in b.text()]
        return bool(boxes)

    qtbot.waitUntil(shown, timeout=10_000)
    boxes[0].close()
    return boxes[0].text()


def click(qtbot, button):
    assert button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_review_accept_change_reject_import_and_import_again(desk, qtbot, monkeypatch):
    window, ids = desk.window, desk.ids
    dialog = open_file(qtbot, monkeypatch, window, FIXTURES / "camt053.xml")
    assert table(dialog) == [
        ("ALDER AND CO LTD", "Alder & Co — INV-1001", "High", "Undecided"),
        ("Birch Holdings Limited", "Birch Holdings Ltd — INV-1002", "Medium", "Undecided"),
        ("J Smith", "Cedar plc — INV-1003", "Low", "Undecided"),
        ("Unknown Trading SARL", "", "None", "Undecided"),
        ("Deutsche Bank AG", "", "", "Skip")]
    assert "camt053.xml: a CAMT.053 statement for account DE89370400440532013000" in dialog.intro.text()
    assert "a part payment" in dialog.reason_label.text()  # the first line to decide is selected

    click(qtbot, dialog.accept_button)  # Alder's line; the next undecided line is selected
    assert dialog.selected_rows() == [1]
    dialog.table.selectRow(2)  # J Smith's money is Dogwood's, for INV-1005
    dialog.picker.set_customer(ids["DOG"], "DOG", "Dogwood GmbH")
    assert [dialog.invoice.itemText(i) for i in range(dialog.invoice.count())] == [
        "Oldest open invoices first", "INV-1005 — €99.00 open, due 25 Feb 2026"]
    dialog.invoice.setCurrentIndex(1)
    dialog.table.selectRow(3)
    click(qtbot, dialog.reject_button)
    assert table(dialog)[:4] == [
        ("ALDER AND CO LTD", "Alder & Co — INV-1001", "High", "Accept"),
        ("Birch Holdings Limited", "Birch Holdings Ltd — INV-1002", "Medium", "Undecided"),
        ("J Smith", "Dogwood GmbH — INV-1005", "Your choice", "Accept"),
        ("Unknown Trading SARL", "", "None", "Reject")]
    assert dialog.summary.text() == ("2 payments to record (€1,735.50), 1 rejected, 1 undecided, "
                                     "1 paid out (skipped).")

    click(qtbot, dialog.import_button)
    said = message(qtbot, window, "Recorded")
    assert said == ("Recorded 2 payments (€1,735.50) from camt053.xml. 1 line rejected and 1 line skipped; they "
                    "will not be offered again. 1 line left undecided will be offered again the next time you "
                    "import this statement.")
    assert not any(w.isVisible() for w in window.findChildren(BankReviewDialog))  # closed (and deleted) on success
    with window.db.session() as s:
        pays = {p.customer_id: (p.amount_minor, p.unapplied_minor, p.method, p.named_invoice_id)
                for p in s.scalars(select(Payment))}
        open_ = dict(s.execute(select(Invoice.number, Invoice.open_minor)).all())
        states = [st for (st,) in s.execute(select(StatementLine.state).order_by(StatementLine.id))]
    assert pays == {ids["ALD"]: (100000, 0, "bank transfer", ids["INV-1001"]),
                    ids["DOG"]: (73550, 73550 - 9900, "bank transfer", ids["INV-1005"])}
    assert (open_["INV-1001"], open_["INV-1005"], open_["INV-1002"], open_["INV-1003"]) == (20000, 0, 48000, 73550)
    assert states == ["imported", "imported", "rejected", "skipped"]

    again = open_file(qtbot, monkeypatch, window, FIXTURES / "camt053.xml")
    assert [row[3] for row in table(again)] == ["Already imported", "Undecided", "Already imported",
                                                 "Already rejected", "Already skipped"]
    assert again.selected_rows() == [1]  # the one line left to decide
    again.table.selectRow(0)
    assert not again.accept_button.isEnabled() and not again.picker.isEnabled()
    assert "Already imported on" in again.reason_label.text()
    click(qtbot, again.high_button)
    assert "no undecided lines proposed with high confidence" in message(qtbot, again, "high confidence")
    assert not again.import_button.isEnabled()


def test_accept_all_high_confidence_then_a_csv_needs_its_columns(desk, qtbot, monkeypatch):
    window = desk.window
    mapping = open_file(qtbot, monkeypatch, window, FIXTURES / "bank_export.csv", BankCsvDialog)
    assert mapping.columns["credit"].currentText() == "Money in"
    assert mapping.decimal.currentData() is True and mapping.delimiter.currentData() == ";"
    mapping.columns["date"].setCurrentIndex(0)  # (none): refused under its field
    click(qtbot, mapping.buttons.button(mapping.buttons.StandardButton.Ok))
    assert mapping.forms[0].error_text("date") == "Choose the column with the booking date."
    mapping.columns["date"].setCurrentText("Booking date")
    click(qtbot, mapping.buttons.button(mapping.buttons.StandardButton.Ok))
    found = []
    qtbot.waitUntil(lambda: bool(found.extend(w for w in window.findChildren(BankReviewDialog) if w.isVisible())
                                 or found), timeout=10_000)
    dialog = found[0]
    click(qtbot, dialog.high_button)
    assert [row[3] for row in table(dialog)] == ["Accept", "Undecided", "Undecided", "Undecided", "Skip"]
    click(qtbot, dialog.import_button)
    message(qtbot, window, "Recorded 1 payment (€1,000.00) from bank_export.csv")
    with window.db.session() as s:
        assert s.scalars(select(StatementLine.state)).all() == ["imported", "skipped"]


def test_a_malformed_statement_is_refused_with_its_problem(desk, qtbot, monkeypatch, tmp_path):
    bad = tmp_path / "march.xml"
    bad.write_bytes(b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt><Stmt>')
    problems = open_file(qtbot, monkeypatch, desk.window, bad, ProblemsDialog)
    assert "Nothing was imported: march.xml has 1 problem" in problems.summary.text()
    assert problems.list.item(0).text().startswith("is not well-formed XML")
    with desk.window.db.session() as s:
        assert s.scalars(select(StatementLine)).all() == [] and s.scalars(select(Payment)).all() == []


def test_the_review_model_passes_the_model_tester(db, qtmodeltester):
    from debtordesk.services.bank_formats import read_statement
    from debtordesk.services.bank_matching import match_statement

    bank_books(db)
    statement = read_statement(FIXTURES / "statement.ofx")
    with db.session() as s:
        model = BankReviewModel(rows_for(match_statement(s, statement)))
    qtmodeltester.check(model)
    assert model.set_decision(3, "accept") is False  # no customer: cannot be accepted
    assert model.set_decision(4, "reject") is False  # a debit is skipped, not decided
