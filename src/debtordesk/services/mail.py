"""Sending e-mail through the user's mail server (SMTP): the settings and their checks, one
message or several over one connection, and every failure turned into a sentence that names the
problem (the server, the port, the login, the address the server refused).

The settings live with the data (services.settings, keys 'smtp.*'); the password never does: it
comes from services.credentials.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from sqlalchemy.orm import Session

from debtordesk.domain.customers import valid_email
from debtordesk.domain.problems import FieldErrors, UserError
from debtordesk.services.settings import get_settings

SECURITY: dict[str, str] = {"none": "None", "starttls": "STARTTLS", "ssl": "SSL/TLS"}
DEFAULT_PORTS: dict[str, int] = {"none": 25, "starttls": 587, "ssl": 465}
KEYS = ("smtp.host", "smtp.port", "smtp.security", "smtp.user", "smtp.sender")


class MailError(UserError):
    """A message could not be sent; the text says why. `about_recipient` is True when only this
    message's address was refused (other messages may still go), False when the server, the
    connection or the login failed (no other message will go either)."""

    def __init__(self, message: str, *, about_recipient: bool = False):
        super().__init__(message)
        self.about_recipient = about_recipient


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int
    security: str  # 'none', 'starttls' or 'ssl'
    user: str
    sender: str

    @classmethod
    def from_settings(cls, values: dict[str, str]) -> MailSettings:
        """Read the stored 'smtp.*' settings as they are (see check_mail_settings for the checks)."""
        security = (values.get("smtp.security") or "starttls").strip().lower()
        try:
            port = int((values.get("smtp.port") or "").strip())
        except ValueError:
            port = DEFAULT_PORTS.get(security, 587)
        return cls((values.get("smtp.host") or "").strip(), port, security, (values.get("smtp.user") or "").strip(),
                   (values.get("smtp.sender") or "").strip())

    @property
    def configured(self) -> bool:
        return bool(self.host and self.sender)

    def as_settings(self) -> dict[str, str]:
        return {"smtp.host": self.host, "smtp.port": str(self.port), "smtp.security": self.security,
                "smtp.user": self.user, "smtp.sender": self.sender}


def check_mail_settings(values: dict[str, str]) -> MailSettings:
    """Check typed mail settings (keys as in services.settings); FieldErrors names each bad field."""
    text = {k: (values.get(k) or "").strip() for k in KEYS}
    errors: dict[str, str] = {}
    host = text["smtp.host"]
    if not host:
        errors["smtp.host"] = "The mail server name is missing."
    elif any(ch.isspace() for ch in host) or "/" in host or "@" in host:
        errors["smtp.host"] = f"“{host}” is not a server name; write it like smtp.example.com."
    port = 0
    try:
        port = int(text["smtp.port"])
    except ValueError:
        pass
    if not 1 <= port <= 65535:
        errors["smtp.port"] = "The port must be a whole number from 1 to 65535 (usually 587, 465 or 25)."
    security = text["smtp.security"].lower()
    if security not in SECURITY:
        errors["smtp.security"] = "Choose how to connect: None, STARTTLS or SSL/TLS."
    if len(text["smtp.user"]) > 200:
        errors["smtp.user"] = "The user name is longer than 200 characters."
    sender = text["smtp.sender"]
    if not sender:
        errors["smtp.sender"] = "The sender address is missing."
    elif not valid_email(sender):
        errors["smtp.sender"] = f"The sender address {sender} is not a valid e-mail address."
    if errors:
        raise FieldErrors(errors)
    return MailSettings(host, port, security, text["smtp.user"], sender)


def mail_settings(session: Session) -> MailSettings:
    """The stored mail settings, checked; MailError when e-mail is not set up (or set up wrongly)."""
    values = get_settings(session)
    if not values.get("smtp.host", "").strip() or not values.get("smtp.sender", "").strip():
        raise MailError("E-mail is not set up yet: fill in the mail server in Settings.")
    try:
        return check_mail_settings(values)
    except FieldErrors as exc:
        raise MailError(f"The e-mail settings need correcting in Settings: {exc}") from exc


# --- sending ------------------------------------------------------------------------------------------

def _reply(exc: smtplib.SMTPResponseException) -> str:
    return _answer(exc.smtp_code, exc.smtp_error)


def _answer(code: int, message: bytes | str) -> str:
    """The server's reply on one line: '550 5.1.1 No such user'."""
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
    return f"{code} {' '.join(text.split())}".strip()


