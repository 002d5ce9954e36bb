"""Hand-over from the customer: the options compared with the user's figures, refusals under their
fields, the hand-over saved and the dunning run saying why it sends nothing; the customer's details
and the recall; the evidence pack written on the worker."""

import zipfile
from datetime import date
from decimal import Decimal

import pytest
from PySide6.QtWidgets import QDialogButtonBox, QWidget
from sqlalchemy import select

from debtordesk.db.models import Customer, Handover
from debtordesk.domain.money import round_half_up
from debtordesk.services.customers import customer_row
from debtordesk.services.dunning import dunning_run
from debtordesk.services.handover import claim, hand_over
from debtordesk.services.payments import record_payment
from debtordesk.ui.app import make_app
from debtordesk.ui.dialogs import handover as dialogs
from debtordesk.ui.dialogs.handover import HandoverDialog, RecallDialog, save_evidence_pack
from debtordesk.ui.views.customers import CustomerDetail
from debtordesk.ui.workers import TaskRunner
from helpers import add_invoice, dunning_books

TODAY = date(2026, 3, 10)


@pytest.fixture
def books(db):
    make_app()
    dunning_books(db)
    return db


def alder_id(db) -> int:
    with db.session() as s:
        return s.scalar(select(Customer.id).where(Customer.ref == "ALD"))


def column(table, c) -> list[str]:
    return [table.item(r, c).text() if table.item(r, c) else "" for r in range(table.rowCount())]


def test_compare_the_options_then_hand_over(books, qtbot, warnings):
    dialog = HandoverDialog(books, alder_id(books), TODAY)
    qtbot.addWidget(dialog)
    with books.session() as s:
        interest = claim(s, alder_id(books), "GBP", TODAY).interest_minor  # 38 days on £1,200
    pounds = f"£{interest // 100}.{interest % 100:02d}"
    assert column(dialog.invoices, 0) == ["INV-1"]
    assert column(dialog.invoices, 3) == [pounds] and column(dialog.invoices, 4) == ["£70.00"]
    assert dialog.chosen_label.text().startswith(f"1 invoice: £1,200.00 open + {pounds} interest + £70.00 "
                                                 "compensation")
    # no invoice old enough to learn from: no suggestion, the user gives the chance
    assert dialog.history.text().startswith("No invoice in GBP due from")
    assert dialog.chase.text() == ""
    assert column(dialog.options, 3) == ["—", "—", "—"]
    assert dialog.verdict.text() == "Enter your figures to compare the options."
    dialog.chase.setText("40")
    dialog.agency_percent.setText("60")
    dialog.compare_commission.setText("15")
    dialog.court_fee.setText("205")
    dialog.court_percent.setText("75")
    court = round_half_up(Decimal(120000 + interest + 7000) * Decimal("0.75")) - 20500
    qtbot.waitUntil(lambda: column(dialog.options, 3)[2] != "—")
    assert column(dialog.options, 0) == ["Keep chasing", "Collection agency", "Court claim"]
    assert column(dialog.options, 1)[:2] == ["£480.00", "£720.00"]
    assert column(dialog.options, 2)[:2] == ["£0.00", "£108.00"]
    assert column(dialog.options, 3) == ["£480.00", "£612.00", f"£{court // 100}.{court % 100:02d}"]
    assert dialog.verdict.text() == f"Expected to keep the most: court claim, £{court // 100}.{court % 100:02d}."
    assert "Collection agency: £1,200.00 open × 60 % recovered × (100 % − 15 % commission) = £612.00" in \
        dialog.workings.text()
    # a figure that cannot be read is refused under its field, and nothing is compared
    dialog.court_percent.setText("120")
    qtbot.waitUntil(lambda: dialog.inputs.error_text("court_percent") == "A percentage from 0 to 100.")
    assert dialog.verdict.text() == "Put the figures marked in red right to compare the options."
    dialog.court_percent.setText("75")
    qtbot.waitUntil(lambda: dialog.inputs.error_text("court_percent") == "")
    # the agency's commission follows the comparison until typed; refusals appear under their fields
    assert dialog.commission.text() == "15"
    dialog.commission.setText("150")
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    ok.click()
    assert dialog.form.error_text("commission") == ("The agency's commission must be a percentage from 0 to 100, "
                                                    "not 150.")
    assert dialog.form.error_text("name") == "Say who the debt is handed to: the agency's or the solicitor's name."
    assert dialog.result() != dialog.DialogCode.Accepted
    dialog.commission.setText("15")
    dialog.agent.setText("Collectors Ltd")
    dialog.reference.setText("C-77")
    ok.click()
    assert dialog.result() == dialog.DialogCode.Accepted and warnings == []
    with books.session() as s:
        h = s.get(Handover, dialog.handover_id)
        assert (h.agent_kind, h.agent_name, h.reference, h.commission_percent, h.whole_account, h.handed_on) == (
            "agency", "Collectors Ltd", "C-77", "15", True, TODAY)
        alder = next(p for p in dunning_run(s, TODAY) if p.ref == "ALD")
    assert alder.reason == "Handed to Collectors Ltd on 2026-03-10 (ref C-77)."
    # the figures are remembered for next time; the invoice handed over is shown, not offered again
    again = HandoverDialog(books, alder_id(books), TODAY)
    qtbot.addWidget(again)
    assert (again.agency_percent.text(), again.court_fee.text()) == ("60", "205")
    assert column(again.invoices, 5) == ["with Collectors Ltd"]
    assert again.chosen_ids() == []
    again.agent.setText("Smith")
    again.kind.setCurrentIndex(again.kind.findData("solicitor"))
    again.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert warnings == [("Nothing was handed over", "Tick the invoices to hand over first.")]


