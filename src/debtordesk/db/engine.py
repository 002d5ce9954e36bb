"""Opening a database: the engine with its SQLite pragmas, migrations on open, sessions.

SQLite files get foreign keys, WAL and a busy timeout on every connection. Alembic migrations run
on open; before an existing file is migrated a copy of it is taken beside it. PostgreSQL URLs go
through the same code without the SQLite parts.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, make_url, text
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from debtordesk.config import sqlite_path
from debtordesk.domain.problems import UserError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# The newest migration. Opening a database already there needs no Alembic at all (a test keeps
# this equal to the migrations' head); Alembic is imported only to upgrade.
HEAD = "0010"
BUSY_TIMEOUT_MS = 10_000


class StorageError(UserError):
    """The database cannot be opened or upgraded; the message is meant for the user."""


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    # Python 3.11's sqlite3 has no `autocommit` attribute (3.12+): read it defensively.
    ac = getattr(dbapi_conn, "autocommit", None)
    if ac is not None:
        dbapi_conn.autocommit = True
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.close()
    if ac is not None:
        dbapi_conn.autocommit = ac


def _sqlite_migration_pragmas(dbapi_conn, _record) -> None:
    # Batch migrations copy tables; with foreign keys on they fail on populated databases.
    # We manage the transaction ourselves (BEGIN IMMEDIATE) so DDL is all-or-nothing.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=OFF")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.close()


def make_engine(url: str, *, for_migration: bool = False) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        listener = _sqlite_migration_pragmas if for_migration else _sqlite_pragmas
        event.listen(engine, "connect", listener)
        return engine
    return create_engine(url, pool_pre_ping=True)


def alembic_config():
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def backup_sqlite(path: Path, dest: Path) -> Path:
    """A consistent copy through SQLite's online backup API (safe while others read)."""
    src = sqlite3.connect(str(path))
    try:
        dst = sqlite3.connect(str(dest))
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    return dest


def migrate(url: str, *, now: datetime | None = None) -> Path | None:
    """Bring the schema to the newest revision. Returns the path of the copy taken, if any."""
    if _at(url, HEAD):
        return None
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    cfg = alembic_config()
    head = head_revision()
    engine = make_engine(url, for_migration=True)
    copy: Path | None = None
    try:
        with engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
            if current == head:
                return None
            script = ScriptDirectory.from_config(cfg)
            if current is not None and current not in {s.revision for s in script.walk_revisions()}:
                raise StorageError(
                    "This database was made by a newer version of DebtorDesk. "
                    "Install the newest version to open it."
                )
            if current is None and inspect(conn).get_table_names():
                raise StorageError("This file is not a DebtorDesk database.")
            path = sqlite_path(url)
            if current is not None and path is not None and path.exists():
                stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
                copy = backup_sqlite(path, path.with_name(f"{path.name}.before-{head}-{stamp}.bak"))
            is_sqlite = conn.dialect.name == "sqlite"
            if is_sqlite:  # the driver does not begin by itself here: lock the file for writing
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            # elsewhere the transaction begun by the revision check goes on; DDL is transactional
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
            if is_sqlite:
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    conn.rollback()
                    raise StorageError(
                        "The database upgrade was undone because it would break links between "
                        f"records ({len(broken)} problem(s)); your data is unchanged."
                    )
            conn.commit()
    except DBAPIError as exc:
        raise StorageError(_plain(exc, url)) from exc
    finally:
        engine.dispose()
    return copy


def _at(url: str, revision: str) -> bool:
    """Whether the database is already at `revision` (read without Alembic)."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return False
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [revision]
    except DBAPIError:
        return False  # the full check below explains what is wrong
    finally:
        engine.dispose()


def display_name(url: str) -> str:
    """The file path, or the URL with its password hidden."""
    path = sqlite_path(url)
    if path is not None:
        return str(path)
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "the database"


def _plain(exc: DBAPIError, url: str) -> str:
    text = str(exc.orig).strip()
    where = display_name(url)
    if "file is not a database" in text:
        return f"{where} is not a DebtorDesk database (it is not an SQLite file)."
    if "unable to open" in text:
        return f"{where} cannot be opened: check the folder exists and you may write to it."
    if "locked" in text:
        return f"{where} is busy: another program is changing it. Try again in a moment."
    return f"{where} could not be opened: {text}"


@dataclass
class Database:
    url: str
    engine: Engine
    session_factory: sessionmaker[Session]
    migration_copy: Path | None = None

    @property
    def path(self) -> Path | None:
        return sqlite_path(self.url)

    @property
    def display_name(self) -> str:
        return display_name(self.url)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commits if the block ends normally, rolls back on any error."""
        with self.session_factory() as session, session.begin():
            yield session

    def session(self) -> Session:
        return self.session_factory()

    def dispose(self) -> None:
        self.engine.dispose()

    def close(self) -> None:
        """Let the database go at the end of the day: on SQLite, first refresh the planner's
        statistics where they are stale (`PRAGMA optimize`, cheap when nothing changed), so
        large lists keep their fast plans."""
        if self.engine.dialect.name == "sqlite":
            try:
                with self.engine.connect() as conn:
                    conn.exec_driver_sql("PRAGMA optimize")
            except DBAPIError:
                pass  # busy or read-only: statistics are an optimisation, never worth an error
        self.engine.dispose()


def open_database(url: str) -> Database:
    """Open (creating if needed) and upgrade the database at `url`."""
    path = sqlite_path(url)
    if path is not None:
        if path.exists() and path.is_dir():
            raise StorageError(f"{path} is a folder, not a database file.")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"The folder {path.parent} cannot be created: {exc.strerror}.") from exc
    copy = migrate(url)
    engine = make_engine(url)
    factory = sessionmaker(engine, expire_on_commit=False)
    return Database(url, engine, factory, copy)
