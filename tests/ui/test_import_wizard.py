"""File ▸ Import…: the wizard driven page by page as a bookkeeper would, on real-world files."""

import shutil
import threading
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QInputDialog, QMessageBox, QPushButton, QWizard
from sqlalchemy import func, select

from debtordesk.db.engine import open_database
from debtordesk.db.models import Customer, Invoice, Payment
from debtordesk.services.company import save_company
from debtordesk.services.import_format import detect_format
from debtordesk.services.import_mapping import PRESET_NAMES, list_mappings
from debtordesk.services.imports import import_csv
from debtordesk.ui.app import Desk, make_app
from debtordesk.ui.dialogs.import_wizard import ImportWizard
from debtordesk.ui.messages import ProblemsDialog

FIXTURES = Path(__file__).parents[1] / "fixtures" / "import"
TODAY = date(2026, 11, 24)


@pytest.fixture
def desk(qtbot, tmp_path):
    """A window on a started database holding the customers of the German fixture."""
    make_app()
    db = open_database(f"sqlite:///{tmp_path / 'books.sqlite3'}")
    found = detect_format(FIXTURES / "kunden-cp1252.csv", "customers")
    with db.transaction() as s:
        save_company(s, {"name": "Acme Ltd"})
        import_csv(s, "customers", FIXTURES / "kunden-cp1252.csv", found.format, found.fields)
    desk = Desk(TODAY)
    desk.start(db)
    qtbot.waitExposed(desk.window)
    yield desk
    for w in QApplication.topLevelWidgets():
        if isinstance(w, (QMessageBox, ProblemsDialog, ImportWizard)) and w.isVisible():
            w.close()
    assert desk.window.tasks.wait(10_000)
    desk.close()


def open_wizard(qtbot, window, *path: str) -> ImportWizard:
    """Click File ▸ … by the texts the user reads; return the wizard that opens."""
    menu = next(a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == "File")
    for i, text in enumerate(path, 1):
        action = next(a for a in menu.actions() if a.text().replace("&", "") == text)
        if i == len(path):
            action.trigger()
        else:
            menu = action.menu()
    qtbot.waitUntil(lambda: any(w.isVisible() for w in window.findChildren(ImportWizard)), timeout=5000)
    return next(w for w in window.findChildren(ImportWizard) if w.isVisible())


def next_page(qtbot, wizard: ImportWizard) -> None:
    """Wait until Next can be pressed, then press it."""
    button = wizard.button(QWizard.WizardButton.NextButton)
    qtbot.waitUntil(lambda: button.isEnabled() and wizard.currentPage().isComplete(), timeout=10_000)
    before = wizard.currentId()
    button.click()
    assert wizard.currentId() == before + 1


def cells(table, column: int) -> list[str]:
    model = table.model()
    return [model.index(r, column).data() for r in range(model.rowCount())]


def message(qtbot, parent, contains: str) -> str:
    boxes = []

    def shown():
        boxes[:] = [b for b in parent.findChildren(QMessageBox) if b.isVisible() and contains in b.text()]
        return bool(boxes)

    qtbot.waitUntil(shown, timeout=10_000)
    boxes[0].close()
    return boxes[0].text()


