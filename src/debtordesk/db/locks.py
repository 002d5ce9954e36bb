"""Row locks that keep two people from changing the same money at once on a shared database.

Every allocation (a payment recorded or re-allocated, credit applied, an invoice reduced) and every
letter recorded as sent, and every edit of a customer or an invoice, concerns one customer's records.
The change first locks that customer's row: a second bookkeeper's change for the same customer waits
until the first one's transaction ends, then reads what it left (and refuses if its user worked from
an older state). PostgreSQL: `SELECT … FOR UPDATE`, in id order so two users never deadlock. SQLite
has one writer at a time: an update that changes nothing starts the write at once, so the reads that
follow are the latest and nobody can write in between.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from debtordesk.db.models import Customer

_CHUNK = 500


def lock_customers(session: Session, customer_ids: Iterable[int]) -> None:
    """Lock these customers' rows until the end of the transaction (PostgreSQL)."""
    ids = sorted(set(customer_ids))
    sqlite = session.get_bind().dialect.name == "sqlite"
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        if sqlite:
            session.execute(update(Customer).where(Customer.id.in_(chunk)).values(version=Customer.version)
                            .execution_options(synchronize_session=False))
        else:
            session.execute(select(Customer.id).where(Customer.id.in_(chunk)).order_by(Customer.id).with_for_update())
