"""Risk score and grade of a customer from its payment history, and the order of the worklist. Pure.

The score runs from 0 to 100 and **higher means riskier** (0: pays on time, nothing overdue; 100:
everything goes wrong). It is the sum of six factors, each capped at its weight; the weights add
up to 100. The full description with a worked example is in docs/collections.md ("Risk score").

    factor                                          points (capped at the first number: its weight)
    days late: amount-weighted average, 12 months   30 × min(days, 60) / 60
    invoices paid late ÷ paid off, 12 months        15 × paid late / paid off
    trend: days late last 6 months − 6 before       10 × min(max(change, 0), 30) / 30
    promises to pay broken and kept, 12 months      5 × min(broken, 3) × broken / (broken + kept)
    share of what is owed that is overdue           15 × overdue % / 100
    age of the oldest overdue invoice               15 × min(days, 90) / 90

Without payment history (no invoice paid off in the 12 months) the first two factors are
*neutral*: half their weight (15 and 7.5): not known to be good, not known to be bad. Without
invoices paid off in both halves of the year there is no trend (0 points).

Each factor's points are rounded half up to one decimal; the score is their sum rounded half up
to a whole number. Grades: A 0–19, B 20–39, C 40–59, D 60–79, E 80–100 (A is best).

The worklist (`priority`) orders what is overdue per customer and currency either by
"amount, age and risk" or, as the advice goes, "recently overdue first".
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

# --- the formula --------------------------------------------------------------------------------

DAYS_LATE, SHARE_LATE, TREND, PROMISES, OVERDUE_SHARE, OVERDUE_AGE = (
    "days_late", "share_late", "trend", "promises", "overdue_share", "overdue_age")
WEIGHTS = {DAYS_LATE: 30, SHARE_LATE: 15, TREND: 10, PROMISES: 15, OVERDUE_SHARE: 15, OVERDUE_AGE: 15}
TITLES = {DAYS_LATE: "Days late", SHARE_LATE: "Paid late", TREND: "Trend", PROMISES: "Promises",
          OVERDUE_SHARE: "Overdue share", OVERDUE_AGE: "Oldest overdue"}
DAYS_LATE_CAP = 60  # days late on average that earn the full 30 points
TREND_CAP = 30  # days later than the half-year before that earn the full 10 points
BROKEN_CAP = 3  # broken promises that earn the full 15 points (when none was kept)
POINTS_PER_BROKEN = 5
AGE_CAP = 90  # days past due of the oldest overdue invoice that earn the full 15 points
NEUTRAL = Decimal("0.5")  # share of the weight given when there is no history to judge by
GRADES = (("A", 0), ("B", 20), ("C", 40), ("D", 60), ("E", 80))  # the lowest score of each grade

_TENTH = Decimal("0.1")
_ZERO, _ONE, _HUNDRED = Decimal(0), Decimal(1), Decimal(100)


@dataclass(frozen=True, slots=True)
class RiskInputs:
    """What the score is worked out from (the service reads it from the ledger)."""

    days_late: Decimal | None = None  # amount-weighted average days late, invoices paid off in 12 months
    paid_off: int = 0  # invoices paid off in the 12 months
    paid_late: int = 0  # of which the final payment came after the due date
    recent_days_late: Decimal | None = None  # as days_late, over the last 6 months
    earlier_days_late: Decimal | None = None  # as days_late, over the 6 months before those
    promises_kept: int = 0  # promises to pay made in the 12 months and kept
    promises_broken: int = 0  # ... and broken (partly kept counts as broken)
    overdue_percent: Decimal = Decimal(0)  # % of what is owed that is overdue (0–100)
    oldest_overdue_days: int = 0  # days past due of the oldest overdue invoice (0: nothing overdue)


@dataclass(frozen=True, slots=True)
class Factor:
    key: str
    points: Decimal  # rounded half up to one decimal, 0 ≤ points ≤ weight
    weight: int
    text: str  # "Pays on average 23 days late ...: +11.5 of 30"

    @property
    def title(self) -> str:
        return TITLES[self.key]


@dataclass(frozen=True, slots=True)
class RiskScore:
    score: int  # 0–100, higher is riskier
    grade: str  # A (best) .. E
    factors: tuple[Factor, ...]
    history: bool  # False: no invoice paid off in the 12 months (neutral history factors)

    @property
    def label(self) -> str:
        """'C 48' as the lists show it."""
        return f"{self.grade} {self.score}"

    def explanation(self) -> str:
        """The tooltip: the score and each factor's sentence."""
        head = f"Risk {self.label} of 100 (higher is riskier; grades A best .. E worst)"
        return "\n".join([head, *(f"• {f.text}" for f in self.factors)])


