"""Recording payments and allocating them to invoices (rules in domain.allocation)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from debtordesk.db.ledger import refresh_open
from debtordesk.db.locks import lock_customers
from debtordesk.db.models import Allocation, Customer, Invoice, Payment
from debtordesk.domain.allocation import AllocationPlan, OpenItem, allocate, allocate_to_named
from debtordesk.domain.discounts import available
from debtordesk.domain.money import check_currency, format_plain
from debtordesk.domain.problems import UserError
from debtordesk.services.adjustments import reduce_invoice
from debtordesk.services.company import base_currency
from debtordesk.services.conflicts import changed_elsewhere
from debtordesk.services.lists import Sort, contains, nominal, window
from debtordesk.services.plan_tracking import plan_invoice_order
from debtordesk.services.settlements import complete_paid_settlements


class PaymentError(UserError):
    """A payment or allocation refused; the message is meant for the user."""


def _allocated_sum(exclude_payment: int | None = None):
    q = select(Allocation.invoice_id, func.sum(Allocation.amount_minor).label("paid"))
    if exclude_payment is not None:
        q = q.where(Allocation.payment_id != exclude_payment)
    return q.group_by(Allocation.invoice_id).subquery()


def open_items(
    session: Session,
    customer_id: int,
    currency: str,
    *,
    issued_on_or_before: date | None = None,
    exclude_payment: int | None = None,
) -> list[OpenItem]:
    """The customer's invoices in `currency` with something left to pay, oldest first.

    With `exclude_payment`, that payment's allocations count as not made (for reallocating it)."""
    if exclude_payment is None:
        open_expr = Invoice.open_minor
        q = select(Invoice.id, Invoice.number, Invoice.due_date, open_expr.label("open"))
    else:
        paid = _allocated_sum(exclude_payment=exclude_payment)
        open_expr = Invoice.amount_minor - func.coalesce(paid.c.paid, 0)
        q = select(Invoice.id, Invoice.number, Invoice.due_date, open_expr.label("open")).outerjoin(
            paid, paid.c.invoice_id == Invoice.id
        )
    q = q.where(Invoice.customer_id == customer_id, Invoice.currency == currency, open_expr > 0).order_by(
        Invoice.due_date, Invoice.number, Invoice.id
    )
    if issued_on_or_before is not None:
        q = q.where(Invoice.issue_date <= issued_on_or_before)
    return [OpenItem(r.id, r.number, r.due_date, int(r.open)) for r in session.execute(q)]


def invoice_open_minor(session: Session, invoice_id: int, exclude_payment: int | None = None) -> int:
    q = select(func.coalesce(func.sum(Allocation.amount_minor), 0)).where(
        Allocation.invoice_id == invoice_id
    )
    if exclude_payment is not None:
        q = q.where(Allocation.payment_id != exclude_payment)
    paid = int(session.scalar(q) or 0)
    amount = session.scalar(select(Invoice.amount_minor).where(Invoice.id == invoice_id))
    return int(amount) - paid


def discount_match(session: Session, customer_id: int, pay_date: date, amount_minor: int, currency: str,
                   invoice_id: int | None = None) -> tuple[OpenItem, int] | None:
    """The invoice this payment settles with its early-payment discount, and the discount: the oldest
    unpaid invoice (or the one named) whose discount is still available on the day and whose amount
    less the discount is exactly the payment."""
    q = (select(Invoice.id, Invoice.number, Invoice.issue_date, Invoice.due_date, Invoice.amount_minor,
                Invoice.open_minor, Invoice.discount_percent, Invoice.discount_days)
         .where(Invoice.customer_id == customer_id, Invoice.currency == currency, Invoice.discount_percent != "",
                Invoice.open_minor > 0, Invoice.open_minor == Invoice.amount_minor, Invoice.issue_date <= pay_date,
                Invoice.amount_minor > amount_minor)
         .order_by(Invoice.due_date, Invoice.number, Invoice.id))
    if invoice_id is not None:
        q = q.where(Invoice.id == invoice_id)
    for r in session.execute(q):
        off = available(r.discount_percent, r.discount_days, r.issue_date, pay_date, r.amount_minor, r.open_minor)
        if off and r.amount_minor - off == amount_minor:
            return OpenItem(r.id, r.number, r.due_date, int(r.open_minor)), off
    return None