def build_message(sender: str, to: str, subject: str, text: str,
                  attachments: Sequence[tuple[str, bytes]] = ()) -> EmailMessage:
    """A plain-text message; each attachment (file name, bytes) goes as application/pdf."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    msg.set_content(text)
    for name, data in attachments:
        msg.add_attachment(data, maintype="application", subtype="pdf", filename=name)
    return msg


class Mailer:
    """One connection to the mail server, opened at the first message and reused for the next ones
    (opened again when the server has dropped it). Use as a context manager."""

    def __init__(self, settings: MailSettings, password: str | None, timeout: float = 20):
        self.settings, self.password, self.timeout = settings, password, timeout
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()

    def send(self, to: str, subject: str, text: str, attachments: Sequence[tuple[str, bytes]] = ()) -> None:
        """Send one message; MailError says why it did not go."""
        s = self.settings
        to = to.strip()
        if not valid_email(to):
            raise MailError(f"{to or 'An empty address'} is not a valid e-mail address.", about_recipient=True)
        msg = build_message(s.sender, to, subject, text, attachments)
        with self._plain_errors():
            smtp = self._connection()
            try:
                refused = smtp.send_message(msg, from_addr=s.sender, to_addrs=[to])
            except smtplib.SMTPRecipientsRefused as exc:
                reply = "; ".join(_answer(code, text) for code, text in exc.recipients.values())
                raise MailError(f"The mail server refused the address {to} ({reply}).", about_recipient=True) from exc
            except smtplib.SMTPSenderRefused as exc:
                raise MailError(f"The mail server refused the sender address {s.sender} ({_reply(exc)}); check the "
                                "sender address in Settings.") from exc
            except smtplib.SMTPDataError as exc:
                raise MailError(f"The mail server did not accept the message to {to} ({_reply(exc)}).",
                                about_recipient=True) from exc
            if refused:
                raise MailError(f"The mail server refused the address {to}.", about_recipient=True)

    def _drop(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            smtp.close()

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is not None:
            try:
                if self._smtp.noop()[0] == 250:
                    return self._smtp
            except (smtplib.SMTPException, OSError):
                pass
            self._drop()
        s = self.settings
        if s.user and not self.password:
            raise MailError(f"No password is known for {s.user} on {s.host}: enter it in Settings → E-mail.")
        context = ssl.create_default_context()
        if s.security == "ssl":
            smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=self.timeout, context=context)
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=self.timeout)
        try:
            smtp.ehlo()
            if s.security == "starttls":
                if not smtp.has_extn("starttls"):
                    raise MailError(f"The mail server {s.host} does not offer STARTTLS on port {s.port}; choose "
                                    "SSL/TLS (usually port 465) or check the port in Settings.")
                smtp.starttls(context=context)
                smtp.ehlo()
            if s.user:
                if not smtp.has_extn("auth"):
                    raise MailError(f"The mail server {s.host} does not offer a login on this connection; check the "
                                    "security setting, or leave the user name empty if no login is needed.")
                try:
                    smtp.login(s.user, self.password or "")
                except smtplib.SMTPAuthenticationError as exc:
                    raise MailError(f"The mail server {s.host} refused the login for {s.user} ({_reply(exc)}): "
                                    "check the user name and password.") from exc
        except BaseException:
            smtp.close()
            raise
        self._smtp = smtp
        return smtp

    @contextmanager
    def _plain_errors(self) -> Iterator[None]:
        try:
            yield
        except MailError:
            raise
        except Exception as exc:
            message = describe(exc, self.settings, self.timeout)
            self._drop()
            if message is None:
                raise
            raise MailError(message) from exc


def describe(exc: Exception, s: MailSettings, timeout: float) -> str | None:
    """What went wrong talking to the mail server, as a sentence (None: not a mail problem)."""
    where = f"{s.host} on port {s.port}"
    ports = "SSL/TLS usually uses port 465, STARTTLS port 587"
    if isinstance(exc, smtplib.SMTPConnectError):
        return f"Cannot reach the mail server {where}: it answered {_reply(exc)}."
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"The mail server {where} closed the connection; check the port and the security setting ({ports})."
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"The mail server {s.host} answered: {_reply(exc)}."
    if isinstance(exc, smtplib.SMTPException):
        return f"Sending through the mail server {s.host} failed: {exc}."
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (f"The secure connection to {where} failed: the server's certificate could not be verified "
                f"({exc.verify_message or exc.reason}).")
    if isinstance(exc, ssl.SSLError):
        if exc.reason in ("WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "UNKNOWN_PROTOCOL"):
            return (f"The secure connection to {where} failed: the server does not speak SSL/TLS there; check the "
                    f"security setting and the port ({ports}).")
        return (f"The secure connection to {where} failed ({exc.reason or exc}); check the security setting and "
                f"the port ({ports}).")
    if isinstance(exc, TimeoutError):
        return f"The mail server {where} did not answer within {timeout:g} seconds."
    if isinstance(exc, socket.gaierror):
        return f"Cannot reach the mail server {where}: the name {s.host} is not known; check the server name."
    if isinstance(exc, ConnectionRefusedError):
        return f"Cannot reach the mail server {where}: the connection was refused; check the server name and port."
    if isinstance(exc, OSError):
        return f"Cannot reach the mail server {where}: {exc.strerror or exc}."
    return None


def send_message(settings: MailSettings, password: str | None, to: str, subject: str, text: str,
                 attachments: Sequence[tuple[str, bytes]] = (), timeout: float = 20) -> None:
    """Send one plain-text message with PDF attachments (file name, bytes); MailError says why not."""
    with Mailer(settings, password, timeout) as mailer:
        mailer.send(to, subject, text, attachments)


def send_test(settings: MailSettings, password: str | None, to: str, timeout: float = 20) -> None:
    """A short message that proves the settings work."""
    send_message(settings, password, to, "DebtorDesk test e-mail",
                 f"This is a test message from DebtorDesk.\n\nIt was sent through {settings.host} "
                 f"(port {settings.port}, {SECURITY.get(settings.security, settings.security)}) from "
                 f"{settings.sender}, so e-mailed letters can go out the same way.\n", timeout=timeout)
