"""The aging report as of a date, computed by SQL aggregates over indexed columns.

As of a date: invoices issued after it and payments dated after it are ignored; an invoice's open
amount is its amount less allocations from payments dated on or before it. A payment's part
allocated to an invoice not yet issued on that date counts as unapplied credit on that date.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select, union_all
from sqlalchemy.orm import Session

from debtordesk.db.models import Allocation, Customer, Invoice, Payment
from debtordesk.domain.aging import (
    BASES,
    DEFAULT_LIMITS,
    AgingReport,
    BucketError,
    bucket_index,
    bucket_start_dates,
    build_report,
    check_limits,
)


def aging_report(
    session: Session,
    as_of: date,
    limits: Sequence[int] = DEFAULT_LIMITS,
    basis: str = "due",
    currency: str | None = None,
) -> AgingReport:
    check_limits(limits)
    if basis not in BASES:
        raise BucketError(f"basis must be 'due' or 'issue', not '{basis}'")

    # Open as of the date = what is open today + what payments dated after it paid. Only invoices
    # open today or paid after the date can be open then, so for a recent date this reads the
    # open items and the latest payments, not the whole ledger.
    later = (
        select(Allocation.invoice_id, func.sum(Allocation.amount_minor).label("back"))
        .join(Payment, Payment.id == Allocation.payment_id)
        .where(Payment.date > as_of)
        .group_by(Allocation.invoice_id)
        .subquery("later")
    )
    ref = Invoice.due_date if basis == "due" else Invoice.issue_date
    starts = bucket_start_dates(as_of, limits)
    bucket = case(*[(ref > start, i) for i, start in enumerate(starts)], else_=len(starts))
    columns = (Invoice.customer_id.label("cid"), Invoice.currency.label("cur"), bucket.label("b"))
    open_now = (
        select(*columns, (Invoice.open_minor + func.coalesce(later.c.back, 0)).label("open"))
        .outerjoin(later, later.c.invoice_id == Invoice.id)
        .where(Invoice.open_minor > 0, Invoice.issue_date <= as_of)
    )
    paid_since = (
        select(*columns, later.c.back.label("open"))
        .join(later, later.c.invoice_id == Invoice.id)
        .where(Invoice.open_minor == 0, Invoice.issue_date <= as_of)
    )
    if currency:
        open_now = open_now.where(Invoice.currency == currency)
        paid_since = paid_since.where(Invoice.currency == currency)
    sub = union_all(open_now, paid_since).subquery("items")
    opens = session.execute(
        select(sub.c.cid, sub.c.cur, sub.c.b, func.sum(sub.c.open)).group_by(
            sub.c.cid, sub.c.cur, sub.c.b
        )
    ).all()

    # Credit as of the date, per payment received by then: its unapplied part today plus what
    # it paid on invoices issued after the date.
    unapplied = select(
        Payment.customer_id, Payment.currency, func.sum(Payment.unapplied_minor)
    ).where(Payment.unapplied_minor > 0, Payment.date <= as_of)
    ahead = (
        select(Payment.customer_id, Payment.currency, func.sum(Allocation.amount_minor))
        .join(Allocation, Allocation.payment_id == Payment.id)
        .join(Invoice, Invoice.id == Allocation.invoice_id)
        .where(Invoice.issue_date > as_of, Payment.date <= as_of)
    )
    if currency:
        unapplied = unapplied.where(Payment.currency == currency)
        ahead = ahead.where(Payment.currency == currency)
    credit: dict[tuple[int, str], int] = defaultdict(int)
    for q in (unapplied, ahead):
        for cid, cur, amount in session.execute(q.group_by(Payment.customer_id, Payment.currency)):
            credit[(cid, cur)] += int(amount)

    wanted = {cid for cid, *_ in opens} | {cid for (cid, _), v in credit.items() if v}
    customers: dict[int, tuple[str, str]] = {}
    ids = sorted(wanted)
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        for cid, ref_, name in session.execute(
            select(Customer.id, Customer.ref, Customer.name).where(Customer.id.in_(chunk))
        ):
            customers[cid] = (ref_, name)
    return build_report(
        as_of,
        basis,
        limits,
        customers,
        ((cid, cur, int(b), int(amount)) for cid, cur, b, amount in opens),
        ((cid, cur, amount) for (cid, cur), amount in credit.items()),
    )


@dataclass(frozen=True)
class OpenItemAsOf:
    invoice_id: int
    number: str
    issue_date: date
    due_date: date
    amount_minor: int
    open_minor: int  # open as of the date
    days: int  # days past the reference date (due or issue) as of the date; 0 or less is current
    bucket: int


def open_items_as_of(session: Session, customer_id: int, currency: str, as_of: date,
                     limits: Sequence[int] = DEFAULT_LIMITS, basis: str = "due") -> list[OpenItemAsOf]:
    """A customer's invoices open as of a date (the drill-down of an aging row), oldest first;
    the same rule as the report: open today plus what payments dated after the date paid."""
    later = (select(Allocation.invoice_id, func.sum(Allocation.amount_minor).label("back"))
             .join(Payment, Payment.id == Allocation.payment_id)
             .where(Payment.date > as_of, Payment.customer_id == customer_id)
             .group_by(Allocation.invoice_id).subquery("later"))
    open_expr = Invoice.open_minor + func.coalesce(later.c.back, 0)
    q = (select(Invoice.id, Invoice.number, Invoice.issue_date, Invoice.due_date, Invoice.amount_minor,
                open_expr.label("open"))
         .outerjoin(later, later.c.invoice_id == Invoice.id)
         .where(Invoice.customer_id == customer_id, Invoice.currency == currency, Invoice.issue_date <= as_of,
                open_expr > 0)
         .order_by(Invoice.due_date if basis == "due" else Invoice.issue_date, Invoice.number))
    out = []
    for r in session.execute(q):
        ref = r.due_date if basis == "due" else r.issue_date
        days = (as_of - ref).days
        out.append(OpenItemAsOf(r.id, r.number, r.issue_date, r.due_date, int(r.amount_minor), int(r.open),
                                days, bucket_index(days, limits)))
    return out
