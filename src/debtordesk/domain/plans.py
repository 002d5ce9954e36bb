"""Payment plans: a debt paid off in instalments, worked out as a schedule. Pure: dates are given.

Rules (docs/plans.md has the worked examples):

- **Dates.** `first_due` is the date of the first payment: the down payment when there is one
  (the instalments then follow one period later), otherwise instalment 1. Weekly, fortnightly and
  every-N-days plans add 7, 14 or N days per period. Monthly plans keep the day of month of
  `first_due` whenever the month has it, else fall on that month's last day: a plan starting
  31 January goes 28 (or 29) February, 31 March, 30 April, 31 May. Each date is worked out from
  `first_due`, never from the previous instalment, so a short month does not pull later dates in.
- **No interest and flat interest.** The total to pay in instalments (the amount less the down
  payment, plus the flat interest, plus the plan fee) is divided into equal instalments rounded
  half-up; the last instalment takes the rounding remainder, so it differs from the others by less
  than the number of instalments in minor units. Flat interest is a percentage of the financed
  amount (amount less down payment), charged once for the whole plan, rounded half-up.
- **Annual rate (annuity).** Equal payments P·r/(1−(1+r)^−n) rounded half-up to the minor unit,
  r = annual rate / periods per year (52 weekly, 26 fortnightly, 12 monthly, 365/N every N days).
  Each period's interest is the balance × r rounded half-up; the rest of the payment repays the
  balance. Guaranteed: every instalment but the last is the same; the last is the remaining
  balance plus its interest (it absorbs the rounding carried through the plan) and is never zero;
  the parts add up exactly. Should the rounded-up payment clear the debt before the last
  instalment (tiny amounts), the payment is lowered one minor unit at a time until it does not.
- **Plan fee.** Added to the total and spread over the instalments (not the down payment) in the
  same proportions as the instalments (with an annual rate: on top of the equal payments).
- **Instalment amount instead of a count.** Every instalment is that amount, everything included;
  the last is what remains (smaller or equal, never zero). With an annual rate the amount must
  cover the first period's interest, and a plan fee cannot be combined with it (give a count).
- **Parts.** Each instalment's amount is principal + interest + fee. The fee and interest parts
  are shared out cumulatively (the share of everything paid so far, rounded half-up, less what
  earlier instalments took), so no part is negative and each kind adds up exactly.
- **Balance after** an instalment is what is still to pay under the plan after it (the sum of
  the later instalments); it ends at zero.
- **Grace days** do not move due dates or add interest: an instalment counts as late from
  `due + grace_days + 1` (`Schedule.late_from`).
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal, localcontext

from debtordesk.domain.money import MoneyError, check_currency, format_plain, round_half_up, split_even
from debtordesk.domain.problems import FieldErrors

MAX_INSTALMENTS = 600
MAX_DAYS_APART = 365
_HUNDRED = Decimal(100)


def add_months(day: date, months: int) -> date:
    """`day` moved by whole months, keeping its day of month when the month has it, else the
    month's last day (31 Jan + 1 month -> 28/29 Feb; 31 Jan + 2 months -> 31 Mar)."""
    index = day.year * 12 + day.month - 1 + months
    year, month0 = divmod(index, 12)
    month = month0 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True, slots=True)
