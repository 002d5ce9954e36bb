"""Which database: a PostgreSQL server's details, its password in the password store (never in a
URL that is saved or shown), and what a database holds — reachable or not, empty, someone
else's tables, or DebtorDesk data of some version — said in plain words."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import create_engine, func, inspect, literal, select, table, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from debtordesk.config import sqlite_path
from debtordesk.db.engine import HEAD, alembic_config, display_name
from debtordesk.domain.problems import FieldErrors
from debtordesk.services.credentials import CredentialStore

DRIVER = "postgresql+psycopg"
DEFAULT_PORT = 5432
CONNECT_TIMEOUT_S = 8


@dataclass(frozen=True)
class ServerDetails:
    """Where a shared PostgreSQL database is: everything but the password."""

    host: str
    port: int
    database: str
    user: str

    @classmethod
    def from_form(cls, host: str, port: str, database: str, user: str) -> ServerDetails:
        """Checked details from what was typed; FieldErrors names each field that cannot work."""
        host, database, user, port = host.strip(), database.strip(), user.strip(), port.strip()
        errors = {}
        if not host:
            errors["host"] = "type the server's name or address"
        if not port.isdigit() or not 0 < int(port) < 65536:
            errors["port"] = "the port is a whole number from 1 to 65535 (PostgreSQL's usual port is 5432)"
        if not database:
            errors["database"] = "type the name of the database on the server"
        if not user:
            errors["user"] = "type the user name DebtorDesk signs in with"
        if errors:
            raise FieldErrors(errors)
        return cls(host, int(port), database, user)

    @classmethod
    def from_url(cls, url: str) -> ServerDetails | None:
        """The details of a PostgreSQL URL (None for a file or something unreadable)."""
        try:
            parsed = make_url(url)
        except ArgumentError:
            return None
        if parsed.get_backend_name() != "postgresql":
            return None
        return cls(parsed.host or "localhost", parsed.port or DEFAULT_PORT, parsed.database or "",
                   parsed.username or "")

    @property
    def account(self) -> str:
        """The name the password is filed under in the password store."""
        return server_account(self.user, self.host, self.port, self.database)

    def url(self, password: str | None = None) -> str:
        """The SQLAlchemy URL; with the password only when given (for connecting, never to keep)."""
        return URL.create(DRIVER, username=self.user, password=password or None, host=self.host,
                          port=self.port, database=self.database).render_as_string(hide_password=False)

    def where(self) -> str:
        return f"the server at {self.host}:{self.port}"


def server_account(user: str, host: str, port: int, database: str) -> str:
    """'postgresql:user@host:port/database' (the password store's account name)."""
    return f"postgresql:{user}@{host.lower()}:{port}/{database}"


def without_password(url: str) -> str:
    """The URL with any password taken out (to remember it or show it)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return url
    if parsed.password is None:
        return url
    return parsed._replace(password=None).render_as_string(hide_password=False)


def with_stored_password(url: str, store: CredentialStore | None = None) -> str:
    """A server URL without a password gets the one kept in the password store for it; anything
    else comes back unchanged."""
    details = ServerDetails.from_url(url)
    if details is None or make_url(url).password is not None:
        return url
    secret = (store or CredentialStore()).get(details.account)
    return make_url(url).set(password=secret).render_as_string(hide_password=False) if secret else url


def keep_password(details: ServerDetails, password: str, store: CredentialStore | None = None) -> str:
    """Put the password in the password store; returns '' or the sentence saying it is kept only
    until DebtorDesk closes (no password store on this computer)."""
    store = store or CredentialStore()
    if store.set(details.account, password):
        return ""
    return store.last_problem


def connection_problem(exc: DBAPIError | Exception, url: str) -> str:
    """A plain sentence for why a database could not be reached or signed into."""
    message = _problem(exc, url)[1]
    return message[0].upper() + message[1:]


def _problem(exc: DBAPIError | Exception, url: str) -> tuple[str, str]:
    raw = str(getattr(exc, "orig", None) or exc).strip()
    low = raw.lower()
    details = ServerDetails.from_url(url)
    where = details.where() if details else display_name(url)
    if "password authentication failed" in low:
        user = details.user if details else "this user"
        return "wrong-password", (f"{where} refused the user name “{user}” with that password: the password is "
                                  "wrong, or there is no such user.")
    if "no password supplied" in low:
        return "wrong-password", f"{where} asks for a password, and none was given."
    if "does not exist" in low and "database" in low:
        name = details.database if details else "that name"
        return "missing", (f"{where} has no database called “{name}”: ask whoever looks after the server to "
                           "make one (an empty one) for DebtorDesk.")
    if "pg_hba.conf" in low:
        return "unreachable", f"{where} does not let this computer in: ask whoever looks after the server to allow it."
    if any(s in low for s in ("connection refused", "could not connect", "failed to resolve host",
                              "could not translate host", "timeout expired", "timed out",
                              "network is unreachable", "no route to host", "name or service not known")):
        return "unreachable", (f"Cannot reach {where}: check the server's name and port, that the server is "
                               "running, and that this computer may connect to it.")
    if "ssl" in low:
        return "unreachable", f"{where} and this computer could not agree on a secure connection ({raw})."
    return "unreachable", f"{display_name(url)} could not be used: {raw}"


@dataclass(frozen=True)
class TargetState:
    """What a database holds, as far as copying into it or switching to it goes."""

    # new, empty, debtordesk-empty (can be copied into); debtordesk, other, newer (holds data);
    # unreachable, wrong-password, missing (cannot be used)
    kind: str
    message: str
    revision: str | None = None
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        """Nothing in it yet: this database can be copied there."""
        return self.kind in ("new", "empty", "debtordesk-empty")

    @property
    def usable(self) -> bool:
        """DebtorDesk can open it (and, if it is blank, start it)."""
        return self.kind in ("new", "empty", "debtordesk-empty", "debtordesk")


def _name(url: str) -> str:
    details = ServerDetails.from_url(url)
    return f"The database “{details.database}” on {details.where()}" if details else display_name(url)


def look_at(url: str) -> TargetState:
    """Connect to `url` (a few seconds at most) and say what it holds. Writes nothing and makes no
    file: a SQLite file that does not exist is 'new'."""
    path = sqlite_path(url)
    if path is not None and not path.exists():
        return TargetState("new", f"{path} does not exist yet: a new database file will be made there.")
    if path is not None and path.is_dir():
        return TargetState("other", f"{path} is a folder, not a database file.")
    args = {"connect_timeout": CONNECT_TIMEOUT_S} if ServerDetails.from_url(url) else {}
    try:
        engine = create_engine(url, poolclass=NullPool, connect_args=args)
    except (ArgumentError, ImportError) as exc:
        return TargetState("unreachable",
                           f"“{display_name(url)}” is not a database address DebtorDesk can use ({exc}).")
    try:
        with engine.connect() as conn:
            return _classify(conn, url)
    except DBAPIError as exc:
        if "file is not a database" in str(exc.orig):
            return TargetState("other", f"{display_name(url)} is not a DebtorDesk database (it is not an SQLite file).")
        kind, message = _problem(exc, url)
        return TargetState(kind, message[0].upper() + message[1:])
    finally:
        engine.dispose()


def _classify(conn, url: str) -> TargetState:
    name = _name(url)
    names = [n for n in inspect(conn).get_table_names() if n != "alembic_version"]
    revision = None
    if inspect(conn).has_table("alembic_version"):
        revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    filled = [n for n in names if conn.scalar(select(literal(1)).select_from(table(n)).limit(1)) is not None]
    if revision is None and not names:
        return TargetState("empty", f"Connected. {name} is empty: this database can be copied there.")
    if revision is None:
        shown = ", ".join(sorted(names)[:3]) + (" …" if len(names) > 3 else "")
        return TargetState("other", f"Connected, but {name} holds other tables, not DebtorDesk's ({shown}): "
                                    "choose an empty database.")
    if revision != HEAD and revision not in _known_revisions():
        return TargetState("newer", f"{name} holds data from a newer version of DebtorDesk (data version "
                                    f"{revision}): install the newest version of DebtorDesk to use it.", revision)
    if not filled:
        return TargetState("debtordesk-empty", f"Connected. {name} holds an empty DebtorDesk database (data version "
                                               f"{revision}): this database can be copied there.", revision)
    counts = {}
    for label, tname in (("customers", "customer"), ("invoices", "invoice")):
        if tname in names:
            counts[label] = int(conn.scalar(select(func.count()).select_from(table(tname))) or 0)
    said = " and ".join(f"{n:,} {label}" for label, n in counts.items())
    return TargetState("debtordesk", f"Connected. {name} holds DebtorDesk data, version {revision}"
                                     + (f" ({said})" if said else "") + ": you can switch to it.", revision, counts)


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


@dataclass(frozen=True)
class DatabaseSummary:
    """The open database: where it is, how big, how many rows in each table."""

    where: str  # the file, or the server's URL without the password
    on_server: bool
    size_bytes: int | None
    revision: str | None
    counts: dict[str, int]

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


def database_summary(session: Session) -> DatabaseSummary:
    """Counted in SQL, one query per table (a second or so on a million invoices: run it off the
    screen's thread)."""
    from debtordesk.db.tables import count_rows, data_tables, schema_revision

    conn = session.connection()
    url = conn.engine.url.render_as_string(hide_password=False)
    path = sqlite_path(url)
    size = None
    if path is not None:
        size = sum(p.stat().st_size for p in (path, path.with_name(path.name + "-wal")) if p.exists())
    elif conn.dialect.name == "postgresql":
        size = int(conn.scalar(text("SELECT pg_database_size(current_database())")))
    counts = {t.name: count_rows(conn, t) for t in data_tables()}
    where = display_name(url) if path is not None else without_password(url)
    return DatabaseSummary(where, path is None, size, schema_revision(conn), counts)
