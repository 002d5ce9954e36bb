"""The frame of every list screen: a bar of search and filters, a paged table, an empty state."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from debtordesk.services.lists import Sort
from debtordesk.ui.models.paged import Column, PagedTableModel


class ListView(QWidget):
    """Subclasses fill `self.bar` with filters and implement `source()`; call `reload()`."""

    current_changed = Signal(object)  # the service row now selected, or None
    activated = Signal(object)  # a row double-clicked or Enter pressed

    SEARCH_DELAY_MS = 250

    def __init__(self, columns: Sequence[Column], sort: Sort, search_hint: str, empty_text: str, parent=None):
        super().__init__(parent)
        self.empty_text = empty_text
        outer = QVBoxLayout(self)
        self.bar = QHBoxLayout()
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(search_hint)
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search")
        self.search.setMinimumWidth(240)
        self.bar.addWidget(self.search, 1)
        outer.addLayout(self.bar)

        self.model = PagedTableModel(columns, sort, self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 10)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(self.model.sort_column(), Qt.SortOrder.DescendingOrder if sort.descending
                                else Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)  # sorts by the indicator: set it first
        self.table.activated.connect(lambda index: self._emit_activated(index.row()))
        self.table.selectionModel().currentRowChanged.connect(lambda cur, _prev: self.current_changed.emit(
            self.model.row_at(cur.row()) if cur.isValid() else None))
        self.empty = QLabel(self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setTextFormat(Qt.TextFormat.PlainText)
        self.empty.hide()
        outer.addWidget(self.table, 1)
        outer.addWidget(self.empty, 1)

        self._timer = QTimer(self, singleShot=True, interval=self.SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.reload)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.loaded = False

    def set_widths(self, widths: dict[int, int], stretch: int) -> None:
        header = self.table.horizontalHeader()
        for col, width in widths.items():
            header.resizeSection(col, width)
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)

    def source(self) -> tuple[Callable[[], int], Callable[[Sort, int, int], Sequence[Any]]]:
        raise NotImplementedError

    def filtering(self) -> bool:
        """True when a search or filter narrows the list (changes the empty-state text)."""
        return bool(self.search.text().strip())

    def reload(self) -> None:
        """Query again with the current search and filters; keeps the selected record if it is there."""
        self._timer.stop()
        kept = self.current()
        count, fetch = self.source()
        self.model.set_source(count, fetch)
        self.table.horizontalHeader().setSortIndicator(
            self.model.sort_column(),
            Qt.SortOrder.DescendingOrder if self.model.sort_key.descending else Qt.SortOrder.AscendingOrder)
        empty = self.model.rowCount() == 0
        self.empty.setText("Nothing matches the search or filters." if empty and self.filtering() else self.empty_text)
        self.table.setVisible(not empty)
        self.empty.setVisible(empty)
        self.loaded = True
        if not empty:
            self.model.row_at(0)  # the first block, where a kept record is looked for
        row = self.model.find_row(lambda r: kept is not None and r.id == kept.id) if kept is not None else -1
        if row < 0 and self.model.rowCount():
            row = 0
        if row >= 0:
            self.table.selectRow(row)
        self.current_changed.emit(self.current())

    def refresh(self) -> None:
        self.reload()

    def ensure_loaded(self) -> None:
        if not self.loaded:
            self.reload()

    def current(self) -> Any | None:
        index = self.table.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def _emit_activated(self, row: int) -> None:
        item = self.model.row_at(row)
        if item is not None:
            self.activated.emit(item)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def visible_texts(self, column: int, limit: int = 50) -> list[str]:
        """The texts of a column as the user sees them (first `limit` rows)."""
        return [self.model.index(r, column).data() for r in range(min(limit, self.model.rowCount()))]

