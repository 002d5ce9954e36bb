"""A table model that never holds a whole table: rows come from SQL a block at a time.

The view asks for the rows it shows; the model fetches the block holding a row (OFFSET/LIMIT in
the service's order), keeps the most recently used blocks and forgets the rest, so memory stays
flat however far the user scrolls. Sorting is done by the service in SQL: `sort()` only changes
the query and resets.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

from debtordesk.services.lists import Sort
from debtordesk.ui.formatting import OVERDUE_COLOR

RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


@dataclass(frozen=True)
class Column:
    title: str
    text: Callable[[Any], str]
    sort: str | None = None  # the service's sort key; None: not sortable
    right: bool = False  # amounts and numbers
    alert: Callable[[Any], bool] | None = None  # shown in the overdue colour when true
    tip: Callable[[Any], str] | None = None


Counter = Callable[[], int]
Fetcher = Callable[[Sort, int, int], Sequence[Any]]


class PagedTableModel(QAbstractTableModel):
    BLOCK = 200
    KEEP_BLOCKS = 8

    def __init__(self, columns: Sequence[Column], sort: Sort, parent=None):
        super().__init__(parent)
        self.columns = list(columns)
        self.sort_key = sort
        self._count: Counter = lambda: 0
        self._fetch: Fetcher = lambda sort, offset, limit: []
        self._rows = 0
        self._blocks: OrderedDict[int, Sequence[Any]] = OrderedDict()
        self.fetched_rows = 0  # rows read from the database since the last reset

    # --- feeding -------------------------------------------------------------------------------

    def set_source(self, count: Counter, fetch: Fetcher) -> None:
        """Use new query functions (after a filter changed) and show their first rows."""
        self._count, self._fetch = count, fetch
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        self._blocks.clear()
        self.fetched_rows = 0
        self._rows = self._count()
        self.endResetModel()

    @property
    def rows_in_memory(self) -> int:
        return sum(len(b) for b in self._blocks.values())

    def row_at(self, row: int) -> Any | None:
        if not 0 <= row < self._rows:
            return None
        block_no, offset = divmod(row, self.BLOCK)
        block = self._blocks.get(block_no)
        if block is None:
            block = self._fetch(self.sort_key, block_no * self.BLOCK, self.BLOCK)
            self.fetched_rows += len(block)
            self._blocks[block_no] = block
            while len(self._blocks) > self.KEEP_BLOCKS:
                self._blocks.popitem(last=False)
        else:
            self._blocks.move_to_end(block_no)
        return block[offset] if offset < len(block) else None

    def find_row(self, match: Callable[[Any], bool]) -> int:
        """The row number of the first row in memory that matches, or -1."""
        for block_no, block in self._blocks.items():
            for i, item in enumerate(block):
                if match(item):
                    return block_no * self.BLOCK + i
        return -1

    # --- Qt ------------------------------------------------------------------------------------

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._rows

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        col = self.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return col.title
        if role == Qt.ItemDataRole.TextAlignmentRole and col.right:
            return RIGHT
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        item = self.row_at(index.row())
        if item is None:
            return None
        col = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return col.text(item)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return RIGHT if col.right else None
        if role == Qt.ItemDataRole.ForegroundRole and col.alert is not None and col.alert(item):
            return OVERDUE_COLOR
        if role == Qt.ItemDataRole.ToolTipRole and col.tip is not None:
            return col.tip(item) or None
        return None

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.columns) or self.columns[column].sort is None:
            return
        self.sort_key = Sort(self.columns[column].sort, order == Qt.SortOrder.DescendingOrder)
        self.reload()

    def sort_column(self) -> int:
        for i, col in enumerate(self.columns):
            if col.sort == self.sort_key.column:
                return i
        return -1
