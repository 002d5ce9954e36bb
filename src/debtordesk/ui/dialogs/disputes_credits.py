"""Reduce an invoice without money coming in, from the invoices list: a credit note (the customer
is owed a reduction) or a write-off of bad debt. Both show what will happen before it is done; a
refusal appears under its field and nothing is written."""

from __future__ import annotations

from debtordesk.domain.problems import FieldErrors
from debtordesk.services.adjustments import credit_note, write_off
from debtordesk.ui.dialogs.disputes import InvoiceChangeDialog, amount_edit, text_box
from debtordesk.ui.widgets.dates import date_edit, picked


class _ReductionDialog(InvoiceChangeDialog):
    """Amount (what is open, to start with), reason and date."""

    REASON_HINT = ""
    AMOUNT_TIP = ""

    def build(self) -> None:
        f = self.facts
        self.amount = self.form.add("amount", f"&Amount ({f.currency})",
                                    amount_edit(self, "Amount", f.open_minor, f.currency), self.AMOUNT_TIP)
        self.reason = self.form.add("reason", "&Reason", text_box(self, 3, "Reason", self.REASON_HINT))
        self.on = self.form.add("date", "&Date", date_edit(self, self.today, "Date"))
        self.amount.textEdited.connect(lambda _t: self.update_outcome())
        self.amount.setFocus()
        self.amount.selectAll()

    def values(self) -> dict:
        errors: dict[str, str] = {}
        amount = self.read_amount(self.amount, errors)
        if errors:
            raise FieldErrors(errors)
        return {"amount": amount, "reason": self.reason.toPlainText(), "on": picked(self.on)}

    def _amount_shown(self) -> int | None:
        """The amount typed when it is one the invoice can take, else None."""
        amount = self.typed_amount(self.amount)
        return amount if amount is not None and 0 < amount <= self.facts.open_minor else None


class CreditNoteDialog(_ReductionDialog):
    TITLE = "Credit note for"
    OK_TEXT = "Give credit note"
    REASON_HINT = "Why the customer is credited, e.g. goods returned (kept with the invoice)"
    AMOUNT_TIP = "The reduction of the invoice; at most what is still open"

    def update_outcome(self) -> None:
        f, amount = self.facts, self._amount_shown()
        if amount is None:
            self.outcome.setText(f"Type the amount to credit, at most the {f.money(f.open_minor)} still open.")
            return
        self.outcome.setText(f"A credit note for {f.money(amount)} reduces {f.number} to "
                             f"{f.money(f.open_minor - amount)} open. It is numbered (CN-0001, CN-0002, …) when "
                             "it is saved.")

    def change(self, session, values: dict) -> None:
        credit_note(session, self.facts.invoice_id, values["amount"], values["on"], values["reason"])


class WriteOffDialog(_ReductionDialog):
    TITLE = "Write off"
    OK_TEXT = "Write off"
    REASON_HINT = "Why the debt will not be collected, e.g. customer insolvent (for the write-off report)"
    AMOUNT_TIP = "The bad debt written off; what is left to pay, or part of it"

    def update_outcome(self) -> None:
        f, amount = self.facts, self._amount_shown()
        if amount is None:
            self.outcome.setText(f"Type the amount to write off, at most the {f.money(f.open_minor)} still open.")
            return
        text = (f"{f.money(amount)} of {f.number} will be written off as bad debt. It leaves the aging report and "
                "appears in the write-off report.")
        if amount < f.open_minor:
            text += f" The other {f.money(f.open_minor - amount)} stays open."
        self.outcome.setText(text)

    def change(self, session, values: dict) -> None:
        write_off(session, self.facts.invoice_id, values["on"], values["reason"], values["amount"])
