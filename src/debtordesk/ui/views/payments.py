"""The Payments screen: money received, what each payment paid, and credit not yet applied."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QMessageBox, QPushButton

from debtordesk.db.engine import Database
from debtordesk.domain.problems import UserError
from debtordesk.services.invoices import invoice_currencies
from debtordesk.services.lists import Sort
from debtordesk.services.payments import PaymentQuery, PaymentRow, apply_credit, count_payments, list_payments
from debtordesk.ui.dialogs.payment import change_allocation_dialog
from debtordesk.ui.formatting import day, money
from debtordesk.ui.models.paged import Column
from debtordesk.ui.views.listview import ListView


class PaymentsView(ListView):
    record_payment = Signal(int)  # customer id; 0 asks the window to choose the customer
    open_customer = Signal(int)
    changed = Signal()  # something was saved here: other screens should read again

    def __init__(self, db: Database, today: date, parent=None, customer_id: int | None = None):
        self.db, self.today, self.customer_id = db, today, customer_id
        columns = [
            Column("Date", lambda r: day(r.date), "date"),
            Column("Customer", lambda r: r.customer_name, "customer"),
            Column("Amount", lambda r: money(r.amount_minor, r.currency), "amount", right=True),
            Column("Unapplied", lambda r: money(r.unapplied_minor, r.currency) if r.unapplied_minor else "",
                   "unapplied", right=True),
            Column("Pays", lambda r: ", ".join(r.invoices), tip=lambda r: ", ".join(r.invoices)),
            Column("Reference", lambda r: r.reference, "reference"),
            Column("Method", lambda r: r.method),
        ]
        if customer_id is not None:
            del columns[1]
        super().__init__(columns, Sort("date", descending=True), "Search reference or customer…",
                         "No payments yet. Record one with Record payment, or import them with "
                         "File › Import › Payments.", parent)
        self.currency = QComboBox(self)
        self.currency.addItem("All currencies", None)
        with db.session() as s:
            for cur in invoice_currencies(s):
                self.currency.addItem(cur, cur)
        self.currency.currentIndexChanged.connect(lambda _i: self.reload())
        self.unapplied_only = QCheckBox("Unapplied credit only", self)
        self.unapplied_only.toggled.connect(lambda _on: self.reload())
        self.record_button = QPushButton("Record payment…", self)
        self.change_button = QPushButton("Change allocation…", self)
        self.change_button.setToolTip("Choose by hand which invoices this payment pays.")
        self.apply_button = QPushButton("Apply credit", self)
        self.apply_button.setToolTip("Set this customer's unapplied credit against their open invoices, oldest first.")
        self.customer_button = QPushButton("Open customer", self)
        for w in (self.currency, self.unapplied_only, self.record_button, self.change_button, self.apply_button):
            self.bar.addWidget(w)
        if customer_id is None:
            self.bar.addWidget(self.customer_button)
        else:
            self.customer_button.hide()
        self.record_button.clicked.connect(self._record)
        self.apply_button.clicked.connect(self.apply_selected_credit)
        self.change_button.clicked.connect(self.change_allocation)
        self.activated.connect(lambda _row: self.change_allocation())
        self.customer_button.clicked.connect(self._open_customer)
        self.current_changed.connect(self._selection)
        widths = {0: 100, 2: 110, 3: 100, 4: 160, 5: 140, 6: 110} if customer_id is None else \
            {0: 100, 1: 100, 2: 90, 3: 150, 4: 120, 5: 100}
        self.set_widths({k: v for k, v in widths.items() if k < len(columns)}, 1 if customer_id is None else 3)

    def query(self) -> PaymentQuery:
        return PaymentQuery(self.search.text(), self.customer_id, self.currency.currentData(),
                            self.unapplied_only.isChecked(), self.model.sort_key)

    def filtering(self) -> bool:
        return super().filtering() or self.unapplied_only.isChecked() or self.currency.currentIndex() > 0

    def source(self):
        db, q = self.db, self.query()

        def count() -> int:
            with db.session() as s:
                return count_payments(s, q)

        def fetch(sort: Sort, offset: int, limit: int) -> list[PaymentRow]:
            with db.session() as s:
                return list_payments(s, PaymentQuery(q.search, q.customer_id, q.currency, q.unapplied_only, sort),
                                     offset, limit)

        return count, fetch

    def _selection(self, row: PaymentRow | None) -> None:
        self.apply_button.setEnabled(row is not None and row.unapplied_minor > 0)
        self.change_button.setEnabled(row is not None)
        self.customer_button.setEnabled(row is not None)

    def _open_customer(self) -> None:
        row = self.current()
        if row is not None:
            self.open_customer.emit(row.customer_id)

    def _record(self) -> None:
        row = self.current()
        self.record_payment.emit(self.customer_id or (row.customer_id if row is not None else 0))

    def new_record(self) -> None:
        self._record()

    def refresh(self) -> None:
        self.reload()

    def change_allocation(self) -> None:
        row = self.current()
        if row is not None and change_allocation_dialog(self, self.db, self.today, row.id) is not None:
            self.changed.emit()

    def apply_selected_credit(self) -> None:
        row = self.current()
        if row is None or row.unapplied_minor <= 0:
            return
        try:
            with self.db.transaction() as s:
                applied = apply_credit(s, row.customer_id, row.currency)
        except UserError as exc:
            QMessageBox.warning(self, "Credit not applied", str(exc))
            return
        if applied:
            QMessageBox.information(self, "Credit applied",
                                    f"{money(applied, row.currency)} of credit was set against open invoices of "
                                    f"{row.customer_name}.")
        else:
            QMessageBox.information(self, "Nothing to apply",
                                    f"{row.customer_name} has no open invoices in {row.currency}; the credit stays "
                                    "on account until there is one.")
        self.changed.emit()