def grade(score: int) -> str:
    """A for 0–19, B 20–39, C 40–59, D 60–79, E 80–100."""
    if not 0 <= score <= 100:
        raise ValueError(f"a risk score runs from 0 to 100, not {score}")
    return [g for g, lowest in GRADES if score >= lowest][-1]


def _tenth(value: Decimal) -> Decimal:
    return value.quantize(_TENTH, ROUND_HALF_UP)


def _points_text(points: Decimal, weight: int) -> str:
    shown = str(points)  # one decimal: "11.5", "6.0"
    return f"+{shown[:-2] if shown.endswith('.0') else shown} of {weight}"


def _whole(value: Decimal) -> int:
    return int(value.quantize(_ONE, ROUND_HALF_UP))


def _days(value: Decimal) -> str:
    n = _whole(value)
    return "less than a day" if n == 0 else f"{n} day{'' if n == 1 else 's'}"


def _capped(value: Decimal, cap: int) -> Decimal:
    return min(max(value, _ZERO), Decimal(cap)) / cap


def _factor(key: str, share: Decimal, sentence: str) -> Factor:
    """`share` (0..1) of the factor's weight, with the sentence saying why."""
    weight = WEIGHTS[key]
    points = _tenth(weight * min(max(share, _ZERO), _ONE))
    return Factor(key, points, weight, f"{sentence}: {_points_text(points, weight)}")


def _days_late(i: RiskInputs) -> Factor:
    if i.days_late is None:
        return _factor(DAYS_LATE, NEUTRAL, "No invoice paid off in the last 12 months, days late unknown (neutral)")
    if i.days_late <= 0:
        return _factor(DAYS_LATE, _ZERO, "Pays on time (invoices paid off in the last 12 months)")
    return _factor(DAYS_LATE, _capped(i.days_late, DAYS_LATE_CAP),
                   f"Pays on average {_days(i.days_late)} late (last 12 months, weighted by amount)")


def _share_late(i: RiskInputs) -> Factor:
    if i.paid_off <= 0:
        return _factor(SHARE_LATE, NEUTRAL, "No invoice paid off in the last 12 months (neutral)")
    late = min(max(i.paid_late, 0), i.paid_off)
    return _factor(SHARE_LATE, Decimal(late) / i.paid_off,
                   f"Paid {late} of {i.paid_off} invoice{'' if i.paid_off == 1 else 's'} late (last 12 months)")


def _trend(i: RiskInputs) -> Factor:
    if i.recent_days_late is None or i.earlier_days_late is None:
        return _factor(TREND, _ZERO, "No trend: needs invoices paid off in both halves of the last 12 months")
    change = i.recent_days_late - i.earlier_days_late
    recent, earlier = _whole(i.recent_days_late), _whole(i.earlier_days_late)
    both = f"({recent} against {earlier} days)"
    if change > 0:
        text = f"Paid {_days(change)} later in the last 6 months than in the 6 before {both}"
    elif change < 0:
        text = f"Paid {_days(-change)} sooner in the last 6 months than in the 6 before {both}"
    else:
        text = f"Paid as late in the last 6 months as in the 6 before ({recent} days)"
    return _factor(TREND, _capped(change, TREND_CAP), text)


