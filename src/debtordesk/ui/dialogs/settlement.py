"""Settlement offers, from the customer: record what the customer offers (amount, deadline), then
accept it (with the reason the rest will be written off once it is paid) or reject it; the
account's earlier offers below. The rules are services.settlements'."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from debtordesk.db.engine import Database
from debtordesk.domain.money import MoneyError, parse_amount
from debtordesk.ui.formatting import day, money
from debtordesk.ui.widgets.dates import date_edit, picked
from debtordesk.ui.widgets.form import FieldForm, save_change

DEFAULT_DEADLINE_DAYS = 14
COLUMNS = ["Offered", "Amount", "Of", "Pay by", "Received", "Status"]


class SettlementDialog(QDialog):
    """One customer's settlement: the offer in play (accept / reject) or a form for a new one."""

    def __init__(self, db: Database, customer_id: int, today: date, parent=None):
        super().__init__(parent)
        from debtordesk.services.customers import open_currencies, ref_and_name

        self.db, self.customer_id, self.today = db, customer_id, today
        self.changed = False
        with db.session() as s:
            ref, name = ref_and_name(s, customer_id)
            currencies = open_currencies(s, customer_id)
        self.setWindowTitle(f"Settlement — {name}")
        self.setMinimumWidth(620)
        layout = QVBoxLayout(self)
        intro = QLabel("A customer who cannot pay in full may offer less. Record the offer, then accept or reject "
                       "it. Once accepted, reminders pause until its deadline; when the agreed amount has come in, "
                       "the rest of the invoices it covers is written off with the reason you give.", self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.form = FieldForm(self)
        self.currency = self.form.add("currency", "Currency", QComboBox(self))
        for cur in currencies:
            self.currency.addItem(cur, cur)
        self.state = QLabel(self)
        self.state.setWordWrap(True)
        self.state.setTextFormat(Qt.TextFormat.PlainText)
        self.form.add("state", "Account", self.state)
        self.amount = self.form.add("amount", "Amount offered", QLineEdit(self), "What the customer offers to pay.")
        self.amount.setPlaceholderText("e.g. 800.00")
        self.deadline = self.form.add("deadline", "To be paid by",
                                      date_edit(self, today + timedelta(days=DEFAULT_DEADLINE_DAYS), "Deadline"))
        self.reason = self.form.add("reason", "Reason for the write-off", QLineEdit(self),
                                    "Goes with the write-off of the rest (the write-off report shows it).")
        self.reason.setPlaceholderText("e.g. Customer in difficulty; better than a court claim")
        self.note = self.form.add("note", "Note", QPlainTextEdit(self))
        self.note.setFixedHeight(self.note.fontMetrics().lineSpacing() * 3 + 12)
        self.day = self.form.add("date", "Date", date_edit(self, today, "Date"))
        layout.addWidget(self.form)
        self.history = QTableWidget(0, len(COLUMNS), self)
        self.history.setHorizontalHeaderLabels(COLUMNS)
        self.history.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history.verticalHeader().hide()
        self.history.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.history.setMinimumHeight(100)
        layout.addWidget(QLabel("Offers so far", self))
        layout.addWidget(self.history, 1)  # the list takes the room a taller window gives
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.record_button = QPushButton("&Record the offer", self)
        self.accept_button = QPushButton("&Accept the offer", self)
        self.reject_button = QPushButton("Re&ject the offer", self)
        for b in (self.record_button, self.accept_button, self.reject_button):
            self.buttons.addButton(b, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.rejected.connect(self.reject)
        self.record_button.clicked.connect(self.record)
        self.accept_button.clicked.connect(self.accept_offer)
        self.reject_button.clicked.connect(self.reject_offer)
        layout.addWidget(self.buttons)
        self.currency.currentIndexChanged.connect(lambda _i: self.refresh())
        self.open_id: int | None = None
        self.refresh()

    def refresh(self) -> None:
        from debtordesk.services.settlements import ACCEPTED, OFFERED, account_settlements

        cur = self.currency.currentData()
        owed, states = 0, []
        if cur:
            with self.db.session() as s:
                owed, states = account_settlements(s, self.customer_id, cur, self.today)
        current = next((x for x in states if x.status in (OFFERED, ACCEPTED)), None)
        self.open_id = current.settlement_id if current is not None and current.status == OFFERED else None
        if cur is None:
            self.state.setText("Nothing is open for this customer, so there is nothing to settle.")
        elif current is None:
            self.state.setText(f"{money(owed, cur)} is open.")
        elif current.status == OFFERED:
            self.state.setText(f"{money(current.amount_minor, cur)} offered on {day(current.offered_on)} in full "
                               f"settlement of {money(current.balance_minor, cur)}, to be paid by "
                               f"{day(current.deadline)}. Accept or reject it.")
        else:
            self.state.setText(f"Accepted on {day(current.decided_on)}: {money(current.amount_minor, cur)} by "
                               f"{day(current.deadline)}; {money(current.received_minor, cur)} received so far. "
                               "Reminders pause until then.")
        new = cur is not None and current is None
        for w in (self.amount, self.deadline):
            w.setEnabled(new)
        self.reason.setEnabled(self.open_id is not None)
        self.record_button.setEnabled(new)
        self.accept_button.setEnabled(self.open_id is not None)
        self.reject_button.setEnabled(self.open_id is not None)
        self.history.setRowCount(len(states))
        for r, x in enumerate(states):
            values = (day(x.offered_on), money(x.amount_minor, x.currency), money(x.balance_minor, x.currency),
                      day(x.deadline), money(x.received_minor, x.currency), x.status_name)
            for c, text in enumerate(values):
                item = QTableWidgetItem(text)
                if c in (1, 2, 4):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.history.setItem(r, c, item)

    def _run(self, change) -> bool:
        if not save_change(self, self.db, self.form, "Settlement", change):
            return False
        self.changed = True
        self.refresh()
        return True

    def record(self) -> None:
        from debtordesk.services.settlements import record_offer

        cur = self.currency.currentData()
        try:
            amount = parse_amount(self.amount.text(), cur)
        except MoneyError as exc:
            self.form.show_errors({"amount": str(exc)})
            return
        self._run(lambda s: record_offer(s, self.customer_id, cur, amount, picked(self.deadline), picked(self.day),
                                         note=self.note.toPlainText()))

    def accept_offer(self) -> None:
        from debtordesk.services.settlements import accept_offer

        if self.open_id is not None:
            self._run(lambda s: accept_offer(s, self.open_id, picked(self.day), self.reason.text()))

    def reject_offer(self) -> None:
        from debtordesk.services.settlements import reject_offer

        if self.open_id is not None:
            self._run(lambda s: reject_offer(s, self.open_id, picked(self.day), self.note.toPlainText()))
