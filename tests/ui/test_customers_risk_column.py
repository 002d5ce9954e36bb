"""The Customers list's Risk column: grade and score arriving from the worker, each factor explained
in the tooltip, not sortable, worked out again after a change."""

from datetime import date

import pytest
from PySide6.QtCore import QPoint, Qt

from debtordesk.services.payments import record_payment
from debtordesk.ui.models.risk import PENDING
from debtordesk.ui.views.customers import RISK_COLUMN, CustomersView
from helpers import add_customer, add_invoice

TODAY = date(2026, 6, 30)
NAME = 1


@pytest.fixture
def books(db):
    with db.transaction() as s:
        alder = add_customer(s, "A1", "Alder & Co")
        inv = add_invoice(s, alder, "A-1", "2026-01-01", "2026-01-31", 100000)
        record_payment(s, alder.id, date(2026, 3, 2), 100000, "GBP", invoice_id=inv.id)  # 30 days late
        add_invoice(s, alder, "A-2", "2026-04-01", "2026-05-01", 50000)  # 60 days overdue
        add_customer(s, "B2", "Birch Holdings")  # no history at all
    return db


@pytest.fixture
def view(qtbot, books):
    v = CustomersView(books, TODAY)
    qtbot.addWidget(v)
    v.resize(1300, 600)
    v.show()
    v.refresh()
    yield v
    v.list.risk.tasks.wait()


def risk_texts(view):
    return dict(zip(view.list.visible_texts(NAME), view.list.visible_texts(RISK_COLUMN), strict=True))


def arrived(qtbot, view):
    qtbot.waitUntil(lambda: PENDING not in risk_texts(view).values(), timeout=5000)
    return risk_texts(view)


def test_grade_and_score_arrive_with_every_factor_in_the_tooltip(qtbot, view):
    assert view.list.model.headerData(RISK_COLUMN, Qt.Orientation.Horizontal) == "Risk"
    # Alder: 30 days late → 15; 1 of 1 paid late → 15; no trend; no promises; all overdue → 15;
    # 60 of 90 days → 10: 55. Birch: no history, neutral 15 + 7.5 = 22.5 → 23
    assert arrived(qtbot, view) == {"Alder & Co": "C 55", "Birch Holdings": "B 23"}
    tip = view.list.model.index(0, RISK_COLUMN).data(Qt.ItemDataRole.ToolTipRole)
    assert tip.splitlines() == [
        "Risk C 55 of 100 (higher is riskier; grades A best .. E worst)",
        "• Pays on average 30 days late (last 12 months, weighted by amount): +15 of 30",
        "• Paid 1 of 1 invoice late (last 12 months): +15 of 15",
        "• No trend: needs invoices paid off in both halves of the last 12 months: +0 of 10",
        "• No promise to pay kept or broken in the last 12 months: +0 of 15",
        "• 100 % of what is owed is overdue: +15 of 15",
        "• Oldest overdue invoice 60 days past due: +10 of 15",
    ]
    assert "neutral" in view.list.model.index(1, RISK_COLUMN).data(Qt.ItemDataRole.ToolTipRole)


def test_the_risk_column_cannot_be_sorted_and_leaves_the_order_alone(qtbot, view):
    arrived(qtbot, view)
    header = view.list.table.horizontalHeader()
    before = (view.list.model.sort_key, header.sortIndicatorSection(), view.list.visible_texts(NAME))
    at = QPoint(header.sectionViewportPosition(RISK_COLUMN) + 10, header.height() // 2)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=at)
    assert (view.list.model.sort_key, header.sortIndicatorSection(), view.list.visible_texts(NAME)) == before
    view.list.table.sortByColumn(RISK_COLUMN, Qt.SortOrder.DescendingOrder)
    assert (view.list.model.sort_key, header.sortIndicatorSection(), view.list.visible_texts(NAME)) == before
    assert header.sortIndicatorSection() == NAME


def test_a_payment_recorded_changes_the_score_after_refresh(qtbot, view, books):
    assert arrived(qtbot, view)["Alder & Co"] == "C 55"
    with books.transaction() as s:
        record_payment(s, 1, TODAY, 50000, "GBP")  # A-2 paid today, 60 days late: nothing overdue
    view.refresh()
    # (1,000 × 30 + 500 × 60) / 1,500 = 40 days late → 30 × 40/60 = 20; 2 of 2 late → 15; the rest 0
    qtbot.waitUntil(lambda: risk_texts(view)["Alder & Co"] == "B 35", timeout=5000)
