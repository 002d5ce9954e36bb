"""payment plans: the agreement, its instalments and the invoices it covers

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 21:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "payment_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("agreed_on", sa.Date(), nullable=False),
        sa.Column("first_due", sa.Date(), nullable=False),
        sa.Column("frequency", sa.String(length=20), nullable=False),
        sa.Column("count", sa.Integer(), nullable=True),
        sa.Column("instalment_minor", sa.BigInteger(), nullable=True),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("down_payment_minor", sa.BigInteger(), nullable=False),
        sa.Column("plan_fee_minor", sa.BigInteger(), nullable=False),
        sa.Column("interest_kind", sa.String(length=10), nullable=False),
        sa.Column("interest_percent", sa.String(length=12), nullable=False),
        sa.Column("grace_days", sa.Integer(), nullable=False),
        sa.Column("waive_interest", sa.Boolean(), nullable=False),
        sa.Column("total_minor", sa.BigInteger(), nullable=False),
        sa.Column("charges_invoice_id", sa.Integer(), nullable=True),
        sa.Column("cancelled_on", sa.Date(), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=False),
        sa.Column("breached_on", sa.Date(), nullable=True),
        sa.Column("breach_instalment", sa.Integer(), nullable=True),
        sa.Column("resume_position", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("interest_kind IN ('none', 'flat', 'annual')",
                           name=op.f("ck_payment_plan_interest_kind")),
        sa.CheckConstraint("amount_minor > 0 AND total_minor >= amount_minor", name=op.f("ck_payment_plan_amounts")),
        sa.CheckConstraint("grace_days >= 0", name=op.f("ck_payment_plan_grace_days")),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], name=op.f("fk_payment_plan_customer_id_customer"),
                                ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["charges_invoice_id"], ["invoice.id"],
                                name=op.f("fk_payment_plan_charges_invoice_id_invoice"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_plan")),
        sa.UniqueConstraint("reference", name=op.f("uq_payment_plan_reference")),
    )
    op.create_index("ix_payment_plan_customer", "payment_plan", ["customer_id", "currency"])
    op.create_table(
        "plan_instalment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("principal_minor", sa.BigInteger(), nullable=False),
        sa.Column("interest_minor", sa.BigInteger(), nullable=False),
        sa.Column("fee_minor", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_plan_instalment_amount_positive")),
        sa.ForeignKeyConstraint(["plan_id"], ["payment_plan.id"], name=op.f("fk_plan_instalment_plan_id_payment_plan"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_instalment")),
        sa.UniqueConstraint("plan_id", "number", name=op.f("uq_plan_instalment_plan_id_number")),
    )
    op.create_index("ix_plan_instalment_due", "plan_instalment", ["due_date"])
    op.create_table(
        "plan_invoice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("covered_minor", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("covered_minor > 0", name=op.f("ck_plan_invoice_covered_positive")),
        sa.ForeignKeyConstraint(["plan_id"], ["payment_plan.id"], name=op.f("fk_plan_invoice_plan_id_payment_plan"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoice.id"], name=op.f("fk_plan_invoice_invoice_id_invoice"),
                                ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_invoice")),
        sa.UniqueConstraint("plan_id", "invoice_id", name=op.f("uq_plan_invoice_plan_id_invoice_id")),
    )
    op.create_index("ix_plan_invoice_invoice", "plan_invoice", ["invoice_id"])


def downgrade() -> None:
    op.drop_index("ix_plan_invoice_invoice", table_name="plan_invoice")
    op.drop_table("plan_invoice")
    op.drop_index("ix_plan_instalment_due", table_name="plan_instalment")
    op.drop_table("plan_instalment")
    op.drop_index("ix_payment_plan_customer", table_name="payment_plan")
    op.drop_table("payment_plan")
