"""Opening a database: the engine with its SQLite pragmas, migrations on open, sessions.

SQLite files get foreign keys, WAL and a busy timeout on every connection. Alembic migrations run
on open; before an existing file is migrated a copy of it is taken into the backups folder
(db/backups.py). A file whose bytes are damaged is refused as DatabaseDamaged; a file another
DebtorDesk holds can be opened read-only (SQLite's read-only mode). PostgreSQL URLs go through the
same code without the SQLite parts.
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
from debtordesk.db.audit import AuditedSession
from debtordesk.db.backups import keep_in_file, take_backup
from debtordesk.db.sqlite_files import copy_sqlite, is_damage, is_sqlite_file, quick_check, sqlite_uri
from debtordesk.domain.problems import UserError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# The newest migration. Opening a database already there needs no Alembic at all (a test keeps
# this equal to the migrations' head); Alembic is imported only to upgrade.
HEAD = "0010"
BUSY_TIMEOUT_MS = 10_000
# Opening a file this small also runs SQLite's quick check of its structure (a few milliseconds);
# a bigger file is checked only when opening it fails, so a large ledger still starts at once.
QUICK_CHECK_BELOW = 8 * 1024 * 1024
READ_ONLY_REFUSAL = "attempt to write a readonly database"


class StorageError(UserError):
    """The database cannot be opened or upgraded; the message is meant for the user."""


class DatabaseDamaged(StorageError):
    """The file's bytes are not what SQLite wrote (or it is not an SQLite file at all)."""

    def __init__(self, message: str, path: Path | None):
        super().__init__(message)
        self.path = path


class ReadOnlyError(StorageError):
    """A change was asked of a database opened read-only."""


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


def make_engine(url: str, *, for_migration: bool = False, read_only: bool = False) -> Engine:
    path = sqlite_path(url)
    if read_only and path is not None:
        uri = sqlite_uri(path, mode="ro")

        def connect() -> sqlite3.Connection:
            return sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)

        engine = create_engine("sqlite://", creator=connect)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
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
    return copy_sqlite(path, dest)


def migrate(url: str, *, now: datetime | None = None) -> Path | None:
    """Bring the schema to the newest revision. Returns the path of the backup taken first, if
    any (an existing SQLite file is copied into the backups folder before it is upgraded)."""
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
                copy = _backup_before_upgrade(path, now)
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


def _backup_before_upgrade(path: Path, now: datetime | None) -> Path:
    try:
        return take_backup(path, "before-upgrade", keep=keep_in_file(path), now=now).path
    except (OSError, sqlite3.Error) as exc:
        raise StorageError(f"{path.name} needs an upgrade for this version of DebtorDesk, but no backup "
                           f"of it could be taken first ({exc}), so nothing was changed. Make room on "
                           "the disk or check the DebtorDesk data folder may be written to.") from exc


def _at(url: str, revision: str, *, read_only: bool = False) -> bool:
    """Whether the database is already at `revision` (read without Alembic)."""
    engine = make_engine(url, read_only=read_only)
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
        return (f"{where} cannot be opened: it is damaged, or it is not a DebtorDesk database "
                "(it is not an SQLite file).")
    if is_damage(text):
        return f"{where} is damaged and cannot be used safely (SQLite reports: {text})."
    if READ_ONLY_REFUSAL in text:
        return read_only_sentence(url)
    if "unable to open" in text:
        return f"{where} cannot be opened: check the folder exists and you may write to it."
    if "locked" in text:
        return f"{where} is busy: another program is changing it. Try again in a moment."
    return f"{where} could not be opened: {text}"


def read_only_sentence(url: str) -> str:
    name = sqlite_path(url).name if sqlite_path(url) is not None else "This database"
    return (f"Nothing was saved: {name} is open read-only here, because DebtorDesk has it open elsewhere. "
            "Close it there and open it again here to make changes.")


def plain_error(exc: BaseException, url: str) -> str | None:
    """A plain sentence for a database error met while working, or None if there is none."""
    if isinstance(exc, DBAPIError):
        text = str(exc.orig)
        if READ_ONLY_REFUSAL in text:
            return read_only_sentence(url)
        if is_damage(text):
            return _plain(exc, url)
    return None


