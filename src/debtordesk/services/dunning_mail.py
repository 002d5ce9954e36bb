"""E-mailing dunning letters: each letter goes to its customer as a readable plain-text message with
the exact PDF attached, and is recorded as sent (PDF bytes, SHA-256, the address, the time).

The deliberate exception to "one transaction per call": an e-mail that has gone cannot be
recalled, so each letter is recorded and committed as soon as its message is sent. A failure or a
cancel later in the batch keeps the letters already e-mailed (and only those). The session must
therefore be a plain one (`db.session()`), not one inside `db.transaction()`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from debtordesk.config import current_user
from debtordesk.domain.customers import valid_email
from debtordesk.domain.problems import UserError
from debtordesk.domain.progress import Cancelled, Progress, Report, ShouldCancel
from debtordesk.letters import model
from debtordesk.letters.layout import render_pdf
from debtordesk.services.correspondence import Kit
from debtordesk.services.dunning_letters import (
    SentLetter,
    _customers,
    pages,
    record_letter,
    reference,
    still_proposed,
)
from debtordesk.services.mail import Mailer, MailError, mail_settings


@dataclass
class MailOutcome:
    sent: list[SentLetter] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (customer name, why the letter did not go)


class MailCancelled(Cancelled):
    """The user stopped the batch; `outcome` holds the letters already e-mailed (and recorded)."""

    def __init__(self, outcome: MailOutcome):
        super().__init__(f"Stopped after {len(outcome.sent)} e-mail(s); those letters are recorded as sent.")
        self.outcome = outcome


def attachment_name(letter_level: str, reference: str) -> str:
    """'Reminder 1', 'ALD/260210/1' -> 'Reminder 1 ALD-260210-1.pdf' (safe on every system)."""
    stem = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "-", f"{letter_level} {reference}".strip())
    return f"{stem.strip(' .-') or 'Letter'}.pdf"


def text_table(table: model.Table) -> str:
    """A letter's table as aligned plain text (for a monospaced or at least a readable e-mail)."""
    rows = [table.columns, *table.rows] + ([table.total_row] if table.total_row else [])
    widths = [max(len(r[i]) for r in rows if i < len(r)) for i in range(len(table.columns))]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(c.rjust(w) if a == "r" else c.ljust(w)
                         for c, w, a in zip(cells, widths, table.align, strict=False)).rstrip()

    out = [table.title] if table.title else []
    out += [line(table.columns), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in table.rows]
    if table.total_row:
        out += ["  ".join("-" * w if c else " " * w for c, w in zip(table.total_row, widths, strict=False)).rstrip(),
                line(table.total_row)]
    return "\n".join(out)


def email_text(letter: model.Letter) -> str:
    """The letter as a plain-text e-mail: the paragraphs, the invoices, the amounts, how to pay,
    the closing and the signature (the PDF attached is the letter itself)."""
    blocks: list[str] = [p for p in letter.paragraphs if p.strip()]
    blocks += [text_table(t) for t in letter.tables]
    if letter.summary:
        width = max(len(label) for label, _ in letter.summary)
        blocks.append("\n".join(f"{label + ':':<{width + 1}}  {value}" for label, value in letter.summary))
    if letter.reference_lines:
        blocks.append("\n".join(f"{label}: {value}" for label, value in letter.reference_lines))
    if letter.payment is not None and letter.payment.lines:
        head = [letter.payment.title] if letter.payment.title else []
        blocks.append("\n".join(head + [f"{label}: {value}" for label, value in letter.payment.lines]))
    blocks += [p for p in letter.closing if p.strip()]
    if letter.signature_lines:  # the room for a handwritten signature is one empty line in an e-mail
        blocks.append(re.sub(r"\n{3,}", "\n\n", "\n".join(letter.signature_lines).strip("\n")))
    return "\n\n".join(blocks) + "\n"


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def email_letters(session: Session, keys: Sequence[tuple[int, str, int]], as_of: date, today: date,
                  password: str | None, *, user: str = "", report: Report | None = None,
                  should_cancel: ShouldCancel | None = None) -> MailOutcome:
    """E-mail the letters for `keys` (customer id, currency, level position) and record each one sent.

    Refused as a whole, with nothing sent, when e-mail is not set up (MailError) or an account no
    longer gets that letter (Rejected, naming each change). Otherwise every letter either goes and
    is recorded (committed at once), or stays unsent with its reason in `failed`: the customer has
    no e-mail address, the server refused the address, ... When the server itself cannot be used
    (unreachable, login refused), the remaining letters are not tried and share that reason.
    A cancel between letters keeps what was sent and raises MailCancelled (a Cancelled)."""
    settings = mail_settings(session)
    if settings.user and not password:
        raise MailError(f"No password is known for {settings.user} on {settings.host}: enter it in "
                        "Settings → E-mail.")
    chosen = still_proposed(session, keys, as_of)
    kit = Kit.load(session)
    customers = _customers(session, chosen)
    who = user or current_user()
    outcome = MailOutcome()
    server_problem = ""
    total = len(chosen)
    with Mailer(settings, password) as mailer:
        for n, p in enumerate(chosen):
            if should_cancel is not None and should_cancel():
                session.rollback()
                raise MailCancelled(outcome)
            if report is not None:
                report(Progress(n, total, f"E-mailing {p.level.name} to {p.name}"))
            customer = customers[p.customer_id]
            address = (customer.email or p.email or "").strip()
            if server_problem:
                outcome.failed.append((p.name, server_problem))
                continue
            if not address:
                outcome.failed.append((p.name, f"{p.name} has no e-mail address; print the letter instead."))
                continue
            if not valid_email(address):
                outcome.failed.append((p.name, f"The e-mail address {address} of {p.name} is not valid."))
                continue
            letters = pages(session, p, customer, kit, as_of)
            letter = letters[0]
            pdf = render_pdf(letters, kit.setup)
            name = attachment_name(p.level.name, reference(p, as_of))
            try:
                mailer.send(address, letter.subject, email_text(letter), [(name, pdf)])
            except MailError as exc:
                outcome.failed.append((p.name, str(exc)))
                if not exc.about_recipient:
                    server_problem = str(exc)
                continue
            try:
                outcome.sent.append(record_letter(session, p, as_of, today, who, pdf, channel="email",
                                                  emailed_to=address, emailed_at=_utcnow()))
                session.commit()
            except Exception as exc:
                session.rollback()
                raise UserError(f"The e-mail to {p.name} ({address}) was sent, but recording the letter failed: "
                                f"{exc}. Nothing after it was sent.") from exc
    if report is not None:
        report(Progress(total, total, f"{len(outcome.sent)} e-mailed, {len(outcome.failed)} not sent"))
    return outcome
