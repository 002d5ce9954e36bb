"""ledger credits that are not money (credit notes, write-offs, early-settlement discounts), part
disputes with their history, settlement offers, early-settlement discount terms

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 12:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

NOT_CASH = sa.text("kind <> 'payment'")


def _discount_columns(batch) -> None:
    batch.add_column(sa.Column("discount_percent", sa.String(length=12), nullable=False, server_default=""))
    batch.add_column(sa.Column("discount_days", sa.Integer(), nullable=False, server_default="0"))


def upgrade() -> None:
    with op.batch_alter_table("payment") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=12), nullable=False, server_default="payment"))
        batch.add_column(sa.Column("reason", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("payment") as batch:
        batch.alter_column("kind", server_default=None)
        batch.alter_column("reason", server_default=None)
        batch.create_check_constraint("kind", "kind IN ('payment', 'credit_note', 'write_off', 'discount')")
        batch.create_index("ix_payment_kind_date", ["kind", "date"], sqlite_where=NOT_CASH,
                           postgresql_where=NOT_CASH)
    with op.batch_alter_table("customer") as batch:
        _discount_columns(batch)
    with op.batch_alter_table("customer") as batch:
        batch.alter_column("discount_percent", server_default=None)
        batch.alter_column("discount_days", server_default=None)
    with op.batch_alter_table("invoice") as batch:
        batch.add_column(sa.Column("disputed_minor", sa.BigInteger(), nullable=False, server_default="0"))
        _discount_columns(batch)
    # a dispute marked before part disputes existed is about the whole invoice
    op.execute("UPDATE invoice SET disputed_minor = amount_minor WHERE disputed")
    with op.batch_alter_table("invoice") as batch:
        for name in ("disputed_minor", "discount_percent", "discount_days"):
            batch.alter_column(name, server_default=None)
        batch.create_check_constraint("disputed_within_amount",
                                      "disputed_minor >= 0 AND disputed_minor <= amount_minor")
        batch.create_check_constraint("discount_days", "discount_days >= 0")
    op.create_table(
        "dispute",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("resolved_on", sa.Date(), nullable=True),
        sa.Column("resolution", sa.String(length=12), nullable=False),
        sa.Column("credited_minor", sa.BigInteger(), nullable=False),
        sa.Column("credit_id", sa.Integer(), nullable=True),
        sa.Column("resolution_note", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_dispute_amount_positive")),
        sa.CheckConstraint("credited_minor >= 0 AND credited_minor <= amount_minor", name=op.f("ck_dispute_credited")),
        sa.CheckConstraint("resolution IN ('', 'credit_note', 'withdrawn', 'split')",
                           name=op.f("ck_dispute_resolution")),
        sa.CheckConstraint("resolved_on IS NULL OR resolved_on >= opened_on",
                           name=op.f("ck_dispute_resolved_after_opened")),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoice.id"], name=op.f("fk_dispute_invoice_id_invoice"),
                                ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["credit_id"], ["payment.id"], name=op.f("fk_dispute_credit_id_payment"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispute")),
    )
    op.create_index("ix_dispute_invoice", "dispute", ["invoice_id"])
    op.execute(
        "INSERT INTO dispute (invoice_id, amount_minor, reason, opened_on, resolution, credited_minor,"
        " resolution_note, created_by, created_at, version)"
        " SELECT id, amount_minor, '', issue_date, '', 0, '', '', created_at, 1 FROM invoice WHERE disputed")
    op.create_table(
        "settlement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("offered_on", sa.Date(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("balance_minor", sa.BigInteger(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("written_off_minor", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("amount_minor > 0 AND amount_minor < balance_minor", name=op.f("ck_settlement_amounts")),
        sa.CheckConstraint("deadline >= offered_on", name=op.f("ck_settlement_deadline_after_offer")),
        sa.CheckConstraint("status IN ('offered', 'accepted', 'rejected', 'completed')",
                           name=op.f("ck_settlement_status")),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], name=op.f("fk_settlement_customer_id_customer"),
                                ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_settlement")),
    )
    op.create_index("ix_settlement_customer", "settlement", ["customer_id", "currency"])
    op.create_table(
        "settlement_invoice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("settlement_id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("open_minor", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("open_minor > 0", name=op.f("ck_settlement_invoice_open_positive")),
        sa.ForeignKeyConstraint(["settlement_id"], ["settlement.id"],
                                name=op.f("fk_settlement_invoice_settlement_id_settlement"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoice.id"],
                                name=op.f("fk_settlement_invoice_invoice_id_invoice"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_settlement_invoice")),
        sa.UniqueConstraint("settlement_id", "invoice_id",
                            name=op.f("uq_settlement_invoice_settlement_id_invoice_id")),
    )
    op.create_index("ix_settlement_invoice_invoice", "settlement_invoice", ["invoice_id"])


def downgrade() -> None:
    op.drop_index("ix_settlement_invoice_invoice", table_name="settlement_invoice")
    op.drop_table("settlement_invoice")
    op.drop_index("ix_settlement_customer", table_name="settlement")
    op.drop_table("settlement")
    op.drop_index("ix_dispute_invoice", table_name="dispute")
    op.drop_table("dispute")
    with op.batch_alter_table("invoice") as batch:
        batch.drop_constraint(op.f("ck_invoice_discount_days"), type_="check")
        batch.drop_constraint(op.f("ck_invoice_disputed_within_amount"), type_="check")
        for name in ("discount_days", "discount_percent", "disputed_minor"):
            batch.drop_column(name)
    with op.batch_alter_table("customer") as batch:
        batch.drop_column("discount_days")
        batch.drop_column("discount_percent")
    with op.batch_alter_table("payment") as batch:
        batch.drop_index("ix_payment_kind_date")
        batch.drop_constraint(op.f("ck_payment_kind"), type_="check")
        batch.drop_column("reason")
        batch.drop_column("kind")
