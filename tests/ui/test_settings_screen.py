from datetime import date

import pytest

from debtordesk.services.correspondence import template_for
from debtordesk.services.dunning import load_policy
from debtordesk.services.rates import list_rates
from debtordesk.services.settings import get_setting
from debtordesk.ui.app import make_app
from debtordesk.ui.views.settings import SettingsView
from helpers import dunning_books

TODAY = date(2026, 11, 24)


@pytest.fixture
def settings(qtbot, db, monkeypatch):
    make_app()
    dunning_books(db)
    monkeypatch.setattr("debtordesk.ui.views.settings_policy.tell", lambda *a, **k: None)
    monkeypatch.setattr("debtordesk.ui.views.settings_letters.tell", lambda *a, **k: None)
    view = SettingsView(db, TODAY)
    qtbot.addWidget(view)
    view.show()
    view.ensure_loaded()
    return view


def test_policy_refusal_names_the_level_and_saves_nothing(settings, db):
    editor = settings.policy
    editor.table.item(1, 1).setText("5")  # Reminder 2 earlier than Reminder 1
    assert editor.save() is False
    assert editor.errors.text() == "Level 2 must come later than level 1 (7 days overdue)."
    with db.session() as s:
        assert load_policy(s)[1].days_overdue == 21
    editor.table.item(1, 1).setText("28")
    editor.table.item(1, 4).setText("5.00")
    assert editor.save() is True
    with db.session() as s:
        level = load_policy(s)[1]
    assert level.days_overdue == 28 and str(level.fee) == "5.00"


def test_where_reminders_resume_after_a_broken_plan_is_saved(settings, db):
    editor = settings.policy
    assert editor.on_breach.currentData() == "resume"
    editor.on_breach.setCurrentIndex(editor.on_breach.findData("final-demand"))
    assert editor.save() is True
    with db.session() as s:
        assert get_setting(s, "plans.on_breach") == "final-demand"
    editor.reload()
    assert editor.on_breach.currentText() == "with the final demand"


def test_template_errors_show_their_line_and_cannot_be_saved(settings, qtbot, db):
    letters = settings.letters
    letters.body.setPlainText("{{ salutation }}\n\nYou owe {{ customer.nmae }}.")
    qtbot.waitUntil(lambda: "Line 3" in letters.preview_text(), timeout=3000)
    assert "customer.nmae" in letters.preview_text() or "nmae" in letters.preview_text()
    assert not letters.save_button.isEnabled()
    letters.body.setPlainText("{{ salutation }}\n\n{{ customer.name }}, your account is overdue.")
    qtbot.waitUntil(lambda: "Alder" in letters.preview_text() or "your account is overdue" in
                    letters.preview_text(), timeout=3000)
    assert letters.save() is True
    with db.session() as s:
        assert "your account is overdue" in template_for(s, "reminder-1", "en").body
    letters.reset()
    with db.session() as s:
        assert "your account is overdue" not in template_for(s, "reminder-1", "en").body


def test_the_plan_agreement_words_are_edited_like_the_reminders(settings, qtbot, db):
    letters = settings.letters
    letters.letter.setCurrentIndex(letters.letter.findData("plan-agreement"))
    assert letters.letter.currentText() == "Payment plan agreement"
    qtbot.waitUntil(lambda: "PP-0001" in letters.preview_text(), timeout=3000)
    letters.body.setPlainText("{{ salutation }}\n\nPlease pay {{ plan.instalments }} of {{ plan.instalment }}.")
    qtbot.waitUntil(lambda: "Please pay" in letters.preview_text(), timeout=3000)
    assert letters.save() is True
    with db.session() as s:
        assert "{{ plan.instalments }}" in template_for(s, "plan-agreement", "en").body


def test_a_newer_rate_is_added_and_a_bad_one_explained(settings, db):
    rates = settings.rates
    rates.table_key.setCurrentIndex(rates.table_key.findData("boe"))
    rates.new_rate.setText("abc")
    rates.add()
    assert not rates.error.isHidden() and "abc" in rates.error.text()
    rates.new_rate.setText("3.50")
    rates.add()
    assert rates.error.isHidden()
    with db.session() as s:
        added = [r for r in list_rates(s, "boe") if r[2] == "added"]
    assert [(r[0], str(r[1])) for r in added] == [(TODAY, "3.50")]
    assert rates.table.item(0, 2).text() == "added by you"


def test_shipped_rates_cannot_be_deleted(settings, monkeypatch):
    told = []
    monkeypatch.setattr("debtordesk.ui.views.settings.tell", lambda _w, text, *a: told.append(text))
    rates = settings.rates
    rates.table.selectRow(0)
    rates.delete()
    assert told and "came with DebtorDesk" in told[0]


def test_company_details_are_checked_and_saved_with_a_logo(settings, db, tmp_path, monkeypatch):
    monkeypatch.setattr("debtordesk.ui.views.settings_company.tell", lambda *a, **k: None)
    company = settings.company
    assert company.inputs["name"].text() == "Kestrel Joinery Ltd"
    company.inputs["iban"].setText("GB00 WRONG")
    (tmp_path / "logo.txt").write_text("not a picture")
    company.logo.setText(str(tmp_path / "logo.txt"))
    assert company.save() is False
    assert "IBAN" in company.errors["iban"].text()
    company.inputs["iban"].setText("")
    assert company.save() is False
    assert "is not a PNG or JPEG picture" in company.logo_error.text()
    png = tmp_path / "logo.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 32)
    company.logo.setText(str(png))
    company.inputs["name"].setText("Kestrel Joinery & Sons Ltd")
    assert company.save() is True
    from debtordesk.services.company import get_company

    with db.session() as s:
        saved = get_company(s)
        assert (saved.name, saved.logo_path) == ("Kestrel Joinery & Sons Ltd", str(png))
