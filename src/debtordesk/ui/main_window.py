"""The main window: the aged receivables at a glance, the database in the status bar."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QMainWindow,
    QMessageBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from debtordesk import APP_NAME, __version__
from debtordesk.db.engine import Database
from debtordesk.domain.aging import AgingReport
from debtordesk.domain.money import format_money
from debtordesk.services.aging import aging_report


class AgingTableModel(QAbstractTableModel):
    """Rows of an AgingReport: customer, currency, one column per bucket, total, balance."""

    def __init__(self, report: AgingReport, parent=None):
        super().__init__(parent)
        self._report = report
        labels = [label.capitalize() for label in report.labels]
        self._headers = ["Ref", "Customer", "Currency", *labels, "Total", "Unapplied", "Balance"]

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._report.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self._report.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.TextAlignmentRole and col >= 3:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if col == 0:
            return row.customer_ref
        if col == 1:
            return row.name
        if col == 2:
            return row.currency
        amounts = [*row.buckets, row.total, row.unapplied, row.balance]
        amount = amounts[col - 3]
        if amount == 0 and col - 3 != len(row.buckets) + 2:  # blank zeros, except the balance
            return ""
        return format_money(amount, row.currency)


class MainWindow(QMainWindow):
    def __init__(self, db: Database, today: date, parent=None):
        super().__init__(parent)
        self.db = db
        self.today = today
        self.setWindowTitle(f"{APP_NAME} — {db.path.name if db.path else db.display_name}")
        self.resize(1100, 650)

        central = QWidget(self)
        layout = QVBoxLayout(central)
        self.heading = QLabel(central)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        font = self.heading.font()
        font.setPointSize(font.pointSize() + 4)
        font.setBold(True)
        self.heading.setFont(font)
        layout.addWidget(self.heading)
        self.table = QTableView(central)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        layout.addWidget(self.table)
        self.setCentralWidget(central)

        self.status_totals = QLabel(self)
        self.statusBar().addPermanentWidget(self.status_totals)
        self._build_menus()
        self.refresh()
        settings = QSettings()
        geometry = settings.value("main_window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        quit_action = QAction("&Quit", self, shortcut=QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        view_menu = self.menuBar().addMenu("&View")
        refresh = QAction("&Refresh", self, shortcut=QKeySequence.StandardKey.Refresh)
        refresh.triggered.connect(self.refresh)
        view_menu.addAction(refresh)
        help_menu = self.menuBar().addMenu("&Help")
        about = QAction("&About DebtorDesk", self)
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)

    def refresh(self) -> None:
        with self.db.session() as session:
            report = aging_report(session, self.today)
        self.model = AgingTableModel(report, self)
        self.table.setModel(self.model)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.heading.setText(f"Aged receivables as of {self.today.strftime('%d %B %Y')}")
        totals = report.totals()
        parts = [
            f"Open {format_money(t.total, t.currency)} · overdue "
            f"{format_money(t.total - t.buckets[0], t.currency)}"
            for t in totals
        ]
        self.status_totals.setText("   |   ".join(parts) if parts else "Nothing is owed")
        self.statusBar().showMessage(f"Database: {self.db.display_name}")

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            f"About {APP_NAME}",
            f"{APP_NAME} {__version__}\n\nDatabase: {self.db.display_name}",
        )

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        QSettings().setValue("main_window/geometry", self.saveGeometry())
        super().closeEvent(event)
