from datetime import date, timedelta
from decimal import Decimal as D

import pytest

from debtordesk.db.models import RateEntry
from debtordesk.domain.interest import InterestError, late_payment
from debtordesk.domain.problems import FieldErrors, UserError
from debtordesk.services.rates import (
    TABLE_FILES,
    TABLE_LABELS,
    add_rate,
    delete_rate,
    list_rates,
    rate_tables,
    shipped_table,
)

TODAY = date(2026, 11, 24)


def test_shipped_tables_cover_2015_to_today():
    assert set(TABLE_LABELS) == set(TABLE_FILES) == {"boe", "de-base", "ecb"}
    for key in TABLE_FILES:
        table = shipped_table(key)
        assert table.entries[0].effective_from <= date(2015, 1, 1)
        day = date(2015, 1, 1)
        while day <= TODAY:  # every day has a rate (rate_on raises otherwise)
            table.rate_on(day)
            day += timedelta(days=30)
    assert "Bank of England" in shipped_table("boe").source
    assert "Deutsche Bundesbank" in shipped_table("de-base").source
    assert "European Central Bank" in shipped_table("ecb").source
    assert shipped_table("boe").rate_on(TODAY) == D("3.75")
    assert shipped_table("de-base").rate_on(TODAY) == D("1.27")
    assert shipped_table("ecb").rate_on(TODAY) == D("2.15")
    assert shipped_table("de-base").rate_on(date(2015, 1, 1)) == D("-0.83")
    assert shipped_table("ecb").rate_on(date(2015, 1, 1)) == D("0.05")
    # the Basiszinssatz changes only on 1 January and 1 July
    assert all((e.effective_from.day, e.effective_from.month) in ((1, 1), (1, 7))
               for e in shipped_table("de-base").entries)


def test_an_added_rate_extends_and_overrides_the_shipped_table(db):
    with db.transaction() as s:
        add_rate(s, "boe", date(2026, 2, 5), " 3.50 ", note="MPC February 2026")
        add_rate(s, "ecb", date(2025, 6, 11), "2.00", note="correction")
    with db.session() as s:
        tables = rate_tables(s)
        listed = list_rates(s, "boe")
        ecb = list_rates(s, "ecb")
    assert tables["boe"].rate_on(date(2026, 3, 1)) == D("3.50")
    assert tables["boe"].rate_on(date(2026, 1, 1)) == D("3.75")  # the shipped rate still applies before
    assert tables["ecb"].rate_on(TODAY) == D("2.00")
    assert listed[-1] == (date(2026, 2, 5), D("3.50"), "added", "MPC February 2026")
    assert listed[-2] == (date(2025, 12, 18), D("3.75"), "shipped", "")
    assert [r for r in ecb if r[0] == date(2025, 6, 11)] == [(date(2025, 6, 11), D("2.00"), "added", "correction")]
    assert [r[0] for r in listed] == sorted(r[0] for r in listed)
    # the interest calculation uses the merged table: due 2026-06-30, interest from 2026-07-01,
    # Bank Rate on 30 June 2026 = 3.50% (added) -> 11.50%; £1,000 x 11.50% x 31/365 = 115 x 31/365
    # = 3565/365 = 9.7671... -> £9.77
    r = late_payment(100000, "GBP", date(2026, 6, 30), date(2026, 7, 31), "uk", "business", rates=tables)
    assert (r.periods[0].rate, r.interest_minor) == (D("11.50"), 977)


def test_a_second_rate_on_the_same_date_is_refused(db):
    with db.transaction() as s:
        add_rate(s, "boe", date(2026, 2, 5), "3.50")
    with db.session() as s, pytest.raises(FieldErrors) as caught:
        add_rate(s, "boe", date(2026, 2, 5), "3.25")
    assert "already" in caught.value.errors["effective_from"]
    with db.session() as s:
        assert s.query(RateEntry).count() == 1


def test_shipped_rates_cannot_be_deleted_but_added_ones_can(db):
    with db.session() as s, pytest.raises(UserError, match="came with DebtorDesk and cannot be deleted"):
        delete_rate(s, "boe", date(2025, 12, 18))
    with db.session() as s, pytest.raises(UserError, match="no rate from 2026-03-03"):
        delete_rate(s, "boe", date(2026, 3, 3))
    with db.transaction() as s:
        add_rate(s, "boe", date(2026, 2, 5), "3.50")
        delete_rate(s, "boe", date(2026, 2, 5))
    with db.session() as s:
        assert s.query(RateEntry).count() == 0
        assert rate_tables(s)["boe"].rate_on(TODAY) == D("3.75")


@pytest.mark.parametrize(("text", "words"), [
    ("abc", "'abc' is not a rate"),
    ("", "is not a rate"),
    ("5,25", "is not a rate"),
    ("31", "out of range"),
    ("-10.5", "out of range"),
    ("1.23456", "more than 4 decimal places"),
    ("NaN", "is not a rate"),
])
def test_bad_rate_text_is_refused_naming_the_field(db, text, words):
    with db.session() as s, pytest.raises(FieldErrors) as caught:
        add_rate(s, "ecb", date(2026, 2, 5), text)
    assert list(caught.value.errors) == ["rate"] and words in caught.value.errors["rate"]


def test_unknown_tables_and_off_calendar_base_rates_are_refused(db):
    with db.session() as s:
        with pytest.raises(InterestError, match="'libor' is not a reference-rate table"):
            add_rate(s, "libor", date(2026, 2, 5), "1")
        with pytest.raises(FieldErrors) as caught:
            add_rate(s, "de-base", date(2026, 3, 1), "1.00")
        assert "1 January and 1 July" in caught.value.errors["effective_from"]
    with db.transaction() as s:
        add_rate(s, "de-base", date(2026, 7, 1), "1.02")
    with db.session() as s:
        assert rate_tables(s)["de-base"].rate_on(TODAY) == D("1.02")
