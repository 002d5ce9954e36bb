"""Copying the whole database into another, empty one: a PostgreSQL server's or a new SQLite file.

The target is looked at first and refused if it holds anything. It is then brought to the schema
revision of the source, every table is copied in dependency order a chunk at a time with its ids
kept, PostgreSQL's id sequences are moved past the highest id, and — still inside the one
transaction on the target — the row count of every table and the sum of every money column per
currency are compared between the two. Only if everything agrees is the copy committed; otherwise
it is rolled back (a new file made for it is removed) and the user is told what differed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Connection, Table, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from debtordesk.config import sqlite_path
from debtordesk.db.engine import HEAD, StorageError, display_name, make_engine, migrate
from debtordesk.db.tables import count_rows, data_tables, iter_chunks, money_totals, schema_revision, snapshot
from debtordesk.domain.money import format_plain
from debtordesk.domain.problems import UserError
from debtordesk.domain.progress import Cancelled, Progress, Report, ShouldCancel
from debtordesk.services.databases import connection_problem, look_at, without_password

MoneyKey = tuple[str, str, str]  # table, column, currency


class TransferError(UserError):
    """The copy was refused or undone; the message is meant for the user."""


@dataclass
class Comparison:
    """Row counts per table and money totals between the open database and the copy."""

    source: str  # display names (never a password)
    target: str
    revision: str
    counts: dict[str, tuple[int, int]] = field(default_factory=dict)  # table: (source, target)
    money: dict[MoneyKey, tuple[int, int]] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(s for s, _ in self.counts.values())

    def differences(self) -> list[str]:
        said = [f"{table}: {s:,} rows here, {t:,} in the copy"
                for table, (s, t) in self.counts.items() if s != t]
        said += [f"{table}.{column} in {cur or 'no currency'}: {s:,} here, {t:,} in the copy (minor units)"
                 for (table, column, cur), (s, t) in sorted(self.money.items()) if s != t]
        return said

    @property
    def agrees(self) -> bool:
        return not self.differences()

    def currency_totals(self) -> dict[str, tuple[int, int]]:
        """Per currency, the sum of every money column (minor units), here and in the copy."""
        totals: dict[str, tuple[int, int]] = {}
        for (_t, _c, cur), (s, t) in self.money.items():
            a, b = totals.get(cur, (0, 0))
            totals[cur] = (a + s, b + t)
        return dict(sorted(totals.items()))

    def lines(self) -> list[str]:
        """The comparison as the user reads it: money first, then the rows of every table."""
        out = [f"From  {self.source}", f"To    {self.target}", f"Data version {self.revision}", "",
               f"{'Money (all amounts added up)':<30}{'here':>18}{'copy':>18}"]
        for cur, (s, t) in self.currency_totals().items():
            out.append(f"{cur or 'no currency':<30}{_amount(s, cur):>18}{_amount(t, cur):>18}"
                       + ("" if s == t else "   differs"))
        out += ["", f"{'Rows per table':<30}{'here':>18}{'copy':>18}"]
        for table, (s, t) in self.counts.items():
            out.append(f"{table:<30}{s:>18,}{t:>18,}" + ("" if s == t else "   differs"))
        return out


def _amount(minor: int, currency: str) -> str:
    try:
        return f"{Decimal(format_plain(minor, currency)):,}"
    except (KeyError, ValueError):  # not a currency code DebtorDesk knows
        return f"{minor:,}"


def compare(source: Connection, target: Connection, source_name: str, target_name: str) -> Comparison:
    tables = data_tables()
    comparison = Comparison(source_name, target_name, schema_revision(source) or "")
    for table in tables:
        comparison.counts[table.name] = (count_rows(source, table), count_rows(target, table))
    here, there = money_totals(source, tables), money_totals(target, tables)
    for key in sorted(set(here) | set(there)):
        comparison.money[key] = (here.get(key, 0), there.get(key, 0))
    return comparison


def copy_database(source: Session, target_url: str, report: Report | None = None,
                  should_cancel: ShouldCancel | None = None) -> Comparison:
    """Copy everything the database behind `source` holds into the empty database at `target_url`
    (a server URL with its password, or a SQLite URL). Returns the comparison of the two; raises
    TransferError (nothing kept in the target) when the target is not empty or the copy does not
    agree, Cancelled when `should_cancel()` turned true."""
    report = report or (lambda _p: None)
    should_cancel = should_cancel or (lambda: False)
    started = time.monotonic()
    source_url = source.get_bind().engine.url.render_as_string(hide_password=False)
    source_name, target_name = _shown(source_url), _shown(target_url)
    if _same(source_url, target_url):
        raise TransferError(f"{target_name} is the database that is open: choose another place for the copy.")
    report(Progress(0, None, "Looking at the target…"))
    state = look_at(target_url)
    if not state.empty:
        if state.kind == "debtordesk":
            raise TransferError(f"{target_name} already holds DebtorDesk data"
                                + (" (" + " and ".join(f"{n:,} {k}" for k, n in state.counts.items()) + ")"
                                   if state.counts else "")
                                + ". DebtorDesk copies only into an empty database, so nothing was changed there.")
        raise TransferError(f"{state.message} Nothing was copied.")
    conn = snapshot(source)
    revision = schema_revision(conn)
    if revision != HEAD:
        raise TransferError(f"The open database is at data version {revision}, not {HEAD}: open it with this version "
                            "of DebtorDesk first, then copy it.")
    path = sqlite_path(target_url)
    made_file = path is not None and not path.exists()
    tables = data_tables()
    try:
        report(Progress(0, None, "Preparing the target…"))
        migrate(target_url)
        engine = make_engine(target_url)
        try:
            with engine.connect() as target:
                with target.begin():
                    if any(count_rows(target, t) for t in tables):  # filled meanwhile by someone else
                        raise TransferError(f"{target_name} is no longer empty: someone else is using it. "
                                            "Nothing was copied.")
                    total = sum(count_rows(conn, t) for t in tables)
                    done = 0
                    for table in tables:
                        for chunk in iter_chunks(conn, table):
                            if should_cancel():
                                raise Cancelled()
                            _insert(target, table, chunk)
                            done += len(chunk)
                            report(Progress(done, total, f"Copying {table.name}…"))
                    if target.dialect.name == "postgresql":
                        _reset_sequences(target, tables)
                    report(Progress(total, total, "Comparing the copy with this database…"))
                    comparison = compare(conn, target, source_name, target_name)
                    if not comparison.agrees:
                        raise TransferError("The copy was undone because it does not match this database:\n"
                                            + "\n".join(comparison.differences()))
        finally:
            engine.dispose()
    except DBAPIError as exc:
        _discard(path if made_file else None)
        raise TransferError(f"The copy was undone: {connection_problem(exc, target_url)}") from exc
    except StorageError as exc:
        _discard(path if made_file else None)
        raise TransferError(f"{exc} Nothing was copied.") from exc
    except BaseException:
        _discard(path if made_file else None)
        raise
    comparison.seconds = time.monotonic() - started
    return comparison


def _shown(url: str) -> str:
    """The file, or the server's URL without the password."""
    return display_name(url) if sqlite_path(url) is not None else without_password(url)


