"""Record a payment: the proposed allocation (oldest first, or the invoice the payer named) is
shown before saving and can be changed by hand; whatever is not applied stays as credit."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QSignalBlocker, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from debtordesk.db.engine import Database
from debtordesk.domain.money import MoneyError, check_currency, format_plain, parse_amount
from debtordesk.domain.problems import UserError, sentence
from debtordesk.services.payments import (
    open_items,
    payment_details,
    payment_start,
    propose_allocation,
    reallocate,
    record_payment,
)
from debtordesk.ui.formatting import OVERDUE_COLOR, day, money
from debtordesk.ui.widgets.customer_picker import CustomerPicker
from debtordesk.ui.widgets.form import FieldForm

METHODS = ["bank transfer", "card", "cheque", "cash", "direct debit", "other"]
APPLY_COLUMN = 3


class PaymentDialog(QDialog):
    def __init__(self, db: Database, today: date, customer_id: int | None, invoice_id: int | None = None,
                 parent=None):
        super().__init__(parent)
        self.db, self.today, self.customer_id = db, today, customer_id
        self.saved_id: int | None = None
        self.setWindowTitle("Record payment")

        self.form = FieldForm(self)
        self.picker = CustomerPicker(db, self)
        self.form.add("customer", "From customer", self.picker)
        self.date = QDateEdit(QDate(today.year, today.month, today.day), self)
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("d MMM yyyy")
        self.form.add("date", "Received on", self.date)
        self.amount = QLineEdit(self)
        self.amount.setPlaceholderText("e.g. 1250.00")
        self.form.add("amount", "Amount", self.amount)
        self.currency = QComboBox(self)
        self.currency.setEditable(True)
        self.form.add("currency", "Currency", self.currency)
        self.named = QComboBox(self)
        self.form.add("named", "Payer says it pays", self.named,
                      "If the payer named an invoice, it is paid first; otherwise the oldest invoices are.")
        self.reference = QLineEdit(self)
        self.form.add("reference", "Reference", self.reference)
        self.method = QComboBox(self)
        self.method.addItems(METHODS)
        self.form.add("method", "Method", self.method)

        self.table = QTableWidget(0, 4, self)
        self.table.setHorizontalHeaderLabels(["Invoice", "Due", "Open", "Apply"])
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.problem = QLabel(self)
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(f"color: {OVERDUE_COLOR.name()};")
        self.reset = QPushButton("Use the proposal", self)
        self.reset.setToolTip("Apply the payment by the usual rules again, dropping changes made by hand.")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form)
        heading = QLabel("How the payment is applied (change the amounts to apply it differently):", self)
        heading.setWordWrap(True)
        layout.addWidget(heading)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.problem)
        layout.addWidget(self.reset, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.buttons)

        self._filling = False
        self.amount.textChanged.connect(lambda _t: self._filling or self.propose())
        self.date.dateChanged.connect(self.propose)
        self.currency.currentTextChanged.connect(lambda _t: self._filling or self._currency_changed())
        self.named.currentIndexChanged.connect(self.propose)
        self.table.itemChanged.connect(self._edited)
        self.reset.clicked.connect(self.propose)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.picker.customer_changed.connect(lambda cid: self.load_customer(cid))
        self.resize(640, 600)
        self.load_customer(customer_id, invoice_id)
        if customer_id is not None:
            self.picker.setEnabled(False)
            self.amount.setFocus()

    def load_customer(self, customer_id: int | None, invoice_id: int | None = None) -> None:
        """Start from this customer's open invoices (and the invoice named, if any)."""
        self.customer_id = customer_id
        currencies, currency, amount = [], "", ""
        if customer_id is not None:
            with self.db.session() as s:
                start = payment_start(s, customer_id, invoice_id)
            if self.picker.customer_id() != customer_id:
                self.picker.blockSignals(True)
                self.picker.setText(start.customer_name)
                self.picker.blockSignals(False)
            self.setWindowTitle(f"Record payment — {start.customer_name}")
            currencies, currency = list(start.currencies), start.currency
            amount = "" if start.amount_minor is None else format_plain(start.amount_minor, start.currency)
        self._filling = True
        self.currency.clear()
        self.currency.addItems(currencies)
        self.currency.setCurrentText(currency)
        if amount or not self.amount.text():
            self.amount.setText(amount)
        self._filling = False
        self._currency_changed(invoice_id)

    # --- reading the form ----------------------------------------------------------------------

    def pay_date(self) -> date:
        return self.date.date().toPython()

    def _currency(self) -> str | None:
        try:
            return check_currency(self.currency.currentText())
        except MoneyError:
            return None

    def _amount(self) -> int | None:
        currency = self._currency()
        if currency is None:
            return None
        try:
            value = parse_amount(self.amount.text(), currency)
        except MoneyError:
            return None
        return value if value > 0 else None

    def _currency_changed(self, invoice_id=None) -> None:
        """List the customer's open invoices in the chosen currency, then propose again."""
        currency = self._currency()
        blockers = (QSignalBlocker(self.named), QSignalBlocker(self.table))
        self.named.clear()
        self.named.addItem("No invoice named: oldest first", None)
        self.table.setRowCount(0)
        if currency is not None and self.customer_id is not None:
            with self.db.session() as s:
                items = self._open_items(s, currency)
            self.table.setRowCount(len(items))
            for r, it in enumerate(items):
                self.named.addItem(f"{it.number} ({money(it.open_minor, currency)} open)", it.invoice_id)
                cells = [it.number, day(it.due_date), money(it.open_minor, currency), ""]
                for c, text in enumerate(cells):
                    cell = QTableWidgetItem(text)
                    if c != APPLY_COLUMN:
                        cell.setFlags(Qt.ItemFlag.ItemIsEnabled)
                    else:
                        cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    if c == 0:
                        cell.setData(Qt.ItemDataRole.UserRole, (it.invoice_id, it.open_minor))
                    if c == 1 and it.due_date < self.today:
                        cell.setForeground(OVERDUE_COLOR)
                    self.table.setItem(r, c, cell)
        if isinstance(invoice_id, int):
            self.named.setCurrentIndex(max(0, self.named.findData(invoice_id)))
        for blocker in blockers:
            blocker.unblock()
        self.propose()

    def _open_items(self, session, currency: str):
        return open_items(session, self.customer_id, currency)

    def propose(self) -> None:
        """Fill the Apply column with what the allocation rules would do."""
        amount, currency = self._amount(), self._currency()
        lines: dict[int, int] = {}
        if amount is not None and currency is not None:
            try:
                with self.db.session() as s:
                    plan = propose_allocation(s, self.customer_id, self.pay_date(), amount, currency,
                                              self.named.currentData())
                lines = dict(plan.lines)
            except UserError:
                lines = {}
        blocker = QSignalBlocker(self.table)
        for r in range(self.table.rowCount()):
            invoice_id, _open = self.table.item(r, 0).data(Qt.ItemDataRole.UserRole)
            value = lines.get(invoice_id, 0)
            self.table.item(r, APPLY_COLUMN).setText(format_plain(value, currency) if value else "")
        blocker.unblock()
        self._update_summary()

    def _edited(self, _item) -> None:
        self._update_summary()

    def lines(self) -> tuple[list[tuple[int, int]], list[str]]:
        """(invoice id, minor units) typed in the Apply column, and problems found in it."""
        currency = self._currency() or "GBP"
        out, problems = [], []
        for r in range(self.table.rowCount()):
            invoice_id, open_minor = self.table.item(r, 0).data(Qt.ItemDataRole.UserRole)
            number = self.table.item(r, 0).text()
            text = self.table.item(r, APPLY_COLUMN).text().strip()
            if not text:
                continue
            try:
                value = parse_amount(text, currency)
            except MoneyError as exc:
                problems.append(f"Invoice {number}: {exc}.")
                continue
            if value < 0:
                problems.append(f"Invoice {number}: an applied amount cannot be negative.")
            elif value > open_minor:
                problems.append(f"Invoice {number} has only {money(open_minor, currency)} left to pay.")
            elif value:
                out.append((invoice_id, value))
        return out, problems

    def _update_summary(self) -> None:
        amount, currency = self._amount(), self._currency()
        lines, problems = self.lines()
        applied = sum(v for _, v in lines)
        if amount is not None and currency is not None:
            if applied > amount:
                problems.append(f"The amounts applied add up to {money(applied, currency)}, more than the "
                                f"payment of {money(amount, currency)}.")
            credit = max(0, amount - applied)
            text = f"Applied to invoices: {money(applied, currency)}"
            text += f"   ·   Left as credit on account: {money(credit, currency)}" if credit else ""
            self.summary.setText(text)
        else:
            self.summary.setText("Enter the amount received to see how it is applied.")
        if not self.table.rowCount() and currency is not None:
            self.summary.setText(self.summary.text() + "\nThere are no open invoices in this currency: the "
                                 "whole payment is kept as credit and can be applied to later invoices.")
        self.problem.setText("\n".join(problems))
        self.problem.setVisible(bool(problems))

    # --- saving --------------------------------------------------------------------------------

    def save(self) -> None:
        errors = {}
        if self.customer_id is None:
            errors["customer"] = "choose the customer who paid"
        currency = self._currency()
        if currency is None:
            errors["currency"] = f"'{self.currency.currentText()}' is not a known currency code such as GBP or EUR"
        else:
            try:
                if parse_amount(self.amount.text(), currency) <= 0:
                    errors["amount"] = "the amount received must be more than zero"
            except MoneyError as exc:
                errors["amount"] = str(exc)
        if self.pay_date() > self.today:
            errors["date"] = "a payment cannot be recorded before it is received (the date is in the future)"
        self.form.show_errors(errors)
        lines, problems = self.lines()
        amount = self._amount()
        if errors or problems or amount is None or currency is None:
            self._update_summary()
            return
        if sum(v for _, v in lines) > amount:
            self._update_summary()
            return
        try:
            with self.db.transaction() as s:
                named = self.named.currentData()
                payment = record_payment(s, self.customer_id, self.pay_date(), amount, currency,
                                         reference=self.reference.text().strip(),
                                         method=self.method.currentText(), invoice_id=named)
                proposed = sorted((a.invoice_id, a.amount_minor) for a in payment.allocations)
                if proposed != sorted(lines):
                    reallocate(s, payment.id, lines)
                self.saved_id = payment.id
        except UserError as exc:
            QMessageBox.warning(self, "Payment not recorded", sentence(str(exc)))
            return
        self.accept()