def propose_allocation(
    session: Session,
    customer_id: int,
    pay_date: date,
    amount_minor: int,
    currency: str,
    invoice_id: int | None = None,
) -> AllocationPlan:
    """What the allocation rules would do with this payment (nothing is written). A payment that takes
    an early-payment discount pays that invoice (the discount settles the rest when it is recorded)."""
    match = discount_match(session, customer_id, pay_date, amount_minor, currency, invoice_id)
    if match is not None:
        return allocate_to_named(amount_minor, match[0])
    if invoice_id is not None:
        inv = session.get(Invoice, invoice_id)
        _check_invoice_fits(inv, customer_id, currency)
        item = OpenItem(inv.id, inv.number, inv.due_date, invoice_open_minor(session, inv.id))
        return allocate_to_named(amount_minor, item)
    items = open_items(session, customer_id, currency, issued_on_or_before=pay_date)
    first = plan_invoice_order(session, customer_id, currency, pay_date)
    if first:  # a payment plan being kept: its invoices are paid first (oldest first among them)
        rank = {iid: 0 for iid in first}
        items.sort(key=lambda it: rank.get(it.invoice_id, 1))
    return allocate(amount_minor, items, ordered=True)


def _check_invoice_fits(inv: Invoice | None, customer_id: int, currency: str) -> None:
    if inv is None:
        raise PaymentError("the invoice does not exist")
    if inv.customer_id != customer_id:
        raise PaymentError(f"invoice {inv.number} belongs to another customer")
    if inv.currency != currency:
        raise PaymentError(
            f"invoice {inv.number} is in {inv.currency}, the payment is in {currency}"
        )


def record_payment(
    session: Session,
    customer_id: int,
    pay_date: date,
    amount_minor: int,
    currency: str,
    *,
    reference: str = "",
    method: str = "",
    invoice_id: int | None = None,
) -> Payment:
    """Record a payment and allocate it by the rules; the rest is unapplied credit. A payment of an
    invoice less its early-payment discount, inside the discount's window, settles the invoice: the
    discount is recorded beside it."""
    if amount_minor <= 0:
        raise PaymentError("a payment amount must be more than zero")
    currency = check_currency(currency)
    if session.get(Customer, customer_id) is None:
        raise PaymentError("the customer does not exist")
    lock_customers(session, [customer_id])  # another user's allocation for this customer waits for ours
    match = discount_match(session, customer_id, pay_date, amount_minor, currency, invoice_id)
    plan = (allocate_to_named(amount_minor, match[0]) if match is not None
            else propose_allocation(session, customer_id, pay_date, amount_minor, currency, invoice_id))
    payment = Payment(
        customer_id=customer_id,
        date=pay_date,
        amount_minor=amount_minor,
        currency=currency,
        reference=reference,
        method=method,
        named_invoice_id=invoice_id,
    )
    payment.allocations = [Allocation(invoice_id=i, amount_minor=a) for i, a in plan.lines]
    session.add(payment)
    session.flush()
    refresh_open(session, invoice_ids=[i for i, _ in plan.lines], payment_ids=[payment.id])
    if match is not None:
        item, off = match
        inv = session.get(Invoice, item.invoice_id)
        reduce_invoice(session, item.invoice_id, "discount", off, pay_date,
                       f"{inv.discount_percent}% early-payment discount, paid within {inv.discount_days} days",
                       log=False)
    complete_paid_settlements(session, pay_date, customer_id=customer_id)
    return payment


