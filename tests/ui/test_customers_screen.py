from datetime import date

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox

from debtordesk.db.models import Customer
from debtordesk.services.payments import record_payment
from debtordesk.ui.dialogs import customer as customer_dialog
from debtordesk.ui.dialogs.customer import CustomerDialog
from debtordesk.ui.dialogs.payment import PaymentDialog
from debtordesk.ui.views import customers as customers_module
from debtordesk.ui.views.customers import CustomersView
from helpers import add_customer, add_invoice

TODAY = date(2026, 3, 1)
NAME, OVERDUE, BALANCE = 1, 3, 2


@pytest.fixture
def seeded(db):
    with db.transaction() as s:
        a = add_customer(s, "A1", "Alder & Co")
        a.credit_limit_minor = 50000
        add_invoice(s, a, "A-1", "2026-01-01", "2026-01-31", 40000)
        add_invoice(s, a, "A-2", "2026-02-01", "2026-03-03", 20000)
        b = add_customer(s, "B2", "Birch Holdings")
        b.on_hold = True
        c = add_customer(s, "C3", "Cedar GmbH")
        add_invoice(s, c, "C-1", "2026-02-20", "2026-03-20", 90000, "EUR")
        e = add_customer(s, "E5", "Elm Stores")
        add_invoice(s, e, "E-1", "2025-11-01", "2025-12-01", 10000)
        record_payment(s, e.id, date(2026, 1, 10), 15000, "GBP")
    return db


@pytest.fixture
def view(qtbot, seeded):
    v = CustomersView(seeded, TODAY)
    qtbot.addWidget(v)
    v.resize(1200, 600)
    v.show()
    v.refresh()
    return v


def names(view):
    return view.list.visible_texts(NAME)


def row_texts(view, name):
    r = names(view).index(name)
    return [view.list.model.index(r, c).data() for c in range(view.list.model.columnCount())]


def fill(dialog, **values):
    for key, text in values.items():
        dialog.inputs[key].setText(text)


def test_list_shows_balances_and_marks_overdue(view):
    assert names(view) == ["Alder & Co", "Birch Holdings", "Cedar GmbH", "Elm Stores"]
    assert row_texts(view, "Alder & Co")[:6] == ["A1", "Alder & Co", "£600.00", "£400.00", "29 days", "£500.00"]
    assert row_texts(view, "Cedar GmbH")[2] == "€900.00"
    assert row_texts(view, "Elm Stores")[2] == "-£50.00"  # credit on account
    model = view.list.model
    assert model.index(0, OVERDUE).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert model.index(2, OVERDUE).data(Qt.ItemDataRole.ForegroundRole) is None


def test_search_as_you_type_and_quick_filters(qtbot, view):
    view.list.search.setText("ced")
    qtbot.waitUntil(lambda: names(view) == ["Cedar GmbH"], timeout=2000)
    view.list.search.setText("nobody")
    qtbot.waitUntil(lambda: view.list.empty.isVisible(), timeout=2000)
    assert view.list.empty.text() == "Nothing matches the search or filters."
    view.list.search.clear()
    view.list.reload()
    view.list.filter_buttons["overdue"].setChecked(True)
    assert names(view) == ["Alder & Co"]
    view.list.filter_buttons["overdue"].setChecked(False)
    view.list.filter_buttons["on_hold"].setChecked(True)
    assert names(view) == ["Birch Holdings"]
    view.list.filter_buttons["on_hold"].setChecked(False)
    view.list.filter_buttons["over_limit"].setChecked(True)
    assert names(view) == ["Alder & Co"]


def test_sorting_by_clicking_a_header(qtbot, view):
    header = view.list.table.horizontalHeader()
    x = header.sectionViewportPosition(BALANCE) + header.sectionSize(BALANCE) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))
    first = names(view)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))
    assert {tuple(first), tuple(names(view))} == {
        ("Elm Stores", "Birch Holdings", "Alder & Co", "Cedar GmbH"),  # credit, nothing, £600, €900
        ("Cedar GmbH", "Alder & Co", "Birch Holdings", "Elm Stores"),
    }


def test_create_customer_through_the_dialog_and_see_it(qtbot, view, seeded):
    def fill_in():
        dialog = QApplication.activeModalWidget()
        fill(dialog, ref="N1", name="Newt Ltd", email="ap@newt.example", credit_limit="2500")
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()

    QTimer.singleShot(0, fill_in)
    view.new_record()
    assert "Newt Ltd" in names(view)
    assert view.detail.title.text() == "Newt Ltd  ·  N1"
    assert "credit limit £2,500.00" in view.detail.figures.text()


