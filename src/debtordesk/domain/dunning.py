"""The dunning rules: which letter each account should get next, or why it gets none.

A policy is an ordered list of levels (Reminder 1, Reminder 2, Final demand, Letter before action
by default). For one account (a customer in one currency) as of a date:

1. An account excluded by collections work (promise pending, payment plan kept, handed over) or a
   customer on hold gets nothing; the reason is shown. (The invoices of a payment plan being kept
   are left out before the rules run; only when nothing else is overdue is the account excluded.)
2. Only overdue invoices count (due before the as-of date, something left to pay); the disputed part
   of an invoice is left out of letters and interest (a wholly disputed invoice is left out). All of
   them disputed: nothing is sent.
3. When what is overdue (undisputed) is below the minimum balance, nothing is sent.
4. Escalation is one step at a time: the next level is the one after the last letter sent to the
   account, as long as that letter claimed an invoice that is still overdue; when every invoice a
   letter claimed has been paid, a new cycle starts at the first level.
5. The next level waits until the oldest overdue invoice is as many days overdue as the level
   asks, and until its minimum number of days since the previous letter have passed.
6. After the last level there is nothing more to send: the account is for hand-over or write-off.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from debtordesk.domain.problems import FieldErrors

CHANNELS = {"letter": "Letter", "email": "E-mail", "both": "Letter and e-mail"}


@dataclass(frozen=True)
class Level:
    position: int
    key: str  # the letter template it prints
    name: str
    days_overdue: int
    min_days_since_previous: int = 0
    fee: Decimal = Decimal(0)  # in the letter's currency; 0 = no fee
    channel: str = "letter"
    claims_interest: bool = False
    deadline_days: int = 14


DEFAULT_POLICY: tuple[Level, ...] = (
    Level(1, "reminder-1", "Reminder 1", 7, 0, deadline_days=7),
    Level(2, "reminder-2", "Reminder 2", 21, 10, deadline_days=7),
    Level(3, "final-demand", "Final demand", 35, 10, claims_interest=True, deadline_days=7),
    Level(4, "letter-before-action", "Letter before action", 50, 10, claims_interest=True, deadline_days=14),
)
TEMPLATE_KEYS = ("reminder-1", "reminder-2", "final-demand", "letter-before-action")


class OverdueItem(NamedTuple):  # a tuple: a run builds one per overdue invoice, often 100,000s
    invoice_id: int
    number: str
    issue_date: date
    due_date: date
    amount_minor: int
    open_minor: int
    disputed: bool = False
    disputed_minor: int = 0  # with `disputed`: the part in dispute (0 = the whole invoice)

    @property
    def claimable_minor(self) -> int:
        """What may be claimed: the open amount less the part in dispute."""
        if not self.disputed:
            return self.open_minor
        return max(self.open_minor - self.disputed_minor, 0) if self.disputed_minor > 0 else 0


@dataclass(frozen=True)
class LastLetter:
    position: int
    name: str
    sent_on: date
    invoice_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Account:
    customer_id: int
    currency: str
    items: tuple[OverdueItem, ...]
    on_hold: bool = False
    last_letter: LastLetter | None = None
    excluded: str = ""  # a reason from collections work, e.g. "A promise to pay is pending until 3 Dec"
    start_at: int = 0  # the lowest level the next letter may be (a broken payment plan can ask for more)


@dataclass(frozen=True)
class Decision:
    account: Account
    level: Level | None  # None: nothing to send now
    items: tuple[OverdueItem, ...] = ()  # the invoices the letter claims
    days_overdue: int = 0  # of the oldest claimed invoice
    reason: str = ""  # why nothing is sent
    pay_by: date | None = None
    previous: LastLetter | None = field(default=None)

    @property
    def open_minor(self) -> int:
        return sum(i.open_minor for i in self.items)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def decide(account: Account, policy: Sequence[Level], as_of: date, minimum_minor: int = 0,
           describe=lambda minor: str(minor)) -> Decision:
    """The next letter for `account` as of `as_of`, or the reason there is none.

    `describe(minor)` formats an amount of the account's currency for the reason text."""
    if account.excluded:
        return Decision(account, None, reason=account.excluded)
    if account.on_hold:
        return Decision(account, None, reason="The customer is on hold.")
    overdue = [i for i in account.items if i.open_minor > 0 and i.due_date < as_of]
    if not overdue:
        return Decision(account, None, reason="Nothing is overdue.")
    # a disputed invoice is claimed for its undisputed part only (most are not disputed: kept as they are)
    claimed = tuple(sorted((i if not i.disputed else i._replace(open_minor=i.claimable_minor)
                            for i in overdue if not i.disputed or i.claimable_minor > 0),
                           key=lambda i: (i.due_date, i.number)))
    if not claimed:
        return Decision(account, None, reason="Every overdue invoice is disputed.")
    total = sum(i.open_minor for i in claimed)
    if total < minimum_minor:
        return Decision(account, None, claimed, reason=(
            f"The overdue amount {describe(total)} is below the minimum of {describe(minimum_minor)}."))
    days = (as_of - claimed[0].due_date).days
    ids = {i.invoice_id for i in claimed}
    last = account.last_letter
    previous = last if last is not None and last.invoice_ids & ids else None
    position = max(previous.position + 1 if previous else 1, account.start_at)
    levels = sorted(policy, key=lambda lv: lv.position)
    if not levels:
        return Decision(account, None, claimed, days, reason="The dunning policy has no levels.")
    if position > len(levels):
        return Decision(account, None, claimed, days, previous=previous, reason=(
            f"Every level has been sent (the last, {previous.name}, on {previous.sent_on.isoformat()}); "
            "the account is ready for hand-over or write-off."))
    level = levels[position - 1]
    if days < level.days_overdue:
        return Decision(account, None, claimed, days, previous=previous, reason=(
            f"{level.name} is due at {level.days_overdue} days overdue; the oldest invoice is "
            f"{_plural(days, 'day')} overdue."))
    if previous is not None:
        waited = (as_of - previous.sent_on).days
        if waited < level.min_days_since_previous:
            ready = previous.sent_on + timedelta(days=level.min_days_since_previous)
            return Decision(account, None, claimed, days, previous=previous, reason=(
                f"{level.name} waits until {ready.isoformat()}: {_plural(level.min_days_since_previous, 'day')} "
                f"must pass after {previous.name} of {previous.sent_on.isoformat()}."))
    return Decision(account, level, claimed, days, pay_by=as_of + timedelta(days=level.deadline_days),
                    previous=previous)


