"""Payment plans as tables: the list of plans (filtered by status, sortable), and for the plan
chosen the debts it covers and its instalments, each saying what happened to it in words."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any

from babel.dates import format_date
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QFont, QPalette
from PySide6.QtWidgets import QApplication

from debtordesk.domain.plan_tracking import BREACHED, CANCELLED, COMPLETED, DUE, LATE, PAID, PART_PAID
from debtordesk.services.plans import STATUS_LABELS, CoveredInvoice, PlanRow
from debtordesk.ui.formatting import OVERDUE_COLOR, day, money, user_locale

RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
DISPLAY, ALIGN, FOREGROUND, TOOLTIP, FONT = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.TextAlignmentRole,
                                             Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.ToolTipRole,
                                             Qt.ItemDataRole.FontRole)


def _dimmed() -> QBrush:
    """Text for what is over (completed or cancelled): the palette's own disabled colour."""
    return QBrush(QApplication.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text))


def _bold() -> QFont:
    font = QFont()
    font.setBold(True)
    return font


def short_day(value: date, as_of: date) -> str:
    """'3 Jan' in the year of `as_of`, '3 Jan 2025' otherwise."""
    pattern = "d MMM" if value.year == as_of.year else "d MMM y"
    return format_date(value, format=pattern, locale=user_locale())


def instalment_status(line, state, currency: str, cancelled_on: date | None = None) -> str:
    """What happened to one instalment as of the plan state's date, as a bookkeeper says it:
    'Paid 3 Jan (on time)', 'Late — within grace until 9 Jan', 'Missed', 'Part-paid £50.00 of £100.00'."""
    as_of = state.as_of
    if line.status == PAID:
        if line.paid_on is None:
            return "Paid"
        when = short_day(line.paid_on, as_of)
        if not line.on_time:
            return f"Paid {when} (late)"
        return f"Paid {when} ({'on time' if line.paid_on <= line.due else 'within grace'})"
    part = f"{money(line.paid_minor, currency)} of {money(line.amount_minor, currency)} paid" if line.paid_minor else ""
    if cancelled_on is not None and cancelled_on <= as_of and line.due >= cancelled_on:
        return "Not due: the plan was cancelled" + (f" ({part})" if part else "")
    if line.status == LATE:
        if as_of < line.late_from:
            last = line.late_from - timedelta(days=1)
            text = f"Late — within grace until {short_day(last, as_of)}"
        else:
            text = "Missed"
            if state.breach_line == line.number and state.breached_on is not None:
                text += f" — the plan broke on {short_day(state.breached_on, as_of)}"
        return text + (f" ({part})" if part else "")
    broken = state.status == BREACHED
    if line.status == PART_PAID:
        text = f"Part-paid {money(line.paid_minor, currency)} of {money(line.amount_minor, currency)}"
        return text + ("; the rest is due now (plan broken)" if broken else "")
    if broken:
        return "Due now: the plan is broken"
    return "Due today" if line.due == as_of else "Due"


def _missed(line, state) -> bool:
    return line.status == LATE and state.as_of >= line.late_from


# --- the list of plans ----------------------------------------------------------------------------

# (header, text, sort key, right-aligned)
_COLUMNS: list[tuple[str, Callable[[PlanRow], str], Callable[[PlanRow], Any], bool]] = [
    ("Reference", lambda r: r.reference, lambda r: r.reference, False),
    ("Customer", lambda r: r.name, lambda r: (r.name.casefold(), r.reference), False),
    ("Currency", lambda r: r.currency, lambda r: (r.currency, r.reference), False),
    ("Status", lambda r: STATUS_LABELS.get(r.status, r.status), lambda r: (r.status, r.reference), False),
    ("Next instalment", lambda r: day(r.next_due), lambda r: (r.next_due or date.max, r.reference), False),
    ("Next amount", lambda r: money(r.next_minor, r.currency) if r.next_due else "",
     lambda r: (r.currency, r.next_minor), True),
    ("Arrears", lambda r: money(r.arrears_minor, r.currency) if r.arrears_minor else "",
     lambda r: (r.currency, r.arrears_minor), True),
    ("Paid / total", lambda r: f"{money(r.paid_minor, r.currency)} / {money(r.total_minor, r.currency)}",
     lambda r: (r.currency, r.paid_minor, r.total_minor), True),
    ("Ends", lambda r: day(r.end), lambda r: (r.end, r.reference), False),
]
STATUS_COLUMN, ARREARS_COLUMN = 3, 6