def count(db, model) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_a_semicolon_file_goes_through_every_page_into_the_database(qtbot, desk, tmp_path, monkeypatch):
    source = shutil.copy(FIXTURES / "rechnungen-cp1252.csv", tmp_path / "rechnungen.csv")
    window = desk.window
    wizard = open_wizard(qtbot, window, "Import", "Invoices…")  # the kind comes chosen
    kind_page = wizard.kind_page
    assert kind_page.buttons["invoices"].isChecked()
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()  # no file yet
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(source), "")))
    next(b for b in kind_page.findChildren(QPushButton) if b.text() == "&Browse…").click()
    assert kind_page.file.text() == str(source)
    next_page(qtbot, wizard)

    # (b) the format as detected, and the first lines read with it
    page = wizard.format_page
    qtbot.waitUntil(page.isComplete, timeout=10_000)
    assert [c.currentText() for c in (page.encoding, page.delimiter, page.decimal, page.dates)] == [
        "Windows-1252", "Semicolon  ( ; )", "Decimal comma  (1.234,56)", "DD.MM.YYYY  (31.03.2026)"]
    assert page.notes["encoding"].text().startswith("Please check: The file is not UTF-8")
    assert cells(page.lines, 2) == ["Müller GmbH", "Café Crème SARL", "Müller GmbH"]
    assert page.lines.horizontalHeaderItem(4).text() == "Fällig"
    page.delimiter.setCurrentIndex(page.delimiter.findData(","))  # wrong on purpose: the header is one column
    page.changed()
    assert page.lines.horizontalHeaderItem(0).text().startswith("Rechnungsnummer;Kundennummer;Kunde;")
    page.delimiter.setCurrentIndex(page.delimiter.findData(";"))
    page.changed()
    assert page.lines.columnCount() == 10
    next_page(qtbot, wizard)

    # (c) the columns, suggested from their German names
    mapping = wizard.mapping_page
    table = mapping.table
    assert [table.item(r, 0).text() for r in range(table.rowCount())][:4] == [
        "Rechnungsnummer", "Kundennummer", "Kunde", "Datum"]
    assert [c.currentText() for c in mapping.combos][:4] == [
        "Invoice number (required)", "Customer reference (required)", "(not imported)", "Invoice date (required)"]
    assert table.item(2, 2).text() == "Müller GmbH   ·   Café Crème SARL   ·   Müller GmbH"
    betrag = mapping.combos[7]
    betrag.setCurrentIndex(0)  # (not imported): the amount is missing now
    mapping.changed()
    assert mapping.missing.text() == "Still to choose: a column for Amount (needed for every invoice)."
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    betrag.setCurrentIndex(betrag.findData("amount"))
    mapping.changed()
    assert mapping.missing.text() == "Every field that is needed has a column."

    # save, find and delete a named mapping; presets cannot be deleted
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("Steuerbüro export", True)))
    mapping.save_button.click()
    with desk.db.session() as s:
        assert [m.name for m in list_mappings(s, "invoices")] == [*PRESET_NAMES, "Steuerbüro export"]
    assert mapping.saved.currentText() == "Steuerbüro export" and mapping.delete_button.isEnabled()
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Yes))
    mapping.delete_button.click()
    with desk.db.session() as s:
        assert [m.name for m in list_mappings(s, "invoices")] == list(PRESET_NAMES)
    preset = mapping.saved.findData(PRESET_NAMES[1])
    mapping.saved.setCurrentIndex(preset)
    mapping.load()
    assert not mapping.delete_button.isEnabled()
    assert mapping.saved.currentText() == f"Preset: {PRESET_NAMES[1]}"
    assert mapping.combos[2].currentText() == "(not imported)" and mapping.combos[7].currentData() == "amount"
    wizard.back()  # and forth: the preset stays chosen
    next_page(qtbot, wizard)
    assert mapping.saved.currentText() == f"Preset: {PRESET_NAMES[1]}"
    next_page(qtbot, wizard)

    # (d) every row checked, then Import
    preview = wizard.preview_page
    qtbot.waitUntil(lambda: preview.counts.text() == "All 3 rows are ready to import.", timeout=10_000)
    assert cells(preview.table, 0) == ["2", "3", "4"] and cells(preview.table, 1) == ["OK", "OK", "OK"]
    titles = [preview.table.model().headerData(c, Qt.Orientation.Horizontal) for c in range(4)]
    assert titles == ["Row", "Status", "Invoice number", "Customer reference"]
    import_button = wizard.button(QWizard.WizardButton.FinishButton)
    assert import_button.text() == "Import" and import_button.isEnabled()
    import_button.click()
    text = message(qtbot, window, "Imported")
    assert text.startswith("Imported 3 invoices from rechnungen.csv.")
    assert "Not imported: the columns Kunde, Netto, MwSt." in text
    assert not [w for w in window.findChildren(ImportWizard) if w.isVisible()]  # closed (and deleted)
    with desk.db.session() as s:
        got = s.execute(select(Invoice.number, Invoice.amount_minor, Invoice.currency, Invoice.description)
                        .order_by(Invoice.number)).all()
    assert [tuple(g) for g in got] == [("RE-2026-001", 123456, "EUR", "Beratung (€ pauschal)"),
                                       ("RE-2026-002", 1250, "EUR", "Café Crème für das Büro"),
                                       ("RE-2026-003", 100000, "GBP", "Wartung Februar")]
    model = window.aging_view.table.model  # the window was refreshed
    qtbot.waitUntil(lambda: model() is not None and "Müller GmbH" in {
        model().index(r, 1).data() for r in range(model().rowCount())}, timeout=10_000)


