"""The Invoices screen: every invoice, filtered and sorted in SQL, a window of rows at a time.

The same view, given a customer id, is the compact list inside a customer's detail pane: fixed to
that customer, without the customer column and with only the status filter.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from PySide6.QtCore import QDate, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QDateEdit, QHBoxLayout, QLabel, QMenu, QPushButton, QToolButton

from debtordesk.db.engine import Database
from debtordesk.services.invoices import (
    STATUS_LABELS,
    InvoiceQuery,
    InvoiceRow,
    count_invoices,
    invoice_currencies,
    list_invoices,
)
from debtordesk.services.lists import Sort
from debtordesk.ui.dialogs.disputes import DisputeDialog, InvoiceChangeDialog, ResolveDisputeDialog, run_invoice_dialog
from debtordesk.ui.dialogs.disputes_credits import CreditNoteDialog, WriteOffDialog
from debtordesk.ui.dialogs.invoice import DATE_FORMAT, edit_invoice
from debtordesk.ui.formatting import day, money
from debtordesk.ui.models.paged import Column
from debtordesk.ui.views.listview import ListView

STATUS_CHOICES = (("all", "All"), ("open", "Open"), ("overdue", "Overdue"), ("part_paid", "Part-paid"),
                  ("paid", "Paid"))
DISPUTE_CHOICES = ((None, "Any"), (True, "Disputed"), (False, "Not disputed"))
EMPTY_TEXT = "No invoices yet. Click New invoice, or import them with File › Import › Invoices."
EMPTY_FOR_CUSTOMER = "This customer has no invoices yet. Click New invoice to add one."


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def status_text(row: InvoiceRow) -> str:
    """'Overdue 29 days', 'Part-paid', ... with '· Disputed' when the customer disputes it."""
    text = f"Overdue {_plural(row.days_overdue, 'day')}" if row.status == "overdue" else STATUS_LABELS[row.status]
    return f"{text} · Disputed" if row.disputed else text


def _status_tip(row: InvoiceRow) -> str:
    if row.status == "overdue":
        tip = f"Due on {day(row.due_date)}; {money(row.open_minor, row.currency)} is still open."
    elif row.status == "part_paid":
        tip = f"{money(row.amount_minor - row.open_minor, row.currency)} paid so far."
    else:
        tip = ""
    return f"{tip} The customer disputes this invoice.".strip() if row.disputed else tip


def _overdue(row: InvoiceRow) -> bool:
    return row.status == "overdue"


def invoice_columns(with_customer: bool) -> list[Column]:
    columns = [Column("Number", lambda r: r.number, "number")]
    if with_customer:
        columns.append(Column("Customer", lambda r: r.customer_name, "customer",
                              tip=lambda r: f"{r.customer_name} ({r.customer_ref})"))
    return columns + [
        Column("Issued", lambda r: day(r.issue_date), "issue_date"),
        Column("Due", lambda r: day(r.due_date), "due_date", alert=_overdue),
        Column("Amount", lambda r: money(r.amount_minor, r.currency), "amount", right=True),
        Column("Open", lambda r: money(r.open_minor, r.currency), "open", right=True, alert=_overdue),
        Column("Status", status_text, "days_overdue", alert=_overdue, tip=_status_tip),
    ]


class OptionalDateEdit(QDateEdit):
    """A date that may be left as "any" (shown at its minimum date)."""

    ANY = QDate(1900, 1, 1)

    def __init__(self, today: date, parent=None):
        super().__init__(parent)
        self.today = today
        self.setCalendarPopup(True)
        self.setDisplayFormat(DATE_FORMAT)
        self.setMinimumDate(self.ANY)
        self.setSpecialValueText("any")
        self.setDate(self.ANY)

    def value(self) -> date | None:
        return None if self.date() == self.minimumDate() else self.date().toPython()

    def set_value(self, value: date | None) -> None:
        self.setDate(self.ANY if value is None else QDate(value))

    def stepBy(self, steps: int) -> None:  # noqa: N802 (Qt override)
        if self.value() is None:  # the arrow keys start from today, not from 1900
            self.set_value(self.today)
        else:
            super().stepBy(steps)

    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt override)
        blank = self.value() is None
        super().mousePressEvent(event)
        if blank:  # the calendar opens on this month, not on January 1900
            self.calendarWidget().setCurrentPage(self.today.year, self.today.month)


class InvoicesView(ListView):
    open_customer = Signal(int)  # customer id
    record_payment = Signal(int, int)  # customer id, invoice id
    changed = Signal()  # an invoice was saved, disputed or reduced here: other screens should read again

    def __init__(self, db: Database, today: date, parent=None, customer_id: int | None = None):
        fixed = customer_id is not None
        super().__init__(invoice_columns(not fixed), Sort("issue_date", descending=True),
                         "Search number or description", EMPTY_FOR_CUSTOMER if fixed else EMPTY_TEXT, parent)
        self.db, self.today = db, today
        self.fixed = fixed
        self.customer_id = customer_id  # the customer shown (fixed, or the removable filter)
        self._date_timer = QTimer(self, singleShot=True, interval=self.SEARCH_DELAY_MS)
        self._date_timer.timeout.connect(self.reload)
        self._build_filters()
        self._build_buttons()
        self.current_changed.connect(self._update_buttons)
        # a double-click reports both `doubleClicked` and `activated`: open the editor once
        self._edit_pending = False
        self.activated.connect(lambda _row: self._edit_soon())
        if fixed:
            self.set_widths({0: 125, 1: 100, 2: 100, 3: 105, 4: 105}, 5)
        else:
            self.set_widths({0: 130, 2: 105, 3: 105, 4: 115, 5: 115, 6: 215}, 1)
        self._update_buttons(None)

    # --- the bar -------------------------------------------------------------------------------

    def _combo(self, label: str, choices, tip: str) -> QComboBox:
        combo = QComboBox(self)
        for value, text in choices:
            combo.addItem(text, value)
        combo.setToolTip(tip)
        combo.setAccessibleName(label.replace("&", "").rstrip(":"))
        caption = QLabel(label, self)
        caption.setBuddy(combo)
        self.bar.addWidget(caption)
        self.bar.addWidget(combo)
        combo.currentIndexChanged.connect(lambda _i: self.reload())
        return combo

    def _build_filters(self) -> None:
        self.status = self._combo("&Status:", STATUS_CHOICES, "Show invoices by how far they are paid")
        if self.fixed:
            return
        self.currency = self._combo("C&urrency:", [(None, "All")], "Show invoices in one currency only")
        self._fill_currencies()
        self.disputed = self._combo("&Dispute:", DISPUTE_CHOICES, "Show disputed invoices, or the others")
        caption = QLabel("&Issued:", self)
        self.issued_from = OptionalDateEdit(self.today, self)
        self.issued_from.setAccessibleName("Issued from")
        self.issued_from.setToolTip("Issued on or after this date")
        caption.setBuddy(self.issued_from)
        self.issued_to = OptionalDateEdit(self.today, self)
        self.issued_to.setAccessibleName("Issued until")
        self.issued_to.setToolTip("Issued on or before this date")
        self.clear_dates = QToolButton(self)
        self.clear_dates.setText("✕")
        self.clear_dates.setToolTip("Any issue date")
        self.clear_dates.setAccessibleName("Any issue date")
        self.clear_dates.setAutoRaise(True)
        self.clear_dates.clicked.connect(self._clear_dates)
        for widget in (caption, self.issued_from, QLabel("–", self), self.issued_to, self.clear_dates):
            self.bar.addWidget(widget)
        for edit in (self.issued_from, self.issued_to):
            edit.dateChanged.connect(lambda _d: self._dates_changed())
        self.clear_dates.setVisible(False)
        self.customer_chip = QToolButton(self)
        self.customer_chip.setToolTip("Show the invoices of every customer")
        self.customer_chip.clicked.connect(self.clear_customer)
        self.customer_chip.hide()
        self.bar.addWidget(self.customer_chip)

    def _build_buttons(self) -> None:
        row = QHBoxLayout()
        self.new_button = QPushButton("&New invoice", self)
        self.new_button.setToolTip("Add an invoice (Ctrl+N)")
        self.new_button.clicked.connect(self.new_record)
        self.edit_button = QPushButton("&Edit…", self)
        self.edit_button.setToolTip("Change the selected invoice (double-click or Enter)")
        self.edit_button.clicked.connect(self.edit)
        self.dispute_button = QPushButton("Dis&pute…", self)
        self.dispute_button.clicked.connect(self.dispute)
        self.customer_button = QPushButton("Open &customer", self)
        self.customer_button.setToolTip("Show the customer of the selected invoice")
        self.customer_button.clicked.connect(self._open_customer)
        self.customer_button.setVisible(not self.fixed)
        self.payment_button = QPushButton("&Record payment…", self)
        self.payment_button.clicked.connect(self._record_payment)
        self.more_button = QPushButton("&More", self)
        self.more_button.setToolTip("Credit note or write-off for the selected invoice")
        more = QMenu(self.more_button)
        self.credit_action = more.addAction("&Credit note…")
        self.credit_action.triggered.connect(self.give_credit_note)
        self.write_off_action = more.addAction("&Write off…")
        self.write_off_action.triggered.connect(self.write_off)
        self.more_button.setMenu(more)
        for button in (self.new_button, self.edit_button, self.dispute_button, self.customer_button,
                       self.payment_button, self.more_button):
            row.addWidget(button)
        row.addStretch(1)
        self.count_label = QLabel(self)
        row.addWidget(self.count_label)
        self.layout().insertLayout(1, row)

    def _fill_currencies(self) -> None:
        with self.db.session() as s:
            codes = invoice_currencies(s)
        chosen = self.currency.currentData()
        self.currency.blockSignals(True)
        self.currency.clear()
        self.currency.addItem("All", None)
        for code in codes:
            self.currency.addItem(code, code)
        index = self.currency.findData(chosen) if chosen is not None else 0
        self.currency.setCurrentIndex(max(index, 0))
        self.currency.blockSignals(False)

    def _dates_changed(self) -> None:
        self.clear_dates.setVisible(self.issued_from.value() is not None or self.issued_to.value() is not None)
        self._date_timer.start()

    def _clear_dates(self) -> None:
        for edit in (self.issued_from, self.issued_to):
            edit.blockSignals(True)
            edit.set_value(None)
            edit.blockSignals(False)
        self.clear_dates.setVisible(False)
        self.reload()

    def show_customer(self, customer_id: int, name: str) -> None:
        """Only this customer's invoices (a removable filter; in the fixed mode, switch customer)."""
        self.customer_id = customer_id
        if not self.fixed:
            self.customer_chip.setText(f"Customer: {name}  ✕")
            self.customer_chip.setAccessibleName(f"Customer filter: {name}")
            self.customer_chip.show()
        self.reload()

    def clear_customer(self) -> None:
        if self.fixed:
            return
        self.customer_id = None
        self.customer_chip.hide()
        self.reload()

    # --- the query -----------------------------------------------------------------------------

    def query(self) -> InvoiceQuery:
        if self.fixed:
            return InvoiceQuery(search=self.search.text(), status=self.status.currentData(),
                                customer_id=self.customer_id)
        return InvoiceQuery(
            search=self.search.text(), status=self.status.currentData(), customer_id=self.customer_id,
            issued_from=self.issued_from.value(), issued_to=self.issued_to.value(),
            currency=self.currency.currentData(), disputed=self.disputed.currentData(),
        )

    def filtering(self) -> bool:
        q = self.query()
        return bool(q.search.strip()) or q.status != "all" or (not self.fixed and (
            q.customer_id is not None or q.issued_from is not None or q.issued_to is not None
            or q.currency is not None or q.disputed is not None))

    def source(self):
        query, db, today = self.query(), self.db, self.today

        def count() -> int:
            with db.session() as s:
                return count_invoices(s, query, today)

        def fetch(sort: Sort, offset: int, limit: int) -> list[InvoiceRow]:
            with db.session() as s:
                return list_invoices(s, replace(query, sort=sort), today, offset, limit)

        return count, fetch

    def reload(self) -> None:
        self._date_timer.stop()
        super().reload()
        self.count_label.setText(_plural(self.model.rowCount(), "invoice"))

    def refresh(self) -> None:
        """Query again (F5, or after a change elsewhere), keeping the selected invoice."""
        kept = self.current()
        at = self.table.currentIndex().row()
        if not self.fixed:
            self._fill_currencies()
        self.reload()
        if kept is not None:
            self.select_invoice(kept.id, near=at)

    def select_invoice(self, invoice_id: int, near: int = -1) -> bool:
        """Select an invoice if it is at `near` or among the rows read; False if it is not found."""
        row = self.model.row_at(near) if near >= 0 else None
        found = near if row is not None and row.id == invoice_id else self.model.find_row(lambda r: r.id == invoice_id)
        if found < 0:
            return False
        self.table.selectRow(found)
        self.table.scrollTo(self.model.index(found, 0))
        return True

    # --- actions -------------------------------------------------------------------------------

    def _update_buttons(self, row: InvoiceRow | None) -> None:
        has = row is not None
        for button in (self.edit_button, self.dispute_button, self.customer_button, self.payment_button):
            button.setEnabled(has)
        disputed = has and row.disputed
        self.dispute_button.setText("Resolve dis&pute…" if disputed else "Dis&pute…")
        self.dispute_button.setToolTip(
            "Close the customer's dispute: a credit note, withdrawn, or split" if disputed
            else "The customer disputes the selected invoice, all of it or a part")
        paid = has and row.open_minor == 0
        self.payment_button.setEnabled(has and not paid)
        self.payment_button.setToolTip("This invoice is paid in full." if paid
                                       else "Record a payment from the customer against the selected invoice")
        for action in (self.credit_action, self.write_off_action):
            action.setEnabled(has and not paid)
        self.more_button.setEnabled(has and not paid)
        self.more_button.setToolTip("Nothing is left to pay on this invoice." if paid
                                    else "Credit note or write-off for the selected invoice")

    def new_record(self) -> None:
        """Add an invoice (Ctrl+N): for the customer shown, if there is one."""
        saved = edit_invoice(self, self.db, self.today, None, self.customer_id)
        if saved is not None:
            self._after_save(saved)

    def edit(self) -> None:
        row = self.current()
        if row is None:
            return
        saved = edit_invoice(self, self.db, self.today, row.id)
        if saved is not None:
            self._after_save(saved)

    def _edit_soon(self) -> None:
        if not self._edit_pending:
            self._edit_pending = True
            QTimer.singleShot(0, self._edit_now)

    def _edit_now(self) -> None:
        self._edit_pending = False
        self.edit()

    def _after_save(self, invoice_id: int) -> None:
        if not self.fixed:
            self._fill_currencies()
        self.reload()
        self.select_invoice(invoice_id)
        self.changed.emit()

    def _change(self, kind: type[InvoiceChangeDialog], enabled: bool = True) -> bool:
        """Open the dialog for the selected invoice; after a change, read again and tell the others."""
        row = self.current()
        if row is None or not enabled:
            return False
        if not run_invoice_dialog(kind, self, self.db, self.today, row.id):
            return False
        self.refresh()
        self.changed.emit()
        return True

    def dispute(self) -> bool:
        """Dispute the selected invoice, or resolve its dispute when it is disputed."""
        row = self.current()
        return self._change(ResolveDisputeDialog if row is not None and row.disputed else DisputeDialog)

    def give_credit_note(self) -> bool:
        return self._change(CreditNoteDialog, self.credit_action.isEnabled())

    def write_off(self) -> bool:
        return self._change(WriteOffDialog, self.write_off_action.isEnabled())

    def _open_customer(self) -> None:
        row = self.current()
        if row is not None:
            self.open_customer.emit(row.customer_id)

    def _record_payment(self) -> None:
        row = self.current()
        if row is not None:
            self.record_payment.emit(row.customer_id, row.id)
