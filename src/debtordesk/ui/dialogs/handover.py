"""Hand-over to a collection agency or a solicitor, from the customer: the invoices to hand over,
the options compared with the user's own figures (keep chasing, an agency at its commission, a
court claim at the fee entered) and then who, when, their reference and the commission; recalling
a hand-over; and writing the evidence pack on the worker (services.evidence).

The arithmetic is domain.handover's; the dialog only reads the figures and shows the result.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from debtordesk.db.engine import Database
from debtordesk.domain.handover import OptionInputs, best_option, parse_percent
from debtordesk.domain.money import MoneyError, parse_amount
from debtordesk.domain.problems import FieldErrors
from debtordesk.ui.formatting import day, money
from debtordesk.ui.messages import tell
from debtordesk.ui.widgets.dates import date_edit, picked
from debtordesk.ui.widgets.form import FieldForm, save_change

SETTINGS = "handover/"
REMEMBERED = ("agency_percent", "commission", "court_fee", "court_percent")
EXPLAIN = ("Expected amounts, not promises: each is the debt times the chance you give it. The court fee is "
           "paid whether the claim is won or lost; your own time, solicitors' costs and enforcement are not "
           "counted. The chance of collecting it yourselves is suggested from your own history when there is one.")


def _right(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def _ok_cancel(dialog: QDialog, layout: QVBoxLayout, text: str) -> QDialogButtonBox:
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, dialog)
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText(text)
    buttons.accepted.connect(dialog.save)
    buttons.rejected.connect(dialog.reject)
    layout.addWidget(buttons)
    return buttons


def _saved(dialog: QDialog, form: FieldForm, title: str, change) -> bool:
    return save_change(dialog, dialog.db, form, title, change)


def _table(parent: QWidget, columns: list[str], name: str) -> QTableWidget:
    table = QTableWidget(0, len(columns), parent)
    table.setHorizontalHeaderLabels(columns)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(parent.fontMetrics().height() + 8)
    table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAccessibleName(name)
    return table


class HandoverDialog(QDialog):
    """Compare the options, then hand the chosen invoices over."""

    def __init__(self, database: Database, customer_id: int, today: date, parent=None, tasks=None):
        super().__init__(parent)
        from debtordesk.services.customers import open_currencies, ref_and_name

        self.db, self.customer_id, self.today = database, customer_id, today
        self.handover_id: int | None = None
        self.debt = None  # services.handover.Claim for every open invoice of the currency
        self.handed: dict[int, str] = {}
        self._history: dict[tuple[str, int], object] = {}
        self._commission_typed = False
        self.tasks = tasks  # ui.workers.TaskRunner for the history, or None to read it here
        self._wanted: tuple[str, int] | None = None
        self._closed = False
        with database.session() as s:
            self.name = ref_and_name(s, customer_id)[1]
            currencies = open_currencies(s, customer_id)
        self.setWindowTitle(f"Hand over {self.name}")
        self.setMinimumSize(980, 680)
        layout = QVBoxLayout(self)

        top = QHBoxLayout()
        self.currency = QComboBox(self)
        self.currency.addItems(currencies)
        self.currency.setAccessibleName("Currency")
        label = QLabel("Cu&rrency:", self)
        label.setBuddy(self.currency)
        top.addWidget(label)
        top.addWidget(self.currency)
        self.chosen_label = QLabel("", self)
        self.chosen_label.setTextFormat(Qt.TextFormat.PlainText)
        top.addWidget(self.chosen_label, 1)
        layout.addLayout(top)

        body = QHBoxLayout()
        left = QVBoxLayout()
        self.invoices = _table(self, ["Invoice", "Due", "Open", "Interest", "Compensation", "Note"],
                               "Invoices to hand over")
        self.invoices.horizontalHeader().setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.invoices.setMinimumHeight(self.fontMetrics().height() * 6)
        left.addWidget(self.invoices, 1)
        self.all_button = QPushButton("&All open invoices", self)
        self.all_button.setToolTip("Hand over the whole account in this currency")
        row = QHBoxLayout()
        row.addWidget(self.all_button)
        row.addStretch(1)
        left.addLayout(row)

        compare = QGroupBox("Compare the options", self)
        cl = QVBoxLayout(compare)
        self.options = _table(compare, ["Option", "Expected in", "Costs", "Expected net"], "Options")
        self.options.setRowCount(3)
        self.options.setFixedHeight(self.options.verticalHeader().defaultSectionSize() * 3
                                    + self.options.horizontalHeader().sizeHint().height() + 4)
        self.options.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        cl.addWidget(self.options)
        self.verdict = QLabel("", compare)
        self.verdict.setWordWrap(True)
        self.verdict.setTextFormat(Qt.TextFormat.PlainText)
        self.verdict.setAccessibleName("Best option")
        font = self.verdict.font()
        font.setBold(True)
        self.verdict.setFont(font)
        cl.addWidget(self.verdict)
        self.workings = QLabel("", compare)
        self.workings.setWordWrap(True)
        self.workings.setTextFormat(Qt.TextFormat.PlainText)
        self.workings.setAccessibleName("How each option is worked out")
        self.workings.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        cl.addWidget(self.workings)
        explain = QLabel(EXPLAIN + " From the day of the hand-over the dunning run leaves the invoices handed over "
                         "out (and says why); recall the hand-over to chase them again.", compare)
        explain.setWordWrap(True)
        explain.setEnabled(False)  # quieter: it explains, it is not a figure
        cl.addWidget(explain)
        cl.addStretch(1)
        left.addWidget(compare, 1)
        body.addLayout(left, 3)

        right = QVBoxLayout()
        figures = QGroupBox("Your figures", self)
        fl = QVBoxLayout(figures)
        self.inputs = FieldForm(figures)
        self.chase = self._percent_field("chase", "Keep chasing: &chance",
                                         "How likely you are to collect what is open yourselves, in %")
        self.agency_percent = self._percent_field("agency_percent", "Agency: share it &recovers",
                                                  "The share of the debt the agency expects to recover, in %")
        self.compare_commission = self._percent_field("agency_commission", "Agency: its co&mmission",
                                                      "The share of what it collects that the agency keeps, in %")
        self.court_fee = self.inputs.add("court_fee", "Court: &fee", QLineEdit(figures),
                                         "The court fee for the claim, paid whether it is won or lost")
        self.court_fee.setPlaceholderText("e.g. 205.00")
        self.court_fee.setMaximumWidth(120)
        self.court_percent = self._percent_field("court_percent", "Court: chance of &winning",
                                                 "How likely the claim is to succeed (and be paid), in %")
        fl.addWidget(self.inputs)
        self.history = QLabel("", figures)
        self.history.setWordWrap(True)
        self.history.setTextFormat(Qt.TextFormat.PlainText)
        self.history.setAccessibleName("Collection history")
        self.history.setEnabled(False)
        fl.addWidget(self.history)
        right.addWidget(figures)

        who = QGroupBox("Hand over to", self)
        wl = QVBoxLayout(who)
        self.form = FieldForm(who)
        self.kind = self.form.add("kind", "&Who", QComboBox(who))
        self.kind.addItem("Collection agency", "agency")
        self.kind.addItem("Solicitor", "solicitor")
        self.agent = self.form.add("name", "&Name", QLineEdit(who), "The agency's or the solicitor's name")
        self.agent.setPlaceholderText("e.g. Smith & Co Solicitors")
        self.handed_on = self.form.add("handed_on", "&Handed over on", date_edit(who, today, "Handed over on"))
        self.reference = self.form.add("reference", "Their &reference", QLineEdit(who),
                                       "The agency's or solicitor's reference for the case")
        self.commission = self.form.add("commission", "Comm&ission %", QLineEdit(who),
                                        "The share of what is collected that they keep (needed for an agency)")
        self.note = self.form.add("note", "N&ote", QLineEdit(who))
        wl.addWidget(self.form)
        right.addWidget(who)
        right.addStretch(1)
        body.addLayout(right, 2)
        layout.addLayout(body, 1)

        self.buttons = _ok_cancel(self, layout, "Hand &over")

        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(150)
        self.timer.timeout.connect(self.update_options)
        settings = QSettings()
        for key, edit in zip(REMEMBERED, (self.agency_percent, self.compare_commission, self.court_fee,
                                          self.court_percent), strict=True):
            edit.setText(str(settings.value(SETTINGS + key, "") or ""))
        for edit in (self.chase, self.agency_percent, self.compare_commission, self.court_fee, self.court_percent):
            edit.textChanged.connect(lambda _t: self.timer.start())
        self.compare_commission.textChanged.connect(self._mirror_commission)
        self.commission.textEdited.connect(self._commission_edited)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.invoices.itemChanged.connect(lambda _i: self._chosen_changed())
        self.all_button.clicked.connect(self.choose_all)
        self.currency.currentIndexChanged.connect(lambda _i: self.load())
        geometry = settings.value("handover/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        self._mirror_commission(self.compare_commission.text())
        self._kind_changed()
        self.load()

    def _percent_field(self, key: str, label: str, tip: str) -> QLineEdit:
        edit = self.inputs.add(key, label, QLineEdit(self), tip)
        edit.setPlaceholderText("%")
        edit.setMaximumWidth(90)
        return edit

    # --- the invoices -----------------------------------------------------------------------------------

    def load(self) -> None:
        from debtordesk.services.handover import claim, handed_invoice_ids

        cur = self.currency.currentText()
        self.debt, self.handed = None, {}
        if cur:
            with self.db.session() as s:
                self.debt = claim(s, self.customer_id, cur, self.today)
                self.handed = {iid: h.agent_name for iid, h in
                               handed_invoice_ids(s, self.customer_id, self.today).items()}
        lines = self.debt.lines if self.debt else []
        self.invoices.blockSignals(True)
        self.invoices.setRowCount(len(lines))
        for r, x in enumerate(lines):
            number = QTableWidgetItem(x.number)
            number.setData(Qt.ItemDataRole.UserRole, x.invoice_id)
            free = x.invoice_id not in self.handed
            number.setFlags(Qt.ItemFlag.ItemIsUserCheckable | (Qt.ItemFlag.ItemIsEnabled if free
                                                                else Qt.ItemFlag.NoItemFlags))
            number.setCheckState(Qt.CheckState.Checked if free else Qt.CheckState.Unchecked)
            note = (f"with {self.handed[x.invoice_id]}" if not free else
                    f"{x.days_overdue} days overdue" if x.days_overdue > 0 else "not yet due")
            self.invoices.setItem(r, 0, number)
            self.invoices.setItem(r, 1, QTableWidgetItem(day(x.due_date)))
            self.invoices.setItem(r, 2, _right(money(x.open_minor, cur)))
            self.invoices.setItem(r, 3, _right(money(x.interest_minor, cur)))
            self.invoices.setItem(r, 4, _right(money(x.compensation_minor, cur)))
            self.invoices.setItem(r, 5, QTableWidgetItem(note))
        self.invoices.resizeColumnsToContents()
        self.invoices.horizontalHeader().setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.invoices.blockSignals(False)
        self._chosen_changed()

    def choose_all(self) -> None:
        self.invoices.blockSignals(True)
        for r in range(self.invoices.rowCount()):
            item = self.invoices.item(r, 0)
            if item.flags() & Qt.ItemFlag.ItemIsEnabled:
                item.setCheckState(Qt.CheckState.Checked)
        self.invoices.blockSignals(False)
        self._chosen_changed()

    def chosen_ids(self) -> list[int]:
        return [self.invoices.item(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(self.invoices.rowCount())
                if self.invoices.item(r, 0).checkState() == Qt.CheckState.Checked]

    def chosen_debt(self):
        """The debt of the chosen invoices (a Claim), or None."""
        if self.debt is None:
            return None
        ids = set(self.chosen_ids())
        return dataclasses.replace(self.debt, lines=[x for x in self.debt.lines if x.invoice_id in ids], problems=[])

    def _every_free_chosen(self) -> bool:
        free = [x.invoice_id for x in (self.debt.lines if self.debt else []) if x.invoice_id not in self.handed]
        return bool(free) and set(free) == set(self.chosen_ids())

    def _chosen_changed(self) -> None:
        debt = self.chosen_debt()
        cur = self.currency.currentText()
        if debt is None or not debt.lines:
            self.chosen_label.setText("Nothing open to hand over." if debt is None or not self.debt.lines
                                      else "Tick the invoices to hand over.")
        else:
            n = len(debt.lines)
            self.chosen_label.setText(
                f"{n} invoice{'s' if n != 1 else ''}: {money(debt.open_minor, cur)} open + "
                f"{money(debt.interest_minor, cur)} interest + {money(debt.compensation_minor, cur)} compensation "
                f"= {money(debt.total_minor, cur)} as of {day(self.today)}; on average {debt.age_days} days "
                "overdue")
            self._suggest_chase(debt)
        self.update_options()

    def _suggest_chase(self, debt) -> None:
        """The keep-chasing chance from the company's history for debt of this age (once per age; on
        the worker when there is one: on a large ledger it reads two years of invoices)."""
        from debtordesk.services.handover import chase_history

        key = (debt.currency, debt.age_days)
        self._wanted = key
        if key in self._history:
            self._show_history(key)
        elif self.tasks is None:
            with self.db.session() as s:
                self._history[key] = chase_history(s, debt.currency, self.today, debt.age_days)
            self._show_history(key)
        else:
            db, today = self.db, self.today
            self.history.setText("Reading your collection history…")

            def job(_report, _should_cancel):
                with db.session() as s:
                    return chase_history(s, key[0], today, key[1])

            def arrived(history) -> None:
                self._history[key] = history
                if not self._closed and self._wanted == key:
                    self._show_history(key)

            self.tasks.run(job, label="Reading your collection history…", on_success=arrived)

    def _show_history(self, key: tuple[str, int]) -> None:
        history = self._history[key]
        self.history.setText(history.describe(key[0]))
        if history.percent is not None and not self.chase.isModified():
            self.chase.setText(format(history.percent.normalize(), "f"))

    # --- the options ----------------------------------------------------------------------------------

    def option_inputs(self) -> OptionInputs:
        """The comparison's figures; FieldErrors naming each one that cannot be read."""
        errors: dict[str, str] = {}
        values = {}
        for key, edit in (("chase", self.chase), ("agency_percent", self.agency_percent),
                          ("agency_commission", self.compare_commission), ("court_percent", self.court_percent)):
            try:
                values[key] = parse_percent(edit.text(), key, key, required=False)
            except FieldErrors:
                errors[key] = "A percentage from 0 to 100."  # short: the field is narrow
        fee = None
        if self.court_fee.text().strip():
            try:
                fee = parse_amount(self.court_fee.text(), self.currency.currentText() or "GBP")
            except MoneyError:
                fee = -1
            if fee < 0:
                errors["court_fee"] = "An amount like 205.00."
        if errors:
            raise FieldErrors(errors)
        return OptionInputs(values["chase"], values["agency_percent"], values["agency_commission"],
                            values["court_percent"], fee)

    def update_options(self) -> None:
        from debtordesk.services.handover import options

        self.timer.stop()
        debt = self.chosen_debt()
        cur = self.currency.currentText()
        try:
            inputs = self.option_inputs()
        except FieldErrors as exc:
            self.inputs.show_errors(exc.errors, focus=False)
            inputs = None
        else:
            self.inputs.show_errors({}, focus=False)
        if debt is None or not debt.lines or inputs is None:
            for r in range(3):
                for c in range(4):
                    self.options.setItem(r, c, QTableWidgetItem(""))
            self.workings.setText("")
            self.verdict.setText("Put the figures marked in red right to compare the options." if inputs is None
                                 else "Choose the invoices to compare the options.")
            return
        found = options(debt, inputs)
        best = best_option(found)
        for r, o in enumerate(found):
            cells = [o.name] + ["—" if m is None else money(m, cur) for m in (o.collected_minor, o.cost_minor,
                                                                           o.net_minor)]
            for c, text in enumerate(cells):
                item = _right(text) if c else QTableWidgetItem(text)
                item.setToolTip(o.workings)
                if o is best:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.options.setItem(r, c, item)
        self.workings.setText("\n".join(
            f"{o.name}: {o.workings}" + ("" if o.net_minor is None else f" = {money(o.net_minor, cur)}")
            for o in found))
        self.verdict.setText(f"Expected to keep the most: {best.name.lower()}, {money(best.net_minor, cur)}."
                             if best else "Enter your figures to compare the options.")

    # --- who and saving ---------------------------------------------------------------------------------

    def _mirror_commission(self, text: str) -> None:
        if not self._commission_typed and self.kind.currentData() == "agency":
            self.commission.setText(text)

    def _commission_edited(self, _text: str) -> None:
        self._commission_typed = True

    def _kind_changed(self, *_args) -> None:
        agency = self.kind.currentData() == "agency"
        self.commission.setPlaceholderText("needed for an agency" if agency else "optional")
        if agency:
            self._mirror_commission(self.compare_commission.text())
        elif not self._commission_typed:
            self.commission.clear()

    def save(self) -> None:
        from debtordesk.services.handover import hand_over

        ids = self.chosen_ids()
        if not ids:
            QMessageBox.warning(self, "Nothing was handed over", "Tick the invoices to hand over first.")
            return

        def change(s) -> None:
            self.handover_id = hand_over(
                s, self.customer_id, self.currency.currentText(), kind=self.kind.currentData(),
                name=self.agent.text(), handed_on=picked(self.handed_on), reference=self.reference.text(),
                commission=self.commission.text(), note=self.note.text(),
                invoice_ids=None if self._every_free_chosen() else ids).id

        if _saved(self, self.form, "Nothing was handed over", change):
            self._remember()
            self.accept()

    def _remember(self) -> None:
        settings = QSettings()
        for key, edit in zip(REMEMBERED, (self.agency_percent, self.compare_commission, self.court_fee,
                                          self.court_percent), strict=True):
            settings.setValue(SETTINGS + key, edit.text().strip())

    def done(self, result: int) -> None:  # remember the size however the dialog closes
        self._closed = True
        QSettings().setValue("handover/geometry", self.saveGeometry())
        super().done(result)


