"""The Aging screen: aged receivables as of any date, in buckets the user chooses (any number),
by due or issue date, for one currency or all; saved presets; a chart of the buckets and the
customers most overdue; double-click a row for that customer's open invoices as of the date;
export to CSV and PDF, print with a preview."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from debtordesk.db.engine import Database
from debtordesk.domain.aging import AgingReport, BucketError, chart_bars, most_overdue, parse_limits
from debtordesk.domain.problems import FieldErrors, sentence
from debtordesk.services.aging import aging_report
from debtordesk.services.aging_presets import delete_preset, list_presets, save_preset, set_default
from debtordesk.ui.formatting import OVERDUE_COLOR, day, money
from debtordesk.ui.messages import tell
from debtordesk.ui.models.aging import AgingTableModel
from debtordesk.ui.widgets.dates import date_edit, picked
from debtordesk.ui.widgets.files import ask_save_path
from debtordesk.ui.workers import TaskRunner

TOP_CUSTOMERS = 8


class AgingView(QWidget):
    report_changed = Signal(object)  # today's report (all currencies, by due date) when it is shown
    customer_requested = Signal(int)

    def __init__(self, db: Database, today: date, parent=None):
        super().__init__(parent)
        self.db, self.today = db, today
        self.tasks: TaskRunner | None = None
        self.report: AgingReport | None = None
        self.model: AgingTableModel | None = None
        self.worst: list = []  # the rows the chart shows after the currency totals
        self.open_file: Callable[[Path], None] | None = None  # set by tests; else the system viewer
        self._request = 0
        self._loading_presets = False
        self.latest_today: AgingReport | None = None  # today's standard report, once worked out

        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("As of", self))
        self.as_of = date_edit(self, today, "As of")
        bar.addWidget(self.as_of)
        bar.addWidget(QLabel("by", self))
        self.basis = QComboBox(self)
        self.basis.addItem("due date", "due")
        self.basis.addItem("issue date", "issue")
        self.basis.setAccessibleName("Basis")
        bar.addWidget(self.basis)
        bar.addWidget(QLabel("Buckets (days):", self))
        self.buckets = QLineEdit("30,60,90", self)
        self.buckets.setAccessibleName("Buckets")
        self.buckets.setToolTip("The upper limit of each bucket in days, as many as you like, e.g. "
                                "7,14,30,60,90,180")
        self.buckets.setMinimumWidth(170)
        bar.addWidget(self.buckets)
        bar.addWidget(QLabel("Currency:", self))
        self.currency = QComboBox(self)
        self.currency.addItem("All", "")
        self.currency.setAccessibleName("Currency")
        bar.addWidget(self.currency)
        bar.addStretch(1)
        layout.addLayout(bar)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Preset:", self))
        self.preset = QComboBox(self)
        self.preset.setAccessibleName("Preset")
        self.preset.setMinimumWidth(220)
        bar.addWidget(self.preset)
        self.save_preset_button = QPushButton("Save as preset…", self)
        self.save_preset_button.clicked.connect(self.save_as_preset)
        bar.addWidget(self.save_preset_button)
        self.preset_menu_button = QPushButton("Make default", self)
        self.preset_menu_button.setToolTip("Open the Aging screen with this preset")
        self.preset_menu_button.clicked.connect(self.make_default)
        bar.addWidget(self.preset_menu_button)
        self.delete_preset_button = QPushButton("Delete preset", self)
        self.delete_preset_button.clicked.connect(self.delete_current_preset)
        bar.addWidget(self.delete_preset_button)
        bar.addStretch(1)
        self.csv_button = QPushButton("Export CSV…", self)
        self.csv_button.clicked.connect(self.export_csv)
        self.pdf_button = QPushButton("PDF…", self)
        self.pdf_button.setToolTip("The report as a PDF with your company header and page numbers")
        self.pdf_button.clicked.connect(self.export_pdf)
        self.print_button = QPushButton("Print…", self)
        self.print_button.clicked.connect(self.print_report)
        for b in (self.csv_button, self.pdf_button, self.print_button):
            bar.addWidget(b)
        layout.addLayout(bar)

        self.error = QLabel(self)
        self.error.setStyleSheet(f"color: {OVERDUE_COLOR.name()};")
        self.error.hide()
        layout.addWidget(self.error)

        head = QHBoxLayout()
        self.heading = QLabel(self)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        font = self.heading.font()
        font.setPointSize(font.pointSize() + 4)
        font.setBold(True)
        self.heading.setFont(font)
        head.addWidget(self.heading, 1)
        layout.addLayout(head)

        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.chart = self._make_chart()
        self.splitter.addWidget(self.chart)
        self.table = QTableView(self.splitter)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.setSortingEnabled(True)
        self.table.doubleClicked.connect(lambda index: self.drill_down(index.row()))
        self.splitter.addWidget(self.table)
        self.totals = QLabel(self)
        self.totals.setTextFormat(Qt.TextFormat.PlainText)
        self.totals.setWordWrap(True)
        self.totals.setAccessibleName("Totals per currency")
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.totals)
        self.heading.setText("Working out who owes what…")

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(300)
        self._timer.timeout.connect(self.reload)
        self.as_of.dateChanged.connect(lambda _d: self._timer.start())
        self.basis.currentIndexChanged.connect(lambda _i: self._timer.start())
        self.currency.currentIndexChanged.connect(lambda _i: self._timer.start())
        self.buckets.textEdited.connect(lambda _t: self._timer.start())
        self.preset.currentIndexChanged.connect(self._preset_chosen)
        self._load_presets(initial=True)

    def _make_chart(self) -> QWidget:
        from debtordesk.ui.widgets.charts import StackedBarChart

        chart = StackedBarChart(self)
        chart.bar_activated.connect(self._bar_activated)
        return chart

    # --- parameters -------------------------------------------------------------------------------
    def selected_date(self) -> date:
        return picked(self.as_of)

    def limits(self) -> tuple[int, ...] | None:
        try:
            limits = parse_limits(self.buckets.text())
        except BucketError as exc:
            self.error.setText(sentence(f"Buckets: {exc}"))
            self.error.show()
            return None
        self.error.hide()
        return limits

    def _load_presets(self, initial: bool = False, select: str | None = None) -> None:
        with self.db.session() as s:
            presets = list_presets(s)
        self._presets = {p.name: p for p in presets}
        self._loading_presets = True
        self.preset.clear()
        for p in presets:
            self.preset.addItem(p.name + (" (default)" if p.default else ""), p.name)
        wanted = select or (next(p.name for p in presets if p.default) if initial else None)
        if wanted is not None:
            self.preset.setCurrentIndex(max(0, self.preset.findData(wanted)))
            if initial:
                self._apply_preset(self._presets[wanted])
        self._loading_presets = False

    def _apply_preset(self, preset) -> None:
        self.buckets.setText(",".join(str(x) for x in preset.limits))
        self.basis.setCurrentIndex(max(0, self.basis.findData(preset.basis)))

    def _preset_chosen(self, _index: int) -> None:
        if self._loading_presets:
            return
        name = self.preset.currentData()
        if name in self._presets:
            self._apply_preset(self._presets[name])
            self._timer.start()

    def save_as_preset(self) -> None:
        name, ok = QInputDialog.getText(self, "Save preset", "Name for these buckets and basis:",
                                        text=self.preset.currentData() or "")
        if ok:
            self.store_preset(name)

    def store_preset(self, name: str, default: bool = False) -> bool:
        try:
            with self.db.transaction() as s:
                preset = save_preset(s, name, self.buckets.text(), self.basis.currentData(), default)
        except FieldErrors as exc:
            tell(self, "The preset was not saved: " + " ".join(sentence(m) for m in exc.errors.values()),
                 QMessageBox.Icon.Warning)
            return False
        self._load_presets(select=preset.name)
        return True

    def make_default(self) -> None:
        with self.db.transaction() as s:
            set_default(s, self.preset.currentData())
        self._load_presets(select=self.preset.currentData())

    def delete_current_preset(self) -> None:
        try:
            with self.db.transaction() as s:
                delete_preset(s, self.preset.currentData())
        except FieldErrors as exc:
            tell(self, " ".join(sentence(m) for m in exc.errors.values()))
            return
        self._load_presets(initial=True)

    # --- loading ----------------------------------------------------------------------------------
    def load(self, tasks: TaskRunner) -> None:
        """Work the report out on the worker thread; it is shown when it arrives."""
        self.tasks = tasks
        self.reload()

    def reload(self) -> None:
        limits = self.limits()
        if limits is None or self.tasks is None:
            return
        db, as_of = self.db, self.selected_date()
        basis, currency = self.basis.currentData(), self.currency.currentData()
        self._request += 1
        request = self._request

        def job(_progress, should_cancel):
            with db.session() as session:
                report = aging_report(session, as_of, limits, basis, currency or None)
            report.totals()  # summed here, not on the UI thread
            worst = most_overdue(report, TOP_CUSTOMERS)  # sorted here too
            if as_of == self.today and basis == "due" and not currency:
                self.latest_today = report  # a plain attribute (no widget): Today reuses it on the worker
            return report, worst

        def done(result) -> None:
            if request == self._request:  # a newer request supersedes this one
                self.show_report(*result)

        self.tasks.run(job, label="Working out who owes what…", on_success=done)

    def show_report(self, report: AgingReport, worst=None) -> None:
        self.report = report
        self.worst = worst if worst is not None else most_overdue(report, TOP_CUSTOMERS)
        first = self.model is None
        self.model = AgingTableModel(report, self)
        self.table.setModel(self.model)
        header = self.table.horizontalHeader()
        if first or header.count() != self.model.columnCount():
            # sized once from the first rows: measuring every cell of a large report held up the screen
            header.setResizeContentsPrecision(100)
            header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
            self.table.resizeColumnsToContents()
            header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        basis = "due date" if report.basis == "due" else "issue date"
        self.heading.setText(f"Aged receivables as of {report.as_of.strftime('%d %B %Y')} (by {basis})")
        self.chart.set_data("Buckets by customer", [label.capitalize() for label in report.labels],
                            chart_bars(report, self.worst))
        self._fill_currencies(report)
        self.totals.setText("   |   ".join(
            f"Total {t.currency}: {money(t.total, t.currency)}, unapplied {money(t.unapplied, t.currency)}, "
            f"balance {money(t.balance, t.currency)}" for t in report.totals()) or "Nothing is owed on this date.")
        if report.as_of == self.today and report.basis == "due" and not self.currency.currentData():
            self.report_changed.emit(report)

    def _fill_currencies(self, report: AgingReport) -> None:
        if self.currency.currentData():
            return  # filtered: the list keeps what it had
        have = {self.currency.itemData(i) for i in range(self.currency.count())}
        for t in report.totals():
            if t.currency not in have:
                self.currency.addItem(t.currency, t.currency)

    # --- drill-down -----------------------------------------------------------------------------------
    def _bar_activated(self, index: int) -> None:
        if self.report is None:
            return
        totals = len(self.report.totals())
        if index >= totals:  # the bars after the currency totals are the customers most overdue
            self.open_drill_down(self.worst[index - totals])

    def current(self):
        """The row chosen (its customer is the one Edit ▸ Log a call… is about)."""
        index = self.table.currentIndex()
        return self.model.row_at(index.row()) if self.model is not None and index.isValid() else None

    def drill_down(self, row_index: int) -> None:
        if self.model is not None:
            self.open_drill_down(self.model.row_at(row_index))

    def open_drill_down(self, row):
        from debtordesk.ui.dialogs.aging_drill import OpenItemsDialog

        dialog = OpenItemsDialog(self.db, row, self.report, self)
        dialog.customer_requested.connect(self.customer_requested)
        dialog.show()
        return dialog

    # --- export and print -----------------------------------------------------------------------------
    def _file_name(self, suffix: str) -> str:
        return f"aging-{self.selected_date().isoformat()}.{suffix}"

    def _save_path(self, title: str, suffix: str, kind: str) -> Path | None:
        return ask_save_path(self, "aging", title, self._file_name(suffix), kind)

    def export_csv(self, path: Path | None = None) -> None:
        if self.report is None or self.tasks is None:
            return
        path = path or self._save_path("Export the aging report", "csv", "CSV files (*.csv)")
        if path is None:
            return
        report = self.report

        def job(_report, _cancel):
            from debtordesk.services.aging_export import aging_csv

            path.write_text(aging_csv(report), encoding="utf-8")
            return path

        self.tasks.run(job, label="Writing the report…", on_success=lambda p: tell(self, f"Saved the report to {p}."))

    def export_pdf(self, path: Path | None = None) -> None:
        if self.report is None or self.tasks is None:
            return
        path = path or self._save_path("The aging report as a PDF", "pdf", "PDF files (*.pdf)")
        if path is None:
            return
        db, report = self.db, self.report

        def job(_report, _cancel):
            from debtordesk.services.aging_export import aging_pdf

            with db.session() as session:
                path.write_bytes(aging_pdf(session, report))
            return path

        def done(result: Path) -> None:
            if self.open_file is not None:
                self.open_file(result)
            else:
                from debtordesk.ui.views.dunning import open_in_viewer

                open_in_viewer(result)

        self.tasks.run(job, label="Preparing the report…", on_success=done)

    def print_report(self) -> None:
        if self.report is None:
            return
        from debtordesk.services.company import company_name
        from debtordesk.ui.printing import print_report

        with self.db.session() as s:
            company = company_name(s)
        print_report(self, self.report, company, day(self.today))
