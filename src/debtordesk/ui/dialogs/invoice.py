"""The invoice editor: number, customer, dates, amount, currency, description.

Every refusal appears as a sentence under its field and the dialog stays open with nothing
saved. A new invoice's due date follows the issue date plus the customer's payment terms until
the user changes the due date themselves.
"""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QDate, QSettings, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from debtordesk.db.engine import Database
from debtordesk.domain.problems import FieldErrors, UserError
from debtordesk.services.company import base_currency
from debtordesk.services.customers import read_form
from debtordesk.services.invoices import InvoiceForm, blank_invoice, invoice_currencies, read_invoice, save_invoice
from debtordesk.ui.formatting import money
from debtordesk.ui.widgets.customer_picker import CustomerPicker
from debtordesk.ui.widgets.form import FieldForm

DATE_FORMAT = "d MMM yyyy"  # unambiguous in every locale
COMMON_CURRENCIES = ("GBP", "EUR", "USD", "CHF")


def _qdate(text: str, fallback: date) -> QDate:
    try:
        return QDate(date.fromisoformat(text))
    except ValueError:
        return QDate(fallback)


def _date_edit(parent: QWidget) -> QDateEdit:
    edit = QDateEdit(parent)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat(DATE_FORMAT)
    edit.setMinimumDate(QDate(1990, 1, 1))
    return edit


