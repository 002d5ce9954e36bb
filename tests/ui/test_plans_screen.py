"""The Payment plans screen on a real database: the list with statuses and next instalments, the
status filter, a plan's instalments in words, cancelling, a broken plan recorded once, the
agreement letter."""

from datetime import date

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QInputDialog, QMessageBox
from sqlalchemy import func, select

from debtordesk.db.models import Activity, Customer, Invoice
from debtordesk.domain.plans import Frequency, PlanTerms
from debtordesk.services.payments import record_payment
from debtordesk.services.plans import create_plan
from debtordesk.ui.app import make_app
from debtordesk.ui.formatting import OVERDUE_COLOR
from debtordesk.ui.views.plans import PlansView
from debtordesk.ui.workers import TaskRunner
from helpers import dunning_books

D = date.fromisoformat
TODAY = D("2026-03-20")
STATUS, NEXT_DUE, NEXT_AMOUNT, ARREARS, PAID = 3, 4, 5, 6, 7


def agree(db, ref, number, amount, first, count, grace):
    with db.transaction() as s:
        customer = s.scalar(select(Customer.id).where(Customer.ref == ref))
        invoice = s.scalar(select(Invoice.id).where(Invoice.number == number))
        terms = PlanTerms(amount, "GBP", D(first), Frequency.monthly(), count=count, grace_days=grace)
        return create_plan(s, customer, [invoice], terms, agreed_on=D("2026-02-10"), who="tester").id


def pay(db, ref, day, minor):
    with db.transaction() as s:
        record_payment(s, s.scalar(select(Customer.id).where(Customer.ref == ref)), D(day), minor, "GBP")


@pytest.fixture
def books(db):
    """Alder keeps PP-0001 (£1,200 in 4 from 1 Mar, 5 days' grace, the first paid on the day);
    Birch never paid PP-0002 (£500 in 3 from 15 Feb, 3 days' grace): broken on 19 Feb."""
    dunning_books(db)
    kept = agree(db, "ALD", "INV-1", 120000, "2026-03-01", 4, 5)
    pay(db, "ALD", "2026-03-01", 30000)
    broken = agree(db, "BIR", "INV-2", 50000, "2026-02-15", 3, 3)
    return db, kept, broken


def breach_notes(db) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(Activity).where(Activity.note.like("%PP-0002 broken%")))


def open_view(qtbot, db) -> PlansView:
    make_app()
    v = PlansView(db, TODAY, None)
    v.tasks = TaskRunner(v, delay_ms=0)
    v.opened = []
    v.open_file = v.opened.append
    qtbot.addWidget(v)
    v.resize(1100, 700)
    v.show()
    v.status.setCurrentIndex(0)  # All, whatever an earlier test left in QSettings
    v.ensure_loaded()
    qtbot.waitUntil(lambda: v.plans_model.rowCount() == 2 and v.detail is not None, timeout=10_000)
    return v


@pytest.fixture
def view(qtbot, books):
    db, _kept, _broken = books
    v = open_view(qtbot, db)
    yield v
    assert v.tasks.wait(10_000)


def cells(v, column):
    m = v.plans_model
    return [m.index(r, column).data() for r in range(m.rowCount())]


def choose(v, qtbot, reference):
    row = cells(v, 0).index(reference)
    v.table.selectRow(row)
    qtbot.waitUntil(lambda: v.detail is not None and v.detail.row.reference == reference, timeout=10_000)


def test_plans_show_their_status_next_instalment_and_arrears(view):
    assert cells(view, 0) == ["PP-0002", "PP-0001"]  # newest first
    assert cells(view, 1) == ["Birch Ltd", "Alder & Co"]
    assert cells(view, STATUS) == ["Broken", "Active"]
    assert cells(view, NEXT_DUE) == ["15 Feb 2026", "1 Apr 2026"]
    assert cells(view, NEXT_AMOUNT) == ["£166.67", "£300.00"]
    assert cells(view, ARREARS) == ["£333.34", ""]
    assert cells(view, PAID) == ["£0.00 / £500.00", "£300.00 / £1,200.00"]
    m = view.plans_model
    assert m.index(0, STATUS).data(Qt.ItemDataRole.ForegroundRole).color() == OVERDUE_COLOR
    assert m.index(0, ARREARS).data(Qt.ItemDataRole.ForegroundRole).color() == OVERDUE_COLOR
    assert m.index(1, STATUS).data(Qt.ItemDataRole.ForegroundRole) is None
    assert "2 plans as of 20 Mar 2026: 1 active, 1 broken; in arrears £333.34." in view.summary.text()


