"""The tables of collections work: promises, hand-overs, disputes and settlement offers.

Import them from debtordesk.db.models (which loads this module once its base is defined).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from debtordesk.db.models import Base, utcnow


class Promise(Base):
    """A promise to pay an amount by a date. Whether it was kept is derived from the payments
    received; a broken promise is recorded once (the day and what had come in)."""

    __tablename__ = "promise"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="RESTRICT"))
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    promised_on: Mapped[date] = mapped_column(Date)  # the day the promise was made
    due_date: Mapped[date] = mapped_column(Date)  # the day the money is promised for
    grace_days: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    cancelled_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    broken_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # recorded once
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint("due_date >= promised_on", name="due_after_promise"),
        CheckConstraint("grace_days >= 0", name="grace_days"),
        Index("ix_promise_customer", "customer_id", "currency", "due_date"),
        Index("ix_promise_due", "due_date"),
    )


class Handover(Base):
    """A debt handed to a collection agency or a solicitor: to whom, when, their reference and the
    agency's commission. Reminders stop for the invoices it covers until it is recalled."""

    __tablename__ = "handover"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="RESTRICT"))
    currency: Mapped[str] = mapped_column(String(3))
    agent_kind: Mapped[str] = mapped_column(String(10))  # agency | solicitor
    agent_name: Mapped[str] = mapped_column(String(200))
    handed_on: Mapped[date] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(100), default="")  # theirs
    # % of what is collected that the agency keeps (a Decimal as text, "" when none was agreed)
    commission_percent: Mapped[str] = mapped_column(String(12), default="")
    whole_account: Mapped[bool] = mapped_column(Boolean, default=True)  # every open invoice of the currency
    note: Mapped[str] = mapped_column(Text, default="")
    recalled_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    recall_note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    invoices: Mapped[list[HandoverInvoice]] = relationship(back_populates="handover", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint("agent_kind IN ('agency', 'solicitor')", name="agent_kind"),
        CheckConstraint("recalled_on IS NULL OR recalled_on >= handed_on", name="recalled_after_handed"),
        Index("ix_handover_customer", "customer_id", "currency"),
    )


class HandoverInvoice(Base):
    """An invoice a hand-over covers, with what was left to pay on it on the day it was handed over."""

    __tablename__ = "handover_invoice"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    handover_id: Mapped[int] = mapped_column(ForeignKey("handover.id", ondelete="CASCADE"))
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id", ondelete="RESTRICT"))
    open_minor: Mapped[int] = mapped_column(BigInteger)

    handover: Mapped[Handover] = relationship(back_populates="invoices")

    __table_args__ = (
        CheckConstraint("open_minor > 0", name="open_positive"),
        UniqueConstraint("handover_id", "invoice_id"),
        Index("ix_handover_invoice_invoice", "invoice_id"),
    )


class Dispute(Base):
    """A customer disputes an invoice, or part of its amount. While open, the disputed part is left
    out of reminders and interest; it is resolved by a credit note, by withdrawal, or by a split
    (part credited, the rest due again). Resolved disputes stay as the history."""

    __tablename__ = "dispute"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id", ondelete="RESTRICT"))
    amount_minor: Mapped[int] = mapped_column(BigInteger)  # the part disputed
    reason: Mapped[str] = mapped_column(Text, default="")
    opened_on: Mapped[date] = mapped_column(Date)
    resolved_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    resolution: Mapped[str] = mapped_column(String(12), default="")  # credit_note | withdrawn | split
    credited_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    credit_id: Mapped[int | None] = mapped_column(ForeignKey("payment.id", ondelete="SET NULL"), nullable=True)
    resolution_note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint("credited_minor >= 0 AND credited_minor <= amount_minor", name="credited"),
        CheckConstraint("resolution IN ('', 'credit_note', 'withdrawn', 'split')", name="resolution"),
        CheckConstraint("resolved_on IS NULL OR resolved_on >= opened_on", name="resolved_after_opened"),
        Index("ix_dispute_invoice", "invoice_id"),
    )


class Settlement(Base):
    """An offer to settle an account for less than is owed. Accepted, it pauses reminders until its
    deadline; once the agreed amount has come in, the rest of the invoices it covers is written off."""

    __tablename__ = "settlement"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="RESTRICT"))
    currency: Mapped[str] = mapped_column(String(3))
    offered_on: Mapped[date] = mapped_column(Date)
    amount_minor: Mapped[int] = mapped_column(BigInteger)  # what the customer offers to pay
    balance_minor: Mapped[int] = mapped_column(BigInteger)  # what was owed on the invoices covered
    deadline: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="offered")
    decided_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")  # for the write-off of the rest
    note: Mapped[str] = mapped_column(Text, default="")
    completed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    written_off_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    invoices: Mapped[list[SettlementInvoice]] = relationship(back_populates="settlement",
                                                              cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint("amount_minor > 0 AND amount_minor < balance_minor", name="amounts"),
        CheckConstraint("deadline >= offered_on", name="deadline_after_offer"),
        CheckConstraint("status IN ('offered', 'accepted', 'rejected', 'completed')", name="status"),
        Index("ix_settlement_customer", "customer_id", "currency"),
    )


class SettlementInvoice(Base):
    """An invoice a settlement covers, with what was left to pay on it when it was offered."""

    __tablename__ = "settlement_invoice"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    settlement_id: Mapped[int] = mapped_column(ForeignKey("settlement.id", ondelete="CASCADE"))
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id", ondelete="RESTRICT"))
    open_minor: Mapped[int] = mapped_column(BigInteger)

    settlement: Mapped[Settlement] = relationship(back_populates="invoices")

    __table_args__ = (
        CheckConstraint("open_minor > 0", name="open_positive"),
        UniqueConstraint("settlement_id", "invoice_id"),
        Index("ix_settlement_invoice_invoice", "invoice_id"),
    )


class Factor(Base):
    """A factoring company invoices are sold (assigned) to: customers must then pay it, not us."""

    __tablename__ = "factor"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    bank_name: Mapped[str] = mapped_column(String(200), default="")
    iban: Mapped[str] = mapped_column(String(34), default="")
    bic: Mapped[str] = mapped_column(String(11), default="")
    account_number: Mapped[str] = mapped_column(String(30), default="")
    sort_code: Mapped[str] = mapped_column(String(10), default="")
    chases: Mapped[bool] = mapped_column(Boolean, default=False)  # the factor, not us, sends the reminders
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}


class FactorAssignment(Base):
    """Invoices assigned to a factor from a date: one invoice, or (no invoice) every invoice of the
    customer. Ended when the debts are assigned back."""

    __tablename__ = "factor_assignment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    factor_id: Mapped[int] = mapped_column(ForeignKey("factor.id", ondelete="RESTRICT"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="RESTRICT"))
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoice.id", ondelete="RESTRICT"), nullable=True)
    assigned_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (
        CheckConstraint("ended_on IS NULL OR ended_on >= assigned_on", name="ended_after_assigned"),
        Index("ix_factor_assignment_customer", "customer_id"),
        Index("ix_factor_assignment_invoice", "invoice_id"),
    )
