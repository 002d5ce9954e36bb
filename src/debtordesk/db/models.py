"""The data model (SQLAlchemy 2.0, typed). Money is integer minor units plus a currency code.

Invoice status (open, part-paid, paid, overdue) is derived from allocations and dates, never
stored. Rows that people edit carry a version column: a lost update raises StaleDataError.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _same_as_amount(context) -> int:
    """Insert default for open/unapplied amounts: nothing is allocated yet."""
    return context.get_current_parameters()["amount_minor"]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class CompanyProfile(Base):
    """The user's own business (one row)."""

    __tablename__ = "company_profile"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    vat_number: Mapped[str] = mapped_column(String(50), default="")
    registration_number: Mapped[str] = mapped_column(String(50), default="")
    bank_name: Mapped[str] = mapped_column(String(200), default="")
    iban: Mapped[str] = mapped_column(String(34), default="")
    bic: Mapped[str] = mapped_column(String(11), default="")
    account_number: Mapped[str] = mapped_column(String(30), default="")
    sort_code: Mapped[str] = mapped_column(String(10), default="")
    base_currency: Mapped[str] = mapped_column(String(3), default="GBP")
    late_payment_regime: Mapped[str] = mapped_column(String(20), default="uk")
    logo_path: Mapped[str] = mapped_column(Text, default="")
    # annual % for the "contract" regime (a Decimal as text, "" when unused)
    contract_rate: Mapped[str] = mapped_column(String(12), default="")
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}


class Customer(Base):
    __tablename__ = "customer"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    contact_person: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    address_line1: Mapped[str] = mapped_column(String(200), default="")
    address_line2: Mapped[str] = mapped_column(String(200), default="")
    postcode: Mapped[str] = mapped_column(String(20), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    country: Mapped[str] = mapped_column(String(2), default="")
    language: Mapped[str] = mapped_column(String(10), default="en")
    kind: Mapped[str] = mapped_column(String(10), default="business")
    # "" follows the company's late-payment regime; else one of domain.interest's regimes
    late_payment_regime: Mapped[str] = mapped_column(String(20), default="")
    contract_rate: Mapped[str] = mapped_column(String(12), default="")
    credit_limit_minor: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    terms_days: Mapped[int] = mapped_column(Integer, default=30)
    on_hold: Mapped[bool] = mapped_column(Boolean, default=False)
    # early-settlement discount offered on new invoices: % (a Decimal as text, "" = none) within N days
    discount_percent: Mapped[str] = mapped_column(String(12), default="")
    discount_days: Mapped[int] = mapped_column(Integer, default=0)
    # who chases this account (a name or initials, free text; "" = nobody in particular)
    owner: Mapped[str] = mapped_column(String(100), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    invoices: Mapped[list[Invoice]] = relationship(back_populates="customer")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint("kind IN ('business', 'consumer')", name="kind"),
        CheckConstraint("terms_days >= 0", name="terms_days"),
        CheckConstraint("credit_limit_minor IS NULL OR credit_limit_minor >= 0", name="credit_limit"),
        Index("ix_customer_name", "name"),
    )


class Invoice(Base):
    __tablename__ = "invoice"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(50), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="RESTRICT"))
    issue_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    description: Mapped[str] = mapped_column(Text, default="")
    # what is left to pay today: amount minus allocations, kept by db.ledger.refresh_open
    open_minor: Mapped[int] = mapped_column(BigInteger, default=_same_as_amount)
    disputed: Mapped[bool] = mapped_column(Boolean, default=False)  # a dispute is open
    # the part of the amount that open dispute is about (kept by services.disputes)
    disputed_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    # early-settlement discount: % off (a Decimal as text, "" = none) if paid within N days of issue
    discount_percent: Mapped[str] = mapped_column(String(12), default="")
    discount_days: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    customer: Mapped[Customer] = relationship(back_populates="invoices")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint("due_date >= issue_date", name="due_after_issue"),
        CheckConstraint("open_minor >= 0 AND open_minor <= amount_minor", name="open_within_amount"),
        CheckConstraint("disputed_minor >= 0 AND disputed_minor <= amount_minor", name="disputed_within_amount"),
        CheckConstraint("discount_days >= 0", name="discount_days"),
        Index("ix_invoice_customer_due", "customer_id", "due_date"),
        Index("ix_invoice_open", "customer_id", "due_date", "currency", "open_minor",
              sqlite_where=text("open_minor > 0"), postgresql_where=text("open_minor > 0")),
        Index("ix_invoice_open_issue", "issue_date", "due_date",
              sqlite_where=text("open_minor > 0"), postgresql_where=text("open_minor > 0")),
        Index("ix_invoice_currency", "currency"),
        Index("ix_invoice_due_date", "due_date"),
        Index("ix_invoice_issue_date", "issue_date"),
    )


CREDIT_KINDS = ("payment", "credit_note", "write_off", "discount")


