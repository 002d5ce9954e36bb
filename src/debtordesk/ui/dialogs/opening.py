"""What opening a database can run into: a file another DebtorDesk has open (open it read-only, or
not at all) and a damaged file (restore its latest backup, open another file, or quit)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from debtordesk import APP_NAME
from debtordesk.db.backups import BackupFile, backups_dir, keep_in_file
from debtordesk.db.engine import Database, open_database
from debtordesk.db.lock import FileInUse
from debtordesk.services.restore import restore
from debtordesk.ui.dialogs.restore import DATABASE_FILTER, when
from debtordesk.ui.workers import TaskRunner

READ_ONLY = "Open read-only"


def in_use_box(parent: QWidget | None, exc: FileInUse) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Information, APP_NAME, str(exc), QMessageBox.StandardButton.NoButton, parent)
    box.setInformativeText("Only one DebtorDesk at a time can change a database file. You can open it read-only "
                           "to look things up (nothing can be saved), or cancel.")
    box.addButton(READ_ONLY, QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    return box


def ask_read_only(parent: QWidget | None, exc: FileInUse) -> bool:
    """Tell who has the file; True if the user chose to open it read-only."""
    box = in_use_box(parent, exc)
    box.exec()
    clicked = box.clickedButton()
    return clicked is not None and clicked.text() == READ_ONLY


class DamagedDialog(QDialog):
    """A damaged database file: restore its latest backup, open another file, or leave (Quit at
    start, Cancel when another database stays open). After a restore, `db` is the database opened
    again; after "Open another file…", `other` is the file chosen."""

    OTHER = 2

    def __init__(self, message: str, path: Path, url: str, latest: BackupFile | None, *, leave: str = "Quit",
                 close: Callable[[], None] = lambda: None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"{path.name} is damaged")
        self.path, self.url, self.latest, self._close = path, url, latest, close
        self.db: Database | None = None
        self.other: Path | None = None
        self.tasks = TaskRunner(self)
        icon = QLabel(self)
        icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(48, 48))
        self.message = QLabel(message, self)
        self.message.setWordWrap(True)
        if latest is not None:
            offer = (f"The latest backup of {path.name} is from {when(latest.taken)} (taken {latest.why}). "
                     f"Restoring it puts that backup in place; the damaged file is kept beside it, and anything "
                     "entered after the backup was taken will need entering again.")
        else:
            offer = (f"There is no backup of {path.name} in {backups_dir()}. Open another file, or quit and "
                     "look for a copy elsewhere (another disk, online storage).")
        self.offer = QLabel(offer, self)
        self.offer.setWordWrap(True)
        texts = QVBoxLayout()
        texts.setSpacing(12)
        texts.addWidget(self.message)
        texts.addWidget(self.offer)
        texts.addStretch(1)
        top = QHBoxLayout()
        top.setSpacing(16)
        top.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        top.addLayout(texts, 1)
        self.buttons = QDialogButtonBox(self)
        self.restore_button: QPushButton | None = None
        if latest is not None:
            self.restore_button = self.buttons.addButton("Restore the latest backup",
                                                         QDialogButtonBox.ButtonRole.AcceptRole)
            self.restore_button.setDefault(True)
            self.restore_button.clicked.connect(self.restore_latest)
        self.other_button = self.buttons.addButton("Open another file…", QDialogButtonBox.ButtonRole.ActionRole)
        self.other_button.clicked.connect(self.open_other)
        self.leave_button = self.buttons.addButton(leave, QDialogButtonBox.ButtonRole.RejectRole)
        self.leave_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addSpacing(8)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)

    def restore_latest(self) -> None:
        latest, path, url, close = self.latest, self.path, self.url, self._close
        if latest is None:
            return

        def job(report, should_cancel) -> Database:
            restore(path, latest.path, keep=keep_in_file(latest.path), close=close)
            return open_database(url)

        def done(db: Database) -> None:
            self.db = db
            self.accept()

        def failed(exc: Exception) -> None:
            self.buttons.setEnabled(True)
            self.tasks.show_error(exc)

        self.buttons.setEnabled(False)
        self.tasks.run(job, label=f"Restoring the backup of {when(latest.taken)}…", on_success=done, on_error=failed)

    def open_other(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(self, "Open database", str(self.path.parent), DATABASE_FILTER)
        if chosen:
            self.other = Path(chosen)
            self.done(self.OTHER)

    def reject(self) -> None:
        if self.buttons.isEnabled():  # not while a restore is under way
            super().reject()
