"""Guarding the database file the window works on: the lock that keeps a second DebtorDesk from
writing to it (or lets it look, read-only), the offer of the latest backup when the file turns out
to be damaged, and the backup taken when the file is let go.

Qt-free work is in db/lock.py, services/backup.py and services/restore.py; this is the part that
asks the user.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from debtordesk import APP_NAME
from debtordesk.config import sqlite_path
from debtordesk.db.backups import latest_backup
from debtordesk.db.engine import Database, DatabaseDamaged, open_database
from debtordesk.db.lock import FileHold, FileInUse, hold
from debtordesk.services.backup import BackupError, BackupWatch, close_and_back_up


@dataclass
class Opening:
    """A database about to be opened: its URL, the lock taken on its file (None for a server, a
    read-only look or a folder where no lock can be made) and whether it is opened read-only."""

    url: str
    hold: FileHold | None = None
    read_only: bool = False

    @property
    def path(self) -> Path | None:
        return sqlite_path(self.url)

    def open(self) -> Database:
        return open_database(self.url, read_only=self.read_only)

    def release(self) -> None:
        if self.hold is not None:
            self.hold.release()
            self.hold = None


def before_open(parent: QWidget | None, url: str) -> Opening | None:
    """Lock the file at `url`; if another DebtorDesk has it, say who and offer to open it
    read-only. None when the user cancelled."""
    path = sqlite_path(url)
    if path is None:
        return Opening(url)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        pass  # opening says what is wrong with the folder
    try:
        return Opening(url, hold(path))
    except FileInUse as exc:
        from debtordesk.ui.dialogs.opening import ask_read_only

        return Opening(url, read_only=True) if ask_read_only(parent, exc) else None


@dataclass
class Offered:
    """What the user chose in the damaged-file offer: the database restored and opened, or
    another file to open, or neither (Quit / Cancel)."""

    db: Database | None = None
    other: Path | None = None


def has_backup(exc: DatabaseDamaged) -> bool:
    return exc.path is not None and latest_backup(exc.path) is not None


def offer_backup(parent: QWidget | None, exc: DatabaseDamaged, opening: Opening, *, leave: str,
                 close=lambda: None) -> Offered:
    """The damaged file named in `exc`: offer its latest backup. The lock in `opening` is kept
    while the user decides and restores; it is released unless a restored database was opened."""
    from debtordesk.ui.dialogs.opening import DamagedDialog

    path = exc.path or opening.path
    latest = latest_backup(path) if path is not None and not opening.read_only else None
    dialog = DamagedDialog(str(exc), path, opening.url, latest, leave=leave, close=close, parent=parent)
    result = dialog.exec()
    if result == QDialog.DialogCode.Accepted and dialog.db is not None:
        return Offered(db=dialog.db)
    opening.release()
    return Offered(other=dialog.other if result == DamagedDialog.OTHER else None)


@dataclass
class Guard:
    """What a Desk keeps with the open database: its lock and whether it changed since its latest backup."""

    hold: FileHold | None = None
    watch: BackupWatch | None = field(default=None)

    @classmethod
    def of(cls, db: Database, hold: FileHold | None) -> Guard:
        return cls(hold, BackupWatch.start(db))

    def release(self) -> None:
        if self.hold is not None:
            self.hold.release()
            self.hold = None

    def let_go(self, db: Database, *, back_up: bool = True, parent: QWidget | None = None) -> None:
        """Close `db`, back it up if it changed since its latest backup, release the lock."""
        try:
            close_and_back_up(db, self.watch if back_up else None)
        except BackupError as exc:
            QMessageBox.warning(parent, APP_NAME, f"{exc}\n\nYour data is safe in the database itself.")
        finally:
            self.release()
