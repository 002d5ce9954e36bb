"""A customer's collections log as a timeline (newest first): calls, e-mails, letters, visits and
notes with their outcome and follow-up; the customer's promises to pay and where they stand."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from debtordesk.db.engine import Database
from debtordesk.domain.problems import UserError
from debtordesk.services.activity import KINDS, OUTCOMES, complete_follow_up, customer_timeline
from debtordesk.ui.formatting import OVERDUE_COLOR, day, money

STATUS_WORDS = {"pending": "pending", "kept": "kept", "broken": "broken", "cancelled": "withdrawn"}


def promise_line(p, st) -> str:
    text = f"{money(p.amount_minor, p.currency)} by {day(p.due_date)}: {STATUS_WORDS.get(st.status, st.status)}"
    if st.status == "pending":
        text += f" (reminders pause until {day(st.deadline)}"
        text += f"; {money(st.received_minor, p.currency)} in so far)" if st.received_minor else ")"
    elif st.status == "kept":
        text += f" on {day(st.kept_on)}"
    elif st.status == "broken" and st.received_minor:
        text += f" (partly kept: {money(st.received_minor, p.currency)} came in)"
    return text


class CustomerActivityView(QWidget):
    changed = Signal()  # an entry was added or a follow-up ticked off

    HEADERS = ["Date", "Kind", "Outcome", "What was said", "Follow up", "By"]

    def __init__(self, db: Database, customer_id: int, today: date, parent=None):
        super().__init__(parent)
        self.db, self.customer_id, self.today = db, customer_id, today
        self.entries: list = []
        self.pending_promise: int | None = None
        layout = QVBoxLayout(self)
        self.promises = QLabel(self)
        self.promises.setWordWrap(True)
        self.promises.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.promises)
        self.table = QTableWidget(0, len(self.HEADERS), self)
        self.table.setHorizontalHeaderLabels(self.HEADERS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.setAccessibleName("Collections log")
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.call_button = QPushButton("Log a call…", self)
        self.note_button = QPushButton("Add a note…", self)
        self.promise_button = QPushButton("Record a promise…", self)
        self.done_button = QPushButton("Follow-up done", self)
        self.withdraw_button = QPushButton("Withdraw the promise", self)
        self.call_button.clicked.connect(lambda: self.log("call"))
        self.note_button.clicked.connect(lambda: self.log("note"))
        self.promise_button.clicked.connect(lambda: self.log("call", "promised"))
        self.done_button.clicked.connect(self.follow_up_done)
        self.withdraw_button.clicked.connect(self.withdraw_promise)
        for b in (self.call_button, self.note_button, self.promise_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.withdraw_button)
        buttons.addWidget(self.done_button)
        layout.addLayout(buttons)
        self.table.itemSelectionChanged.connect(self._sync)
        self.reload()

    def reload(self) -> None:
        from debtordesk.services.promises import promise_states

        with self.db.session() as s:
            self.entries = customer_timeline(s, self.customer_id)
            promises = promise_states(s, self.today, customer_id=self.customer_id)
        recent = [(p, st) for p, st in promises if st.status == "pending" or (self.today - p.due_date).days <= 90]
        self.pending_promise = next((p.id for p, st in promises if st.status == "pending"), None)
        self.promises.setText("Promises to pay: " + "; ".join(promise_line(p, st) for p, st in recent)
                              if recent else "No promise to pay in the last 90 days.")
        self.table.setRowCount(len(self.entries))
        for r, e in enumerate(self.entries):
            follow = ""
            if e.follow_up_on is not None:
                follow = f"{day(e.follow_up_on)} ✓" if e.follow_up_done else day(e.follow_up_on)
            cells = [day(e.occurred_on), KINDS.get(e.kind, e.kind), OUTCOMES.get(e.outcome, e.outcome) if e.outcome
                     else "", e.note, follow, e.created_by]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c == 4 and e.follow_up_on is not None and not e.follow_up_done and e.follow_up_on <= self.today:
                    item.setForeground(OVERDUE_COLOR)
                    item.setToolTip("This follow-up is due")
                self.table.setItem(r, c, item)
        self.table.resizeRowsToContents()
        self._sync()

    def current_entry(self):
        rows = self.table.selectionModel().selectedRows()
        return self.entries[rows[0].row()] if rows else None

    def _sync(self) -> None:
        e = self.current_entry()
        self.done_button.setEnabled(e is not None and e.follow_up_on is not None and not e.follow_up_done)
        self.withdraw_button.setEnabled(self.pending_promise is not None)

    def log(self, kind: str, outcome: str = "") -> bool:
        from debtordesk.ui.dialogs.activity import ActivityDialog

        dialog = ActivityDialog(self.db, self.today, self.customer_id, kind, outcome, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        self.reload()
        self.changed.emit()
        return True

    def follow_up_done(self) -> None:
        e = self.current_entry()
        if e is None:
            return
        with self.db.transaction() as s:
            complete_follow_up(s, e.activity_id)
        self.reload()
        self.changed.emit()

    def withdraw_promise(self) -> None:
        from debtordesk.services.promises import cancel_promise

        if self.pending_promise is None:
            return
        answer = QMessageBox.question(self, "Withdraw the promise",
                                      "Withdraw the pending promise to pay? Reminders take the debt up again.")
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            with self.db.transaction() as s:
                cancel_promise(s, self.pending_promise, self.today)
        except UserError as exc:
            QMessageBox.warning(self, "The promise stays", str(exc))
            return
        self.reload()
        self.changed.emit()