class RecallDialog(QDialog):
    """Take a debt back from the agency or solicitor: which hand-over, when, why."""

    def __init__(self, database: Database, customer_id: int, today: date, parent=None):
        super().__init__(parent)
        from debtordesk.services.handover import customer_handovers

        self.db = database
        self.recalled: int | None = None
        with database.session() as s:
            self.states = [st for st in customer_handovers(s, customer_id, today) if st.active]
        self.setWindowTitle("Recall a hand-over")
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        self.form = FieldForm(self)
        self.which = self.form.add("which", "&Hand-over", QComboBox(self))
        for st in self.states:
            self.which.addItem(f"{st.handover.agent_name} since {day(st.handover.handed_on)}", st.handover.id)
        self.figures = QLabel("", self)
        self.figures.setWordWrap(True)
        self.figures.setTextFormat(Qt.TextFormat.PlainText)
        self.form.layout_.addRow("", self.figures)
        self.on = self.form.add("recalled_on", "&Recalled on", date_edit(self, today, "Recalled on"))
        self.note = self.form.add("note", "&Why", QLineEdit(self))
        self.note.setPlaceholderText("e.g. no progress after three months")
        layout.addWidget(self.form)
        hint = QLabel("From the recall date the dunning run chases these invoices again, from where it stopped.",
                      self)
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.buttons = _ok_cancel(self, layout, "&Recall")
        self.which.currentIndexChanged.connect(self._show)
        self._show()

    def current(self):
        return self.states[self.which.currentIndex()] if self.states and self.which.currentIndex() >= 0 else None

    def _show(self, *_args) -> None:
        st = self.current()
        self.figures.setText(st.describe() if st else "Nothing is handed over.")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(st is not None)

    def save(self) -> None:
        from debtordesk.services.handover import recall_handover

        st = self.current()
        if st is None:
            return
        if _saved(self, self.form, "Not recalled", lambda s: recall_handover(
                s, st.handover.id, picked(self.on), note=self.note.text(), version=st.handover.version)):
            self.recalled = st.handover.id
            self.accept()