class Frequency:
    """How far apart instalments are: build it with the class methods or `parse_frequency`."""

    kind: str  # "weekly", "fortnightly", "monthly" or "days"
    days: int = 0  # the N of "every N days" (7 and 14 for weekly and fortnightly)

    @classmethod
    def weekly(cls) -> Frequency:
        return cls("weekly", 7)

    @classmethod
    def fortnightly(cls) -> Frequency:
        return cls("fortnightly", 14)

    @classmethod
    def monthly(cls) -> Frequency:
        return cls("monthly", 0)

    @classmethod
    def every_days(cls, n: int) -> Frequency:
        return cls("days", n)

    def due(self, first: date, periods: int) -> date:
        """The date `periods` periods after `first`."""
        if self.kind == "monthly":
            return add_months(first, periods)
        return first + timedelta(days=self.days * periods)

    @property
    def periods_per_year(self) -> Decimal:
        return {"weekly": Decimal(52), "fortnightly": Decimal(26), "monthly": Decimal(12)}.get(
            self.kind) or Decimal(365) / Decimal(self.days)

    @property
    def code(self) -> str:
        """The text `parse_frequency` reads back: week, fortnight, month or Nd."""
        return {"weekly": "week", "fortnightly": "fortnight", "monthly": "month"}.get(self.kind) or f"{self.days}d"

    @property
    def label(self) -> str:
        if self.kind == "days":
            return "every day" if self.days == 1 else f"every {self.days} days"
        return self.kind

    def problem(self) -> str | None:
        if self.kind not in ("weekly", "fortnightly", "monthly", "days"):
            return f"'{self.kind}' is not a frequency (weekly, fortnightly, monthly or every N days)"
        if self.kind == "days" and self.days < 1:
            return "the number of days between instalments must be at least 1"
        if self.kind == "days" and self.days > MAX_DAYS_APART:
            return f"the number of days between instalments can be at most {MAX_DAYS_APART}"
        return None


def parse_frequency(text: str) -> Frequency:
    """'week', 'fortnight', 'month' (or 'weekly' …) or 'Nd' such as '10d'."""
    raw = (text or "").strip().lower()
    named = {"week": Frequency.weekly, "weekly": Frequency.weekly, "fortnight": Frequency.fortnightly,
             "fortnightly": Frequency.fortnightly, "month": Frequency.monthly, "monthly": Frequency.monthly}
    if raw in named:
        return named[raw]()
    if raw.endswith("d") and raw[:-1].isdigit():
        freq = Frequency.every_days(int(raw[:-1]))
        problem = freq.problem()
        if problem:
            raise FieldErrors({"frequency": problem})
        return freq
    raise FieldErrors({"frequency": f"'{raw}' is not a frequency: write week, fortnight, month, or a number of "
                                    "days like 10d"})


@dataclass(frozen=True, slots=True)
class Interest:
    """No interest, a flat percentage of the financed amount, or an annual rate amortised."""

    kind: str = "none"  # "none", "flat" or "annual"
    percent: Decimal = Decimal(0)

    @classmethod
    def flat(cls, percent: Decimal | int | str) -> Interest:
        return cls("flat", Decimal(percent))

    @classmethod
    def annual(cls, percent: Decimal | int | str) -> Interest:
        return cls("annual", Decimal(percent))

    def problem(self) -> str | None:
        if self.kind not in ("none", "flat", "annual"):
            return f"'{self.kind}' is not a kind of interest (none, flat or annual)"
        if self.kind == "none":
            return None
        what = "the flat interest" if self.kind == "flat" else "the annual interest rate"
        if not self.percent.is_finite() or not 0 <= self.percent <= _HUNDRED:
            return f"{what} must be between 0 and 100 percent"
        return None


NO_INTEREST = Interest()


@dataclass(frozen=True, slots=True)
class PlanTerms:
    """What was agreed. Give `count` (number of instalments) or `instalment_minor` (the count follows)."""

    amount_minor: int
    currency: str
    first_due: date
    frequency: Frequency = Frequency("monthly")
    count: int | None = None
    instalment_minor: int | None = None
    down_payment_minor: int = 0
    plan_fee_minor: int = 0
    interest: Interest = NO_INTEREST
    grace_days: int = 0


@dataclass(frozen=True, slots=True)
class Instalment:
    number: int  # 0 is the down payment, then 1, 2, ...
    due: date
    amount_minor: int
    principal_minor: int
    interest_minor: int
    fee_minor: int
    balance_after_minor: int


@dataclass(frozen=True, slots=True)
class Schedule:
    terms: PlanTerms
    instalments: tuple[Instalment, ...]

    @property
    def currency(self) -> str:
        return self.terms.currency

    @property
    def count(self) -> int:
        """Number of instalments, not counting the down payment."""
        return sum(1 for i in self.instalments if i.number > 0)

    @property
    def principal_minor(self) -> int:
        return sum(i.principal_minor for i in self.instalments)

    @property
    def interest_minor(self) -> int:
        return sum(i.interest_minor for i in self.instalments)

    @property
    def fee_minor(self) -> int:
        return sum(i.fee_minor for i in self.instalments)

    @property
    def total_minor(self) -> int:
        return sum(i.amount_minor for i in self.instalments)

    @property
    def end(self) -> date:
        return self.instalments[-1].due

    def late_from(self, instalment: Instalment) -> date:
        """The first day the instalment counts as late (after the grace days)."""
        return instalment.due + timedelta(days=self.terms.grace_days + 1)


