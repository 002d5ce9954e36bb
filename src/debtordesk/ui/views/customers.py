"""The Customers screen: a searchable, filterable list and the selected customer's details."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from babel import Locale, UnknownLocaleError
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from debtordesk.db.engine import Database
from debtordesk.domain.problems import UserError
from debtordesk.services.company import base_currency
from debtordesk.services.customers import (
    CustomerQuery,
    CustomerRow,
    count_customers,
    customer_row,
    delete_customer,
    list_customers,
    read_form,
    set_archived,
    set_on_hold,
)
from debtordesk.services.handover import customer_handovers
from debtordesk.services.lists import Sort
from debtordesk.ui.dialogs.customer import edit_customer
from debtordesk.ui.formatting import amounts, day, money
from debtordesk.ui.models.paged import Column
from debtordesk.ui.models.risk import RiskScores
from debtordesk.ui.views.listview import ListView

RISK_COLUMN = 8
FILTER_BUTTONS = [("overdue", "Overdue"), ("on_hold", "On hold"), ("over_limit", "Over credit limit"),
                  ("archived", "Archived")]


def language_name(code: str) -> str:
    try:
        return Locale.parse(code.replace("-", "_")).get_display_name("en") or code
    except (ValueError, UnknownLocaleError):
        return code


def _limit_text(base: str):
    return lambda r: "" if r.credit_limit_minor is None else money(r.credit_limit_minor, base)


class CustomerList(ListView):
    def __init__(self, db: Database, today: date, parent=None):
        self.db, self.today = db, today
        with db.session() as s:
            base = base_currency(s)
        columns = [
            Column("Ref", lambda r: r.ref, "ref"),
            Column("Name", lambda r: r.name, "name", tip=lambda r: "Archived" if r.archived else ""),
            Column("Balance", lambda r: amounts(r.balances), "balance", right=True,
                   alert=lambda r: r.over_limit, tip=lambda r: "Over the credit limit" if r.over_limit else ""),
            Column("Overdue", lambda r: amounts(r.overdue), "overdue", right=True, alert=lambda r: bool(r.overdue)),
            Column("Oldest overdue", lambda r: "" if r.oldest_overdue_days is None else
                   f"{r.oldest_overdue_days} day{'s' if r.oldest_overdue_days != 1 else ''}",
                   "oldest_overdue_days", right=True, alert=lambda r: r.oldest_overdue_days is not None),
            Column("Credit limit", _limit_text(base), "credit_limit", right=True),
            Column("Last contact", lambda r: day(r.last_contact), "last_contact"),
            Column("On hold", lambda r: "On hold" if r.on_hold else "", "on_hold", alert=lambda r: r.on_hold),
            # worked out off the UI thread once the rows are read; not sortable (see ui.models.risk)
            Column("Risk", lambda r: self.risk.text(r.id), None, alert=lambda r: self.risk.alert(r.id),
                   tip=lambda r: self.risk.tip(r.id)),
        ]
        super().__init__(columns, Sort("name"), "Search name, reference, contact, e-mail, city…",
                         "No customers yet. Click New customer to add one, or import a list with "
                         "File › Import › Customers.", parent)
        self.filter_buttons: dict[str, QPushButton] = {}
        for key, label in FILTER_BUTTONS:
            button = QPushButton(label, self)
            button.setCheckable(True)
            button.toggled.connect(lambda _on: self.reload())
            self.bar.addWidget(button)
            self.filter_buttons[key] = button
        self.new_button = QPushButton("New customer…", self)
        self.bar.addWidget(self.new_button)
        self.set_widths({0: 80, 2: 150, 3: 130, 4: 110, 5: 110, 6: 110, 7: 80, RISK_COLUMN: 70}, 1)
        self.risk = RiskScores(db, today, self)
        self.risk.arrived.connect(self._risk_arrived)
        self.table.horizontalHeader().sortIndicatorChanged.connect(self._keep_sort_indicator)

    def refresh(self) -> None:
        """Read again after a change: the risk scores too."""
        self.risk.clear()
        self.reload()

    def _risk_arrived(self) -> None:
        if self.model.rowCount():
            self.model.dataChanged.emit(self.model.index(0, RISK_COLUMN),
                                        self.model.index(self.model.rowCount() - 1, RISK_COLUMN))

    def _keep_sort_indicator(self, column: int, _order) -> None:
        """A click on a column that cannot be sorted (Risk) leaves the order, and its arrow, as they were."""
        if 0 <= column < len(self.model.columns) and self.model.columns[column].sort is None:
            header = self.table.horizontalHeader()
            header.blockSignals(True)
            header.setSortIndicator(self.model.sort_column(), Qt.SortOrder.DescendingOrder
                                    if self.model.sort_key.descending else Qt.SortOrder.AscendingOrder)
            header.blockSignals(False)

    def query(self) -> CustomerQuery:
        on = frozenset(k for k, b in self.filter_buttons.items() if b.isChecked())
        return CustomerQuery(self.search.text(), on, self.model.sort_key)

    def filtering(self) -> bool:
        return super().filtering() or any(b.isChecked() for b in self.filter_buttons.values())

    def source(self):
        db, today, query = self.db, self.today, self.query()

        def count() -> int:
            with db.session() as s:
                return count_customers(s, query, today)

        def fetch(sort: Sort, offset: int, limit: int) -> list[CustomerRow]:
            with db.session() as s:
                rows = list_customers(s, CustomerQuery(query.search, query.filters, sort), today, offset, limit)
            self.risk.want(r.id for r in rows)
            return rows

        return count, fetch


class CustomerDetail(QWidget):
    """The selected customer: key figures, actions, and tabs for details, invoices, payments..."""

    changed = Signal()  # something was saved: lists should reload
    new_invoice = Signal(int)
    record_payment = Signal(int)
    new_plan = Signal(int)
    hand_over = Signal(int)  # to a collection agency or a solicitor
    recall_handover = Signal(int)
    evidence_pack = Signal(int)
    settle = Signal(int)  # a settlement offer: record, accept or reject
    factoring = Signal(int)  # assign to a factor, notice of assignment

    def __init__(self, db: Database, today: date, parent=None):
        super().__init__(parent)
        self.db, self.today = db, today
        self.row: CustomerRow | None = None
        self.handed_over = False
        layout = QVBoxLayout(self)
        self.title = QLabel(self)
        font = self.title.font()
        font.setPointSize(font.pointSize() + 3)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setWordWrap(True)
        self.figures = QLabel(self)
        self.figures.setTextFormat(Qt.TextFormat.PlainText)
        self.figures.setWordWrap(True)
        layout.addWidget(self.title)
        layout.addWidget(self.figures)
        actions = QHBoxLayout()
        self.edit_button = QPushButton("Edit…", self)
        self.invoice_button = QPushButton("New invoice…", self)
        self.payment_button = QPushButton("Record payment…", self)
        self.plan_button = QPushButton("Payment plan…", self)
        self.plan_button.setToolTip("Agree a payment plan over this customer's overdue invoices")
        self.hold_button = QPushButton("Put on hold", self)
        self.archive_button = QPushButton("Archive", self)
        self.delete_button = QPushButton("Delete…", self)
        for b in (self.edit_button, self.invoice_button, self.payment_button, self.plan_button, self.hold_button,
                  self.archive_button, self.delete_button):
            actions.addWidget(b)
        actions.addStretch(1)
        layout.addLayout(actions)
        collect = QHBoxLayout()
        self.handover_button = QPushButton("Hand over…", self)
        self.handover_button.setToolTip("Compare keeping on chasing, an agency and a court claim, then hand the "
                                        "debt to an agency or a solicitor; reminders stop for it")
        self.recall_button = QPushButton("Recall…", self)
        self.recall_button.setToolTip("Take a debt back from the agency or solicitor; reminders resume")
        self.evidence_button = QPushButton("Evidence pack…", self)
        self.evidence_button.setToolTip("One ZIP file: a summary PDF, the invoices as CSV and every letter sent "
                                        "exactly as stored, with their SHA-256 fingerprints")
        self.settle_button = QPushButton("Settlement…", self)
        self.settle_button.setToolTip("Record an offer to settle for less, then accept or reject it; once the "
                                      "agreed amount is paid the rest is written off")
        self.factoring_button = QPushButton("Factoring…", self)
        self.factoring_button.setToolTip("Assign this customer's invoices to a factor and print the notice of "
                                         "assignment")
        self.privacy_button = QPushButton("Privacy", self)
        self.privacy_button.setToolTip("Export everything held about this customer, or erase their personal data")
        privacy = QMenu(self.privacy_button)
        self.export_data_action = privacy.addAction("Export personal data…", self.export_personal_data)
        self.erase_data_action = privacy.addAction("Erase personal data…", self.erase_personal_data)
        self.privacy_button.setMenu(privacy)
        for b in (self.settle_button, self.handover_button, self.recall_button, self.evidence_button,
                  self.factoring_button, self.privacy_button):
            collect.addWidget(b)
        collect.addStretch(1)
        layout.addLayout(collect)
        self.tabs = QTabWidget(self)
        self.details = QLabel(self)
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setContentsMargins(8, 8, 8, 8)
        self.tabs.addTab(self.details, "Details")
        self.tab_factories: dict[str, Callable[[int], QWidget]] = {}
        layout.addWidget(self.tabs, 1)
        self.edit_button.clicked.connect(self.edit)
        self.invoice_button.clicked.connect(lambda: self.row and self.new_invoice.emit(self.row.id))
        self.payment_button.clicked.connect(lambda: self.row and self.record_payment.emit(self.row.id))
        self.plan_button.clicked.connect(lambda: self.row and self.new_plan.emit(self.row.id))
        self.hold_button.clicked.connect(self.toggle_hold)
        self.archive_button.clicked.connect(self.toggle_archive)
        self.delete_button.clicked.connect(self.delete)
        self.handover_button.clicked.connect(lambda: self.row and self.hand_over.emit(self.row.id))
        self.recall_button.clicked.connect(lambda: self.row and self.recall_handover.emit(self.row.id))
        self.evidence_button.clicked.connect(lambda: self.row and self.evidence_pack.emit(self.row.id))
        self.settle_button.clicked.connect(lambda: self.row and self.settle.emit(self.row.id))
        self.factoring_button.clicked.connect(lambda: self.row and self.factoring.emit(self.row.id))
        self.show_customer(None)

    def add_tab(self, name: str, factory: Callable[[int], QWidget], at: int) -> None:
        """A tab showing `factory(customer_id)` for the customer selected."""
        self.tab_factories[name] = factory
        self.tabs.insertTab(at, QLabel("", self), name)

    def tab(self, name: str) -> QWidget:
        return next(self.tabs.widget(i) for i in range(self.tabs.count()) if self.tabs.tabText(i) == name)

    def _fill_tabs(self, customer_id: int | None) -> None:
        current = self.tabs.currentIndex()
        for i in range(self.tabs.count()):
            name = self.tabs.tabText(i)
            if name in self.tab_factories:
                old = self.tabs.widget(i)
                page = self.tab_factories[name](customer_id) if customer_id is not None else QLabel("", self)
                self.tabs.removeTab(i)
                self.tabs.insertTab(i, page, name)
                old.deleteLater()
        self.tabs.setCurrentIndex(current)

    def show_customer(self, row: CustomerRow | None) -> None:
        handovers = []
        if row is not None:
            try:
                with self.db.session() as s:
                    row = customer_row(s, row.id, self.today)
                    form = read_form(s, row.id)
                    base = base_currency(s)
                    handovers = customer_handovers(s, row.id, self.today)
            except UserError:
                row = None
        self.row = row
        for b in (self.edit_button, self.invoice_button, self.payment_button, self.plan_button, self.hold_button,
                  self.archive_button, self.delete_button):
            b.setEnabled(row is not None)
        self.handed_over = row is not None and any(h.active for h in handovers)
        self.handover_button.setEnabled(row is not None)
        self.evidence_button.setEnabled(row is not None)
        self.settle_button.setEnabled(row is not None)
        self.factoring_button.setEnabled(row is not None)
        self.privacy_button.setEnabled(row is not None)
        self.recall_button.setEnabled(self.handed_over)
        if row is None:
            self.title.setText("No customer selected")
            self.figures.setText("Choose a customer in the list to see their details here.")
            self.details.setText("")
            self._fill_tabs(None)
            return
        self.title.setText(f"{row.name}  ·  {row.ref}")
        parts = [f"Balance {amounts(row.balances) or money(0, base)}"]
        if row.overdue:
            parts.append(f"overdue {amounts(row.overdue)} (oldest {row.oldest_overdue_days} days)")
        if row.credit_limit_minor is not None:
            parts.append(f"credit limit {money(row.credit_limit_minor, base)}"
                         + (" — over the limit" if row.over_limit else ""))
        flags = [t for t, on in (("ON HOLD", row.on_hold), ("ARCHIVED", row.archived),
                                 ("HANDED OVER", self.handed_over)) if on]
        self.figures.setText(" · ".join(parts) + ("   " + "  ".join(flags) if flags else ""))
        self.hold_button.setText("Release hold" if row.on_hold else "Put on hold")
        self.archive_button.setText("Restore" if row.archived else "Archive")
        v = form.values
        address = "\n".join(p for p in (v["address_line1"], v["address_line2"],
                                        " ".join(x for x in (v["postcode"], v["city"]) if x), v["country"]) if p)
        lines = [
            ("Contact", v["contact_person"]), ("E-mail", v["email"]), ("Phone", v["phone"]),
            ("Address", address), ("Kind", v["kind"].capitalize()), ("Letters in", language_name(v["language"])),
            ("Payment terms", f"{v['terms_days']} days"), ("Notes", v["notes"]),
        ] + [("Handed over" if h.active else "Hand-over", h.describe()) for h in handovers if h.status != "later"]
        self.details.setText("\n".join(f"{k}: {val}" if "\n" not in val else f"{k}:\n{val}"
                                       for k, val in lines if val))
        self._fill_tabs(row.id)

    def edit(self) -> None:
        if self.row and edit_customer(self, self.db, self.row.id) is not None:
            self.changed.emit()

    def toggle_hold(self) -> None:
        if self.row is None:
            return
        if not self.row.on_hold and QMessageBox.question(
                self, "Put on hold", f"Put {self.row.name} on hold? The account is marked on hold in "
                "every list until you release it.") != QMessageBox.StandardButton.Yes:
            return
        self._run(lambda s: set_on_hold(s, self.row.id, not self.row.on_hold))

    def toggle_archive(self) -> None:
        if self.row is None:
            return
        if not self.row.archived and QMessageBox.question(
                self, "Archive customer", f"Archive {self.row.name}? The customer disappears from the "
                "lists (tick Archived to see it again); nothing is deleted.") != QMessageBox.StandardButton.Yes:
            return
        self._run(lambda s: set_archived(s, self.row.id, not self.row.archived))

    def delete(self) -> None:
        if self.row is None or QMessageBox.question(
                self, "Delete customer", f"Delete {self.row.name} for good? This cannot be undone."
        ) != QMessageBox.StandardButton.Yes:
            return
        self._run(lambda s: delete_customer(s, self.row.id), "Customer not deleted")

    def export_personal_data(self):
        from debtordesk.ui.dialogs.privacy import export_personal_data_dialog

        if self.row is not None:
            return export_personal_data_dialog(self, self.db, getattr(self.window(), "tasks", None), self.row.id,
                                               self.today)
        return None

    def erase_personal_data(self):
        from debtordesk.ui.dialogs.privacy import erase_personal_data_dialog

        if self.row is not None:
            return erase_personal_data_dialog(self, self.db, getattr(self.window(), "tasks", None), self.row.id,
                                              self.today, done=self.changed.emit)
        return None

    def _run(self, change, title: str = "Not changed") -> None:
        try:
            with self.db.transaction() as s:
                change(s)
        except UserError as exc:
            QMessageBox.warning(self, title, str(exc))
            return
        self.changed.emit()


class CustomersView(QWidget):
    new_invoice = Signal(int)
    record_payment = Signal(int)
    new_plan = Signal(int)

    def __init__(self, db: Database, today: date, parent=None):
        super().__init__(parent)
        self.db = db
        self.list = CustomerList(db, today, self)
        self.detail = CustomerDetail(db, today, self)
        self.splitter = splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.list)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        self.list.current_changed.connect(self.detail.show_customer)
        self.list.activated.connect(lambda row: self.detail.edit())
        self.list.new_button.clicked.connect(self.new_record)
        self.detail.changed.connect(self.refresh)
        self.detail.new_invoice.connect(self.new_invoice)
        self.detail.record_payment.connect(self.record_payment)
        self.detail.new_plan.connect(self.new_plan)

    def new_record(self) -> None:
        new_id = edit_customer(self, self.db)
        if new_id is not None:
            self.list.search.clear()
            self.refresh()
            self.select(new_id)

    def select(self, customer_id: int) -> None:
        """Show this customer (clearing filters that hide it)."""
        row = self.list.model.find_row(lambda r: r.id == customer_id)
        if row < 0:
            with self.db.session() as s:
                target = customer_row(s, customer_id, self.list.today)
            self.list.search.setText(target.ref)
            for key, button in self.list.filter_buttons.items():
                button.setChecked(key == "archived" and target.archived)
            self.list.reload()
            row = self.list.model.find_row(lambda r: r.id == customer_id)
        if row >= 0:
            self.list.table.selectRow(row)

    def refresh(self) -> None:
        self.list.refresh()

    def ensure_loaded(self) -> None:
        self.list.ensure_loaded()

    def focus_search(self) -> None:
        self.list.focus_search()
