"""Reducing an invoice without money coming in: credit notes, write-offs of bad debt and
early-settlement discounts.

Each is a credit of its kind on the customer's account, dated, allocated in full to one invoice
(db.models.Payment with kind "credit_note" / "write_off" / "discount"). So the aging report,
statements, reminders and every "open as of a date" sum count it from its date exactly like a
payment, while what counts money received (payments list, promises, plans, days late, recoveries)
reads kind "payment" only.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from debtordesk.db.ledger import refresh_open
from debtordesk.db.locks import lock_customers
from debtordesk.db.models import Allocation, Customer, Invoice, Payment
from debtordesk.domain.money import format_money, format_plain
from debtordesk.domain.problems import FieldErrors, UserError
from debtordesk.services.activity import record_event

KIND_NAMES = {"payment": "Payment", "credit_note": "Credit note", "write_off": "Write-off",
              "discount": "Early-payment discount"}
MAX_REASON = 2000


class AdjustmentError(UserError):
    """A credit note or write-off refused; the message is meant for the user."""


def _next_credit_number(session: Session) -> str:
    n = int(session.scalar(select(func.count()).where(Payment.kind == "credit_note")) or 0) + 1
    while True:
        number = f"CN-{n:04d}"
        if session.scalar(select(Payment.id).where(Payment.kind == "credit_note", Payment.reference == number)) is None:
            return number
        n += 1


def _invoice(session: Session, invoice_id: int) -> Invoice:
    inv = session.get(Invoice, invoice_id)
    if inv is None:
        raise AdjustmentError("That invoice is no longer in the database.")
    return inv


def reduce_invoice(session: Session, invoice_id: int, kind: str, amount_minor: int, on: date, reason: str = "",
                   *, reference: str = "", who: str | None = None, log: bool = True) -> Payment:
    """Reduce one invoice by `amount_minor` as a credit of `kind` dated `on` (one flush; the caller
    commits). Refused: nothing or more than is left to pay, a date before the invoice."""
    if kind not in KIND_NAMES or kind == "payment":
        raise ValueError(f"not an adjustment kind: {kind}")
    inv = _invoice(session, invoice_id)
    lock_customers(session, [inv.customer_id])  # then read what is left to pay as it is now
    session.refresh(inv)
    name = KIND_NAMES[kind].lower()
    errors = {}
    if amount_minor <= 0:
        errors["amount"] = f"The amount of a {name} must be more than zero."
    elif amount_minor > inv.open_minor:
        errors["amount"] = (f"Only {format_plain(inv.open_minor, inv.currency)} {inv.currency} is left to pay on "
                            f"invoice {inv.number}; a {name} cannot be for more.")
    if on < inv.issue_date:
        errors["date"] = (f"A {name} cannot be dated before the invoice ({inv.number} was issued on "
                          f"{inv.issue_date.isoformat()}).")
    if kind == "write_off" and not reason.strip():
        errors["reason"] = "Say why the debt is written off (for the write-off report and the accounts)."
    if len(reason) > MAX_REASON:
        errors["reason"] = f"The reason can be at most {MAX_REASON} characters."
    if errors:
        raise FieldErrors(errors)
    if kind == "credit_note" and not reference:
        reference = _next_credit_number(session)
    credit = Payment(customer_id=inv.customer_id, date=on, amount_minor=amount_minor, currency=inv.currency,
                     reference=reference or inv.number, method="", kind=kind, reason=reason.strip(),
                     named_invoice_id=inv.id)
    credit.allocations = [Allocation(invoice_id=inv.id, amount_minor=amount_minor)]
    session.add(credit)
    session.flush()
    refresh_open(session, invoice_ids=[inv.id], payment_ids=[credit.id])
    if log:
        what = f"{KIND_NAMES[kind]} {reference} on" if kind == "credit_note" else f"{KIND_NAMES[kind]} of"
        note = f"{what} invoice {inv.number}: {format_money(amount_minor, inv.currency)}."
        if reason.strip():
            note += f" Reason: {reason.strip()}"
        record_event(session, inv.customer_id, on, note, who)
    return credit


def credit_note(session: Session, invoice_id: int, amount_minor: int, on: date, reason: str,
                who: str | None = None) -> Payment:
    """A credit note (numbered CN-0001, …) reducing the invoice by `amount_minor`."""
    return reduce_invoice(session, invoice_id, "credit_note", amount_minor, on, reason, who=who)


def write_off(session: Session, invoice_id: int, on: date, reason: str, amount_minor: int | None = None,
              who: str | None = None) -> Payment:
    """Write off bad debt on one invoice: what is left to pay, or `amount_minor` of it."""
    inv = _invoice(session, invoice_id)
    return reduce_invoice(session, invoice_id, "write_off", inv.open_minor if amount_minor is None else amount_minor,
                          on, reason, who=who)


def write_off_invoices(session: Session, invoice_ids: Sequence[int], on: date, reason: str,
                       who: str | None = None) -> list[Payment]:
    """Write off what is left on each invoice (all or nothing: the caller's transaction)."""
    invoices = [_invoice(session, i) for i in invoice_ids]
    open_ones = [inv for inv in invoices if inv.open_minor > 0]
    if not open_ones:
        raise AdjustmentError("Nothing is left to pay on the chosen invoices, so there is nothing to write off.")
    return [write_off(session, inv.id, on, reason, who=who) for inv in open_ones]


# --- what was reduced, per invoice and as a report ------------------------------------------------

@dataclass(frozen=True)
class Credit:
    credit_id: int
    kind: str
    on: date
    reference: str
    amount_minor: int
    currency: str
    reason: str
    invoice_id: int
    invoice_number: str

    @property
    def kind_name(self) -> str:
        return KIND_NAMES[self.kind]


def _credits(session: Session, *where) -> list[Credit]:
    q = (select(Payment.id, Payment.kind, Payment.date, Payment.reference, Allocation.amount_minor, Payment.currency,
                Payment.reason, Invoice.id.label("iid"), Invoice.number)
         .join(Allocation, Allocation.payment_id == Payment.id)
         .join(Invoice, Invoice.id == Allocation.invoice_id)
         .where(Payment.kind != "payment", *where)
         .order_by(Payment.date, Payment.id))
    return [Credit(r.id, r.kind, r.date, r.reference, int(r.amount_minor), r.currency, r.reason, r.iid, r.number)
            for r in session.execute(q)]


def invoice_credits(session: Session, invoice_id: int) -> list[Credit]:
    """The credit notes, write-offs and discounts on one invoice, oldest first."""
    return _credits(session, Allocation.invoice_id == invoice_id)


@dataclass(frozen=True)
class WriteOffRow:
    on: date
    customer_id: int
    customer_ref: str
    customer_name: str
    invoice_number: str
    amount_minor: int
    currency: str
    reason: str


@dataclass
class WriteOffReport:
    start: date
    end: date
    rows: list[WriteOffRow] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)  # per currency