def test_the_status_filter_shows_only_those_plans(view, qtbot):
    def show(label):
        view.status.setCurrentIndex(view.status.findText(label))
        return cells(view, 0)

    assert show("Broken") == ["PP-0002"]
    qtbot.waitUntil(lambda: view.detail.row.reference == "PP-0002", timeout=10_000)
    assert show("Active") == ["PP-0001"]
    qtbot.waitUntil(lambda: view.detail.row.reference == "PP-0001", timeout=10_000)
    assert show("Completed") == []
    assert view.empty.isVisible() and view.empty.text() == "No completed plans as of 20 Mar 2026."
    qtbot.waitUntil(lambda: view.detail is None, timeout=10_000)
    assert not view.cancel_button.isEnabled()
    assert show("All") == ["PP-0002", "PP-0001"]
    assert view.table.isVisible()


def test_selecting_a_plan_shows_its_instalments_in_words(view, qtbot):
    choose(view, qtbot, "PP-0001")
    assert view.instalment_texts() == [("1", "Paid 1 Mar (on time)"), ("2", "Due"), ("3", "Due"), ("4", "Due")]
    assert view.heading.text() == "PP-0001 — Alder & Co — Active"
    assert "Frequency: monthly" in view.terms_line.text() and "Grace: 5 days" in view.terms_line.text()
    assert "waived while the plan is kept" in view.terms_line.text()
    assert view.totals.text().startswith("Paid £300.00 of £1,200.00")
    inv = view.invoices_model
    assert [inv.index(0, c).data() for c in range(4)] == ["INV-1", "31 Jan 2026", "£1,200.00", "£900.00"]
    # two days after instalment 2 fell due, with £50.00 paid towards it: late but within grace
    pay(view.db, "ALD", "2026-04-02", 5000)
    view.as_of.setDate(QDate(2026, 4, 3))
    qtbot.waitUntil(lambda: view.detail is not None and view.detail.state.as_of == D("2026-04-03"), timeout=10_000)
    assert view.instalment_texts()[1] == ("2", "Late — within grace until 6 Apr (£50.00 of £300.00 paid)")
    assert view.instalments_model.index(1, 4).data(Qt.ItemDataRole.ForegroundRole).color() == OVERDUE_COLOR
    view.as_of.setDate(QDate(2026, 3, 25))
    qtbot.waitUntil(lambda: view.detail is not None and view.detail.state.as_of == D("2026-03-25"), timeout=10_000)
    assert view.instalment_texts()[1] == ("2", "Due")
    view.as_of.setDate(QDate(2026, 4, 1))  # the £50.00 came early
    qtbot.waitUntil(lambda: view.detail is not None and view.detail.state.as_of == D("2026-04-01"), timeout=10_000)
    assert view.instalment_texts()[1] == ("2", "Due today")
    view.as_of.setDate(QDate(2026, 4, 2))
    qtbot.waitUntil(lambda: view.detail is not None and view.detail.state.as_of == D("2026-04-02"), timeout=10_000)
    assert view.instalment_texts()[1] == ("2", "Late — within grace until 6 Apr (£50.00 of £300.00 paid)")


def test_a_broken_plan_is_marked_and_its_breach_recorded_once(books, qtbot):
    db, _kept, _broken = books
    assert breach_notes(db) == 0
    view = open_view(qtbot, db)
    assert breach_notes(db) == 1
    assert "Found broken and recorded in the customer's history: PP-0002 (Birch Ltd)." in view.summary.text()
    choose(view, qtbot, "PP-0002")
    assert view.instalment_texts() == [("1", "Missed — the plan broke on 19 Feb"), ("2", "Missed"),
                                     ("3", "Due now: the plan is broken")]
    assert view.state_line.text().startswith("Broken on 19 Feb 2026: instalment 1 was not paid in full")
    assert view.heading.text().endswith("— Broken")
    view.refresh()
    qtbot.waitUntil(lambda: "Found broken" not in view.summary.text(), timeout=10_000)
    assert breach_notes(db) == 1
    again = open_view(qtbot, db)
    assert breach_notes(db) == 1 and "Found broken" not in again.summary.text()
    assert view.tasks.wait(10_000) and again.tasks.wait(10_000)