def reallocate(session: Session, payment_id: int, lines: Sequence[tuple[int, int]], *,
               expected: Sequence[tuple[int, int]] | None = None) -> Payment:
    """Replace a payment's allocations by hand: (invoice id, minor units) pairs.

    Each invoice must be the payer's, in the payment's currency, and not paid beyond its amount;
    the lines may not add up to more than the payment. What is left is unapplied credit.
    `expected` is the allocations the user started from: if someone else changed them meanwhile,
    nothing is saved and PaymentError says who and when.
    """
    payment = session.get(Payment, payment_id)
    if payment is None:
        raise PaymentError("the payment does not exist")
    lock_customers(session, [payment.customer_id])
    session.refresh(payment)  # as the last change left it, its allocations read again when needed
    if expected is not None and _lines(expected) != _lines(
            (a.invoice_id, a.amount_minor) for a in payment.allocations):
        raise PaymentError(changed_elsewhere(session, "payment", payment.id, "This payment"))
    merged: dict[int, int] = {}
    for invoice_id, amount in lines:
        if amount < 0:
            raise PaymentError("an allocated amount cannot be negative")
        merged[invoice_id] = merged.get(invoice_id, 0) + amount
    total = sum(merged.values())
    if total > payment.amount_minor:
        raise PaymentError(
            f"the allocations add up to {format_plain(total, payment.currency)}, more than the "
            f"payment of {format_plain(payment.amount_minor, payment.currency)}"
        )
    for invoice_id, amount in merged.items():
        inv = session.get(Invoice, invoice_id)
        _check_invoice_fits(inv, payment.customer_id, payment.currency)
        room = invoice_open_minor(session, invoice_id, exclude_payment=payment.id)
        if amount > room:
            raise PaymentError(
                f"invoice {inv.number} has only {format_plain(room, inv.currency)} left to pay"
            )
    before = [a.invoice_id for a in payment.allocations]
    payment.allocations.clear()
    session.flush()
    payment.allocations.extend(
        Allocation(invoice_id=i, amount_minor=a) for i, a in merged.items() if a > 0
    )
    session.flush()
    refresh_open(session, invoice_ids=[*before, *merged], payment_ids=[payment.id])
    return payment


def _lines(lines) -> dict[int, int]:
    merged: dict[int, int] = {}
    for invoice_id, amount in lines:
        merged[invoice_id] = merged.get(invoice_id, 0) + amount
    return {i: a for i, a in merged.items() if a}


def unapplied_minor(session: Session, payment_id: int) -> int:
    payment = session.get(Payment, payment_id)
    if payment is None:
        raise PaymentError("the payment does not exist")
    used = session.scalar(
        select(func.coalesce(func.sum(Allocation.amount_minor), 0)).where(
            Allocation.payment_id == payment_id
        )
    )
    return payment.amount_minor - int(used or 0)


# --- the payments list ------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentQuery:
    search: str = ""  # reference, or customer name / ref
    customer_id: int | None = None
    currency: str | None = None
    unapplied_only: bool = False
    sort: Sort = Sort("date", descending=True)


@dataclass
class PaymentRow:
    id: int
    date: date
    customer_id: int
    customer_ref: str
    customer_name: str
    amount_minor: int
    unapplied_minor: int
    currency: str
    reference: str
    method: str
    invoices: list[str] = field(default_factory=list)  # numbers of the invoices it pays


def _payments_filtered(session: Session, query: PaymentQuery, *, with_customer: bool = True) -> Select:
    q = select(Payment.id).where(Payment.kind == "payment")
    if with_customer or query.search.strip():  # every payment has its customer: counting needs no join
        q = q.join(Customer, Customer.id == Payment.customer_id)
    if query.customer_id is not None:
        q = q.where(Payment.customer_id == query.customer_id)
    if query.currency:
        q = q.where(Payment.currency == query.currency)
    if query.unapplied_only:
        q = q.where(Payment.unapplied_minor > 0)
    if query.search.strip():
        text = query.search.strip()
        q = q.where(or_(*(contains(session, c, text) for c in (Payment.reference, Customer.name, Customer.ref))))
    return q


def count_payments(session: Session, query: PaymentQuery) -> int:
    q = _payments_filtered(session, query, with_customer=False)
    return int(session.scalar(select(func.count()).select_from(q.subquery())) or 0)