class ReallocateDialog(PaymentDialog):
    """Change how a payment already recorded is applied (the payment itself stays as it is)."""

    def __init__(self, db: Database, today: date, payment_id: int, parent=None):
        with db.session() as s:
            self.details = payment_details(s, payment_id)
        super().__init__(db, today, self.details.customer_id, None, parent)
        d = self.details
        blockers = [QSignalBlocker(w) for w in (self.date, self.amount, self.currency, self.named, self.table)]
        self.date.setDate(QDate(d.date.year, d.date.month, d.date.day))
        self.amount.setText(format_plain(d.amount_minor, d.currency))
        self.currency.setCurrentText(d.currency)
        self.reference.setText(d.reference)
        for w in (self.date, self.amount, self.currency, self.named, self.reference, self.method):
            w.setEnabled(False)
        del blockers
        self.reset.hide()
        self.setWindowTitle(f"Change how the payment of {money(d.amount_minor, d.currency)} "
                            f"received {day(d.date)} is applied")
        self._currency_changed()

    def _open_items(self, session, currency: str):
        return open_items(session, self.customer_id, currency, exclude_payment=self.details.id)

    def propose(self) -> None:
        """Show the payment's allocation as it stands."""
        if not hasattr(self, "details"):
            return
        now = dict(self.details.lines)
        blocker = QSignalBlocker(self.table)
        for r in range(self.table.rowCount()):
            invoice_id, _open = self.table.item(r, 0).data(Qt.ItemDataRole.UserRole)
            value = now.get(invoice_id, 0)
            self.table.item(r, APPLY_COLUMN).setText(format_plain(value, self.details.currency) if value else "")
        blocker.unblock()
        self._update_summary()

    def save(self) -> None:
        lines, problems = self.lines()
        if problems or sum(v for _, v in lines) > self.details.amount_minor:
            self._update_summary()
            return
        try:
            with self.db.transaction() as s:
                reallocate(s, self.details.id, lines, expected=self.details.lines)
        except UserError as exc:
            QMessageBox.warning(self, "Allocation not changed", sentence(str(exc)))
            return
        self.saved_id = self.details.id
        self.accept()


def change_allocation_dialog(parent, db: Database, today: date, payment_id: int) -> int | None:
    try:
        dialog = ReallocateDialog(db, today, payment_id, parent)
    except UserError as exc:
        QMessageBox.warning(parent, "Change allocation", str(exc))
        return None
    return dialog.saved_id if dialog.exec() == QDialog.DialogCode.Accepted else None


def record_payment_dialog(parent, db: Database, today: date, customer_id: int | None,
                          invoice_id: int | None = None) -> int | None:
    """Open the dialog modally; the id of the payment recorded, or None when cancelled."""
    try:
        dialog = PaymentDialog(db, today, customer_id, invoice_id, parent)
    except UserError as exc:
        QMessageBox.warning(parent, "Record payment", str(exc))
        return None
    return dialog.saved_id if dialog.exec() == QDialog.DialogCode.Accepted else None
