"""Credit control: what to warn about before a new invoice is raised — the customer is on hold, or
the invoice takes the balance over the credit limit (the limit is in the company's base currency
and is compared with what is open in that currency)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from debtordesk.db.models import Customer, Invoice
from debtordesk.domain.money import format_money
from debtordesk.services.company import base_currency


def credit_warnings(session: Session, customer_id: int, currency: str, amount_minor: int) -> list[str]:
    """Sentences for the user (empty when there is nothing to warn about) for a new invoice."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        return []
    out = []
    if customer.on_hold:
        out.append(f"{customer.name} is on hold: new work or deliveries were meant to stop until the account "
                   "is settled.")
    base = base_currency(session)
    if customer.credit_limit_minor is not None and currency == base:
        open_now = int(session.scalar(select(func.coalesce(func.sum(Invoice.open_minor), 0)).where(
            Invoice.customer_id == customer_id, Invoice.currency == base)) or 0)
        after = open_now + amount_minor
        if after > customer.credit_limit_minor:
            out.append(f"This invoice takes {customer.name}'s balance to {format_money(after, base)}, over the "
                       f"credit limit of {format_money(customer.credit_limit_minor, base)} "
                       f"(by {format_money(after - customer.credit_limit_minor, base)}).")
    return out
