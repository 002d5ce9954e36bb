"""The mail server's password, saved through the settings dialog, is in the password store (or this
session's memory) and nowhere else: not in the database file, not in the audit trail, not in the
QSettings files and not in any file the program keeps (it keeps no log files: every folder it
writes to is searched)."""

import os
from pathlib import Path

import platformdirs
import pytest
from keyring.backends import fail
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialog, QDialogButtonBox
from sqlalchemy import select

from debtordesk.config import APP_NAME
from debtordesk.db.models import AuditEntry
from debtordesk.services.settings import get_settings
from debtordesk.ui.dialogs.mail_settings import MailSettingsDialog, mail_password
from memkeyring import MemoryKeyring, keyring_backend

PASSWORD = "Zq7!unlikely-Pa55word"
GOOD = {"smtp.host": "smtp.kestrel.example", "smtp.port": "587", "smtp.user": "kestrel",
        "smtp.sender": "accounts@kestrel.example"}


@pytest.fixture
def folders(tmp_path, monkeypatch):
    """Every per-user folder the program could write to, fresh for this test."""
    made = {}
    before = os.environ["XDG_CONFIG_HOME"]
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        made[var] = tmp_path / var.lower()
        made[var].mkdir()
        monkeypatch.setenv(var, str(made[var]))
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(made["XDG_CONFIG_HOME"]))
    yield made
    QSettings().clear()
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, before)


def save_with_password(qtbot, db):
    d = MailSettingsDialog(db)
    qtbot.addWidget(d)
    for key, value in GOOD.items():
        d.inputs[key].setText(value)
    d.password.setText(PASSWORD)
    d.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert d.result() == QDialog.DialogCode.Accepted
    with db.session() as s:
        values = get_settings(s)
    assert values["smtp.user"] == "kestrel" and mail_password(values) == PASSWORD  # saved, and usable
    QSettings().setValue("tests/probe", "where QSettings writes")
    QSettings().sync()


def files_holding(root: Path, needle: bytes) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and needle in p.read_bytes()]


def assert_nowhere(db, db_path: Path, folders: dict, tmp_path: Path) -> None:
    for needle in (PASSWORD.encode("utf-8"), PASSWORD.encode("utf-16-le")):
        database_files = sorted(db_path.parent.glob(db_path.name + "*"))
        assert db_path in database_files
        assert not [p for p in database_files if needle in p.read_bytes()]
        assert files_holding(tmp_path, needle) == []  # the database, the config, data, state and cache folders
    with db.session() as s:
        trail = [f"{e.summary} {e.changes}" for e in s.scalars(select(AuditEntry))]
    assert any("smtp.user" in t and "kestrel" in t for t in trail)  # the settings were recorded ...
    assert not [t for t in trail if PASSWORD in t]  # ... but never the password
    settings_files = [p for p in folders["XDG_CONFIG_HOME"].rglob("*") if p.is_file()]
    assert any(b"where QSettings writes" in p.read_bytes() for p in settings_files)  # the right folder was searched
    log_dir = Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))
    assert str(log_dir).startswith(str(tmp_path)) and not (log_dir.exists() and any(log_dir.rglob("*.log")))


def test_the_password_is_only_in_the_password_store(qtbot, db, db_path, folders, tmp_path):
    with keyring_backend(MemoryKeyring()) as kr:
        save_with_password(qtbot, db)
        assert list(kr.store.values()) == [PASSWORD]
        db.dispose()  # let SQLite write everything it holds to the files
        assert_nowhere(db, db_path, folders, tmp_path)


def test_without_a_password_store_it_is_kept_in_memory_only(qtbot, db, db_path, folders, tmp_path):
    with keyring_backend(fail.Keyring()):
        save_with_password(qtbot, db)
        db.dispose()
        assert_nowhere(db, db_path, folders, tmp_path)
    assert os.environ["XDG_CONFIG_HOME"] == str(folders["XDG_CONFIG_HOME"])