BAD = ("Rechnungsnummer;Kundennummer;Datum;Betrag\n"
       "R-1;K-100;05.01.2026;10,00\n"
       "R-2;NOPE;05.01.2026;10,00\n"
       "R-3;K-100;31.02.2026;1.5\n")


def test_bad_rows_are_shown_in_words_and_import_waits_until_they_are_right(qtbot, desk, tmp_path):
    f = tmp_path / "rechnungen.csv"
    f.write_text(BAD, encoding="utf-8")
    wizard = open_wizard(qtbot, desk.window, "Import…")
    wizard.kind_page.buttons["invoices"].setChecked(True)
    wizard.kind_page.file.setText(str(f))
    for _ in range(3):
        next_page(qtbot, wizard)
    preview = wizard.preview_page
    qtbot.waitUntil(lambda: "with problems" in preview.counts.text(), timeout=10_000)
    assert preview.counts.text().startswith("1 row ready, 2 with problems. Nothing can be imported")
    assert not wizard.button(QWizard.WizardButton.FinishButton).isEnabled()
    assert cells(preview.table, 1) == [
        "OK",
        "Customer reference (Kundennummer): no customer has ref 'NOPE' (import customers first)",
        "Invoice date (Datum): '31.02.2026' is not a real calendar date; Amount (Betrag): '1.5' is not an amount "
        "(write it like 1234,50 or 1.234,50: ',' as decimal comma, '.' only between thousands)"]
    model = preview.table.model()
    assert model.index(1, 0).data(8) is not None and model.index(0, 0).data(8) is None  # 8: background
    preview.table.selectRow(2)
    assert preview.details.text().startswith("Row 4: Invoice date (Datum): '31.02.2026'")
    preview.only_bad.setChecked(True)
    assert cells(preview.table, 0) == ["3", "4"]
    wizard.accept()  # Import is refused while rows are bad
    assert count(desk.db, Invoice) == 0 and wizard.isVisible()

    f.write_text(BAD.replace("NOPE", "K-101").replace("31.02.2026;1.5", "28.02.2026;1,50"), encoding="utf-8")
    preview.again.click()
    qtbot.waitUntil(lambda: preview.counts.text() == "All 3 rows are ready to import.", timeout=10_000)
    assert not preview.only_bad.isChecked() and not preview.details.text()
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert message(qtbot, desk.window, "Imported").startswith("Imported 3 invoices from rechnungen.csv.")
    assert count(desk.db, Invoice) == 3


def test_day_or_month_first_must_be_chosen_when_the_dates_do_not_say(qtbot, desk, tmp_path):
    f = shutil.copy(FIXTURES / "payments-ambiguous.csv", tmp_path / "payments.csv")
    (tmp_path / "payments.csv").write_text(Path(f).read_text(encoding="utf-8").replace("ACME", "K-100"),
                                           encoding="utf-8")
    wizard = open_wizard(qtbot, desk.window, "Import", "Payments…")
    wizard.kind_page.file.setText(str(f))
    next_page(qtbot, wizard)
    page = wizard.format_page
    qtbot.waitUntil(lambda: page.encoding.isEnabled(), timeout=10_000)
    assert page.dates.currentText() == "Choose: is the day or the month first?"
    assert "could be DD/MM/YYYY or MM/DD/YYYY (for example 03/04/2026)" in page.notes["dates"].text()
    assert not page.isComplete() and not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    page.dates.setCurrentIndex(page.dates.findData("mm/dd/yyyy"))
    page.changed()
    assert page.dates.findData("ask") == -1 and page.isComplete()
    for _ in range(2):
        next_page(qtbot, wizard)
    qtbot.waitUntil(lambda: wizard.preview_page.counts.text() == "All 2 rows are ready to import.", timeout=10_000)
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert message(qtbot, desk.window, "Imported").startswith("Imported 2 payments from payments.csv.")
    with desk.db.session() as s:
        assert [str(d) for d in s.scalars(select(Payment.date).order_by(Payment.date))] == ["2026-03-04", "2026-05-06"]


