from datetime import date, timedelta

import pytest

from debtordesk.domain.aging import BucketError
from debtordesk.services.aging import aging_report
from debtordesk.services.payments import record_payment
from helpers import add_customer, add_invoice

AS_OF = date(2026, 6, 30)


@pytest.mark.parametrize("basis", ["due", "issue"])
def test_every_boundary_day_lands_in_its_bucket(db, basis):
    days_to_bucket = {-3: 0, 0: 0, 1: 1, 30: 1, 31: 2, 60: 2, 61: 3, 90: 3, 91: 4, 400: 4}
    if basis == "issue":
        del days_to_bucket[-3]  # an invoice issued after the as-of date is not in the report
    with db.transaction() as s:
        for n, days in enumerate(days_to_bucket):
            c = add_customer(s, f"C{n:02d}", f"Customer {days}")
            ref = AS_OF - timedelta(days=days)
            issue = ref if basis == "issue" else min(ref, AS_OF) - timedelta(days=10)
            due = ref if basis == "due" else ref + timedelta(days=5)
            add_invoice(s, c, f"N{n}", issue.isoformat(), due.isoformat(), 1000 + n)
    with db.session() as s:
        report = aging_report(s, AS_OF, (30, 60, 90), basis)
    got = {row.name: row.buckets for row in report.rows}
    for n, (days, index) in enumerate(days_to_bucket.items()):
        expected = [0] * 5
        expected[index] = 1000 + n
        assert got[f"Customer {days}"] == expected, days


def test_currency_filter_and_bad_basis(db):
    with db.transaction() as s:
        c = add_customer(s)
        add_invoice(s, c, "G", "2026-06-01", "2026-06-15", 500)
        add_invoice(s, c, "E", "2026-06-01", "2026-06-15", 700, "EUR")
        record_payment(s, c.id, date(2026, 6, 20), 900, "EUR")
    with db.session() as s:
        rows = aging_report(s, AS_OF, currency="EUR").rows
        assert [(r.currency, r.total, r.unapplied, r.balance) for r in rows] == [("EUR", 0, 200, -200)]
        with pytest.raises(BucketError):
            aging_report(s, AS_OF, basis="posting")
