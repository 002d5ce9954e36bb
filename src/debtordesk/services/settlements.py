"""Settlement offers: a customer offers to clear an account for less than is owed.

An offer covers the customer's open invoices in one currency (all of them, or those chosen) and
records what was owed on them. The offer is then accepted or rejected. Once accepted, reminders
pause until its deadline; when the money received from the customer in that currency since the
day of the offer reaches the agreed amount (by the deadline), the rest of the covered invoices is
written off with the reason given on acceptance, dated the day the last of the money came in. An
accepted offer not paid by its deadline has lapsed: reminders resume for what is still open.

Completion is recorded when a payment is recorded and whenever the Today screen is read, so a
payment entered later with an earlier date is caught too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from debtordesk.config import current_user
from debtordesk.db.models import Customer, Invoice, Payment, Settlement, SettlementInvoice
from debtordesk.domain.money import check_currency, format_money
from debtordesk.domain.problems import FieldErrors, UserError
from debtordesk.services.activity import record_event
from debtordesk.services.adjustments import MAX_REASON, reduce_invoice

OFFERED, ACCEPTED, REJECTED, COMPLETED, LAPSED = "offered", "accepted", "rejected", "completed", "lapsed"
STATUS_NAMES = {OFFERED: "Offered", ACCEPTED: "Accepted", REJECTED: "Rejected", COMPLETED: "Settled",
                LAPSED: "Lapsed"}


class SettlementError(UserError):
    """A settlement refused; the message is meant for the user."""


def _describe(s: Settlement) -> str:
    return (f"{format_money(s.amount_minor, s.currency)} in full settlement of "
            f"{format_money(s.balance_minor, s.currency)}, to be paid by {s.deadline.isoformat()}")


def open_settlement(session: Session, customer_id: int, currency: str) -> Settlement | None:
    """The offer still in play for the account (offered, or accepted and not yet settled)."""
    return session.scalars(select(Settlement).where(
        Settlement.customer_id == customer_id, Settlement.currency == currency,
        Settlement.status.in_((OFFERED, ACCEPTED))).order_by(Settlement.id.desc())).first()


def record_offer(session: Session, customer_id: int, currency: str, amount_minor: int, deadline: date,
                 offered_on: date, *, note: str = "", invoice_ids: Sequence[int] | None = None,
                 who: str | None = None) -> Settlement:
    """Record the customer's offer over its open invoices in `currency` (or the ones chosen)."""
    currency = check_currency(currency)
    if session.get(Customer, customer_id) is None:
        raise SettlementError("The customer does not exist.")
    current = open_settlement(session, customer_id, currency)
    if current is not None:
        raise SettlementError(f"An offer of {_describe(current)} is still {STATUS_NAMES[current.status].lower()}; "
                              "accept or reject it first.")
    q = select(Invoice).where(Invoice.customer_id == customer_id, Invoice.currency == currency,
                              Invoice.open_minor > 0, Invoice.issue_date <= offered_on)
    if invoice_ids is not None:
        q = q.where(Invoice.id.in_(list(invoice_ids)))
    invoices = session.scalars(q.order_by(Invoice.due_date, Invoice.number)).all()
    balance = sum(i.open_minor for i in invoices)
    errors = {}
    if not invoices:
        errors["amount"] = f"Nothing is open in {currency} for this customer, so there is nothing to settle."
    elif amount_minor <= 0:
        errors["amount"] = "The amount offered must be more than zero."
    elif amount_minor >= balance:
        errors["amount"] = (f"The offer must be less than the {format_money(balance, currency)} owed; paying it all "
                            "is not a settlement.")
    if deadline < offered_on:
        errors["deadline"] = "The deadline cannot be before the day of the offer."
    if len(note) > MAX_REASON:
        errors["note"] = f"The note can be at most {MAX_REASON} characters."
    if errors:
        raise FieldErrors(errors)
    who = who if who is not None else current_user()
    s = Settlement(customer_id=customer_id, currency=currency, offered_on=offered_on, amount_minor=amount_minor,
                   balance_minor=balance, deadline=deadline, status=OFFERED, note=note.strip(), created_by=who)
    s.invoices = [SettlementInvoice(invoice_id=i.id, open_minor=i.open_minor) for i in invoices]
    session.add(s)
    record_event(session, s.customer_id, offered_on, f"Settlement offered: {_describe(s)}.", who, remark=note)
    session.flush()
    return s


def _decidable(session: Session, settlement_id: int, on: date) -> Settlement:
    s = session.get(Settlement, settlement_id)
    if s is None:
        raise SettlementError("That settlement offer is no longer in the database.")
    if s.status != OFFERED:
        raise SettlementError(f"This offer was already {STATUS_NAMES[s.status].lower()}.")
    if on < s.offered_on:
        raise FieldErrors({"date": f"The offer cannot be decided before it was made ({s.offered_on.isoformat()})."})
    return s