def test_cancelling_the_import_writes_nothing(qtbot, desk, tmp_path):
    f = tmp_path / "many.csv"
    f.write_text("number,customer_ref,issue_date,amount\n"
                 + "".join(f"N-{i},K-100,2026-01-01,1.00\n" for i in range(6000)), encoding="utf-8")
    wizard = open_wizard(qtbot, desk.window, "Import", "Invoices…")
    wizard.kind_page.file.setText(str(f))
    for _ in range(3):
        next_page(qtbot, wizard)
    qtbot.waitUntil(lambda: wizard.preview_page.counts.text() == "All 6,000 rows are ready to import.",
                    timeout=20_000)
    tasks = desk.window.tasks
    gate = threading.Event()
    tasks.run(lambda report, should_cancel: gate.wait(10), label="Busy")  # holds the worker
    started = []
    original = tasks.run
    tasks.run = lambda *a, **k: started.append(original(*a, **k)) or started[-1]
    wizard.button(QWizard.WizardButton.FinishButton).click()
    [task] = started
    task.cancel()  # as the progress dialog's Cancel does
    gate.set()
    assert message(qtbot, wizard, "cancelled") == "The import was cancelled. Nothing was written."
    assert count(desk.db, Invoice) == 0 and wizard.isVisible()
    assert wizard.button(QWizard.WizardButton.FinishButton).isEnabled()


def test_a_file_that_cannot_be_read_is_named_on_the_format_page(qtbot, desk, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    wizard = open_wizard(qtbot, desk.window, "Import…")
    wizard.kind_page.file.setText(str(tmp_path / "nowhere.csv"))
    assert wizard.kind_page.problem.text() == f"There is no file {tmp_path / 'nowhere.csv'}."
    wizard.kind_page.file.setText(str(empty))
    next_page(qtbot, wizard)
    page = wizard.format_page
    qtbot.waitUntil(lambda: "cannot be imported" in page.status.text(), timeout=10_000)
    assert page.status.text() == ("empty.csv cannot be imported: the file is empty; it needs a header row. "
                                  "Go back and choose another file.")
    assert not page.isComplete()
    assert count(desk.db, Customer) == 3


def test_closing_the_wizard_while_the_file_is_read_or_checked_is_harmless(qtbot, desk, tmp_path):
    f = tmp_path / "many.csv"
    f.write_text("ref,name\n" + "".join(f"C-{i},Customer {i}\n" for i in range(30_000)), encoding="utf-8")
    window = desk.window
    wizard = open_wizard(qtbot, window, "Import", "Customers…")
    wizard.kind_page.file.setText(str(f))
    wizard.next()  # detection starts on the worker
    wizard.close()  # and the wizard goes before it answers
    assert window.tasks.wait(10_000)
    qtbot.wait(50)  # the answer is delivered to nobody
    wizard = open_wizard(qtbot, window, "Import", "Customers…")
    wizard.kind_page.file.setText(str(f))
    for _ in range(3):
        next_page(qtbot, wizard)  # the check of every row starts
    task = wizard.preview_page.task
    wizard.close()
    assert task.finished or task._cancel.is_set()  # the check is called off
    assert window.tasks.wait(10_000)
    qtbot.wait(50)
    assert count(desk.db, Customer) == 3
