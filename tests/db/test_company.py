import pytest

from debtordesk.db.models import CompanyProfile
from debtordesk.domain.customers import FieldErrors
from debtordesk.services.company import company_form, is_blank, save_company
from helpers import add_customer


def test_a_new_database_has_a_default_form_and_is_blank(db):
    with db.transaction() as s:
        form = company_form(s)
        assert is_blank(s)
    assert form["name"] == "" and form["base_currency"] == "GBP" and form["late_payment_regime"] == "uk"


def test_save_and_read_back(db):
    with db.transaction() as s:
        save_company(s, {"name": "Acme Ltd", "email": "accounts@acme.example",
                         "iban": "gb29nwbk60161331926819", "base_currency": "eur",
                         "late_payment_regime": "eu"})
    with db.transaction() as s:
        form = company_form(s)
        assert not is_blank(s)
        assert s.query(CompanyProfile).count() == 1
    assert form["name"] == "Acme Ltd" and form["iban"] == "GB29 NWBK 6016 1331 9268 19"
    assert form["base_currency"] == "EUR" and form["late_payment_regime"] == "eu"


def test_fields_left_out_keep_their_values(db):
    with db.transaction() as s:
        save_company(s, {"name": "Acme Ltd", "phone": "+44 1 234"})
    with db.transaction() as s:
        save_company(s, {"email": "a@acme.example"})
    with db.session() as s:
        form = company_form(s)
    assert (form["name"], form["phone"], form["email"]) == ("Acme Ltd", "+44 1 234", "a@acme.example")


def test_any_wrong_field_saves_nothing(db):
    with db.transaction() as s:
        save_company(s, {"name": "Acme Ltd"})
    with pytest.raises(FieldErrors) as caught, db.transaction() as s:
        save_company(s, {"name": "Other Ltd", "email": "not-an-email", "iban": "GB00NWBK60161331926819"})
    assert set(caught.value.errors) == {"email", "iban"}
    with db.session() as s:
        assert company_form(s)["name"] == "Acme Ltd"


def test_unknown_fields_are_a_programming_error(db):
    with pytest.raises(ValueError, match="colour"), db.transaction() as s:
        save_company(s, {"colour": "blue"})


def test_a_database_with_customers_is_not_blank(db):
    with db.transaction() as s:
        add_customer(s)
    with db.session() as s:
        assert not is_blank(s)
