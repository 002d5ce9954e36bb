"""Small builders shared by the tests."""

from __future__ import annotations

from datetime import date

from debtordesk.db.models import Customer, Invoice

# the refusal of a save made on an old copy of a record (services.conflicts)
CHANGED_BY = r"was changed by \S+ at \d\d:\d\d today, after you opened it"


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


def dunning_books(db) -> None:
    """A UK company; Alder (business, £1,200 due 31 Jan 2026), Birch (on hold), Cedar (disputed)."""
    from debtordesk.services.company import save_company

    with db.transaction() as s:
        save_company(s, {"name": "Kestrel Joinery Ltd", "address": "1 Mill Lane\nLeeds LS1 4AB",
                         "late_payment_regime": "uk", "base_currency": "GBP",
                         "account_number": "12345678", "sort_code": "20-00-00", "bank_name": "Barclays"})
        alder = add_customer(s, "ALD", "Alder & Co")
        alder.address_line1, alder.postcode, alder.city, alder.country = "4 High St", "YO1 7HH", "York", "GB"
        birch = add_customer(s, "BIR", "Birch Ltd")
        birch.on_hold = True
        cedar = add_customer(s, "CED", "Cedar plc")
        add_invoice(s, alder, "INV-1", "2026-01-01", "2026-01-31", 120000)
        add_invoice(s, birch, "INV-2", "2026-01-01", "2026-01-31", 50000)
        add_invoice(s, cedar, "INV-3", "2026-01-01", "2026-01-31", 70000).disputed = True


def file_fingerprint(path) -> dict:
    """Rows per table and, per table, the sum of every amount column (`*_minor`) of the SQLite
    file at `path`, read without writing: what a backup, a restore or a crash must leave as it was."""
    import sqlite3
    from pathlib import Path

    with sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True) as raw:
        tables = [r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                            "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        found = {}
        for table in tables:
            sums = [f", coalesce(sum({r[1]}), 0)" for r in raw.execute(f"PRAGMA table_info({table})")
                    if r[1].endswith("_minor")]
            found[table] = raw.execute(f"SELECT count(*){''.join(sums)} FROM {table}").fetchone()
    return found
