"""hand-over to a collection agency or a solicitor: who, when, their reference, the commission,
and the invoices covered with what was open on them that day

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "handover",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("agent_kind", sa.String(length=10), nullable=False),
        sa.Column("agent_name", sa.String(length=200), nullable=False),
        sa.Column("handed_on", sa.Date(), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("commission_percent", sa.String(length=12), nullable=False),
        sa.Column("whole_account", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recalled_on", sa.Date(), nullable=True),
        sa.Column("recall_note", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("agent_kind IN ('agency', 'solicitor')", name=op.f("ck_handover_agent_kind")),
        sa.CheckConstraint("recalled_on IS NULL OR recalled_on >= handed_on",
                           name=op.f("ck_handover_recalled_after_handed")),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], name=op.f("fk_handover_customer_id_customer"),
                                ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handover")),
    )
    op.create_index("ix_handover_customer", "handover", ["customer_id", "currency"])
    op.create_table(
        "handover_invoice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handover_id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("open_minor", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("open_minor > 0", name=op.f("ck_handover_invoice_open_positive")),
        sa.ForeignKeyConstraint(["handover_id"], ["handover.id"], name=op.f("fk_handover_invoice_handover_id_handover"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoice.id"], name=op.f("fk_handover_invoice_invoice_id_invoice"),
                                ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handover_invoice")),
        sa.UniqueConstraint("handover_id", "invoice_id", name=op.f("uq_handover_invoice_handover_id_invoice_id")),
    )
    op.create_index("ix_handover_invoice_invoice", "handover_invoice", ["invoice_id"])


def downgrade() -> None:
    op.drop_index("ix_handover_invoice_invoice", table_name="handover_invoice")
    op.drop_table("handover_invoice")
    op.drop_index("ix_handover_customer", table_name="handover")
    op.drop_table("handover")