def _check(terms: PlanTerms) -> str:
    """Refuse terms that make no plan; every field is checked and all problems reported at once."""
    errors: dict[str, str] = {}
    try:
        currency = check_currency(terms.currency)
    except MoneyError as exc:
        errors["currency"] = str(exc)
        currency = ""
    if terms.amount_minor <= 0:
        errors["amount_minor"] = "the amount owed must be more than zero"
    if (terms.count is None) == (terms.instalment_minor is None):
        errors["count"] = "give either the number of instalments or the instalment amount, not both"
    elif terms.count is not None and not 1 <= terms.count <= MAX_INSTALMENTS:
        errors["count"] = f"the number of instalments must be between 1 and {MAX_INSTALMENTS}"
    elif terms.instalment_minor is not None and terms.instalment_minor <= 0:
        errors["instalment_minor"] = "the instalment amount must be more than zero"
    if terms.down_payment_minor < 0:
        errors["down_payment_minor"] = "the down payment cannot be negative"
    elif terms.amount_minor > 0 and terms.down_payment_minor >= terms.amount_minor:
        errors["down_payment_minor"] = "the down payment must be less than the amount owed (the rest is paid " \
                                       "in instalments)"
    if terms.plan_fee_minor < 0:
        errors["plan_fee_minor"] = "the plan fee cannot be negative"
    for key, problem in (("frequency", terms.frequency.problem()), ("interest", terms.interest.problem())):
        if problem:
            errors[key] = problem
    if terms.grace_days < 0:
        errors["grace_days"] = "the grace period cannot be a negative number of days"
    if (not errors and terms.instalment_minor is not None and terms.plan_fee_minor
            and terms.interest.kind == "annual" and terms.interest.percent > 0):
        errors["plan_fee_minor"] = "a plan fee cannot be combined with an annual rate when the plan is set by " \
                                   "the instalment amount: give the number of instalments instead"
    if errors:
        raise FieldErrors(errors)
    return currency


def _level(total: int, n: int) -> list[int]:
    """`total` in n equal parts, the remainder on the last, none of them zero (total >= n)."""
    return split_even(total, n)


def _share(part: int, amounts: Sequence[int]) -> list[int]:
    """`part` shared over `amounts` in proportion, cumulatively: no share is negative or larger
    than its amount (when part <= sum(amounts)), and the shares add up exactly to `part`."""
    total = sum(amounts)
    if part == 0:
        return [0] * len(amounts)
    out, paid, taken = [], 0, 0
    for amount in amounts:
        paid += amount
        now = round_half_up(Decimal(part) * paid / total)
        out.append(now - taken)
        taken = now
    return out


def _too_many(terms: PlanTerms, currency: str, n: int) -> FieldErrors:
    inst = format_plain(terms.instalment_minor or 0, currency)
    return FieldErrors({"instalment_minor": f"an instalment of {inst} {currency} would need {n} instalments or "
                                            f"more; a plan can have at most {MAX_INSTALMENTS}"})


def _too_big(terms: PlanTerms, currency: str, total: int) -> FieldErrors:
    return FieldErrors({"instalment_minor": f"the instalment amount is larger than the {format_plain(total, currency)}"
                                            f" {currency} to pay in instalments"})


def _too_small(terms: PlanTerms, currency: str, total: int) -> FieldErrors:
    return FieldErrors({"count": f"{format_plain(total, currency)} {currency} cannot be paid in {terms.count} "
                                 "instalments: each instalment must be at least one minor unit (such as 0.01)"})


