from datetime import date

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from debtordesk.ui.app import make_app, open_or_create
from debtordesk.ui.main_window import PAGES, MainWindow
from debtordesk.ui.models.aging import AgingTableModel

TODAY = date(2026, 11, 24)


@pytest.fixture
def window(qtbot, tmp_path):
    make_app()
    db, is_new = open_or_create(str(tmp_path / "new.sqlite3"), TODAY)
    assert is_new
    w = MainWindow(db, today=TODAY)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: w.aging_view.model is not None, timeout=10_000)  # loaded off the UI thread
    yield w
    assert w.tasks.wait(10_000)
    db.dispose()


def test_a_new_database_opens_on_sample_data(window):
    assert window.current_page() == "Today"  # the start page
    model = window.aging_view.table.model()
    assert model.rowCount() > 10
    names = {model.index(r, 1).data() for r in range(model.rowCount())}
    assert "Ωmega Ἑλλάς ΑΕ" in names and "Бистро «Ладога» ЕООД" in names
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers[:5] == ["Ref", "Customer", "Currency", "Current", "1-30"]
    assert "Open £" in window.status_totals.text()
    assert "24 November 2026" in window.aging_view.heading.text()


def test_amounts_are_formatted_as_money(window):
    model = window.aging_view.table.model()
    balance = model.columnCount() - 1
    cells = [model.index(r, balance).data() for r in range(model.rowCount())]
    assert all(c[0] in "£€-" or c.startswith("US$") for c in cells), cells
    assert any(c.startswith("€") for c in cells) and any(c.startswith("£") for c in cells)


def test_model_passes_the_model_tester(window, qtmodeltester):
    assert isinstance(window.aging_view.table.model(), AgingTableModel)
    qtmodeltester.check(window.aging_view.table.model())


def test_sidebar_switches_screens(window, qtbot):
    assert [window.sidebar.item(i).text() for i in range(window.sidebar.count())] == PAGES
    window.sidebar.setCurrentRow(PAGES.index("Payment plans"))
    assert window.current_page() == "Payment plans"
    assert window.pages.currentWidget() is window.plans_view and window.plans_view.loaded  # read when first shown
    window.show_page("Customers")
    assert window.customers_view.list.model.rowCount() == 24  # loaded when first shown
    window.show_page("Aging")
    assert window.pages.currentWidget() is window.aging_view


def test_opening_an_existing_database_adds_nothing(tmp_path, qtbot):
    make_app()
    path = str(tmp_path / "books.sqlite3")
    db, is_new = open_or_create(path, TODAY)
    db.dispose()
    again, is_new_again = open_or_create(path, TODAY)
    assert is_new and not is_new_again
    again.dispose()


def test_screens_lead_to_each_other(window, qtbot, monkeypatch):
    from debtordesk.ui import record_actions

    window.show_page("Invoices")
    invoices = window.invoices_view
    invoices.table.selectRow(0)
    row = invoices.current()
    invoices.open_customer.emit(row.customer_id)
    assert window.current_page() == "Customers"
    assert window.customers_view.detail.row.id == row.customer_id
    tab = window.customers_view.detail.tab("Invoices")
    assert row.number in tab.visible_texts(0, 500)  # the customer's own invoices
    asked = []
    monkeypatch.setattr(record_actions, "record_payment_dialog", lambda *a: asked.append(a[3:]) or None)
    titles = []

    def cancel():
        dialog = QApplication.activeModalWidget()
        titles.append(dialog.windowTitle())
        dialog.reject()

    QTimer.singleShot(0, cancel)
    window.new_record()  # Ctrl+N on the Customers screen: a new customer
    assert titles == ["New customer"]
    window.show_page("Payments")
    window.payments_view.table.selectRow(0)
    edit_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Edit")
    next(a for a in edit_menu.actions() if a.text() == "Record &payment…").trigger()
    assert asked == [(window.payments_view.current().customer_id, None)]


def test_today_shows_totals_kpis_charts_and_letters_due(window, qtbot, tmp_path):
    window.show_page("Today")
    today = window.today_view
    qtbot.waitUntil(lambda: today.data is not None and today.data.letters is not None, timeout=20_000)
    today.currency.setCurrentIndex(today.currency.findData("GBP"))
    report = today.data.report
    gbp = next(t for t in report.totals() if t.currency == "GBP")
    from debtordesk.ui.formatting import money

    assert today.open_tile.value.text() == money(gbp.total, "GBP")
    assert today.overdue_tile.value.text() == money(gbp.total - gbp.buckets[0], "GBP")
    assert today.dso_tile.value.text().endswith("days") or today.dso_tile.value.text() == "not enough data"
    assert today.aging_chart.bars[0][0] == "All customers (GBP)"
    assert len(today.forecast_chart.weeks) == 13
    assert f"{today.data.letters} reminder letter" in today.work.letters_label.text()
    path = today.save_forecast(tmp_path / "forecast.csv")
    lines = path.read_text().splitlines()
    assert lines[0] == "currency,week_start,expected,of_which_overdue" and len(lines) > 13
