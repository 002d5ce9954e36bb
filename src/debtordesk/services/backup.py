"""Backups of a SQLite database file: a consistent copy, written under a temporary name and
put in place only once it is complete."""

from __future__ import annotations

import os
import tempfile
from datetime import date
from pathlib import Path

from debtordesk.db.engine import backup_sqlite
from debtordesk.domain.problems import UserError


class BackupError(UserError):
    """The backup cannot be made; the message is meant for the user."""


def backup_name(today: date) -> str:
    return f"debtordesk-backup-{today.isoformat()}.sqlite3"


def back_up(source: Path, dest: Path) -> Path:
    """Copy the database at `source` to `dest` (replacing it if it exists)."""
    source, dest = Path(source), Path(dest)
    if dest.exists() and dest.resolve() == source.resolve():
        raise BackupError(f"{dest.name} is the database that is open: choose another name for the backup.")
    if not dest.parent.is_dir():
        raise BackupError(f"The folder {dest.parent} does not exist: choose another place for the backup.")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    except OSError as exc:
        raise BackupError(f"The backup cannot be written to {dest.parent}: {exc.strerror}.") from exc
    os.close(fd)
    try:
        backup_sqlite(source, Path(tmp))
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return dest
