"""Factoring from the customer: a new factor (refusals under their fields), chosen invoices assigned,
the notice of assignment printed and recorded, the assignment ended."""

from datetime import date

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from debtordesk.db.models import Customer, Letter
from debtordesk.services.factoring import assigned_invoices
from debtordesk.ui.app import make_app
from debtordesk.ui.dialogs.factoring import FactorDialog, FactoringDialog
from helpers import add_invoice, dunning_books

TODAY = date(2026, 3, 1)


@pytest.fixture
def books(db):
    make_app()
    dunning_books(db)
    with db.transaction() as s:
        add_invoice(s, s.scalar(select(Customer).where(Customer.ref == "ALD")), "INV-8", "2026-01-10",
                    "2026-02-09", 40000)
    return db


def alder_id(db) -> int:
    with db.session() as s:
        return s.scalar(select(Customer.id).where(Customer.ref == "ALD"))


def test_a_new_factor_is_refused_without_an_account(books, qtbot, warnings):
    dialog = FactorDialog(books)
    qtbot.addWidget(dialog)
    dialog.inputs["name"].setText("Northern Factors plc")
    dialog.save()
    assert "IBAN or account number" in dialog.form.error_text("iban")
    dialog.inputs["account_number"].setText("71234567")
    dialog.inputs["sort_code"].setText("40-11-62")
    dialog.chases.setChecked(True)
    dialog.save()
    assert dialog.saved_id is not None and dialog.result() == FactorDialog.DialogCode.Accepted


def test_assign_chosen_invoices_print_the_notice_and_end_it(books, qtbot, warnings, monkeypatch):
    opened = []
    dialog = FactoringDialog(books, alder_id(books), TODAY, open_file=opened.append)
    qtbot.addWidget(dialog)
    assert not dialog.assign_button.isEnabled() and not dialog.notice_button.isEnabled()
    monkeypatch.setattr(FactorDialog, "exec", lambda self: (
        self.inputs["name"].setText("Northern Factors plc"), self.inputs["iban"].setText("GB33BUKB20201555555555"),
        self.save(), self.result())[-1])
    dialog.new_factor.click()
    assert dialog.factor.count() == 1 and dialog.assign_button.isEnabled()
    dialog.chosen.setChecked(True)
    numbers = [dialog.invoices.item(r, 1).text() for r in range(dialog.invoices.rowCount())]
    assert numbers == ["INV-1", "INV-8"]
    dialog.invoices.item(1, 0).setCheckState(Qt.CheckState.Checked)
    dialog.assign_button.click()
    assert warnings == []
    assert dialog.invoices.item(1, 4).text() == "Northern Factors plc"
    with books.session() as s:
        assert [i for i in assigned_invoices(s, alder_id(books), TODAY)] != []
    dialog.notice_button.click()
    assert opened and opened[0].read_bytes().startswith(b"%PDF")
    with books.session() as s:
        assert s.scalar(select(Letter.kind).where(Letter.customer_id == alder_id(books))) == "notice"
    dialog.assignments.selectRow(0)
    dialog.end_button.click()
    assert dialog.assignments.item(0, 3).text() != ""
    assert dialog.invoices.item(1, 4).text() == ""
    assert dialog.changed
