"""Collections work in the GUI: log a call with a follow-up and find it on Today (filtered by the
account owner, ticked off there); record a promise and see the customer skipped by the dunning run."""

from datetime import date

import pytest
from PySide6.QtCore import QDate
from sqlalchemy import select

from debtordesk.db.models import Activity, Customer, Promise
from debtordesk.ui.app import make_app
from debtordesk.ui.dialogs.activity import ActivityDialog
from debtordesk.ui.views.activity import CustomerActivityView
from debtordesk.ui.views.dunning import DunningView
from debtordesk.ui.views.today import TodayView
from debtordesk.ui.workers import TaskRunner
from helpers import dunning_books

TODAY = date(2026, 2, 10)


@pytest.fixture
def books(db):
    make_app()
    dunning_books(db)
    with db.transaction() as s:
        s.scalars(select(Customer).where(Customer.ref == "ALD")).one().owner = "Sam"
    return db


def alder_id(db) -> int:
    with db.session() as s:
        return s.scalar(select(Customer.id).where(Customer.ref == "ALD"))


def today_view(db, qtbot) -> TodayView:
    view = TodayView(db, TODAY)
    view.tasks = TaskRunner(view, delay_ms=0)
    qtbot.addWidget(view)
    view.refresh()
    qtbot.waitUntil(lambda: view.data is not None, timeout=20_000)
    return view


def test_log_a_call_with_a_follow_up_and_do_it_from_today(books, qtbot):
    dialog = ActivityDialog(books, TODAY, alder_id(books))
    qtbot.addWidget(dialog)
    dialog.outcome.setCurrentIndex(dialog.outcome.findData("no-answer"))
    dialog.note.setPlainText("Rang the office, voicemail")
    dialog.follow_check.setChecked(True)
    dialog.follow_up_on.setDate(QDate(2026, 2, 8))  # before the call: refused under the field
    dialog.save()
    assert dialog.form.error_text("follow_up_on") == "The follow-up date cannot be before the date of the entry."
    dialog.follow_up_on.setDate(QDate(2026, 2, 10))
    dialog.save()
    assert dialog.saved_id is not None

    view = today_view(books, qtbot)
    work = view.work
    assert work.follow_ups.count() == 1
    assert work.follow_ups.item(0).text() == "Alder & Co — follow up today: Rang the office, voicemail"
    # the owner filter: Sam's accounts show it, "nobody in particular" does not
    assert [work.owner.itemText(i) for i in range(work.owner.count())] == ["Everyone", "Sam", "Nobody in particular"]
    work.owner.setCurrentIndex(work.owner.findText("Nobody in particular"))
    assert work.follow_ups.count() == 0 and work.follow_label.text() == "Follow-ups due: none."
    work.owner.setCurrentIndex(work.owner.findText("Sam"))
    assert work.follow_ups.count() == 1
    with qtbot.waitSignal(view.log_call_requested) as asked:
        work.follow_ups.setCurrentRow(0)
        work.call_button.click()
    assert asked.args == [alder_id(books)]
    work.done_button.click()
    assert work.follow_ups.count() == 0
    with books.session() as s:
        assert s.get(Activity, dialog.saved_id).follow_up_done
    assert view.tasks.wait(10_000)


def test_record_a_promise_on_the_customer_and_the_dunning_run_skips_them(books, qtbot, monkeypatch):
    def promise_300(self):
        self.promise_amount.setText("300")
        self.promise_due.setDate(QDate(2026, 2, 20))
        self.save()
        return self.result()

    monkeypatch.setattr(ActivityDialog, "exec", promise_300)
    activity = CustomerActivityView(books, alder_id(books), TODAY)
    qtbot.addWidget(activity)
    assert activity.log("call", "promised")
    assert activity.table.rowCount() == 1
    assert activity.table.item(0, 2).text() == "Promised to pay"
    assert activity.promises.text() == ("Promises to pay: £300.00 by 20 Feb 2026: pending (reminders pause until "
                                        "23 Feb 2026)")
    assert activity.withdraw_button.isEnabled()
    with books.session() as s:
        assert s.scalar(select(Promise.amount_minor)) == 30000

    dunning = DunningView(books, TODAY, None)
    dunning.tasks = TaskRunner(dunning, delay_ms=0)
    qtbot.addWidget(dunning)
    dunning.show_skipped.setChecked(True)
    dunning.refresh()
    qtbot.waitUntil(lambda: dunning.model.rowCount() == 3, timeout=10_000)
    alder = next(p for p in dunning.model.proposals if p.ref == "ALD")
    assert not alder.proposed
    assert alder.reason == "A promise to pay £300.00 by 2026-02-20 is pending: reminders pause until 2026-02-23."

    view = today_view(books, qtbot)
    assert view.work.promises.count() == 0  # not due yet
    assert view.tasks.wait(10_000)
    assert dunning.tasks.wait(10_000)


