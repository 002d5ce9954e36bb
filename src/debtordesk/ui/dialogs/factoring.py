"""Factoring, from the customer: the factor (name, address, bank details, whether it chases),
assigning the whole customer or chosen invoices from a date, ending an assignment, and printing
the notice of assignment. The rules are services.factoring's."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from debtordesk.db.engine import Database
from debtordesk.domain.problems import FieldErrors, UserError
from debtordesk.ui.formatting import day, money
from debtordesk.ui.widgets.dates import date_edit, picked
from debtordesk.ui.widgets.form import FieldForm, save_change


class FactorDialog(QDialog):
    """A factor's details: name, address, contact, bank account, whether it chases."""

    def __init__(self, db: Database, factor_id: int | None = None, parent=None):
        super().__init__(parent)
        from debtordesk.services.factoring import FIELDS, LABELS, factor_values

        self.db, self.factor_id = db, factor_id
        self.saved_id: int | None = None
        with db.session() as s:
            values, chases = factor_values(s, factor_id)
        self.setWindowTitle("New factor" if factor_id is None else f"Factor — {values['name']}")
        self.setMinimumWidth(480)
        layout = QVBoxLayout(self)
        self.form = FieldForm(self)
        self.inputs: dict[str, QLineEdit | QPlainTextEdit] = {}
        for key in FIELDS:
            widget = QPlainTextEdit(values[key], self) if key in ("address", "note") else QLineEdit(values[key], self)
            if isinstance(widget, QPlainTextEdit):
                widget.setTabChangesFocus(True)
                widget.setFixedHeight(widget.fontMetrics().lineSpacing() * 3 + 12)
            self.inputs[key] = self.form.add(key, LABELS[key], widget)
        self.inputs["iban"].setToolTip("Customers are told to pay into this account: an IBAN, or a UK sort code "
                                       "and account number.")
        self.chases = QCheckBox("The factor, not we, chases these debts (our reminders leave them out)", self)
        self.chases.setChecked(chases)
        layout.addWidget(self.form)
        layout.addWidget(self.chases)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def values(self) -> dict[str, str]:
        return {k: w.toPlainText() if isinstance(w, QPlainTextEdit) else w.text() for k, w in self.inputs.items()}

    def save(self) -> None:
        from debtordesk.services.factoring import save_factor

        try:
            with self.db.transaction() as s:
                self.saved_id = save_factor(s, self.values(), self.chases.isChecked(), self.factor_id).id
        except FieldErrors as exc:
            self.form.show_errors(exc.errors)
            return
        except UserError as exc:
            QMessageBox.warning(self, "Factor", str(exc))
            return
        self.accept()


