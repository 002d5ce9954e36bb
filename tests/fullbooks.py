"""A database with something in most tables: the demo data plus a letter with its PDF, a bank
statement line paying out (a negative amount), settings and entries in the audit trail."""

from __future__ import annotations

import hashlib
from datetime import date, datetime

from sqlalchemy import select

from debtordesk.db.models import AuditEntry, Customer, Letter, Setting, StatementLine
from debtordesk.services.demo import fill_demo

TODAY = date(2026, 11, 24)
PDF = b"%PDF-1.4\n\x00\xff binary \xe2\x82\xac\n%%EOF"


def full_books(db, customers: int = 24, invoices: int = 240) -> None:
    with db.transaction() as s:
        fill_demo(s, TODAY, customers, invoices)
        first = s.scalars(select(Customer).order_by(Customer.id)).first()
        s.add(Letter(customer_id=first.id, kind="dunning", level_position=1, level_name="Reminder 1",
                     currency="GBP", as_of=TODAY, sent_on=TODAY, open_minor=12_345, total_minor=12_345,
                     pdf=PDF, sha256=hashlib.sha256(PDF).hexdigest(), emailed_at=datetime(2026, 11, 24, 9, 30)))
        s.add(StatementLine(line_key="k-1", source="csv", booked_on=TODAY, amount_minor=-4_250, currency="EUR",
                            state="skipped", counterparty="Stadtwerke Köln"))
        s.add(Setting(key="letters.signatory", value="Zoë Brontë"))
        for n in range(3):
            s.add(AuditEntry(action="create", entity="customer", entity_id=str(n + 1), who="ann",
                             summary=f"Customer {n + 1}", changes='{"name": "x"}'))
