"""The Write-offs screen: the bad debt written off between two dates (this calendar year so far, to
start with), for every customer or one, with the totals per currency; export to CSV for the
accounts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from debtordesk.db.engine import Database
from debtordesk.domain.problems import UserError, sentence
from debtordesk.services.adjustments import WriteOffReport, WriteOffRow, write_off_csv, write_off_report
from debtordesk.ui.formatting import OVERDUE_COLOR, day, money
from debtordesk.ui.messages import tell
from debtordesk.ui.widgets.customer_picker import CustomerPicker
from debtordesk.ui.widgets.dates import date_edit, picked
from debtordesk.ui.widgets.files import ask_save_path
from debtordesk.ui.workers import TaskRunner

COLUMNS = ("Date", "Customer", "Invoice", "Amount", "Reason")
AMOUNT = COLUMNS.index("Amount")
_SORT_KEYS = (
    lambda r: (r.on, r.customer_name.casefold()),
    lambda r: (r.customer_name.casefold(), r.on),
    lambda r: r.invoice_number,
    lambda r: (r.currency, r.amount_minor),
    lambda r: r.reason.casefold(),
)


class WriteOffTableModel(QAbstractTableModel):
    """The rows of a write-off report, oldest first until a header is clicked."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[WriteOffRow] = []

    def set_rows(self, rows: list[WriteOffRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802, B008 (Qt override)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802, B008 (Qt override)
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802 (Qt override)
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(COLUMNS):
            return COLUMNS[section]
        return None

    def row_at(self, row: int) -> WriteOffRow | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        r = self.row_at(index.row()) if index.isValid() else None
        if r is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (day(r.on), r.customer_name, r.invoice_number, money(r.amount_minor, r.currency),
                    " ".join(r.reason.split()))[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 1:
                return f"{r.customer_name} ({r.customer_ref})"
            if column == 4 and r.reason:
                return r.reason
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and column == AMOUNT:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        self.layoutAboutToBeChanged.emit()
        self.rows.sort(key=_SORT_KEYS[column], reverse=order == Qt.SortOrder.DescendingOrder)
        self.layoutChanged.emit()


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


class WriteOffsView(QWidget):
    def __init__(self, db: Database, today: date, tasks: TaskRunner | None = None, parent=None):
        super().__init__(parent)
        self.db, self.today, self.tasks = db, today, tasks
        self.loaded = False
        self.report: WriteOffReport | None = None
        self._request = 0

        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        caption = QLabel("Fro&m", self)
        self.start = date_edit(self, date(today.year, 1, 1), "From")
        caption.setBuddy(self.start)
        bar.addWidget(caption)
        bar.addWidget(self.start)
        caption = QLabel("&to", self)
        self.end = date_edit(self, today, "To")
        caption.setBuddy(self.end)
        bar.addWidget(caption)
        bar.addWidget(self.end)
        caption = QLabel("C&ustomer:", self)
        self.customer = CustomerPicker(db, self)
        self.customer.setPlaceholderText("Every customer (type a name or reference for one)")
        self.customer.setMinimumWidth(320)
        caption.setBuddy(self.customer)
        bar.addSpacing(12)
        bar.addWidget(caption)
        bar.addWidget(self.customer)
        bar.addStretch(1)
        self.csv_button = QPushButton("Export CSV…", self)
        self.csv_button.setToolTip("The write-offs shown, with the totals, as a CSV file for the accounts")
        self.csv_button.clicked.connect(lambda: self.export_csv())
        bar.addWidget(self.csv_button)
        layout.addLayout(bar)

        self.heading = QLabel(self)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        font = self.heading.font()
        font.setPointSize(font.pointSize() + 4)
        font.setBold(True)
        self.heading.setFont(font)
        layout.addWidget(self.heading)
        self.error = QLabel(self)
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setStyleSheet(f"color: {OVERDUE_COLOR.name()};")
        self.error.setAccessibleName("Problem")
        self.error.hide()
        layout.addWidget(self.error)

        self.model = WriteOffTableModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setAccessibleName("Write-offs")
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 10)
        self.table.setWordWrap(False)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((110, 230, 150, 130)):
            header.resizeSection(column, width)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        self.empty = QLabel(self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setTextFormat(Qt.TextFormat.PlainText)
        self.empty.hide()
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty, 1)
        self.totals = QLabel(self)
        self.totals.setTextFormat(Qt.TextFormat.PlainText)
        self.totals.setWordWrap(True)
        self.totals.setAccessibleName("Totals per currency")
        font = self.totals.font()
        font.setBold(True)
        self.totals.setFont(font)
        layout.addWidget(self.totals)

        self._timer = QTimer(self, singleShot=True, interval=300)
        self._timer.timeout.connect(self.refresh)
        for edit in (self.start, self.end):
            edit.dateChanged.connect(lambda _d: self._timer.start())
        self.customer.customer_changed.connect(lambda _id: self.refresh())
        self.heading.setText("Reading the write-offs…")

    # --- loading ------------------------------------------------------------------------------------
    def ensure_loaded(self) -> None:
        if not self.loaded:
            self.refresh()

    def period(self) -> tuple[date, date]:
        return picked(self.start), picked(self.end)

    def refresh(self) -> None:
        """Read the report for the dates and customer chosen (on the worker when there is one)."""
        self._timer.stop()
        self.loaded = True
        db, (start, end), customer_id = self.db, self.period(), self.customer.customer_id()
        if start > end:
            self._show_problem("The start date is after the end date: choose a start on or before the end.")
            return
        self._request += 1
        request = self._request

        def read(_report=None, _should_cancel=None) -> WriteOffReport:
            with db.session() as s:
                return write_off_report(s, start, end, customer_id)

        def done(report: WriteOffReport) -> None:
            if request == self._request:  # a newer request supersedes this one
                self.show_report(report)

        if self.tasks is None:
            try:
                done(read())
            except UserError as exc:
                self._show_problem(str(exc))
            return
        self.tasks.run(read, label="Reading the write-offs…", on_success=done,
                       on_error=lambda exc: self._show_problem(str(exc)) if isinstance(exc, UserError)
                       else self.tasks.show_error(exc))

    def _show_problem(self, text: str) -> None:
        self._request += 1  # whatever was still being read is not wanted now
        self.error.setText(sentence(text))
        self.error.show()

    def show_report(self, report: WriteOffReport) -> None:
        self.report = report
        self.error.hide()
        kept = self.current()
        self.model.set_rows(report.rows)
        header = self.table.horizontalHeader()
        self.model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        who = f" · {self.customer.text()}" if self.customer.customer_id() is not None else ""
        self.heading.setText(f"Written off from {day(report.start)} to {day(report.end)}{who}")
        empty = not report.rows
        self.empty.setText("Nothing was written off between these dates. Bad debt is written off from the Invoices "
                           "screen (More › Write off…)." if empty else "")
        self.table.setVisible(not empty)
        self.empty.setVisible(empty)
        if report.totals:
            figures = " · ".join(money(total, cur) for cur, total in report.totals.items())
            self.totals.setText(f"Total written off: {figures} ({_plural(len(report.rows), 'write-off')})")
        else:
            self.totals.setText("")
        self.csv_button.setEnabled(not empty)
        if kept is not None and kept in self.model.rows:
            self.table.selectRow(self.model.rows.index(kept))

    def current(self) -> WriteOffRow | None:
        """The row chosen (its customer is the one Edit ▸ Log a call… is about)."""
        index = self.table.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def visible_texts(self, column: int) -> list[str]:
        return [self.model.index(r, column).data() for r in range(self.model.rowCount())]

    # --- export ---------------------------------------------------------------------------------------
    def _save_path(self) -> Path | None:
        start, end = self.period()
        return ask_save_path(self, "write_offs", "Export the write-offs",
                             f"write-offs-{start.isoformat()}-to-{end.isoformat()}.csv", "CSV files (*.csv)")

    def export_csv(self, path: Path | None = None) -> Path | None:
        """Write the report shown to a CSV file (asked for when not given); the file written."""
        if self.report is None:
            return None
        path = path or self._save_path()
        if path is None:
            return None
        try:
            path.write_text(write_off_csv(self.report), encoding="utf-8")
        except OSError as exc:
            tell(self, f"The report was not saved: {exc.strerror or exc}.", QMessageBox.Icon.Warning)
            return None
        tell(self, f"Saved the write-offs to {path}.")
        return path
