"""CSV export in exactly the import columns, so an exported file imports again unchanged."""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from debtordesk.db.models import Customer, Invoice, Payment
from debtordesk.domain.money import format_plain
from debtordesk.services.company import base_currency
from debtordesk.services.csvfiles import SPECS

BATCH = 2000


def _customers(session: Session) -> Iterator[list[str]]:
    base = base_currency(session)
    for c in session.scalars(select(Customer).order_by(Customer.ref).execution_options(yield_per=BATCH)):
        address = "\n".join(x for x in (c.address_line1, c.address_line2) if x)
        limit = "" if c.credit_limit_minor is None else format_plain(c.credit_limit_minor, base)
        yield [c.ref, c.name, c.email, c.phone, address, c.city, c.postcode, c.country, limit,
               str(c.terms_days), c.kind, c.language]


def _invoices(session: Session) -> Iterator[list[str]]:
    q = (
        select(Invoice.number, Customer.ref, Invoice.issue_date, Invoice.amount_minor,
               Invoice.due_date, Invoice.currency, Invoice.description)
        .join(Customer, Customer.id == Invoice.customer_id)
        .order_by(Invoice.issue_date, Invoice.number)
        .execution_options(yield_per=BATCH)
    )
    for number, ref, issue, amount, due, cur, desc in session.execute(q):
        yield [number, ref, issue.isoformat(), format_plain(amount, cur), due.isoformat(), cur, desc]


def _payments(session: Session) -> Iterator[list[str]]:
    named = aliased(Invoice)
    q = (
        select(Customer.ref, Payment.date, Payment.amount_minor, Payment.reference,
               named.number, Payment.currency, Payment.method)
        .join(Customer, Customer.id == Payment.customer_id)
        .outerjoin(named, named.id == Payment.named_invoice_id)
        .where(Payment.kind == "payment")
        .order_by(Payment.date, Payment.id)
        .execution_options(yield_per=BATCH)
    )
    for ref, day, amount, reference, number, cur, method in session.execute(q):
        yield [ref, day.isoformat(), format_plain(amount, cur), reference, number or "", cur, method]


_ROWS = {"customers": _customers, "invoices": _invoices, "payments": _payments}


def export_csv(session: Session, kind: str, path: Path) -> int:
    """Write all rows of `kind` to `path` (replaced only once the whole file is written)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    count = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(SPECS[kind].columns)
            for row in _ROWS[kind](session):
                writer.writerow(row)
                count += 1
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return count