def _same(a: str, b: str) -> bool:
    pa, pb = sqlite_path(a), sqlite_path(b)
    if pa is not None and pb is not None:
        return pa.resolve() == pb.resolve()
    return without_password(a) == without_password(b)


def _insert(conn: Connection, table: Table, rows: list[dict]) -> None:
    """Write `rows` into `table`: through PostgreSQL's COPY where the driver offers it (several
    times faster than one INSERT a row), else one executemany INSERT."""
    raw = conn.connection.driver_connection
    if conn.dialect.name != "postgresql" or conn.dialect.driver != "psycopg":
        conn.execute(table.insert(), rows)
        return
    prep = conn.dialect.identifier_preparer
    names = [c.name for c in table.columns]
    columns = ", ".join(prep.quote(n) for n in names)
    with raw.cursor() as cursor, cursor.copy(f"COPY {prep.format_table(table)} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[n] for n in names])


def _reset_sequences(conn: Connection, tables) -> None:
    """Move each id sequence past the highest id copied (the next new row gets max + 1)."""
    for table in tables:
        for column in table.primary_key.columns:
            if not column.autoincrement or column.type.python_type is not int:
                continue
            seq = conn.scalar(text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": column.name})
            if seq is None:
                continue
            top = conn.scalar(select(func.max(column)))
            conn.execute(text("SELECT setval(:s, :v, :called)"),
                         {"s": seq, "v": top if top is not None else 1, "called": top is not None})


def _discard(path: Path | None) -> None:
    """Remove a database file made for a copy that did not complete (and SQLite's side files)."""
    if path is None:
        return
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm"),
              path.with_name(path.name + "-journal")):
        p.unlink(missing_ok=True)
