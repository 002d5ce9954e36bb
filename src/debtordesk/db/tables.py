"""The whole database, table by table, without a hand-made list: every table of the models in
dependency order, its rows in primary-key order, its money columns and the currency they are in.

Used by the full JSON export and by the copy to another database (which compares row counts and
money totals between the two).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Column, Connection, Table, func, inspect, literal, select, text
from sqlalchemy.orm import Session

from debtordesk.db.models import Base

CHUNK = 2000
BASE_CURRENCY = "the company's base currency"


def data_tables() -> list[Table]:
    """Every table of the models, parents before the tables that point at them."""
    return list(Base.metadata.sorted_tables)


def money_columns(table: Table) -> list[Column]:
    """The columns holding money: integers in minor units, named *_minor."""
    return [c for c in table.columns if c.name.endswith("_minor")]


@dataclass(frozen=True)
class CurrencySource:
    """Where the currency of a table's money columns is found: its own `currency` column, the
    currency of the row a foreign key points at, or (neither) the company's base currency."""

    table: Table
    via: Column | None = None  # the foreign-key column, when the currency is the linked row's
    linked: Table | None = None

    def describe(self) -> str:
        if self.via is None and "currency" in self.table.c:
            return "currency"
        if self.via is not None and self.linked is not None:
            return f"{self.linked.name}.currency (through {self.via.name})"
        return BASE_CURRENCY


def currency_source(table: Table) -> CurrencySource:
    if "currency" in table.c:
        return CurrencySource(table)
    links = sorted(
        (fk for fk in table.foreign_keys if "currency" in fk.column.table.c),
        key=lambda fk: (bool(fk.parent.nullable), fk.parent.name),
    )
    if links:
        return CurrencySource(table, links[0].parent, links[0].column.table)
    return CurrencySource(table)


def primary_key_order(table: Table) -> list[Column]:
    return list(table.primary_key.columns) or list(table.columns)


def iter_chunks(conn: Connection, table: Table, size: int = CHUNK) -> Iterator[list[dict]]:
    """The table's rows in primary-key order as lists of at most `size` dicts (column name to
    value), fetched in chunks from a cursor that streams: nothing holds the whole table."""
    stmt = select(table).order_by(*primary_key_order(table))
    result = conn.execution_options(stream_results=True, yield_per=size).execute(stmt)
    try:
        for part in result.mappings().partitions(size):
            yield [dict(row) for row in part]
    finally:
        result.close()  # a server-side cursor left behind by a reader who stopped early


def count_rows(conn: Connection, table: Table) -> int:
    return int(conn.scalar(select(func.count()).select_from(table)) or 0)


def money_totals(conn: Connection, tables: list[Table] | None = None) -> dict[tuple[str, str, str], int]:
    """The sum of every money column by (table, column, currency); '' for a currency not known
    (a row that links to nothing). Worked out in SQL, one query per table with money."""
    base = _base_currency(conn)
    totals: dict[tuple[str, str, str], int] = {}
    for table in tables if tables is not None else data_tables():
        columns = money_columns(table)
        if not columns:
            continue
        source = currency_source(table)
        sums = [func.coalesce(func.sum(c), 0) for c in columns]
        if source.via is not None and source.linked is not None:
            target = next(iter(source.via.foreign_keys)).column
            currency = source.linked.c.currency
            stmt = (select(currency, *sums)
                    .select_from(table.outerjoin(source.linked, source.via == target))
                    .group_by(currency))
        elif "currency" in table.c:
            stmt = select(table.c.currency, *sums).group_by(table.c.currency)
        else:
            stmt = select(literal(base), *sums).select_from(table)
        for cur, *values in conn.execute(stmt):
            for column, value in zip(columns, values, strict=True):
                key = (table.name, column.name, cur or "")
                totals[key] = totals.get(key, 0) + int(value)
    return totals


def _base_currency(conn: Connection) -> str:
    tables = {t.name: t for t in data_tables()}
    company = tables.get("company_profile")
    if company is None or "base_currency" not in company.c:
        return ""
    return conn.scalar(select(company.c.base_currency).order_by(company.c.id).limit(1)) or ""


def schema_revision(conn: Connection) -> str | None:
    """The Alembic revision the database is at (None: not a DebtorDesk database, or a new one)."""
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def snapshot(session: Session) -> Connection:
    """The session's connection, reading one consistent state of the whole database for as long
    as the session's transaction lasts (on SQLite a read transaction is begun explicitly: the
    driver does not begin one for reading; on PostgreSQL the transaction is REPEATABLE READ)."""
    if session.get_bind().dialect.name == "postgresql":
        return session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    conn = session.connection()
    if conn.dialect.name == "sqlite" and not conn.connection.dbapi_connection.in_transaction:
        conn.exec_driver_sql("BEGIN")
    return conn


