"""Backups of a SQLite database file: "Back up now" into the backups folder, the automatic backup
when DebtorDesk closes (only when something changed since the latest one), how many to keep, and
a copy saved anywhere the user chooses.

Every copy goes through SQLite's online backup API into a temporary name and is put in place
only once complete. A database on a server is backed up by the server, not here.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from debtordesk.db.backups import (
    DEFAULT_KEEP,
    KEEP_KEY,
    KEEP_RANGE,
    BackupFile,
    backups_dir,
    latest_backup,
    stored_keep,
    take_backup,
)
from debtordesk.db.engine import Database
from debtordesk.db.sqlite_files import has_pending_wal, write_copy
from debtordesk.domain.problems import FieldErrors, UserError
from debtordesk.services.settings import get_setting, put_settings

SERVER_NOTE = ("This database is on a server, so its backups are the server's own: ask whoever looks after "
               "the server. DebtorDesk's backups are for database files.")


class BackupError(UserError):
    """The backup cannot be made; the message is meant for the user."""


def backup_name(today: date) -> str:
    return f"debtordesk-backup-{today.isoformat()}.sqlite3"


def back_up(source: Path, dest: Path) -> Path:
    """Copy the database at `source` to `dest` (replacing it if it exists): Save a copy as…"""
    source, dest = Path(source), Path(dest)
    if dest.exists() and dest.resolve() == source.resolve():
        raise BackupError(f"{dest.name} is the database that is open: choose another name for the backup.")
    if not dest.parent.is_dir():
        raise BackupError(f"The folder {dest.parent} does not exist: choose another place for the backup.")
    try:
        return write_copy(source, dest)
    except OSError as exc:
        raise BackupError(f"The backup cannot be written to {dest.parent}: {exc.strerror}.") from exc


# -- how many to keep ------------------------------------------------------------------------------

def keep_count(session: Session) -> int:
    """How many backups of each database are kept (Settings ▸ Backups)."""
    return stored_keep({KEEP_KEY: get_setting(session, KEEP_KEY)})


def save_keep_count(session: Session, text: str) -> int:
    raw = str(text).strip()
    low, high = KEEP_RANGE
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise FieldErrors({"keep": f"the number of backups to keep is a whole number from {low} to {high}"})
    put_settings(session, {KEEP_KEY: str(int(raw))})
    return int(raw)


def _keep_of(db: Database) -> int:
    try:
        with db.session() as session:
            return keep_count(session)
    except Exception:  # a setting that cannot be read never stands in the way of a backup
        return DEFAULT_KEEP


# -- taking them ---------------------------------------------------------------------------------------

def _take(path: Path, reason: str, keep: int, now: datetime | None) -> BackupFile:
    try:
        return take_backup(path, reason, keep=keep, now=now)
    except (OSError, sqlite3.Error) as exc:
        raise BackupError(f"The backup of {path.name} could not be made in {backups_dir()}: {exc}.") from exc




def _modified_ns(path: Path) -> int:
    stamps = [path.stat().st_mtime_ns]
    if has_pending_wal(path):
        stamps.append(Path(f"{path}-wal").stat().st_mtime_ns)
    return max(stamps)


@dataclass
class BackupWatch:
    """Whether a database changed since its latest backup, decided without reading it: a change
    committed through this handle since (Database.writes), or a file that was already newer than
    its latest backup when it was opened (changed elsewhere, or a session that ended without one)."""

    path: Path
    stale: bool
    writes_backed_up: int = 0

    @classmethod
    def start(cls, db: Database) -> BackupWatch | None:
        """Watch `db` from now on (None for a server database or one opened read-only)."""
        if db.path is None or db.read_only:
            return None
        latest = latest_backup(db.path)
        try:
            stale = latest is None or _modified_ns(db.path) > latest.path.stat().st_mtime_ns
        except OSError:
            stale = True
        return cls(db.path, stale, db.writes)

    def needs_backup(self, db: Database) -> bool:
        return self.stale or db.writes != self.writes_backed_up

    def backed_up(self, db: Database) -> None:
        self.stale, self.writes_backed_up = False, db.writes


def back_up_now(db: Database, watch: BackupWatch | None = None, *, now: datetime | None = None) -> BackupFile:
    """Back up the open database into the backups folder (reason "manual"), keeping the newest N."""
    if db.path is None:
        raise BackupError(SERVER_NOTE)
    backup = _take(db.path, "manual", _keep_of(db), now)
    if watch is not None:
        watch.backed_up(db)
    return backup


def close_and_back_up(db: Database, watch: BackupWatch | None, *, now: datetime | None = None) -> BackupFile | None:
    """Close `db`; then, if it changed since its latest backup, back it up (reason "on-close").
    The copy is taken from the closed file, so the backup is newer than anything in it."""
    keep = _keep_of(db) if watch is not None else DEFAULT_KEEP
    db.close()
    if watch is None or not watch.needs_backup(db):
        return None
    backup = _take(watch.path, "on-close", keep, now)
    watch.backed_up(db)
    return backup
