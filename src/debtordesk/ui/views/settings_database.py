"""Settings ▸ Database: which database is open and how big it is; a shared PostgreSQL database —
test the connection, copy this database there, switch to it (remembered for the next start) —
and back to a file on this computer.

The server's password goes only into the password store (keyring), filed under
user@host:port/database; the address remembered for the next start leaves it out. Connecting,
counting and copying run on the window's worker, never on the screen's thread.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from debtordesk.config import default_db_path, remember_db_url, remembered_db_url, resolve_db_url, sqlite_path
from debtordesk.db.engine import Database
from debtordesk.domain.problems import FieldErrors, UserError
from debtordesk.services.credentials import CredentialStore
from debtordesk.services.databases import (
    DEFAULT_PORT,
    DatabaseSummary,
    ServerDetails,
    TargetState,
    database_summary,
    keep_password,
    look_at,
    without_password,
)
from debtordesk.services.transfer import Comparison, copy_database
from debtordesk.ui.formatting import OVERDUE_COLOR
from debtordesk.ui.messages import tell
from debtordesk.ui.widgets.form import FieldForm
from debtordesk.ui.workers import TaskRunner

DATABASE_FILTER = "DebtorDesk databases (*.sqlite3 *.sqlite *.db);;All files (*)"
SHOWN_TABLES = (("customer", "customer", "customers"), ("invoice", "invoice", "invoices"),
                ("payment", "payment", "payments"), ("letter", "letter", "letters"))


def file_size(n: int | None) -> str:
    if n is None:
        return "not known"
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:,.1f} {unit}"
    return f"{n:,} bytes"


def rows_text(summary: DatabaseSummary) -> str:
    parts = []
    for table, one, many in SHOWN_TABLES:
        n = summary.counts.get(table, 0)
        parts.append(f"{n:,} {one if n == 1 else many}")
    return (f"{', '.join(parts[:-1])} and {parts[-1]}; {summary.rows:,} rows in all {len(summary.counts)} "
            f"tables (data version {summary.revision or 'none'}).")


class CopiedDialog(QDialog):
    """The copy matched: the comparison, and whether to switch to the copy now."""

    def __init__(self, comparison: Comparison, where: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("The copy is complete")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        layout = QVBoxLayout(self)
        text = QLabel(f"Everything is copied to {where}: {comparison.rows:,} rows in {len(comparison.counts)} "
                      f"tables, in {comparison.seconds:.1f} s. Every table has the same number of rows and every "
                      "currency the same money total here and in the copy.", self)
        text.setWordWrap(True)
        layout.addWidget(text)
        self.details = QPlainTextEdit("\n".join(comparison.lines()), self)
        self.details.setReadOnly(True)
        self.details.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.details.setAccessibleName("Comparison")
        self.details.setMinimumSize(620, 420)
        layout.addWidget(self.details, 1)
        buttons = QDialogButtonBox(self)
        self.switch_button = buttons.addButton("Switch to the copy now", QDialogButtonBox.ButtonRole.AcceptRole)
        self.stay_button = buttons.addButton("Stay with this database", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


class DatabaseSettings(QWidget):
    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.store = CredentialStore()
        self.summary: DatabaseSummary | None = None
        self.last_state: TargetState | None = None
        self._own_tasks: TaskRunner | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(self._here_box())
        layout.addWidget(self._server_box())
        layout.addStretch(1)
        self._prefill()
        self.loaded = False  # the figures are counted when the page is first shown

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        if not self.loaded:
            self.reload()

    # -- building -----------------------------------------------------------------------------

    def _here_box(self) -> QGroupBox:
        box = QGroupBox("The database open now", self)
        form = QFormLayout(box)
        self.where = QLabel(self.db.display_name if sqlite_path(self.db.url) else without_password(self.db.url), box)
        self.kind = QLabel(box)
        self.size = QLabel("…", box)
        self.rows = QLabel("counting…", box)
        for label in (self.where, self.kind, self.size, self.rows):
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow("Where:", self.where)
        form.addRow("Kind:", self.kind)
        form.addRow("Size:", self.size)
        form.addRow("Holds:", self.rows)
        on_server = sqlite_path(self.db.url) is None
        self.kind.setText("A shared database on a PostgreSQL server" if on_server
                          else "A database file on this computer")
        row = QHBoxLayout()
        self.local_button = QPushButton("Back to a local file…", box)
        self.local_button.setToolTip("Copy this database into a file on this computer, or open a file you have")
        self.local_button.clicked.connect(self.back_to_local)
        self.local_button.setVisible(on_server)
        row.addWidget(self.local_button)
        row.addStretch(1)
        form.addRow(row)
        return box

    def _server_box(self) -> QGroupBox:
        box = QGroupBox("Use a shared PostgreSQL database", self)
        layout = QVBoxLayout(box)
        intro = QLabel("Everyone in the office can work in one database on a PostgreSQL server. Ask whoever looks "
                       "after the server for an empty database and a user name, type them here, test the "
                       "connection, then copy this database there. The password is kept in this computer's "
                       "password store, never in the database or the settings.", box)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.form = FieldForm(box)
        self.host = self.form.add("host", "Server", QLineEdit(box), "The server's name or address, e.g. db.office.lan")
        self.port = self.form.add("port", "Port", QLineEdit(str(DEFAULT_PORT), box))
        self.database = self.form.add("database", "Database", QLineEdit(box), "The database's name on the server")
        self.user = self.form.add("user", "User name", QLineEdit(box))
        self.password = self.form.add("password", "Password", QLineEdit(box))
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("kept in this computer's password store")
        for key, widget in self.form.fields.items():
            widget.setAccessibleName(key.title())
            widget.setMaximumWidth(120 if widget is self.port else 420)
        layout.addWidget(self.form)
        buttons = QHBoxLayout()
        self.test_button = QPushButton("Test connection", box)
        self.test_button.clicked.connect(self.test_connection)
        self.copy_button = QPushButton("Copy this database there", box)
        self.copy_button.setToolTip("Copy everything into the (empty) database on the server, then offer to switch")
        self.copy_button.clicked.connect(self.copy_there)
        self.switch_button = QPushButton("Switch to it", box)
        self.switch_button.setToolTip("Work in the database on the server from now on, and at the next start")
        self.switch_button.clicked.connect(self.switch)
        for button in (self.test_button, self.copy_button, self.switch_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.status = QLabel(box)
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status.setAccessibleName("Connection result")
        layout.addWidget(self.status)
        return box

    def _prefill(self) -> None:
        details = ServerDetails.from_url(self.db.url) or ServerDetails.from_url(remembered_db_url() or "")
        if details is not None:
            self.host.setText(details.host)
            self.port.setText(str(details.port))
            self.database.setText(details.database)
            self.user.setText(details.user)

    # -- helpers --------------------------------------------------------------------------------

    def tasks(self) -> TaskRunner:
        runner = getattr(self.window(), "tasks", None)
        if isinstance(runner, TaskRunner):
            return runner
        if self._own_tasks is None:
            self._own_tasks = TaskRunner(self)
        return self._own_tasks

    def say(self, text: str, problem: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {OVERDUE_COLOR.name()};" if problem else "")

    def details(self) -> tuple[ServerDetails, str] | None:
        """The server's details as typed and the password (typed, else the stored one); None, with
        the problems shown under their fields, if they cannot work."""
        try:
            details = ServerDetails.from_form(self.host.text(), self.port.text(), self.database.text(),
                                              self.user.text())
        except FieldErrors as exc:
            self.form.show_errors(exc.errors)
            self.say("")
            return None
        self.form.show_errors({}, focus=False)
        return details, self.password.text() or self.store.get(details.account) or ""

    # -- the open database ----------------------------------------------------------------------

    def reload(self) -> None:
        self.loaded = True
        db = self.db

        def job(report, should_cancel) -> DatabaseSummary:
            with db.session() as session:
                return database_summary(session)

        self.tasks().run(job, label="Counting the rows…", on_success=self._show_summary)

    def _show_summary(self, summary: DatabaseSummary) -> None:
        self.summary = summary
        self.where.setText(summary.where)
        self.size.setText(file_size(summary.size_bytes))
        self.rows.setText(rows_text(summary))

    # -- the server -----------------------------------------------------------------------------

    def test_connection(self) -> None:
        typed = self.details()
        if typed is None:
            return
        details, password = typed
        url = details.url(password)
        self.say(f"Connecting to {details.host}:{details.port}…")
        self.test_button.setEnabled(False)

        def tested(state: TargetState) -> None:
            self.test_button.setEnabled(True)
            self.last_state = state
            self.say(state.message, problem=not state.usable)

        def failed(exc: Exception) -> None:
            self.test_button.setEnabled(True)
            self.tasks().show_error(exc)

        self.tasks().run(lambda report, should_cancel: look_at(url), label=f"Connecting to {details.host}…",
                         on_success=tested, on_error=failed)

    def copy_there(self) -> None:
        typed = self.details()
        if typed is None:
            return
        details, password = typed
        where = f"the database “{details.database}” on {details.host}"

        def copied(comparison: Comparison) -> None:
            note = keep_password(details, password, self.store) if password else ""
            self.say(f"Copied {comparison.rows:,} rows to {where}; the copy matches this database."
                     + (f" {note}" if note else ""))
            self.offer_switch(comparison, where, details.url(password), details.url())

        self._copy(details.url(password), f"Copying this database to {where}…", copied)

    def _copy(self, url: str, label: str, copied) -> None:
        db = self.db

        def job(report, should_cancel) -> Comparison:
            with db.session() as session:
                return copy_database(session, url, report, should_cancel)

        def refused(exc: Exception) -> None:
            if isinstance(exc, UserError):
                self.say(str(exc), problem=True)
                tell(self, str(exc), QMessageBox.Icon.Warning)
            else:
                self.tasks().show_error(exc)

        self.tasks().run(job, label=label, on_success=copied, on_error=refused,
                         on_cancelled=lambda: self.say("The copy was cancelled; nothing was kept there."))

    def offer_switch(self, comparison: Comparison, where: str, url: str, remembered: str | None) -> None:
        dialog = CopiedDialog(comparison, where, self)
        dialog.accepted.connect(lambda: self.switch_to(url, remembered))
        dialog.open()

    def switch(self) -> None:
        typed = self.details()
        if typed is None:
            return
        details, password = typed
        url = details.url(password)

        def checked(state: TargetState) -> None:
            self.last_state = state
            if not state.usable:
                self.say(state.message, problem=True)
                return
            if state.empty and QMessageBox.question(
                    self, "Switch to an empty database?",
                    f"{state.message.removesuffix(': this database can be copied there.')}.\n\nSwitching starts "
                    "afresh there; your data stays in the database open now. To take it along, choose "
                    "“Copy this database there” instead.\n\nSwitch to the empty database?"
            ) != QMessageBox.StandardButton.Yes:
                return
            note = keep_password(details, password, self.store) if password else ""
            if note:
                box = tell(self, note)
                box.finished.connect(lambda _r: self.switch_to(url, details.url()))
            else:
                self.switch_to(url, details.url())

        self.say(f"Connecting to {details.host}:{details.port}…")
        self.tasks().run(lambda report, should_cancel: look_at(url), label=f"Connecting to {details.host}…",
                         on_success=checked)

    def switch_to(self, url: str, remembered: str | None) -> None:
        """Open `url` in place of this database; once open it is what the next start opens
        (`remembered`, without the password; None: the default file)."""
        window = self.window()
        menu = getattr(window, "file_menu", None)
        if menu is None:
            self.say("This page is not part of a DebtorDesk window, so it cannot switch.", problem=True)
            return
        from debtordesk.ui.app import Desk

        desk = menu.desk or Desk.adopting(window)
        desk.open_url(url, label="Opening the database…", on_opened=lambda _db: remember_db_url(remembered))

    # -- back to a file -------------------------------------------------------------------------

    def back_to_local(self) -> None:
        box = QMessageBox(QMessageBox.Icon.Question, "Back to a local file",
                          "Work in a database file on this computer again: copy everything from the server into "
                          "a new file, or open a DebtorDesk file you already have?", parent=self)
        copy = box.addButton("Copy into a new file…", QMessageBox.ButtonRole.AcceptRole)
        have = box.addButton("Open a file I have…", QMessageBox.ButtonRole.ActionRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def chosen(button) -> None:
            if button is copy:
                self.copy_to_file()
            elif button is have:
                self.open_file()

        box.buttonClicked.connect(chosen)
        box.open()

    def copy_to_file(self) -> None:
        suggested = default_db_path()
        if suggested.exists():
            suggested = suggested.with_name("debtordesk-from-server.sqlite3")
        chosen, _ = QFileDialog.getSaveFileName(self, "Copy into a new file", str(suggested), DATABASE_FILTER,
                                                options=QFileDialog.Option.DontConfirmOverwrite)
        if not chosen:
            return
        path = Path(chosen) if Path(chosen).suffix else Path(chosen).with_suffix(".sqlite3")
        if path.exists():
            tell(self, f"{path.name} already exists, and the copy goes only into a new file: choose another name.",
                 QMessageBox.Icon.Warning)
            return
        url = resolve_db_url(str(path))

        def copied(comparison: Comparison) -> None:
            self.say(f"Copied {comparison.rows:,} rows to {path}; the copy matches this database.")
            self.offer_switch(comparison, str(path), url, _remembered_file(url))

        self._copy(url, f"Copying this database to {path.name}…", copied)

    def open_file(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(self, "Open a database file", str(default_db_path().parent),
                                                DATABASE_FILTER)
        if chosen:
            url = resolve_db_url(chosen)
            self.switch_to(url, _remembered_file(url))


def _remembered_file(url: str) -> str | None:
    """What to remember for a file: nothing for the default file (it opens anyway)."""
    return None if url == resolve_db_url(str(default_db_path())) else url
