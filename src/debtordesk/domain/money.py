"""Money: integer minor units in storage, Decimal at the edges, never float.

`Money` is an immutable amount in one currency that refuses mixed-currency arithmetic.
`split_even` and `split_by_weights` are the one way to divide an amount: the parts always sum
exactly to the whole and the remainder is placed deterministically.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache, lru_cache

from babel.core import Locale, UnknownLocaleError
from babel.numbers import format_currency, get_currency_name, get_currency_precision

from debtordesk.domain.problems import UserError

DEFAULT_CURRENCY = "GBP"
_AMOUNT_RE = re.compile(r"^[+-]?\d+(\.\d+)?$")
_CURRENCY_RE = re.compile(r"^[A-Z]{3}$")


class MoneyError(UserError):
    """An amount or currency that cannot be accepted; the message is meant for the user."""


@cache
def is_known_currency(code: str) -> bool:
    if not _CURRENCY_RE.match(code or ""):
        return False
    return get_currency_name(code, locale="en") != code


@cache
def minor_digits(currency: str) -> int:
    """Number of decimal places of the currency's minor unit (GBP 2, JPY 0, BHD 3)."""
    return get_currency_precision(currency)


def check_currency(code: str) -> str:
    code = (code or "").strip().upper()
    if not is_known_currency(code):
        raise MoneyError(f"'{code}' is not a known currency code (use three letters such as GBP, EUR, USD)")
    return code


def parse_amount(text: str, currency: str) -> int:
    """Parse a plain decimal string ("1234.50") into minor units of `currency`.

    Refuses thousands separators, a decimal comma, exponents and more decimals than the
    currency has, with a message that says what is wrong.
    """
    raw = (text or "").strip()
    if not raw:
        raise MoneyError("an amount is required")
    if not _AMOUNT_RE.match(raw):
        raise MoneyError(
            f"'{raw}' is not an amount (write it like 1234.50: digits, '.' as decimal point, "
            "no thousands separators)"
        )
    digits = minor_digits(currency)
    value = Decimal(raw)
    if value.as_tuple().exponent < -digits:  # type: ignore[operator]
        raise MoneyError(f"'{raw}' has more than {digits} decimal places for {currency}")
    return int(value.scaleb(digits))


def to_decimal(minor: int, currency: str) -> Decimal:
    return Decimal(minor).scaleb(-minor_digits(currency))


def format_plain(minor: int, currency: str) -> str:
    """The machine format: '-1234.50' with exactly the currency's minor digits."""
    digits = minor_digits(currency)
    q = Decimal(1).scaleb(-digits)
    return str(to_decimal(minor, currency).quantize(q))


def format_money(minor: int, currency: str, locale: str = "en_GB") -> str:
    """For people: '£1,234.50' or '1.234,50 €' through Babel (CLDR)."""
    return format_currency(to_decimal(minor, currency), currency, locale=_locale(locale))


@lru_cache(maxsize=64)
def _locale(code: str) -> Locale:
    """Parsed once: a letter batch formats 100,000s of amounts and parsing the locale each time
    cost more than the formatting."""
    try:
        return Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en_GB")


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount in one currency. Build it with `Money.of` or `Money.from_minor`."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise TypeError("Money needs a Decimal amount, never a float")
        digits = minor_digits(self.currency)
        if self.amount != self.amount.quantize(Decimal(1).scaleb(-digits)):
            raise MoneyError(f"{self.amount} has more than {digits} decimals for {self.currency}")

    @classmethod
    def of(cls, value: str | int | Decimal, currency: str) -> Money:
        if isinstance(value, float):
            raise TypeError("Money refuses floats")
        currency = check_currency(currency)
        try:
            amount = Decimal(value)
        except InvalidOperation as exc:
            raise MoneyError(f"'{value}' is not an amount") from exc
        return cls(amount, currency)

    @classmethod
    def from_minor(cls, minor: int, currency: str) -> Money:
        return cls(to_decimal(int(minor), currency), currency)

    @property
    def minor(self) -> int:
        return int(self.amount.scaleb(minor_digits(self.currency)))

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise MoneyError(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def times(self, factor: Decimal | int) -> Money:
        """Multiply and round half-up to the currency's minor unit."""
        if isinstance(factor, float):
            raise TypeError("Money refuses floats")
        q = Decimal(1).scaleb(-minor_digits(self.currency))
        return Money((self.amount * Decimal(factor)).quantize(q, ROUND_HALF_UP), self.currency)

    def __str__(self) -> str:
        return f"{format_plain(self.minor, self.currency)} {self.currency}"


def round_half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), ROUND_HALF_UP))


def split_even(total: int, parts: int) -> list[int]:
    """Divide `total` minor units into `parts` equal parts, rounded half-up; the last part takes
    the rounding remainder. Parts are never negative for a non-negative total, and none is zero
    when there is at least one unit per part (6 in 4 is 1, 1, 1, 3, not 2, 2, 2, 0)."""
    if parts < 1:
        raise ValueError("parts must be at least 1")
    if total < 0:
        return [-p for p in split_even(-total, parts)]
    base = round_half_up(Decimal(total) / parts)
    if base * (parts - 1) > total or (base * (parts - 1) == total and total >= parts):
        base = total // parts
    return [base] * (parts - 1) + [total - base * (parts - 1)]


def split_by_weights(total: int, weights: Sequence[int | Decimal]) -> list[int]:
    """Divide `total` minor units in proportion to `weights` (largest-remainder method).

    Each part is floor(total * w / sum(w)); the units left over go one each to the parts with
    the largest remainders, earlier parts first on a tie. The parts always sum to `total`.
    """
    if not weights:
        raise ValueError("at least one weight is needed")
    ws = [Decimal(w) for w in weights]
    if any(w < 0 for w in ws):
        raise ValueError("weights cannot be negative")
    wsum = sum(ws)
    if wsum == 0:
        return split_even(total, len(ws))
    if total < 0:
        return [-p for p in split_by_weights(-total, weights)]
    exact = [Decimal(total) * w / wsum for w in ws]
    floors = [int(e) for e in exact]
    left = total - sum(floors)
    order = sorted(range(len(ws)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return floors
