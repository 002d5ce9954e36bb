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
from debtordesk.db.engine import Database, plain_error
from debtordesk.domain.aging import AgingReport
from debtordesk.domain.money import format_money
from debtordesk.services.company import company_name
from debtordesk.ui.printing import print_list
from debtordesk.ui.record_actions import RecordActions
from debtordesk.ui.views.aging import AgingView
from debtordesk.ui.views.audit import AuditView
from debtordesk.ui.views.coming import ComingSoonView
from debtordesk.ui.views.customers import CustomersView
from debtordesk.ui.views.dunning import DunningView
from debtordesk.ui.views.invoices import InvoicesView
from debtordesk.ui.views.payments import PaymentsView
from debtordesk.ui.views.plans import PlansView
from debtordesk.ui.views.settings import SettingsView
from debtordesk.ui.views.today import TodayView
from debtordesk.ui.views.write_offs import WriteOffsView
from debtordesk.ui.workers import TaskRunner

# (sidebar name, what the page will hold) for screens that are still to come
COMING: dict[str, str] = {}
PAGES = ["Today", "Customers", "Invoices", "Payments", "Aging", "Write-offs", "Dunning", "Payment plans", "Audit trail",
         "Settings"]


class MainWindow(QMainWindow):
    def __init__(self, db: Database, today: date, parent=None):
        super().__init__(parent)
        self.db = db
        self.today = today
        self.tasks = TaskRunner(self)
        self.tasks.explain = lambda exc: plain_error(exc, db.url)  # e.g. a save on a read-only database
        self.setWindowTitle(f"{APP_NAME} — {db.path.name if db.path else db.display_name}"
                            + (" (read-only)" if db.read_only else ""))
        self.resize(1200, 700)

        self.sidebar = QListWidget(self)
        self.sidebar.addItems(PAGES)
        self.sidebar.setFixedWidth(170)
        self.sidebar.setStyleSheet("QListWidget::item { padding: 7px 10px; }")  # palette untouched
        self.sidebar.setAccessibleName("Screens")
        self.pages = QStackedWidget(self)
        self.aging_view = AgingView(db, today, self)
        self.aging_view.report_changed.connect(self._show_totals)
        self.aging_view.customer_requested.connect(self.show_customer)
        self.customers_view = CustomersView(db, today, self)
        self.invoices_view = InvoicesView(db, today, self)
        self.payments_view = PaymentsView(db, today, self)
        self.dunning_view = DunningView(db, today, self.tasks, self)
        self.plans_view = PlansView(db, today, self.tasks, self)
        self.plans_view.customer_requested.connect(self.show_customer)
        self.plans_view.changed.connect(self.refresh)
        self.write_offs_view = WriteOffsView(db, today, self.tasks, self)
        self.audit_view = AuditView(db, today, self.tasks, self)
        self.settings_view = SettingsView(db, today, self)
        self.today_view = TodayView(db, today, self)
        self.today_view.tasks = self.tasks
        self.today_view.report_source = lambda: self.aging_view.latest_today
        self.today_view.page_requested.connect(self.show_page)
        self.today_view.plan_requested.connect(self.show_plan)
        self.today_view.customer_requested.connect(self.show_customer)
        self.dunning_view.customer_requested.connect(self.show_customer)
        self.dunning_view.letters_recorded.connect(lambda: self.refresh(skip_dunning=True))
        built = {"Aging": self.aging_view, "Customers": self.customers_view, "Invoices": self.invoices_view,
                 "Payments": self.payments_view, "Dunning": self.dunning_view, "Settings": self.settings_view,
                 "Today": self.today_view, "Payment plans": self.plans_view, "Write-offs": self.write_offs_view,
                 "Audit trail": self.audit_view}
        for name in PAGES:
            self.pages.addWidget(built.get(name) or ComingSoonView(name, COMING[name], self))
        self.sidebar.currentRowChanged.connect(self._page_changed)
        self.actions_ = RecordActions(self)

        central = QWidget(self)
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.sidebar)
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)

        self.status_totals = QLabel(self)
        self.statusBar().addPermanentWidget(self.status_totals)
        self._build_menus()
        self._build_edit_menu()
        self.refresh()
        settings = QSettings()
        geometry = settings.value("main_window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        splitter = settings.value("customers/splitter")
        if splitter is not None:
            self.customers_view.splitter.restoreState(splitter)
        self.show_page(str(settings.value("main_window/page", "Today")))

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

    def _build_edit_menu(self) -> None:
        edit_menu = self.menuBar().addMenu("&Edit")
        self.menuBar().insertMenu(self.menuBar().actions()[1], edit_menu)
        new = QAction("&New…", self, shortcut=QKeySequence.StandardKey.New)
        new.setToolTip("A new customer, invoice or payment, depending on the screen")
        new.triggered.connect(self.new_record)
        find = QAction("&Find", self, shortcut=QKeySequence.StandardKey.Find)
        find.triggered.connect(self.focus_search)
        pay = QAction("Record &payment…", self, shortcut=QKeySequence("Ctrl+Shift+P"))
        pay.triggered.connect(lambda: self.actions_.record_payment(self._selected_customer()))
        call = QAction("&Log a call…", self, shortcut=QKeySequence("Ctrl+L"))
        call.setToolTip("A call, e-mail, visit or note with the customer chosen on the screen")
        call.triggered.connect(lambda: self.actions_.log_call(self._selected_customer()))
        for action in (new, find, pay, call):
            edit_menu.addAction(action)

    def _list_screen(self):
        page = self.pages.currentWidget()
        return page if hasattr(page, "new_record") else None

    def new_record(self) -> None:
        screen = self._list_screen()
        if screen is None:
            self.show_page("Customers")
            screen = self.customers_view
        screen.new_record()

    def print_current(self) -> None:
        """Print the list on the current screen, or the aging report as shown."""
        if self.pages.currentWidget() is self.aging_view:
            self.aging_view.print_report()
            return
        screen = self._list_screen()
        lists = {self.customers_view: self.customers_view.list}
        view = lists.get(screen, screen)
        if view is None or not hasattr(view, "model"):
            self.statusBar().showMessage("Choose Customers, Invoices or Payments to print a list.", 5000)
            return
        with self.db.session() as s:
            company = company_name(s)
        print_list(self, f"{self.current_page()} — {view.search.text() or 'all'}", view.model, self.today, company)

    def focus_search(self) -> None:
        screen = self._list_screen()
        if screen is not None:
            screen.focus_search()

    def _selected_customer(self) -> int | None:
        screen = self.pages.currentWidget()
        if screen is self.customers_view:
            row = self.customers_view.detail.row
            return row.id if row is not None else None
        row = screen.current() if hasattr(screen, "current") else None
        return getattr(row, "customer_id", None)

    def _page_changed(self, row: int) -> None:
        self.pages.setCurrentIndex(row)
        page = self.pages.currentWidget()
        if hasattr(page, "ensure_loaded"):
            page.ensure_loaded()

    def show_customer(self, customer_id: int) -> None:
        self.show_page("Customers")
        self.customers_view.select(customer_id)

    def show_plan(self, plan_id: int) -> None:
        self.show_page("Payment plans")
        self.plans_view.show_plan(plan_id)

    def show_page(self, name: str) -> None:
        row = PAGES.index(name) if name in PAGES else PAGES.index("Today")
        if self.sidebar.currentRow() == row:
            self._page_changed(row)  # no change signal for the row already current: load it anyway
        else:
            self.sidebar.setCurrentRow(row)

    def current_page(self) -> str:
        return PAGES[self.pages.currentIndex()]

    def refresh(self, skip_dunning: bool = False) -> None:
        """Read everything shown again (after a change, or F5)."""
        self.aging_view.latest_today = None
        self.aging_view.load(self.tasks)  # first: Today reuses its report
        views = [self.customers_view.list, self.invoices_view, self.payments_view, self.today_view, self.plans_view,
                 self.write_offs_view, self.audit_view]
        if not skip_dunning:
            views.append(self.dunning_view)
        for view in views:
            if view.loaded:
                view.refresh()
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
        settings.setValue("customers/splitter", self.customers_view.splitter.saveState())
        self.tasks.wait()
        super().closeEvent(event)
