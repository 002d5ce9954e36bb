"""Promises to pay: whether one is pending, kept or broken as of a date. Pure.

Rules (docs/collections.md, "Promises to pay"):

- A promise is an amount in one currency by a due date, made on a day. It has a number of days
  of grace: its **deadline** is the due date plus the grace days.
- Money towards it is every payment from the customer in that currency dated from the day the
  promise was made to its deadline (any payment counts: the customer kept their word when the
  money came in, whichever invoice it paid).
- **Kept** from the day the money towards it reaches the amount (on or before the deadline).
- **Broken** from the day after the deadline when less than the amount came in by then — also
  when part of it came ("partly kept", which counts as broken).
- **Pending** otherwise: the customer's dunning pauses until the deadline has passed.
- **Cancelled** from the day the user withdrew it (this wins over the others).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

PENDING, KEPT, BROKEN, CANCELLED = "pending", "kept", "broken", "cancelled"


@dataclass(frozen=True, slots=True)
class PromiseState:
    status: str
    amount_minor: int
    received_minor: int  # towards the promise, by the date (and never after the deadline)
    deadline: date
    kept_on: date | None = None
    broken_on: date | None = None

    @property
    def partly_kept(self) -> bool:
        return self.status == BROKEN and self.received_minor > 0


def deadline(due: date, grace_days: int) -> date:
    return due + timedelta(days=grace_days)


def promise_state(amount_minor: int, promised_on: date, due: date, grace_days: int,
                  receipts: Sequence[tuple[date, int]], as_of: date, cancelled_on: date | None = None) -> PromiseState:
    """The promise as of `as_of`; `receipts` are the customer's payments (date, minor units) in the
    promise's currency (those outside the promise's window are ignored)."""
    last = deadline(due, grace_days)
    window = sorted((d, m) for d, m in receipts if promised_on <= d <= min(last, as_of) and m > 0)
    running, kept_on = 0, None
    for d, m in window:
        running += m
        if running >= amount_minor:
            kept_on = d
            break
    received = sum(m for _, m in window)
    if cancelled_on is not None and cancelled_on <= as_of:
        return PromiseState(CANCELLED, amount_minor, received, last)
    if kept_on is not None:
        return PromiseState(KEPT, amount_minor, received, last, kept_on=kept_on)
    if as_of > last:
        return PromiseState(BROKEN, amount_minor, received, last, broken_on=last + timedelta(days=1))
    return PromiseState(PENDING, amount_minor, received, last)
