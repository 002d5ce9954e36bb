"""E-mailing dunning letters through a real (local) SMTP server, the mail settings' checks, and
passwords kept in the keyring or, without one, for the session only."""

from __future__ import annotations

import hashlib
import socket
from datetime import date
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from keyring.backends import fail
from sqlalchemy import func, select

from debtordesk.db.models import Activity, Customer, Letter
from debtordesk.domain.problems import FieldErrors, Rejected
from debtordesk.domain.progress import Cancelled
from debtordesk.services.credentials import NO_KEYRING, CredentialStore, smtp_account
from debtordesk.services.dunning import dunning_run
from debtordesk.services.dunning_mail import attachment_name, email_letters
from debtordesk.services.mail import MailError, MailSettings, check_mail_settings, send_test
from debtordesk.services.payments import record_payment
from debtordesk.services.settings import put_settings
from helpers import add_customer, add_invoice, dunning_books
from memkeyring import MemoryKeyring, keyring_backend

AS_OF, TODAY = date(2026, 2, 10), date(2026, 2, 11)
SENDER = "accounts@kestrel.example"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps every message and refuses the addresses in `refuse`."""

    def __init__(self, refuse=()):
        self.refuse = set(refuse)
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"


def check_login(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == b"kestrel" and auth_data.password == b"s3cret"
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def smtp():
    """Start a local mail server: smtp(refuse=(...), login=False) -> (inbox, port); stopped after the test."""
    started = []

    def start(refuse=(), login=False):
        inbox, port = Inbox(refuse), free_port()
        extra = {"authenticator": check_login, "auth_require_tls": False} if login else {}
        controller = Controller(inbox, hostname="127.0.0.1", port=port, **extra)
        controller.start()
        started.append(controller)
        return inbox, port

    yield start
    for controller in started:
        controller.stop()


def use_server(db, port, **more):
    with db.transaction() as s:
        put_settings(s, {"smtp.host": "127.0.0.1", "smtp.port": str(port), "smtp.security": "none",
                         "smtp.user": "", "smtp.sender": SENDER, **more})


@pytest.fixture
def books(db):
    """The dunning ledger (a UK company; Alder & Co owes £1,200 due 31 Jan 2026; Birch on hold, Cedar
    disputed) plus Beech Ltd owing £450; Alder and Beech have e-mail addresses."""
    dunning_books(db)
    with db.transaction() as s:
        alder = s.query(Customer).filter_by(ref="ALD").one()
        alder.email = "ap@alder.example"
        beech = add_customer(s, "BEE", "Beech Ltd")
        beech.address_line1, beech.postcode, beech.city, beech.country = "9 Low Rd", "LS2 8AA", "Leeds", "GB"
        beech.email = "ledger@beech.example"
        add_invoice(s, beech, "INV-4", "2026-01-01", "2026-01-31", 45000)
    return db


def keys(db, refs=None):
    with db.session() as s:
        return [p.letter_key for p in dunning_run(s, AS_OF)
                if p.proposed and (refs is None or p.ref in refs)]


def email(db, password=None, **kw):
    with db.session() as s:
        return email_letters(s, keys(db), AS_OF, TODAY, password, user="tester", **kw)


def letters(db):
    with db.session() as s:
        return {x.emailed_to or x.customer_id: x for x in s.scalars(select(Letter))}


def attachments(raw: bytes):
    msg = message_from_bytes(raw, policy=policy.default)
    return msg, [(a.get_filename(), a.get_content_type(), a.get_content()) for a in msg.iter_attachments()]


# --- e-mailing letters ------------------------------------------------------------------------------

def test_two_letters_arrive_with_their_pdf_and_are_recorded(books, smtp):
    inbox, port = smtp()
    use_server(books, port)
    progress = []
    outcome = email(books, report=progress.append)
    assert outcome.failed == []
    assert sorted(x.customer for x in outcome.sent) == ["Alder & Co", "Beech Ltd"]
    assert sorted(to for _, tos, _ in inbox.messages for to in tos) == ["ap@alder.example", "ledger@beech.example"]
    stored = letters(books)
    for sender, (to,), raw in inbox.messages:
        assert sender == SENDER
        msg, files = attachments(raw)
        letter = stored[to]
        assert letter.channel == "email" and letter.emailed_at is not None and letter.sent_on == TODAY
        assert msg["To"] == to and msg["From"] == SENDER
        ref = {"ap@alder.example": "ALD", "ledger@beech.example": "BEE"}[to]
        assert msg["Subject"] == f"Payment reminder – account {ref}"
        [(name, kind, data)] = files
        assert kind == "application/pdf" and data.startswith(b"%PDF")
        assert name == attachment_name("Reminder 1", letter.reference) == f"Reminder 1 {ref}-260210-1.pdf"
        assert hashlib.sha256(data).hexdigest() == letter.sha256 == hashlib.sha256(letter.pdf).hexdigest()
        body = msg.get_body(("plain",)).get_content()
        assert letter.reference in body and "£" in body and "INV-" in body and "Yours sincerely" in body
    with books.session() as s:
        notes = s.scalars(select(Activity.note).where(Activity.kind == "email")).all()
    assert sorted(n.split(" (")[0] for n in notes) == ["Reminder 1 sent by e-mail to ap@alder.example",
                                                       "Reminder 1 sent by e-mail to ledger@beech.example"]
    assert progress[-1].done == progress[-1].total == 2
    # sent letters are not proposed again
    assert keys(books) == []


def test_a_refused_address_leaves_that_letter_unsent_and_the_other_goes(books, smtp):
    inbox, port = smtp(refuse={"ap@alder.example"})
    use_server(books, port)
    outcome = email(books)
    assert [x.customer for x in outcome.sent] == ["Beech Ltd"]
    [(name, reason)] = outcome.failed
    assert name == "Alder & Co"
    assert "The mail server refused the address ap@alder.example" in reason and "550" in reason
    assert list(letters(books)) == ["ledger@beech.example"]
    assert [tos for _, tos, _ in inbox.messages] == [["ledger@beech.example"]]


def test_an_unreachable_server_sends_and_records_nothing(books):
    use_server(books, free_port())  # nothing listens there
    outcome = email(books)
    assert outcome.sent == [] and len(outcome.failed) == 2
    for _, reason in outcome.failed:
        assert reason.startswith("Cannot reach the mail server 127.0.0.1 on port")
    assert letters(books) == {}


def test_a_customer_without_an_address_is_named_and_the_other_letter_goes(books, smtp):
    inbox, port = smtp()
    use_server(books, port)
    with books.transaction() as s:
        dunning = {p.ref: p for p in dunning_run(s, AS_OF)}
        s.get(Customer, dunning["ALD"].customer_id).email = ""
    outcome = email(books)
    assert [x.customer for x in outcome.sent] == ["Beech Ltd"]
    assert outcome.failed == [("Alder & Co", "Alder & Co has no e-mail address; print the letter instead.")]
    assert len(inbox.messages) == 1


def test_e_mail_must_be_set_up_first(books):
    with pytest.raises(MailError, match=r"^E-mail is not set up yet: fill in the mail server in Settings\.$"):
        email(books)


def test_a_changed_account_refuses_the_whole_batch(books, smtp):
    inbox, port = smtp()
    use_server(books, port)
    wanted = keys(books)
    with books.transaction() as s:
        record_payment(s, wanted[0][0], date(2026, 2, 9), 120000, "GBP")
    with books.session() as s, pytest.raises(Rejected, match=r"\(GBP\): nothing is overdue any more"):
        email_letters(s, wanted, AS_OF, TODAY, None)
    assert inbox.messages == [] and letters(books) == {}


def test_cancel_between_letters_keeps_what_was_sent(books, smtp):
    inbox, port = smtp()
    use_server(books, port)
    asked = []

    def should_cancel():
        asked.append(True)
        return len(asked) > 1  # after the first letter

    with pytest.raises(Cancelled) as e:
        email(books, should_cancel=should_cancel)
    assert len(e.value.outcome.sent) == 1 and len(inbox.messages) == 1
    with books.session() as s:
        assert s.scalar(select(func.count()).select_from(Letter)) == 1


def test_login_is_used_and_a_wrong_password_is_explained(books, smtp):
    inbox, port = smtp(login=True)
    use_server(books, port, **{"smtp.user": "kestrel"})
    with pytest.raises(MailError, match="No password is known for kestrel"):
        email(books)
    outcome = email(books, password="wrong")
    assert outcome.sent == [] and len(outcome.failed) == 2
    assert "refused the login for kestrel" in outcome.failed[0][1]
    assert "check the user name and password" in outcome.failed[0][1]
    assert len(email(books, password="s3cret").sent) == 2 and len(inbox.messages) == 2


def test_test_message_and_tls_mismatch(smtp):
    inbox, port = smtp()
    settings = MailSettings("127.0.0.1", port, "none", "", SENDER)
    send_test(settings, None, "me@kestrel.example")
    [(_, tos, raw)] = inbox.messages
    assert tos == ["me@kestrel.example"] and b"DebtorDesk test e-mail" in raw
    with pytest.raises(MailError, match="The secure connection to 127.0.0.1 on port .* failed"):
        send_test(MailSettings("127.0.0.1", port, "ssl", "", SENDER), None, "me@kestrel.example", timeout=5)
    with pytest.raises(MailError, match="does not offer STARTTLS"):
        send_test(MailSettings("127.0.0.1", port, "starttls", "", SENDER), None, "me@kestrel.example", timeout=5)
    with pytest.raises(MailError, match="not a valid e-mail address"):
        send_test(settings, None, "me at kestrel")


# --- settings ---------------------------------------------------------------------------------------

def test_mail_settings_are_checked_field_by_field():
    with pytest.raises(FieldErrors) as e:
        check_mail_settings({"smtp.host": " ", "smtp.port": "70000", "smtp.security": "tls",
                             "smtp.user": "", "smtp.sender": "accounts at kestrel"})
    assert e.value.errors == {
        "smtp.host": "The mail server name is missing.",
        "smtp.port": "The port must be a whole number from 1 to 65535 (usually 587, 465 or 25).",
        "smtp.security": "Choose how to connect: None, STARTTLS or SSL/TLS.",
        "smtp.sender": "The sender address accounts at kestrel is not a valid e-mail address.",
    }
    with pytest.raises(FieldErrors) as e:
        check_mail_settings({"smtp.host": "smtp.kestrel.example", "smtp.port": "x", "smtp.security": "ssl",
                             "smtp.sender": ""})
    assert set(e.value.errors) == {"smtp.port", "smtp.sender"}
    assert e.value.errors["smtp.sender"] == "The sender address is missing."
    good = check_mail_settings({"smtp.host": " smtp.kestrel.example ", "smtp.port": "465", "smtp.security": "ssl",
                                "smtp.user": "kestrel", "smtp.sender": SENDER})
    assert good == MailSettings("smtp.kestrel.example", 465, "ssl", "kestrel", SENDER)
    assert MailSettings.from_settings(good.as_settings()) == good


# --- passwords --------------------------------------------------------------------------------------

@pytest.fixture
def home(tmp_path, monkeypatch):
    """Every place a file could be written, pointed at an empty folder."""
    folder = tmp_path / "home"
    folder.mkdir()
    for var in ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(var, str(folder))
    return folder


def test_password_round_trips_through_the_keyring():
    account = smtp_account("smtp.kestrel.example", "kestrel")
    assert account == "smtp:kestrel@smtp.kestrel.example"
    with keyring_backend(MemoryKeyring()) as kr:
        store = CredentialStore()
        assert store.available() and not store.remembered(account)
        assert store.set(account, "s3cret") is True and store.last_problem == ""
        assert kr.store == {("DebtorDesk", account): "s3cret"}
        assert CredentialStore().get(account) == "s3cret" and store.remembered(account)
        store.delete(account)
        assert kr.store == {} and store.get(account) is None
        store.delete(account)  # nothing left to delete is fine


def test_without_a_keyring_the_password_lasts_the_session_and_no_file_is_written(home):
    account = smtp_account("smtp.kestrel.example", "kestrel")
    with keyring_backend(fail.Keyring()):
        store = CredentialStore()
        assert not store.available()
        assert store.set(account, "s3cret") is False
        assert store.last_problem == NO_KEYRING
        assert "no password store" in store.last_problem and "until DebtorDesk closes" in store.last_problem
        assert CredentialStore().get(account) == "s3cret"  # the sending job finds it too
        assert not store.remembered(account)
        assert list(home.rglob("*")) == []
        store.delete(account)
        assert store.get(account) is None
    with keyring_backend(MemoryKeyring()):
        assert CredentialStore().get(account) is None  # the session copy did not outlive the block


def test_a_keyring_that_refuses_keeps_the_password_for_the_session(home):
    from keyring.errors import PasswordSetError

    class Locked(MemoryKeyring):
        def set_password(self, service, username, password):
            raise PasswordSetError("the keyring is locked")

    with keyring_backend(Locked()):
        store = CredentialStore()
        assert store.set("smtp:a@b.example", "pw") is False
        assert "the keyring is locked" in store.last_problem and "until DebtorDesk closes" in store.last_problem
        assert store.get("smtp:a@b.example") == "pw"
    assert list(home.rglob("*")) == []
