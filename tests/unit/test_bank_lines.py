"""The pure rules for bank lines: names compared loosely, invoice numbers spotted, amounts exact."""

from datetime import date
from decimal import Decimal

import pytest

from debtordesk.domain.bank import BankLine, invoice_tokens, normalise_name, to_minor, with_keys
from debtordesk.domain.money import MoneyError


@pytest.mark.parametrize("a, b", [
    ("ALDER AND CO LTD", "Alder & Co"),
    ("Müller GmbH & Co. KG", "MULLER"),
    ("Birch Holdings Limited", "Birch Holdings Ltd."),
    ("The Cedar Company plc", "cedar"),
    ("Dogwood G.m.b.H.", "Dogwood GmbH"),
])
def test_names_match_without_case_punctuation_or_legal_form(a, b):
    assert normalise_name(a) == normalise_name(b)


def test_different_names_stay_different_and_a_bare_suffix_is_kept():
    assert normalise_name("Alder & Co") != normalise_name("Alder Brothers")
    assert normalise_name("Co Ltd") == "co ltd"  # nothing but legal words: compare them as they are


def test_invoice_tokens_hold_a_digit_and_come_in_text_order():
    assert invoice_tokens("Invoice inv-1001/1002, thanks! Ref #77.") == [
        "inv-1001/1002", "INV-1001/1002", "inv-1001", "INV-1001", "1002", "77"]
    assert invoice_tokens("no numbers here") == []


def test_amounts_are_exact_and_refuse_extra_decimals():
    assert to_minor(Decimal("1000.00"), "EUR") == 100000
    assert to_minor("-45.5", "EUR") == -4550
    assert to_minor("1500", "JPY") == 1500
    with pytest.raises(MoneyError, match="more than 2 decimal places"):
        to_minor("10.005", "EUR")
    with pytest.raises(MoneyError):
        to_minor("NaN", "EUR")


def test_keys_prefer_the_bank_id_and_tell_identical_lines_apart():
    line = BankLine(date(2026, 3, 3), 1000, "EUR", "A", source="csv")
    a, b, c = with_keys([line, line, line], [None, None, "TX9"])
    assert a.line_key != b.line_key and a.line_key.startswith("csv:h:")
    assert c.line_key == "csv::TX9" and (a.position, b.position, c.position) == (1, 2, 3)
    assert with_keys([line, line]) == (a, b)
