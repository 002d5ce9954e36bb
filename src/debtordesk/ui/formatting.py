"""How the screens show money and dates: Babel in the user's locale, overdue marked in red."""

from __future__ import annotations

from datetime import date
from functools import cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from PySide6.QtCore import QLocale
from PySide6.QtGui import QColor

from debtordesk.domain.money import format_money

OVERDUE_COLOR = QColor(211, 47, 47)  # readable on light and dark palettes


@cache
def user_locale() -> str:
    """The system locale for Babel ('de_DE'), or en_GB where the system says only 'C'."""
    name = QLocale.system().name()
    try:
        Locale.parse(name)
    except (ValueError, UnknownLocaleError):
        return "en_GB"
    return name if name not in ("C", "en_US_POSIX") else "en_GB"


def money(minor: int, currency: str) -> str:
    return format_money(minor, currency, user_locale())


def amounts(by_currency: dict[str, int]) -> str:
    """'£1,200.00' or '£1,200.00 + €300.00' (one figure per currency); '' when there is none."""
    return " + ".join(money(v, cur) for cur, v in sorted(by_currency.items()))


def day(value: date | None) -> str:
    return "" if value is None else format_date(value, format="medium", locale=user_locale())