class PlanTableModel(QAbstractTableModel):
    """The plans as of a date; `set_status` shows only the plans with one status (None: all)."""

    def __init__(self, rows: Sequence[PlanRow] = (), parent=None):
        super().__init__(parent)
        self.all_rows: list[PlanRow] = list(rows)
        self.status: str | None = None
        self.rows: list[PlanRow] = list(self.all_rows)
        self._sort: tuple[int, Qt.SortOrder] | None = None

    def set_rows(self, rows: Sequence[PlanRow]) -> None:
        self.beginResetModel()
        self.all_rows = list(rows)
        self._filter()
        self.endResetModel()

    def set_status(self, status: str | None) -> None:
        self.beginResetModel()
        self.status = status
        self._filter()
        self.endResetModel()

    def _filter(self) -> None:
        self.rows = [r for r in self.all_rows if self.status is None or r.status == self.status]
        if self._sort is not None:
            column, order = self._sort
            self.rows.sort(key=_COLUMNS[column][2], reverse=order == Qt.SortOrder.DescendingOrder)

    def row_at(self, row: int) -> PlanRow | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def find(self, plan_id: int) -> int:
        return next((i for i, r in enumerate(self.rows) if r.plan_id == plan_id), -1)

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:  # Qt override
        if not 0 <= column < len(_COLUMNS):
            return
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order)
        self.rows.sort(key=_COLUMNS[column][2], reverse=order == Qt.SortOrder.DescendingOrder)
        self.layoutChanged.emit()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(_COLUMNS)

    def headerData(self, section, orientation, role=DISPLAY):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(_COLUMNS):
            return None
        if role == DISPLAY:
            return _COLUMNS[section][0]
        if role == ALIGN and _COLUMNS[section][3]:
            return RIGHT
        return None

    def data(self, index, role=DISPLAY):
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        r, col = self.rows[index.row()], index.column()
        if role == DISPLAY:
            return _COLUMNS[col][1](r)
        if role == ALIGN:
            return RIGHT if _COLUMNS[col][3] else None
        if role == FOREGROUND:
            if r.status in (COMPLETED, CANCELLED):
                return _dimmed()
            if (col == STATUS_COLUMN and r.status == BREACHED) or (col == ARREARS_COLUMN and r.arrears_minor):
                return QBrush(OVERDUE_COLOR)
        if role == FONT and col == STATUS_COLUMN and r.status == BREACHED:
            return _bold()
        if role == TOOLTIP:
            if col == STATUS_COLUMN and r.status == BREACHED:
                return "An instalment was missed: the whole remaining balance is due and reminders resume."
            if col == ARREARS_COLUMN and r.arrears_minor:
                return "Fallen due and not paid"
        return None


# --- the plan chosen ------------------------------------------------------------------------------

class _DetailModel(QAbstractTableModel):
    """A read-only table of `items` under `HEADERS`; the columns in `RIGHT` are right-aligned."""

    HEADERS: list[str] = []
    RIGHT: tuple[int, ...] = ()
    items: list = []

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section, orientation, role=DISPLAY):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.HEADERS):
            return None
        if role == DISPLAY:
            return self.HEADERS[section]
        if role == ALIGN and section in self.RIGHT:
            return RIGHT
        return None


class InstalmentTableModel(_DetailModel):
    """A plan's instalments as of a date: no. ('Down' for the down payment), due, amount, paid, status."""

    HEADERS = ["No.", "Due", "Amount", "Paid", "Status"]
    RIGHT = (2, 3)

    def __init__(self, state=None, currency: str = "", cancelled_on: date | None = None, parent=None):
        super().__init__(parent)
        self.state, self.currency, self.cancelled_on = state, currency, cancelled_on
        self.lines = list(state.lines) if state is not None else []
        self.texts = [instalment_status(x, state, currency, cancelled_on) for x in self.lines]
        self.items = self.lines

    def data(self, index, role=DISPLAY):
        if not index.isValid() or not 0 <= index.row() < len(self.lines):
            return None
        line, col = self.lines[index.row()], index.column()
        if role == DISPLAY:
            if col == 0:
                return "Down" if line.number == 0 else str(line.number)
            if col == 1:
                return day(line.due)
            if col == 2:
                return money(line.amount_minor, self.currency)
            if col == 3:
                return money(line.paid_minor, self.currency) if line.paid_minor else ""
            return self.texts[index.row()]
        if role == ALIGN:
            return RIGHT if col in (0, 2, 3) else None
        if role == FOREGROUND and line.status == LATE and not self.texts[index.row()].startswith("Not due"):
            return QBrush(OVERDUE_COLOR)
        if role == FONT and col == 4 and _missed(line, self.state):
            return _bold()
        if role == TOOLTIP and col == 0 and line.number == 0:
            return "The down payment"
        if role == TOOLTIP and col == 4 and line.status != PAID and line.status != DUE:
            return f"Counts as missed if not paid in full by {day(line.late_from - timedelta(days=1))}"
        return None


class CoveredInvoiceModel(_DetailModel):
    """The debts a plan covers: invoice, due date, what the plan took on, what is still open today."""

    HEADERS = ["Invoice", "Due", "Covered", "Still open"]
    RIGHT = (2, 3)

    def __init__(self, invoices: Sequence[CoveredInvoice] = (), currency: str = "", parent=None):
        super().__init__(parent)
        self.invoices, self.currency = list(invoices), currency
        self.items = self.invoices

    def data(self, index, role=DISPLAY):
        if not index.isValid() or not 0 <= index.row() < len(self.invoices):
            return None
        inv, col = self.invoices[index.row()], index.column()
        if role == DISPLAY:
            if col == 0:
                return inv.number + (" (fee and interest)" if inv.charges else "")
            if col == 1:
                return day(inv.due_date)
            if col == 2:
                return money(inv.covered_minor, self.currency)
            return money(inv.open_minor, self.currency) if inv.open_minor else "Paid"
        if role == ALIGN:
            return RIGHT if col >= 2 else None
        if role == TOOLTIP and col == 0 and inv.charges:
            return "The plan's own fee and interest, invoiced when it was agreed"
        return None
