"""The mail server dialog: refusals under their fields, saving, the password in the keyring (or for
the session only), and a test message through a local mail server."""

from __future__ import annotations

import socket

import pytest
from aiosmtpd.controller import Controller
from keyring.backends import fail
from PySide6.QtWidgets import QDialog, QDialogButtonBox

from debtordesk.services.settings import get_settings
from debtordesk.ui.dialogs.mail_settings import MailSettingsDialog, mail_password
from memkeyring import MemoryKeyring, keyring_backend

GOOD = {"smtp.host": "smtp.kestrel.example", "smtp.port": "587", "smtp.user": "kestrel",
        "smtp.sender": "accounts@kestrel.example"}


@pytest.fixture
def mem_keyring():
    with keyring_backend(MemoryKeyring()) as kr:
        yield kr


@pytest.fixture
def no_keyring():
    with keyring_backend(fail.Keyring()) as kr:
        yield kr


@pytest.fixture
def dialog(qtbot, db):
    def make():
        d = MailSettingsDialog(db)
        qtbot.addWidget(d)
        d.tasks.delay_ms = 10_000  # quick jobs: no progress dialog
        return d
    return make


def fill(d, values, password=""):
    for key, value in values.items():
        d.inputs[key].setText(value)
    d.password.setText(password)


def press_ok(d):
    d.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def stored(db):
    with db.session() as s:
        return get_settings(s)


def test_bad_port_and_sender_are_shown_under_their_fields_and_nothing_is_saved(dialog, db, mem_keyring):
    d = dialog()
    fill(d, dict(GOOD, **{"smtp.port": "99999", "smtp.sender": "accounts at kestrel"}), "s3cret")
    press_ok(d)
    assert d.error_text("smtp.port") == "The port must be a whole number from 1 to 65535 (usually 587, 465 or 25)."
    assert d.error_text("smtp.sender") == "The sender address accounts at kestrel is not a valid e-mail address."
    assert d.error_text("smtp.host") == ""
    assert d.result() != QDialog.DialogCode.Accepted
    assert stored(db)["smtp.host"] == "" and mem_keyring.store == {}


def test_good_values_are_saved_and_the_password_goes_to_the_keyring(dialog, db, mem_keyring):
    d = dialog()
    assert not d.note.isVisibleTo(d)  # a password store is available
    fill(d, GOOD)
    d.inputs["smtp.security"].setCurrentIndex(d.inputs["smtp.security"].findData("ssl"))
    assert d.inputs["smtp.port"].text() == "465"  # follows the usual port
    press_ok(d)
    assert d.error_text("password") == "Type the password for kestrel."
    d.password.setText("s3cret")
    press_ok(d)
    assert d.result() == QDialog.DialogCode.Accepted
    values = stored(db)
    assert {k: values[k] for k in (*GOOD, "smtp.security")} == dict(GOOD, **{"smtp.port": "465",
                                                                               "smtp.security": "ssl"})
    assert mem_keyring.store == {("DebtorDesk", "smtp:kestrel@smtp.kestrel.example"): "s3cret"}
    assert "s3cret" not in str(values)
    assert mail_password(values) == "s3cret"
    again = dialog()  # opened again: the password is remembered, not shown
    assert again.password.text() == "" and "remembered" in again.password.placeholderText()
    press_ok(again)
    assert again.result() == QDialog.DialogCode.Accepted and mail_password(stored(db)) == "s3cret"


def test_without_a_keyring_the_dialog_says_so_and_keeps_the_password_for_the_session(dialog, db, no_keyring):
    d = dialog()
    assert d.note.isVisibleTo(d)
    assert d.note.text().startswith("Password not remembered on this computer: ")
    fill(d, GOOD, "s3cret")
    press_ok(d)
    assert d.result() == QDialog.DialogCode.Accepted
    assert mail_password(stored(db)) == "s3cret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


@pytest.fixture
def inbox():
    box, port = Inbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    box.port = port
    yield box
    controller.stop()


def test_a_test_message_goes_through_the_server_and_the_result_is_shown(qtbot, dialog, db, inbox):
    d = dialog()
    fill(d, {"smtp.host": "127.0.0.1", "smtp.port": str(inbox.port), "smtp.user": "",
             "smtp.sender": "accounts@kestrel.example"})
    d.inputs["smtp.security"].setCurrentIndex(d.inputs["smtp.security"].findData("none"))
    d.send_test_mail("me@kestrel.example")
    qtbot.waitUntil(lambda: d.test_button.isEnabled(), timeout=10_000)
    assert d.result_label.text() == "A test message was sent to me@kestrel.example; check that it arrived."
    [(to, raw)] = inbox.messages
    assert to == ["me@kestrel.example"] and b"DebtorDesk test e-mail" in raw
    fill(d, {"smtp.port": str(free_port())})  # nothing listens there
    d.send_test_mail("me@kestrel.example")
    qtbot.waitUntil(lambda: d.test_button.isEnabled(), timeout=10_000)
    assert d.result_label.text().startswith("Cannot reach the mail server 127.0.0.1 on port")
    assert stored(db)["smtp.host"] == ""  # testing saves nothing
