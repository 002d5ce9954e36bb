"""Starting the desktop app: QApplication, fonts, the database, the welcome, the main window."""

from __future__ import annotations

import gc
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSize, QTimer
from PySide6.QtGui import QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from debtordesk import APP_NAME, __version__
from debtordesk.config import font_path, resolve_db_url, resources_dir, sqlite_path
from debtordesk.db.engine import Database, StorageError, open_database
from debtordesk.domain.problems import UserError
from debtordesk.services.company import get_company, is_blank
from debtordesk.services.demo import fill_demo
from debtordesk.ui.messages import tell
from debtordesk.ui.workers import Task

if TYPE_CHECKING:
    from debtordesk.ui.dialogs.welcome import WelcomeDialog
    from debtordesk.ui.main_window import MainWindow


APP_ID = "io.github.debtordesk.DebtorDesk"
"""The desktop id: the .desktop file, the AppStream metainfo and the icons are named after it
(installer/linux/), so Wayland and X11 docks show our icon for our windows."""
ORGANIZATION = "DebtorDesk"
ORGANIZATION_DOMAIN = "debtordesk.github.io"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)  # resources/icons, made by installer/make_icons.py


def app_icon() -> QIcon:
    """The application icon in every size shipped (resources/icons/debtordesk-<N>.png)."""
    icon = QIcon()
    for size in ICON_SIZES:
        path = resources_dir() / "icons" / f"debtordesk-{size}.png"
        if path.is_file():
            icon.addFile(str(path), QSize(size, size))
    return icon


def make_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName(ORGANIZATION)
    app.setOrganizationDomain(ORGANIZATION_DOMAIN)
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(app_icon())
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
        QFontDatabase.addApplicationFont(str(font_path(name)))
    return app


def open_or_create(db_option: str | None, today: date) -> tuple[Database, bool]:
    """Open the database without asking anything: a SQLite file that does not exist yet gets
    sample data (for the screenshot tool and tests; people get the welcome dialog instead)."""
    url = resolve_db_url(db_option)
    path = sqlite_path(url)
    is_new = path is not None and not path.exists()
    db = open_database(url)
    if is_new:
        with db.transaction() as session:
            fill_demo(session, today)
    return db, is_new


class Desk(QObject):
    """The open database and its window. Opening another database replaces both (the old
    window closes, the old database is let go); a database nobody has started yet is greeted
    by the welcome dialog before its window appears."""

    def __init__(self, today: date, parent: QObject | None = None):
        super().__init__(parent)
        self.today = today
        self.db: Database | None = None
        self.window: MainWindow | None = None
        self.welcome: WelcomeDialog | None = None
        self._retired: list[MainWindow] = []

    @classmethod
    def adopting(cls, window: MainWindow) -> Desk:
        """A desk for a window that was made without one (kept alive by the application)."""
        desk = cls(window.today, QApplication.instance())
        desk.db, desk.window = window.db, window
        window.file_menu.desk = desk
        return desk

    def start(self, db: Database) -> None:
        """Show `db`: first the welcome if it is blank, then its window."""
        with db.session() as session:
            blank = is_blank(session)
        if not blank:
            self._show(db)
            return
        from debtordesk.ui.dialogs.welcome import WelcomeDialog

        app = QApplication.instance()
        quit_on_close = app.quitOnLastWindowClosed()
        app.setQuitOnLastWindowClosed(False)  # between the welcome closing and the window showing
        dialog = WelcomeDialog(db, self.today, self.window)

        def finished(result: int) -> None:
            self.welcome = None
            if result == QDialog.DialogCode.Accepted and dialog.started_with_sample:
                note = ("Sample data added: explore freely. For your real accounts, use "
                        "File ▸ New database… to start a clean one.")
            elif result == QDialog.DialogCode.Accepted:
                note = "Your details are saved. Bring in your customers with File ▸ Import ▸ Customers…"
            else:
                with db.transaction() as session:
                    get_company(session)  # the default profile, so every screen has one
                note = "Your company details are still empty: DebtorDesk will ask for them next time."
            self._show(db, note)
            app.setQuitOnLastWindowClosed(quit_on_close)
            dialog.deleteLater()

        dialog.finished.connect(finished)
        self.welcome = dialog
        dialog.open()

    def _show(self, db: Database, note: str = "") -> None:
        from debtordesk.ui.main_window import MainWindow

        window = MainWindow(db, today=self.today)
        window.file_menu.desk = self
        old, old_db = self.window, self.db
        self.window, self.db = window, db
        window.show()
        if note:
            window.statusBar().showMessage(note, 20_000)
        self._retired = []
        if old is not None:
            old.close()  # waits for its jobs
            old.deleteLater()
            self._retired.append(old)  # deleted by Qt, not while one of its signals is running
        if old_db is not None and old_db is not db:
            old_db.dispose()

    def open_file(self, path: Path, *, new: bool = False) -> None:
        """Open (or, if `new`, create) the SQLite file at `path` in place of the current one.
        If it cannot be opened the user is told why and the current database stays open."""
        url = resolve_db_url(str(path))
        window = self.window
        if self.db is not None and self.db.url == url:
            window.statusBar().showMessage(f"{Path(path).name} is the database already open.", 10_000)
            return

        def job(report, should_cancel) -> Database:
            return open_database(url)

        def refused(exc: Exception) -> None:
            if isinstance(exc, UserError):
                tell(window, f"{exc}\n\nThe database you had open stays open.", QMessageBox.Icon.Warning)
            else:
                window.tasks.show_error(exc)

        label = "Creating the new database…" if new else "Opening the database…"
        window.tasks.run(job, label=label, on_success=self.start, on_error=refused)

    def close(self) -> None:
        """Close the window and let the database go."""
        if self.window is not None:
            self.window.close()
        if self.db is not None:
            self.db.dispose()


