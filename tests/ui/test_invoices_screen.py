import re
from datetime import date, timedelta

import pytest
from PySide6.QtCore import QDate, QPoint, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from sqlalchemy import func, insert, select

from debtordesk.db.models import Invoice
from debtordesk.services.lists import Sort
from debtordesk.services.payments import record_payment
from debtordesk.ui.dialogs.invoice import InvoiceDialog
from debtordesk.ui.formatting import OVERDUE_COLOR
from debtordesk.ui.views import invoices as invoices_view
from debtordesk.ui.views.invoices import EMPTY_TEXT, InvoicesView
from helpers import add_customer, add_invoice

TODAY = date(2026, 3, 1)
NUMBER, CUSTOMER, ISSUED, DUE, AMOUNT, OPEN, STATUS = range(7)


@pytest.fixture
def ledger(db):
    with db.transaction() as s:
        a = add_customer(s, "A1", "Alder & Co")
        b = add_customer(s, "B2", "Birch GmbH", terms_days=14)
        add_invoice(s, a, "INV-001", "2026-01-01", "2026-01-31", 40000)  # overdue, part-paid below
        add_invoice(s, a, "INV-002", "2026-01-15", "2026-02-14", 10000)  # paid
        add_invoice(s, a, "INV-003", "2026-02-20", "2026-03-22", 5000)  # open, not due
        add_invoice(s, b, "INV-004", "2026-02-01", "2026-03-03", 90000, "EUR").disputed = True
        record_payment(s, a.id, date(2026, 2, 1), 10000, "GBP", invoice_id=2)
        record_payment(s, a.id, date(2026, 2, 10), 15000, "GBP", invoice_id=1)
    return db


@pytest.fixture
def view(qtbot, ledger):
    v = InvoicesView(ledger, TODAY)
    qtbot.addWidget(v)
    v.resize(1100, 600)
    v.show()
    v.ensure_loaded()
    return v


def numbers(view):
    return view.visible_texts(NUMBER)


def plain(button):
    return button.text().replace("&", "")


def invoice_count(db):
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(Invoice))


def row_of(view, number):
    return numbers(view).index(number)


# --- the list --------------------------------------------------------------------------------


def test_list_shows_invoices_newest_first_with_status_and_money(view, qtmodeltester):
    assert numbers(view) == ["INV-003", "INV-004", "INV-002", "INV-001"]
    assert view.visible_texts(CUSTOMER) == ["Alder & Co", "Birch GmbH", "Alder & Co", "Alder & Co"]
    assert view.visible_texts(STATUS) == ["Open", "Open · Disputed", "Paid", "Overdue 29 days"]
    assert view.visible_texts(AMOUNT) == ["£50.00", "€900.00", "£100.00", "£400.00"]
    assert view.visible_texts(OPEN) == ["£50.00", "€900.00", "£0.00", "£250.00"]
    assert view.model.index(0, AMOUNT).data(Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignRight
    assert view.count_label.text() == "4 invoices"
    qtmodeltester.check(view.model)


def test_an_overdue_row_is_marked_in_the_overdue_colour(view):
    late = row_of(view, "INV-001")
    for column in (DUE, OPEN, STATUS):
        assert view.model.index(late, column).data(Qt.ItemDataRole.ForegroundRole) == OVERDUE_COLOR
    on_time = row_of(view, "INV-003")
    assert view.model.index(on_time, STATUS).data(Qt.ItemDataRole.ForegroundRole) is None
    assert "still open" in view.model.index(late, STATUS).data(Qt.ItemDataRole.ToolTipRole)


@pytest.mark.parametrize(("combo", "choice", "expected"), [
    ("status", "Open", ["INV-003", "INV-004", "INV-001"]),
    ("status", "Overdue", ["INV-001"]),
    ("status", "Part-paid", ["INV-001"]),
    ("status", "Paid", ["INV-002"]),
    ("currency", "EUR", ["INV-004"]),
    ("currency", "GBP", ["INV-003", "INV-002", "INV-001"]),
    ("disputed", "Disputed", ["INV-004"]),
    ("disputed", "Not disputed", ["INV-003", "INV-002", "INV-001"]),
])
def test_each_filter_narrows_the_rows(view, combo, choice, expected):
    box = getattr(view, combo)
    box.setCurrentIndex(box.findText(choice))
    assert numbers(view) == expected
    box.setCurrentIndex(0)
    assert len(numbers(view)) == 4


def test_issue_dates_narrow_the_rows_and_can_be_cleared(view, qtbot):
    assert view.issued_from.text() == "any" and not view.clear_dates.isVisibleTo(view)
    view.issued_from.setDate(QDate(2026, 1, 10))
    view.issued_to.setDate(QDate(2026, 2, 1))
    qtbot.waitUntil(lambda: numbers(view) == ["INV-004", "INV-002"])
    assert view.clear_dates.isVisibleTo(view)
    qtbot.mouseClick(view.clear_dates, Qt.MouseButton.LeftButton)
    assert view.issued_from.text() == view.issued_to.text() == "any"
    assert len(numbers(view)) == 4


def test_search_narrows_the_rows(view, qtbot):
    qtbot.keyClicks(view.search, "002")
    qtbot.waitUntil(lambda: numbers(view) == ["INV-002"])
    view.search.clear()
    view.search.setText("INV-999")
    qtbot.waitUntil(lambda: view.empty.isVisibleTo(view))
    assert view.empty.text() == "Nothing matches the search or filters."


def test_customer_filter_is_a_chip_that_removes_itself(view, qtbot):
    view.show_customer(2, "Birch GmbH")
    assert numbers(view) == ["INV-004"]
    assert view.customer_chip.isVisibleTo(view) and "Birch GmbH" in view.customer_chip.text()
    qtbot.mouseClick(view.customer_chip, Qt.MouseButton.LeftButton)
    assert not view.customer_chip.isVisibleTo(view)
    assert len(numbers(view)) == 4


def test_clicking_a_header_sorts_in_sql(view, qtbot):
    header = view.table.horizontalHeader()

    def click(column):
        x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))

    click(AMOUNT)
    assert view.model.sort_key == Sort("amount")
    assert numbers(view) == ["INV-003", "INV-002", "INV-001", "INV-004"]
    click(AMOUNT)
    assert numbers(view) == ["INV-004", "INV-001", "INV-002", "INV-003"]
    click(CUSTOMER)
    assert view.visible_texts(CUSTOMER)[-1] == "Birch GmbH"


