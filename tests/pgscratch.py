"""Throw-away PostgreSQL databases for tests that need a server.

The server is named by DEBTORDESK_TEST_PG (e.g. postgresql+psycopg://user:pw@127.0.0.1:5432/postgres).
Without it such a test fails on CI (CI=true) and is skipped elsewhere, saying why.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

ENV = "DEBTORDESK_TEST_PG"


def server_url() -> str:
    """The test server's URL; fails on CI and skips elsewhere when none is set."""
    url = os.environ.get(ENV, "")
    if url:
        return url
    message = f"{ENV} is not set: this test needs a PostgreSQL server (a URL such as " \
              "postgresql+psycopg://user:password@127.0.0.1:5432/postgres)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


@contextmanager
def scratch_database(prefix: str = "mover_test") -> Iterator[str]:
    """A new empty database on the test server, dropped afterwards; yields its URL."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    server = make_url(server_url())
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