class FirstPaintProbe(QObject):
    """For measuring start-up (`debtordesk gui --quit-after-first-paint`): ends the event loop
    with exit code 0 as soon as `window` has painted a frame that shows the first screen with its
    data. The jobs the window started while it was built (the aging report) are waited for; the
    first paint of the window after the last of them has delivered its result is that frame (the
    first paint at all if they were done before it). `QApplication.exit`, not `quit`: no window
    is closed, so nothing is saved to the settings."""

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self._window = window
        self._pending = {task for task in window.tasks.findChildren(Task) if not task.finished}
        for task in self._pending:
            task.done.connect(lambda task=task: self._task_done(task))
        window.installEventFilter(self)

    def _task_done(self, task: Task) -> None:
        self._pending.discard(task)
        if not self._pending:
            self._window.update()  # one more whole frame, now with the data

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if watched is self._window and event.type() == QEvent.Type.Paint and not self._pending:
            self._window.removeEventFilter(self)
            # after this paint pass (the children paint next) has been flushed
            QTimer.singleShot(0, lambda: QApplication.exit(0))
        return False


def run_gui(db_option: str | None, *, quit_after_first_paint: bool = False) -> int:
    """Open the desktop app on `db_option`. With `quit_after_first_paint` (a measuring aid, see
    FirstPaintProbe) the app quits once the main window has painted its first screen with data;
    a database that would first show the welcome is refused, as nobody is there to answer it."""
    app = make_app()
    try:
        db = open_database(resolve_db_url(db_option))
    except StorageError as exc:
        QMessageBox.critical(None, APP_NAME, f"The database could not be opened.\n\n{exc}")
        return 1
    desk = Desk(date.today())
    desk.start(db)
    if quit_after_first_paint:
        if desk.window is None:
            print(f"{db.display_name} is blank, so DebtorDesk would greet it with the welcome: "
                  "--quit-after-first-paint needs a database that has been started.",
                  file=sys.stderr)
            db.dispose()
            return 1
        FirstPaintProbe(desk.window)
    # What start-up built lives as long as the app: kept out of the collector's full passes,
    # which otherwise walk all of it from the worker thread and hold up the screen meanwhile.
    gc.freeze()
    code = app.exec()
    if desk.db is not None:
        desk.db.close()
    return code
