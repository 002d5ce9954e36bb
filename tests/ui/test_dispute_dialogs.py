"""Disputes, credit notes and write-offs from the Invoices screen, driven through their dialogs on a
real database: what the list shows afterwards, what the services read back, and refusals shown
under their field with nothing written."""

from datetime import date

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from sqlalchemy import func, select

from debtordesk.db.models import Dispute, Invoice, Payment
from debtordesk.services.adjustments import invoice_credits
from debtordesk.services.disputes import dispute_history, open_dispute
from debtordesk.services.payments import record_payment
from debtordesk.ui.dialogs.disputes import DisputeDialog, ResolveDisputeDialog
from debtordesk.ui.dialogs.disputes_credits import CreditNoteDialog, WriteOffDialog
from debtordesk.ui.views.invoices import InvoicesView
from helpers import add_customer, add_invoice

TODAY = date(2026, 3, 1)
NUMBER, CUSTOMER, ISSUED, DUE, AMOUNT, OPEN, STATUS = range(7)


@pytest.fixture
def ledger(db):
    with db.transaction() as s:
        a = add_customer(s, "ALD", "Alder & Co")
        add_invoice(s, a, "INV-1", "2026-01-05", "2026-02-04", 120000)  # £250 paid below: £950 open
        add_invoice(s, a, "INV-2", "2026-01-20", "2026-02-19", 50000)  # paid in full below
        record_payment(s, a.id, date(2026, 2, 10), 25000, "GBP", invoice_id=1)
        record_payment(s, a.id, date(2026, 2, 20), 50000, "GBP", invoice_id=2)
    return db


@pytest.fixture
def view(qtbot, ledger):
    v = InvoicesView(ledger, TODAY)
    qtbot.addWidget(v)
    v.resize(1100, 600)
    v.show()
    v.ensure_loaded()
    return v


def plain(button) -> str:
    return button.text().replace("&", "")


def pick(view, number) -> None:
    view.table.selectRow(view.visible_texts(NUMBER).index(number))


def cell(view, number, column) -> str:
    return view.visible_texts(column)[view.visible_texts(NUMBER).index(number)]


def ok(qtbot, dialog) -> None:
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)


def in_dialog(qtbot, fill, seen: dict):
    """Run `fill(dialog)` on the modal dialog once it is open; it is closed whatever happens."""

    def run():
        dialog = QApplication.activeModalWidget()
        try:
            seen["dialog"] = type(dialog).__name__
            fill(dialog)
        finally:
            if dialog is not None and dialog.isVisible():
                dialog.reject()

    QTimer.singleShot(0, run)


def counts(db) -> tuple[int, int]:
    with db.session() as s:
        return (s.scalar(select_count(Dispute)), s.scalar(select_count(Payment).where(Payment.kind != "payment")))


def select_count(model):
    return select(func.count()).select_from(model)


def open_minor(db, number) -> int:
    with db.session() as s:
        return s.scalar(select(Invoice.open_minor).where(Invoice.number == number))


# --- disputes ------------------------------------------------------------------------------------


def test_dispute_part_of_an_invoice_through_the_dialog(view, ledger, qtbot):
    pick(view, "INV-1")
    assert plain(view.dispute_button) == "Dispute…"
    seen = {}

    def fill(d):
        seen["heading"], seen["figures"] = d.heading.text(), d.figures.text()
        seen["amount enabled"] = d.amount.isEnabled()  # the whole invoice until Part is chosen
        d.part.setChecked(True)
        seen["amount enabled after"] = d.amount.isEnabled()
        d.amount.setText("300.00")
        d.amount.textEdited.emit("300.00")
        d.reason.setPlainText("Two of the doors were the wrong size")
        seen["outcome"] = d.outcome.text()
        ok(qtbot, d)

    in_dialog(qtbot, fill, seen)
    with qtbot.waitSignal(view.changed):  # the other screens read again
        qtbot.mouseClick(view.dispute_button, Qt.MouseButton.LeftButton)
    assert seen["dialog"] == "DisputeDialog"
    assert seen["heading"] == "Invoice INV-1 · Alder & Co (ALD)"
    assert seen["figures"] == "Amount £1,200.00 · open £950.00 · issued 5 Jan 2026"
    assert (seen["amount enabled"], seen["amount enabled after"]) == (False, True)
    assert seen["outcome"].startswith("While the dispute is open, £300.00 is left out of reminders and interest.")
    assert view.current().number == "INV-1"  # the selection stays
    assert cell(view, "INV-1", STATUS) == "Overdue 25 days · Disputed"
    assert plain(view.dispute_button) == "Resolve dispute…"
    with ledger.session() as s:
        [row] = dispute_history(s, 1)
        assert (row.amount_minor, row.whole, row.reason, row.resolved_on) == (
            30000, False, "Two of the doors were the wrong size", None)
        assert s.scalar(select(Invoice.disputed_minor).where(Invoice.id == 1)) == 30000


