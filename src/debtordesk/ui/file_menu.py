"""The File menu: new and open database, CSV import and export, back up now.

Files are chosen on the UI thread; reading, writing and copying happen on the window's worker.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, QStandardPaths
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from debtordesk.services.csvfiles import KINDS
from debtordesk.services.exports import export_csv
from debtordesk.ui.backup_actions import BackupActions
from debtordesk.ui.bank_import import import_bank_statement
from debtordesk.ui.messages import tell

if TYPE_CHECKING:
    from debtordesk.ui.app import Desk
    from debtordesk.ui.main_window import MainWindow

DATABASE_FILTER = "DebtorDesk databases (*.sqlite3 *.sqlite *.db);;All files (*)"
NOUNS = {"customers": ("customer", "customers"), "invoices": ("invoice", "invoices"),
         "payments": ("payment", "payments")}
FOLDER_KEY = "file_menu/folder"


def counted(n: int, kind: str) -> str:
    return f"{n:,} {NOUNS[kind][0] if n == 1 else NOUNS[kind][1]}"


def documents_dir() -> Path:
    return Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
                or Path.home())


class FileMenu(QObject):
    """Installs its actions into `menu` (the caller adds Quit after them)."""

    def __init__(self, window: MainWindow, menu: QMenu):
        super().__init__(window)
        self.window = window
        self.desk: Desk | None = None  # set by the Desk that made the window
        self.new_action = self._add(menu, "&New database…", self.new_database, "Ctrl+Shift+N",
                                    "Start a separate, empty database file")
        self.open_action = self._add(menu, "&Open database…", self.open_database,
                                     QKeySequence.StandardKey.Open, "Open another DebtorDesk database file")
        menu.addSeparator()
        self._add(menu, "&Import…", lambda _checked=False: self.import_file(None),
                  tip="Add customers, invoices or payments from a CSV file, checking every row first")
        imports = menu.addMenu("I&mport")
        for kind in KINDS:
            self._add(imports, f"&{kind.title()}…", lambda _checked=False, k=kind: self.import_file(k),
                      tip=f"Add {kind} from a CSV file (all rows or none)")
        self._add(menu, "Import bank &statement…",
                  lambda: import_bank_statement(self.window, self._folder(), self._remember),
                  tip="Match the money in on a bank statement (CAMT.053, MT940, OFX or CSV) to invoices and "
                      "record the payments")
        self._add(menu, "&Export…", self.export_all, tip="Write customers, invoices and payments to CSV files")
        self._add(menu, "Export everything (&JSON)…", self.export_everything,
                  tip="Write every table and row of the database to one JSON file")
        menu.addSeparator()
        self.backups = BackupActions(window, self._desk)
        self._add(menu, "&Back up now", self.backups.back_up_now,
                  tip="Back up the whole database into DebtorDesk's backups folder")
        self._add(menu, "Save a &copy as…", self.backups.save_copy_as,
                  tip="Save a copy of the whole database wherever you choose")
        self._add(menu, "&Restore…", self.backups.restore,
                  tip="Put a backup (or another copy of the database) in place of what is there now")
        menu.addSeparator()
        self.print_action = self._add(menu, "&Print…", window.print_current, QKeySequence.StandardKey.Print,
                                      "Print the list on screen, as searched and filtered")
        menu.addSeparator()

    def _add(self, menu: QMenu, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        action = QAction(text, self.window)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _desk(self) -> Desk:
        if self.desk is None:
            from debtordesk.ui.app import Desk

            self.desk = Desk.adopting(self.window)
        return self.desk

    def _folder(self) -> Path:
        folder = Path(str(QSettings().value(FOLDER_KEY, "") or documents_dir()))
        return folder if folder.is_dir() else documents_dir()

    def _remember(self, path: Path) -> None:
        QSettings().setValue(FOLDER_KEY, str(path if path.is_dir() else path.parent))

    # -- databases -----------------------------------------------------------------------------

    def new_database(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(
            self.window, "New database", str(self._folder() / "debtordesk.sqlite3"), DATABASE_FILTER,
            options=QFileDialog.Option.DontConfirmOverwrite)
        if not chosen:
            return
        path = Path(chosen)
        if not path.suffix:
            path = path.with_suffix(".sqlite3")
        if path.exists():
            tell(self.window, f"{path.name} already exists. Choose another name, or use "
                              "File ▸ Open database… to open it.", QMessageBox.Icon.Warning)
            return
        self._remember(path)
        self._desk().open_file(path, new=True)

    def open_database(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(self.window, "Open database", str(self._folder()),
                                                DATABASE_FILTER)
        if chosen:
            self._remember(Path(chosen))
            self._desk().open_file(Path(chosen))

    # -- CSV -------------------------------------------------------------------------------------

    def import_file(self, kind: str | None = None) -> None:
        """The import wizard, with `kind` chosen (None: the kind imported last)."""
        from debtordesk.ui.dialogs.import_wizard import open_import_wizard

        self.import_wizard = open_import_wizard(self.window, kind)

    def export_all(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self.window, "Export to folder", str(self._folder()))
        if not chosen:
            return
        folder = Path(chosen)
        self._remember(folder)
        names = [f"{kind}.csv" for kind in KINDS]
        there = [n for n in names if (folder / n).exists()]
        if there:
            answer = QMessageBox.question(
                self.window, "Replace files?",
                f"{' and '.join(there)} already exist{'s' if len(there) == 1 else ''} in {folder}. Replace?")
            if answer != QMessageBox.StandardButton.Yes:
                return
        db, window = self.window.db, self.window

        def job(report, should_cancel) -> dict[str, int]:
            with db.session() as session:  # one read transaction: the three files agree
                return {kind: export_csv(session, kind, folder / f"{kind}.csv") for kind in KINDS}

        def exported(counts: dict[str, int]) -> None:
            parts = [counted(n, kind) for kind, n in counts.items()]
            tell(window, f"Exported {', '.join(parts[:-1])} and {parts[-1]} to {folder} "
                         f"({', '.join(names)}).")

        window.tasks.run(job, label=f"Exporting to {folder}…", on_success=exported)

    def export_everything(self) -> None:
        suggested = self._folder() / f"debtordesk-export-{self.window.today.isoformat()}.json"
        chosen, _ = QFileDialog.getSaveFileName(self.window, "Export everything (JSON)", str(suggested),
                                                "JSON files (*.json);;All files (*)")
        if not chosen:
            return
        path = Path(chosen) if Path(chosen).suffix else Path(chosen).with_suffix(".json")
        self._remember(path)
        db, window = self.window.db, self.window

        def job(report, should_cancel):
            from debtordesk.services.json_export import export_json

            with db.session() as session:
                return export_json(session, path, report, should_cancel)

        def exported(result) -> None:
            tell(window, f"Exported {result.rows:,} rows from {len(result.counts)} tables to {path}.")

        window.tasks.run(job, label=f"Exporting everything to {path.name}…", on_success=exported)
