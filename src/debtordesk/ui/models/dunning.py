"""A dunning run as a table: one row per account, a tick box on each proposed letter."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QPalette
from PySide6.QtWidgets import QApplication

from debtordesk.domain.dunning import CHANNELS
from debtordesk.services.dunning import Proposal
from debtordesk.ui.formatting import day, money

HEADERS = ["Customer", "Letter", "Days overdue", "Invoices", "Open", "Interest", "Compensation", "Fee", "Total",
           "Pay by", "Why no letter"]
AMOUNT_COLUMNS = range(4, 9)


class ProposalTableModel(QAbstractTableModel):
    checked_changed = Signal()

    def __init__(self, proposals: list[Proposal], parent=None):
        super().__init__(parent)
        self.proposals = proposals
        self.checked: set[tuple[int, str]] = {p.key for p in proposals if p.proposed}

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.proposals)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == 0 and self.proposals[index.row()].proposed:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        p = self.proposals[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.CheckStateRole and col == 0 and p.proposed:
            return Qt.CheckState.Checked if p.key in self.checked else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.TextAlignmentRole and (col in AMOUNT_COLUMNS or col in (2, 3)):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and not p.proposed:
            return QBrush(QApplication.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text))
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == 3:
                return "\n".join(f"{x.number}: {money(x.open_minor, p.currency)}, {x.days_overdue} days overdue"
                                 for x in p.lines) or None
            if col == 1 and p.level is not None and p.level.channel != "letter":
                return ("Send by e-mail (E-mail chosen letters…)" if p.level.channel == "email"
                        else "Send by post and by e-mail")
            if col == 10 or not p.proposed:
                return p.reason or None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if col == 0:
            return f"{p.name} ({p.ref})"
        if col == 1:
            if p.level is None:
                return "—"
            return p.level.name + ("" if p.level.channel == "letter" else f" · {CHANNELS[p.level.channel].lower()}")
        if col == 2:
            return str(p.days_overdue) if p.lines else ""
        if col == 3:
            return str(len(p.lines)) if p.lines else ""
        if col in AMOUNT_COLUMNS:
            amount = (p.open_minor, p.interest_minor, p.compensation_minor, p.fee_minor, p.total_minor)[col - 4]
            return money(amount, p.currency) if amount or col in (4, 8) else ""
        if col == 9:
            return day(p.pay_by) if p.pay_by else ""
        return p.reason

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole):
        if role != Qt.ItemDataRole.CheckStateRole or index.column() != 0:
            return False
        p = self.proposals[index.row()]
        if not p.proposed:
            return False
        if Qt.CheckState(value) == Qt.CheckState.Checked:
            self.checked.add(p.key)
        else:
            self.checked.discard(p.key)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        self.checked_changed.emit()
        return True

    def set_all(self, on: bool) -> None:
        self.checked = {p.key for p in self.proposals if p.proposed} if on else set()
        if self.proposals:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.proposals) - 1, 0),
                                  [Qt.ItemDataRole.CheckStateRole])
        self.checked_changed.emit()

    def chosen(self) -> list[Proposal]:
        return [p for p in self.proposals if p.proposed and p.key in self.checked]
