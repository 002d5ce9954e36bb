"""Settlement from the customer: record an offer (refusals under their fields), accept it, see the
dunning run pause, pay it and see the rest written off; reject another."""

from datetime import date

import pytest
from PySide6.QtCore import QDate
from sqlalchemy import select

from debtordesk.db.models import Customer, Invoice
from debtordesk.services.adjustments import write_off_report
from debtordesk.services.dunning import dunning_run
from debtordesk.services.payments import record_payment
from debtordesk.ui.app import make_app
from debtordesk.ui.dialogs.settlement import SettlementDialog
from helpers import dunning_books

TODAY = date(2026, 4, 1)


@pytest.fixture
def books(db):
    make_app()
    dunning_books(db)
    return db


def alder_id(db) -> int:
    with db.session() as s:
        return s.scalar(select(Customer.id).where(Customer.ref == "ALD"))


def test_record_accept_and_pay_a_settlement(books, qtbot, warnings):
    dialog = SettlementDialog(books, alder_id(books), TODAY)
    qtbot.addWidget(dialog)
    assert dialog.state.text() == "£1,200.00 is open."
    assert not dialog.accept_button.isEnabled()
    dialog.amount.setText("1500")
    dialog.record_button.click()
    assert "less than the £1,200.00 owed" in dialog.form.error_text("amount")
    dialog.amount.setText("900.00")
    dialog.deadline.setDate(QDate(2026, 4, 30))
    dialog.record_button.click()
    assert dialog.state.text().startswith("£900.00 offered on")
    assert dialog.accept_button.isEnabled() and not dialog.record_button.isEnabled()
    dialog.accept_button.click()  # no reason yet
    assert "Say why the rest is written off" in dialog.form.error_text("reason")
    dialog.reason.setText("Customer in difficulty")
    dialog.accept_button.click()
    assert dialog.state.text().startswith("Accepted on")
    assert dialog.history.item(0, 5).text() == "Accepted"
    assert warnings == []
    with books.session() as s:
        p = next(p for p in dunning_run(s, date(2026, 4, 10)) if p.ref == "ALD")
        assert p.level is None and "settlement" in p.reason
    with books.transaction() as s:
        record_payment(s, alder_id(books), date(2026, 4, 20), 90000, "GBP")
    with books.session() as s:
        assert s.scalar(select(Invoice.open_minor).where(Invoice.number == "INV-1")) == 0
        rows = write_off_report(s, TODAY, date(2026, 4, 30)).rows
        assert [(r.amount_minor, r.reason) for r in rows] == [(30000, "Settlement: Customer in difficulty")]
    dialog.refresh()
    assert dialog.history.item(0, 5).text() == "Settled"


def test_reject_an_offer(books, qtbot, warnings):
    dialog = SettlementDialog(books, alder_id(books), TODAY)
    qtbot.addWidget(dialog)
    dialog.amount.setText("500")
    dialog.record_button.click()
    dialog.note.setPlainText("Far too little")
    dialog.reject_button.click()
    assert dialog.history.item(0, 5).text() == "Rejected"
    assert dialog.record_button.isEnabled()
    assert dialog.changed
