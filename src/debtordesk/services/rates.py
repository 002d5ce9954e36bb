"""Reference-rate tables: the ones shipped in resources/rates merged with the rates the user added.

The shipped files are read once per process. A rate the user adds (a change newer than the shipped
table, or a correction) is kept in `rate_entry`; on the same date it wins over the shipped rate.
Shipped rates cannot be deleted; a wrong one is corrected by adding a rate on the same date.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from debtordesk.config import resources_dir
from debtordesk.db.models import RateEntry as RateRow
from debtordesk.domain.interest import (
    RATE_TABLE_NAMES,
    InterestError,
    RateEntry,
    RateTable,
    merge,
    parse_rate,
    parse_rate_csv,
)
from debtordesk.domain.problems import FieldErrors, UserError

TABLE_FILES = {"boe": "boe-bank-rate.csv", "de-base": "de-basiszinssatz.csv", "ecb": "ecb-mro.csv"}
TABLE_LABELS = {key: RATE_TABLE_NAMES[key] for key in TABLE_FILES}
RATE_MIN, RATE_MAX = Decimal(-10), Decimal(30)
MAX_DECIMALS = 4
NOTE_MAX = 200


def _check_key(key: str) -> str:
    if key not in TABLE_FILES:
        raise InterestError(f"'{key}' is not a reference-rate table; choose one of {', '.join(TABLE_FILES)}.")
    return key


@cache
def shipped_table(key: str) -> RateTable:
    """The table shipped with DebtorDesk (read once)."""
    path = resources_dir() / "rates" / TABLE_FILES[_check_key(key)]
    return parse_rate_csv(path.read_text(encoding="utf-8"), key)


def _added(session: Session, key: str) -> list[RateRow]:
    return list(session.scalars(select(RateRow).where(RateRow.table_key == key).order_by(RateRow.effective_from)))


def rate_tables(session: Session) -> dict[str, RateTable]:
    """Every table: shipped entries merged with the user's (the user's win on the same date)."""
    rows = session.scalars(select(RateRow).where(RateRow.table_key.in_(list(TABLE_FILES)))).all()
    extra: dict[str, list[RateEntry]] = {key: [] for key in TABLE_FILES}
    for row in rows:
        extra[row.table_key].append(RateEntry(row.effective_from, Decimal(row.rate)))
    return {key: merge(shipped_table(key), extra[key]) for key in TABLE_FILES}


def _check_rate(rate_text: str) -> Decimal:
    try:
        rate = parse_rate(rate_text)
    except InterestError as exc:
        raise FieldErrors({"rate": str(exc)}) from None
    if not RATE_MIN <= rate <= RATE_MAX:
        raise FieldErrors({"rate": f"a rate of {rate}% is out of range: reference rates lie between "
                                   f"{RATE_MIN}% and {RATE_MAX}%"})
    if rate.as_tuple().exponent < -MAX_DECIMALS:  # type: ignore[operator]
        raise FieldErrors({"rate": f"'{rate_text.strip()}' has more than {MAX_DECIMALS} decimal places"})
    return rate


def add_rate(session: Session, key: str, effective_from: date, rate_text: str, note: str = "") -> None:
    """Add a rate in force from `effective_from` (in the caller's transaction). Refuses a date the user already
    added a rate for; on a shipped date the added rate replaces the shipped one."""
    _check_key(key)
    rate = _check_rate(rate_text)
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise FieldErrors({"note": f"the note is too long ({len(note)} characters; at most {NOTE_MAX})"})
    if key == "de-base" and (effective_from.day, effective_from.month) not in ((1, 1), (1, 7)):
        raise FieldErrors({"effective_from": "the Basiszinssatz changes only on 1 January and 1 July "
                                             f"(§ 247 BGB), not on {effective_from.isoformat()}"})
    taken = session.scalar(select(RateRow).where(RateRow.table_key == key, RateRow.effective_from == effective_from))
    if taken is not None:
        raise FieldErrors({"effective_from": f"a rate from {effective_from.isoformat()} is already in the "
                                             f"{TABLE_LABELS[key]} table ({taken.rate}%); delete it first "
                                             "to enter a different one"})
    session.add(RateRow(table_key=key, effective_from=effective_from, rate=str(rate), note=note))
    session.flush()


def delete_rate(session: Session, key: str, effective_from: date) -> None:
    """Delete a rate the user added (in the caller's transaction); shipped rates cannot be deleted."""
    _check_key(key)
    row = session.scalar(select(RateRow).where(RateRow.table_key == key, RateRow.effective_from == effective_from))
    if row is None:
        day = effective_from.isoformat()
        if any(e.effective_from == effective_from for e in shipped_table(key).entries):
            raise UserError(
                f"The rate from {day} came with DebtorDesk and cannot be deleted. If it is wrong, add a "
                "rate for the same date: yours is used instead.")
        raise UserError(f"There is no rate from {day} in the {TABLE_LABELS[key]} table to delete.")
    session.delete(row)
    session.flush()


def list_rates(session: Session, key: str) -> list[tuple[date, Decimal, str, str]]:
    """(effective_from, rate, 'shipped' | 'added', note) by date; an added rate hides the shipped
    one on the same date."""
    rows: dict[date, tuple[date, Decimal, str, str]] = {
        e.effective_from: (e.effective_from, e.rate, "shipped", "") for e in shipped_table(_check_key(key)).entries
    }
    for row in _added(session, key):
        rows[row.effective_from] = (row.effective_from, Decimal(row.rate), "added", row.note)
    return [rows[day] for day in sorted(rows)]
