"""The first-run welcome: what a new user sees, and what ends up in the database."""

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLabel, QRadioButton, QWidget
from sqlalchemy import func, select

from debtordesk.db.engine import open_database
from debtordesk.db.models import Customer
from debtordesk.services.company import company_form, save_company
from debtordesk.ui.app import Desk, make_app
from debtordesk.ui.dialogs.welcome import WelcomeDialog

TODAY = date(2026, 11, 24)


@pytest.fixture
def blank(tmp_path):
    make_app()
    db = open_database(f"sqlite:///{tmp_path / 'new.sqlite3'}")
    yield db
    db.dispose()


@pytest.fixture
def desk(qtbot):
    desk = Desk(TODAY)
    yield desk
    if desk.window is not None:
        assert desk.window.tasks.wait(10_000)
    desk.close()


def field(dialog: QWidget, name: str) -> QWidget:
    [widget] = [w for w in dialog.findChildren(QWidget) if w.accessibleName() == name]
    return widget


def problem_next_to(dialog: QWidget, name: str) -> str:
    """The red sentence shown under the field called `name` ('' if none is shown)."""
    label = field(dialog, f"{name} problem")
    assert isinstance(label, QLabel)
    if not label.isVisible():
        return ""
    box, below = field(dialog, name), label
    top_left = box.mapTo(dialog, box.rect().bottomLeft())
    assert abs(below.mapTo(dialog, below.rect().topLeft()).x() - top_left.x()) < 5  # lined up
    assert 0 <= below.mapTo(dialog, below.rect().topLeft()).y() - top_left.y() < 12  # right under it
    return label.text()


def choose(dialog: QWidget, text: str) -> None:
    [button] = [b for b in dialog.findChildren(QRadioButton) if b.text().replace("&", "").startswith(text)]
    button.click()


def start_button(dialog: QWidget):
    [box] = dialog.findChildren(QDialogButtonBox)
    return box.button(QDialogButtonBox.StandardButton.Ok)


def welcomes_shown() -> list[WelcomeDialog]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, WelcomeDialog) and w.isVisible()]


def shown_welcome() -> WelcomeDialog:
    [dialog] = welcomes_shown()
    return dialog


def customers(db) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(Customer))


