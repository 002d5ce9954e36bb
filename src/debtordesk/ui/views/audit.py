"""The Audit trail screen: every recorded change, newest first, filtered by dates, who, the kind of
record, the action and a text (a customer's name, an invoice number); the changes of the entry
chosen in words below the list; the entries shown exported as CSV. Read-only: the trail cannot be
changed or deleted from anywhere in the app."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from babel.dates import format_datetime
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from debtordesk.db.engine import Database
from debtordesk.services.audit import (
    ACTIONS,
    KINDS,
    AuditQuery,
    AuditRow,
    change_lines,
    count_entries,
    entry_currencies,
    list_entries,
    people,
    record_names,
    write_audit_csv,
)
from debtordesk.services.lists import Sort
from debtordesk.ui.formatting import user_locale
from debtordesk.ui.messages import tell
from debtordesk.ui.models.paged import Column
from debtordesk.ui.views.listview import ListView
from debtordesk.ui.widgets.dates import date_edit, picked
from debtordesk.ui.widgets.files import ask_save_path
from debtordesk.ui.workers import TaskRunner

ANY_DATE = date(2000, 1, 1)  # the date edits' minimum, shown as "any date"
EVERYONE = "Everyone"


def when(row: AuditRow) -> str:
    return format_datetime(row.local_at, format="medium", locale=user_locale())


def _one_line(text: str) -> str:
    return " ".join(text.split())


class AuditList(ListView):
    """The entries, a block at a time, with the filters in the bar above them."""

    def __init__(self, db: Database, today: date, parent=None):
        self.db, self.today = db, today
        columns = [
            Column("When", when, "at"),
            Column("Who", lambda r: r.who),
            Column("Action", lambda r: r.action_word),
            Column("Record", lambda r: r.record_word, tip=lambda r: f"{r.record_word} #{r.entity_id}"
                   if r.entity_id.isdigit() else r.entity_id),
            Column("What", lambda r: _one_line(r.summary), tip=lambda r: r.summary),
        ]
        super().__init__(columns, Sort("at", descending=True), "Search customer name, invoice number…",
                         "Nothing has been recorded yet: every change to customers, invoices, payments, plans, "
                         "letters and settings appears here.", parent)
        self.search.setAccessibleName("Search the audit trail")
        self.start = self._date_edit("From")
        self.end = self._date_edit("To")
        self.who = QComboBox(self)
        self.who.setAccessibleName("Who")
        self.who.setMinimumWidth(120)
        self.kind = QComboBox(self)
        self.kind.setAccessibleName("Kind of record")
        self.kind.addItem("Every kind of record", "")
        for label in KINDS:
            self.kind.addItem(label, label)
        self.action = QComboBox(self)
        self.action.setAccessibleName("Action")
        self.action.addItem("Every action", "")
        for key, label in ACTIONS.items():
            self.action.addItem(label, key)
        self.csv_button = QPushButton("Export CSV…", self)
        self.csv_button.setToolTip("The entries shown (with these filters), with their changes, as a CSV file")
        for caption, widget in (("&From", self.start), ("&to", self.end), ("&Who", self.who), ("", self.kind),
                                ("", self.action)):
            if caption:
                label = QLabel(caption, self)
                label.setBuddy(widget)
                self.bar.addWidget(label)
            self.bar.addWidget(widget)
        self.bar.addWidget(self.csv_button)
        self.set_widths({0: 170, 1: 110, 2: 80, 3: 140}, 4)
        for edit in (self.start, self.end):
            edit.dateChanged.connect(lambda _d: self._timer.start())
        for combo in (self.who, self.kind, self.action):
            combo.currentIndexChanged.connect(lambda _i: self.reload())

    def _date_edit(self, name: str):
        edit = date_edit(self, ANY_DATE, name)
        edit.setMinimumDate(QDate(ANY_DATE.year, ANY_DATE.month, ANY_DATE.day))
        edit.setSpecialValueText("any date")
        edit.setToolTip(f"{name} this day (local time); 'any date' does not limit the list")
        return edit

    def fill_people(self) -> None:
        """The names in the trail, for the Who filter (the choice kept when it is still there)."""
        chosen = self.who.currentData()
        with self.db.session() as s:
            names = people(s)
        self.who.blockSignals(True)
        self.who.clear()
        self.who.addItem(EVERYONE, "")
        for name in names:
            self.who.addItem(name, name)
        self.who.setCurrentIndex(max(0, self.who.findData(chosen)) if chosen else 0)
        self.who.blockSignals(False)

    def query(self) -> AuditQuery:
        start, end = picked(self.start), picked(self.end)
        return AuditQuery(start=None if start == ANY_DATE else start, end=None if end == ANY_DATE else end,
                          who=self.who.currentData() or "", kind=self.kind.currentData() or "",
                          action=self.action.currentData() or "", text=self.search.text())

    def filtering(self) -> bool:
        q = self.query()
        return any((q.start, q.end, q.who, q.kind, q.action, q.text.strip()))

    def source(self):
        db, query = self.db, self.query()

        def count() -> int:
            with db.session() as s:
                return count_entries(s, query)

        def fetch(sort: Sort, offset: int, limit: int) -> list[AuditRow]:
            with db.session() as s:
                return list_entries(s, query, offset, limit, oldest_first=not sort.descending)

        return count, fetch

    def reload(self) -> None:
        if not self.loaded:
            self.fill_people()
        super().reload()
        self.csv_button.setEnabled(self.model.rowCount() > 0)


class AuditView(QWidget):
    def __init__(self, db: Database, today: date, tasks: TaskRunner | None = None, parent=None):
        super().__init__(parent)
        self.db, self.today, self.tasks = db, today, tasks
        self.list = AuditList(db, today, self)
        self.detail = QPlainTextEdit(self)
        self.detail.setReadOnly(True)
        self.detail.setAccessibleName("Changes of the entry chosen")
        self.detail.setPlaceholderText("Choose an entry to see what changed.")
        holder = QWidget(self)
        box = QVBoxLayout(holder)
        box.setContentsMargins(9, 0, 9, 9)
        self.detail_title = QLabel("Changes", holder)
        font = self.detail_title.font()
        font.setBold(True)
        self.detail_title.setFont(font)
        self.detail_title.setTextFormat(Qt.TextFormat.PlainText)
        box.addWidget(self.detail_title)
        box.addWidget(self.detail, 1)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.addWidget(self.list)
        self.splitter.addWidget(holder)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        self.list.current_changed.connect(self.show_entry)
        self.list.csv_button.clicked.connect(lambda: self.export_csv())

    # --- what the main window asks of a screen -----------------------------------------------------------
    @property
    def loaded(self) -> bool:
        return self.list.loaded

    def ensure_loaded(self) -> None:
        self.list.ensure_loaded()

    def refresh(self) -> None:
        self.list.fill_people()
        self.list.reload()

    def focus_search(self) -> None:
        self.list.focus_search()

    def current(self) -> AuditRow | None:
        return self.list.current()

    # --- the entry chosen ----------------------------------------------------------------------------------
    def show_entry(self, row: AuditRow | None) -> None:
        if row is None:
            self.detail_title.setText("Changes")
            self.detail.setPlainText("")
            return
        with self.db.session() as s:
            currency, names = entry_currencies(s, [row])[row.id], record_names(s, [row])
        self.detail_title.setText(f"{row.action_word} by {row.who or 'someone'} on {when(row)}: "
                                  f"{_one_line(row.summary)}")
        lines = change_lines(row, currency, user_locale(), names)
        self.detail.setPlainText("\n".join(lines) if lines else "No details were recorded.")

    # --- CSV -----------------------------------------------------------------------------------------------
    def _save_path(self) -> Path | None:
        return ask_save_path(self, "audit", "Export the audit trail", f"audit-trail-{self.today.isoformat()}.csv",
                             "CSV files (*.csv)", ".csv")

    def export_csv(self, path: Path | None = None):
        """Write the entries matching the filters to a CSV file (asked for when not given), off the
        screen's thread; returns the task (None when nothing was asked)."""
        path = path or self._save_path()
        if path is None:
            return None
        db, query = self.db, self.list.query()

        def job(report, should_cancel) -> int:
            with db.session() as s:
                return write_audit_csv(s, query, path, report, should_cancel)

        def done(count: int) -> None:
            tell(self, f"Saved {count:,} audit entr{'y' if count == 1 else 'ies'} to {path}.")

        def failed(exc: Exception) -> None:
            if isinstance(exc, OSError):
                tell(self, f"The audit trail was not saved: {exc.strerror or exc}.", QMessageBox.Icon.Warning)
            else:
                self.tasks.show_error(exc)

        if self.tasks is None:
            try:
                done(job(None, None))
            except OSError as exc:
                failed(exc)
            return None
        return self.tasks.run(job, label="Writing the audit trail…", on_success=done, on_error=failed)