def test_cancel_plan_asks_why_confirms_and_refuses_a_second_time(view, qtbot, monkeypatch):
    asked = []
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: asked.append(a[2]) or ("Paid by a relative", True))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.Yes)
    told = []
    monkeypatch.setattr("debtordesk.ui.views.plans.tell", lambda _w, text, *a, **k: told.append(text))
    choose(view, qtbot, "PP-0001")
    with qtbot.waitSignal(view.changed, timeout=10_000):
        view.cancel_button.click()
    assert "Why is payment plan PP-0001 for Alder & Co being cancelled?" in asked[0]
    assert asked[1].startswith("Cancel payment plan PP-0001 for Alder & Co as of today, 20 Mar 2026?")
    qtbot.waitUntil(lambda: cells(view, STATUS) == ["Broken", "Cancelled"] and view.detail.row.status == "cancelled",
                    timeout=10_000)
    assert view.detail.row.reference == "PP-0001"  # still the plan chosen
    assert view.state_line.text() == "Cancelled on 20 Mar 2026: Paid by a relative"
    assert view.instalment_texts()[1] == ("2", "Not due: the plan was cancelled")
    with view.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Activity).where(
            Activity.note == "Payment plan PP-0001 cancelled: Paid by a relative.")) == 1
    asked.clear()
    view.cancel_button.click()
    assert asked == []
    assert told == ["Payment plan PP-0001 was already cancelled on 20 Mar 2026; there is nothing more to cancel."]


def test_saying_no_leaves_the_plan_as_it_was(view, qtbot, monkeypatch):
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("", True))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    choose(view, qtbot, "PP-0001")
    view.cancel_button.click()
    assert view.tasks.wait(10_000)
    with view.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Activity).where(Activity.note.like("%cancelled%"))) == 0


def test_the_models_pass_the_model_tester(view, qtbot, qtmodeltester):
    qtmodeltester.check(view.plans_model)
    choose(view, qtbot, "PP-0002")
    qtmodeltester.check(view.instalments_model)
    qtmodeltester.check(view.invoices_model)
    view.table.sortByColumn(1, Qt.SortOrder.AscendingOrder)
    assert cells(view, 1) == ["Alder & Co", "Birch Ltd"]
    qtmodeltester.check(view.plans_model)


def test_open_customer_asks_for_the_plans_customer(view, qtbot):
    choose(view, qtbot, "PP-0001")
    with view.db.session() as s:
        alder = s.scalar(select(Customer.id).where(Customer.ref == "ALD"))
    with qtbot.waitSignal(view.customer_requested, timeout=1_000) as blocker:
        view.customer_button.click()
    assert blocker.args == [alder]
    with qtbot.waitSignal(view.customer_requested, timeout=1_000) as blocker:
        view.table.doubleClicked.emit(view.plans_model.index(1, 1))
    assert blocker.args == [alder]


def test_agreement_letter_opens_a_pdf_recorded_once(view, qtbot):
    from pypdf import PdfReader

    from debtordesk.db.models import Letter

    choose(view, qtbot, "PP-0001")
    with qtbot.waitSignal(view.changed, timeout=20_000):
        view.letter_button.click()
    assert len(view.opened) == 1 and view.opened[0].suffix == ".pdf"
    text = "".join(p.extract_text() for p in PdfReader(view.opened[0]).pages)
    assert "PP-0001" in text and "Alder & Co" in text
    with qtbot.waitSignal(view.changed, timeout=20_000):
        view.letter_button.click()  # again: the copy recorded the first time
    assert view.opened[1].read_bytes() == view.opened[0].read_bytes()
    with view.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Letter).where(Letter.reference == "PP-0001")) == 1
