"""Reading dates and amounts in a file's own format, and guessing that format from sample values."""

from datetime import date

import pytest

from debtordesk.domain.csvformat import (
    CsvFormat,
    date_parser,
    guess_date_format,
    guess_decimal_comma,
    parse_money,
    plain_amount,
)
from debtordesk.domain.dates import DateError
from debtordesk.domain.money import MoneyError


@pytest.mark.parametrize(("code", "text", "expected"), [
    ("iso", "2026-03-31", date(2026, 3, 31)),
    ("dd/mm/yyyy", "31/03/2026", date(2026, 3, 31)),
    ("dd/mm/yyyy", "1/3/2026", date(2026, 3, 1)),
    ("mm/dd/yyyy", "03/31/2026", date(2026, 3, 31)),
    ("dd.mm.yyyy", " 31.03.2026 ", date(2026, 3, 31)),
    ("dd.mm.yyyy", "5.1.2026", date(2026, 1, 5)),
])
def test_each_date_format_reads_its_dates(code, text, expected):
    assert date_parser(code)(text) == expected


@pytest.mark.parametrize(("code", "text", "message"), [
    ("dd.mm.yyyy", "2026-03-31", "'2026-03-31' is not a date in the form DD.MM.YYYY (for example 31.03.2026)"),
    ("dd/mm/yyyy", "31.03.2026", "'31.03.2026' is not a date in the form DD/MM/YYYY"),
    ("mm/dd/yyyy", "31/03/2026", "'31/03/2026' is not a real calendar date"),
    ("dd.mm.yyyy", "30.02.2026", "'30.02.2026' is not a real calendar date"),
    ("dd/mm/yyyy", "", "a date is required"),
])
def test_a_date_in_another_form_is_refused_in_words(code, text, message):
    with pytest.raises(DateError) as caught:
        date_parser(code)(text)
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize(("text", "currency", "comma", "minor"), [
    ("1.234,56", "EUR", True, 123456),
    ("12,50", "EUR", True, 1250),
    ("1 234,5", "EUR", True, 123450),
    ("-7", "EUR", True, -700),
    ("1.000.000", "EUR", True, 100000000),
    ("1234.56", "GBP", False, 123456),
    ("1,234.56", "GBP", False, 123456),
    ("1.234", "JPY", True, 1234),
])
def test_amounts_in_either_decimal_mark(text, currency, comma, minor):
    assert parse_money(text, currency, comma) == minor


@pytest.mark.parametrize(("text", "comma", "message"), [
    ("12.50", True, "'12.50' is not an amount (write it like 1234,50"),
    ("1,005", True, "'1,005' has more than 2 decimal places for EUR"),
    ("12,50", False, "'12,50' is not an amount (write it like 1234.50"),
    ("1,2345.6", False, "'1,2345.6' is not an amount"),
    ("", True, "an amount is required"),
])
def test_amounts_that_do_not_fit_the_mark_are_refused(text, comma, message):
    with pytest.raises(MoneyError) as caught:
        parse_money(text, "EUR", comma)
    assert str(caught.value).startswith(message)


def test_plain_amount_keeps_the_decimals_as_written():
    assert plain_amount("1.234,560", True) == "1234.560"
    assert plain_amount("5.000", True) == "5000"
    assert plain_amount("1,234.5", False) == "1234.5"
    assert plain_amount("", True) == ""


def test_all_dates_fitting_one_format_pick_it():
    assert guess_date_format(["2026-01-31", "2026-02-01"]).code == "iso"
    assert guess_date_format(["31.01.2026", "01.02.2026"]).code == "dd.mm.yyyy"
    us = guess_date_format(["01/31/2026", "02/01/2026"])
    assert (us.code, us.ambiguous, us.parsed, us.seen) == ("mm/dd/yyyy", False, 2, 2)
    uk = guess_date_format(["31/01/2026", "02/01/2026"])
    assert (uk.code, uk.ambiguous) == ("dd/mm/yyyy", False)


def test_day_and_month_both_twelve_or_under_stays_ambiguous():
    guess = guess_date_format(["03/04/2026", "05/06/2026", ""])
    assert guess.ambiguous and guess.example == "03/04/2026"
    assert "could be DD/MM/YYYY or MM/DD/YYYY (for example 03/04/2026)" in guess.note()


def test_mixed_dates_pick_the_format_most_of_them_fit():
    guess = guess_date_format(["2026-02-01", "01/02/2026", "2026-02-03"])
    assert (guess.code, guess.parsed, guess.seen, guess.ambiguous) == ("iso", 2, 3, False)
    assert "2 of 3 sample dates read as YYYY-MM-DD" in guess.note()
    assert guess_date_format([]).code == "iso" and "No dates" in guess_date_format([]).note()


def test_decimal_comma_is_guessed_from_amounts_only_it_explains():
    assert guess_decimal_comma(["1.234,56", "12,50", "7"]).decimal_comma
    point = guess_decimal_comma(["1234.56", "10.00", "1,234.50"])
    assert not point.decimal_comma and point.sure
    unclear = guess_decimal_comma(["1.234", "1,234", "100"])  # thousands or three decimals: no vote
    assert (unclear.comma, unclear.point, unclear.seen) == (0, 0, 3)
    assert "whole numbers" in unclear.note()
    mixed = guess_decimal_comma(["12,50", "3,10", "4.50"])
    assert mixed.decimal_comma and not mixed.sure and "mixed" in mixed.note()


def test_format_describes_itself_and_survives_json():
    fmt = CsvFormat("cp1252", ";", True, "dd.mm.yyyy")
    assert fmt.describe() == "Windows-1252, semicolon-separated, decimal comma, dates DD.MM.YYYY"
    assert CsvFormat.from_json(fmt.to_json()) == fmt
    assert CsvFormat.from_json({}) == CsvFormat()
    with pytest.raises(ValueError):
        CsvFormat(delimiter="|")
