"""Where a payment plan stands as of a date, from the money received towards it. Pure.

Rules (docs/plans.md, "Tracking"):

- Money received towards the plan pays its instalments in order (the down payment first): a
  receipt fills the earliest instalment not yet paid, and what is left over the next one.
- An instalment is **paid** when the money received by the date covers it and every earlier one;
  **part-paid** when some but not all of it is covered and its due date has not passed; **late**
  when its due date has passed and it is not fully paid (part-paid or not); **due** otherwise.
- An instalment is **missed** when it is still not fully paid on the first day after its grace
  period (`due + grace + 1`). The plan is **breached** from the first day an instalment is missed —
  paying it later does not undo the breach, since the default clause took effect that day.
- A plan is **completed** when every instalment is paid, **cancelled** from the day the user
  cancelled it, **breached** as above, and **active** otherwise. Completed wins over breached (a
  breached plan that is then paid in full is done); cancelled wins over both.
- **Arrears** are what fell due before the date and is not paid (an instalment due today is not
  in arrears yet).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

DUE, PART_PAID, PAID, LATE = "due", "part-paid", "paid", "late"
ACTIVE, COMPLETED, BREACHED, CANCELLED = "active", "completed", "breached", "cancelled"


@dataclass(frozen=True, slots=True)
class Line:
    """An instalment as stored: number (0 = down payment), due date and amount."""

    number: int
    due: date
    amount_minor: int


@dataclass(frozen=True, slots=True)
class LineState:
    line: Line
    status: str
    paid_minor: int
    paid_on: date | None  # the day it became fully paid
    late_from: date  # the first day it counts as missed when unpaid

    @property
    def number(self) -> int:
        return self.line.number

    @property
    def due(self) -> date:
        return self.line.due

    @property
    def amount_minor(self) -> int:
        return self.line.amount_minor

    @property
    def left_minor(self) -> int:
        return self.line.amount_minor - self.paid_minor

    @property
    def on_time(self) -> bool | None:
        """Paid by the end of its grace period (None while not paid)."""
        return None if self.paid_on is None else self.paid_on < self.late_from


@dataclass(frozen=True, slots=True)
class PlanState:
    as_of: date
    status: str
    lines: tuple[LineState, ...]
    received_minor: int  # towards the plan by the date (may exceed the total: the rest is not the plan's)
    breached_on: date | None
    breach_line: int | None  # the instalment missed first

    @property
    def total_minor(self) -> int:
        return sum(s.amount_minor for s in self.lines)

    @property
    def paid_minor(self) -> int:
        return sum(s.paid_minor for s in self.lines)

    @property
    def left_minor(self) -> int:
        return self.total_minor - self.paid_minor

    @property
    def arrears_minor(self) -> int:
        return sum(s.left_minor for s in self.lines if s.due < self.as_of)

    @property
    def next_line(self) -> LineState | None:
        """The first instalment not fully paid."""
        return next((s for s in self.lines if s.status != PAID), None)

    @property
    def kept(self) -> bool:
        return self.status == ACTIVE


def track(lines: Sequence[Line], grace_days: int, receipts: Sequence[tuple[date, int]], as_of: date,
          cancelled_on: date | None = None) -> PlanState:
    """The plan as of `as_of`. `receipts` are (date, minor units) received towards the plan; those
    after `as_of` are ignored."""
    ordered = sorted(lines, key=lambda x: x.number)
    money = sorted((d, m) for d, m in receipts if d <= as_of and m > 0)
    grace = timedelta(days=grace_days + 1)
    # the day the cumulative receipts first reach each cumulative instalment total
    states: list[LineState] = []
    received = sum(m for _, m in money)
    need = 0
    k, running = 0, 0
    for line in ordered:
        need += line.amount_minor
        while running < need and k < len(money):
            running += money[k][1]
            k += 1
        paid_on = money[k - 1][0] if running >= need and k > 0 else None
        paid = max(0, min(line.amount_minor, received - (need - line.amount_minor)))
        if paid >= line.amount_minor:
            status = PAID
        elif line.due < as_of:
            status = LATE
        elif paid > 0:
            status = PART_PAID
        else:
            status = DUE
        states.append(LineState(line, status, paid, paid_on, line.due + grace))
    breaches = [(s.late_from, s.number) for s in states
                if s.late_from <= as_of and (s.paid_on is None or s.paid_on >= s.late_from)]
    breached_on, breach_line = min(breaches) if breaches else (None, None)
    if cancelled_on is not None and cancelled_on <= as_of:
        status = CANCELLED
    elif states and all(s.status == PAID for s in states):
        status = COMPLETED
    elif breached_on is not None:
        status = BREACHED
    else:
        status = ACTIVE
    return PlanState(as_of, status, tuple(states), received, breached_on, breach_line)
