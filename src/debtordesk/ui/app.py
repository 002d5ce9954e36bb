"""Starting the desktop app: QApplication, fonts, the database, the welcome, the main window."""

from __future__ import annotations

import gc
import sqlite3
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSize, QTimer
from PySide6.QtGui import QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox
from sqlalchemy.exc import DBAPIError

from debtordesk import APP_NAME, __version__
from debtordesk.config import default_db_path, font_path, resolve_db_choice, resolve_db_url, resources_dir, sqlite_path
from debtordesk.db.engine import Database, DatabaseDamaged, StorageError, display_name, open_database, plain_error
from debtordesk.db.sqlite_files import is_damage
from debtordesk.domain.problems import UserError
from debtordesk.services.backup import close_and_back_up
from debtordesk.services.company import get_company, is_blank
from debtordesk.services.demo import fill_demo
from debtordesk.ui.file_guard import Guard, Opening, before_open, has_backup, offer_backup
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
    window closes, the old database is let go: backed up if it changed, its lock released); a
    database nobody has started yet is greeted by the welcome dialog before its window appears."""

    def __init__(self, today: date, parent: QObject | None = None):
        super().__init__(parent)
        self.today = today
        self.db: Database | None = None
        self.window: MainWindow | None = None
        self.welcome: WelcomeDialog | None = None
        self.guard = Guard()  # the open file's lock, and whether it changed since its latest backup
        self._retired: list[MainWindow] = []

    @classmethod
    def adopting(cls, window: MainWindow) -> Desk:
        """A desk for a window that was made without one (kept alive by the application)."""
        desk = cls(window.today, QApplication.instance())
        desk.db, desk.window = window.db, window
        window.file_menu.desk = desk
        return desk

    def start(self, db: Database, hold=None) -> None:
        """Show `db` (its file locked by `hold`, if any): first the welcome if it is blank, then its
        window. A database opened read-only goes straight to its window: nothing could be saved."""
        guard = Guard.of(db, hold)
        with db.session() as session:
            blank = is_blank(session)
        if not blank or db.read_only:
            self._show(db, guard=guard)
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
            self._show(db, note, guard=guard)
            app.setQuitOnLastWindowClosed(quit_on_close)
            dialog.deleteLater()

        dialog.finished.connect(finished)
        self.welcome = dialog
        dialog.open()

    def _show(self, db: Database, note: str = "", *, guard: Guard | None = None, same_file: bool = False) -> None:
        """The window of `db` in place of the current one. The database it replaces is backed up
        if it changed and its lock released, unless it is the same file (after a restore)."""
        from debtordesk.ui.main_window import MainWindow

        window = MainWindow(db, today=self.today)
        window.file_menu.desk = self
        window.tasks.intercept = self._damaged_error
        old, old_db, old_guard = self.window, self.db, self.guard
        self.window, self.db = window, db
        self.guard = guard or Guard.of(db, None)
        window.show()
        if note:
            window.statusBar().showMessage(note, 20_000)
        self._retired = []
        if old is not None:
            old.close()  # waits for its jobs
            old.deleteLater()
            self._retired.append(old)  # deleted by Qt, not while one of its signals is running
        if old_db is not None and old_db is not db:
            if same_file:
                old_db.dispose()
            else:
                window.tasks.run(lambda _report, _cancel: close_and_back_up(old_db, old_guard.watch),
                                 label=f"Backing up {old_db.display_name}…", on_success=lambda _b: old_guard.release(),
                                 on_error=lambda exc: (old_guard.release(), window.tasks.show_error(exc)))

    def open_file(self, path: Path, *, new: bool = False) -> None:
        """Open (or, if `new`, create) the SQLite file at `path` in place of the current one.
        If it cannot be opened the user is told why and the current database stays open."""
        url = resolve_db_url(str(path))
        if self.db is not None and self.db.url == url:
            self.window.statusBar().showMessage(f"{Path(path).name} is the database already open.", 10_000)
            return
        self.open_url(url, label="Creating the new database…" if new else "Opening the database…")

    def open_url(self, url: str, *, label: str = "Opening the database…",
                 on_opened: Callable[[Database], None] | None = None) -> None:
        """Open the database at `url` (a file's or a server's, with its password) in place of the
        current one; `on_opened` is called once it is open, before its window shows. If it cannot
        be opened the user is told why and the current database stays open."""
        window = self.window
        opening = before_open(window, url)
        if opening is None:
            return

        def job(report, should_cancel) -> Database:
            return opening.open()

        def opened(db: Database) -> None:
            if on_opened is not None:
                on_opened(db)
            self.start(db, opening.hold)

        def refused(exc: Exception) -> None:
            if isinstance(exc, DatabaseDamaged) and has_backup(exc):
                offered = offer_backup(window, exc, opening, leave="Cancel")
                if offered.db is not None:
                    self.start(offered.db, opening.hold)
                elif offered.other is not None:
                    self.open_file(offered.other)
                return
            opening.release()
            if isinstance(exc, UserError):
                tell(window, f"{exc}\n\nThe database you had open stays open.", QMessageBox.Icon.Warning)
            else:
                window.tasks.show_error(exc)

        window.tasks.run(job, label=label, on_success=opened, on_error=refused)

    def restored(self, db: Database, note: str) -> None:
        """Show `db`, the same file opened again after a restore (its lock stays held)."""
        self._show(db, note, guard=Guard.of(db, self.guard.hold), same_file=True)

    def _damaged_error(self, exc: Exception) -> bool:
        """A read of the open database found it damaged: offer its latest backup. True if handled."""
        db = self.db
        if db is None or db.path is None or not isinstance(exc, (DBAPIError, sqlite3.Error)) or not is_damage(exc):
            return False  # only SQLite's own word counts: a refusal may quote it about another file
        self.guard.watch = None  # a damaged file is never copied into the backups
        damaged = DatabaseDamaged(plain_error(exc, db.url) or str(exc), db.path)
        offered = offer_backup(self.window, damaged, Opening(db.url, None, db.read_only), leave="Quit",
                               close=db.dispose)
        if offered.db is not None:
            self.restored(offered.db, f"The backup of {db.path.name} is restored.")
        elif offered.other is not None:
            self.open_file(offered.other)
        elif self.window is not None:
            self.window.close()
        return True

    def close(self) -> None:
        """Close the window and let the database go."""
        if self.window is not None:
            self.window.close()
        self.let_go()

    def let_go(self, *, back_up: bool = True) -> None:
        """Close the database, back it up if it changed since its latest backup, release its lock."""
        if self.db is not None:
            self.guard.let_go(self.db, back_up=back_up, parent=self.window)


def open_at_start(db_option: str | None) -> tuple[Database, Opening] | None:
    """The database to start with: --db, else DEBTORDESK_DB, else the one chosen last in Settings ▸
    Database (its password from the password store), else the default file. A remembered database
    that cannot be opened (the server is down, the password is not in the store) gives way to the
    default file, saying so; a damaged file is offered its latest backup; anything else that
    cannot be opened ends the start (None). The file is locked against a second DebtorDesk (or
    opened read-only if the user chooses so when another one has it)."""
    from debtordesk.services.databases import connection_problem, with_stored_password

    url, source = resolve_db_choice(db_option)
    url = with_stored_password(url)
    opening = before_open(None, url)
    if opening is None:
        return None
    try:
        return opening.open(), opening
    except DatabaseDamaged as exc:
        return _offer_at_start(exc, opening)
    except StorageError as exc:
        opening.release()
        if source != "remembered":
            QMessageBox.critical(None, APP_NAME, f"The database could not be opened.\n\n{exc}")
            return None
        cause = exc.__cause__ if isinstance(exc.__cause__, DBAPIError) else exc
        why = connection_problem(cause, url)
    opening = before_open(None, resolve_db_url(str(default_db_path())))
    if opening is None:
        return None
    try:
        db = opening.open()
    except DatabaseDamaged as exc:
        return _offer_at_start(exc, opening)
    except StorageError as exc:
        opening.release()
        QMessageBox.critical(None, APP_NAME, f"The database could not be opened.\n\n{exc}")
        return None
    QMessageBox.warning(None, APP_NAME, f"The database chosen in Settings ▸ Database, {display_name(url)}, could "
                                        f"not be opened.\n\n{why}\n\nDebtorDesk opened your database file on "
                                        "this computer instead; Settings ▸ Database switches back.")
    return db, opening


def _offer_at_start(exc: DatabaseDamaged, opening: Opening) -> tuple[Database, Opening] | None:
    offered = offer_backup(None, exc, opening, leave="Quit")
    if offered.db is not None:
        return offered.db, opening
    if offered.other is not None:
        return open_at_start(str(offered.other))
    return None


def _show_refusals(desk: Desk) -> None:
    """A refusal raised on the screen's thread (a save on a database opened read-only, a damaged
    file met while reading) is told in a sentence, not lost in a log."""
    previous = sys.excepthook

    def hook(kind, exc, traceback) -> None:
        if isinstance(exc, Exception) and desk._damaged_error(exc):
            return
        plain = plain_error(exc, desk.db.url) if desk.db is not None and isinstance(exc, Exception) else None
        if isinstance(exc, UserError) or plain:
            QMessageBox.warning(desk.window, APP_NAME, plain or str(exc))
            return
        previous(kind, exc, traceback)

    sys.excepthook = hook


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
    opened = open_at_start(db_option)
    if opened is None:
        return 1
    db, opening = opened
    desk = Desk(date.today())
    desk.start(db, opening.hold)
    if quit_after_first_paint:
        if desk.window is None:
            print(f"{db.display_name} is blank, so DebtorDesk would greet it with the welcome: "
                  "--quit-after-first-paint needs a database that has been started.",
                  file=sys.stderr)
            desk.let_go(back_up=False)
            return 1
        FirstPaintProbe(desk.window)
    else:
        _show_refusals(desk)
    # What start-up built lives as long as the app: kept out of the collector's full passes,
    # which otherwise walk all of it from the worker thread and hold up the screen meanwhile.
    gc.freeze()
    code = app.exec()
    desk.let_go(back_up=not quit_after_first_paint)  # a measuring run changed nothing
    return code
