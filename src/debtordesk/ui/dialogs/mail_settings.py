"""The mail server settings: server, port, security, login, sender address and password, with a
test message. The settings are kept with the data; the password in this computer's password
store (services.credentials), or for this session only when there is none."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
)

from debtordesk.db.engine import Database
from debtordesk.domain.customers import valid_email
from debtordesk.domain.problems import FieldErrors, UserError
from debtordesk.services.credentials import CredentialStore, smtp_account
from debtordesk.services.mail import DEFAULT_PORTS, SECURITY, MailSettings, check_mail_settings, send_test
from debtordesk.services.settings import get_settings, put_settings
from debtordesk.ui.formatting import OVERDUE_COLOR
from debtordesk.ui.widgets.form import FieldForm
from debtordesk.ui.workers import TaskRunner

PASSWORD = "password"


def mail_password(db_settings: dict[str, str], store: CredentialStore | None = None) -> str | None:
    """The password for sending with these settings (from get_settings): None when no login is set
    up or no password is known on this computer."""
    settings = MailSettings.from_settings(db_settings)
    if not settings.user:
        return None
    return (store or CredentialStore()).get(smtp_account(settings.host, settings.user))


class MailSettingsDialog(QDialog):
    def __init__(self, db: Database, parent=None, *, store: CredentialStore | None = None,
                 tasks: TaskRunner | None = None):
        super().__init__(parent)
        self.db = db
        self.store = store or CredentialStore()
        self.tasks = tasks or TaskRunner(self)
        self.setWindowTitle("Mail server")
        with db.session() as s:
            stored = MailSettings.from_settings(get_settings(s))
        self.stored = stored

        self.form = FieldForm(self)
        self.inputs: dict[str, QLineEdit | QComboBox] = {}
        host = QLineEdit(stored.host, self)
        host.setPlaceholderText("e.g. smtp.example.com")
        self.inputs["smtp.host"] = self.form.add("smtp.host", "Mail server", host,
                                                 "The outgoing (SMTP) server your e-mail provider names.")
        security = QComboBox(self)
        for key, label in SECURITY.items():
            security.addItem(label, key)
        security.setCurrentIndex(max(0, security.findData(stored.security)))
        self.inputs["smtp.security"] = self.form.add(
            "smtp.security", "Security", security,
            "STARTTLS (usually port 587) or SSL/TLS (usually port 465) encrypt the connection; None sends in clear.")
        port = QLineEdit(str(stored.port), self)
        port.setMaxLength(5)
        self.inputs["smtp.port"] = self.form.add("smtp.port", "Port", port)
        user = QLineEdit(stored.user, self)
        user.setPlaceholderText("leave empty if the server needs no login")
        self.inputs["smtp.user"] = self.form.add("smtp.user", "User name", user)
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.form.add(PASSWORD, "Password", self.password,
                      "Kept in this computer's password store, never in the database.")
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        self.note.hide()
        self.form.layout_.addRow("", self.note)
        sender = QLineEdit(stored.sender, self)
        sender.setPlaceholderText("e.g. accounts@example.com")
        self.inputs["smtp.sender"] = self.form.add("smtp.sender", "Sender address", sender,
                                                   "Letters are sent from this address; replies come back to it.")
        security.currentIndexChanged.connect(self._security_changed)
        self._security = stored.security
        self._show_password_state()

        self.result_label = QLabel(self)
        self.result_label.setWordWrap(True)
        self.result_label.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.test_button = QPushButton("Send test e-mail…", self)
        self.buttons.addButton(self.test_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.test_button.clicked.connect(lambda: self.send_test_mail())
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form)
        layout.addWidget(self.result_label)
        layout.addWidget(self.buttons)
        self.resize(520, self.sizeHint().height())

    # --- what the user typed --------------------------------------------------------------------------

    def values(self) -> dict[str, str]:
        out = {}
        for key, widget in self.inputs.items():
            out[key] = widget.currentData() if isinstance(widget, QComboBox) else widget.text()
        return out

    def error_text(self, key: str) -> str:
        return self.form.error_text(key)

    def _security_changed(self) -> None:
        """Follow the usual port for the new security setting unless the user chose another."""
        new = self.inputs["smtp.security"].currentData()
        port = self.inputs["smtp.port"]
        if port.text().strip() in ("", str(DEFAULT_PORTS.get(self._security))):
            port.setText(str(DEFAULT_PORTS[new]))
        self._security = new

    def _show_password_state(self) -> None:
        if self.stored.user and self.store.remembered(smtp_account(self.stored.host, self.stored.user)):
            self.password.setPlaceholderText("remembered — type to change")
        elif self.stored.user and self.store.get(smtp_account(self.stored.host, self.stored.user)):
            self.password.setPlaceholderText("kept until DebtorDesk closes — type to change")
        if not self.store.available():
            why = self.store.last_problem
            self.note.setText(f"Password not remembered on this computer: {why[:1].lower()}{why[1:]}")
            self.note.setStyleSheet(f"color: {OVERDUE_COLOR.name()};")
            self.note.show()

    def _checked(self) -> tuple[MailSettings, str | None] | None:
        """The settings and the password to use, or None after showing what is wrong."""
        errors: dict[str, str] = {}
        settings = None
        try:
            settings = check_mail_settings(self.values())
        except FieldErrors as exc:
            errors = exc.errors
        password = self.password.text() or None
        if settings is not None and settings.user and password is None:
            password = self.store.get(smtp_account(settings.host, settings.user))
            if password is None:
                errors[PASSWORD] = f"Type the password for {settings.user}."
        self.form.show_errors(errors)
        if errors:
            self.resize(self.width(), max(self.height(), self.sizeHint().height()))
            return None
        return settings, password

    # --- actions ---------------------------------------------------------------------------------------

    def save(self) -> None:
        checked = self._checked()
        if checked is None:
            return
        settings, _ = checked
        try:
            with self.db.transaction() as s:
                put_settings(s, settings.as_settings())
        except UserError as exc:
            QMessageBox.warning(self, "Mail settings not saved", str(exc))
            return
        typed = self.password.text()
        if settings.user and typed:
            had_store = self.store.available()
            if not self.store.set(smtp_account(settings.host, settings.user), typed) and had_store:
                QMessageBox.warning(self, "Password not remembered", self.store.last_problem)
        self.accept()

    def send_test_mail(self, to: str | None = None) -> None:
        """Send a test message with the values as typed (to `to`, else the address the user gives)."""
        checked = self._checked()
        if checked is None:
            return
        settings, password = checked
        if to is None:
            to, ok = QInputDialog.getText(self, "Send test e-mail", "Send a test message to:",
                                          QLineEdit.EchoMode.Normal, settings.sender)
            if not ok or not to.strip():
                return
        to = to.strip()
        if not valid_email(to):
            self._tell(f"{to} is not a valid e-mail address.", ok=False)
            return
        self.test_button.setEnabled(False)
        self._tell(f"Sending a test message to {to}…", ok=True)
        self.test_task = self.tasks.run(lambda report, should_cancel: send_test(settings, password, to),
                                        label=f"Sending a test message to {to}…",
                                        on_success=lambda _: self._tested(f"A test message was sent to {to}; "
                                                                          "check that it arrived.", True),
                                        on_error=self._test_failed,
                                        on_cancelled=lambda: self._tested("The test was cancelled.", False))

    def _test_failed(self, exc: Exception) -> None:
        if isinstance(exc, UserError):
            self._tested(str(exc), False)
        else:
            self._tested(f"Something went wrong: {type(exc).__name__}: {exc}", False)

    def _tested(self, text: str, ok: bool) -> None:
        self.test_button.setEnabled(True)
        self._tell(text, ok)

    def _tell(self, text: str, ok: bool) -> None:
        self.result_label.setText(text)
        self.result_label.setStyleSheet("" if ok else f"color: {OVERDUE_COLOR.name()};")
        self.result_label.show()
