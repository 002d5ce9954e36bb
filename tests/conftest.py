"""Every test runs with its own data folder, config folder and database; nothing touches the
user's real files or keychain."""

from __future__ import annotations

import itertools
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

_SESSION_HOME = Path(tempfile.mkdtemp(prefix="debtordesk-tests-"))
os.environ["XDG_CONFIG_HOME"] = str(_SESSION_HOME / "config")  # QSettings (read when Qt starts)
os.environ["XDG_DATA_HOME"] = str(_SESSION_HOME / "data")
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("DEBTORDESK_DB", str(tmp_path / "default.sqlite3"))
    yield
    qt = sys.modules.get("PySide6.QtCore")
    if qt is not None and qt.QCoreApplication.instance() is not None:
        qt.QSettings().clear()  # remembered pages, filters and geometry do not leak into the next test


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "books.sqlite3"


# A PostgreSQL server for the tests (scripts/test and scripts/test-postgres start one when they can):
# e.g. postgresql+psycopg://debtordesk:debtordesk@127.0.0.1:5432/postgres. With BACKEND_ENV=postgresql
# (scripts/test-postgres) each test that asks for `db` gets a fresh database there, copied from one
# migrated template; otherwise a SQLite file.
PG_ENV = "DEBTORDESK_TEST_PG"
BACKEND_ENV = "DEBTORDESK_TEST_BACKEND"
_pg_counter = itertools.count(1)


def pytest_configure(config):
    config.addinivalue_line("markers", "sqlite_only: about the SQLite file itself (backups, pragmas, locks)")


@pytest.fixture(scope="session")
def _pg_server():
    """(admin engine, server URL, template name) for the session, or None without a server."""
    url = os.environ.get(PG_ENV)
    if os.environ.get(BACKEND_ENV) != "postgresql":
        yield None
        return
    if not url:
        raise RuntimeError(f"{BACKEND_ENV}=postgresql needs {PG_ENV}, the URL of a server to test on")
    from sqlalchemy import create_engine, make_url

    from debtordesk.db.engine import open_database

    server = make_url(url)
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    template = f"dd_tpl_{os.getpid()}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {template}")
        conn.exec_driver_sql(f"CREATE DATABASE {template}")
    open_database(server.set(database=template).render_as_string(hide_password=False)).dispose()
    with admin.connect() as conn:  # nothing (not even autovacuum) may be connected to a template being copied
        conn.exec_driver_sql(f"ALTER DATABASE {template} WITH ALLOW_CONNECTIONS false")
    yield admin, server, template
    _drop(admin, template)
    admin.dispose()


@pytest.fixture
def db_url(request, db_path, _pg_server) -> Iterator[str]:
    """The URL of a new, empty (migrated on open) database: a SQLite file, or on the PostgreSQL server
    when the tests run against PostgreSQL and the test is not about the SQLite file."""
    if _pg_server is None or request.node.get_closest_marker("sqlite_only"):
        yield f"sqlite:///{db_path}"
        return
    admin, server, template = _pg_server
    name = f"dd_t_{os.getpid()}_{next(_pg_counter)}"
    from sqlalchemy.exc import OperationalError

    for attempt in range(10):  # a background worker still on the template makes the copy fail: try again
        try:
            with admin.connect() as conn:
                conn.exec_driver_sql(f"CREATE DATABASE {name} TEMPLATE {template}")
            break
        except OperationalError:
            if attempt == 9:
                raise
            time.sleep(0.3)
    yield server.set(database=name).render_as_string(hide_password=False)
    _drop(admin, name)


def _drop(admin, name: str) -> None:
    """Drop a test database; a server process of another role still on it (autovacuum) may make that
    fail for a while. A test database left behind on the test server is no test's failure."""
    from sqlalchemy.exc import DBAPIError

    for attempt in range(20):
        try:
            with admin.connect() as conn:
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            return
        except DBAPIError:
            if attempt == 19:
                print(f"the test database {name} could not be dropped", file=sys.stderr)
            time.sleep(0.25)


@pytest.fixture
def db(db_url):
    from debtordesk.db.engine import open_database

    database = open_database(db_url)
    yield database
    database.dispose()