class Payment(Base):
    """A credit to a customer's account. Kind "payment" is money received (the part not allocated to
    invoices is the customer's unapplied credit); the other kinds reduce one invoice without money
    coming in — a credit note, a write-off, an early-settlement discount — and are always allocated
    in full to that invoice, so every "open as of a date" sum counts them like payments."""

    __tablename__ = "payment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="RESTRICT"))
    date: Mapped[date] = mapped_column(Date)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    reference: Mapped[str] = mapped_column(String(200), default="")
    method: Mapped[str] = mapped_column(String(50), default="")
    kind: Mapped[str] = mapped_column(String(12), default="payment")
    reason: Mapped[str] = mapped_column(Text, default="")  # why a credit note or write-off was made
    # the invoice the payer named, if any (rule 1 of the allocation rules)
    named_invoice_id: Mapped[int | None] = mapped_column(
        ForeignKey("invoice.id", ondelete="SET NULL"), nullable=True
    )
    # the part not allocated to any invoice (credit on account), kept by db.ledger.refresh_open
    unapplied_minor: Mapped[int] = mapped_column(BigInteger, default=_same_as_amount)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    allocations: Mapped[list[Allocation]] = relationship(
        back_populates="payment", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint("unapplied_minor >= 0 AND unapplied_minor <= amount_minor", name="unapplied_within_amount"),
        CheckConstraint("kind IN ('payment', 'credit_note', 'write_off', 'discount')", name="kind"),
        Index("ix_payment_kind_date", "kind", "date", sqlite_where=text("kind <> 'payment'"),
              postgresql_where=text("kind <> 'payment'")),
        Index("ix_payment_customer_date", "customer_id", "date"),
        Index("ix_payment_date", "date"),
        Index("ix_payment_unapplied", "customer_id", "currency",
              sqlite_where=text("unapplied_minor > 0"), postgresql_where=text("unapplied_minor > 0")),
    )


class Allocation(Base):
    """A part of a payment applied to an invoice."""

    __tablename__ = "allocation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payment.id", ondelete="CASCADE"))
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id", ondelete="RESTRICT"))
    amount_minor: Mapped[int] = mapped_column(BigInteger)

    payment: Mapped[Payment] = relationship(back_populates="allocations")

    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        UniqueConstraint("payment_id", "invoice_id"),
        Index("ix_allocation_invoice", "invoice_id"),
    )