def _promises(i: RiskInputs) -> Factor:
    kept, broken = max(i.promises_kept, 0), max(i.promises_broken, 0)
    if broken == 0:
        text = (f"Kept {'the' if kept == 1 else 'all'} {kept} promise{'' if kept == 1 else 's'} to pay (last 12 "
                "months)" if kept else "No promise to pay kept or broken in the last 12 months")
        return _factor(PROMISES, _ZERO, text)
    share = Decimal(POINTS_PER_BROKEN * min(broken, BROKEN_CAP) * broken) / (broken + kept) / WEIGHTS[PROMISES]
    return _factor(PROMISES, share, f"Broke {broken} of {broken + kept} promise{'' if broken + kept == 1 else 's'} "
                                    "to pay (last 12 months)")


def _overdue_share(i: RiskInputs) -> Factor:
    if i.overdue_percent <= 0:
        return _factor(OVERDUE_SHARE, _ZERO, "Nothing overdue")
    pct = min(i.overdue_percent, _HUNDRED)
    return _factor(OVERDUE_SHARE, pct / _HUNDRED, f"{_tenth(pct).normalize():f} % of what is owed is overdue")


def _overdue_age(i: RiskInputs) -> Factor:
    if i.oldest_overdue_days <= 0:
        return _factor(OVERDUE_AGE, _ZERO, "No invoice past due")
    days = i.oldest_overdue_days
    return _factor(OVERDUE_AGE, _capped(Decimal(days), AGE_CAP),
                   f"Oldest overdue invoice {days} day{'' if days == 1 else 's'} past due")


def risk_score(inputs: RiskInputs) -> RiskScore:
    """The score (0–100, higher is riskier), its grade and one explained contribution per factor."""
    factors = tuple(f(inputs) for f in (_days_late, _share_late, _trend, _promises, _overdue_share, _overdue_age))
    total = sum((f.points for f in factors), _ZERO)
    score = min(100, int(total.quantize(_ONE, ROUND_HALF_UP)))
    return RiskScore(score, grade(score), factors, inputs.days_late is not None or inputs.paid_off > 0)


# --- the worklist order ---------------------------------------------------------------------------

BY_PRIORITY, RECENT_FIRST = "priority", "recent"
ORDERINGS = {BY_PRIORITY: "Amount, age and risk", RECENT_FIRST: "Recently overdue first"}
AGE_HORIZON = 180  # days overdue after which age no longer raises the priority (it doubles by then)


def priority_points(overdue: Decimal, oldest_days: int, score: int) -> Decimal:
    """How much a debt matters, in the currency's major units:

        priority = overdue × (1 + score / 100) × (1 + min(oldest days overdue, 180) / 180)

    A riskier customer counts up to twice its amount, an older debt up to twice again. Rounded
    half up to whole units. `overdue` is the amount as written (e.g. 1234.50)."""
    if overdue < 0:
        raise ValueError("an overdue amount cannot be negative")
    age = Decimal(min(max(oldest_days, 0), AGE_HORIZON))
    value = overdue * (_HUNDRED + min(max(score, 0), 100)) / _HUNDRED * (AGE_HORIZON + age) / AGE_HORIZON
    return value.quantize(_ONE, ROUND_HALF_UP)


def priority(overdue: Decimal, oldest_days: int, score: int, ordering: str = BY_PRIORITY) -> tuple:
    """The worklist's sort key for one overdue debt; the worklist lists the **highest key first**.

    - "priority" (amount, age and risk): by `priority_points`, ties by the larger amount.
    - "recent" (recently overdue first): the debt that fell overdue most recently first, because
      a fresh debt is the easiest to collect; ties by the larger amount, then the riskier customer.
    """
    if ordering == BY_PRIORITY:
        return (priority_points(overdue, oldest_days, score), overdue)
    if ordering == RECENT_FIRST:
        return (-max(oldest_days, 0), overdue, score)
    raise ValueError(f"the worklist is ordered by {' or '.join(map(repr, ORDERINGS))}, not {ordering!r}")