def test_an_empty_database_says_what_to_do(qtbot, db):
    v = InvoicesView(db, TODAY)
    qtbot.addWidget(v)
    v.show()
    v.ensure_loaded()
    assert v.empty.isVisibleTo(v) and not v.table.isVisibleTo(v)
    assert v.empty.text() == EMPTY_TEXT
    assert not v.edit_button.isEnabled() and v.new_button.isEnabled()


def test_the_compact_list_is_fixed_to_one_customer(qtbot, ledger):
    v = InvoicesView(ledger, TODAY, customer_id=1)
    qtbot.addWidget(v)
    v.show()
    v.ensure_loaded()
    headers = [v.model.headerData(c, Qt.Orientation.Horizontal) for c in range(v.model.columnCount())]
    assert headers == ["Number", "Issued", "Due", "Amount", "Open", "Status"]
    assert v.visible_texts(0) == ["INV-003", "INV-002", "INV-001"]
    assert not hasattr(v, "currency") and not v.customer_button.isVisibleTo(v)
    v.status.setCurrentIndex(v.status.findText("Overdue"))
    assert v.visible_texts(0) == ["INV-001"]
    v.show_customer(2, "Birch GmbH")
    v.status.setCurrentIndex(0)
    assert v.visible_texts(0) == ["INV-004"]


# --- actions ---------------------------------------------------------------------------------


def test_the_dispute_button_follows_the_selection(view):
    # the dialogs behind it are driven in test_dispute_dialogs.py
    view.table.selectRow(row_of(view, "INV-003"))
    assert plain(view.dispute_button) == "Dispute…"
    view.table.selectRow(row_of(view, "INV-004"))  # disputed
    assert plain(view.dispute_button) == "Resolve dispute…"
    view.table.selectRow(row_of(view, "INV-002"))  # paid: disputable, but nothing left to credit or write off
    assert plain(view.dispute_button) == "Dispute…" and view.dispute_button.isEnabled()
    assert not view.more_button.isEnabled()


def test_open_customer_and_record_payment_say_which(view, qtbot):
    view.table.selectRow(row_of(view, "INV-001"))
    with qtbot.waitSignal(view.open_customer) as opened:
        qtbot.mouseClick(view.customer_button, Qt.MouseButton.LeftButton)
    assert opened.args == [1]
    with qtbot.waitSignal(view.record_payment) as paying:
        qtbot.mouseClick(view.payment_button, Qt.MouseButton.LeftButton)
    assert paying.args == [1, 1]
    view.table.selectRow(row_of(view, "INV-002"))
    assert not view.payment_button.isEnabled()
    assert view.payment_button.toolTip() == "This invoice is paid in full."


