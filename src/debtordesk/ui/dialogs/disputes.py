"""Disputes from the invoices list: dispute an invoice (all of it or a part, with the customer's
reason) and resolve the open dispute (a credit note for the disputed part, withdrawn, or split),
with the invoice's dispute history alongside.

The dialogs read the invoice through services, show every refusal under its field (or above the
buttons when it is about the invoice as a whole), and make the change in one transaction: when
anything is refused, nothing is written. The credit-note and write-off dialogs share the frame
here (ui.dialogs.disputes_credits).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from debtordesk.db.engine import Database
from debtordesk.domain.money import MoneyError, format_plain, parse_amount
from debtordesk.domain.problems import FieldErrors, UserError, sentence
from debtordesk.services.disputes import DisputeRow, mark_disputed, open_dispute, resolve_dispute
from debtordesk.ui.formatting import OVERDUE_COLOR, day, money
from debtordesk.ui.widgets.dates import date_edit, picked
from debtordesk.ui.widgets.form import FieldForm


@dataclass(frozen=True)
class InvoiceFacts:
    """What the dialogs show about the invoice, read once when they open."""

    invoice_id: int
    number: str
    customer: str
    issue_date: date
    amount_minor: int
    open_minor: int
    currency: str
    history: tuple[DisputeRow, ...]  # newest first

    @property
    def open_dispute(self) -> DisputeRow | None:
        return next((d for d in self.history if d.resolved_on is None), None)

    def money(self, minor: int) -> str:
        return money(minor, self.currency)


def read_facts(db: Database, invoice_id: int) -> InvoiceFacts:
    from debtordesk.services.disputes import invoice_facts

    with db.session() as s:
        f = invoice_facts(s, invoice_id)
    return InvoiceFacts(f.invoice_id, f.number, f.customer, f.issue_date, f.amount_minor, f.open_minor, f.currency,
                        f.history)


def _plain_label(parent: QWidget, text: str = "", name: str = "") -> QLabel:
    label = QLabel(text, parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    if name:
        label.setAccessibleName(name)
    return label


def text_box(parent: QWidget, lines: int, name: str, hint: str = "") -> QPlainTextEdit:
    box = QPlainTextEdit(parent)
    box.setTabChangesFocus(True)
    box.setFixedHeight(box.fontMetrics().lineSpacing() * lines + 12)
    box.setAccessibleName(name)
    box.setPlaceholderText(hint)
    return box


def amount_edit(parent: QWidget, name: str, value: int | None, currency: str) -> QLineEdit:
    edit = QLineEdit(format_plain(value, currency) if value else "", parent)
    edit.setAccessibleName(name)
    edit.setPlaceholderText(f"e.g. {format_plain(12000, currency)}")
    edit.setMaximumWidth(160)
    return edit


class InvoiceChangeDialog(QDialog):
    """The frame: the invoice at the top, a form, a sentence saying what will happen, the buttons.

    Subclasses add their fields in `build()`, read them in `values()` (FieldErrors for what cannot
    be read), make the change in `change(session, values)` and keep `outcome` up to date."""

    TITLE = ""
    OK_TEXT = "OK"

    def __init__(self, db: Database, today: date, invoice_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.db, self.today = db, today
        self.facts = read_facts(db, invoice_id)
        self.saved = False
        f = self.facts
        self.setWindowTitle(f"{self.TITLE} {f.number}")
        self.setMinimumWidth(580)
        layout = QVBoxLayout(self)
        self.heading = _plain_label(self, f"Invoice {f.number} · {f.customer}", "Invoice")
        font = self.heading.font()
        font.setBold(True)
        font.setPointSize(font.pointSize() + 1)
        self.heading.setFont(font)
        layout.addWidget(self.heading)
        self.figures = _plain_label(self, f"Amount {f.money(f.amount_minor)} · open {f.money(f.open_minor)} · "
                                          f"issued {day(f.issue_date)}", "Invoice amounts")
        layout.addWidget(self.figures)
        self.body = layout
        self.form = FieldForm(self)
        self.outcome = _plain_label(self, "", "What will happen")
        self.problem = _plain_label(self, "", "Problem")
        self.problem.setStyleSheet(f"color: {OVERDUE_COLOR.name()};")
        self.problem.hide()
        self.build()
        layout.addWidget(self.form)
        layout.addWidget(self.outcome)
        layout.addWidget(self.problem)
        layout.addStretch(1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.OK_TEXT)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.update_outcome()

    # --- for subclasses -------------------------------------------------------------------------
    def build(self) -> None:
        raise NotImplementedError

    def values(self) -> dict:
        raise NotImplementedError

    def change(self, session, values: dict) -> None:
        raise NotImplementedError

    def update_outcome(self) -> None:
        pass

    def typed_amount(self, edit: QLineEdit) -> int | None:
        """The amount typed, or None when it is not one (the reason shows when saving)."""
        try:
            return parse_amount(edit.text(), self.facts.currency)
        except MoneyError:
            return None

    def read_amount(self, edit: QLineEdit, errors: dict[str, str], key: str = "amount") -> int | None:
        try:
            return parse_amount(edit.text(), self.facts.currency)
        except MoneyError as exc:
            errors[key] = sentence(str(exc))
            return None

    # --- saving ---------------------------------------------------------------------------------
    def show_problems(self, errors: dict[str, str], general: str = "") -> None:
        """Each refusal under its field; one about the invoice as a whole (or a field not on this
        form) above the buttons."""
        self.form.show_errors(errors)
        rest = [sentence(m) for k, m in errors.items() if k not in self.form.errors]
        if general:
            rest.insert(0, sentence(general))
        self.problem.setText(" ".join(rest))
        self.problem.setVisible(bool(rest))

    def problem_text(self) -> str:
        return self.problem.text() if self.problem.isVisibleTo(self) else ""

    def save(self) -> None:
        try:
            values = self.values()
        except FieldErrors as exc:
            self.show_problems(exc.errors)
            return
        try:
            with self.db.transaction() as s:
                self.change(s, values)
        except FieldErrors as exc:
            self.show_problems(exc.errors)
            return
        except UserError as exc:
            self.show_problems({}, str(exc))
            return
        self.saved = True
        self.accept()


class DisputeDialog(InvoiceChangeDialog):
    """The customer disputes the invoice: all of it, or a part, with their reason."""

    TITLE = "Dispute invoice"
    OK_TEXT = "Dispute"

    def build(self) -> None:
        f = self.facts
        part = QWidget(self)
        pl = QVBoxLayout(part)
        pl.setContentsMargins(0, 0, 0, 0)
        self.whole = QRadioButton(f"The &whole invoice ({f.money(f.amount_minor)})", part)
        self.part = QRadioButton("&Part of it, the amount below", part)
        self.whole.setChecked(True)
        group = QButtonGroup(self)
        for button in (self.whole, self.part):
            group.addButton(button)
            pl.addWidget(button)
        self.form.add("what", "Disputed", part)
        self.amount = self.form.add("amount", f"&Amount ({f.currency})",
                                    amount_edit(self, "Disputed amount", f.open_minor, f.currency),
                                    "The part of the invoice the customer disputes")
        self.reason = self.form.add("reason", "&Reason", text_box(self, 4, "Reason",
                                                                   "What the customer disputes, and why"))
        self.on = self.form.add("date", "&Date", date_edit(self, self.today, "Date of the dispute"))
        self.part.toggled.connect(self._part_toggled)
        self.amount.textEdited.connect(lambda _t: self.update_outcome())
        self._part_toggled(False)
        self.reason.setFocus()

    def _part_toggled(self, on: bool) -> None:
        self.amount.setEnabled(on)
        if on:
            self.amount.setFocus()
            self.amount.selectAll()
        self.update_outcome()

    def update_outcome(self) -> None:
        f = self.facts
        if not self.part.isChecked():
            what = f"the whole invoice ({f.money(f.amount_minor)})"
        else:
            amount = self.typed_amount(self.amount)
            what = f.money(amount) if amount is not None and amount > 0 else "the part typed above"
        self.outcome.setText(f"While the dispute is open, {what} is left out of reminders and interest. The aging "
                             "report still shows the whole open amount until a credit note is given.")

    def values(self) -> dict:
        errors: dict[str, str] = {}
        amount = self.read_amount(self.amount, errors) if self.part.isChecked() else None
        if errors:
            raise FieldErrors(errors)
        return {"amount": amount, "reason": self.reason.toPlainText(), "on": picked(self.on)}

    def change(self, session, values: dict) -> None:
        open_dispute(session, self.facts.invoice_id, values["reason"], values["on"], values["amount"])


HOW = (("credit_note", "&Credit note"), ("withdrawn", "&Withdrawn"), ("split", "&Split"))


EARLIER_SHOWN = 5  # the newest resolved disputes listed in full


def history_text(d: DisputeRow, facts: InvoiceFacts) -> str:
    """'26 Sept 2025 · the whole invoice (€4,512.00): Late delivery.\nWithdrawn on 29 Sept 2025: …'"""
    part = f"the whole invoice ({facts.money(d.amount_minor)})" if d.whole else facts.money(d.amount_minor)
    text = f"{day(d.opened_on)} · {part}: {sentence(d.reason)}"
    if d.resolved_on is None:
        return text + "\nStill open."
    credited = facts.money(d.credited_minor)
    outcome = {"credit_note": f"Credit note for {credited}", "withdrawn": "Withdrawn",
               "split": f"Split: {credited} credited, the rest claimed again"}.get(d.resolution, d.resolution)
    return text + f"\n{outcome} on {day(d.resolved_on)}" + (f": {sentence(d.note)}" if d.note else ".")


class ResolveDisputeDialog(InvoiceChangeDialog):
    """Close the invoice's open dispute: a credit note for the disputed part, withdrawn, or split.

    An invoice marked disputed in older data has no dispute behind it (no reason, no amount): then
    the only choice is to clear the mark."""

    TITLE = "Resolve the dispute on"
    OK_TEXT = "Resolve"

    def build(self) -> None:
        f = self.facts
        self.dispute = f.open_dispute
        d = self.dispute
        box = QGroupBox("The open dispute", self)
        bl = QVBoxLayout(box)
        if d is None:
            text = ("This invoice is marked disputed, but no dispute is recorded for it (no reason or amount: it "
                    "was marked in older data). Withdrawing clears the mark, and the invoice is claimed in full again.")
        else:
            part = f"the whole invoice ({f.money(d.amount_minor)})" if d.whole else f"{f.money(d.amount_minor)} of it"
            text = f"Since {day(d.opened_on)}, {part} is disputed" + (f" (recorded by {d.by})" if d.by else "") + "."
        self.summary = _plain_label(box, text, "Open dispute")
        bl.addWidget(self.summary)
        if d is not None:
            self.reason_shown = _plain_label(box, f"Reason: {d.reason}", "Reason given")
            self.reason_shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            bl.addWidget(self.reason_shown)
        self.body.addWidget(box)
        earlier = [r for r in f.history if r.resolved_on is not None]
        self.history: list[QLabel] = []
        if earlier:
            box = QGroupBox(f"Earlier disputes on this invoice ({len(earlier)})", self)
            bl = QVBoxLayout(box)
            for r in earlier[:EARLIER_SHOWN]:
                label = _plain_label(box, history_text(r, f), "Earlier dispute")
                label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                bl.addWidget(label)
                self.history.append(label)
            if len(earlier) > EARLIER_SHOWN:
                bl.addWidget(_plain_label(box, f"… and {len(earlier) - EARLIER_SHOWN} older (see the customer's "
                                               "activity)."))
            self.body.addWidget(box)

        how = QWidget(self)
        hl = QVBoxLayout(how)
        hl.setContentsMargins(0, 0, 0, 0)
        disputed = f.money(d.amount_minor) if d is not None else ""
        tips = {"credit_note": f"The customer was right: a credit note for the disputed {disputed} (at most what "
                               "is still open)",
                "withdrawn": "The customer accepts the invoice: the disputed part is claimed again",
                "split": "A credit note for part of it (the amount below); the rest is claimed again"}
        self.how_group = QButtonGroup(self)
        self.how_buttons: dict[str, QRadioButton] = {}
        for key, text in HOW:
            button = QRadioButton(text, how)
            button.setToolTip(tips[key])
            button.setEnabled(d is not None or key == "withdrawn")
            self.how_group.addButton(button)
            self.how_buttons[key] = button
            hl.addWidget(button)
        self.how_buttons["credit_note" if d is not None else "withdrawn"].setChecked(True)
        self.form.add("how", "Resolved by", how)
        top = min(d.amount_minor, f.open_minor) if d is not None else 0
        self.amount = self.form.add("amount", f"&Amount to credit ({f.currency})",
                                    amount_edit(self, "Amount to credit", None, f.currency),
                                    "For a split: the part credited; the rest of the disputed amount is claimed "
                                    f"again (less than {f.money(d.amount_minor) if d else '…'}, at most "
                                    f"{f.money(top)})")
        self.note = self.form.add("note", "&Note", text_box(self, 3, "Note", "What was agreed (optional)"))
        self.on = self.form.add("date", "&Date", date_edit(self, self.today, "Date of the resolution"))
        self.amount.textEdited.connect(lambda _t: self.update_outcome())
        for button in self.how_buttons.values():
            button.toggled.connect(lambda _on: self._how_changed())
        self._how_changed()

    def how(self) -> str:
        return next(key for key, button in self.how_buttons.items() if button.isChecked())

    def choose(self, how: str) -> None:
        self.how_buttons[how].setChecked(True)

    def _how_changed(self) -> None:
        split = self.how() == "split"
        self.amount.setEnabled(split)
        if split:
            self.amount.setFocus()
        self.update_outcome()

    def update_outcome(self) -> None:
        if not hasattr(self, "on"):  # still being built
            return
        f, d, how = self.facts, self.dispute, self.how()
        if d is None:
            self.outcome.setText("The mark is cleared: reminders and interest include the invoice again.")
            return
        if how == "withdrawn":
            text = (f"Nothing is credited: the disputed {f.money(d.amount_minor)} is claimed again, with reminders "
                    "and interest.")
        else:
            credit = min(d.amount_minor, f.open_minor) if how == "credit_note" else self.typed_amount(self.amount)
            if credit is None or credit <= 0:
                text = (f"Type the amount to credit; the rest of the disputed {f.money(d.amount_minor)} is claimed "
                        "again.")
            elif credit > f.open_minor:
                text = f"Only {f.money(f.open_minor)} is left to pay; the credit cannot be more."
            else:
                text = (f"A credit note for {f.money(credit)} reduces {f.number} to {f.money(f.open_minor - credit)} "
                        "open.")
                if how == "split" and credit < d.amount_minor:
                    text += f" The other {f.money(d.amount_minor - credit)} is claimed again."
        self.outcome.setText(text)

    def values(self) -> dict:
        how, errors = self.how(), {}
        credited = self.read_amount(self.amount, errors) if how == "split" and self.dispute is not None else None
        if errors:
            raise FieldErrors(errors)
        return {"how": how, "credited": credited, "note": self.note.toPlainText(), "on": picked(self.on)}

    def change(self, session, values: dict) -> None:
        if self.dispute is None:
            mark_disputed(session, self.facts.invoice_id, False, values["on"])
            return
        resolve_dispute(session, self.dispute.dispute_id, values["how"], values["on"],
                        credited_minor=values["credited"], note=values["note"])


def run_invoice_dialog(kind: type[InvoiceChangeDialog], parent: QWidget | None, db: Database, today: date,
                       invoice_id: int) -> bool:
    """Open one of these dialogs modally; whether the change was made."""
    try:
        dialog = kind(db, today, invoice_id, parent)
    except UserError as exc:
        QMessageBox.warning(parent, "Invoice", str(exc))
        return False
    try:
        return dialog.exec() == QDialog.DialogCode.Accepted and dialog.saved
    finally:
        dialog.deleteLater()
