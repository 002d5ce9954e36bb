"""The Write-offs screen on a real database: a write-off made through the Invoices screen shows up
with its total; the dates and the customer narrow it; CSV export."""

from datetime import date

import pytest
from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from debtordesk.services.adjustments import write_off
from debtordesk.services.payments import record_payment
from debtordesk.ui.main_window import PAGES, MainWindow
from debtordesk.ui.views import write_offs as write_offs_view
from debtordesk.ui.views.write_offs import WriteOffsView
from debtordesk.ui.workers import TaskRunner
from helpers import add_customer, add_invoice

TODAY = date(2026, 3, 1)
DATE, CUSTOMER, INVOICE, AMOUNT, REASON = range(5)


@pytest.fixture
def ledger(db):
    with db.transaction() as s:
        a = add_customer(s, "ALD", "Alder & Co")
        b = add_customer(s, "BIR", "Birch GmbH")
        add_invoice(s, a, "INV-1", "2026-01-05", "2026-02-04", 120000)
        add_invoice(s, b, "INV-2", "2025-10-01", "2025-10-31", 80000, "EUR")
        add_invoice(s, b, "INV-3", "2026-01-10", "2026-02-09", 30000)
        record_payment(s, a.id, date(2026, 2, 10), 25000, "GBP", invoice_id=1)
        write_off(s, 2, date(2025, 12, 20), "Insolvent: nothing to distribute")  # last year
        write_off(s, 2 + 1, date(2026, 2, 15), "Customer dissolved")
    return db


@pytest.fixture
def window(qtbot, ledger):
    w = MainWindow(ledger, today=TODAY)
    qtbot.addWidget(w)
    w.resize(1280, 720)
    w.show()
    yield w
    assert w.tasks.wait(10_000)


@pytest.fixture
def screen(qtbot, ledger, monkeypatch):
    monkeypatch.setattr(write_offs_view, "tell", lambda *a, **k: None)
    v = WriteOffsView(ledger, TODAY)
    qtbot.addWidget(v)
    v.tasks = TaskRunner(v)
    v.show()
    v.ensure_loaded()
    qtbot.waitUntil(lambda: v.report is not None)
    return v


def shown(view, column):
    return view.visible_texts(column)


def test_write_off_through_the_dialog_appears_in_the_report_with_the_total(window, ledger, qtbot):
    assert "Write-offs" in PAGES
    window.show_page("Write-offs")
    report = window.write_offs_view
    qtbot.waitUntil(lambda: report.report is not None)
    assert shown(report, INVOICE) == ["INV-3"]  # this year so far: last year's is left out
    assert report.totals.text() == "Total written off: £300.00 (1 write-off)"

    window.show_page("Invoices")
    invoices = window.invoices_view
    invoices.table.selectRow(invoices.visible_texts(0).index("INV-1"))
    seen = {}

    def fill():
        d = QApplication.activeModalWidget()
        try:
            seen["outcome"] = d.outcome.text()
            d.reason.setPlainText("Customer in liquidation")
            qtbot.mouseClick(d.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
        finally:
            if d.isVisible():
                d.reject()

    QTimer.singleShot(0, fill)
    with qtbot.waitSignal(invoices.changed):
        invoices.write_off_action.trigger()
    assert seen["outcome"] == ("£950.00 of INV-1 will be written off as bad debt. It leaves the aging report and "
                               "appears in the write-off report.")
    assert invoices.visible_texts(5)[invoices.visible_texts(0).index("INV-1")] == "£0.00"

    window.show_page("Write-offs")  # read again after the change
    qtbot.waitUntil(lambda: shown(report, INVOICE) == ["INV-3", "INV-1"])
    assert shown(report, DATE) == ["15 Feb 2026", "1 Mar 2026"]
    assert shown(report, CUSTOMER) == ["Birch GmbH", "Alder & Co"]
    assert shown(report, AMOUNT) == ["£300.00", "£950.00"]
    assert shown(report, REASON) == ["Customer dissolved", "Customer in liquidation"]
    assert report.totals.text() == "Total written off: £1,250.00 (2 write-offs)"
    assert "Written off from 1 Jan 2026 to 1 Mar 2026" == report.heading.text()


def test_dates_and_customer_narrow_the_report_with_totals_per_currency(screen, qtbot):
    screen.start.setDate(QDate(2025, 1, 1))
    qtbot.waitUntil(lambda: shown(screen, INVOICE) == ["INV-2", "INV-3"])
    assert shown(screen, AMOUNT) == ["€800.00", "£300.00"]
    assert screen.totals.text() == "Total written off: €800.00 · £300.00 (2 write-offs)"
    screen.customer.choose(1)  # Alder: nothing written off
    qtbot.waitUntil(lambda: screen.report.rows == [])
    assert screen.empty.isVisible()
    assert screen.empty.text().startswith("Nothing was written off between these dates.")
    assert screen.totals.text() == "" and not screen.csv_button.isEnabled()
    assert screen.heading.text().endswith(" · Alder & Co (ALD)")


def test_a_start_after_the_end_is_explained(screen, qtbot):
    screen.start.setDate(QDate(2026, 4, 1))
    screen.refresh()
    assert screen.error.isVisible()
    assert screen.error.text() == "The start date is after the end date: choose a start on or before the end."


def test_export_csv_writes_the_rows_and_totals(screen, tmp_path):
    path = screen.export_csv(tmp_path / "w.csv")
    assert path.read_text(encoding="utf-8").splitlines() == [
        "date,customer_ref,customer,invoice,amount,currency,reason",
        "2026-02-15,BIR,Birch GmbH,INV-3,300.00,GBP,Customer dissolved",
        ",,Total,,300.00,GBP,",
    ]


def test_sorting_and_the_model_tester(screen, qtbot, qtmodeltester):
    screen.start.setDate(QDate(2025, 1, 1))
    qtbot.waitUntil(lambda: len(screen.report.rows) == 2)
    screen.table.sortByColumn(REASON, Qt.SortOrder.DescendingOrder)
    assert shown(screen, REASON) == ["Insolvent: nothing to distribute", "Customer dissolved"]
    qtmodeltester.check(screen.model)
