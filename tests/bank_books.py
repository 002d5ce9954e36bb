"""The books the bank-statement fixtures (tests/fixtures/bank/) are written against."""

from __future__ import annotations

from pathlib import Path

from debtordesk.services.company import save_company
from helpers import add_customer, add_invoice

FIXTURES = Path(__file__).parent / "fixtures" / "bank"
FILES = {"camt053": "camt053.xml", "mt940": "mt940.sta", "ofx": "statement.ofx", "csv": "bank_export.csv"}


def bank_books(db) -> dict[str, int]:
    """A EUR company; Alder & Co owes INV-1001 (1,200.00) and INV-1004 (350.00), Birch Holdings Ltd
    INV-1002 (480.00), Cedar plc INV-1003 (735.50), Dogwood GmbH INV-1005 (99.00). Returns the ids by
    reference and invoice number."""
    with db.transaction() as s:
        save_company(s, {"name": "Kestrel Joinery GmbH", "base_currency": "EUR"})
        alder = add_customer(s, "ALD", "Alder & Co")
        birch = add_customer(s, "BIR", "Birch Holdings Ltd")
        cedar = add_customer(s, "CED", "Cedar plc")
        dog = add_customer(s, "DOG", "Dogwood GmbH")
        invoices = [add_invoice(s, alder, "INV-1001", "2026-01-02", "2026-02-01", 120000, "EUR"),
                    add_invoice(s, birch, "INV-1002", "2026-01-10", "2026-02-10", 48000, "EUR"),
                    add_invoice(s, cedar, "INV-1003", "2026-01-15", "2026-02-15", 73550, "EUR"),
                    add_invoice(s, alder, "INV-1004", "2026-01-20", "2026-02-20", 35000, "EUR"),
                    add_invoice(s, dog, "INV-1005", "2026-01-25", "2026-02-25", 9900, "EUR")]
        ids = {c.ref: c.id for c in (alder, birch, cedar, dog)}
        ids.update({i.number: i.id for i in invoices})
    return ids
