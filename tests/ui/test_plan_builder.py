"""The payment-plan builder: choose the debts, see the schedule update as the terms change, refuse a
bad term under its field, save — and the first instalment shows on the Today screen."""

from datetime import date

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDialogButtonBox
from sqlalchemy import select

from debtordesk.db.models import Customer, Invoice, PaymentPlan
from debtordesk.ui.app import make_app
from debtordesk.ui.dialogs.plan_builder import PlanBuilderDialog
from debtordesk.ui.views.today import TodayView
from debtordesk.ui.workers import TaskRunner
from helpers import add_invoice, dunning_books

AGREED = date(2026, 2, 10)


@pytest.fixture
def books(db):
    make_app()
    dunning_books(db)
    with db.transaction() as s:
        alder = s.scalars(select(Customer).where(Customer.ref == "ALD")).one()
        add_invoice(s, alder, "INV-8", "2026-02-01", "2026-03-03", 30000)  # not yet due: not chosen at first
    return db


def alder_id(db) -> int:
    with db.session() as s:
        return s.scalar(select(Customer.id).where(Customer.ref == "ALD"))


def texts(table, column) -> list[str]:
    return [table.item(r, column).text() for r in range(table.rowCount())]


def test_build_a_plan_see_the_preview_follow_save_and_find_it_on_today(books, qtbot):
    dialog = PlanBuilderDialog(books, alder_id(books), today=AGREED)
    qtbot.addWidget(dialog)
    save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    # the whole overdue balance is chosen: INV-1 (£1,200), not INV-8 (not yet due)
    assert texts(dialog.invoices, 0) == ["INV-1", "INV-8"]
    assert [dialog.invoices.item(r, 0).checkState() for r in range(2)] == [Qt.CheckState.Checked,
                                                                          Qt.CheckState.Unchecked]
    assert dialog.covered.text() == "Covered: £1,200.00"
    dialog.count.setValue(4)
    qtbot.waitUntil(lambda: dialog.preview.rowCount() == 4)
    assert texts(dialog.preview, 2) == ["£300.00"] * 4
    assert texts(dialog.preview, 1)[0] == "1 Mar 2026"
    assert texts(dialog.preview, 4)[-1] == "£0.00"
    # a down payment, then a flat 5 % and a fee: the preview follows, the parts still add up
    dialog.down.setText("200")
    dialog.interest.setCurrentIndex(dialog.interest.findData("flat"))
    dialog.percent.setText("5")
    dialog.fee.setText("10")
    qtbot.waitUntil(lambda: dialog.preview.rowCount() == 5)
    assert texts(dialog.preview, 0) == ["Down", "1", "2", "3", "4"]
    assert texts(dialog.preview, 2) == ["£200.00", "£265.00", "£265.00", "£265.00", "£265.00"]
    assert "total £1,260.00, of it £60.00 interest and fee" in dialog.summary.text()
    assert "Last payment 1 Jul 2026" in dialog.summary.text()
    # a term that makes no plan is refused under its field and Save waits
    dialog.percent.setText("abc")
    qtbot.waitUntil(lambda: dialog.preview.rowCount() == 0)
    assert dialog.form.error_text("percent") == "The interest must be a percentage like 8 or 7.5."
    assert not save.isEnabled()
    dialog.percent.setText("5")
    qtbot.waitUntil(lambda: save.isEnabled())
    # ticking the not-yet-due invoice adds it to the plan
    dialog.invoices.item(1, 0).setCheckState(Qt.CheckState.Checked)
    qtbot.waitUntil(lambda: dialog.covered.text() == "Covered: £1,500.00")
    dialog.down.setText("")
    dialog.fee.setText("")
    dialog.interest.setCurrentIndex(dialog.interest.findData("none"))
    dialog.first_due.setDate(QDate(2026, 2, 27))
    qtbot.waitUntil(lambda: texts(dialog.preview, 2) == ["£375.00"] * 4)
    save.click()
    assert dialog.result() == dialog.DialogCode.Accepted and dialog.plan_id is not None
    with books.session() as s:
        plan = s.get(PaymentPlan, dialog.plan_id)
        assert (plan.reference, plan.amount_minor, plan.total_minor, len(plan.instalments)) == ("PP-0001", 150000,
                                                                                                150000, 4)
        assert {s.get(Invoice, x.invoice_id).number for x in plan.invoices} == {"INV-1", "INV-8"}

    today = TodayView(books, date(2026, 2, 24))
    today.tasks = TaskRunner(today, delay_ms=0)
    qtbot.addWidget(today)
    today.refresh()
    qtbot.waitUntil(lambda: today.data is not None, timeout=20_000)
    assert today.work.instalments.count() == 1
    assert today.work.instalments.item(0).text() == "Alder & Co — PP-0001 instalment 1: £375.00 due Fri 27 Feb 2026"
    assert today.work.instalments_label.text().startswith("Instalments due this week: 1 (to 2 Mar 2026)")
    with qtbot.waitSignal(today.plan_requested) as opened:
        today.work.instalments.itemActivated.emit(today.work.instalments.item(0))
    assert opened.args == [dialog.plan_id]
    assert today.tasks.wait(10_000)


def test_the_first_payment_cannot_come_before_the_agreement(books, qtbot):
    dialog = PlanBuilderDialog(books, alder_id(books), today=AGREED)
    qtbot.addWidget(dialog)
    dialog.first_due.setDate(QDate(2026, 2, 1))
    qtbot.waitUntil(lambda: dialog.form.error_text("first_due") != "")
    assert dialog.form.error_text("first_due") == ("The first payment cannot be due before the day the plan is "
                                                   "agreed.")
    assert not dialog.buttons.button(QDialogButtonBox.StandardButton.Save).isEnabled()


def _agree_six(self):  # what a user does in the builder: six instalments, then Agree the plan
    self.count.setValue(6)
    self.save()
    return self.result()


def test_a_plan_is_offered_from_the_customer_and_from_the_dunning_screen(books, qtbot, monkeypatch):
    from debtordesk.ui.main_window import MainWindow

    monkeypatch.setattr(PlanBuilderDialog, "exec", _agree_six)
    window = MainWindow(books, today=AGREED)
    qtbot.addWidget(window)
    window.show_customer(alder_id(books))
    qtbot.waitUntil(lambda: window.customers_view.detail.row is not None, timeout=10_000)
    window.customers_view.detail.plan_button.click()
    assert window.current_page() == "Payment plans"
    view = window.plans_view
    qtbot.waitUntil(lambda: view.detail is not None and view.detail.row.reference == "PP-0001", timeout=10_000)
    assert view.detail.schedule.count == 6 and view.detail.row.total_minor == 120000
    # the Dunning screen offers a plan for the selected customer; Birch has no plan yet
    window.show_page("Dunning")
    dunning = window.dunning_view
    qtbot.waitUntil(lambda: dunning.model.rowCount() > 0, timeout=10_000)
    dunning.show_skipped.setChecked(True)  # nobody gets a letter on this day: Alder keeps a plan
    assert dunning.proxy.rowCount() == 3
    offered = []
    monkeypatch.setattr(window.actions_, "new_plan", lambda cid, cur=None: offered.append((cid, cur)))
    dunning.plan_requested.disconnect()
    dunning.plan_requested.connect(window.actions_.new_plan)
    dunning.table.setCurrentIndex(dunning.proxy.index(0, 1))
    dunning.plan_button.click()
    first = dunning.model.proposals[dunning.proxy.mapToSource(dunning.proxy.index(0, 1)).row()]
    assert offered == [(first.customer_id, "GBP")]
    assert window.tasks.wait(10_000)
