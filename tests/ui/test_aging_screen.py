import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt

from debtordesk.services.payments import record_payment
from debtordesk.ui.app import make_app
from debtordesk.ui.views.aging import AgingView
from debtordesk.ui.workers import TaskRunner
from helpers import add_customer, add_invoice

TODAY = date(2026, 6, 30)


@pytest.fixture
def view(qtbot, db, db_path, monkeypatch):
    make_app()
    monkeypatch.setattr("debtordesk.ui.views.aging.tell", lambda *a, **k: None)
    with db.transaction() as s:
        a = add_customer(s, "ALD", "Alder & Co")
        b = add_customer(s, "BIR", "Birch Ltd")
        add_invoice(s, a, "A-1", "2026-03-01", "2026-03-31", 100000)  # 91 days overdue on 30 June
        add_invoice(s, a, "A-2", "2026-05-20", "2026-06-19", 20000)  # 11 days
        add_invoice(s, b, "B-1", "2026-06-01", "2026-07-01", 5000)  # not yet due
        add_invoice(s, b, "B-2", "2026-04-01", "2026-05-01", 7000, "EUR")  # 60 days
        record_payment(s, a.id, date(2026, 7, 10), 100000, "GBP", invoice_id=None)  # after the date
    v = AgingView(db, TODAY)
    v.opened = []
    v.open_file = v.opened.append
    qtbot.addWidget(v)
    v.show()
    v.db_path = db_path
    tasks = TaskRunner(v, delay_ms=0)
    v.load(tasks)
    qtbot.waitUntil(lambda: v.report is not None, timeout=10_000)
    yield v
    assert tasks.wait(10_000)


def cells(v, column):
    m = v.table.model()
    return [m.index(r, column).data() for r in range(m.rowCount())]


def headers(v):
    m = v.table.model()
    return [m.headerData(c, Qt.Orientation.Horizontal) for c in range(m.columnCount())]


def reload(v, qtbot):
    before = v.report
    v._timer.timeout.emit()
    qtbot.waitUntil(lambda: v.report is not before, timeout=10_000)


def test_changing_buckets_and_date_updates_table_and_chart(view, qtbot):
    assert headers(view)[3:8] == ["Current", "1-30", "31-60", "61-90", "91+"]
    assert cells(view, 1) == ["Alder & Co", "Birch Ltd", "Birch Ltd"]
    assert cells(view, 7) == ["£1,000.00", "", ""]  # A-1 is 91 days overdue
    assert view.totals.text() == ("Total EUR: €70.00, unapplied €0.00, balance €70.00   |   "
                                  "Total GBP: £1,250.00, unapplied £0.00, balance £1,250.00")
    view.buckets.setText("7,14,30,60,90,120")
    reload(view, qtbot)
    assert headers(view)[3:11] == ["Current", "1-7", "8-14", "15-30", "31-60", "61-90", "91-120", "121+"]
    assert view.chart.labels[:3] == ["Current", "1-7", "8-14"]
    view.as_of.setDate(QDate(2026, 4, 15))
    reload(view, qtbot)
    assert cells(view, 1) == ["Alder & Co", "Birch Ltd"]  # only A-1 and B-2 were issued by then
    assert "15 April 2026" in view.heading.text()


def test_bad_buckets_are_explained_and_keep_the_report(view, qtbot):
    view.buckets.setText("30,20")
    view.reload()
    assert not view.error.isHidden() and "increase" in view.error.text()


def test_drill_down_opens_the_invoices_open_on_the_date(view, qtbot):
    row = next(r for r in range(view.model.rowCount()) if view.model.row_at(r).name == "Alder & Co")
    dialog = view.open_drill_down(view.model.row_at(row))
    qtbot.addWidget(dialog)
    numbers = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
    assert numbers == ["A-1", "A-2"]  # A-1 was paid on 10 July, after the date: still open then
    assert dialog.table.item(0, 6).text() == "91+"
    assert "£1,200.00" in dialog.total.text()


def test_sorting_by_total(view):
    view.table.sortByColumn(8, Qt.SortOrder.DescendingOrder)
    assert cells(view, 1)[0] == "Alder & Co"
    view.table.sortByColumn(1, Qt.SortOrder.DescendingOrder)
    assert cells(view, 1)[0] == "Birch Ltd"


def test_presets_are_saved_and_reloaded(view, qtbot, db):
    view.buckets.setText("15,45")
    view.basis.setCurrentIndex(view.basis.findData("issue"))
    assert view.store_preset("Fortnights", default=True)
    again = AgingView(db, TODAY)
    qtbot.addWidget(again)
    assert again.preset.currentData() == "Fortnights"
    assert again.buckets.text() == "15,45" and again.basis.currentData() == "issue"
    assert again.preset.currentText() == "Fortnights (default)"


def test_csv_export_equals_the_command_line(view, qtbot, tmp_path):
    path = tmp_path / "aging.csv"
    view.export_csv(path)
    qtbot.waitUntil(path.exists, timeout=10_000)
    assert view.tasks.wait(10_000)
    exe = Path(sys.executable).with_name("debtordesk")
    out = subprocess.run([str(exe), "--db", str(view.db_path), "aging", "--as-of", TODAY.isoformat(), "--format",
                          "csv"], capture_output=True, text=True, check=True).stdout
    assert path.read_text(encoding="utf-8") == out


def test_pdf_export_opens_the_report(view, qtbot, tmp_path):
    view.export_pdf(tmp_path / "aging.pdf")
    qtbot.waitUntil(lambda: bool(view.opened), timeout=15_000)
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(view.opened[0]).pages)
    assert "Alder & Co" in text and "30 June 2026" in text


def test_the_aging_model_passes_the_model_tester(view, qtmodeltester):
    qtmodeltester.check(view.model)