def write_off_report(session: Session, start: date, end: date, customer_id: int | None = None) -> WriteOffReport:
    """Every write-off dated from `start` to `end` (inclusive), oldest first, with totals per currency."""
    if start > end:
        raise UserError("The report must start on or before its end date.")
    q = (select(Payment.date, Customer.id, Customer.ref, Customer.name, Invoice.number, Allocation.amount_minor,
                Payment.currency, Payment.reason)
         .join(Allocation, Allocation.payment_id == Payment.id)
         .join(Invoice, Invoice.id == Allocation.invoice_id)
         .join(Customer, Customer.id == Payment.customer_id)
         .where(Payment.kind == "write_off", Payment.date >= start, Payment.date <= end)
         .order_by(Payment.date, Customer.name, Invoice.number))
    if customer_id is not None:
        q = q.where(Payment.customer_id == customer_id)
    report = WriteOffReport(start, end)
    totals: dict[str, int] = defaultdict(int)
    for r in session.execute(q):
        report.rows.append(WriteOffRow(r.date, r.id, r.ref, r.name, r.number, int(r.amount_minor), r.currency,
                                       r.reason))
        totals[r.currency] += int(r.amount_minor)
    report.totals = dict(sorted(totals.items()))
    return report


def write_off_csv(report: WriteOffReport) -> str:
    """The report as CSV (amounts as plain decimals with their currency)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["date", "customer_ref", "customer", "invoice", "amount", "currency", "reason"])
    for r in report.rows:
        w.writerow([r.on.isoformat(), r.customer_ref, r.customer_name, r.invoice_number,
                    format_plain(r.amount_minor, r.currency), r.currency, r.reason])
    for cur, total in report.totals.items():
        w.writerow(["", "", "Total", "", format_plain(total, cur), cur, ""])
    return out.getvalue()
