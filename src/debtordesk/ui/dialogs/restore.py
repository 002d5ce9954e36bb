"""File ▸ Restore…: the backups of the open database — when, why, how big, and how many customers,
invoices and payments each holds — or another file to restore from."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from babel.dates import format_date
from babel.numbers import format_decimal
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from debtordesk.services.restore import Listed
from debtordesk.ui.formatting import user_locale

HEADERS = ["When", "Why", "Size", "Customers", "Invoices", "Payments"]
DATABASE_FILTER = "DebtorDesk databases (*.sqlite3 *.sqlite *.db);;All files (*)"


def when(moment: datetime) -> str:
    """'25 Nov 2026, 09:14' in the user's locale."""
    return f"{format_date(moment.date(), format='medium', locale=user_locale())}, {moment:%H:%M}"


def size_text(size: int) -> str:
    if size < 1024 * 1024:
        return f"{format_decimal(max(size, 1) / 1024, '#,##0', locale=user_locale())} KB"
    return f"{format_decimal(size / 1024 / 1024, '#,##0.0', locale=user_locale())} MB"


class RestoreDialog(QDialog):
    """Choose a backup (or another file); `chosen` is the file to restore from once accepted."""

    def __init__(self, database_name: str, listed: list[Listed], folder: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Restore a backup")
        self.listed = listed
        self.chosen: Path | None = None
        intro = QLabel(
            f"Put a backup in place of what is in {database_name} now. What is there now is backed up "
            "first (“before a restore”), so a restore can itself be undone.", self)
        intro.setWordWrap(True)
        self.table = QTableWidget(len(listed), len(HEADERS), self)
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.setAccessibleName("Backups")
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        for row, item in enumerate(listed):
            c = item.contents
            counts = ([f"{c.customers:,}", f"{c.invoices:,}", f"{c.payments:,}"] if c is not None
                      else [item.problem or "cannot be read", "", ""])
            cells = [when(item.backup.taken), item.backup.why, size_text(item.backup.size), *counts]
            for col, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                if col >= 2 and c is not None:
                    cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if c is None:
                    cell.setFlags(cell.flags() & ~Qt.ItemFlag.ItemIsSelectable & ~Qt.ItemFlag.ItemIsEnabled)
                    cell.setToolTip(item.problem)
                self.table.setItem(row, col, cell)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.empty = QLabel(f"There are no backups of {database_name} yet. DebtorDesk makes one each time "
                            "it closes after a change; File ▸ Back up now makes one at once.", self)
        self.empty.setWordWrap(True)
        self.empty.setVisible(not listed)
        self.table.setVisible(bool(listed))
        where = QLabel(f"Backups are kept in {folder}", self)
        where.setWordWrap(True)
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QDialogButtonBox(self)
        self.restore_button = self.buttons.addButton("Restore this backup…", QDialogButtonBox.ButtonRole.AcceptRole)
        self.other_button = QPushButton("Choose another file…", self)
        self.buttons.addButton(self.other_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.restore_button.clicked.connect(self._restore_chosen)
        self.other_button.clicked.connect(self._choose_other)
        self.buttons.rejected.connect(self.reject)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.itemDoubleClicked.connect(lambda _item: self._restore_chosen())
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addWidget(where)
        layout.addWidget(self.buttons)
        first = next((r for r, item in enumerate(listed) if item.contents is not None), None)
        if first is not None:
            self.table.selectRow(first)
        self._selection_changed()
        self.resize(760, 380 if listed else 200)

    def selected(self) -> Listed | None:
        rows = self.table.selectionModel().selectedRows()
        return self.listed[rows[0].row()] if rows else None

    def _selection_changed(self) -> None:
        chosen = self.selected()
        self.restore_button.setEnabled(chosen is not None and chosen.contents is not None)

    def _restore_chosen(self) -> None:
        chosen = self.selected()
        if chosen is None or chosen.contents is None:
            return
        self.chosen = chosen.backup.path
        self.accept()

    def _choose_other(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Restore from a file", str(Path.home()), DATABASE_FILTER)
        if path:
            self.chosen = Path(path)
            self.accept()
