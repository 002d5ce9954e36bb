"""Aging properties for ANY bucket list and any pair of dates, on one mixed ledger."""

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from debtordesk.db.engine import open_database
from debtordesk.domain.aging import bucket_index
from debtordesk.services.aging import aging_report, open_items_as_of
from debtordesk.services.payments import record_payment
from helpers import add_customer, add_invoice

START = date(2026, 1, 1)


@pytest.fixture(scope="module")
def ledger(tmp_path_factory):
    db = open_database(f"sqlite:///{tmp_path_factory.mktemp('aging') / 'l.sqlite3'}")
    with db.transaction() as s:
        cs = [add_customer(s, f"C{i}", f"Customer {i}") for i in range(3)]
        for n in range(40):
            issue = START + timedelta(days=(n * 37) % 200)
            due = issue + timedelta(days=(0, 14, 30, 45)[n % 4])
            add_invoice(s, cs[n % 3], f"N{n:02d}", issue.isoformat(), due.isoformat(), 1000 + 97 * n,
                        ("GBP", "EUR")[n % 5 == 0])
        for n in range(15):
            record_payment(s, cs[n % 3].id, START + timedelta(days=20 + 13 * n), 1500 + 211 * n, "GBP")
        ids = [c.id for c in cs]
    yield db, ids
    db.dispose()


limits_st = st.lists(st.integers(1, 400), min_size=1, max_size=8, unique=True).map(lambda x: tuple(sorted(x)))
day_st = st.integers(0, 300)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(limits_st, day_st, st.sampled_from(["due", "issue"]))
def test_buckets_sum_to_the_open_total_for_any_bucket_list(ledger, limits, day, basis):
    db, _ = ledger
    as_of = START + timedelta(days=day)
    with db.session() as s:
        report = aging_report(s, as_of, limits, basis)
        standard = aging_report(s, as_of, (30, 60, 90), basis)
    assert all(len(r.buckets) == len(limits) + 2 for r in report.rows)
    open_by_row = {(r.customer_ref, r.currency): r.total for r in standard.rows}
    assert {(r.customer_ref, r.currency): r.total for r in report.rows} == open_by_row
    assert [t.total for t in report.totals()] == [t.total for t in standard.totals()]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(limits_st, day_st, st.integers(1, 120), st.sampled_from(["due", "issue"]))
def test_moving_the_date_forward_never_makes_an_invoice_less_overdue(ledger, limits, day, step, basis):
    db, ids = ledger
    earlier = START + timedelta(days=day)
    later = earlier + timedelta(days=step)
    with db.session() as s:
        for cid in ids:
            before = {i.invoice_id: i for i in open_items_as_of(s, cid, "GBP", earlier, limits, basis)}
            after = {i.invoice_id: i for i in open_items_as_of(s, cid, "GBP", later, limits, basis)}
            for iid in before.keys() & after.keys():
                assert after[iid].days == before[iid].days + step
                assert after[iid].bucket >= before[iid].bucket
                assert after[iid].bucket == bucket_index(after[iid].days, limits)
