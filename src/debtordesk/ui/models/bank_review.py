"""The lines of a bank statement under review: what each is, what is proposed for it, and what the
user decided (accept, reject, or leave for next time). Debits are skipped and lines dealt with
before are shown but cannot be decided again."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QPalette
from PySide6.QtWidgets import QApplication

from debtordesk.domain.bank import CONFIDENCE_NAMES, HIGH, NONE
from debtordesk.services.bank_import import ACCEPT, REJECT, SKIP, Decision
from debtordesk.services.bank_matching import DEBIT, DONE, Proposal
from debtordesk.ui.formatting import OVERDUE_COLOR, day, money

COLUMNS = ("Date", "Payer", "Text", "Amount", "Customer / invoice", "Confidence", "Reason", "Decision")
DATE, PAYER, TEXT, AMOUNT, MATCH, CONFIDENCE, REASON, DECISION = range(len(COLUMNS))
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
ACCEPTED_COLORS = ("#2e7d32", "#81c784")  # a green readable on a light palette, and on a dark one
DECISION_NAMES = {ACCEPT: "Accept", REJECT: "Reject", SKIP: "Skip", "": "Undecided"}


@dataclass
class ReviewRow:
    proposal: Proposal
    decision: str = ""  # ACCEPT, REJECT, SKIP, or "" (undecided)
    customer_id: int | None = None
    customer_name: str = ""
    invoice_id: int | None = None
    invoice_number: str = ""
    changed: bool = False  # the user chose the customer or invoice

    @property
    def decidable(self) -> bool:
        return self.proposal.status not in (DONE, DEBIT)

    @property
    def reason(self) -> str:
        if self.changed:
            return "Chosen by you"
        return self.proposal.reason

    def match_text(self) -> str:
        if self.customer_id is None:
            return ""
        return f"{self.customer_name} — {self.invoice_number or 'on account (oldest first)'}"

    def decision_text(self) -> str:
        if self.proposal.status == DONE:
            return f"Already {self.proposal.done_state}"
        return DECISION_NAMES[self.decision]


def rows_for(proposals: list[Proposal]) -> list[ReviewRow]:
    return [ReviewRow(p, SKIP if p.status == DEBIT else "", p.customer_id, p.customer_name, p.invoice_id,
                      p.invoice_number) for p in proposals]


class BankReviewModel(QAbstractTableModel):
    def __init__(self, rows: list[ReviewRow], parent=None):
        super().__init__(parent)
        self.rows = rows

    # --- Qt ---------------------------------------------------------------------------------------

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.TextAlignmentRole and section == AMOUNT:
            return RIGHT
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, col = self.rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, col)
        if role == Qt.ItemDataRole.ToolTipRole and col in (PAYER, TEXT, MATCH, REASON):
            return self._tip(row, col) or None
        if role == Qt.ItemDataRole.TextAlignmentRole and col == AMOUNT:
            return RIGHT
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._colour(row, col)
        return None

    # --- what is shown ----------------------------------------------------------------------------

    def _text(self, row: ReviewRow, col: int) -> str:
        line = row.proposal.line
        if col == DATE:
            return day(line.booked_on)
        if col == PAYER:
            return line.counterparty or "—"
        if col == TEXT:
            return line.remittance
        if col == AMOUNT:
            return money(line.amount_minor, line.currency)
        if col == MATCH:
            return row.match_text()
        if col == CONFIDENCE:
            if not row.decidable:
                return ""
            return "Your choice" if row.changed else CONFIDENCE_NAMES[row.proposal.confidence]
        if col == REASON:
            return row.reason
        return row.decision_text()

    def _tip(self, row: ReviewRow, col: int) -> str:
        line = row.proposal.line
        if col == PAYER:
            return "\n".join(x for x in (line.counterparty, line.counterparty_account) if x)
        if col == TEXT:
            return "\n".join(x for x in (line.remittance, f"Bank reference {line.bank_reference}"
                                         if line.bank_reference else "") if x)
        if col == MATCH:
            return row.match_text()
        return row.reason

    def _colour(self, row: ReviewRow, col: int) -> QBrush | None:
        if not row.decidable:
            return QBrush(QApplication.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text))
        if col == DECISION and row.decision == ACCEPT:
            dark = QApplication.palette().color(QPalette.ColorRole.Base).lightness() < 128
            return QBrush(QColor(ACCEPTED_COLORS[dark]))
        if col == DECISION and row.decision == REJECT:
            return QBrush(OVERDUE_COLOR)
        if col == CONFIDENCE and row.proposal.confidence == NONE and not row.changed:
            return QBrush(OVERDUE_COLOR)
        return None

    # --- changes ----------------------------------------------------------------------------------

    def changed_row(self, r: int) -> None:
        self.dataChanged.emit(self.index(r, 0), self.index(r, len(COLUMNS) - 1))

    def set_decision(self, r: int, decision: str) -> bool:
        row = self.rows[r]
        if not row.decidable or (decision == ACCEPT and row.customer_id is None):
            return False
        row.decision = decision
        self.changed_row(r)
        return True

    def choose(self, r: int, customer_id: int | None, customer_name: str, invoice_id: int | None,
               invoice_number: str) -> None:
        """The user's own customer and invoice for row `r` (accepted, unless no customer is left)."""
        row = self.rows[r]
        p = row.proposal
        row.customer_id, row.customer_name = customer_id, customer_name
        row.invoice_id, row.invoice_number = invoice_id, invoice_number
        row.changed = (customer_id, invoice_id) != (p.customer_id, p.invoice_id)
        row.decision = ACCEPT if customer_id is not None else ("" if row.decision == ACCEPT else row.decision)
        self.changed_row(r)

    def accept_high(self) -> int:
        """Accept every undecided line proposed with high confidence; returns how many."""
        n = 0
        for r, row in enumerate(self.rows):
            if row.decidable and not row.decision and not row.changed and row.proposal.confidence == HIGH \
                    and row.customer_id is not None:
                row.decision = ACCEPT
                self.changed_row(r)
                n += 1
        return n

    def decisions(self) -> list[Decision]:
        out = []
        for row in self.rows:
            p = row.proposal
            if not row.decision or p.status == DONE:
                continue
            note = f"Chosen on review: {row.match_text()}" if row.changed else p.reason
            out.append(Decision(p.line.line_key, row.decision, row.customer_id, row.invoice_id, note))
        return out

    def counts(self) -> dict[str, int]:
        out = {"accept": 0, "reject": 0, "skip": 0, "undecided": 0, "done": 0}
        for row in self.rows:
            if row.proposal.status == DONE:
                out["done"] += 1
            else:
                out[row.decision or "undecided"] += 1
        return out

    def accepted_totals(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for row in self.rows:
            if row.decision == ACCEPT:
                line = row.proposal.line
                out[line.currency] = out.get(line.currency, 0) + line.amount_minor
        return out