@dataclass
class Database:
    url: str
    engine: Engine
    session_factory: sessionmaker[Session]
    migration_copy: Path | None = None
    read_only: bool = False
    writes: int = 0  # transactions that changed something, committed through this handle

    @property
    def path(self) -> Path | None:
        return sqlite_path(self.url)

    @property
    def display_name(self) -> str:
        return display_name(self.url)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commits if the block ends normally, rolls back on any error. On a
        database opened read-only, a change is refused with a sentence saying so."""
        try:
            with self.session_factory() as session, session.begin():
                yield session
        except DBAPIError as exc:
            if READ_ONLY_REFUSAL in str(exc.orig):
                raise ReadOnlyError(read_only_sentence(self.url)) from exc
            raise

    def session(self) -> Session:
        return self.session_factory()

    def dispose(self) -> None:
        self.engine.dispose()

    def close(self) -> None:
        """Let the database go at the end of the day: on SQLite, first refresh the planner's
        statistics where they are stale (`PRAGMA optimize`, cheap when nothing changed), so
        large lists keep their fast plans."""
        if self.engine.dialect.name == "sqlite" and not self.read_only:
            try:
                with self.engine.connect() as conn:
                    conn.exec_driver_sql("PRAGMA optimize")
            except DBAPIError:
                pass  # busy: statistics are an optimisation, never worth an error
        self.engine.dispose()


def _count_writes(db: Database) -> None:
    """Count the committed transactions that changed rows (SQLite's total_changes moved), so
    that whether anything changed since the last backup is known without reading the file."""

    @event.listens_for(db.engine, "begin")
    def begin(conn) -> None:
        raw = conn.connection.dbapi_connection
        conn.info["changes_at_begin"] = getattr(raw, "total_changes", 0)

    @event.listens_for(db.engine, "commit")
    def commit(conn) -> None:
        raw = conn.connection.dbapi_connection
        if getattr(raw, "total_changes", 0) != conn.info.get("changes_at_begin"):
            db.writes += 1


def _damaged(path: Path, url: str, exc: BaseException | None = None) -> DatabaseDamaged | None:
    """DatabaseDamaged if the file at `path` is damaged (asked of SQLite when an open failed)."""
    if exc is not None and isinstance(exc, DBAPIError) and is_damage(exc):
        return DatabaseDamaged(_plain(exc, url), path)
    if path.exists() and path.stat().st_size and not is_sqlite_file(path):
        return DatabaseDamaged(f"{path} cannot be opened: it is damaged, or it is not a DebtorDesk database "
                               "(it is not an SQLite file).", path)
    try:
        conn = sqlite3.connect(sqlite_uri(path, mode="ro"), uri=True)
        try:
            problems = quick_check(conn)
        finally:
            conn.close()
    except sqlite3.Error as err:
        problems = [str(err)] if is_damage(err) else []
    if not problems:
        return None
    return DatabaseDamaged(f"{path} is damaged and cannot be used safely: SQLite's check of the file "
                           f"found {len(problems)} problem{'s' if len(problems) != 1 else ''} "
                           f"(the first: {problems[0]}).", path)


def open_database(url: str, *, read_only: bool = False) -> Database:
    """Open (creating if needed) and upgrade the database at `url`. With `read_only`, a SQLite
    file is opened in SQLite's read-only mode: it must exist and be at this version already.

    A damaged SQLite file is refused with DatabaseDamaged: when the open fails, SQLite's quick
    check tells damage from other trouble; a small file is checked on every open."""
    path = sqlite_path(url)
    if path is not None:
        if path.exists() and path.is_dir():
            raise StorageError(f"{path} is a folder, not a database file.")
        if read_only and not path.exists():
            raise StorageError(f"{path} does not exist.")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"The folder {path.parent} cannot be created: {exc.strerror}.") from exc
        if path.exists() and path.stat().st_size and not is_sqlite_file(path):
            raise _damaged(path, url)
    try:
        if read_only:
            copy = None
            if not _at(url, HEAD, read_only=True):
                raise StorageError(f"{display_name(url)} cannot be opened read-only: it is not a DebtorDesk "
                                   "database of this version (or it could not be read).")
        else:
            copy = migrate(url)
        if path is not None and path.stat().st_size < QUICK_CHECK_BELOW:
            damaged = _damaged(path, url)
            if damaged is not None:
                raise damaged
    except StorageError as exc:
        if path is not None and not isinstance(exc, DatabaseDamaged) and path.exists():
            damaged = _damaged(path, url, exc.__cause__)
            if damaged is not None:
                raise damaged from exc
        raise
    engine = make_engine(url, read_only=read_only)
    factory = sessionmaker(engine, class_=AuditedSession, expire_on_commit=False)
    db = Database(url, engine, factory, copy, read_only=read_only)
    if path is not None and not read_only:
        _count_writes(db)
    return db
