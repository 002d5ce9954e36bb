"""dunning policy, letter templates, letters sent, reference rates, settings

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 20:00:00

Customers may override the company's late-payment regime (and carry a contract rate). The dunning
policy and the words of each letter live in the database so the user can edit them; every letter
sent keeps its PDF bytes and the invoices it claimed. Reference rates newer than the shipped tables
are stored by the user in rate_entry; small settings in a key/value table.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _add_text_columns(table: str, columns: list[tuple[str, int]]) -> None:
    with op.batch_alter_table(table) as batch:
        for name, length in columns:
            batch.add_column(sa.Column(name, sa.String(length=length), nullable=False, server_default=""))
    with op.batch_alter_table(table) as batch:
        for name, _ in columns:
            batch.alter_column(name, server_default=None)


def upgrade() -> None:
    _add_text_columns("customer", [("late_payment_regime", 20), ("contract_rate", 12)])
    _add_text_columns("company_profile", [("contract_rate", 12)])

    op.create_table(
        "setting",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_setting")),
    )
    op.create_table(
        "rate_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("table_key", sa.String(length=20), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("rate", sa.String(length=12), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rate_entry")),
        sa.UniqueConstraint("table_key", "effective_from", name=op.f("uq_rate_entry_table_key_effective_from")),
    )
    op.create_table(
        "dunning_level",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("days_overdue", sa.Integer(), nullable=False),
        sa.Column("min_days_since_previous", sa.Integer(), nullable=False),
        sa.Column("fee", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("claims_interest", sa.Boolean(), nullable=False),
        sa.Column("deadline_days", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("channel IN ('letter', 'email', 'both')", name=op.f("ck_dunning_level_channel")),
        sa.CheckConstraint("days_overdue >= 0 AND min_days_since_previous >= 0 AND deadline_days >= 0",
                           name=op.f("ck_dunning_level_days")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dunning_level")),
        sa.UniqueConstraint("position", name=op.f("uq_dunning_level_position")),
    )
    op.create_table(
        "letter_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("closing", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letter_template")),
        sa.UniqueConstraint("key", "language", name=op.f("uq_letter_template_key_language")),
    )
    op.create_table(
        "letter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("level_position", sa.Integer(), nullable=True),
        sa.Column("level_name", sa.String(length=100), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("pay_by", sa.Date(), nullable=True),
        sa.Column("open_minor", sa.BigInteger(), nullable=False),
        sa.Column("interest_minor", sa.BigInteger(), nullable=False),
        sa.Column("compensation_minor", sa.BigInteger(), nullable=False),
        sa.Column("fee_minor", sa.BigInteger(), nullable=False),
        sa.Column("total_minor", sa.BigInteger(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("reference", sa.String(length=50), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("emailed_to", sa.String(length=200), nullable=False),
        sa.Column("emailed_at", sa.DateTime(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('dunning', 'statement', 'plan')", name=op.f("ck_letter_kind")),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], name=op.f("fk_letter_customer_id_customer"),
                                ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letter")),
    )
    op.create_index("ix_letter_customer_sent", "letter", ["customer_id", "sent_on"])
    op.create_table(
        "letter_invoice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("letter_id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("open_minor", sa.BigInteger(), nullable=False),
        sa.Column("interest_minor", sa.BigInteger(), nullable=False),
        sa.Column("compensation_minor", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["letter_id"], ["letter.id"], name=op.f("fk_letter_invoice_letter_id_letter"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoice.id"], name=op.f("fk_letter_invoice_invoice_id_invoice"),
                                ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letter_invoice")),
        sa.UniqueConstraint("letter_id", "invoice_id", name=op.f("uq_letter_invoice_letter_id_invoice_id")),
    )
    op.create_index("ix_letter_invoice_invoice", "letter_invoice", ["invoice_id"])


def downgrade() -> None:
    op.drop_index("ix_letter_invoice_invoice", table_name="letter_invoice")
    op.drop_table("letter_invoice")
    op.drop_index("ix_letter_customer_sent", table_name="letter")
    op.drop_table("letter")
    op.drop_table("letter_template")
    op.drop_table("dunning_level")
    op.drop_table("rate_entry")
    op.drop_table("setting")
    with op.batch_alter_table("company_profile") as batch:
        batch.drop_column("contract_rate")
    with op.batch_alter_table("customer") as batch:
        batch.drop_column("contract_rate")
        batch.drop_column("late_payment_regime")
