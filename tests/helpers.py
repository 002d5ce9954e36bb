"""Small builders shared by the tests."""

from __future__ import annotations

from datetime import date

from debtordesk.db.models import Customer, Invoice


def add_customer(session, ref="ACME", name="Acme Ltd", terms_days=30) -> Customer:
    c = Customer(ref=ref, name=name, terms_days=terms_days)
    session.add(c)
    session.flush()
    return c


def add_invoice(session, customer, number, issue, due, amount_minor, currency="GBP") -> Invoice:
    inv = Invoice(number=number, customer_id=customer.id, issue_date=date.fromisoformat(issue),
                  due_date=date.fromisoformat(due), amount_minor=amount_minor, currency=currency)
    session.add(inv)
    session.flush()
    return inv