# --- the evidence pack ----------------------------------------------------------------------------------

def save_evidence_pack(parent: QWidget, database: Database, tasks, customer_id: int, today: date,
                       path: Path | None = None, done=None):
    """Ask where to save the customer's evidence pack, then write it on the worker (progress and
    Cancel after a moment); tell the user where it is. Returns the task, or None when not asked to."""
    from debtordesk.services.customers import ref_and_name

    with database.session() as s:
        ref, name = ref_and_name(s, customer_id)
    if path is None:
        folder = Path(str(QSettings().value(SETTINGS + "folder", "") or Path.home()))
        chosen, _ = QFileDialog.getSaveFileName(parent, f"Save the evidence pack for {name}",
                                                str(folder / f"{ref}-evidence-{today.isoformat()}.zip"),
                                                "ZIP files (*.zip)")
        if not chosen:
            return None
        path = Path(chosen) if chosen.lower().endswith(".zip") else Path(chosen + ".zip")
        QSettings().setValue(SETTINGS + "folder", str(path.parent))

    def job(report, should_cancel):
        from debtordesk.services.evidence import evidence_pack

        with database.session() as s:
            return evidence_pack(s, customer_id, today, path, report=report, should_cancel=should_cancel)

    def finished(pack) -> None:
        letters = f"{pack.letters} letter{'s' if pack.letters != 1 else ''}"
        tell(parent, f"The evidence pack for {name} is saved in {pack.path}: the summary, the invoices as CSV, "
                     f"{letters} as sent and a manifest of their SHA-256 fingerprints.")
        if done is not None:
            done(pack)

    return tasks.run(job, label=f"Writing the evidence pack for {name}…", on_success=finished)
