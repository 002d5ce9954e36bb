"""The payment-plan builder: the debts to cover (chosen invoices or the whole overdue balance),
the terms, and a live preview of the schedule (date, amount, interest, balance after, end date).

Every change re-works the preview a moment after the last key; a term that makes no plan is
refused under its field and Save is disabled until it is put right. Saving agrees the plan in one
transaction (with its fee-and-interest invoice and an activity entry).
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from debtordesk.db.engine import Database
from debtordesk.domain.problems import FieldErrors, UserError, sentence
from debtordesk.ui.formatting import OVERDUE_COLOR, day, money
from debtordesk.ui.widgets.customer_picker import CustomerPicker, customer_label
from debtordesk.ui.widgets.dates import date_edit, picked
from debtordesk.ui.widgets.form import FieldForm

FREQUENCIES = (("Monthly (same day each month)", "month"), ("Fortnightly", "fortnight"), ("Weekly", "week"),
               ("Every N days", "days"))
INTERESTS = (("No interest", "none"), ("Flat % of the amount, once", "flat"), ("Annual rate, amortised", "annual"))
PREVIEW_DELAY_MS = 150


def _right(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


class PlanBuilderDialog(QDialog):
    def __init__(self, database: Database, customer_id: int | None = None, parent=None, today: date | None = None,
                 currency: str | None = None):
        super().__init__(parent)
        self.db, self.today = database, today or date.today()
        self.plan_id: int | None = None
        self.schedule = None
        self.items: list = []  # Coverable invoices of the customer
        self._wanted_currency = currency
        self.setWindowTitle("New payment plan")
        self.setMinimumSize(900, 600)

        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.customer = CustomerPicker(database, self)
        self.currency = QComboBox(self)
        self.currency.setAccessibleName("Currency")
        for text, widget, stretch in (("C&ustomer:", self.customer, 2), ("Cu&rrency:", self.currency, 0)):
            label = QLabel(text, self)
            label.setBuddy(widget)
            top.addWidget(label)
            top.addWidget(widget, stretch)
        layout.addLayout(top)

        split = QSplitter(Qt.Orientation.Horizontal, self)
        left = QWidget(split)
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(QLabel("Debts the plan covers:", left))
        self.invoices = QTableWidget(0, 4, left)
        self.invoices.setHorizontalHeaderLabels(["Invoice", "Due", "Left to pay", "Note"])
        self.invoices.verticalHeader().hide()
        self.invoices.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.invoices.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.invoices.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.invoices.setAccessibleName("Debts the plan covers")
        self.invoices.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.invoices.setMinimumHeight(self.fontMetrics().height() * 5)
        self.invoices.setMaximumHeight(self.fontMetrics().height() * 12)
        ll.addWidget(self.invoices, 1)
        pick = QHBoxLayout()
        self.overdue_button = QPushButton("The whole &overdue balance", left)
        self.all_button = QPushButton("All open", left)
        self.covered = QLabel("", left)
        pick.addWidget(self.overdue_button)
        pick.addWidget(self.all_button)
        pick.addStretch(1)
        pick.addWidget(self.covered)
        ll.addLayout(pick)
        self.invoices_error = QLabel("", left)
        self.invoices_error.setStyleSheet(f"color: {OVERDUE_COLOR.name()};")
        self.invoices_error.setWordWrap(True)
        self.invoices_error.hide()
        ll.addWidget(self.invoices_error)

        self.form = FieldForm(left)
        self.agreed_on = self.form.add("agreed_on", "&Agreed on", date_edit(self, self.today, "Agreed on"))
        self.down = self.form.add("down", "&Down payment", QLineEdit(self),
                                  "Paid on the first payment date; the instalments follow one period later.")
        self.down.setPlaceholderText("none")
        size_box = QWidget(self)
        sl = QHBoxLayout(size_box)
        sl.setContentsMargins(0, 0, 0, 0)
        self.by_count = QRadioButton("&Number:", size_box)
        self.count = QSpinBox(size_box)
        self.count.setRange(1, 600)
        self.count.setValue(6)
        self.count.setAccessibleName("Number of instalments")
        self.by_amount = QRadioButton("or a&mount each:", size_box)
        self.instalment = QLineEdit(size_box)
        self.instalment.setAccessibleName("Instalment amount")
        self.instalment.setPlaceholderText("e.g. 250.00")
        group = QButtonGroup(size_box)
        group.addButton(self.by_count)
        group.addButton(self.by_amount)
        self.by_count.setChecked(True)
        for w in (self.by_count, self.count, self.by_amount, self.instalment):
            sl.addWidget(w)
        self.form.add("count", "Instalments", size_box,
                      "Either the number of instalments, or the amount of each (the number follows).")
        self.form.errors["instalment"] = self.form.errors["count"]  # one line of refusals for both
        freq_box = QWidget(self)
        fl = QHBoxLayout(freq_box)
        fl.setContentsMargins(0, 0, 0, 0)
        self.frequency = QComboBox(freq_box)
        for label, key in FREQUENCIES:
            self.frequency.addItem(label, key)
        self.frequency.setAccessibleName("Frequency")
        self.every_days = QSpinBox(freq_box)
        self.every_days.setRange(1, 365)
        self.every_days.setValue(10)
        self.every_days.setSuffix(" days")
        self.every_days.setAccessibleName("Days between instalments")
        fl.addWidget(self.frequency, 1)
        fl.addWidget(self.every_days)
        self.form.add("frequency", "&Frequency", freq_box,
                      "A monthly plan keeps the day of the month; in shorter months it falls on the last day.")
        self.form.errors["every_days"] = self.form.errors["frequency"]
        first = self.today.replace(day=1)
        first = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
        self.first_due = self.form.add("first_due", "&First payment", date_edit(self, first, "First payment"))
        self.fee = self.form.add("fee", "Plan f&ee", QLineEdit(self),
                                 "A fee for the plan, spread over the instalments.")
        self.fee.setPlaceholderText("none")
        int_box = QWidget(self)
        il = QHBoxLayout(int_box)
        il.setContentsMargins(0, 0, 0, 0)
        self.interest = QComboBox(int_box)
        for label, key in INTERESTS:
            self.interest.addItem(label, key)
        self.interest.setAccessibleName("Interest")
        self.percent = QLineEdit(int_box)
        self.percent.setPlaceholderText("%")
        self.percent.setMaximumWidth(70)
        self.percent.setAccessibleName("Interest percent")
        il.addWidget(self.interest, 1)
        il.addWidget(self.percent)
        il.addWidget(QLabel("%", int_box))
        self.form.add("percent", "&Interest", int_box,
                      "Flat: a percentage of the amount financed, once. Annual: equal payments at that yearly rate.")
        self.grace = self.form.add("grace_days", "&Grace period", QSpinBox(self),
                                   "Days after a due date before a missed instalment breaks the plan.")
        self.grace.setRange(0, 60)
        self.grace.setValue(7)
        self.grace.setSuffix(" days")
        self.waive = QCheckBox("Waive late-payment interest while the plan is kept", self)
        self.waive.setChecked(True)
        self.form.add("waive", "Statutory interest", self.waive)
        self.note = self.form.add("note", "N&ote", QLineEdit(self))
        ll.addWidget(self.form)

        right = QWidget(split)
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        self.summary = QLabel("", right)
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        rl.addWidget(self.summary)
        self.preview = QTableWidget(0, 5, right)
        self.preview.setHorizontalHeaderLabels(["No.", "Due", "Amount", "Interest + fee", "Balance after"])
        self.preview.verticalHeader().hide()
        self.preview.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.preview.setAlternatingRowColors(True)
        self.preview.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.preview.horizontalHeader().setStretchLastSection(True)
        self.preview.setAccessibleName("Schedule preview")
        rl.addWidget(self.preview, 1)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        split.setSizes([520, 520])
        split.setChildrenCollapsible(False)
        layout.addWidget(split, 1)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText("&Agree the plan")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(PREVIEW_DELAY_MS)
        self.timer.timeout.connect(self.update_preview)
        for edit in (self.down, self.instalment, self.fee, self.percent):
            edit.textChanged.connect(self.changed)
        for spin in (self.count, self.every_days, self.grace):
            spin.valueChanged.connect(self.changed)
        for combo in (self.frequency, self.interest):
            combo.currentIndexChanged.connect(self.changed)
        for d in (self.first_due, self.agreed_on):
            d.dateChanged.connect(self.changed)
        self.by_count.toggled.connect(self.changed)
        self.invoices.itemChanged.connect(self.changed)
        self.overdue_button.clicked.connect(self.choose_overdue)
        self.all_button.clicked.connect(self.choose_all)
        self.customer.customer_changed.connect(self._customer_changed)
        self.currency.currentIndexChanged.connect(lambda _i: self._fill_invoices())
        geometry = QSettings().value("plan_builder/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        if customer_id is not None:
            ref, name = self.customer.choose(customer_id)
            self.setWindowTitle(f"New payment plan for {customer_label(ref, name)}")
            self._customer_changed(customer_id)
        self._sync_enabled()
        self.update_preview()

    # --- the debts ------------------------------------------------------------------------------------

    def _customer_changed(self, customer_id) -> None:
        from debtordesk.services.plans import coverable_invoices

        self.items = []
        if customer_id is not None:
            with self.db.session() as s:
                self.items = coverable_invoices(s, customer_id, self.today)
        currencies = sorted({c.currency for c in self.items})
        self.currency.blockSignals(True)
        self.currency.clear()
        self.currency.addItems(currencies)
        want = self._wanted_currency or next((c.currency for c in self.items if c.overdue and not c.in_plan), None)
        if want in currencies:
            self.currency.setCurrentText(want)
        self.currency.blockSignals(False)
        self._fill_invoices()

    def _fill_invoices(self) -> None:
        from debtordesk.services.plans import overdue_selection

        cur = self.currency.currentText()
        rows = [c for c in self.items if c.currency == cur]
        chosen = set(overdue_selection(rows, cur))
        self.invoices.blockSignals(True)
        self.invoices.setRowCount(len(rows))
        for r, c in enumerate(rows):
            number = QTableWidgetItem(c.number)
            number.setData(Qt.ItemDataRole.UserRole, c.invoice_id)
            flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable
            number.setFlags(flags if not c.in_plan else Qt.ItemFlag.ItemIsUserCheckable)
            number.setCheckState(Qt.CheckState.Checked if c.invoice_id in chosen else Qt.CheckState.Unchecked)
            note = (f"in plan {c.in_plan}" if c.in_plan else "disputed" if c.disputed
                    else f"{(self.today - c.due_date).days} days overdue" if c.overdue else "not yet due")
            self.invoices.setItem(r, 0, number)
            self.invoices.setItem(r, 1, QTableWidgetItem(day(c.due_date)))
            self.invoices.setItem(r, 2, _right(money(c.open_minor, cur)))
            self.invoices.setItem(r, 3, QTableWidgetItem(note))
        self.invoices.resizeColumnsToContents()
        self.invoices.blockSignals(False)
        if not rows:
            self.covered.setText("No open invoices." if self.customer.customer_id() is not None else "")
        self.changed()

    def _check(self, wanted) -> None:
        self.invoices.blockSignals(True)
        for r in range(self.invoices.rowCount()):
            item = self.invoices.item(r, 0)
            if item.flags() & Qt.ItemFlag.ItemIsEnabled:
                state = wanted(item.data(Qt.ItemDataRole.UserRole))
                item.setCheckState(Qt.CheckState.Checked if state else Qt.CheckState.Unchecked)
        self.invoices.blockSignals(False)
        self.changed()

    def choose_overdue(self) -> None:
        from debtordesk.services.plans import overdue_selection

        ids = set(overdue_selection(self.items, self.currency.currentText()))
        self._check(lambda iid: iid in ids)

    def choose_all(self) -> None:
        self._check(lambda iid: True)

    def chosen_ids(self) -> list[int]:
        return [self.invoices.item(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(self.invoices.rowCount())
                if self.invoices.item(r, 0).checkState() == Qt.CheckState.Checked]

    def amount_minor(self) -> int:
        ids = set(self.chosen_ids())
        return sum(c.open_minor for c in self.items if c.invoice_id in ids)

    # --- the terms and the preview ----------------------------------------------------------------

    def values(self) -> dict[str, str]:
        return {
            "down": self.down.text(), "size": "count" if self.by_count.isChecked() else "instalment",
            "count": str(self.count.value()), "instalment": self.instalment.text(),
            "frequency": self.frequency.currentData(), "every_days": str(self.every_days.value()),
            "first_due": picked(self.first_due).isoformat(), "fee": self.fee.text(),
            "interest": self.interest.currentData(), "percent": self.percent.text(),
            "grace_days": str(self.grace.value()),
        }

    def _sync_enabled(self) -> None:
        self.count.setEnabled(self.by_count.isChecked())
        self.instalment.setEnabled(self.by_amount.isChecked())
        self.every_days.setVisible(self.frequency.currentData() == "days")
        self.percent.setEnabled(self.interest.currentData() != "none")

    def changed(self, *_args) -> None:
        self._sync_enabled()
        self.timer.start()

    def _show_errors(self, errors: dict[str, str]) -> None:
        self.form.show_errors(errors, focus=False)
        for key in ("instalment", "every_days"):  # they share a line with count / frequency
            if key in errors:
                target = "count" if key == "instalment" else "frequency"
                self.form.errors[target].setText(sentence(errors[key]))
                self.form.errors[target].show()
        self.invoices_error.setText(sentence(errors.get("invoices", "")))
        self.invoices_error.setVisible("invoices" in errors)

    def update_preview(self) -> None:
        from debtordesk.services.plans import preview

        self.timer.stop()
        cur = self.currency.currentText()
        amount = self.amount_minor()
        self.covered.setText(f"Covered: {money(amount, cur)}" if cur else "")
        self.schedule = None
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        if not cur or not amount:
            self._show_errors({"invoices": "Choose the customer and at least one invoice for the plan to cover."}
                              if self.customer.customer_id() is not None else {})
            self.preview.setRowCount(0)
            self.summary.setText("Choose a customer and the debts the plan covers; the schedule appears here.")
            save.setEnabled(False)
            return
        try:
            s = preview(self.values(), amount, cur)
        except FieldErrors as exc:
            self._show_errors(exc.errors)
            self.preview.setRowCount(0)
            self.summary.setText("Put the terms marked in red right to see the schedule.")
            save.setEnabled(False)
            return
        self._show_errors({})
        if picked(self.first_due) < picked(self.agreed_on):
            self._show_errors({"first_due": "The first payment cannot be due before the day the plan is agreed."})
            save.setEnabled(False)
        else:
            save.setEnabled(True)
        self.schedule = s
        self.preview.setRowCount(len(s.instalments))
        for r, i in enumerate(s.instalments):
            self.preview.setItem(r, 0, _right("Down" if i.number == 0 else str(i.number)))
            self.preview.setItem(r, 1, QTableWidgetItem(day(i.due)))
            self.preview.setItem(r, 2, _right(money(i.amount_minor, cur)))
            extra = i.interest_minor + i.fee_minor
            self.preview.setItem(r, 3, _right(money(extra, cur) if extra else "–"))
            self.preview.setItem(r, 4, _right(money(i.balance_after_minor, cur)))
        charges = s.interest_minor + s.fee_minor
        more = f", of it {money(charges, cur)} interest and fee" if charges else ""
        self.summary.setText(f"{s.count} instalment{'s' if s.count != 1 else ''}"
                             f"{' after a down payment' if s.terms.down_payment_minor else ''}; "
                             f"total {money(s.total_minor, cur)}{more}. Last payment {day(s.end)}.")

    # --- saving --------------------------------------------------------------------------------------

    def save(self) -> None:
        from debtordesk.services.plans import FORM_FIELDS, create_plan

        self.update_preview()
        customer_id = self.customer.customer_id()
        if self.schedule is None or customer_id is None:
            return
        try:
            with self.db.transaction() as s:
                plan = create_plan(s, customer_id, self.chosen_ids(), self.schedule.terms,
                                   agreed_on=picked(self.agreed_on), waive_interest=self.waive.isChecked(),
                                   note=self.note.text().strip())
                self.plan_id = plan.id
                reference = plan.reference
        except FieldErrors as exc:
            self._show_errors({FORM_FIELDS.get(k, k): v for k, v in exc.errors.items()})
            return
        except UserError as exc:
            QMessageBox.warning(self, "The plan was not saved", str(exc))
            return
        self.reference = reference
        self.accept()

    def done(self, result: int) -> None:
        QSettings().setValue("plan_builder/geometry", self.saveGeometry())
        super().done(result)