def test_a_refusal_of_the_service_is_shown(books, qtbot, warnings):
    dialog = HandoverDialog(books, alder_id(books), TODAY)
    qtbot.addWidget(dialog)
    with books.transaction() as s:  # someone else hands it over meanwhile
        hand_over(s, alder_id(books), "GBP", kind="solicitor", name="Smith & Co", handed_on=TODAY)
    dialog.agent.setText("Collectors Ltd")
    dialog.commission.setText("10")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert warnings == [("Nothing was handed over", "INV-1 is already handed to Smith & Co (since 2026-03-10); "
                                                    "recall that hand-over first, or choose the other invoices.")]
    assert dialog.result() != dialog.DialogCode.Accepted


def test_the_customer_shows_the_hand_over_and_it_can_be_recalled(books, qtbot, warnings):
    with books.transaction() as s:
        hand_over(s, alder_id(books), "GBP", kind="agency", name="Collectors Ltd", handed_on=date(2026, 3, 1),
                  reference="C-77", commission="15")
    detail = CustomerDetail(books, TODAY)
    qtbot.addWidget(detail)

    def show():
        with books.session() as s:
            detail.show_customer(customer_row(s, alder_id(books), TODAY))

    show()
    assert "HANDED OVER" in detail.figures.text()
    assert ("Handed over: to Collectors Ltd (agency) on 2026-03-01, ref C-77: every open invoice, £1,200.00; "
            "collected £0.00, less 15 % commission £0.00 = net £0.00; still open £1,200.00") in detail.details.text()
    assert detail.recall_button.isEnabled()
    asked = []
    detail.evidence_pack.connect(asked.append)
    detail.evidence_button.click()
    assert asked == [alder_id(books)]
    recall = RecallDialog(books, alder_id(books), TODAY)
    qtbot.addWidget(recall)
    assert recall.which.currentText() == "Collectors Ltd since 1 Mar 2026"
    recall.note.setText("No progress")
    recall.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert recall.result() == recall.DialogCode.Accepted and warnings == []
    show()
    assert "HANDED OVER" not in detail.figures.text()
    assert "Hand-over: to Collectors Ltd" in detail.details.text() and "(recalled 2026-03-10)" in detail.details.text()
    assert not detail.recall_button.isEnabled()
    with books.session() as s:
        assert next(p for p in dunning_run(s, TODAY) if p.ref == "ALD").proposed


def test_the_evidence_pack_is_written_on_the_worker(books, qtbot, tmp_path, monkeypatch):
    told = []
    monkeypatch.setattr(dialogs, "tell", lambda _parent, text, *a: told.append(text))
    parent = QWidget()
    qtbot.addWidget(parent)
    tasks = TaskRunner(parent, delay_ms=10_000)
    target = tmp_path / "pack.zip"
    task = save_evidence_pack(parent, books, tasks, alder_id(books), TODAY, path=target)
    qtbot.waitUntil(lambda: task.finished, timeout=20_000)
    assert task.outcome == "ok"
    assert told == [f"The evidence pack for Alder & Co is saved in {target}: the summary, the invoices as CSV, "
                    "0 letters as sent and a manifest of their SHA-256 fingerprints."]
    with zipfile.ZipFile(target) as z:
        assert sorted(z.namelist()) == ["invoices.csv", "manifest.csv", "summary.pdf"]


def test_the_history_is_read_on_the_worker_when_there_is_one(books, qtbot):
    with books.transaction() as s:
        dog = s.scalars(select(Customer).where(Customer.ref == "BIR")).one()
        for i, paid in enumerate((True, False)):  # due 31 Jan 2024: open 38 days later, one paid after
            inv = add_invoice(s, dog, f"H-{i}", "2024-01-01", "2024-01-31", 100000)
            if paid:
                record_payment(s, dog.id, date(2024, 6, 30), 100000, "GBP", invoice_id=inv.id)
    host = QWidget()
    qtbot.addWidget(host)
    dialog = HandoverDialog(books, alder_id(books), TODAY, None, TaskRunner(host, delay_ms=10_000))
    qtbot.addWidget(dialog)
    assert dialog.history.text() == "Reading your collection history…"
    qtbot.waitUntil(lambda: dialog.chase.text() == "50", timeout=10_000)
    assert dialog.history.text().endswith("you collected £1,000.00 within the following year: 50 %.")
    qtbot.waitUntil(lambda: column(dialog.options, 3)[0] == "£600.00")
