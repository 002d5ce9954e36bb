"""The Aging screen: aged receivables as of a date (the first cut; the aging issue extends it)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from debtordesk.db.engine import Database
from debtordesk.domain.aging import AgingReport
from debtordesk.services.aging import aging_report
from debtordesk.ui.models.aging import AgingTableModel


class AgingView(QWidget):
    report_changed = Signal(object)  # the AgingReport just shown

    def __init__(self, db: Database, today: date, parent=None):
        super().__init__(parent)
        self.db, self.today = db, today
        layout = QVBoxLayout(self)
        self.heading = QLabel(self)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        font = self.heading.font()
        font.setPointSize(font.pointSize() + 4)
        font.setBold(True)
        self.heading.setFont(font)
        layout.addWidget(self.heading)
        self.table = QTableView(self)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        layout.addWidget(self.table)
        self.model: AgingTableModel | None = None

    def refresh(self) -> AgingReport:
        with self.db.session() as session:
            report = aging_report(session, self.today)
        self.model = AgingTableModel(report, self)
        self.table.setModel(self.model)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.heading.setText(f"Aged receivables as of {self.today.strftime('%d %B %Y')}")
        self.report_changed.emit(report)
        return report