def test_double_click_opens_the_editor(view, qtbot, monkeypatch):
    opened = []
    monkeypatch.setattr(invoices_view, "edit_invoice", lambda parent, db, today, invoice_id=None,
                        customer_id=None: opened.append(invoice_id))
    row = row_of(view, "INV-004")
    rect = view.table.visualRect(view.model.index(row, NUMBER))
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # as a hand does
    qtbot.mouseDClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: opened == [4])
    qtbot.wait(20)
    assert opened == [4]  # once, though Qt reports a double-click twice


POPUP_NOISE = pytest.mark.qt_log_ignore("does not support raise", "does not support grabbing the keyboard")


@POPUP_NOISE
def test_new_invoice_through_the_dialog_adds_a_row(view, ledger, qtbot):
    seen = {}

    def fill():
        dialog = QApplication.activeModalWidget()
        try:
            seen["title"] = dialog.windowTitle()
            dialog.number.setText("INV-100")
            dialog.customer.setFocus()
            qtbot.keyClicks(dialog.customer, "Birch")
            qtbot.waitUntil(lambda: dialog.customer.offers.rowCount() == 1)
            popup = dialog.customer.completer().popup()
            qtbot.waitUntil(popup.isVisible)
            qtbot.keyClick(popup, Qt.Key.Key_Down)
            qtbot.keyClick(popup, Qt.Key.Key_Return)
            seen["customer"] = (dialog.customer.customer_id(), dialog.customer.text())
            dialog.issue_date.setDate(QDate(2026, 2, 25))
            seen["due"] = dialog.due_date.date().toPython()  # issue + the customer's 14 days
            dialog.amount.setText("1234.50")
            dialog.currency.setCurrentText("EUR")
            dialog.description.setPlainText("Crates, Feb")
            qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
        finally:
            if dialog.isVisible():
                dialog.reject()

    QTimer.singleShot(0, fill)
    with qtbot.waitSignal(view.changed):
        qtbot.mouseClick(view.new_button, Qt.MouseButton.LeftButton)
    assert seen == {"title": "New invoice", "customer": (2, "Birch GmbH (B2)"), "due": date(2026, 3, 11)}
    assert invoice_count(ledger) == 5
    assert view.current().number == "INV-100"
    row = row_of(view, "INV-100")
    assert view.visible_texts(AMOUNT)[row] == "€1,234.50"
    assert view.visible_texts(CUSTOMER)[row] == "Birch GmbH"
    assert view.visible_texts(DUE)[row] == "11 Mar 2026"


@pytest.fixture
def dialog(qtbot, ledger):
    d = InvoiceDialog(ledger, TODAY, customer_id=1)
    qtbot.addWidget(d)
    d.show()
    return d


def save(qtbot, dialog):
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)


@pytest.mark.parametrize(("field", "change", "sentence"), [
    ("amount", lambda d: d.amount.setText("-20.00"), "The amount must be more than zero."),
    ("due_date", lambda d: (d.issue_date.setDate(QDate(2026, 3, 10)), d.due_date.setDate(QDate(2026, 3, 1))),
     "The due date cannot be before the issue date."),
    ("number", lambda d: d.number.setText("INV-002"),
     "Invoice number INV-002 is already used; each invoice needs its own number."),
    ("currency", lambda d: d.currency.setCurrentText("XYZ"), "is not a known currency code"),
])
def test_a_refusal_shows_under_its_field_and_saves_nothing(qtbot, ledger, dialog, field, change, sentence):
    dialog.amount.setText("10.00")
    change(dialog)
    save(qtbot, dialog)
    assert sentence in dialog.form.error_text(field)
    assert dialog.isVisible() and dialog.saved_id is None
    assert invoice_count(ledger) == 4
    others = [k for k in dialog.form.errors if k != field]
    assert all(dialog.form.error_text(k) == "" for k in others)


