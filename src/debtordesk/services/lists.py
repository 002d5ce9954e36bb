"""Shared pieces of the paged lists (customers, invoices, payments): sorting and windows.

Lists are read a window at a time (`OFFSET`/`LIMIT` over an indexed order, with the primary key
as the last sort key so the order is total), never as a whole table.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from babel.numbers import get_currency_precision, list_currencies
from sqlalchemy import Select, case, literal
from sqlalchemy.orm import Session

from debtordesk.domain.problems import UserError

MAX_WINDOW = 1000


@dataclass(frozen=True)
class Sort:
    column: str
    descending: bool = False


@cache
def _odd_precisions() -> dict[str, int]:
    """Currencies whose minor unit is not a hundredth (JPY 0, BHD 3, ...)."""
    return {c: p for c in sorted(list_currencies()) if (p := get_currency_precision(c)) != 2}


def nominal(minor, currency):
    """An SQL expression putting amounts of any currency on one scale (hundredths of the major
    unit), so that sorting by amount compares the figures as written, whatever the currency.
    One test per number of decimals (a handful), each an IN list: small to build on every query."""
    by_digits: dict[int, list[str]] = {}
    for code, digits in _odd_precisions().items():
        by_digits.setdefault(digits, []).append(code)
    whens = [
        (currency.in_(codes), minor * (10 ** (2 - d)) if d < 2 else minor / (10 ** (d - 2)))
        for d, codes in sorted(by_digits.items())
    ]
    return case(*whens, else_=minor * literal(1))


def window(query: Select, offset: int, limit: int) -> Select:
    if offset < 0 or limit < 0:
        raise ValueError("offset and limit must not be negative")
    return query.offset(offset).limit(min(limit, MAX_WINDOW))


def contains(session: Session, column, text: str):
    """`column` contains `text`, ignoring case. SQLite's LIKE already ignores case (ASCII letters, as
    its lower() does), so the lower() that ilike puts on both sides there only costs time."""
    pattern = like_pattern(text)
    if session.get_bind().dialect.name == "sqlite":
        return column.like(pattern, escape="\\")
    return column.ilike(pattern, escape="\\")


def like_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, with LIKE's own wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def get_or_gone(session: Session, model, row_id: int, what: str):
    """The row, or a plain refusal when it has gone (deleted elsewhere since it was listed)."""
    row = session.get(model, row_id)
    if row is None:
        raise UserError(f"This {what} no longer exists; someone may have deleted it.")
    return row