def test_a_new_invoice_over_the_credit_limit_or_on_hold_asks_first(books, qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from debtordesk.db.models import Invoice
    from debtordesk.services.credit import credit_warnings
    from debtordesk.ui.dialogs.invoice import InvoiceDialog

    with books.transaction() as s:
        alder = s.get(Customer, alder_id(books))
        alder.credit_limit_minor = 125000  # £1,250; £1,200 is open
        birch = s.scalars(select(Customer).where(Customer.ref == "BIR")).one()
        assert credit_warnings(s, alder.id, "GBP", 5000) == []
        assert credit_warnings(s, alder.id, "GBP", 6000) == [
            "This invoice takes Alder & Co's balance to £1,260.00, over the credit limit of £1,250.00 (by £10.00)."]
        assert credit_warnings(s, alder.id, "EUR", 900000) == []  # the limit is in the base currency
        assert credit_warnings(s, birch.id, "GBP", 100) == [
            "Birch Ltd is on hold: new work or deliveries were meant to stop until the account is settled."]
    asked = []

    def answer(reply):
        def question(parent, title, text, *args, **kwargs):
            asked.append(text)
            return reply
        return question

    dialog = InvoiceDialog(books, TODAY, customer_id=alder_id(books))
    qtbot.addWidget(dialog)
    dialog.amount.setText("60.00")
    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.No))
    dialog.save()
    assert dialog.saved_id is None and "over the credit limit of £1,250.00" in asked[0]
    assert asked[0].endswith("Raise the invoice anyway?")
    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Yes))
    dialog.save()
    assert dialog.saved_id is not None
    with books.session() as s:
        assert s.get(Invoice, dialog.saved_id).amount_minor == 6000


def test_today_ranks_the_accounts_to_chase_by_either_ordering(books, qtbot):
    from helpers import add_customer, add_invoice

    with books.transaction() as s:
        dale = add_customer(s, "DAL", "Dale Ltd")
        add_invoice(s, dale, "INV-9", "2026-01-09", "2026-02-08", 5000)  # two days overdue, small
    view = today_view(books, qtbot)
    work = view.work
    qtbot.waitUntil(lambda: work.account_items is not None, timeout=20_000)
    lines = [work.accounts.item(i).text() for i in range(work.accounts.count())]
    assert len(lines) == 4 and lines[0].startswith("Alder & Co — £1,200.00 overdue, the oldest 10 days; risk ")
    assert lines[-1].startswith("Dale Ltd — £50.00 overdue, the oldest 2 days")
    assert work.accounts_label.text() == "Accounts to chase first: the top 4 of 4."
    work.ordering.setCurrentIndex(work.ordering.findData("recent"))
    assert work.accounts.item(0).text().startswith("Dale Ltd")  # the freshest debt first
    assert work.accounts.item(0).toolTip() != ""  # the risk factors, one per line
    work.owner.setCurrentIndex(work.owner.findText("Sam"))  # Alder's owner
    assert work.accounts.count() == 1 and work.accounts.item(0).text().startswith("Alder & Co")
    with qtbot.waitSignal(view.log_call_requested) as asked:
        work.accounts.setCurrentRow(0)
        work.account_call.click()
    assert asked.args == [alder_id(books)]
    assert view.tasks.wait(10_000)
