from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from debtordesk.domain.money import (
    Money,
    MoneyError,
    format_money,
    format_plain,
    minor_digits,
    parse_amount,
    split_by_weights,
    split_even,
)


@given(st.integers(min_value=-10**15, max_value=10**15), st.integers(min_value=1, max_value=500))
def test_split_even_parts_sum_to_the_whole(total, parts):
    result = split_even(total, parts)
    assert len(result) == parts
    assert sum(result) == total
    if total >= 0:
        assert all(p >= 0 for p in result)
    if total >= parts:
        assert all(p > 0 for p in result)  # no part is left empty when there is a unit for each
    # all parts but the last are equal; the last absorbs the rounding
    assert len(set(result[:-1])) <= 1


@given(
    st.integers(min_value=0, max_value=10**15),
    st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=60),
)
def test_split_by_weights_parts_sum_to_the_whole(total, weights):
    result = split_by_weights(total, weights)
    assert sum(result) == total
    assert all(p >= 0 for p in result)
    wsum = sum(weights)
    if wsum:
        for part, w in zip(result, weights, strict=True):
            exact = Decimal(total) * w / wsum
            assert abs(Decimal(part) - exact) < 1  # never more than one unit off its share


def test_split_examples_are_rounded_half_up_with_remainder_last():
    assert split_even(10000, 3) == [3333, 3333, 3334]
    assert split_even(20000, 3) == [6667, 6667, 6666]
    assert split_even(6, 4) == [1, 1, 1, 3]  # rounding 1.5 up would leave nothing for the last part
    assert split_even(3, 4) == [1, 1, 1, 0]  # fewer units than parts: a zero cannot be avoided
    assert split_even(2, 4) == [0, 0, 0, 2]
    assert split_by_weights(100, [1, 1, 1]) == [34, 33, 33]
    assert split_by_weights(101, [0, 0]) == [51, 50]


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [("1234.50", "GBP", 123450), ("0.01", "EUR", 1), ("7", "GBP", 700), ("1500", "JPY", 1500),
     ("1.234", "BHD", 1234), ("-3.20", "GBP", -320)],
)
def test_parse_amount(text, currency, minor):
    assert parse_amount(text, currency) == minor


@pytest.mark.parametrize(
    ("text", "fragment"),
    [("1,234.50", "no thousands separators"), ("12,50", "not an amount"), ("1e3", "not an amount"),
     ("1.234", "more than 2 decimal places"), ("", "required"), ("abc", "not an amount")],
)
def test_parse_amount_refuses_with_a_reason(text, fragment):
    with pytest.raises(MoneyError, match=fragment):
        parse_amount(text, "GBP")


def test_money_refuses_floats_and_mixed_currencies():
    with pytest.raises(TypeError):
        Money.of(0.1, "GBP")
    with pytest.raises(MoneyError, match="cannot combine GBP with EUR"):
        Money.of("1.00", "GBP") + Money.of("1.00", "EUR")
    assert Money.of("0.10", "GBP") + Money.of("0.20", "GBP") == Money.of("0.30", "GBP")
    assert Money.from_minor(12345, "GBP").minor == 12345
    assert Money.of("2.675", "BHD").times(1) == Money.of("2.675", "BHD")
    assert Money.of("10.00", "GBP").times(Decimal("0.0825")) == Money.of("0.83", "GBP")


def test_unknown_currency_is_refused():
    with pytest.raises(MoneyError, match="not a known currency"):
        Money.of("1", "XYZ")


def test_formatting():
    assert minor_digits("JPY") == 0
    assert format_plain(-5, "GBP") == "-0.05"
    assert format_plain(1500, "JPY") == "1500"
    assert format_money(123456789, "GBP", "en_GB") == "£1,234,567.89"
    assert format_money(123456789, "EUR", "de_DE") == "1.234.567,89\xa0€"
