"""Passwords (the mail server's) kept in the operating system's password store through keyring.

When this computer has no password store (a headless Linux box without a Secret Service, keyring
switched off), the password is kept in memory until DebtorDesk closes and the user is told so. It
is never written to a file: plaintext "keyrings" (keyrings.alt) count as no password store.
"""

from __future__ import annotations

import keyring
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null
from keyring.errors import KeyringError, NoKeyringError, PasswordDeleteError

SERVICE = "DebtorDesk"

NO_KEYRING = ("This computer has no password store (keyring), so the password is kept only until "
              "DebtorDesk closes.")

# Secrets the password store could not take, for this run of the program only. Shared by every
# CredentialStore so that the settings dialog and the job that sends mail see the same password.
_SESSION: dict[tuple[str, str], str] = {}


def smtp_account(host: str, user: str) -> str:
    """The account name a mail server's password is filed under: 'smtp:user@host'."""
    return f"smtp:{user.strip()}@{host.strip().lower()}"


def _usable(backend: KeyringBackend) -> bool:
    """Whether `backend` really keeps secrets somewhere safe."""
    if isinstance(backend, fail.Keyring | null.Keyring):
        return False
    if isinstance(backend, chainer.ChainerBackend):
        return any(_usable(b) for b in backend.backends)
    return "plaintext" not in type(backend).__name__.lower()  # keyrings.alt's readable file


class CredentialStore:
    """get/set/delete secrets by account name; `last_problem` says why the last call could not use
    the password store ('' when it could)."""

    def __init__(self, service: str = SERVICE):
        self.service = service
        self.last_problem = ""

    # --- the password store ------------------------------------------------------------------------

    def available(self) -> bool:
        """Whether this computer has a password store; if not, `last_problem` says so."""
        if _usable(keyring.get_keyring()):
            return True
        self.last_problem = NO_KEYRING
        return False

    def get(self, account: str) -> str | None:
        """The secret for `account`: this session's copy if the store refused it, else the store's."""
        key = (self.service, account)
        if key in _SESSION:
            return _SESSION[key]
        if not self.available():
            return None
        try:
            secret = keyring.get_password(self.service, account)
        except KeyringError as exc:
            self.last_problem = _problem(exc)
            return None
        self.last_problem = ""
        return secret

    def set(self, account: str, secret: str) -> bool:
        """Keep `secret`: True when the password store holds it, False when it is kept in memory for
        this session only (`last_problem` says why)."""
        key = (self.service, account)
        if self.available():
            try:
                keyring.set_password(self.service, account, secret)
            except KeyringError as exc:
                self.last_problem = _problem(exc)
            else:
                _SESSION.pop(key, None)
                self.last_problem = ""
                return True
        _SESSION[key] = secret
        return False

    def delete(self, account: str) -> None:
        """Forget the secret, in the store and in memory (nothing to forget is fine)."""
        _SESSION.pop((self.service, account), None)
        if not self.available():
            return
        try:
            keyring.delete_password(self.service, account)
        except PasswordDeleteError:
            self.last_problem = ""  # there was none
        except KeyringError as exc:
            self.last_problem = _problem(exc)
        else:
            self.last_problem = ""

    def remembered(self, account: str) -> bool:
        """Whether the password store (not just this session) holds a secret for `account`."""
        if not self.available():
            return False
        try:
            found = keyring.get_password(self.service, account) is not None
        except KeyringError as exc:
            self.last_problem = _problem(exc)
            return False
        self.last_problem = ""
        return found


def _problem(exc: KeyringError) -> str:
    if isinstance(exc, NoKeyringError):
        return NO_KEYRING
    detail = str(exc).strip() or type(exc).__name__
    return (f"The password store (keyring) could not be used ({detail}), so the password is kept only until "
            "DebtorDesk closes.")


def forget_session_secrets() -> None:
    """Drop every secret kept in memory (when the program closes, and between tests)."""
    _SESSION.clear()
