"""Derived amounts kept on the rows: an invoice's open amount and a payment's unapplied part.

Every change to allocations (or to an invoice amount) calls `refresh_open` in the same
transaction, so lists can filter and sort by what is owed without summing the whole ledger.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from debtordesk.db.models import Allocation, Invoice, Payment


def refresh_open(session: Session, *, invoice_ids: Iterable[int] = (), payment_ids: Iterable[int] = ()) -> None:
    """Recompute open/unapplied amounts of the given rows from their allocations."""
    session.flush()
    invoice_ids, payment_ids = sorted(set(invoice_ids)), sorted(set(payment_ids))
    if invoice_ids:
        paid = (
            select(func.coalesce(func.sum(Allocation.amount_minor), 0))
            .where(Allocation.invoice_id == Invoice.id)
            .scalar_subquery()
        )
        session.execute(
            update(Invoice).where(Invoice.id.in_(invoice_ids)).values(open_minor=Invoice.amount_minor - paid),
            execution_options={"synchronize_session": False},
        )
    if payment_ids:
        used = (
            select(func.coalesce(func.sum(Allocation.amount_minor), 0))
            .where(Allocation.payment_id == Payment.id)
            .scalar_subquery()
        )
        session.execute(
            update(Payment).where(Payment.id.in_(payment_ids)).values(unapplied_minor=Payment.amount_minor - used),
            execution_options={"synchronize_session": False},
        )
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Invoice) and obj.id in invoice_ids:
            session.expire(obj, ["open_minor"])
        elif isinstance(obj, Payment) and obj.id in payment_ids:
            session.expire(obj, ["unapplied_minor"])


def drift(session: Session) -> list[str]:
    """Rows whose kept amounts disagree with their allocations (empty when all is well)."""
    paid = (
        select(Allocation.invoice_id, func.sum(Allocation.amount_minor).label("s"))
        .group_by(Allocation.invoice_id).subquery()
    )
    bad = [
        f"invoice {n}"
        for n, in session.execute(
            select(Invoice.number).outerjoin(paid, paid.c.invoice_id == Invoice.id)
            .where(Invoice.open_minor != Invoice.amount_minor - func.coalesce(paid.c.s, 0))
        )
    ]
    used = (
        select(Allocation.payment_id, func.sum(Allocation.amount_minor).label("s"))
        .group_by(Allocation.payment_id).subquery()
    )
    bad += [
        f"payment {i}"
        for i, in session.execute(
            select(Payment.id).outerjoin(used, used.c.payment_id == Payment.id)
            .where(Payment.unapplied_minor != Payment.amount_minor - func.coalesce(used.c.s, 0))
        )
    ]
    return bad
