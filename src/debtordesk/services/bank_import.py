"""Recording a reviewed bank statement: each accepted credit becomes a payment through the normal
allocation rules (services.payments.record_payment), and every decided line is kept in
statement_line — imported with its payment, rejected, or skipped — so it is never offered again.

One call is one transaction (the caller commits): all of it is written or none of it. Lines left
undecided are not recorded and come back the next time the file is read. A line someone else has
recorded in the meantime is left alone (counted as already dealt with), never paid twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from debtordesk.config import current_user
from debtordesk.db.models import StatementLine, utcnow
from debtordesk.domain.bank import BankLine, BankStatement
from debtordesk.domain.problems import UserError
from debtordesk.services.bank_matching import dealt_with
from debtordesk.services.payments import PaymentError, record_payment

ACCEPT, REJECT, SKIP = "accept", "reject", "skip"
METHOD = "bank transfer"


@dataclass(frozen=True)
class Decision:
    line_key: str
    action: str  # ACCEPT, REJECT or SKIP
    customer_id: int | None = None
    invoice_id: int | None = None  # None: the payment is allocated oldest first
    note: str = ""  # the match's reason, or why it was rejected


@dataclass
class ImportSummary:
    payments: int = 0
    received: dict[str, int] = field(default_factory=dict)  # currency -> minor units recorded
    rejected: int = 0
    skipped: int = 0
    already: int = 0  # recorded by someone else since the file was read
    payment_ids: list[int] = field(default_factory=list)


def payment_reference(line: BankLine) -> str:
    """What the payment's reference says: the payer's text and the bank's reference."""
    parts = [p for p in (line.remittance, line.bank_reference) if p]
    return " / ".join(parts)[:200] or line.counterparty[:200]


def record_statement(session: Session, statement: BankStatement, decisions: Sequence[Decision],
                     who: str | None = None) -> ImportSummary:
    """Carry out `decisions` (one per line decided; the others are left for next time)."""
    by_key = {line.line_key: line for line in statement.lines}
    unknown = [d.line_key for d in decisions if d.line_key not in by_key]
    if unknown:
        raise UserError(f"{len(unknown)} decided line(s) are not in {statement.file_name}")
    if len({d.line_key for d in decisions}) != len(decisions):
        raise UserError("a line of the statement was decided twice")
    who = current_user() if who is None else who
    done = dealt_with(session, [d.line_key for d in decisions])
    summary = ImportSummary()
    now = utcnow()
    for d in decisions:
        line = by_key[d.line_key]
        if d.line_key in done:
            summary.already += 1
            continue
        row = StatementLine(line_key=line.line_key, source=statement.source, file_name=statement.file_name[:255],
                            account=line.account[:34], booked_on=line.booked_on, amount_minor=line.amount_minor,
                            currency=line.currency, counterparty=line.counterparty[:200],
                            counterparty_account=line.counterparty_account[:34], remittance=line.remittance,
                            bank_reference=line.bank_reference[:100], note=d.note, decided_by=who[:100],
                            decided_at=now)
        if d.action == ACCEPT:
            if not line.is_credit:
                raise UserError(f"Line {line.position} is money paid out; only money in can be a payment.")
            if d.customer_id is None:
                raise UserError(f"Line {line.position} ({line.counterparty or 'no payer'}) has no customer: "
                                "choose one, or reject the line.")
            try:
                payment = record_payment(session, d.customer_id, line.booked_on, line.amount_minor, line.currency,
                                         invoice_id=d.invoice_id, reference=payment_reference(line), method=METHOD)
            except PaymentError as exc:
                raise UserError(f"Line {line.position} ({line.counterparty or 'no payer'}): {exc}.") from None
            row.state, row.payment_id = "imported", payment.id
            summary.payments += 1
            summary.payment_ids.append(payment.id)
            summary.received[line.currency] = summary.received.get(line.currency, 0) + line.amount_minor
        elif d.action == REJECT:
            row.state = "rejected"
            summary.rejected += 1
        elif d.action == SKIP:
            row.state = "skipped"
            summary.skipped += 1
        else:
            raise ValueError(f"unknown decision {d.action!r}")
        session.add(row)
    session.flush()
    return summary
