"""The SQL aging report against a plain-Python reading of the rules, on random ledgers."""

import tempfile
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from debtordesk.db.engine import open_database
from debtordesk.db.ledger import drift
from debtordesk.db.models import Allocation, Invoice, Payment
from debtordesk.domain.aging import bucket_index
from debtordesk.services.aging import aging_report
from debtordesk.services.payments import record_payment
from helpers import add_customer, add_invoice

START = date(2026, 1, 1)
CURRENCIES = ("GBP", "EUR")

invoice_st = st.tuples(
    st.integers(0, 2),            # customer
    st.integers(0, 120),          # issue day offset
    st.integers(0, 60),           # terms
    st.integers(1, 500_000),      # amount
    st.sampled_from(CURRENCIES),
)
payment_st = st.tuples(
    st.integers(0, 2), st.integers(0, 150), st.integers(1, 600_000), st.sampled_from(CURRENCIES),
    st.one_of(st.none(), st.integers(0, 40)),  # index of a named invoice, if any
)


def oracle(invoices, payments, allocs, as_of, limits, basis):
    """Per (customer id, currency): bucket amounts and unapplied credit, straight from the rules."""
    out = defaultdict(lambda: [[0] * (len(limits) + 2), 0])
    pay_date = {p.id: p.date for p in payments}
    issued = {i.id: i.issue_date for i in invoices}
    for inv in invoices:
        if inv.issue_date > as_of:
            continue
        paid = sum(a.amount_minor for a in allocs if a.invoice_id == inv.id and pay_date[a.payment_id] <= as_of)
        open_ = inv.amount_minor - paid
        if open_:
            ref = inv.due_date if basis == "due" else inv.issue_date
            out[(inv.customer_id, inv.currency)][0][bucket_index((as_of - ref).days, limits)] += open_
    for p in payments:
        if p.date > as_of:
            continue
        used = sum(a.amount_minor for a in allocs if a.payment_id == p.id and issued[a.invoice_id] <= as_of)
        out[(p.customer_id, p.currency)][1] += p.amount_minor - used
    return {k: v for k, v in out.items() if any(v[0]) or v[1]}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(invoice_st, min_size=1, max_size=25),
    st.lists(payment_st, max_size=25),
    st.integers(-10, 220),
    st.sampled_from([(30, 60, 90), (7,), (15, 45, 75, 120, 180)]),
    st.sampled_from(["due", "issue"]),
)
def test_aging_matches_the_rules_and_conserves_money(invoices, payments, as_of_offset, limits, basis):
    as_of = START + timedelta(days=as_of_offset)
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(f"sqlite:///{Path(tmp) / 'p.sqlite3'}")
        try:
            with db.transaction() as s:
                customers = [add_customer(s, f"C{i}", f"Customer {i}") for i in range(3)]
                made = []
                for n, (c, issue, terms, amount, cur) in enumerate(invoices):
                    d = START + timedelta(days=issue)
                    made.append(add_invoice(s, customers[c], f"N{n:03d}", d.isoformat(),
                                            (d + timedelta(days=terms)).isoformat(), amount, cur))
                for c, day, amount, cur, named in payments:
                    target = made[named % len(made)] if named is not None else None
                    if target is not None and (target.customer_id != customers[c].id or target.currency != cur):
                        target = None
                    record_payment(s, customers[c].id, START + timedelta(days=day), amount, cur,
                                   invoice_id=target.id if target else None)
            with db.session() as s:
                invs = list(s.scalars(select(Invoice)))
                pays = list(s.scalars(select(Payment)))
                allocs = list(s.scalars(select(Allocation)))
                report = aging_report(s, as_of, limits, basis)
                final = aging_report(s, date(2030, 1, 1))
                kept_amounts_drift = drift(s)
        finally:
            db.dispose()

    assert kept_amounts_drift == []  # open/unapplied amounts kept on rows match the allocations
    ids = {f"C{i}": customers[i].id for i in range(3)}
    got = {(ids[r.customer_ref], r.currency): [r.buckets, r.unapplied] for r in report.rows}
    assert got == oracle(invs, pays, allocs, as_of, limits, basis)

    # buckets + paid == invoiced, per currency, as of the date
    pay_date = {p.id: p.date for p in pays}
    issued = {i.id: i for i in invs}
    for cur in CURRENCIES:
        invoiced = sum(i.amount_minor for i in invs if i.currency == cur and i.issue_date <= as_of)
        paid = sum(a.amount_minor for a in allocs
                   if issued[a.invoice_id].currency == cur and pay_date[a.payment_id] <= as_of
                   and issued[a.invoice_id].issue_date <= as_of)
        aged = sum(r.total for r in report.rows if r.currency == cur)
        assert aged + paid == invoiced
    # allocation never creates or loses a minor unit: allocated + unapplied == received
    for cur in CURRENCIES:
        received = sum(p.amount_minor for p in pays if p.currency == cur)
        allocated = sum(a.amount_minor for a in allocs if issued[a.invoice_id].currency == cur)
        unapplied = sum(r.unapplied for r in final.rows if r.currency == cur)
        assert allocated + unapplied == received
        assert sum(r.balance for r in final.rows if r.currency == cur) == sum(
            i.amount_minor for i in invs if i.currency == cur) - received
    # and nothing is ever allocated beyond an invoice or a payment
    for inv in invs:
        assert sum(a.amount_minor for a in allocs if a.invoice_id == inv.id) <= inv.amount_minor
    for p in pays:
        assert sum(a.amount_minor for a in allocs if a.payment_id == p.id) <= p.amount_minor