def _amortise(balance: int, rate: Decimal, payment: int, n: int) -> tuple[list[int], list[int]] | None:
    """Equal payments over n periods, the last clearing the balance; None when the payment clears
    the balance before the last one."""
    amounts, interests = [], []
    for _ in range(n - 1):
        interest = round_half_up(balance * rate)
        principal = payment - interest
        if principal >= balance:
            return None
        balance -= principal
        amounts.append(payment)
        interests.append(interest)
    interest = round_half_up(balance * rate)
    amounts.append(balance + interest)
    interests.append(interest)
    return amounts, interests


def _annuity(terms: PlanTerms, currency: str, financed: int, rate: Decimal) -> tuple[list[int], list[int]]:
    """Amounts and their interest parts for an amortised plan (fee not included)."""
    if terms.count is not None:
        n = terms.count
        if financed < n:
            raise _too_small(terms, currency, financed)
        with localcontext() as ctx:
            ctx.prec = 50
            payment = round_half_up(financed * rate / (1 - (1 + rate) ** -n))
        while True:
            result = _amortise(financed, rate, payment, n)
            if result is not None:
                return result
            payment -= 1
    payment = terms.instalment_minor or 0
    balance = financed
    first_interest = round_half_up(balance * rate)
    if payment > balance + first_interest:
        raise _too_big(terms, currency, balance + first_interest)
    if payment <= first_interest:
        raise FieldErrors({"instalment_minor": f"the instalment amount does not cover the first period's interest "
                                               f"of {format_plain(first_interest, currency)} {currency}"})
    amounts, interests = [], []
    while True:
        interest = round_half_up(balance * rate)
        if balance + interest <= payment:
            amounts.append(balance + interest)
            interests.append(interest)
            return amounts, interests
        if len(amounts) >= MAX_INSTALMENTS - 1:
            raise _too_many(terms, currency, MAX_INSTALMENTS + 1)
        balance -= payment - interest
        amounts.append(payment)
        interests.append(interest)


def _plain(terms: PlanTerms, currency: str, financed: int) -> tuple[list[int], list[int], list[int]]:
    """Amounts, interest parts and fee parts with no interest or flat interest."""
    interest = round_half_up(financed * terms.interest.percent / _HUNDRED) if terms.interest.kind == "flat" else 0
    total = financed + interest + terms.plan_fee_minor
    if terms.count is not None:
        if total < terms.count:
            raise _too_small(terms, currency, total)
        amounts = _level(total, terms.count)
    else:
        inst = terms.instalment_minor or 0
        if inst > total:
            raise _too_big(terms, currency, total)
        n = -(-total // inst)
        if n > MAX_INSTALMENTS:
            raise _too_many(terms, currency, n)
        amounts = [inst] * (n - 1) + [total - inst * (n - 1)]
    fees = _share(terms.plan_fee_minor, amounts)
    rest = [a - f for a, f in zip(amounts, fees, strict=True)]
    return amounts, _share(interest, rest), fees


def schedule(terms: PlanTerms) -> Schedule:
    """The instalments of a plan; raises FieldErrors (keys are PlanTerms field names) when the
    terms make no plan."""
    currency = _check(terms)
    financed = terms.amount_minor - terms.down_payment_minor
    if terms.interest.kind == "annual" and terms.interest.percent > 0:
        rate = terms.interest.percent / _HUNDRED / terms.frequency.periods_per_year
        amounts, interests = _annuity(terms, currency, financed, rate)
        fees = _share(terms.plan_fee_minor, amounts)
        amounts = [a + f for a, f in zip(amounts, fees, strict=True)]
    else:
        amounts, interests, fees = _plain(terms, currency, financed)
    down = terms.down_payment_minor
    offset = 1 if down else 0
    try:
        dates = [terms.frequency.due(terms.first_due, k + offset) for k in range(len(amounts))]
    except (OverflowError, ValueError):
        raise FieldErrors({"first_due": "the plan would run past the year 9999"}) from None
    still = sum(amounts) + down
    lines = []
    if down:
        still -= down
        lines.append(Instalment(0, terms.first_due, down, down, 0, 0, still))
    for k, (due, amount, interest, fee) in enumerate(zip(dates, amounts, interests, fees, strict=True), start=1):
        still -= amount
        lines.append(Instalment(k, due, amount, amount - interest - fee, interest, fee, still))
    return Schedule(replace(terms, currency=currency), tuple(lines))
