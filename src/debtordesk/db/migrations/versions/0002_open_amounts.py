"""open amounts kept on invoices and payments; activity log

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 09:10:00

Lists of customers and invoices sort and filter by what is still owed. Summing every allocation
for that on each page does not scale to a million invoices, so each invoice keeps its open amount
and each payment its unapplied part, computed here once from the allocations and afterwards kept
in the same transaction as every change to them (db.ledger.refresh_open).
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

OPEN = sa.text("open_minor > 0")
UNAPPLIED = sa.text("unapplied_minor > 0")


def upgrade() -> None:
    with op.batch_alter_table("invoice") as batch:
        batch.add_column(sa.Column("open_minor", sa.BigInteger(), nullable=False, server_default="0"))
    op.execute(
        "UPDATE invoice SET open_minor = amount_minor - COALESCE("
        "(SELECT SUM(a.amount_minor) FROM allocation a WHERE a.invoice_id = invoice.id), 0)"
    )
    with op.batch_alter_table("invoice") as batch:
        batch.alter_column("open_minor", server_default=None)
        batch.create_check_constraint(
            "open_within_amount", "open_minor >= 0 AND open_minor <= amount_minor"
        )
        batch.create_index("ix_invoice_open", ["customer_id", "currency", "due_date"],
                           sqlite_where=OPEN, postgresql_where=OPEN)
        batch.create_index("ix_invoice_currency", ["currency"])

    with op.batch_alter_table("payment") as batch:
        batch.add_column(sa.Column("unapplied_minor", sa.BigInteger(), nullable=False, server_default="0"))
    op.execute(
        "UPDATE payment SET unapplied_minor = amount_minor - COALESCE("
        "(SELECT SUM(a.amount_minor) FROM allocation a WHERE a.payment_id = payment.id), 0)"
    )
    with op.batch_alter_table("payment") as batch:
        batch.alter_column("unapplied_minor", server_default=None)
        batch.create_check_constraint(
            "unapplied_within_amount", "unapplied_minor >= 0 AND unapplied_minor <= amount_minor"
        )
        batch.create_index("ix_payment_unapplied", ["customer_id", "currency"],
                           sqlite_where=UNAPPLIED, postgresql_where=UNAPPLIED)

    op.create_table(
        "activity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("follow_up_on", sa.Date(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('call', 'email', 'letter', 'visit', 'note')",
                           name=op.f("ck_activity_kind")),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"],
                                name=op.f("fk_activity_customer_id_customer"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity")),
    )
    op.create_index("ix_activity_customer_date", "activity", ["customer_id", "occurred_on"])


def downgrade() -> None:
    op.drop_index("ix_activity_customer_date", table_name="activity")
    op.drop_table("activity")
    with op.batch_alter_table("payment") as batch:
        batch.drop_index("ix_payment_unapplied")
        batch.drop_constraint("ck_payment_unapplied_within_amount", type_="check")
        batch.drop_column("unapplied_minor")
    with op.batch_alter_table("invoice") as batch:
        batch.drop_index("ix_invoice_currency")
        batch.drop_index("ix_invoice_open")
        batch.drop_constraint("ck_invoice_open_within_amount", type_="check")
        batch.drop_column("open_minor")