class Activity(Base):
    """Contact with a customer: a call, e-mail, letter, visit or note (the collections log)."""

    __tablename__ = "activity"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    occurred_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(20), default="note")
    outcome: Mapped[str] = mapped_column(String(20), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    follow_up_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    follow_up_done: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (
        CheckConstraint("kind IN ('call', 'email', 'letter', 'visit', 'note')", name="kind"),
        Index("ix_activity_customer_date", "customer_id", "occurred_on"),
        Index("ix_activity_follow_up", "follow_up_on", sqlite_where=text("follow_up_on IS NOT NULL"),
              postgresql_where=text("follow_up_on IS NOT NULL")),
    )


class Setting(Base):
    """A user setting stored with the data (paper size, dunning tolerance, mail server ...)."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")


class RateEntry(Base):
    """A reference rate the user added (newer than the shipped table, or a correction of it)."""

    __tablename__ = "rate_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    table_key: Mapped[str] = mapped_column(String(20))
    effective_from: Mapped[date] = mapped_column(Date)
    rate: Mapped[str] = mapped_column(String(12))  # annual %, a Decimal as text ("-0.88", "5.25")
    note: Mapped[str] = mapped_column(String(200), default="")

    __table_args__ = (UniqueConstraint("table_key", "effective_from"),)


class DunningLevel(Base):
    """One step of the dunning policy (Reminder 1 ... letter before action)."""

    __tablename__ = "dunning_level"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    position: Mapped[int] = mapped_column(Integer, unique=True)
    key: Mapped[str] = mapped_column(String(40))  # which letter template it prints
    name: Mapped[str] = mapped_column(String(100))
    days_overdue: Mapped[int] = mapped_column(Integer)
    min_days_since_previous: Mapped[int] = mapped_column(Integer, default=0)
    fee: Mapped[str] = mapped_column(String(20), default="")  # a Decimal as text, in the letter's currency
    channel: Mapped[str] = mapped_column(String(10), default="letter")
    claims_interest: Mapped[bool] = mapped_column(Boolean, default=False)
    deadline_days: Mapped[int] = mapped_column(Integer, default=14)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint("channel IN ('letter', 'email', 'both')", name="channel"),
        CheckConstraint("days_overdue >= 0 AND min_days_since_previous >= 0 AND deadline_days >= 0",
                        name="days"),
    )


class LetterTemplate(Base):
    """The words of one kind of letter in one language (the user may edit them)."""

    __tablename__ = "letter_template"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(10))
    subject: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    closing: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (UniqueConstraint("key", "language"),)


class Letter(Base):
    """A letter sent: what it claimed and the exact PDF bytes, kept for evidence."""

    __tablename__ = "letter"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(20), default="dunning")
    level_position: Mapped[int | None] = mapped_column(Integer, nullable=True)
    level_name: Mapped[str] = mapped_column(String(100), default="")
    currency: Mapped[str] = mapped_column(String(3))
    as_of: Mapped[date] = mapped_column(Date)
    sent_on: Mapped[date] = mapped_column(Date)
    pay_by: Mapped[date | None] = mapped_column(Date, nullable=True)
    open_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    interest_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    compensation_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    fee_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    total_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    channel: Mapped[str] = mapped_column(String(10), default="letter")
    reference: Mapped[str] = mapped_column(String(50), default="")
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    emailed_to: Mapped[str] = mapped_column(String(200), default="")
    emailed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    lines: Mapped[list[LetterInvoice]] = relationship(back_populates="letter", cascade="all, delete-orphan")

    __table_args__ = (
        CheckConstraint("kind IN ('dunning', 'statement', 'plan', 'notice')", name="kind"),
        Index("ix_letter_customer_sent", "customer_id", "sent_on"),
    )


class LetterInvoice(Base):
    """An invoice a letter claimed, with the amounts as the letter stated them."""

    __tablename__ = "letter_invoice"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letter.id", ondelete="CASCADE"))
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id", ondelete="RESTRICT"))
    open_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    interest_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    compensation_minor: Mapped[int] = mapped_column(BigInteger, default=0)

    letter: Mapped[Letter] = relationship(back_populates="lines")

    __table_args__ = (
        UniqueConstraint("letter_id", "invoice_id"),
        Index("ix_letter_invoice_invoice", "invoice_id"),
    )


class PaymentPlan(Base):
    """An agreement to pay debts in instalments. The terms are kept as agreed; the instalments
    are stored as worked out on the day (statuses are derived from payments, never stored)."""

    __tablename__ = "payment_plan"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="RESTRICT"))
    currency: Mapped[str] = mapped_column(String(3))
    agreed_on: Mapped[date] = mapped_column(Date)
    first_due: Mapped[date] = mapped_column(Date)
    frequency: Mapped[str] = mapped_column(String(20))  # as domain.plans.parse_frequency reads it
    count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    instalment_minor: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)  # the debts covered
    down_payment_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    plan_fee_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    interest_kind: Mapped[str] = mapped_column(String(10), default="none")
    interest_percent: Mapped[str] = mapped_column(String(12), default="0")
    grace_days: Mapped[int] = mapped_column(Integer, default=0)
    waive_interest: Mapped[bool] = mapped_column(Boolean, default=True)
    total_minor: Mapped[int] = mapped_column(BigInteger)  # everything the instalments add up to
    # fee and interest are a debt of their own: one invoice, due at the plan's end (or on a breach)
    charges_invoice_id: Mapped[int | None] = mapped_column(
        ForeignKey("invoice.id", ondelete="RESTRICT"), nullable=True)
    cancelled_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    # the breach as recorded (once): the day it happened, the instalment missed, where dunning resumes
    breached_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    breach_instalment: Mapped[int | None] = mapped_column(Integer, nullable=True)
    resume_position: Mapped[int | None] = mapped_column(Integer, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    instalments: Mapped[list[PlanInstalment]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanInstalment.number")
    invoices: Mapped[list[PlanInvoice]] = relationship(back_populates="plan", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint("interest_kind IN ('none', 'flat', 'annual')", name="interest_kind"),
        CheckConstraint("amount_minor > 0 AND total_minor >= amount_minor", name="amounts"),
        CheckConstraint("grace_days >= 0", name="grace_days"),
        Index("ix_payment_plan_customer", "customer_id", "currency"),
    )


class PlanInstalment(Base):
    __tablename__ = "plan_instalment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("payment_plan.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)  # 0 is the down payment
    due_date: Mapped[date] = mapped_column(Date)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    principal_minor: Mapped[int] = mapped_column(BigInteger)
    interest_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    fee_minor: Mapped[int] = mapped_column(BigInteger, default=0)

    plan: Mapped[PaymentPlan] = relationship(back_populates="instalments")

    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        UniqueConstraint("plan_id", "number"),
        Index("ix_plan_instalment_due", "due_date"),
    )


class PlanInvoice(Base):
    """An invoice a plan covers, with what was left to pay on it when the plan was agreed."""

    __tablename__ = "plan_invoice"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("payment_plan.id", ondelete="CASCADE"))
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id", ondelete="RESTRICT"))
    covered_minor: Mapped[int] = mapped_column(BigInteger)

    plan: Mapped[PaymentPlan] = relationship(back_populates="invoices")

    __table_args__ = (
        CheckConstraint("covered_minor > 0", name="covered_positive"),
        UniqueConstraint("plan_id", "invoice_id"),
        Index("ix_plan_invoice_invoice", "invoice_id"),
    )


# the collections tables live in their own module (import them from here)
from debtordesk.db.models_collections import (  # noqa: E402, F401
    Dispute,
    Factor,
    FactorAssignment,
    Handover,
    HandoverInvoice,
    Promise,
    Settlement,
    SettlementInvoice,
)
from debtordesk.db.models_records import AuditEntry, StatementLine  # noqa: E402, F401