# --- the policy as the user edits it -------------------------------------------------------------

def _int(text: str, label: str, errors: dict, key: str, low: int = 0, high: int = 3650) -> int:
    try:
        value = int(str(text).strip())
    except ValueError:
        errors[key] = f"{label} must be a whole number of days."
        return 0
    if not low <= value <= high:
        errors[key] = f"{label} must be between {low} and {high} days."
    return value


def check_policy(rows: Sequence[dict]) -> tuple[Level, ...]:
    """Clean levels from what the user typed (one dict of strings per level, in order), or
    FieldErrors keyed "<row>.<field>" (row counted from 1) with a sentence naming the level."""
    errors: dict[str, str] = {}
    levels: list[Level] = []
    if not rows:
        raise FieldErrors({"levels": "The policy needs at least one level."})
    for n, row in enumerate(rows, start=1):
        name = str(row.get("name", "")).strip()
        where = f"Level {n}"
        if not name:
            errors[f"{n}.name"] = f"{where} needs a name."
        elif len(name) > 100:
            errors[f"{n}.name"] = f"{where}: the name is longer than 100 characters."
        days = _int(row.get("days_overdue", ""), f"{where}: days overdue", errors, f"{n}.days_overdue")
        gap = _int(row.get("min_days_since_previous", "0"), f"{where}: days since the previous letter",
                   errors, f"{n}.min_days_since_previous")
        deadline = _int(row.get("deadline_days", "14"), f"{where}: days to pay", errors, f"{n}.deadline_days",
                        0, 365)
        fee_text = str(row.get("fee", "") or "0").strip().replace(",", ".")
        try:
            fee = Decimal(fee_text)
            if fee < 0 or fee != fee.quantize(Decimal("0.01")) or fee > 100000:
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors[f"{n}.fee"] = f"{where}: the fee must be an amount like 5.00 (or empty for none)."
            fee = Decimal(0)
        channel = str(row.get("channel", "letter"))
        if channel not in CHANNELS:
            errors[f"{n}.channel"] = f"{where}: the channel must be letter, e-mail or both."
        if levels and f"{n}.days_overdue" not in errors and days <= levels[-1].days_overdue:
            errors[f"{n}.days_overdue"] = (
                f"{where} must come later than level {n - 1} ({levels[-1].days_overdue} days overdue).")
        key = str(row.get("key", "") or (TEMPLATE_KEYS[n - 1] if n <= len(TEMPLATE_KEYS) else f"level-{n}"))
        levels.append(Level(n, key, name, days, gap, fee, channel, bool(row.get("claims_interest", False)),
                            deadline))
    if errors:
        raise FieldErrors(errors)
    return tuple(levels)
