"""factoring: factors, invoices or whole customers assigned to them, and the notice of assignment
as a letter of its own kind

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 14:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def _letter_kinds(kinds: str) -> None:
    with op.batch_alter_table("letter") as batch:
        batch.drop_constraint(op.f("ck_letter_kind"), type_="check")
        batch.create_check_constraint("kind", f"kind IN ({kinds})")


def upgrade() -> None:
    op.create_table(
        "factor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=50), nullable=False),
        sa.Column("bank_name", sa.String(length=200), nullable=False),
        sa.Column("iban", sa.String(length=34), nullable=False),
        sa.Column("bic", sa.String(length=11), nullable=False),
        sa.Column("account_number", sa.String(length=30), nullable=False),
        sa.Column("sort_code", sa.String(length=10), nullable=False),
        sa.Column("chases", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_factor")),
    )
    op.create_table(
        "factor_assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("factor_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=True),
        sa.Column("assigned_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("ended_on IS NULL OR ended_on >= assigned_on",
                           name=op.f("ck_factor_assignment_ended_after_assigned")),
        sa.ForeignKeyConstraint(["factor_id"], ["factor.id"], name=op.f("fk_factor_assignment_factor_id_factor"),
                                ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"],
                                name=op.f("fk_factor_assignment_customer_id_customer"), ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoice.id"], name=op.f("fk_factor_assignment_invoice_id_invoice"),
                                ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_factor_assignment")),
    )
    op.create_index("ix_factor_assignment_customer", "factor_assignment", ["customer_id"])
    op.create_index("ix_factor_assignment_invoice", "factor_assignment", ["invoice_id"])
    _letter_kinds("'dunning', 'statement', 'plan', 'notice'")


def downgrade() -> None:
    op.execute("DELETE FROM letter WHERE kind = 'notice'")
    _letter_kinds("'dunning', 'statement', 'plan'")
    op.drop_index("ix_factor_assignment_invoice", table_name="factor_assignment")
    op.drop_index("ix_factor_assignment_customer", table_name="factor_assignment")
    op.drop_table("factor_assignment")
    op.drop_table("factor")
