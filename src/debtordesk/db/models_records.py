"""The tables that keep a record of what came in and what changed: bank-statement lines and the
audit trail.

Import them from debtordesk.db.models (which loads this module once its base is defined).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from debtordesk.db.models import Base, utcnow

STATEMENT_LINE_STATES = ("imported", "rejected", "skipped")


class StatementLine(Base):
    """A line of a bank statement that has been dealt with: turned into a payment, rejected by the
    user, or skipped (a debit, or money that is not a customer's). `line_key` is the bank's own
    transaction id where the format has a stable one, else a hash of the line's contents and its
    place among identical lines of the file; it is unique, so no line is ever imported twice."""

    __tablename__ = "statement_line"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    line_key: Mapped[str] = mapped_column(String(100), unique=True)
    source: Mapped[str] = mapped_column(String(10))  # camt053, mt940, ofx, csv
    file_name: Mapped[str] = mapped_column(String(255), default="")
    account: Mapped[str] = mapped_column(String(34), default="")  # our account (IBAN or number)
    booked_on: Mapped[date] = mapped_column(Date)
    amount_minor: Mapped[int] = mapped_column(BigInteger)  # credits positive, debits negative
    currency: Mapped[str] = mapped_column(String(3))
    counterparty: Mapped[str] = mapped_column(String(200), default="")
    counterparty_account: Mapped[str] = mapped_column(String(34), default="")
    remittance: Mapped[str] = mapped_column(Text, default="")
    bank_reference: Mapped[str] = mapped_column(String(100), default="")
    state: Mapped[str] = mapped_column(String(10))
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payment.id", ondelete="SET NULL"), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")  # the match's reason, or why it was rejected
    decided_by: Mapped[str] = mapped_column(String(100), default="")
    decided_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (
        CheckConstraint("state IN ('imported', 'rejected', 'skipped')", name="state"),
        Index("ix_statement_line_booked_on", "booked_on"),
        Index("ix_statement_line_payment", "payment_id"),
    )


class AuditEntry(Base):
    """One change, append-only: the database refuses UPDATE and DELETE on this table (triggers made
    by migration 0010). `changes` is JSON: {field: [old, new]} for an update, {field: value} for a
    create or delete, free details for the other actions."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)  # UTC
    who: Mapped[str] = mapped_column(String(100), default="")
    action: Mapped[str] = mapped_column(String(20))  # create, update, delete, import, export, erase, restore ...
    entity: Mapped[str] = mapped_column(String(40))  # the table: customer, invoice, payment ...
    entity_id: Mapped[str] = mapped_column(String(40), default="")
    summary: Mapped[str] = mapped_column(Text, default="")  # in words: "Invoice INV-1 for Acme Ltd"
    changes: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        Index("ix_audit_log_entity", "entity", "entity_id"),
        Index("ix_audit_log_at", "at"),
    )