class InvoiceDialog(QDialog):
    def __init__(self, db: Database, today: date, invoice_id: int | None = None,
                 customer_id: int | None = None, parent=None):
        super().__init__(parent)
        self.db, self.today = db, today
        self.saved_id: int | None = None
        self._terms: int | None = None
        with db.session() as s:
            self.record: InvoiceForm = (
                read_invoice(s, invoice_id) if invoice_id is not None else blank_invoice(s, customer_id, today)
            )
            values = self.record.values
            customer = read_form(s, int(values["customer_id"])) if values["customer_id"].isdigit() else None
            currencies = sorted({base_currency(s), *COMMON_CURRENCIES, *invoice_currencies(s)})
        self.setWindowTitle(f"Invoice {values['number']}" if self.record.id is not None else "New invoice")
        self.setMinimumWidth(520)

        layout = QVBoxLayout(self)
        self.paid_note = QLabel(self)
        self.paid_note.setWordWrap(True)
        self.paid_note.setTextFormat(Qt.TextFormat.PlainText)
        self.paid_note.hide()
        layout.addWidget(self.paid_note)

        self.form = FieldForm(self)
        self.number = self.form.add("number", "&Number", QLineEdit(self), "Each invoice needs its own number.")
        self.customer = self.form.add("customer_id", "C&ustomer", CustomerPicker(db, self))
        self.issue_date = self.form.add("issue_date", "&Issued", _date_edit(self))
        self.due_date = self.form.add(
            "due_date", "&Due", _date_edit(self),
            "Follows the issue date and the customer's payment terms until you change it.")
        self.amount = self.form.add("amount", "&Amount", QLineEdit(self),
                                    "The amount as a plain number, such as 1250.00")
        self.amount.setPlaceholderText("e.g. 1250.00")
        self.amount.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.currency = self.form.add("currency", "&Currency", QComboBox(self),
                                      "A three-letter code such as GBP, EUR or USD.")
        self.currency.setEditable(True)
        self.currency.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.currency.addItems(currencies)
        self.discount = self.form.add("discount_percent", "Early-payment dis&count (%)", QLineEdit(self),
                                      "Taken off when paid within the days below; empty for none.")
        self.discount.setPlaceholderText("none, or e.g. 2")
        self.discount_days = self.form.add("discount_days", "…if paid &within (days)", QLineEdit(self),
                                           "Days after the issue date.")
        self.discount_days.setPlaceholderText("e.g. 10")
        self.description = self.form.add("description", "D&escription", QPlainTextEdit(self))
        self.description.setTabChangesFocus(True)
        self.description.setFixedHeight(self.description.fontMetrics().lineSpacing() * 4 + 12)
        layout.addWidget(self.form)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Save")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        self._fill(values, customer)
        self.customer.customer_changed.connect(self._customer_changed)
        self.issue_date.dateChanged.connect(lambda _d: self._follow_terms())
        self.due_date.dateChanged.connect(self._due_edited)
        geometry = QSettings().value("invoice_dialog/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)

    # --- filling and reading -------------------------------------------------------------------

    def _fill(self, values: dict[str, str], customer) -> None:
        self.number.setText(values["number"])
        if customer is not None:
            self.customer.set_customer(self.record_customer_id(), customer.values["ref"], customer.values["name"])
            self._terms = int(customer.values["terms_days"] or 0)
        issue = _qdate(values["issue_date"], self.today)
        self.issue_date.setDate(issue)
        due = _qdate(values["due_date"], issue.toPython() + timedelta(days=self._terms or 0))
        self.due_date.setDate(due)
        # an existing due date that does not follow the terms was chosen on purpose: keep it
        self._due_follows = self.record.id is None or (
            self._terms is not None and due == issue.addDays(self._terms))
        self.amount.setText(values["amount"])
        self.currency.setCurrentText(values["currency"])
        self.description.setPlainText(values["description"])
        self.discount.setText(values.get("discount_percent", ""))
        self.discount_days.setText(values.get("discount_days", ""))
        paid = self.record.paid_minor
        if paid:
            shown = money(paid, values["currency"])
            self.paid_note.setText(
                f"{shown} has already been paid on this invoice. The amount cannot go below that, "
                "and the customer and currency stay as they are.")
            self.paid_note.show()
            self.customer.setEnabled(False)
            self.currency.setEnabled(False)

    def record_customer_id(self) -> int | None:
        text = self.record.values.get("customer_id", "")
        return int(text) if text.isdigit() else None

    def values(self) -> dict[str, str]:
        cid = self.customer.customer_id()
        return {
            "number": self.number.text(),
            "customer_id": "" if cid is None else str(cid),
            "issue_date": self.issue_date.date().toString(Qt.DateFormat.ISODate),
            "due_date": self.due_date.date().toString(Qt.DateFormat.ISODate),
            "amount": self.amount.text(),
            "currency": self.currency.currentText().strip().upper(),
            "description": self.description.toPlainText(),
            "discount_percent": self.discount.text(),
            "discount_days": self.discount_days.text(),
        }

    # --- the due date follows the terms ----------------------------------------------------------

    def _customer_changed(self, customer_id: int | None) -> None:
        if customer_id is None:
            return
        with self.db.session() as s:
            try:
                chosen = read_form(s, customer_id).values
            except UserError:
                self._terms = None
            else:
                self._terms = int(chosen["terms_days"] or 0)
                if self.record.id is None:  # a new invoice offers the customer's discount terms
                    self.discount.setText(chosen.get("discount_percent", ""))
                    self.discount_days.setText(chosen.get("discount_days", ""))
        self._follow_terms()

    def _follow_terms(self) -> None:
        if not self._due_follows:
            return
        due = self.issue_date.date().addDays(self._terms or 0)
        self.due_date.blockSignals(True)
        self.due_date.setDate(due)
        self.due_date.blockSignals(False)

    def _due_edited(self, _d) -> None:
        self._due_follows = False

    # --- saving --------------------------------------------------------------------------------

    def save(self) -> None:
        """Save through the service; refusals go under their fields and the dialog stays open."""
        self.customer.resolve()  # text typed but not picked from the list still counts
        form = InvoiceForm(self.values(), self.record.id, self.record.version, self.record.paid_minor)
        if self.record.id is None and not self.confirm_credit(form.values):
            return
        try:
            with self.db.transaction() as s:
                self.saved_id = save_invoice(s, form).id
        except FieldErrors as exc:
            self.form.show_errors(exc.errors)
            return
        except UserError as exc:
            self.form.show_errors({})
            QMessageBox.warning(self, "Invoice not saved", str(exc))
            return
        self.accept()

    def confirm_credit(self, values: dict[str, str]) -> bool:
        """Before a new invoice: warn when the customer is on hold or goes over the credit limit."""
        from debtordesk.domain.money import MoneyError, parse_amount
        from debtordesk.services.credit import credit_warnings

        currency = (values.get("currency") or "").strip().upper()
        try:
            amount = parse_amount(values.get("amount", ""), currency)
            customer_id = int(values.get("customer_id", ""))
        except (MoneyError, ValueError):
            return True  # the save refuses it under the field
        with self.db.session() as s:
            warnings = credit_warnings(s, customer_id, currency, amount)
        if not warnings:
            return True
        answer = QMessageBox.question(self, "Credit control", "\n\n".join(warnings) + "\n\nRaise the invoice anyway?")
        return answer == QMessageBox.StandardButton.Yes

    def done(self, result: int) -> None:
        QSettings().setValue("invoice_dialog/geometry", self.saveGeometry())
        super().done(result)


def edit_invoice(parent: QWidget | None, db: Database, today: date, invoice_id: int | None = None,
                 customer_id: int | None = None) -> int | None:
    """Open the editor modally (a new invoice when invoice_id is None); the saved invoice's id,
    or None when the user cancelled."""
    try:
        dialog = InvoiceDialog(db, today, invoice_id, customer_id, parent)
    except UserError as exc:
        QMessageBox.warning(parent, "Invoice", str(exc))
        return None
    try:
        return dialog.saved_id if dialog.exec() == QDialog.DialogCode.Accepted else None
    finally:
        dialog.deleteLater()
