"""The Payment plans screen: every plan as of a date (all, or those active, broken, completed or
cancelled), with arrears and broken plans marked; the plan chosen below it with its terms, the
debts it covers and each instalment in words; agree a new plan, print its agreement letter,
cancel it, open its customer. Plans found broken when the screen reads them are recorded once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from debtordesk.db.engine import Database
from debtordesk.domain.plan_tracking import BREACHED, CANCELLED, COMPLETED
from debtordesk.services.plan_tracking import record_breaches
from debtordesk.services.plans import STATUS_LABELS, PlanDetail, PlanRow, plan_detail, plan_rows
from debtordesk.services.plans import cancel_plan as cancel
from debtordesk.ui.formatting import OVERDUE_COLOR, amounts, day, money
from debtordesk.ui.messages import tell
from debtordesk.ui.models.plans import CoveredInvoiceModel, InstalmentTableModel, PlanTableModel
from debtordesk.ui.views.dunning import open_in_viewer, printout_path
from debtordesk.ui.widgets.dates import date_edit, picked
from debtordesk.ui.workers import TaskRunner

STATUSES = [("All", None), ("Active", "active"), ("Broken", "breached"), ("Completed", "completed"),
            ("Cancelled", "cancelled")]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def plan_summary(d: PlanDetail) -> str:
    """'£1,200.00 in 4 monthly instalments of £300.00 from 1 Mar 2026; agreed 10 Feb 2026, last due 1 Jun 2026.'"""
    s, cur = d.schedule, d.row.currency
    regular = [i for i in s.instalments if i.number > 0]
    text = f"{money(s.total_minor, cur)} in "
    down = next((i for i in s.instalments if i.number == 0), None)
    if down is not None:
        text += f"a down payment of {money(down.amount_minor, cur)} on {day(down.due)} and "
    if regular:
        first, last = regular[0], regular[-1]
        text += (f"{_plural(len(regular), s.terms.frequency.label + ' instalment')} of "
                 f"{money(first.amount_minor, cur)} from {day(first.due)}")
        if len(regular) > 1 and last.amount_minor != first.amount_minor:
            text += f" (the last {money(last.amount_minor, cur)})"
    extra = s.total_minor - d.terms.amount_minor
    if extra:
        text += f", of which {money(extra, cur)} fee and interest"
    return f"{text}; agreed {day(d.row.agreed_on)}, last due {day(s.end)}."


def plan_terms(d: PlanDetail) -> str:
    t, cur = d.terms, d.row.currency
    grace = "none" if not t.grace_days else _plural(t.grace_days, "day")
    interest = {"flat": f"{t.interest.percent}% flat", "annual": f"{t.interest.percent}% a year"}.get(
        t.interest.kind, "none")
    parts = [f"Frequency: {t.frequency.label}", f"Grace: {grace}", f"Interest: {interest}"]
    if t.plan_fee_minor:
        parts.append(f"Plan fee: {money(t.plan_fee_minor, cur)}")
    parts.append("Late-payment interest: " + ("waived while the plan is kept" if d.waive_interest else "not waived"))
    return "   ·   ".join(parts)


def plan_state_line(d: PlanDetail) -> str:
    """Why a plan is over, when it is: broken (the day and the instalment) or cancelled (the day and why)."""
    st = d.state
    if d.row.status == CANCELLED and d.cancelled_on is not None:
        return f"Cancelled on {day(d.cancelled_on)}" + (f": {d.cancel_reason}" if d.cancel_reason else
                                                        " (no reason was given).")
    if d.row.status == BREACHED:
        when = d.breached_on or st.breached_on
        which = "the down payment" if st.breach_line == 0 else f"instalment {st.breach_line}"
        return (f"Broken on {day(when)}: {which} was not paid in full within the grace period. The whole "
                f"remaining balance of {money(d.row.left_minor, d.row.currency)} is due and reminders resume.")
    if d.row.status == COMPLETED:
        return "Paid in full."
    return ""


class PlansView(QWidget):
    customer_requested = Signal(int)
    changed = Signal()  # a plan agreed or cancelled, a breach or a letter recorded: other screens read again

    def __init__(self, db: Database, today: date, tasks: TaskRunner | None, parent=None):
        super().__init__(parent)
        self.db, self.today, self.tasks = db, today, tasks
        self.open_file: Callable[[Path], None] = open_in_viewer  # tests put a recorder here
        self.loaded = False
        self.detail: PlanDetail | None = None
        self.last_pdf: Path | None = None
        self._wanted: int | None = None  # the plan to select when the list arrives
        self._request = self._detail_request = 0

        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Show", self))
        self.status = QComboBox(self)
        self.status.setAccessibleName("Status")
        for label, value in STATUSES:
            self.status.addItem(label, value)
        remembered = QSettings().value("plans/status", "")
        self.status.setCurrentIndex(max(0, self.status.findData(remembered or None)))
        self.status.currentIndexChanged.connect(self._status_changed)
        bar.addWidget(self.status)
        bar.addWidget(QLabel("plans, as of", self))
        self.as_of = date_edit(self, today, "As of")
        self.as_of.setToolTip("Instalments and arrears as they stood on this date")
        self.as_of.dateChanged.connect(lambda _d: self.refresh())
        bar.addWidget(self.as_of)
        bar.addStretch(1)
        self.new_button = QPushButton("New plan…", self)
        self.new_button.setToolTip("Agree a payment plan over a customer's open invoices (Ctrl+N)")
        self.new_button.clicked.connect(self.new_record)
        bar.addWidget(self.new_button)
        layout.addLayout(bar)

        self.summary = QLabel(self)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)

        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        top = QWidget(self.splitter)
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        self.table = self._table(top, "Payment plans")
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)  # newest first
        self.table.doubleClicked.connect(lambda _i: self.open_customer())
        self.plans_model = PlanTableModel([], self)
        self.plans_model.set_status(self.status.currentData())
        self.table.setModel(self.plans_model)
        self.table.selectionModel().currentRowChanged.connect(lambda cur, _prev: self._row_chosen(cur.row()))
        self.empty = QLabel(self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.hide()
        top_layout.addWidget(self.table, 1)
        top_layout.addWidget(self.empty, 1)
        self.splitter.addWidget(top)
        self.splitter.addWidget(self._build_detail())
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        saved = QSettings().value("plans/splitter")
        if saved is not None:
            self.splitter.restoreState(saved)
        self.splitter.splitterMoved.connect(
            lambda *_a: QSettings().setValue("plans/splitter", self.splitter.saveState()))
        layout.addWidget(self.splitter, 1)
        self.show_detail(None)

    def _table(self, parent: QWidget, name: str) -> QTableView:
        table = QTableView(parent)
        table.setAccessibleName(name)
        table.setAlternatingRowColors(True)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.verticalHeader().setVisible(False)
        return table

    def _build_detail(self) -> QWidget:
        box = QWidget(self.splitter)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 6, 0, 0)
        self.heading = QLabel(box)
        font = self.heading.font()
        font.setPointSize(font.pointSize() + 3)
        font.setBold(True)
        self.heading.setFont(font)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.plan_line = QLabel(box)
        self.terms_line = QLabel(box)
        self.state_line = QLabel(box)
        self.totals = QLabel(box)
        for label in (self.plan_line, self.terms_line, self.state_line, self.totals):
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.totals.setAccessibleName("Plan totals")
        for w in (self.heading, self.plan_line, self.terms_line, self.state_line):
            layout.addWidget(w)

        tables = QSplitter(Qt.Orientation.Horizontal, box)
        self.invoices_table = self._table(tables, "Debts covered")
        self.instalments_table = self._table(tables, "Instalments")
        for caption, table in (("Debts covered", self.invoices_table), ("Instalments", self.instalments_table)):
            holder = QWidget(tables)
            hl = QVBoxLayout(holder)
            hl.setContentsMargins(0, 0, 0, 0)
            hl.addWidget(QLabel(caption, holder))
            hl.addWidget(table, 1)
            tables.addWidget(holder)
        tables.setStretchFactor(0, 2)
        tables.setStretchFactor(1, 3)
        self.invoices_model = CoveredInvoiceModel([], "", self)
        self.instalments_model = InstalmentTableModel(None, "", None, self)
        self.invoices_table.setModel(self.invoices_model)
        self.instalments_table.setModel(self.instalments_model)
        layout.addWidget(tables, 1)

        buttons = QHBoxLayout()
        buttons.addWidget(self.totals, 1)
        self.letter_button = QPushButton("Agreement letter…", box)
        self.letter_button.setToolTip("The plan's agreement letter as a PDF to print or send; a copy is kept "
                                      "with the customer")
        self.letter_button.clicked.connect(self.agreement_letter)
        self.cancel_button = QPushButton("Cancel plan…", box)
        self.cancel_button.setToolTip("End the plan by agreement: the debts stay and reminders take them up again")
        self.cancel_button.clicked.connect(self.cancel_plan)
        self.customer_button = QPushButton("Open customer", box)
        self.customer_button.clicked.connect(self.open_customer)
        for b in (self.letter_button, self.cancel_button, self.customer_button):
            buttons.addWidget(b)
        layout.addLayout(buttons)
        return box

    # --- loading -----------------------------------------------------------------------------------
    def selected_date(self) -> date:
        return picked(self.as_of)

    def ensure_loaded(self) -> None:
        if not self.loaded:
            self.refresh()

    def refresh(self) -> None:
        """Record plans broken by today (once), then read the plans as of the chosen date."""
        if self.tasks is None:
            return
        self.loaded = True
        db, today, as_of = self.db, self.today, self.selected_date()
        if self._wanted is None:
            row = self.current()
            self._wanted = row.plan_id if row is not None else None
        self._request += 1
        request = self._request

        def job(_report, _should_cancel):
            with db.transaction() as session:  # never as of a later day than today: breaches happen, or not yet
                breaches = record_breaches(session, today)
            with db.session() as session:
                return plan_rows(session, as_of), breaches

        def done(result) -> None:
            if request == self._request:  # a newer request supersedes this one
                self.show_rows(*result)

        self.tasks.run(job, label="Reading the payment plans…", on_success=done)

    def show_rows(self, rows: list[PlanRow], breaches=()) -> None:
        self.plans_model.set_rows(rows)
        self._fit_columns(self.table, stretch=1)
        self._update_summary(breaches)
        self._show_list()
        if breaches:
            self.changed.emit()

    def _show_list(self) -> None:
        """After the rows or the filter changed: the table or a sentence, and the plan wanted selected."""
        empty = self.plans_model.rowCount() == 0
        if empty:
            filtered = self.status.currentData() is not None and self.plans_model.all_rows
            self.empty.setText(f"No {self.status.currentText().lower()} plans as of {day(self.selected_date())}."
                               if filtered else "No payment plans yet. Agree one with New plan… when a customer "
                               "asks to pay in instalments.")
        self.table.setVisible(not empty)
        self.empty.setVisible(empty)
        wanted, self._wanted = self._wanted, None
        row = self.plans_model.find(wanted) if wanted is not None else -1
        if row < 0 and not empty:
            row = 0
        selection = self.table.selectionModel()
        selection.blockSignals(True)  # one detail request, made here
        if row >= 0:
            self.table.selectRow(row)
        else:
            self.table.clearSelection()
        selection.blockSignals(False)
        self._row_chosen(row)

    def _update_summary(self, breaches=()) -> None:
        rows = self.plans_model.all_rows
        if not rows:
            text = ""
        else:
            counts = {s: sum(1 for r in rows if r.status == s) for _label, s in STATUSES[1:]}
            text = (f"{_plural(len(rows), 'plan')} as of {day(self.selected_date())}: "
                    + ", ".join(f"{n} {STATUS_LABELS[s].lower()}" for s, n in counts.items() if n))
            arrears: dict[str, int] = {}
            for r in rows:
                if r.arrears_minor and r.status in ("active", BREACHED):
                    arrears[r.currency] = arrears.get(r.currency, 0) + r.arrears_minor
            text += f"; in arrears {amounts(arrears)}." if arrears else "; none in arrears."
        if breaches:
            text += " Found broken and recorded in the customer's history: " + ", ".join(
                f"{b.reference} ({b.name})" for b in breaches) + "."
        self.summary.setText(text)

    def _fit_columns(self, table: QTableView, stretch: int) -> None:
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        table.resizeColumnsToContents()
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)

    def _status_changed(self, _index: int) -> None:
        QSettings().setValue("plans/status", self.status.currentData() or "")
        row = self.current()
        self._wanted = row.plan_id if row is not None else None
        self.plans_model.set_status(self.status.currentData())
        self._show_list()

    def current(self) -> PlanRow | None:
        index = self.table.currentIndex()
        return self.plans_model.row_at(index.row()) if index.isValid() and not self.table.isHidden() else None

    def _row_chosen(self, row: int) -> None:
        plan = self.plans_model.row_at(row)
        self._detail_request += 1
        if plan is None:
            self.show_detail(None)
            return
        if self.tasks is None:
            return
        request, db, as_of = self._detail_request, self.db, self.selected_date()

        def job(_report, _should_cancel):
            with db.session() as session:
                return plan_detail(session, plan.plan_id, as_of)

        def done(detail: PlanDetail) -> None:
            if request == self._detail_request:
                self.show_detail(detail)

        self.tasks.run(job, label="Reading the plan…", on_success=done)

    def show_plan(self, plan_id: int) -> None:
        """Show one plan (from elsewhere, or just agreed): every status, read again, that plan chosen."""
        self._wanted = plan_id
        if self.status.currentData() is not None:
            self.status.blockSignals(True)
            self.status.setCurrentIndex(0)
            self.status.blockSignals(False)
            self.plans_model.set_status(None)
        self.refresh()

    # --- the plan chosen ---------------------------------------------------------------------------
    def show_detail(self, d: PlanDetail | None) -> None:
        self.detail = d
        for b in (self.letter_button, self.cancel_button, self.customer_button):
            b.setEnabled(d is not None)
        if d is None:
            self.heading.setText("No plan chosen" if self.plans_model.rowCount() else "")
            self.plan_line.setText("Choose a plan above to see its terms and instalments."
                                   if self.plans_model.rowCount() else "")
            for label in (self.terms_line, self.state_line, self.totals):
                label.setText("")
            self.state_line.hide()
            self.invoices_model = CoveredInvoiceModel([], "", self)
            self.instalments_model = InstalmentTableModel(None, "", None, self)
        else:
            r = d.row
            self.heading.setText(f"{r.reference} — {r.name} — {STATUS_LABELS.get(r.status, r.status)}")
            self.plan_line.setText(plan_summary(d) + (f"\nNote: {d.note}" if d.note else ""))
            self.terms_line.setText(plan_terms(d))
            state = plan_state_line(d)
            self.state_line.setText(state)
            self.state_line.setStyleSheet(f"color: {OVERDUE_COLOR.name()};" if r.status == BREACHED else "")
            self.state_line.setVisible(bool(state))
            arrears = f"arrears {money(r.arrears_minor, r.currency)}" if r.arrears_minor else "no arrears"
            self.totals.setText(f"Paid {money(r.paid_minor, r.currency)} of {money(r.total_minor, r.currency)}"
                                f"   ·   left {money(r.left_minor, r.currency)}   ·   {arrears}")
            self.invoices_model = CoveredInvoiceModel(d.invoices, r.currency, self)
            self.instalments_model = InstalmentTableModel(d.state, r.currency, d.cancelled_on, self)
        self.invoices_table.setModel(self.invoices_model)
        self.instalments_table.setModel(self.instalments_model)
        self._fit_columns(self.invoices_table, stretch=0)
        self._fit_columns(self.instalments_table, stretch=4)

    def instalment_texts(self) -> list[tuple[str, str]]:
        """(no., status) of each instalment of the plan shown, as the user reads them."""
        m = self.instalments_model
        return [(m.index(r, 0).data(), m.index(r, 4).data()) for r in range(m.rowCount())]

    # --- actions -----------------------------------------------------------------------------------
    def new_record(self) -> None:
        from debtordesk.ui.dialogs.plan_builder import PlanBuilderDialog

        row = self.current()
        dialog = PlanBuilderDialog(self.db, row.customer_id if row is not None else None, self, today=self.today)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.plan_id is not None:
            self.show_plan(dialog.plan_id)
            self.changed.emit()

    def focus_search(self) -> None:
        self.status.setFocus()

    def open_customer(self) -> None:
        row = self.current()
        if row is not None:
            self.customer_requested.emit(row.customer_id)

    def cancel_plan(self) -> None:
        d = self.detail
        if d is None:
            tell(self, "Choose the plan to cancel first.")
            return
        r = d.row
        if d.cancelled_on is not None:
            tell(self, f"Payment plan {r.reference} was already cancelled on {day(d.cancelled_on)}; "
                 "there is nothing more to cancel.")
            return
        reason, ok = QInputDialog.getText(
            self, "Cancel plan", f"Why is payment plan {r.reference} for {r.name} being cancelled?\n"
            "(Kept in the customer's history; you may leave it empty.)")
        if not ok:
            return
        answer = QMessageBox.question(
            self, "Cancel plan",
            f"Cancel payment plan {r.reference} for {r.name} as of today, {day(self.today)}? The debts it covers "
            "stay as they are, and reminders take them up again.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return
        db, today, plan_id = self.db, self.today, r.plan_id

        def job(_report, _should_cancel):
            with db.transaction() as session:
                cancel(session, plan_id, today, reason)
            return plan_id

        def done(_plan_id) -> None:
            self.show_plan(plan_id)
            self.changed.emit()

        self.tasks.run(job, label=f"Cancelling payment plan {r.reference}…", on_success=done)

    def agreement_letter(self) -> None:
        d = self.detail
        if d is None:
            tell(self, "Choose the plan whose agreement letter you want first.")
            return
        db, today, plan_id, reference = self.db, self.today, d.row.plan_id, d.row.reference
        path = printout_path(f"{reference}-agreement-")

        def job(_report, _should_cancel):
            from debtordesk.services.plan_letters import agreement_pdf  # reportlab: loaded when first needed

            with db.transaction() as session:
                _letter_id, pdf = agreement_pdf(session, plan_id, today)
            path.write_bytes(pdf)
            return path

        def done(result: Path) -> None:
            self.last_pdf = result
            self.open_file(result)
            self.changed.emit()  # the letter is in the customer's letters now

        def failed(exc: Exception) -> None:
            path.unlink(missing_ok=True)
            self.tasks.show_error(exc)

        self.tasks.run(job, label=f"Preparing the agreement letter for {reference}…", on_success=done,
                       on_error=failed, on_cancelled=lambda: path.unlink(missing_ok=True))
