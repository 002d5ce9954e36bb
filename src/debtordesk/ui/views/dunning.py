"""The Dunning screen: as of a date, the letter each customer should get next (or why none);
tick the ones to send, print them as one PDF, then record them as sent."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QSettings, QSortFilterProxyModel, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from debtordesk.db.engine import Database
from debtordesk.domain.problems import Rejected
from debtordesk.services.dunning import dunning_run
from debtordesk.ui.formatting import amounts
from debtordesk.ui.messages import tell
from debtordesk.ui.models.dunning import ProposalTableModel
from debtordesk.ui.widgets.dates import date_edit, picked
from debtordesk.ui.workers import TaskRunner


def open_in_viewer(path: Path) -> None:
    """Hand a PDF to the system's viewer (print preview and printing happen there)."""
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def printout_path(prefix: str) -> Path:
    folder = Path(tempfile.gettempdir()) / "DebtorDesk"
    folder.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkstemp(prefix=prefix, suffix=".pdf", dir=folder)[1])


def letters(n: int) -> str:
    return f"{n} letter" + ("" if n == 1 else "s")


class _SkippedFilter(QSortFilterProxyModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.show_skipped = False

    def filterAcceptsRow(self, row, parent):  # noqa: N802 (Qt override)
        model = self.sourceModel()
        return self.show_skipped or model.proposals[row].proposed


class DunningView(QWidget):
    customer_requested = Signal(int)
    plan_requested = Signal(int, str)  # offer the customer a payment plan for the debts in that currency
    letters_recorded = Signal()

    def __init__(self, db: Database, today: date, tasks: TaskRunner, parent=None):
        super().__init__(parent)
        self.db, self.today, self.tasks = db, today, tasks
        self.open_file: Callable[[Path], None] = open_in_viewer  # tests put a recorder here
        self.loaded = False
        self.last_pdf: Path | None = None

        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Letters due as of", self))
        self.as_of = date_edit(self, today, "As of")
        self.as_of.dateChanged.connect(lambda _d: self.propose())
        bar.addWidget(self.as_of)
        self.show_skipped = QCheckBox("Show customers who get no letter", self)
        self.show_skipped.setChecked(QSettings().value("dunning/show_skipped", False, type=bool))
        self.show_skipped.toggled.connect(self._toggle_skipped)
        bar.addWidget(self.show_skipped)
        bar.addStretch(1)
        layout.addLayout(bar)

        self.summary = QLabel(self)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)

        self.table = QTableView(self)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.setSortingEnabled(False)
        self.table.doubleClicked.connect(self._open_customer)
        self.proxy = _SkippedFilter(self)
        self.proxy.show_skipped = self.show_skipped.isChecked()
        self.model = ProposalTableModel([], self)
        self.model.checked_changed.connect(self._update_summary)
        self.proxy.setSourceModel(self.model)
        self.table.setModel(self.proxy)
        layout.addWidget(self.table, 1)

        buttons = QHBoxLayout()
        self.all_button = QPushButton("Tick all", self)
        self.all_button.clicked.connect(lambda: self.model.set_all(True))
        self.none_button = QPushButton("Tick none", self)
        self.none_button.clicked.connect(lambda: self.model.set_all(False))
        self.print_button = QPushButton("Print chosen letters…", self)
        self.print_button.setToolTip("All the ticked letters in one PDF, opened in your PDF viewer to print")
        self.print_button.clicked.connect(self.print_chosen)
        self.sent_button = QPushButton("Mark chosen as sent…", self)
        self.sent_button.setToolTip("Record the ticked letters as sent today, with a copy of each")
        self.sent_button.clicked.connect(self.mark_chosen_sent)
        self.email_button = QPushButton("E-mail chosen letters…", self)
        self.email_button.setToolTip("Send the ticked letters as PDF attachments to the customers' e-mail "
                                     "addresses; each one sent is recorded")
        self.email_button.clicked.connect(self.email_chosen)
        self.plan_button = QPushButton("Offer a payment plan…", self)
        self.plan_button.setToolTip("Agree a payment plan with the selected customer over their overdue invoices")
        self.plan_button.clicked.connect(self.offer_plan)
        for b in (self.all_button, self.none_button, self.plan_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.email_button)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.sent_button)
        layout.addLayout(buttons)
        self._update_summary()

    # --- loading -----------------------------------------------------------------------------------
    def selected_date(self) -> date:
        return picked(self.as_of)

    def ensure_loaded(self) -> None:
        if not self.loaded:
            self.propose()

    def refresh(self) -> None:
        self.propose()

    def propose(self) -> None:
        db, as_of = self.db, self.selected_date()
        self.loaded = True
        self.summary.setText("Working out who should get a letter…")

        def job(report, should_cancel):
            with db.session() as session:
                return dunning_run(session, as_of, report=report, should_cancel=should_cancel)

        self.tasks.run(job, label="Working out who should get a letter…", on_success=self.show_proposals)

    def show_proposals(self, proposals) -> None:
        self.model = ProposalTableModel(proposals, self)
        self.model.checked_changed.connect(self._update_summary)
        self.proxy.setSourceModel(self.model)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.resizeColumnsToContents()
        header.setStretchLastSection(True)
        self.table.setColumnHidden(10, not self.proxy.show_skipped)
        self._update_summary()

    def _toggle_skipped(self, on: bool) -> None:
        QSettings().setValue("dunning/show_skipped", on)
        self.proxy.show_skipped = on
        self.proxy.invalidate()
        self.table.setColumnHidden(10, not on)

    def _update_summary(self) -> None:
        proposals = self.model.proposals
        chosen = self.model.chosen()
        proposed = sum(1 for p in proposals if p.proposed)
        skipped = len(proposals) - proposed
        if not proposals:
            text = "Nobody is overdue as of this date: no letters to send." if self.loaded else ""
        else:
            totals: dict[str, int] = {}
            for p in chosen:
                totals[p.currency] = totals.get(p.currency, 0) + p.total_minor
            text = (f"{letters(proposed)} proposed, {len(chosen)} ticked"
                    + (f" (total {amounts(totals)})" if chosen else "")
                    + (f"; {skipped} overdue customer{'s' if skipped != 1 else ''} get no letter now"
                       + ("" if self.proxy.show_skipped else " (tick “Show customers who get no letter” to see why)")
                       if skipped else "") + ".")
        self.summary.setText(text)
        self.print_button.setEnabled(bool(chosen))
        self.sent_button.setEnabled(bool(chosen))
        self.email_button.setEnabled(bool(chosen))

    def _open_customer(self, index) -> None:
        row = self.proxy.mapToSource(index).row()
        self.customer_requested.emit(self.model.proposals[row].customer_id)

    # --- actions --------------------------------------------------------------------------------------
    def current(self):
        """The proposal chosen (its customer is the one Edit ▸ Log a call… is about)."""
        index = self.table.currentIndex()
        return self.model.proposals[self.proxy.mapToSource(index).row()] if index.isValid() else None

    def offer_plan(self) -> None:
        p = self.current()
        if p is None:
            tell(self, "Select the customer to offer a payment plan first.")
            return
        self.plan_requested.emit(p.customer_id, p.currency)

    def print_chosen(self) -> None:
        chosen = self.model.chosen()
        if not chosen:
            tell(self, "Tick the letters to print first.")
            return
        db, as_of = self.db, self.selected_date()
        path = printout_path(f"letters-{as_of.isoformat()}-")

        def job(report, should_cancel):
            from debtordesk.services.dunning_letters import render_run  # reportlab: loaded when first needed

            with db.session() as session:
                pdf = render_run(session, chosen, as_of, report=report, should_cancel=should_cancel)
            path.write_bytes(pdf)
            return path

        def done(result: Path) -> None:
            self.last_pdf = result
            self.open_file(result)
            self.summary.setText(f"{letters(len(chosen))} ready to print in "
                                 f"{result}. After printing, choose “Mark chosen as sent”.")

        self.tasks.run(job, label=f"Preparing {letters(len(chosen))}…",
                       on_success=done, on_cancelled=lambda: path.unlink(missing_ok=True))

    def mark_chosen_sent(self) -> None:
        chosen = self.model.chosen()
        if not chosen:
            tell(self, "Tick the letters that were sent first.")
            return
        if self._confirm("Mark as sent", f"Record {letters(len(chosen))} as sent on {self.selected_date():%d %B %Y}, "
                         "the date they carry? A copy of each is kept with the customer and the next run "
                         "escalates from it."):
            self.record(chosen)

    def record(self, chosen) -> None:
        db, as_of = self.db, self.selected_date()
        keys = [p.letter_key for p in chosen]

        def job(report, should_cancel):
            from debtordesk.services.dunning_letters import mark_sent

            with db.transaction() as session:
                return mark_sent(session, keys, as_of, as_of,  # sent on the date the letters carry
                                 report=report, should_cancel=should_cancel)

        def done(sent) -> None:
            self.letters_recorded.emit()
            self.propose()
            tell(self, f"Recorded {letters(len(sent))} as sent.")

        self.tasks.run(job, label="Recording the letters as sent…", on_success=done,
                       on_error=lambda exc: self._failed(exc, "recorded"))

    def email_chosen(self) -> None:
        from debtordesk.services.settings import get_settings
        from debtordesk.ui.dialogs.mail_settings import mail_password

        chosen = self.model.chosen()
        if not chosen:
            tell(self, "Tick the letters to e-mail first.")
            return
        if not self._confirm("E-mail letters", f"E-mail {letters(len(chosen))} now? Each one that goes is recorded "
                             "as sent; any that cannot be sent stay in the list with the reason."):
            return
        with self.db.session() as session:
            password = mail_password(get_settings(session))
        self.send_emails(chosen, password)

    def send_emails(self, chosen, password: str | None) -> None:
        from debtordesk.services.dunning_mail import MailCancelled, email_letters

        db, as_of, today = self.db, self.selected_date(), self.today
        keys = [p.letter_key for p in chosen]

        def job(report, should_cancel):
            with db.session() as session:  # each e-mail sent is committed on its own
                try:
                    return email_letters(session, keys, as_of, today, password, report=report,
                                         should_cancel=should_cancel)
                except MailCancelled as exc:
                    return exc.outcome

        def done(outcome) -> None:
            self.letters_recorded.emit()
            self.propose()
            text = f"E-mailed {letters(len(outcome.sent))}."
            if outcome.failed:
                text += "\n\nNot sent:\n" + "\n".join(f"• {name}: {why}" for name, why in outcome.failed)
            tell(self, text, QMessageBox.Icon.Warning if outcome.failed else QMessageBox.Icon.Information)

        self.tasks.run(job, label="E-mailing the letters…", on_success=done,
                       on_error=lambda exc: self._failed(exc, "e-mailed"))

    def _confirm(self, title: str, question: str) -> bool:
        answer = QMessageBox.question(self, title, question,
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                                      QMessageBox.StandardButton.Yes)
        return answer == QMessageBox.StandardButton.Yes

    def _failed(self, exc: Exception, done: str) -> None:
        """A refusal because accounts changed since the proposal: say which, and propose again."""
        if isinstance(exc, Rejected):
            tell(self, f"No letter was {done}, because the accounts changed since the letters were proposed:\n\n"
                 + "\n".join(str(p) for p in exc.problems) + "\n\nThe list has been worked out again.",
                 QMessageBox.Icon.Warning)
            self.propose()
        else:
            self.tasks.show_error(exc)