class FactoringDialog(QDialog):
    """One customer's factoring: assign to a factor, see and end assignments, print the notice."""

    def __init__(self, db: Database, customer_id: int, today: date, parent=None, open_file=None):
        super().__init__(parent)
        from debtordesk.services.customers import ref_and_name

        self.db, self.customer_id, self.today = db, customer_id, today
        self.open_file = open_file
        self.changed = False
        self.last_pdf: Path | None = None
        with db.session() as s:
            self.ref, self.name = ref_and_name(s, customer_id)
        self.setWindowTitle(f"Factoring — {self.name}")
        self.setMinimumWidth(700)
        layout = QVBoxLayout(self)
        intro = QLabel("Invoices sold to a factor must be paid to the factor. Once assigned, reminders and "
                       "statements carry the notice of assignment and the factor's bank details; if the factor "
                       "chases, our reminders leave those invoices out.", self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.form = FieldForm(self)
        row = QHBoxLayout()
        self.factor = QComboBox(self)
        self.new_factor = QPushButton("New factor…", self)
        self.edit_factor = QPushButton("Edit…", self)
        row.addWidget(self.factor, 1)
        row.addWidget(self.new_factor)
        row.addWidget(self.edit_factor)
        row.setContentsMargins(0, 0, 0, 0)
        box = QWidget(self)  # one widget per form row: the combo and its buttons side by side
        box.setLayout(row)
        self.form.add("factor", "Factor", box)
        self.whole = QRadioButton("The whole customer (every invoice, now and later)", self)
        self.chosen = QRadioButton("The invoices ticked below", self)
        self.whole.setChecked(True)
        scope = QVBoxLayout()
        scope.setContentsMargins(0, 0, 0, 0)
        scope.addWidget(self.whole)
        scope.addWidget(self.chosen)
        holder = QWidget(self)
        holder.setLayout(scope)
        self.form.add("invoices", "Assign", holder)
        self.day = self.form.add("date", "From", date_edit(self, today, "Assigned from"))
        layout.addWidget(self.form)
        self.invoices = self._table(["", "Invoice", "Due", "Open", "Assigned to"])
        layout.addWidget(self.invoices, 1)
        assign_row = QHBoxLayout()
        self.assign_button = QPushButton("&Assign to the factor", self)
        self.notice_button = QPushButton("&Notice of assignment…", self)
        self.notice_button.setToolTip("Print the letter telling the customer to pay the factor (it is recorded "
                                      "with the customer's letters)")
        assign_row.addWidget(self.assign_button)
        assign_row.addWidget(self.notice_button)
        assign_row.addStretch(1)
        layout.addLayout(assign_row)
        layout.addWidget(QLabel("Assignments", self))
        self.assignments = self._table(["Factor", "What", "From", "Ended", "Chases"])
        self.assignments.setMaximumHeight(130)
        layout.addWidget(self.assignments)
        self.end_button = QPushButton("&End the chosen assignment", self)
        self.end_button.setToolTip("The debts are ours again from the date above (e.g. bought back)")
        end_row = QHBoxLayout()
        end_row.addWidget(self.end_button)
        end_row.addStretch(1)
        layout.addLayout(end_row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.new_factor.clicked.connect(lambda: self._edit_factor(None))
        self.edit_factor.clicked.connect(lambda: self._edit_factor(self.factor.currentData()))
        self.assign_button.clicked.connect(self.assign)
        self.notice_button.clicked.connect(self.notice)
        self.end_button.clicked.connect(self.end)
        self.chosen.toggled.connect(lambda _on: self._enable())
        self.refresh()

    def _table(self, columns: list[str]) -> QTableWidget:
        t = QTableWidget(0, len(columns), self)
        t.setHorizontalHeaderLabels(columns)
        t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        t.verticalHeader().hide()
        t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        return t

    def refresh(self, select_factor: int | None = None) -> None:
        from debtordesk.services.factoring import customer_assignments, factors, open_invoices

        with self.db.session() as s:
            known = factors(s)
            items = open_invoices(s, self.customer_id, self.today)
            rows = customer_assignments(s, self.customer_id)
        current = select_factor if select_factor is not None else self.factor.currentData()
        self.factor.clear()
        for f in known:
            self.factor.addItem(f.name + (" (chases its debts)" if f.chases else ""), f.id)
            self.factor.setItemData(self.factor.count() - 1, f.bank_line(), Qt.ItemDataRole.ToolTipRole)
        if current is not None and self.factor.findData(current) >= 0:
            self.factor.setCurrentIndex(self.factor.findData(current))
        self.items = items
        self.invoices.setRowCount(len(items))
        for r, x in enumerate(items):
            tick = QTableWidgetItem()
            tick.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
            tick.setCheckState(Qt.CheckState.Unchecked)
            self.invoices.setItem(r, 0, tick)
            for c, text in enumerate((x.number, day(x.due_date), money(x.open_minor, x.currency), x.factor), 1):
                item = QTableWidgetItem(text)
                if c == 3:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.invoices.setItem(r, c, item)
        self.invoices.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.rows = rows
        self.assignments.setRowCount(len(rows))
        for r, a in enumerate(rows):
            values = (a.factor, a.invoice or "Every invoice", day(a.assigned_on), day(a.ended_on) if a.ended_on else "",
                      "Yes" if a.chases else "No")
            for c, text in enumerate(values):
                self.assignments.setItem(r, c, QTableWidgetItem(text))
        self._enable()

    def _enable(self) -> None:
        has = self.factor.count() > 0
        self.edit_factor.setEnabled(has)
        self.assign_button.setEnabled(has)
        self.invoices.setEnabled(self.chosen.isChecked())
        self.notice_button.setEnabled(any(x.factor for x in self.items))
        self.end_button.setEnabled(any(a.ended_on is None for a in self.rows))

    def _edit_factor(self, factor_id: int | None) -> None:
        dialog = FactorDialog(self.db, factor_id, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.changed = True
            self.refresh(dialog.saved_id)

    def ticked(self) -> list[int]:
        return [x.invoice_id for r, x in enumerate(self.items)
                if self.invoices.item(r, 0).checkState() == Qt.CheckState.Checked]

    def _run(self, change) -> bool:
        if not save_change(self, self.db, self.form, "Factoring", change):
            return False
        self.changed = True
        self.refresh()
        return True

    def assign(self) -> None:
        from debtordesk.services.factoring import assign

        factor_id = self.factor.currentData()
        if factor_id is None:
            return
        chosen = self.ticked() if self.chosen.isChecked() else None
        self._run(lambda s: assign(s, factor_id, self.customer_id, picked(self.day), chosen))

    def end(self) -> None:
        from debtordesk.services.factoring import end_assignment

        r = self.assignments.currentRow()
        live = [a for a in self.rows if a.ended_on is None]
        target = self.rows[r] if 0 <= r < len(self.rows) and self.rows[r].ended_on is None else (
            live[0] if len(live) == 1 else None)
        if target is None:
            QMessageBox.warning(self, "Factoring", "Choose the assignment to end in the list first.")
            return
        self._run(lambda s: end_assignment(s, target.assignment_id, picked(self.day)))

    def notice(self) -> None:
        """The notice for the factor of the first assigned invoice (per currency of what it holds)."""
        from debtordesk.services.factoring_letters import notice_pdf
        from debtordesk.ui.views.dunning import printout_path

        held = [x for x in self.items if x.factor]
        if not held:
            return
        currency = held[0].currency
        path = printout_path(f"{self.ref}-assignment-notice-")
        result: list[bytes] = []

        def make(s):
            from debtordesk.services.factoring import assigned_invoices

            owner = assigned_invoices(s, self.customer_id, self.today, [held[0].invoice_id])[held[0].invoice_id]
            result.append(notice_pdf(s, self.customer_id, owner.id, currency, self.today)[1])

        if self._run(make):
            path.write_bytes(result[0])
            self.last_pdf = path
            if self.open_file is not None:
                self.open_file(path)
