"""Starting the desktop app: QApplication, fonts, the database, the main window."""

from __future__ import annotations

import sys
from datetime import date

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QApplication, QMessageBox

from debtordesk import APP_NAME, __version__
from debtordesk.config import font_path, resolve_db_url, sqlite_path
from debtordesk.db.engine import Database, StorageError, open_database
from debtordesk.services.demo import fill_demo


def make_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName(APP_NAME)
    app.setDesktopFileName("io.github.debtordesk.DebtorDesk")
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
        QFontDatabase.addApplicationFont(str(font_path(name)))
    return app


def open_or_create(db_option: str | None, today: date) -> tuple[Database, bool]:
    """Open the database; a SQLite file that does not exist yet starts with demo data."""
    url = resolve_db_url(db_option)
    path = sqlite_path(url)
    is_new = path is not None and not path.exists()
    db = open_database(url)
    if is_new:
        with db.transaction() as session:
            fill_demo(session, today)
    return db, is_new


def run_gui(db_option: str | None) -> int:
    app = make_app()
    try:
        db, is_new = open_or_create(db_option, date.today())
    except StorageError as exc:
        QMessageBox.critical(None, APP_NAME, f"The database could not be opened.\n\n{exc}")
        return 1
    from debtordesk.ui.main_window import MainWindow

    window = MainWindow(db, today=date.today())
    if is_new:
        window.statusBar().showMessage("A new database was created with sample data to explore.", 10000)
    window.show()
    return app.exec()
