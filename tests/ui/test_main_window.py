from datetime import date

import pytest
from PySide6.QtCore import Qt

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
    assert window.current_page() == "Aging"
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


def test_sidebar_switches_screens_and_unbuilt_ones_say_what_to_do(window, qtbot):
    assert [window.sidebar.item(i).text() for i in range(window.sidebar.count())] == PAGES
    window.sidebar.setCurrentRow(PAGES.index("Customers"))
    page = window.pages.currentWidget()
    assert window.current_page() == "Customers"
    assert "debtordesk import customers" in page.body.text()
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
