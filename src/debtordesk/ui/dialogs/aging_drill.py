"""The drill-down of an aging row: that customer's invoices open as of the report's date, with
how late each was and its bucket."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from debtordesk.db.engine import Database
from debtordesk.services.aging import open_items_as_of
from debtordesk.ui.formatting import day, money

HEADERS = ["Invoice", "Issued", "Due", "Amount", "Open then", "Days", "Bucket"]


class OpenItemsDialog(QDialog):
    customer_requested = Signal(int)

    def __init__(self, db: Database, row, report, parent=None):
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.row = row
        basis = "due" if report.basis == "due" else "issue"
        self.setWindowTitle(f"{row.name} — open on {day(report.as_of)}")
        with db.session() as s:
            self.items = open_items_as_of(s, row.customer_id, row.currency, report.as_of, report.limits,
                                          report.basis)
        labels = [label.capitalize() for label in report.labels]
        intro = QLabel(f"{row.name} ({row.customer_ref}): invoices in {row.currency} open on "
                       f"{day(report.as_of)}, days counted from the {basis} date.", self)
        intro.setWordWrap(True)
        self.table = QTableWidget(len(self.items), len(HEADERS), self)
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        for r, it in enumerate(self.items):
            cells = [it.number, day(it.issue_date), day(it.due_date), money(it.amount_minor, row.currency),
                     money(it.open_minor, row.currency), str(max(it.days, 0)), labels[it.bucket]]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c in (3, 4, 5):
                    item.setTextAlignment(right)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        total = sum(it.open_minor for it in self.items)
        self.total = QLabel(f"Open then: {money(total, row.currency)} in {len(self.items)} invoice"
                            f"{'s' if len(self.items) != 1 else ''}.", self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        open_customer = buttons.addButton("Open customer", QDialogButtonBox.ButtonRole.ActionRole)
        open_customer.clicked.connect(lambda: (self.customer_requested.emit(row.customer_id), self.close()))
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.total)
        layout.addWidget(buttons)
        self.resize(760, 420)