def test_resolve_by_split_credits_that_amount_and_claims_the_rest(view, ledger, qtbot):
    with ledger.transaction() as s:
        open_dispute(s, 1, "Two of the doors were the wrong size", date(2026, 2, 12), 30000, who="sam")
    view.refresh()
    pick(view, "INV-1")
    assert plain(view.dispute_button) == "Resolve dispute…"
    seen = {}

    def fill(d):
        seen["summary"], seen["reason"] = d.summary.text(), d.reason_shown.text()
        seen["amount enabled"] = d.amount.isEnabled()
        d.choose("split")
        seen["amount enabled after"] = d.amount.isEnabled()
        d.amount.setText("100.00")
        d.amount.textEdited.emit("100.00")
        seen["outcome"] = d.outcome.text()
        d.note.setPlainText("Agreed on the phone with their buyer")
        ok(qtbot, d)

    in_dialog(qtbot, fill, seen)
    with qtbot.waitSignal(view.changed):
        qtbot.mouseClick(view.dispute_button, Qt.MouseButton.LeftButton)
    assert seen["dialog"] == "ResolveDisputeDialog"
    assert seen["summary"] == "Since 12 Feb 2026, £300.00 of it is disputed (recorded by sam)."
    assert seen["reason"] == "Reason: Two of the doors were the wrong size"
    assert (seen["amount enabled"], seen["amount enabled after"]) == (False, True)  # only for a split
    assert seen["outcome"] == ("A credit note for £100.00 reduces INV-1 to £850.00 open. The other £200.00 is "
                               "claimed again.")
    with ledger.session() as s:
        [credit] = invoice_credits(s, 1)
        [row] = dispute_history(s, 1)
    assert (credit.kind, credit.amount_minor, credit.on) == ("credit_note", 10000, TODAY)
    assert (row.resolution, row.credited_minor, row.note) == ("split", 10000, "Agreed on the phone with their buyer")
    assert open_minor(ledger, "INV-1") == 85000
    assert cell(view, "INV-1", OPEN) == "£850.00"
    assert cell(view, "INV-1", STATUS) == "Overdue 25 days"  # no longer disputed
    assert plain(view.dispute_button) == "Dispute…"


def test_the_resolve_dialog_shows_the_earlier_disputes(qtbot, ledger):
    with ledger.transaction() as s:
        from debtordesk.services.disputes import resolve_dispute

        first = open_dispute(s, 1, "Late delivery", date(2026, 2, 1), who="sam")
        resolve_dispute(s, first.id, "withdrawn", date(2026, 2, 3), note="They found the delivery note")
        open_dispute(s, 1, "Wrong size doors", date(2026, 2, 12), 30000, who="sam")
    d = ResolveDisputeDialog(ledger, TODAY, 1)
    qtbot.addWidget(d)
    d.show()
    assert [label.text() for label in d.history] == [
        "1 Feb 2026 · the whole invoice (£1,200.00): Late delivery.\n"
        "Withdrawn on 3 Feb 2026: They found the delivery note."]
    assert d.summary.text() == "Since 12 Feb 2026, £300.00 of it is disputed (recorded by sam)."
    assert d.how() == "credit_note"
    assert d.outcome.text() == "A credit note for £300.00 reduces INV-1 to £650.00 open."


def test_a_disputed_mark_without_a_dispute_can_be_cleared(view, ledger, qtbot):
    with ledger.transaction() as s:  # marked disputed in older data, no dispute recorded
        s.get(Invoice, 1).disputed = True
    view.refresh()
    pick(view, "INV-1")
    seen = {}

    def fill(d):
        seen["enabled"] = {k: b.isEnabled() for k, b in d.how_buttons.items()}
        ok(qtbot, d)

    in_dialog(qtbot, fill, seen)
    with qtbot.waitSignal(view.changed):
        qtbot.mouseClick(view.dispute_button, Qt.MouseButton.LeftButton)
    assert seen["enabled"] == {"credit_note": False, "withdrawn": True, "split": False}
    assert cell(view, "INV-1", STATUS) == "Overdue 25 days"


# --- refusals ------------------------------------------------------------------------------------


def _dispute(ledger):
    with ledger.transaction() as s:
        open_dispute(s, 1, "Wrong size doors", date(2026, 2, 12), 30000)