@POPUP_NOISE
def test_a_customer_must_be_chosen_and_a_typed_reference_chooses_one(qtbot, ledger):
    d = InvoiceDialog(ledger, TODAY)
    qtbot.addWidget(d)
    d.show()
    d.amount.setText("10")
    save(qtbot, d)
    assert d.form.error_text("customer_id") == "Choose the customer this invoice is for."
    d.customer.setFocus()
    qtbot.keyClicks(d.customer, "b2")
    qtbot.waitUntil(lambda: d.customer.offers.stringList() == ["Birch GmbH (B2)"])
    popup = d.customer.completer().popup()
    qtbot.keyClick(popup if popup.isVisible() else d.customer, Qt.Key.Key_Tab)  # leave without choosing
    assert d.customer.customer_id() == 2 and d.customer.text() == "Birch GmbH (B2)"
    save(qtbot, d)
    assert d.saved_id is not None and invoice_count(ledger) == 5


def test_due_date_follows_the_terms_until_changed(dialog):
    assert dialog.windowTitle() == "New invoice"
    assert dialog.due_date.date().toPython() == TODAY + timedelta(days=30)
    dialog.issue_date.setDate(QDate(2026, 4, 1))
    assert dialog.due_date.date() == QDate(2026, 5, 1)
    dialog.due_date.setDate(QDate(2026, 6, 30))
    dialog.issue_date.setDate(QDate(2026, 4, 2))
    assert dialog.due_date.date() == QDate(2026, 6, 30)


def test_editing_a_part_paid_invoice_says_what_is_paid(qtbot, ledger):
    d = InvoiceDialog(ledger, TODAY, invoice_id=1)
    qtbot.addWidget(d)
    d.show()
    assert d.windowTitle() == "Invoice INV-001"
    assert d.paid_note.isVisibleTo(d) and d.paid_note.text().startswith("£150.00 has already been paid")
    assert not d.customer.isEnabled() and not d.currency.isEnabled()
    assert d.amount.text() == "400.00" and d.due_date.date() == QDate(2026, 1, 31)
    d.amount.setText("100.00")
    save(qtbot, d)
    assert "150.00 has already been paid" in d.form.error_text("amount")
    d.amount.setText("450.00")
    save(qtbot, d)
    assert d.saved_id == 1
    with ledger.session() as s:
        assert s.get(Invoice, 1).open_minor == 30000


def test_a_change_made_elsewhere_is_reported_and_not_overwritten(qtbot, ledger, monkeypatch):
    d = InvoiceDialog(ledger, TODAY, invoice_id=3)
    qtbot.addWidget(d)
    with ledger.transaction() as s:
        s.get(Invoice, 3).description = "changed by a colleague"
    shown = []
    monkeypatch.setattr("debtordesk.ui.dialogs.invoice.QMessageBox.warning",
                        lambda parent, title, text: shown.append(text))
    d.amount.setText("60.00")
    save(qtbot, d)
    assert shown and re.match(r"Invoice INV-003 was changed by \S+ at \d\d:\d\d today, after you opened it", shown[0])
    with ledger.session() as s:
        assert s.get(Invoice, 3).amount_minor == 5000


# --- a large ledger ------------------------------------------------------------------------------


def test_a_200k_invoice_ledger_is_read_a_window_at_a_time(qtbot, db):
    n = 200_000
    start = date(2000, 1, 1)
    with db.transaction() as s:
        ids = [add_customer(s, f"C{i}", f"Customer {i}").id for i in range(3)]
        s.execute(insert(Invoice), [
            {"number": f"INV-{i:06d}", "customer_id": ids[i % 3], "issue_date": start + timedelta(days=i // 50),
             "due_date": start + timedelta(days=i // 50 + 30), "amount_minor": 1000 + i, "open_minor": 1000 + i,
             "currency": "GBP", "description": ""}
            for i in range(n)
        ])
    v = InvoicesView(db, date(2011, 1, 1))
    qtbot.addWidget(v)
    v.resize(1100, 600)
    v.show()
    v.ensure_loaded()
    assert v.count_label.text() == "200,000 invoices"
    assert v.model.rowCount() == n and v.model.rows_in_memory <= 1600
    v.table.scrollToBottom()
    qtbot.wait(50)
    QApplication.processEvents()
    assert v.model.rows_in_memory <= 1600 and v.model.fetched_rows < 2000
    assert v.model.index(n - 1, NUMBER).data() == "INV-000000"  # the oldest, last newest-first
    assert v.table.rowAt(v.table.viewport().height() - 5) > n - 100  # the end is what is shown
    v.table.selectRow(n - 1)
    v.refresh()
    assert v.current().number == "INV-000000" and v.model.rows_in_memory <= 1600
