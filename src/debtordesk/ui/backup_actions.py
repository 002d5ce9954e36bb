"""File ▸ Back up now, Save a copy as… and Restore…: the questions on the screen's thread, the
copying on the window's worker. The restore tools load when first asked for, not at start-up."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox

from debtordesk.db.backups import BackupFile, backups_dir
from debtordesk.db.engine import Database, open_database
from debtordesk.services.backup import SERVER_NOTE, back_up, back_up_now, backup_name, keep_count
from debtordesk.ui.messages import tell

if TYPE_CHECKING:
    from debtordesk.services.restore import Contents, Restored
    from debtordesk.ui.app import Desk
    from debtordesk.ui.main_window import MainWindow


class BackupActions(QObject):
    def __init__(self, window: MainWindow, desk):
        super().__init__(window)
        self.window = window
        self._desk = desk  # () -> Desk

    def _file_database(self, doing: str) -> Database | None:
        """The open database if it is a file; else say the server's backups apply."""
        db = self.window.db
        if db.path is None:
            tell(self.window, SERVER_NOTE)
            return None
        if doing == "restore" and db.read_only:
            tell(self.window, f"{db.path.name} is open read-only here, because DebtorDesk has it open elsewhere: "
                              "restore it there.", QMessageBox.Icon.Warning)
            return None
        return db

    def back_up_now(self) -> None:
        db = self._file_database("back up")
        if db is None:
            return
        desk: Desk = self._desk()
        watch = desk.guard.watch if desk.db is db else None
        window = self.window

        def job(report, should_cancel) -> tuple[BackupFile, int]:
            backup = back_up_now(db, watch)
            with db.session() as session:
                return backup, keep_count(session)

        def done(result: tuple[BackupFile, int]) -> None:
            backup, keep = result
            tell(window, f"{db.path.name} is backed up as {backup.path.name} in {backup.path.parent}.\n\n"
                         f"DebtorDesk keeps the newest {keep} backups of each database there (Settings ▸ Backups). "
                         "Keep a copy somewhere else too, such as another disk or online storage.")

        window.tasks.run(job, label=f"Backing up {db.path.name}…", on_success=done)

    def save_copy_as(self) -> None:
        db = self._file_database("copy")
        if db is None:
            return
        from debtordesk.ui.file_menu import DATABASE_FILTER, documents_dir

        suggested = documents_dir() / backup_name(self.window.today)
        chosen, _ = QFileDialog.getSaveFileName(self.window, "Save a copy as", str(suggested), DATABASE_FILTER)
        if not chosen:
            return
        dest = Path(chosen)
        if not dest.suffix:
            dest = dest.with_suffix(".sqlite3")
        window, source = self.window, db.path

        def done(path: Path) -> None:
            tell(window, f"A copy of the database is saved as {path}.")

        window.tasks.run(lambda report, should_cancel: back_up(source, dest), label="Saving a copy…",
                         on_success=done)

    def restore(self) -> None:
        db = self._file_database("restore")
        if db is None:
            return
        window = self.window
        from debtordesk.services.restore import backups_with_contents
        from debtordesk.ui.dialogs.restore import RestoreDialog

        def listed(items) -> None:
            dialog = RestoreDialog(db.path.name, items, backups_dir(), window)
            dialog.setModal(True)

            def finished(result: int) -> None:
                if result == QDialog.DialogCode.Accepted and dialog.chosen is not None:
                    self._check_then_restore(db, dialog.chosen)
                dialog.deleteLater()

            dialog.finished.connect(finished)
            dialog.open()

        window.tasks.run(lambda report, should_cancel: backups_with_contents(db.path),
                         label="Reading the backups…", on_success=listed)

    def _check_then_restore(self, db: Database, source: Path) -> None:
        from debtordesk.services.restore import read_contents

        window = self.window

        def checked(contents: Contents) -> None:
            answer = QMessageBox.question(
                window, "Restore this backup?",
                f"Replace everything in {db.path.name} with {source.name}? It holds {contents.customers:,} "
                f"customers, {contents.invoices:,} invoices and {contents.payments:,} payments.\n\n"
                f"What is in {db.path.name} now is backed up first, so this can be undone with another restore.")
            if answer == QMessageBox.StandardButton.Yes:
                self._restore(db, source)

        window.tasks.run(lambda report, should_cancel: read_contents(source), label=f"Checking {source.name}…",
                         on_success=checked)

    def _restore(self, db: Database, source: Path) -> None:
        from debtordesk.services.restore import restore
        from debtordesk.ui.dialogs.restore import when

        window, desk = self.window, self._desk()
        with db.session() as session:
            keep = keep_count(session)

        def job(report, should_cancel) -> tuple[Restored, Database]:
            done = restore(db.path, source, keep=keep, close=db.dispose)
            return done, open_database(db.url)

        def restored(result: tuple[Restored, Database]) -> None:
            done, new_db = result
            before = (f" What was there before is kept as the backup of {when(done.before.taken)}."
                      if done.before else "")
            note = (f"Restored {source.name} into {db.path.name}: {done.contents.customers:,} customers, "
                    f"{done.contents.invoices:,} invoices, {done.contents.payments:,} payments.{before}")
            desk.restored(new_db, note)
            tell(desk.window, note)

        window.tasks.run(job, label=f"Restoring {source.name}…", on_success=restored)
