"""The Aging screen: aged receivables as of a date (the first cut; the aging issue extends it)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from debtordesk.db.engine import Database
from debtordesk.domain.aging import AgingReport
from debtordesk.services.aging import aging_report
from debtordesk.ui.models.aging import AgingTableModel
from debtordesk.ui.workers import TaskRunner


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
        self.heading.setText("Working out who owes what…")

    def load(self, tasks: TaskRunner) -> None:
        """Work the report out on the worker thread; it is shown when it arrives."""
        db, today = self.db, self.today

        def job(_progress, should_cancel) -> AgingReport:
            with db.session() as session:
                report = aging_report(session, today)
            report.totals()  # summed here, not on the UI thread when the status bar shows them
            return report

        tasks.run(job, label="Working out who owes what…", on_success=self.show_report)

    def show_report(self, report: AgingReport) -> None:
        self.model = AgingTableModel(report, self)
        self.table.setModel(self.model)
        header = self.table.horizontalHeader()
        # sized once from the first rows: measuring every cell of a large report held up the screen
        header.setResizeContentsPrecision(100)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.resizeColumnsToContents()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.heading.setText(f"Aged receivables as of {self.today.strftime('%d %B %Y')}")
        self.report_changed.emit(report)
