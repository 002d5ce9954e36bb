"""collections work: promises to pay, follow-ups ticked off, an account owner per customer

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 22:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("customer") as batch:
        batch.add_column(sa.Column("owner", sa.String(length=100), nullable=False, server_default=""))
    with op.batch_alter_table("customer") as batch:
        batch.alter_column("owner", server_default=None)
    with op.batch_alter_table("activity") as batch:
        batch.add_column(sa.Column("follow_up_done", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("activity") as batch:
        batch.alter_column("follow_up_done", server_default=None)
    op.create_index("ix_activity_follow_up", "activity", ["follow_up_on"],
                    sqlite_where=sa.text("follow_up_on IS NOT NULL"),
                    postgresql_where=sa.text("follow_up_on IS NOT NULL"))
    op.create_table(
        "promise",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("promised_on", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("grace_days", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("cancelled_on", sa.Date(), nullable=True),
        sa.Column("broken_on", sa.Date(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_promise_amount_positive")),
        sa.CheckConstraint("due_date >= promised_on", name=op.f("ck_promise_due_after_promise")),
        sa.CheckConstraint("grace_days >= 0", name=op.f("ck_promise_grace_days")),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], name=op.f("fk_promise_customer_id_customer"),
                                ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_promise")),
    )
    op.create_index("ix_promise_customer", "promise", ["customer_id", "currency", "due_date"])
    op.create_index("ix_promise_due", "promise", ["due_date"])


def downgrade() -> None:
    op.drop_index("ix_promise_due", table_name="promise")
    op.drop_index("ix_promise_customer", table_name="promise")
    op.drop_table("promise")
    op.drop_index("ix_activity_follow_up", table_name="activity")
    with op.batch_alter_table("activity") as batch:
        batch.drop_column("follow_up_done")
    with op.batch_alter_table("customer") as batch:
        batch.drop_column("owner")