def test_bad_email_and_negative_limit_are_refused_next_to_the_field(qtbot, seeded):
    dialog = CustomerDialog(seeded)
    qtbot.addWidget(dialog)
    fill(dialog, ref="N1", name="Newt Ltd", email="newt at example", credit_limit="-10")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert dialog.error_text("email") == "'newt at example' is not an e-mail address (like name@example.com)."
    assert dialog.error_text("credit_limit") == "A credit limit cannot be negative (leave it empty for no limit)."
    assert dialog.error_text("name") == ""
    assert dialog.result() == 0 and dialog.saved_id is None
    with seeded.session() as s:
        assert s.query(Customer).filter_by(ref="N1").count() == 0


def test_record_payment_updates_balance_and_overdue(qtbot, view, seeded):
    view.select(1)
    assert view.detail.row.name == "Alder & Co"
    dialog = PaymentDialog(seeded, TODAY, 1)
    qtbot.addWidget(dialog)
    dialog.amount.setText("450.00")
    applied = [dialog.table.item(r, 3).text() for r in range(dialog.table.rowCount())]
    assert applied == ["400.00", "50.00"]  # oldest first: A-1 in full, the rest to A-2
    assert "Left as credit" not in dialog.summary.text()
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert dialog.saved_id is not None
    view.refresh()
    assert row_texts(view, "Alder & Co")[2:5] == ["£150.00", "", ""]
    assert "overdue" not in view.detail.figures.text()


def test_allocation_edited_by_hand_and_too_much_refused(qtbot, seeded):
    dialog = PaymentDialog(seeded, TODAY, 1)
    qtbot.addWidget(dialog)
    dialog.amount.setText("100.00")
    dialog.table.item(0, 3).setText("")
    dialog.table.item(1, 3).setText("100.00")
    assert "Applied to invoices: £100.00" in dialog.summary.text()
    dialog.table.item(0, 3).setText("50.00")
    assert dialog.problem.text() == "The amounts applied add up to £150.00, more than the payment of £100.00."
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert dialog.saved_id is None
    dialog.table.item(0, 3).setText("")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    with seeded.session() as s:
        from debtordesk.db.models import Invoice

        assert {i.number: i.open_minor for i in s.query(Invoice).filter_by(customer_id=1)} == {
            "A-1": 40000, "A-2": 10000}


def test_delete_with_invoices_is_refused_with_the_reason(qtbot, view, monkeypatch):
    said = []
    monkeypatch.setattr(customers_module.QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(customers_module.QMessageBox, "warning", lambda _p, title, text: said.append(text))
    view.select(1)
    view.detail.delete_button.click()
    assert said == ["Alder & Co cannot be deleted because it has 2 invoices; the history must stay complete. "
                    "Archive the customer instead: it disappears from the lists but its records are kept."]
    assert "Alder & Co" in names(view)
    view.detail.archive_button.click()
    assert "Alder & Co" not in names(view)
    view.select(2)
    view.detail.delete_button.click()
    assert names(view) == ["Cedar GmbH", "Elm Stores"]


def test_customer_dialog_module_function_returns_none_on_cancel(qtbot, seeded):
    QTimer.singleShot(0, lambda: QApplication.activeModalWidget().reject())
    assert customer_dialog.edit_customer(None, seeded) is None


def test_printing_the_list_prints_the_filtered_rows(view):
    from debtordesk.ui.printing import list_html

    view.list.filter_buttons["overdue"].setChecked(True)
    page = list_html("Customers — overdue", view.list.model, TODAY, "Northwind Ltd")
    assert "Alder &amp; Co" in page and "£400.00" in page and "1 row<" in page
    assert "Birch Holdings" not in page


def test_a_recorded_payment_can_be_reapplied_by_hand(qtbot, seeded):
    from debtordesk.db.models import Invoice, Payment
    from debtordesk.ui.dialogs.payment import ReallocateDialog

    with seeded.transaction() as s:
        pid = record_payment(s, 1, date(2026, 2, 25), 30000, "GBP").id  # all to A-1 (oldest)
    dialog = ReallocateDialog(seeded, TODAY, pid)
    qtbot.addWidget(dialog)
    assert [dialog.table.item(r, 3).text() for r in range(dialog.table.rowCount())] == ["300.00", ""]
    assert not dialog.amount.isEnabled()
    dialog.table.item(0, 3).setText("100.00")
    dialog.table.item(1, 3).setText("150.00")
    assert "Left as credit on account: £50.00" in dialog.summary.text()
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    with seeded.session() as s:
        assert {i.number: i.open_minor for i in s.query(Invoice).filter_by(customer_id=1)} == {
            "A-1": 30000, "A-2": 5000}
        assert s.get(Payment, pid).unapplied_minor == 5000
