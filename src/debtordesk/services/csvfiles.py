"""The CSV contract shared by import and export: which columns each file has."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CsvSpec:
    required: tuple[str, ...]
    optional: tuple[str, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


SPECS: dict[str, CsvSpec] = {
    "customers": CsvSpec(
        ("ref", "name"),
        ("email", "phone", "address", "city", "postcode", "country", "credit_limit",
         "terms_days", "kind", "language"),
    ),
    "invoices": CsvSpec(
        ("number", "customer_ref", "issue_date", "amount"),
        ("due_date", "currency", "description"),
    ),
    "payments": CsvSpec(
        ("customer_ref", "date", "amount"),
        ("reference", "invoice_number", "currency", "method"),
    ),
}
KINDS = tuple(SPECS)
