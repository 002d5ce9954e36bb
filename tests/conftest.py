"""Every test runs with its own data folder, config folder and database; nothing touches the
user's real files or keychain."""

from __future__ import annotations

import os
import sys
import tempfile
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


@pytest.fixture
def db(db_path):
    from debtordesk.db.engine import open_database

    database = open_database(f"sqlite:///{db_path}")
    yield database
    database.dispose()
