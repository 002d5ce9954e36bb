"""The main window: a sidebar of screens, menus, and the database and totals in the status bar."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from debtordesk import APP_NAME, __version__
from debtordesk.db.engine import Database
from debtordesk.domain.aging import AgingReport
from debtordesk.domain.money import format_money
from debtordesk.ui.views.aging import AgingView
from debtordesk.ui.views.coming import ComingSoonView
from debtordesk.ui.workers import TaskRunner

# (sidebar name, what the page will hold) for screens that are still to come
COMING = {
    "Today": "Your worklist: follow-ups, promises and instalments due, reminders waiting.\n"
             "Until then, the Aging screen shows who owes what and how late.",
    "Customers": "Find, add and edit customers, with their invoices and payments.\n"
                 "Until then, import customers with: debtordesk import customers FILE.csv",
    "Invoices": "All invoices with filters by status, customer, date and currency.\n"
                "Until then, import invoices with: debtordesk import invoices FILE.csv",
    "Payments": "Record payments and see how they pay off invoices.\n"
                "Until then, import payments with: debtordesk import payments FILE.csv",
    "Dunning": "Reminders, final demands and legal notices, printed in one batch.",
    "Payment plans": "Instalment schedules with an agreement letter.",
    "Settings": "Your company details, bank account and reminder levels.",
}
PAGES = ["Today", "Customers", "Invoices", "Payments", "Aging", "Dunning", "Payment plans", "Settings"]


class MainWindow(QMainWindow):
    def __init__(self, db: Database, today: date, parent=None):
        super().__init__(parent)
        self.db = db
        self.today = today
        self.tasks = TaskRunner(self)
        self.setWindowTitle(f"{APP_NAME} — {db.path.name if db.path else db.display_name}")
        self.resize(1200, 700)

        self.sidebar = QListWidget(self)
        self.sidebar.addItems(PAGES)
        self.sidebar.setFixedWidth(170)
        self.sidebar.setStyleSheet("QListWidget::item { padding: 7px 10px; }")  # palette untouched
        self.sidebar.setAccessibleName("Screens")
        self.pages = QStackedWidget(self)
        self.aging_view = AgingView(db, today, self)
        self.aging_view.report_changed.connect(self._show_totals)
        for name in PAGES:
            self.pages.addWidget(self.aging_view if name == "Aging" else ComingSoonView(name, COMING[name], self))
        self.sidebar.currentRowChanged.connect(self.pages.setCurrentIndex)

        central = QWidget(self)
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.sidebar)
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)

        self.status_totals = QLabel(self)
        self.statusBar().addPermanentWidget(self.status_totals)
        self._build_menus()
        self.refresh()
        settings = QSettings()
        geometry = settings.value("main_window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        self.show_page(str(settings.value("main_window/page", "Aging")))

    def _build_menus(self) -> None:
        from debtordesk.ui.file_menu import FileMenu

        file_menu = self.menuBar().addMenu("&File")
        self.file_menu = FileMenu(self, file_menu)  # New, Open, Import, Export, Back up
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

    def show_page(self, name: str) -> None:
        row = PAGES.index(name) if name in PAGES else PAGES.index("Aging")
        self.sidebar.setCurrentRow(row)

    def current_page(self) -> str:
        return PAGES[self.pages.currentIndex()]

    def refresh(self) -> None:
        self.aging_view.load(self.tasks)
        self.statusBar().showMessage(f"Database: {self.db.display_name}")

    def _show_totals(self, report: AgingReport) -> None:
        parts = [
            f"Open {format_money(t.total, t.currency)} · overdue "
            f"{format_money(t.total - t.buckets[0], t.currency)}"
            for t in report.totals()
        ]
        self.status_totals.setText("   |   ".join(parts) if parts else "Nothing is owed")

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            f"About {APP_NAME}",
            f"{APP_NAME} {__version__}\n\nDatabase: {self.db.display_name}",
        )

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        settings = QSettings()
        settings.setValue("main_window/geometry", self.saveGeometry())
        settings.setValue("main_window/page", self.current_page())
        self.tasks.wait()
        super().closeEvent(event)
