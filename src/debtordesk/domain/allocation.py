"""Allocation of a payment over open invoices.

Rules (the service applies them in one transaction):
1. a payment that names an invoice pays that invoice up to its open amount; the excess stays
   unapplied credit on the customer;
2. a payment that names no invoice is allocated oldest first (due date, then invoice number) over
   the customer's open invoices in the payment's currency issued on or before the payment date;
   the excess stays unapplied credit. While the customer keeps a payment plan in that currency,
   the plan's invoices come first (oldest first among them), so payments pay its instalments.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class OpenItem:
    invoice_id: int
    number: str
    due_date: date
    open_minor: int


@dataclass(frozen=True, slots=True)
class AllocationPlan:
    lines: tuple[tuple[int, int], ...]  # (invoice_id, amount_minor), each amount > 0
    unapplied_minor: int

    @property
    def allocated_minor(self) -> int:
        return sum(a for _, a in self.lines)


def oldest_first(items: Iterable[OpenItem]) -> list[OpenItem]:
    return sorted(items, key=lambda it: (it.due_date, it.number, it.invoice_id))


def allocate(amount_minor: int, items: Iterable[OpenItem], *, ordered: bool = False) -> AllocationPlan:
    """Spread `amount_minor` over `items` oldest first (or in the given order if `ordered`)."""
    if amount_minor < 0:
        raise ValueError("a payment amount cannot be negative")
    rest = amount_minor
    lines: list[tuple[int, int]] = []
    for item in items if ordered else oldest_first(items):
        if rest == 0:
            break
        if item.open_minor <= 0:
            continue
        take = min(rest, item.open_minor)
        lines.append((item.invoice_id, take))
        rest -= take
    return AllocationPlan(tuple(lines), rest)


def allocate_to_named(amount_minor: int, item: OpenItem) -> AllocationPlan:
    """Rule 1: the named invoice only, up to its open amount."""
    return allocate(amount_minor, [item], ordered=True)
