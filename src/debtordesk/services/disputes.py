"""Disputes: a customer disputes an invoice, or part of its amount, with a reason.

While a dispute is open its part is left out of reminders and interest (the invoice keeps
`disputed` and `disputed_minor` up to date for the lists and the dunning run; the aging report still
shows the whole open amount — a disputed debt is still a debt until it is credited). A dispute is
resolved in one of three ways:

- by a credit note for the disputed part (the customer was right): the invoice is reduced;
- by withdrawal (the customer accepts the invoice): the disputed part is claimed again;
- by a split: a credit note for part of it, the rest claimed again.

Resolved disputes are kept, with their resolution, as the invoice's dispute history; opening and
resolving each add an entry to the customer's activity log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from debtordesk.config import current_user
from debtordesk.db.models import Customer, Dispute, Invoice
from debtordesk.domain.money import format_money, format_plain
from debtordesk.domain.problems import FieldErrors, UserError
from debtordesk.services.activity import record_event
from debtordesk.services.adjustments import MAX_REASON, reduce_invoice

RESOLUTIONS = {"credit_note": "Credit note", "withdrawn": "Withdrawn", "split": "Split"}


class DisputeError(UserError):
    """A dispute refused; the message is meant for the user."""


def open_dispute_of(session: Session, invoice_id: int) -> Dispute | None:
    return session.scalars(select(Dispute).where(Dispute.invoice_id == invoice_id, Dispute.resolved_on.is_(None))
                           .order_by(Dispute.id.desc())).first()


def open_dispute(session: Session, invoice_id: int, reason: str, on: date, amount_minor: int | None = None,
                 who: str | None = None) -> Dispute:
    """Mark the invoice disputed: all of it (`amount_minor` None) or that part of its amount."""
    inv = session.get(Invoice, invoice_id)
    if inv is None:
        raise DisputeError("That invoice is no longer in the database.")
    current = open_dispute_of(session, invoice_id)
    if current is not None:
        raise DisputeError(f"Invoice {inv.number} is already disputed (since {current.opened_on.isoformat()}); "
                           "resolve that dispute before opening another.")
    whole = amount_minor is None
    amount = inv.amount_minor if whole else amount_minor
    errors = {}
    if not reason.strip():
        errors["reason"] = "Say what the customer disputes (it goes on the invoice's dispute history)."
    elif len(reason) > MAX_REASON:
        errors["reason"] = f"The reason can be at most {MAX_REASON} characters."
    if not whole and amount <= 0:
        errors["amount"] = "The disputed amount must be more than zero."
    elif not whole and amount > inv.open_minor:
        errors["amount"] = (f"Only {format_plain(inv.open_minor, inv.currency)} {inv.currency} is left to pay on "
                            f"invoice {inv.number}; the disputed part cannot be more.")
    if on < inv.issue_date:
        errors["date"] = f"A dispute cannot start before the invoice was issued ({inv.issue_date.isoformat()})."
    if errors:
        raise FieldErrors(errors)
    who = who if who is not None else current_user()
    d = Dispute(invoice_id=inv.id, amount_minor=amount, reason=reason.strip(), opened_on=on, created_by=who)
    session.add(d)
    inv.disputed, inv.disputed_minor = True, amount
    part = "the whole invoice" if whole else format_money(amount, inv.currency)
    record_event(session, inv.customer_id, on, f"Invoice {inv.number} disputed ({part}): {reason.strip()}", who,
                 outcome="disputed")
    session.flush()
    return d


def resolve_dispute(session: Session, dispute_id: int, how: str, on: date, *, credited_minor: int | None = None,
                    note: str = "", who: str | None = None) -> Dispute:
    """Close an open dispute: "credit_note" (the disputed part, at most what is still open, is credited),
    "withdrawn" (nothing credited) or "split" (`credited_minor`, more than nothing and less than the part)."""
    d = session.get(Dispute, dispute_id)
    if d is None:
        raise DisputeError("That dispute is no longer in the database.")
    if d.resolved_on is not None:
        raise DisputeError(f"This dispute was already resolved on {d.resolved_on.isoformat()}.")
    if how not in RESOLUTIONS:
        raise ValueError(how)
    inv = session.get(Invoice, d.invoice_id)
    errors = {}
    if on < d.opened_on:
        errors["date"] = f"The dispute cannot be resolved before it was opened ({d.opened_on.isoformat()})."
    if len(note) > MAX_REASON:
        errors["note"] = f"The note can be at most {MAX_REASON} characters."
    credit = 0
    if how == "credit_note":
        credit = min(d.amount_minor, inv.open_minor)
        if credit == 0:
            errors["how"] = f"Nothing is left to pay on invoice {inv.number}, so there is nothing to credit."
    elif how == "split":
        credit = credited_minor or 0
        top = min(d.amount_minor, inv.open_minor)
        if credit <= 0 or credit >= d.amount_minor:
            errors["amount"] = (f"For a split, credit more than nothing and less than the disputed "
                                f"{format_plain(d.amount_minor, inv.currency)} {inv.currency}.")
        elif credit > top:
            errors["amount"] = (f"Only {format_plain(inv.open_minor, inv.currency)} {inv.currency} is left to pay on "
                                f"invoice {inv.number}; the credit cannot be more.")
    if errors:
        raise FieldErrors(errors)
    who = who if who is not None else current_user()
    reason = f"Dispute: {d.reason}" + (f" — {note.strip()}" if note.strip() else "")
    if credit:
        c = reduce_invoice(session, inv.id, "credit_note", credit, on, reason, who=who, log=False)
        d.credit_id = c.id
        credited = f"credit note {c.reference} for {format_money(credit, inv.currency)}"
    d.resolved_on, d.resolution, d.credited_minor, d.resolution_note = on, how, credit, note.strip()
    inv.disputed, inv.disputed_minor = False, 0
    said = {"credit_note": f"resolved by {credited if credit else 'a credit note'}",
            "withdrawn": "withdrawn: the invoice is claimed in full again",
            "split": f"split: {credited if credit else ''}, the rest claimed again"}[how]
    record_event(session, inv.customer_id, on, f"Dispute on invoice {inv.number} {said}.", who, remark=note)
    session.flush()
    return d


def mark_disputed(session: Session, invoice_id: int, disputed: bool, on: date, reason: str = "") -> None:
    """The quick toggle of the invoices list: dispute the whole invoice, or withdraw its open dispute."""
    if disputed:
        open_dispute(session, invoice_id, reason or "Marked disputed from the invoices list.", on)
        return
    d = open_dispute_of(session, invoice_id)
    if d is not None:
        resolve_dispute(session, d.id, "withdrawn", max(on, d.opened_on))
        return
    inv = session.get(Invoice, invoice_id)  # a flag with no dispute behind it (set by hand in old data)
    if inv is not None:
        inv.disputed, inv.disputed_minor = False, 0
        session.flush()


@dataclass(frozen=True)
class DisputeRow:
    dispute_id: int
    opened_on: date
    amount_minor: int
    currency: str
    whole: bool
    reason: str
    resolved_on: date | None
    resolution: str
    credited_minor: int
    note: str
    by: str


@dataclass(frozen=True)
class InvoiceFacts:
    """What the dispute, credit note and write-off dialogs show about an invoice."""

    invoice_id: int
    number: str
    customer: str  # "Name (REF)"
    issue_date: date
    amount_minor: int
    open_minor: int
    currency: str
    history: tuple[DisputeRow, ...]  # newest first


def invoice_facts(session: Session, invoice_id: int) -> InvoiceFacts:
    row = session.execute(select(Invoice.number, Invoice.issue_date, Invoice.amount_minor, Invoice.open_minor,
                                 Invoice.currency, Customer.name, Customer.ref)
                          .join(Customer, Customer.id == Invoice.customer_id).where(Invoice.id == invoice_id)).first()
    if row is None:
        raise DisputeError("That invoice is no longer in the database.")
    return InvoiceFacts(invoice_id, row.number, f"{row.name} ({row.ref})", row.issue_date, int(row.amount_minor),
                        int(row.open_minor), row.currency, tuple(dispute_history(session, invoice_id)))


def dispute_history(session: Session, invoice_id: int) -> list[DisputeRow]:
    """Every dispute on the invoice, newest first."""
    rows = session.execute(select(Dispute, Invoice.currency, Invoice.amount_minor)
                           .join(Invoice, Invoice.id == Dispute.invoice_id)
                           .where(Dispute.invoice_id == invoice_id).order_by(Dispute.id.desc())).all()
    return [DisputeRow(d.id, d.opened_on, d.amount_minor, cur, d.amount_minor == amount, d.reason, d.resolved_on,
                       d.resolution, d.credited_minor, d.resolution_note, d.created_by) for d, cur, amount in rows]
