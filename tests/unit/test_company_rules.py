import pytest
from hypothesis import given
from hypothesis import strategies as st

from debtordesk.domain.company import (
    LATE_PAYMENT_REGIMES,
    REGIMES,
    check_company,
    compact_iban,
    format_iban,
    iban_mod97,
    iban_problem,
    valid_iban,
)

GOOD = {"name": "Acme Ltd", "base_currency": "GBP", "late_payment_regime": "uk"}


@pytest.mark.parametrize("iban", [
    "GB29 NWBK 6016 1331 9268 19",   # the textbook example
    "GB82WEST12345698765432",
    "DE89 3704 0044 0532 0130 00",
    "FR14 2004 1010 0505 0001 3M02 606",
    "NL91ABNA0417164300",
    "CH93 0076 2011 6238 5295 7",
    "gb29-nwbk-6016-1331-9268-19",   # lower case and dashes are tidied
])
def test_real_ibans_pass(iban):
    assert valid_iban(iban)


@pytest.mark.parametrize(("iban", "says"), [
    ("GB28 NWBK 6016 1331 9268 19", "check digits"),        # wrong check digits
    ("GB29 NWBK 6016 1331 9268 91", "check digits"),        # two digits swapped
    ("GB29 NWBK 6016 1331 9268", "GB has 22 characters; this one has 20"),
    ("29GB NWBK 6016 1331 9268 19", "two-letter country code"),
    ("GB29 NWBK 6016 1331 9268 1É", "letters and digits"),
    ("GB29 NWBK_6016 1331 9268 19", "letters and digits"),
    ("XX12 3", "15 to 34 characters"),
])
def test_bad_ibans_say_what_is_wrong(iban, says):
    assert says in iban_problem(iban)


def test_mod97_of_the_textbook_iban_is_one():
    assert iban_mod97(compact_iban("GB29 NWBK 6016 1331 9268 19")) == 1


@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=12, max_size=28))
def test_any_bban_with_computed_check_digits_is_valid(bban):
    # ISO 13616: check digits = 98 - mod97(BBAN + country + "00")
    check = 98 - iban_mod97("XK00" + bban)
    iban = f"XK{check:02d}{bban}"
    assert valid_iban(iban)
    assert format_iban(iban).replace(" ", "") == iban


def test_regimes_have_labels_and_uk_is_first():
    assert REGIMES[0] == "uk" and set(REGIMES) == {"uk", "de", "eu", "none"}
    assert "Late Payment of Commercial Debts" in LATE_PAYMENT_REGIMES["uk"]


def test_check_company_cleans_values():
    checked = check_company({**GOOD, "iban": "gb29 nwbk 6016 1331 9268 19", "bic": "nwbk gb2l",
                             "sort_code": "601613", "base_currency": "eur", "late_payment_regime": "EU"})
    assert checked.errors == {}
    assert checked.values["iban"] == "GB29NWBK60161331926819"
    assert checked.values["bic"] == "NWBKGB2L" and checked.values["sort_code"] == "60-16-13"
    assert checked.values["base_currency"] == "EUR" and checked.values["late_payment_regime"] == "eu"


def test_check_company_names_each_field_in_a_sentence():
    errors = check_company({"name": " ", "email": "nobody", "iban": "GB00 1234", "bic": "X",
                            "sort_code": "12-34", "base_currency": "XYZ",
                            "late_payment_regime": "mars"}).errors
    assert set(errors) == {"name", "email", "iban", "bic", "sort_code", "base_currency", "late_payment_regime"}
    assert errors["name"].startswith("Company name is required")
    assert "e-mail address 'nobody'" in errors["email"]
    assert "IBAN" in errors["iban"] and "BIC" in errors["bic"] and "sort code" in errors["sort_code"]
    assert "base currency 'XYZ'" in errors["base_currency"]
    assert all(m.endswith(".") for m in errors.values())


def test_empty_optional_fields_are_fine():
    assert check_company(GOOD).errors == {}