def test_it_greets_and_starts_on_an_empty_database_by_default(qtbot, blank):
    dialog = WelcomeDialog(blank, TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    texts = [label.text() for label in dialog.findChildren(QLabel)]
    assert "Welcome to DebtorDesk" in texts
    assert start_button(dialog).text() == "Start"
    checked = [b.text().replace("&", "") for b in dialog.findChildren(QRadioButton) if b.isChecked()]
    assert checked == ["Start with an empty database"]
    assert field(dialog, "Base currency").currentText() == "GBP"
    assert field(dialog, "Late-payment interest").currentText().startswith("UK — Late Payment")


def test_bad_email_and_iban_are_refused_next_to_the_field_and_nothing_is_saved(qtbot, blank):
    dialog = WelcomeDialog(blank, TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(field(dialog, "Company name"), "Acme Ltd")
    qtbot.keyClicks(field(dialog, "E-mail"), "accounts at acme")
    qtbot.keyClicks(field(dialog, "IBAN"), "GB28 NWBK 6016 1331 9268 19")
    qtbot.mouseClick(start_button(dialog), Qt.MouseButton.LeftButton)

    assert "e-mail address 'accounts at acme' is not valid" in problem_next_to(dialog, "E-mail")
    assert "check digits do not match" in problem_next_to(dialog, "IBAN")
    assert problem_next_to(dialog, "Company name") == ""
    assert dialog.isVisible()
    with blank.session() as s:
        assert company_form(s)["name"] == ""

    # fixing the e-mail clears its message; the IBAN still stops the start
    email = field(dialog, "E-mail")
    email.clear()
    qtbot.keyClicks(email, "accounts@acme.example")
    assert problem_next_to(dialog, "E-mail") == ""
    qtbot.mouseClick(start_button(dialog), Qt.MouseButton.LeftButton)
    assert "check digits" in problem_next_to(dialog, "IBAN") and dialog.isVisible()
    with blank.session() as s:
        assert company_form(s)["name"] == ""


def test_the_name_is_needed_for_an_empty_start(qtbot, blank):
    dialog = WelcomeDialog(blank, TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(start_button(dialog), Qt.MouseButton.LeftButton)
    assert problem_next_to(dialog, "Company name").startswith("Company name is required")
    assert dialog.isVisible()


def test_empty_start_keeps_the_profile_and_adds_no_customers(qtbot, blank, desk):
    desk.start(blank)
    dialog = shown_welcome()
    field(dialog, "Company name").setText("Müller & Töchter GmbH")  # non-ASCII: set, not typed
    field(dialog, "Address").setPlainText("Königstraße 1\n70173 Stuttgart")
    field(dialog, "IBAN").setText("de89 3704 0044 0532 0130 00")
    field(dialog, "Base currency").setCurrentText("EUR")
    regime = field(dialog, "Late-payment interest")
    regime.setCurrentIndex(regime.findText("EU", Qt.MatchFlag.MatchStartsWith))
    choose(dialog, "Start with an empty database")
    qtbot.mouseClick(start_button(dialog), Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: desk.window is not None and desk.window.isVisible(), timeout=10_000)
    assert not welcomes_shown()
    assert "Your details are saved" in desk.window.statusBar().currentMessage()
    with blank.session() as s:
        form = company_form(s)
    assert form["name"] == "Müller & Töchter GmbH" and form["address"] == "Königstraße 1\n70173 Stuttgart"
    assert form["iban"] == "DE89 3704 0044 0532 0130 00"
    assert (form["base_currency"], form["late_payment_regime"]) == ("EUR", "eu")
    assert customers(blank) == 0


def test_sample_start_fills_the_window_with_customers(qtbot, blank, desk):
    desk.start(blank)
    dialog = shown_welcome()
    qtbot.keyClicks(field(dialog, "Company name"), "Acme Ltd")
    choose(dialog, "Start with sample data")
    qtbot.mouseClick(start_button(dialog), Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: desk.window is not None, timeout=20_000)
    window = desk.window
    qtbot.waitUntil(lambda: window.aging_view.table.model() is not None
                    and window.aging_view.table.model().rowCount() > 10, timeout=20_000)
    names = {window.aging_view.table.model().index(r, 1).data()
             for r in range(window.aging_view.table.model().rowCount())}
    assert "Hartley & Sons Ltd" in names
    assert "Sample data added" in window.statusBar().currentMessage()
    assert customers(blank) == 24
    with blank.session() as s:
        assert company_form(s)["name"] == "Acme Ltd"  # the user's own name, not the sample one


def test_sample_start_without_details_uses_a_made_up_company(qtbot, blank):
    dialog = WelcomeDialog(blank, TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    choose(dialog, "Start with sample data")
    with qtbot.waitSignal(dialog.accepted, timeout=20_000):
        qtbot.mouseClick(start_button(dialog), Qt.MouseButton.LeftButton)
    assert customers(blank) == 24
    with blank.session() as s:
        assert company_form(s)["name"] == "Northwind Garden Supplies Ltd"


def test_cancel_still_opens_the_empty_database(qtbot, blank, desk):
    desk.start(blank)
    dialog = shown_welcome()
    qtbot.keyClicks(field(dialog, "Company name"), "Half typed")
    dialog.reject()
    qtbot.waitUntil(lambda: desk.window is not None and desk.window.isVisible(), timeout=10_000)
    assert "still empty" in desk.window.statusBar().currentMessage()
    with blank.session() as s:
        form = company_form(s)
    assert form["name"] == "" and form["base_currency"] == "GBP"
    assert customers(blank) == 0


def test_a_started_database_opens_without_the_welcome(qtbot, blank, desk):
    with blank.transaction() as s:
        save_company(s, {"name": "Acme Ltd"})
    desk.start(blank)
    assert desk.window is not None and desk.window.isVisible()
    assert not welcomes_shown()


def test_tab_goes_through_the_form_in_reading_order(qtbot, blank):
    dialog = WelcomeDialog(blank, TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is field(dialog, "Company name"))
    seen = []
    for _ in range(11):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        widget = QApplication.focusWidget()
        seen.append(widget.accessibleName() or (widget.parent().accessibleName() if widget.parent() else ""))
    assert seen == ["Address", "E-mail", "Phone", "Bank", "IBAN", "BIC", "Account number", "Sort code",
                    "Base currency", "Late-payment interest", seen[-1]]
    assert isinstance(QApplication.focusWidget(), QRadioButton)
