"""Review a bank statement before its payments are recorded: every line with what is proposed for
it, the confidence and the reason; accept, change (another customer or invoice) or reject each
money-in line, or accept all high-confidence proposals at once. Import records the accepted lines
as payments and every decided line as dealt with, in one transaction off the UI thread."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QItemSelectionModel, QSettings, QSignalBlocker, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
)

from debtordesk.domain.bank import BankStatement
from debtordesk.domain.problems import UserError
from debtordesk.services.bank_import import ACCEPT, REJECT, ImportSummary, record_statement
from debtordesk.services.bank_matching import DEBIT, DONE, Proposal
from debtordesk.ui.formatting import amounts, day, money
from debtordesk.ui.messages import tell
from debtordesk.ui.models.bank_review import (
    AMOUNT,
    CONFIDENCE,
    DATE,
    DECISION,
    MATCH,
    PAYER,
    REASON,
    TEXT,
    BankReviewModel,
    rows_for,
)
from debtordesk.ui.widgets.customer_picker import CustomerPicker

GEOMETRY_KEY = "bank_review/geometry"
WIDTHS = {DATE: 92, PAYER: 160, TEXT: 180, AMOUNT: 96, MATCH: 180, CONFIDENCE: 86, DECISION: 104}
PADDING = (3, 4)  # of each cell: above and below, left and right


class WrappingDelegate(QStyledItemDelegate):
    """Rows as high as their wrapped text: measured in the width the text gets inside the cell's
    padding (the style sheet adds the padding to the height but measures the text on the whole width,
    so a reason needing one more line was cut short)."""

    def sizeHint(self, option, index):  # noqa: N802 (Qt override)
        inside = QStyleOptionViewItem(option)
        inside.rect = option.rect.adjusted(0, 0, -2 * PADDING[1], 0)
        return super().sizeHint(inside, index)


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def import_message(file_name: str, s: ImportSummary, undecided: int) -> str:
    """What the import did, in a sentence or two."""
    parts = []
    if s.payments:
        parts.append(f"Recorded {_plural(s.payments, 'payment')} ({amounts(s.received)}) from {file_name}.")
    else:
        parts.append(f"No payments were recorded from {file_name}.")
    kept = [x for x in (_plural(s.rejected, "line") + " rejected" if s.rejected else "",
                        _plural(s.skipped, "line") + " skipped" if s.skipped else "") if x]
    if kept:
        parts.append(f"{' and '.join(kept)}; they will not be offered again.")
    if s.already:
        was = "was" if s.already == 1 else "were"
        parts.append(f"{_plural(s.already, 'line')} had been recorded meanwhile and {was} left alone.")
    if undecided:
        parts.append(f"{_plural(undecided, 'line')} left undecided will be offered again the next time you "
                     "import this statement.")
    return " ".join(parts)


class BankReviewDialog(QDialog):
    def __init__(self, window, statement: BankStatement, proposals: list[Proposal], parent=None):
        super().__init__(parent if parent is not None else window)
        self.window_, self.db, self.statement = window, window.db, statement
        self.summary_result: ImportSummary | None = None
        self.setWindowTitle(f"Import bank statement — {statement.file_name}")
        self.model = BankReviewModel(rows_for(proposals), self)
        layout = QVBoxLayout(self)
        self.intro = QLabel(self._intro(), self)
        self.intro.setWordWrap(True)
        self.intro.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.intro)

        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setAccessibleName("Statement lines")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)  # the reason is the point: shown whole, on as many lines as it needs
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.setStyleSheet(f"QTableView::item {{ padding: {PADDING[0]}px {PADDING[1]}px; }}")
        self.table.setItemDelegate(WrappingDelegate(self.table))
        header = self.table.horizontalHeader()
        for col, width in WIDTHS.items():
            header.resizeSection(col, width)
        header.setSectionResizeMode(REASON, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(60)
        header.sectionResized.connect(lambda *_: self.table.resizeRowsToContents())
        layout.addWidget(self.table, 1)

        self.details = QGroupBox("Selected line", self)
        box = QVBoxLayout(self.details)
        self.line_label = QLabel(self.details)
        self.line_label.setWordWrap(True)
        self.line_label.setTextFormat(Qt.TextFormat.PlainText)
        self.line_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reason_label = QLabel(self.details)
        self.reason_label.setWordWrap(True)
        self.reason_label.setTextFormat(Qt.TextFormat.PlainText)
        box.addWidget(self.line_label)
        box.addWidget(self.reason_label)
        choice = QHBoxLayout()
        self.picker = CustomerPicker(self.db, self.details)
        self.invoice = QComboBox(self.details)
        self.invoice.setAccessibleName("Invoice")
        self.invoice.setMinimumContentsLength(28)
        self.invoice.setToolTip("The invoice this payment pays; oldest first follows the allocation rules")
        customer_label = QLabel("&Customer:", self.details)
        customer_label.setBuddy(self.picker)
        invoice_label = QLabel("&Invoice:", self.details)
        invoice_label.setBuddy(self.invoice)
        choice.addWidget(customer_label)
        choice.addWidget(self.picker, 3)
        choice.addSpacing(12)
        choice.addWidget(invoice_label)
        choice.addWidget(self.invoice, 2)
        box.addLayout(choice)
        actions = QHBoxLayout()
        self.accept_button = QPushButton("&Accept", self.details)
        self.accept_button.setToolTip("Record the selected lines as payments from the customer shown")
        self.reject_button = QPushButton("&Reject", self.details)
        self.reject_button.setToolTip("Not a customer's payment: it will not be offered again")
        self.undecide_button = QPushButton("&Leave undecided", self.details)
        self.undecide_button.setToolTip("Decide later: the line comes back the next time you import the file")
        for b in (self.accept_button, self.reject_button, self.undecide_button):
            actions.addWidget(b)
        actions.addStretch(1)
        box.addLayout(actions)
        layout.addWidget(self.details)

        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Summary")
        layout.addWidget(self.summary)
        bottom = QHBoxLayout()
        self.high_button = QPushButton("Accept all &high-confidence", self)
        self.high_button.setToolTip("Accept every undecided line whose invoice is named in its text")
        bottom.addWidget(self.high_button)
        bottom.addStretch(1)
        self.buttons = QDialogButtonBox(self)
        self.import_button = self.buttons.addButton("&Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.import_button.setDefault(True)
        self.buttons.rejected.connect(self.reject)
        self.import_button.clicked.connect(self.run_import)
        self.high_button.clicked.connect(self.accept_high)
        bottom.addWidget(self.buttons)
        layout.addLayout(bottom)

        self.accept_button.clicked.connect(lambda: self.decide(ACCEPT))
        self.reject_button.clicked.connect(lambda: self.decide(REJECT))
        self.undecide_button.clicked.connect(lambda: self.decide(""))
        self.accept_button.setShortcut(QKeySequence("Ctrl+Return"))
        self.picker.customer_changed.connect(self._customer_chosen)
        self.invoice.currentIndexChanged.connect(self._invoice_chosen)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self.show_selected())
        self.model.dataChanged.connect(self._row_changed)
        self.resize(1240, 760)
        geometry = QSettings().value(GEOMETRY_KEY)
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        first = next((r for r, row in enumerate(self.model.rows) if row.decidable), 0)
        if self.model.rows:
            self.table.selectionModel().select(self.model.index(first, 0), QItemSelectionModel.SelectionFlag.Rows
                                               | QItemSelectionModel.SelectionFlag.ClearAndSelect)
            self.table.setCurrentIndex(self.model.index(first, 0))
        self.show_selected()
        self.update_summary()

    def _row_changed(self, top, _bottom=None, _roles=None) -> None:
        self.table.resizeRowToContents(top.row())
        self.update_summary()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        self.table.resizeRowsToContents()

    def _intro(self) -> str:
        s = self.statement
        lines = s.lines
        account = next((x.account for x in lines if x.account), "")
        dates = sorted({x.booked_on for x in lines})
        span = day(dates[0]) if len(dates) == 1 else f"{day(dates[0])} to {day(dates[-1])}"
        where = f" for account {account}" if account else ""
        return (f"{s.file_name}: a {s.source_name} statement{where}, {_plural(len(lines), 'line')} booked {span}. "
                "Accept, change or reject each payment received; money paid out is skipped. Lines you leave "
                "undecided are not recorded and come back the next time you import this file.")

    # --- the selected line --------------------------------------------------------------------------

    def selected_rows(self) -> list[int]:
        return sorted({i.row() for i in self.table.selectionModel().selectedRows()})

    def show_selected(self) -> None:
        rows = self.selected_rows()
        one = self.model.rows[rows[0]] if len(rows) == 1 else None
        decidable = [r for r in rows if self.model.rows[r].decidable]
        self.accept_button.setEnabled(any(self.model.rows[r].customer_id is not None for r in decidable))
        self.reject_button.setEnabled(bool(decidable))
        self.undecide_button.setEnabled(bool(decidable))
        editable = one is not None and one.decidable
        self.picker.setEnabled(editable)
        self.invoice.setEnabled(editable and one.customer_id is not None)
        with QSignalBlocker(self.picker), QSignalBlocker(self.invoice):
            if one is None:
                self.line_label.setText(f"{_plural(len(rows), 'line')} selected." if rows else "No line selected.")
                self.reason_label.setText("")
                self.picker.set_customer(None)
                self.invoice.clear()
                return
            line = one.proposal.line
            parts = [f"{day(line.booked_on)}: {money(line.amount_minor, line.currency)} "
                     f"{'from' if line.is_credit else 'to'} {line.counterparty or 'an unnamed party'}"]
            if line.counterparty_account:
                parts.append(f"account {line.counterparty_account}")
            if line.remittance:
                parts.append(f"“{line.remittance}”")
            if line.bank_reference:
                parts.append(f"bank reference {line.bank_reference}")
            self.line_label.setText(" · ".join(parts))
            self.reason_label.setText(self._reason_text(one))
            if one.customer_id is not None:
                self.picker.set_customer(one.customer_id, *self._ref_name(one.customer_id))
            else:
                self.picker.set_customer(None)
            self._fill_invoices(one)

    def _reason_text(self, row) -> str:
        p = row.proposal
        if p.status == DONE:
            return f"{p.reason}: it is never offered again."
        if p.status == DEBIT:
            return "Money paid out is not a customer's payment: it is skipped."
        if row.changed:
            return f"Chosen by you. The proposal was: {p.reason}."
        return f"Proposed: {p.reason}."

    def _ref_name(self, customer_id: int) -> tuple[str, str]:
        from debtordesk.services.customers import ref_and_name

        with self.db.session() as s:
            return ref_and_name(s, customer_id)

    def _fill_invoices(self, row) -> None:
        from debtordesk.services.payments import open_items

        self.invoice.clear()
        if row.customer_id is None:
            return
        line = row.proposal.line
        self.invoice.addItem("Oldest open invoices first", None)
        with self.db.session() as s:
            items = open_items(s, row.customer_id, line.currency)
        for item in items:
            self.invoice.addItem(f"{item.number} — {money(item.open_minor, line.currency)} open, due "
                                 f"{day(item.due_date)}", (item.invoice_id, item.number))
        if row.invoice_id is not None and all(item.invoice_id != row.invoice_id for item in items):
            self.invoice.addItem(row.invoice_number, (row.invoice_id, row.invoice_number))
        at = next((i for i in range(self.invoice.count())
                   if (self.invoice.itemData(i) or (None,))[0] == row.invoice_id), 0)
        self.invoice.setCurrentIndex(at)

    def _current_row(self) -> int | None:
        rows = self.selected_rows()
        return rows[0] if len(rows) == 1 and self.model.rows[rows[0]].decidable else None

    def _customer_chosen(self, customer_id) -> None:
        r = self._current_row()
        if r is None:
            return
        name = self._ref_name(customer_id)[1] if customer_id is not None else ""
        row = self.model.rows[r]
        keep = customer_id == row.customer_id
        self.model.choose(r, customer_id, name, row.invoice_id if keep else None,
                          row.invoice_number if keep else "")
        with QSignalBlocker(self.invoice):
            self._fill_invoices(self.model.rows[r])
        self.invoice.setEnabled(customer_id is not None)
        self.reason_label.setText(self._reason_text(self.model.rows[r]))
        self.show_buttons()

    def _invoice_chosen(self, index: int) -> None:
        r = self._current_row()
        if r is None:
            return
        row = self.model.rows[r]
        data = self.invoice.itemData(index)
        invoice_id, number = data if data else (None, "")
        self.model.choose(r, row.customer_id, row.customer_name, invoice_id, number)
        self.reason_label.setText(self._reason_text(self.model.rows[r]))
        self.show_buttons()

    def show_buttons(self) -> None:
        rows = [r for r in self.selected_rows() if self.model.rows[r].decidable]
        self.accept_button.setEnabled(any(self.model.rows[r].customer_id is not None for r in rows))

    # --- deciding -----------------------------------------------------------------------------------

    def decide(self, decision: str) -> None:
        rows = self.selected_rows()
        for r in rows:
            self.model.set_decision(r, decision)
        if len(rows) == 1:  # on to the next line to decide
            nxt = next((i for i in range(rows[0] + 1, len(self.model.rows))
                        if self.model.rows[i].decidable and not self.model.rows[i].decision), None)
            if nxt is not None:
                self.table.selectRow(nxt)

    def accept_high(self) -> None:
        n = self.model.accept_high()
        if not n:
            tell(self, "There are no undecided lines proposed with high confidence.")

    def update_summary(self) -> None:
        c = self.model.counts()
        parts = [f"{_plural(c['accept'], 'payment')} to record"
                 + (f" ({amounts(self.model.accepted_totals())})" if c["accept"] else ""),
                 f"{c['reject']:,} rejected", f"{c['undecided']:,} undecided"]
        if c["skip"]:
            parts.append(f"{c['skip']:,} paid out (skipped)")
        if c["done"]:
            parts.append(f"{c['done']:,} already dealt with")
        self.summary.setText(", ".join(parts) + ".")
        self.import_button.setEnabled(bool(self.model.decisions()))

    # --- import -------------------------------------------------------------------------------------

    def run_import(self) -> None:
        decisions = self.model.decisions()
        if not decisions:
            return
        db, statement, window = self.db, self.statement, self.window_
        undecided = self.model.counts()["undecided"]
        self.import_button.setEnabled(False)

        def job(report, should_cancel) -> ImportSummary:
            with db.transaction() as session:  # all the lines or none
                return record_statement(session, statement, decisions)

        def done(result: ImportSummary) -> None:
            self.summary_result = result
            QSettings().setValue(GEOMETRY_KEY, self.saveGeometry())
            self.accept()
            tell(window, import_message(statement.file_name, result, undecided))
            window.refresh()

        def failed(exc: Exception) -> None:
            self.import_button.setEnabled(True)
            if isinstance(exc, UserError):
                tell(self, f"Nothing was recorded. {exc}", QMessageBox.Icon.Warning)
            else:
                window.tasks.show_error(exc)

        window.tasks.run(job, label=f"Recording the payments from {statement.file_name}…", on_success=done,
                         on_error=failed)

    def reject(self) -> None:
        QSettings().setValue(GEOMETRY_KEY, self.saveGeometry())
        super().reject()

