from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from debtordesk.domain.allocation import OpenItem, allocate, allocate_to_named

D = date.fromisoformat


def test_oldest_due_first_then_number():
    items = [
        OpenItem(1, "INV-2", D("2026-02-01"), 500),
        OpenItem(2, "INV-1", D("2026-02-01"), 300),
        OpenItem(3, "INV-0", D("2026-03-01"), 1000),
    ]
    plan = allocate(900, items)
    assert plan.lines == ((2, 300), (1, 500), (3, 100))
    assert plan.unapplied_minor == 0


def test_excess_becomes_unapplied():
    plan = allocate(1000, [OpenItem(1, "A", D("2026-01-01"), 400)])
    assert plan.lines == ((1, 400),)
    assert plan.unapplied_minor == 600


def test_named_invoice_only_up_to_its_open_amount():
    plan = allocate_to_named(700, OpenItem(9, "X", D("2026-01-01"), 250))
    assert plan.lines == ((9, 250),)
    assert plan.unapplied_minor == 450


items_strategy = st.lists(
    st.builds(
        OpenItem,
        st.integers(1, 10**6),
        st.text("ABC123", min_size=1, max_size=4),
        st.dates(D("2025-01-01"), D("2027-01-01")),
        st.integers(0, 10**7),
    ),
    max_size=30,
    unique_by=lambda it: it.invoice_id,
)


@given(st.integers(0, 10**8), items_strategy)
def test_allocation_never_creates_or_loses_a_unit(amount, items):
    plan = allocate(amount, items)
    assert plan.allocated_minor + plan.unapplied_minor == amount
    opens = {it.invoice_id: it.open_minor for it in items}
    for invoice_id, part in plan.lines:
        assert 0 < part <= opens[invoice_id]
    # money is left over only when every invoice is fully paid
    if plan.unapplied_minor:
        assert plan.allocated_minor == sum(opens.values())