def list_payments(session: Session, query: PaymentQuery, offset: int, limit: int) -> list[PaymentRow]:
    keys = {"date": Payment.date, "customer": Customer.name, "amount": nominal(Payment.amount_minor, Payment.currency),
            "unapplied": nominal(Payment.unapplied_minor, Payment.currency), "reference": Payment.reference}
    if query.sort.column not in keys:
        raise ValueError(f"cannot sort payments by {query.sort.column!r}")
    key = keys[query.sort.column]
    desc = query.sort.descending
    q = (
        _payments_filtered(session, query)
        .add_columns(Payment.date, Payment.customer_id, Customer.ref, Customer.name, Payment.amount_minor,
                     Payment.unapplied_minor, Payment.currency, Payment.reference, Payment.method)
        .order_by(key.desc() if desc else key.asc(), Payment.id.desc() if desc else Payment.id)
    )
    rows = [PaymentRow(r.id, r.date, r.customer_id, r.ref, r.name, r.amount_minor, r.unapplied_minor,
                       r.currency, r.reference, r.method) for r in session.execute(window(q, offset, limit))]
    by_id = {r.id: r for r in rows}
    if by_id:
        for pid, number in session.execute(
            select(Allocation.payment_id, Invoice.number).join(Invoice, Invoice.id == Allocation.invoice_id)
            .where(Allocation.payment_id.in_(list(by_id))).order_by(Allocation.payment_id, Invoice.due_date, Invoice.id)
        ):
            by_id[pid].invoices.append(number)
    return rows


def customer_credit(session: Session, customer_id: int) -> dict[str, int]:
    """Unapplied credit per currency: money received from the customer not yet set against invoices."""
    return {cur: int(v) for cur, v in session.execute(
        select(Payment.currency, func.sum(Payment.unapplied_minor))
        .where(Payment.customer_id == customer_id, Payment.unapplied_minor > 0)
        .group_by(Payment.currency).order_by(Payment.currency))}


def apply_credit(session: Session, customer_id: int, currency: str) -> int:
    """Set the customer's unapplied credit in `currency` against its open invoices, oldest first.

    Each payment keeps its own date: an invoice issued after a payment may be paid by it now.
    Returns the minor units applied."""
    applied = 0
    lock_customers(session, [customer_id])
    payments = list(session.scalars(
        select(Payment).where(Payment.customer_id == customer_id, Payment.currency == currency,
                              Payment.unapplied_minor > 0).order_by(Payment.date, Payment.id)
        .execution_options(populate_existing=True)))
    for payment in payments:
        items = open_items(session, customer_id, currency)
        if not items:
            break
        plan = allocate(payment.unapplied_minor, items, ordered=True)
        if not plan.lines:
            continue
        lines = [(a.invoice_id, a.amount_minor) for a in payment.allocations]
        reallocate(session, payment.id, [*lines, *plan.lines])
        applied += sum(a for _, a in plan.lines)
    return applied


@dataclass(frozen=True)
class PaymentStart:
    """What the record-payment form starts from."""

    customer_name: str
    currencies: tuple[str, ...]  # the base currency and those of the customer's open invoices
    currency: str
    amount_minor: int | None  # the named invoice's open amount, as a suggestion


def payment_start(session: Session, customer_id: int, invoice_id: int | None = None) -> PaymentStart:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise PaymentError("This customer no longer exists; someone may have deleted it.")
    base = base_currency(session)
    open_currencies = set(session.scalars(
        select(Invoice.currency).where(Invoice.customer_id == customer_id, Invoice.open_minor > 0).distinct()))
    named = session.get(Invoice, invoice_id) if invoice_id is not None else None
    if named is not None:
        currency = named.currency
    elif len(open_currencies) == 1:
        currency = next(iter(open_currencies))
    else:
        currency = base
    amount = named.open_minor if named is not None and named.open_minor > 0 else None
    return PaymentStart(customer.name, tuple(sorted({base, *open_currencies})), currency, amount)


@dataclass(frozen=True)
class PaymentDetails:
    id: int
    customer_id: int
    date: date
    amount_minor: int
    currency: str
    reference: str
    method: str
    lines: tuple[tuple[int, int], ...]  # (invoice id, minor units) as allocated now


def payment_details(session: Session, payment_id: int) -> PaymentDetails:
    p = session.get(Payment, payment_id)
    if p is None:
        raise PaymentError("This payment no longer exists; someone may have deleted it.")
    return PaymentDetails(p.id, p.customer_id, p.date, p.amount_minor, p.currency, p.reference, p.method,
                          tuple((a.invoice_id, a.amount_minor) for a in p.allocations))
