from datetime import date

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import func, select

from debtordesk.db.models import Letter
from debtordesk.ui.app import make_app
from debtordesk.ui.views.dunning import DunningView
from debtordesk.ui.views.letters import CustomerLettersView
from debtordesk.ui.workers import TaskRunner
from helpers import dunning_books

AS_OF = date(2026, 3, 10)


@pytest.fixture
def view(qtbot, db):
    make_app()
    dunning_books(db)
    v = DunningView(db, AS_OF, None)
    v.tasks = TaskRunner(v, delay_ms=0)
    v.opened = []
    v.open_file = v.opened.append
    qtbot.addWidget(v)
    v.show()
    v.ensure_loaded()
    qtbot.waitUntil(lambda: v.model.rowCount() == 3, timeout=10_000)
    yield v
    assert v.tasks.wait(10_000)


def cells(v, column):
    return [v.proxy.index(r, column).data() for r in range(v.proxy.rowCount())]


def test_proposals_show_the_letter_and_skipped_ones_say_why(view, qtbot):
    assert cells(view, 0) == ["Alder & Co (ALD)"]
    assert cells(view, 1) == ["Reminder 1"]
    assert cells(view, 8) == ["£1,200.00"]
    assert "1 letter proposed, 1 ticked (total £1,200.00); 2 overdue customers get no letter now" in \
        view.summary.text()
    view.show_skipped.setChecked(True)
    assert cells(view, 0) == ["Alder & Co (ALD)", "Birch Ltd (BIR)", "Cedar plc (CED)"]
    assert cells(view, 10)[1:] == ["The customer is on hold.", "Every overdue invoice is disputed."]
    view.show_skipped.setChecked(False)


def test_unticking_disables_printing(view):
    index = view.proxy.index(0, 0)
    assert index.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    view.proxy.setData(index, Qt.CheckState.Unchecked.value, Qt.ItemDataRole.CheckStateRole)
    assert not view.print_button.isEnabled() and "0 ticked" in view.summary.text()
    view.all_button.click()
    assert view.print_button.isEnabled()


def test_print_renders_one_pdf_off_the_ui_thread_and_opens_it(view, qtbot):
    view.print_chosen()
    qtbot.waitUntil(lambda: bool(view.opened), timeout=15_000)
    text = "".join(p.extract_text() for p in PdfReader(view.opened[0]).pages)
    assert "Alder & Co" in text and "INV-1" in text
    assert "ready to print" in view.summary.text()


def test_mark_as_sent_records_and_the_letters_tab_reopens_the_copy(view, qtbot, db, monkeypatch):
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(view.letters_recorded, timeout=15_000):
        view.mark_chosen_sent()
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Letter)) == 1
        letter = s.scalars(select(Letter)).one()
        stored, customer_id = letter.pdf, letter.customer_id
    qtbot.waitUntil(lambda: "0 letters proposed" in view.summary.text(), timeout=10_000)
    tab = CustomerLettersView(db, customer_id, AS_OF)
    qtbot.addWidget(tab)
    tab.opened = []
    tab.open_file = tab.opened.append
    assert tab.table.item(0, 1).text() == "Reminder 1"
    tab.open_selected()
    assert tab.opened[0].read_bytes() == stored


def test_moving_the_date_changes_the_proposal(view, qtbot):
    view.as_of.setDate(QDate(2026, 2, 5))  # 5 days overdue: not yet
    qtbot.waitUntil(lambda: "0 letters proposed" in view.summary.text(), timeout=10_000)


def test_the_proposal_model_passes_the_model_tester(view, qtmodeltester):
    view.show_skipped.setChecked(True)
    qtmodeltester.check(view.model)
    qtmodeltester.check(view.proxy)
    view.show_skipped.setChecked(False)