@pytest.mark.parametrize(("dialog_type", "before", "fill", "field", "message"), [
    (DisputeDialog, None, lambda d: d.reason.setPlainText("   "), "reason",
     "Say what the customer disputes (it goes on the invoice's dispute history)."),
    (DisputeDialog, None, lambda d: (d.part.setChecked(True), d.amount.setText("2000.00"),
                                     d.reason.setPlainText("Too much")), "amount",
     "Only 950.00 GBP is left to pay on invoice INV-1; the disputed part cannot be more."),
    (DisputeDialog, None, lambda d: (d.part.setChecked(True), d.amount.setText("lots"),
                                     d.reason.setPlainText("Too much")), "amount", "'lots'"),
    (ResolveDisputeDialog, _dispute, lambda d: (d.choose("split"), d.amount.setText("300.00")), "amount",
     "For a split, credit more than nothing and less than the disputed 300.00 GBP."),
    (CreditNoteDialog, None, lambda d: d.amount.setText("950.01"), "amount",
     "Only 950.00 GBP is left to pay on invoice INV-1; a credit note cannot be for more."),
    (WriteOffDialog, None, lambda d: d.reason.setPlainText(""), "reason",
     "Say why the debt is written off (for the write-off report and the accounts)."),
])
def test_a_refusal_shows_under_its_field_and_writes_nothing(qtbot, ledger, dialog_type, before, fill, field,
                                                            message):
    if before is not None:
        before(ledger)
    written = counts(ledger)
    d = dialog_type(ledger, TODAY, 1)
    qtbot.addWidget(d)
    d.show()
    fill(d)
    ok(qtbot, d)
    assert message in d.form.error_text(field)
    assert all(d.form.error_text(k) == "" for k in d.form.errors if k != field)
    assert d.problem_text() == ""
    assert d.isVisible() and not d.saved
    assert counts(ledger) == written and open_minor(ledger, "INV-1") == 95000


def test_a_second_dispute_is_refused_above_the_buttons(qtbot, ledger):
    d = DisputeDialog(ledger, TODAY, 1)
    qtbot.addWidget(d)
    d.show()
    _dispute(ledger)  # opened elsewhere while the dialog was open
    d.reason.setPlainText("Too much")
    ok(qtbot, d)
    assert d.problem_text().startswith("Invoice INV-1 is already disputed (since 2026-02-12)")
    assert d.isVisible() and counts(ledger) == (1, 0)


# --- credit notes and write-offs -----------------------------------------------------------------


def test_credit_note_and_write_off_are_offered_only_while_something_is_open(view):
    pick(view, "INV-2")  # paid
    assert not view.more_button.isEnabled()
    assert not view.credit_action.isEnabled() and not view.write_off_action.isEnabled()
    assert view.more_button.toolTip() == "Nothing is left to pay on this invoice."
    assert not view.write_off()  # nothing opens
    pick(view, "INV-1")
    assert view.more_button.isEnabled() and view.credit_action.isEnabled() and view.write_off_action.isEnabled()


def test_credit_note_through_the_dialog(view, ledger, qtbot):
    pick(view, "INV-1")
    seen = {}

    def fill(d):
        seen["amount"] = d.amount.text()  # what is open, to start with
        d.amount.setText("120.00")
        d.amount.textEdited.emit("120.00")
        d.reason.setPlainText("Two hinges returned")
        seen["outcome"] = d.outcome.text()
        ok(qtbot, d)

    in_dialog(qtbot, fill, seen)
    with qtbot.waitSignal(view.changed):
        view.credit_action.trigger()
    assert seen["dialog"] == "CreditNoteDialog" and seen["amount"] == "950.00"
    assert seen["outcome"].startswith("A credit note for £120.00 reduces INV-1 to £830.00 open.")
    with ledger.session() as s:
        [credit] = invoice_credits(s, 1)
    assert (credit.kind, credit.reference, credit.amount_minor, credit.reason) == (
        "credit_note", "CN-0001", 12000, "Two hinges returned")
    assert cell(view, "INV-1", OPEN) == "£830.00"


def test_write_off_says_what_will_happen(qtbot, ledger):
    d = WriteOffDialog(ledger, TODAY, 1)
    qtbot.addWidget(d)
    d.show()
    assert d.amount.text() == "950.00"
    assert d.outcome.text() == ("£950.00 of INV-1 will be written off as bad debt. It leaves the aging report and "
                                "appears in the write-off report.")
    d.amount.setText("120.00")
    d.amount.textEdited.emit("120.00")
    assert d.outcome.text().endswith("appears in the write-off report. The other £830.00 stays open.")
    assert plain(d.ok_button) == "Write off"
