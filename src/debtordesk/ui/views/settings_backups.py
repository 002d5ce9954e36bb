"""Settings ▸ Backups: how many backups of each database are kept, and where they are."""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from debtordesk.db.backups import KEEP_RANGE, backups_dir
from debtordesk.db.engine import Database
from debtordesk.domain.problems import FieldErrors, UserError, sentence
from debtordesk.services.backup import SERVER_NOTE, keep_count, save_keep_count
from debtordesk.ui.formatting import OVERDUE_COLOR
from debtordesk.ui.messages import tell


class BackupSettings(QWidget):
    def __init__(self, db: Database, parent=None):
        super().__init__(parent)
        self.db = db
        layout = QVBoxLayout(self)
        group = QGroupBox("Backups", self)
        box = QVBoxLayout(group)
        layout.addWidget(group)
        layout.addStretch(1)
        if db.path is None:
            note = QLabel(SERVER_NOTE, group)
            note.setWordWrap(True)
            box.addWidget(note)
            self.keep = None
            return
        about = QLabel(f"DebtorDesk backs up {db.path.name} when it closes after a change, before every upgrade "
                       "to a newer version and before every restore, and whenever you choose File ▸ Back up now. "
                       "File ▸ Restore… puts one of them back.", group)
        about.setWordWrap(True)
        box.addWidget(about)
        row = QHBoxLayout()
        row.addWidget(QLabel("Keep the newest", group))
        self.keep = QSpinBox(group)
        self.keep.setRange(*KEEP_RANGE)
        self.keep.setAccessibleName("Backups to keep")
        row.addWidget(self.keep)
        row.addWidget(QLabel("backups of each database (older ones are deleted)", group))
        row.addStretch(1)
        self.save_button = QPushButton("Save", group)
        self.save_button.clicked.connect(self.save)
        row.addWidget(self.save_button)
        box.addLayout(row)
        self.error = QLabel(group)
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {OVERDUE_COLOR.name()};")
        self.error.hide()
        box.addWidget(self.error)
        folder_row = QHBoxLayout()
        folder_row.addWidget(QLabel("Folder:", group))
        self.folder = QLabel(str(backups_dir()), group)
        self.folder.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.folder.setAccessibleName("Backups folder")
        folder_row.addWidget(self.folder, 1)
        self.open_button = QPushButton("Open folder", group)
        self.open_button.setToolTip("Show the backups folder in your file manager")
        self.open_button.clicked.connect(self.open_folder)
        folder_row.addWidget(self.open_button)
        box.addLayout(folder_row)
        self.reload()

    def reload(self) -> None:
        if self.keep is None:
            return
        with self.db.session() as session:
            self.keep.setValue(keep_count(session))
        self.error.hide()

    def save(self) -> bool:
        try:
            with self.db.transaction() as session:
                kept = save_keep_count(session, str(self.keep.value()))
        except FieldErrors as exc:
            self.error.setText(sentence(exc.errors["keep"]))
            self.error.show()
            return False
        except UserError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return False
        self.error.hide()
        tell(self, f"DebtorDesk keeps the newest {kept} backups of each database from now on.")
        return True

    def open_folder(self) -> bool:
        folder = backups_dir()
        folder.mkdir(parents=True, exist_ok=True)
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
