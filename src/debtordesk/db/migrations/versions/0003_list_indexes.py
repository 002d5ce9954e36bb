"""indexes for the lists on large ledgers

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 18:00:00

The open-items index now holds the due date second and the open amount, so customer balances are
summed from the index alone and "has an overdue invoice" is one range in it (also without
ANALYZE statistics, where the planner otherwise prefers ix_invoice_customer_due and reads the
rows). Open invoices get an index in issue-date order carrying the due date, so the open and
overdue invoice lists and their counts read only open rows.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

OPEN = sa.text("open_minor > 0")


def upgrade() -> None:
    op.drop_index("ix_invoice_open", table_name="invoice")
    op.create_index("ix_invoice_open", "invoice", ["customer_id", "due_date", "currency", "open_minor"],
                    sqlite_where=OPEN, postgresql_where=OPEN)
    op.create_index("ix_invoice_open_issue", "invoice", ["issue_date", "due_date"],
                    sqlite_where=OPEN, postgresql_where=OPEN)


def downgrade() -> None:
    op.drop_index("ix_invoice_open_issue", table_name="invoice")
    op.drop_index("ix_invoice_open", table_name="invoice")
    op.create_index("ix_invoice_open", "invoice", ["customer_id", "currency", "due_date"],
                    sqlite_where=OPEN, postgresql_where=OPEN)
