"""Early-settlement discount terms: "2% if paid within 10 days".

An invoice carries its own terms (copied from the customer when it is made). The discount is
available up to and including the last day of the window (the issue date plus the days) while
nothing has been paid on the invoice; it is the percentage of the invoice amount rounded half up
to the minor unit, and a payment of exactly the rest settles the invoice. Unused offers change
nothing: the invoice is owed in full.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from debtordesk.domain.money import round_half_up

MAX_DAYS = 365
MAX_PERCENT = Decimal(50)


def check_terms(percent_text: str, days_text: str) -> tuple[str, int, dict[str, str]]:
    """Typed terms → (percent as text, days, errors keyed "discount_percent" / "discount_days").
    Both empty (or a percentage of 0) means no discount."""
    errors: dict[str, str] = {}
    raw = (percent_text or "").strip().replace(",", ".").rstrip("%").strip()
    days_raw = (days_text or "").strip()
    percent = Decimal(0)
    if raw:
        try:
            percent = Decimal(raw)
            if not percent.is_finite() or not Decimal(0) <= percent <= MAX_PERCENT:
                raise InvalidOperation
        except InvalidOperation:
            errors["discount_percent"] = (f"'{percent_text.strip()}' must be a percentage from 0 to {MAX_PERCENT}, "
                                          "such as 2 or 2.5")
    days = 0
    if days_raw:
        if not days_raw.isdigit() or int(days_raw) > MAX_DAYS:
            errors["discount_days"] = f"'{days_raw}' must be a whole number of days from 1 to {MAX_DAYS}"
        else:
            days = int(days_raw)
    if not errors and percent > 0 and days == 0:
        errors["discount_days"] = "say within how many days of the invoice date the discount may be taken"
    if errors or percent == 0:
        return "", 0, errors
    return f"{percent.normalize():f}", days, errors


def discount_minor(amount_minor: int, percent: str) -> int:
    """The discount on an amount: `percent` of it, rounded half up to the minor unit."""
    if not percent:
        return 0
    return round_half_up(Decimal(amount_minor) * Decimal(percent) / 100)


def last_day(issue_date: date, days: int) -> date:
    return issue_date + timedelta(days=days)


def available(percent: str, days: int, issue_date: date, on: date, amount_minor: int, open_minor: int) -> int:
    """The discount that may be taken on `on` (0 when none: no terms, the window passed, or
    something has been paid already)."""
    if not percent or days <= 0 or on > last_day(issue_date, days) or open_minor != amount_minor:
        return 0
    return discount_minor(amount_minor, percent)


def describe(percent: str, days: int) -> str:
    return f"{percent}% if paid within {days} days" if percent else ""
