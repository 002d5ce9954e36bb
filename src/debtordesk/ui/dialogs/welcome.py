"""The first-run welcome: the company profile and a choice between sample data and an empty
database. Nothing is saved until every field is right; the sample data is added off the UI
thread, in the same transaction as the profile."""

from __future__ import annotations

from datetime import date

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from debtordesk.db.engine import Database
from debtordesk.domain.company import check_company
from debtordesk.domain.customers import FieldErrors
from debtordesk.domain.progress import Cancelled, Progress
from debtordesk.services.company import company_form, save_company
from debtordesk.services.demo import fill_demo
from debtordesk.ui.widgets.company_fields import BANK, BUSINESS, MONEY, CompanyFields
from debtordesk.ui.workers import TaskRunner


class WelcomeDialog(CompanyFields, QDialog):
    """Shown when a database has no company name and no customers yet."""

    def __init__(self, db: Database, today: date, parent: QWidget | None = None):
        super().__init__(parent)
        self.db, self.today = db, today
        self.started_with_sample = False
        self.busy = False
        self.tasks = TaskRunner(self)
        self.setWindowTitle("Welcome to DebtorDesk")
        self.inputs: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}

        heading = QLabel("Welcome to DebtorDesk", self)
        font = heading.font()
        font.setPointSize(font.pointSize() + 6)
        font.setBold(True)
        heading.setFont(font)
        intro = QLabel(
            "Tell DebtorDesk about your business. Your name, address and bank details go on every "
            "reminder and letter; you can change them later.", self)
        intro.setWordWrap(True)

        grid = QGridLayout()
        grid.addWidget(self._group("Your business", BUSINESS), 0, 0)
        grid.addWidget(self._group("Bank details (printed on letters)", BANK), 0, 1)
        grid.addWidget(self._group("Currency and interest", MONEY), 1, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)

        start = QGroupBox("How would you like to start?", self)
        self.sample_choice = QRadioButton("Start with &sample data to explore", start)
        self.empty_choice = QRadioButton("Start with an &empty database", start)
        self.empty_choice.setChecked(True)
        choices = QButtonGroup(self)
        choices.addButton(self.sample_choice)
        choices.addButton(self.empty_choice)
        start_layout = QVBoxLayout(start)
        for button, note in (
            (self.sample_choice, "24 made-up customers with invoices and payments, to try every screen. "
                                 "Leave your details empty to use a made-up company too."),
            (self.empty_choice, "For your real accounts: import your customers from a spreadsheet "
                                "(File ▸ Import) or add them yourself."),
        ):
            start_layout.addWidget(button)
            label = QLabel(note, start)
            label.setWordWrap(True)
            label.setIndent(24)
            label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            start_layout.addWidget(label)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.start_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.start_button.setText("Start")
        self.buttons.accepted.connect(self.start)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addLayout(grid)
        layout.addWidget(start)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

        with db.session() as session:
            self.set_values(company_form(session))
        order = [self.inputs[k] for k in (*BUSINESS, *BANK, *MONEY)]
        order += [self.sample_choice, self.empty_choice, self.start_button,
                  self.buttons.button(QDialogButtonBox.StandardButton.Cancel)]
        for first, second in zip(order, order[1:], strict=False):
            QWidget.setTabOrder(first, second)
        self.inputs["name"].setFocus()
        self.resize(800, self.sizeHint().height())

    def _fit(self) -> None:
        """Grow to show every message in full (wrapped labels do not raise the minimum size)."""
        layout = self.layout()
        layout.activate()
        needed = layout.totalHeightForWidth(self.width()) if layout.hasHeightForWidth() else -1
        self.resize(self.width(), max(self.height(), needed))

    # -- starting ------------------------------------------------------------------------------

    def start(self) -> None:
        if self.busy:
            return
        values = self.values()
        sample = self.sample_choice.isChecked()
        if sample and not any(values[k].strip() for k in (*BUSINESS, *BANK)):
            values = {}  # explore with the made-up company that comes with the sample data
        else:
            errors = check_company(values).errors
            if not sample and not values["name"].strip():
                errors["name"] = "Company name is required (or choose sample data to explore with a made-up company)."
            if errors:
                self.show_errors(errors)
                return
        self.show_errors({})
        db, today = self.db, self.today

        def job(report, should_cancel):
            with db.transaction() as session:
                if values:
                    save_company(session, values)
                if sample:
                    report(Progress(0, None, "Adding sample customers, invoices and payments…"))
                    fill_demo(session, today)
                if should_cancel():
                    raise Cancelled  # rolls the transaction back: nothing is kept
            return sample

        self._set_busy(True)
        label = "Adding the sample data…" if sample else "Saving your details…"
        self.tasks.run(job, label=label, on_success=self._started, on_error=self._failed,
                       on_cancelled=lambda: self._set_busy(False))

    def _started(self, sample: bool) -> None:
        self._set_busy(False)
        self.started_with_sample = sample
        self.accept()

    def _failed(self, exc: Exception) -> None:
        self._set_busy(False)
        if isinstance(exc, FieldErrors):
            self.show_errors(exc.errors)
        else:
            self.tasks.show_error(exc)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        for widget in (*self.inputs.values(), self.sample_choice, self.empty_choice, self.buttons):
            widget.setEnabled(not busy)

    def reject(self) -> None:
        if not self.busy:  # the work in progress is cancelled from its own progress dialog
            super().reject()
