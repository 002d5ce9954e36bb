"""A customer's Letters tab: every letter sent, newest first; open the exact copy that was sent."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from debtordesk.db.engine import Database
from debtordesk.domain.problems import UserError
from debtordesk.services.dunning_letters import customer_letters, letter_pdf
from debtordesk.services.statements import statement_pdf
from debtordesk.ui.formatting import day, money
from debtordesk.ui.messages import tell
from debtordesk.ui.views.dunning import open_in_viewer, printout_path
from debtordesk.ui.workers import TaskRunner

HEADERS = ["Sent", "Letter", "Reference", "Total claimed", "Fingerprint (SHA-256)"]


class CustomerLettersView(QWidget):
    def __init__(self, db: Database, customer_id: int, today: date, parent=None):
        super().__init__(parent)
        self.db, self.customer_id, self.today = db, customer_id, today
        self.tasks = TaskRunner(self)
        self.open_file: Callable[[Path], None] = open_in_viewer
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        self.table = QTableWidget(0, len(HEADERS), self)
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.doubleClicked.connect(lambda _i: self.open_selected())
        self.empty = QLabel("No letters have been sent to this customer yet.", self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty, 1)
        bar = QHBoxLayout()
        self.open_button = QPushButton("Open copy as sent", self)
        self.open_button.setToolTip("The exact PDF that was sent, to read or print again")
        self.open_button.clicked.connect(self.open_selected)
        bar.addWidget(self.open_button)
        bar.addStretch(1)
        self.statement_button = QPushButton("Statement of account", self)
        self.statement_button.setToolTip("Opening balance, invoices and payments, closing balance and its age, "
                                         "as a PDF to print or send")
        self.statement_button.clicked.connect(self.print_statement)
        bar.addWidget(self.statement_button)
        layout.addLayout(bar)
        self.letters = []
        self.reload()

    def reload(self) -> None:
        with self.db.session() as session:
            self.letters = customer_letters(session, self.customer_id)
        self.table.setRowCount(len(self.letters))
        for r, letter in enumerate(self.letters):
            cells = [day(letter.sent_on), letter.level, letter.reference, money(letter.total_minor, letter.currency),
                     letter.sha256[:16] + "…"]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c == 3:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if c == 4:
                    item.setToolTip(letter.sha256)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setVisible(bool(self.letters))
        self.empty.setVisible(not self.letters)
        self.open_button.setEnabled(bool(self.letters))
        if self.letters:
            self.table.selectRow(0)

    def open_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        letter = self.letters[rows[0].row()]
        try:
            with self.db.session() as session:
                pdf = letter_pdf(session, letter.id)
        except ValueError as exc:
            tell(self, str(exc))
            return
        path = printout_path(f"{letter.reference.replace('/', '-')}-")
        path.write_bytes(pdf)
        self.open_file(path)

    def print_statement(self) -> None:
        db, customer_id, today = self.db, self.customer_id, self.today
        path = printout_path("statement-")

        def job(_report, _should_cancel):
            with db.session() as session:
                path.write_bytes(statement_pdf(session, customer_id, today))
            return path

        def failed(exc: Exception) -> None:
            path.unlink(missing_ok=True)
            if isinstance(exc, UserError):
                tell(self, str(exc))
            else:
                self.tasks.show_error(exc)

        self.tasks.run(job, label="Preparing the statement of account…", on_success=self.open_file, on_error=failed)