def accept_offer(session: Session, settlement_id: int, on: date, reason: str, who: str | None = None) -> Settlement:
    """Accept: reminders pause until the deadline; `reason` goes with the write-off of the rest."""
    s = _decidable(session, settlement_id, on)
    if not reason.strip():
        raise FieldErrors({"reason": "Say why the rest is written off (for the write-off report and the accounts)."})
    if len(reason) > MAX_REASON:
        raise FieldErrors({"reason": f"The reason can be at most {MAX_REASON} characters."})
    who = who if who is not None else current_user()
    s.status, s.decided_on, s.reason = ACCEPTED, on, reason.strip()
    record_event(session, s.customer_id, on,
                 f"Settlement accepted: {_describe(s)}. The rest is written off once it is paid.", who)
    session.flush()
    complete_paid_settlements(session, on, customer_id=s.customer_id, who=who)
    return s


def reject_offer(session: Session, settlement_id: int, on: date, note: str = "", who: str | None = None) -> Settlement:
    s = _decidable(session, settlement_id, on)
    who = who if who is not None else current_user()
    s.status, s.decided_on = REJECTED, on
    if note.strip():
        s.note = f"{s.note}\n{note.strip()}".strip()
    record_event(session, s.customer_id, on, f"Settlement offer rejected ({_describe(s)}).", who, remark=note)
    session.flush()
    return s


def _received(session: Session, s: Settlement, until: date) -> list[tuple[date, int]]:
    """Money received from the customer in the currency from the day of the offer to `until`."""
    return [(d, int(m)) for d, m in session.execute(
        select(Payment.date, Payment.amount_minor).where(
            Payment.customer_id == s.customer_id, Payment.currency == s.currency, Payment.kind == "payment",
            Payment.date >= s.offered_on, Payment.date <= until).order_by(Payment.date, Payment.id))]


def _paid_on(received: list[tuple[date, int]], amount: int) -> date | None:
    total = 0
    for day, minor in received:
        total += minor
        if total >= amount:
            return day
    return None


def complete_paid_settlements(session: Session, as_of: date, *, customer_id: int | None = None,
                              who: str | None = None) -> list[Settlement]:
    """Settle every accepted offer whose amount has come in by its deadline (and by `as_of`): write off
    the rest of its invoices. Returns the offers settled now."""
    q = select(Settlement).options(selectinload(Settlement.invoices)).where(Settlement.status == ACCEPTED)
    if customer_id is not None:
        q = q.where(Settlement.customer_id == customer_id)
    done = []
    for s in session.scalars(q).all():
        day = _paid_on(_received(session, s, min(as_of, s.deadline)), s.amount_minor)
        if day is None:
            continue
        who = who if who is not None else current_user()
        on = max(day, s.decided_on or day)
        written = 0
        for item in s.invoices:
            inv = session.get(Invoice, item.invoice_id)
            rest = inv.open_minor
            if rest > 0:
                reduce_invoice(session, inv.id, "write_off", rest, max(on, inv.issue_date),
                               f"Settlement: {s.reason}", who=who, log=False)
                written += rest
        s.status, s.completed_on, s.written_off_minor = COMPLETED, on, written
        record_event(session, s.customer_id, on,
                     f"Settlement paid: {format_money(s.amount_minor, s.currency)} received; "
                     f"{format_money(written, s.currency)} written off ({s.reason}).", who)
        done.append(s)
    session.flush()
    return done


@dataclass(frozen=True)
class SettlementState:
    settlement_id: int
    customer_id: int
    currency: str
    offered_on: date
    amount_minor: int
    balance_minor: int
    deadline: date
    status: str  # offered | accepted | rejected | completed | lapsed (as of the date asked)
    received_minor: int
    decided_on: date | None
    reason: str
    note: str
    written_off_minor: int

    @property
    def status_name(self) -> str:
        return STATUS_NAMES[self.status]


def settlement_states(session: Session, as_of: date, customer_id: int | None = None) -> list[SettlementState]:
    """Every offer (of one customer, or all), newest first, with its status as of the date."""
    q = select(Settlement).where(Settlement.offered_on <= as_of).order_by(Settlement.id.desc())
    if customer_id is not None:
        q = q.where(Settlement.customer_id == customer_id)
    out = []
    for s in session.scalars(q):
        received = sum(m for _, m in _received(session, s, min(as_of, s.deadline)))
        status = s.status
        if status == ACCEPTED and as_of > s.deadline:
            status = LAPSED
        out.append(SettlementState(s.id, s.customer_id, s.currency, s.offered_on, s.amount_minor, s.balance_minor,
                                   s.deadline, status, received, s.decided_on, s.reason, s.note, s.written_off_minor))
    return out


def account_settlements(session: Session, customer_id: int, currency: str,
                        as_of: date) -> tuple[int, list[SettlementState]]:
    """What the customer owes in `currency` now, and its offers (newest first) as of the date."""
    owed = session.scalar(select(func.coalesce(func.sum(Invoice.open_minor), 0)).where(
        Invoice.customer_id == customer_id, Invoice.currency == currency))
    return int(owed or 0), [x for x in settlement_states(session, as_of, customer_id) if x.currency == currency]


def settlement_pauses(session: Session, as_of: date) -> dict[tuple[int, str], str]:
    """(customer id, currency) → why reminders pause: an accepted settlement not yet due or paid."""
    rows = session.scalars(select(Settlement).where(Settlement.status == ACCEPTED, Settlement.deadline >= as_of,
                                                    Settlement.decided_on <= as_of))
    return {(s.customer_id, s.currency): (f"A settlement of {_describe(s)} was accepted: reminders pause until "
                                          f"{s.deadline.isoformat()}.") for s in rows}
