"""Log a call (or an e-mail, visit or note) with a customer: the date, the outcome, what was said, a
follow-up date; when the outcome is a promise to pay, its amount and date, which pause the
customer's reminders until then. Refusals appear under their field; nothing is saved until all
is right."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from debtordesk.db.engine import Database
from debtordesk.domain.problems import FieldErrors, UserError
from debtordesk.services.activity import KINDS, OUTCOMES, log_activity, read_activity
from debtordesk.ui.widgets.customer_picker import CustomerPicker, customer_label
from debtordesk.ui.widgets.dates import date_edit, picked
from debtordesk.ui.widgets.form import FieldForm

FOLLOW_UP_DAYS = 7  # the follow-up date offered


def _customer_currencies(db: Database, customer_id: int | None) -> tuple[str, list[str]]:
    """The customer's label and the currencies they owe in (the base currency when nothing is open)."""
    from debtordesk.services.company import base_currency
    from debtordesk.services.customers import open_currencies, ref_and_name

    with db.session() as s:
        if customer_id is None:
            return "", [base_currency(s)]
        ref, name = ref_and_name(s, customer_id)
        return customer_label(ref, name), open_currencies(s, customer_id) or [base_currency(s)]


class ActivityDialog(QDialog):
    def __init__(self, db: Database, today: date, customer_id: int | None = None, kind: str = "call",
                 outcome: str = "", parent=None):
        super().__init__(parent)
        self.db, self.today = db, today
        self.saved_id: int | None = None
        label, currencies = _customer_currencies(db, customer_id)
        self.setWindowTitle(f"Log a {KINDS.get(kind, 'call').lower()}" + (f" — {label}" if label else ""))
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        self.form = FieldForm(self)
        self.customer = self.form.add("customer", "C&ustomer", CustomerPicker(db, self))
        if customer_id is not None:
            self.customer.choose(customer_id)
        self.kind = self.form.add("kind", "&Kind", QComboBox(self))
        for key, text in KINDS.items():
            self.kind.addItem(text, key)
        self.kind.setCurrentIndex(max(0, self.kind.findData(kind)))
        self.occurred_on = self.form.add("occurred_on", "&Date", date_edit(self, today, "Date"))
        self.outcome = self.form.add("outcome", "&Outcome", QComboBox(self))
        for key, text in OUTCOMES.items():
            self.outcome.addItem(text, key)
        self.outcome.setCurrentIndex(max(0, self.outcome.findData(outcome)))
        self.note = self.form.add("note", "&What was said", QPlainTextEdit(self))
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(self.note.fontMetrics().lineSpacing() * 5 + 12)

        promise = QWidget(self)
        pl = QHBoxLayout(promise)
        pl.setContentsMargins(0, 0, 0, 0)
        self.promise_amount = QLineEdit(promise)
        self.promise_amount.setPlaceholderText("amount, e.g. 500.00")
        self.promise_amount.setAccessibleName("Promised amount")
        self.currency = QComboBox(promise)
        self.currency.addItems(currencies)
        self.currency.setAccessibleName("Currency of the promise")
        self.promise_due = date_edit(promise, today + timedelta(days=7), "Promised by")
        for w in (self.promise_amount, self.currency, self.promise_due):
            pl.addWidget(w)
        self.promise_row = self.form.add("promise_amount", "&Promised", promise,
                                         "The amount and the day the customer promised to pay by. Reminders pause "
                                         "until then (and the days of grace after it).")
        self.form.errors["promise_due"] = self.form.errors["promise_amount"]

        follow = QWidget(self)
        fl = QHBoxLayout(follow)
        fl.setContentsMargins(0, 0, 0, 0)
        self.follow_check = QCheckBox("on", follow)
        self.follow_up_on = date_edit(follow, today + timedelta(days=FOLLOW_UP_DAYS), "Follow-up date")
        fl.addWidget(self.follow_check)
        fl.addWidget(self.follow_up_on, 1)
        self.form.add("follow_up_on", "&Follow up", follow, "It will be listed on the Today screen that day.")
        layout.addWidget(self.form)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.outcome.currentIndexChanged.connect(lambda _i: self._sync())
        self.follow_check.toggled.connect(lambda _on: self._sync())
        self.customer.customer_changed.connect(self._customer_changed)
        self._sync()
        geometry = QSettings().value("activity_dialog/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)

    def _customer_changed(self, customer_id) -> None:
        _label, currencies = _customer_currencies(self.db, customer_id)
        self.currency.clear()
        self.currency.addItems(currencies)

    def _sync(self) -> None:
        promised = self.outcome.currentData() == "promised"
        self.form.layout_.setRowVisible(self.promise_row.parentWidget(), promised)
        self.follow_up_on.setEnabled(self.follow_check.isChecked())

    def values(self) -> dict[str, str]:
        return {
            "kind": self.kind.currentData(), "occurred_on": picked(self.occurred_on).isoformat(),
            "outcome": self.outcome.currentData(), "note": self.note.toPlainText(),
            "follow_up_on": picked(self.follow_up_on).isoformat() if self.follow_check.isChecked() else "",
            "promise_amount": self.promise_amount.text(), "promise_due": picked(self.promise_due).isoformat(),
            "currency": self.currency.currentText(),
        }

    def save(self) -> None:
        customer_id = self.customer.customer_id()
        errors = {} if customer_id is not None else {"customer": "Choose the customer."}
        try:
            form = read_activity(self.values())
        except FieldErrors as exc:
            errors.update(exc.errors)
        if errors:
            self.form.show_errors(errors)
            return
        try:
            with self.db.transaction() as s:
                self.saved_id = log_activity(s, customer_id, form).id
        except FieldErrors as exc:
            self.form.show_errors(exc.errors)
            return
        except UserError as exc:
            QMessageBox.warning(self, "Nothing was saved", str(exc))
            return
        self.accept()

    def done(self, result: int) -> None:
        QSettings().setValue("activity_dialog/geometry", self.saveGeometry())
        super().done(result)
