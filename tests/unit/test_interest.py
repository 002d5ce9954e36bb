"""Late-payment interest: hand-worked cases per regime (each figure worked out in a comment) and
properties. The shipped rate tables are used, so these figures also pin the shipped rates.

Day count: interest runs from the day after the due date to `until` inclusive, so
days = until - due; interest per period = principal x rate% x days / 365, rounded half-up."""

from datetime import date, timedelta
from decimal import Decimal as D
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from debtordesk.domain.interest import (
    LEGAL_BASIS,
    REGIMES,
    InterestError,
    RateEntry,
    RateTable,
    effective_regime,
    fixed_compensation,
    late_payment,
    legal_basis,
    merge,
    parse_rate_csv,
    uk_reference_date,
)

RATES_DIR = Path(__file__).resolve().parents[2] / "resources" / "rates"
FILES = {"boe": "boe-bank-rate.csv", "de-base": "de-basiszinssatz.csv", "ecb": "ecb-mro.csv"}
RATES = {key: parse_rate_csv((RATES_DIR / f).read_text(encoding="utf-8"), key) for key, f in FILES.items()}


def calc(amount, due, until, regime, kind="business", currency="GBP", **kw):
    kw.setdefault("rates", RATES)
    return late_payment(amount, currency, date.fromisoformat(due), date.fromisoformat(until), regime, kind, **kw)


def rows(result):
    return [(p.start.isoformat(), p.end.isoformat(), p.days, p.rate, p.principal_minor, p.interest_minor)
            for p in result.periods]


# ---- regimes ----------------------------------------------------------------------------------

def test_effective_regimes():
    assert set(REGIMES) == {"uk", "de", "eu", "contract", "none"}
    assert effective_regime("uk", "business") == "uk"
    assert effective_regime("uk", "consumer") == "none"  # the Act covers business debts only
    assert effective_regime("de", "business") == "de-b2b"
    assert effective_regime("de", "consumer") == "de-b2c"
    assert effective_regime("eu", "consumer") == "none"  # the Directive is B2B only
    assert effective_regime("contract", "consumer") == "contract"
    assert effective_regime("none", "business") == "none"
    with pytest.raises(InterestError, match="regime: 'fr'"):
        effective_regime("fr", "business")
    with pytest.raises(InterestError, match="kind"):
        effective_regime("uk", "charity")


def test_legal_basis_in_english_and_german():
    assert "Late Payment of Commercial Debts (Interest) Act 1998" in legal_basis("uk", "en")
    assert "§ 288 Abs. 2 BGB" in legal_basis("de-b2b", "de")
    assert "§ 288 Abs. 1 BGB" in legal_basis("de-b2c", "de-DE")
    assert "Richtlinie 2011/7/EU" in legal_basis("eu", "de_AT")
    assert legal_basis("eu", "fr") == LEGAL_BASIS["eu"]


# ---- UK -----------------------------------------------------------------------------------------

def test_uk_hand_worked():
    # £1,000 due 2024-03-15, interest from 2024-03-16 (first half-year) -> reference date 2023-12-31,
    # Bank Rate then 5.25% (from 2023-08-03) -> 13.25%. Days 2024-03-16..2024-06-13 = 16+30+31+13 = 90.
    # 1000 x 13.25% x 90/365 = 132.50 x 90 / 365 = 11925/365 = 32.6712... -> £32.67
    # Fixed sum: £1,000.00 is not under £1,000 -> £70. Total 102.67.
    r = calc(100000, "2024-03-15", "2024-06-13", "uk")
    assert rows(r) == [("2024-03-16", "2024-06-13", 90, D("13.25"), 100000, 3267)]
    assert (r.interest_minor, r.compensation_minor, r.total_minor) == (3267, 7000, 10267)
    assert r.regime == "uk" and r.currency == "GBP" and r.notes == ()


def test_uk_keeps_one_rate_across_base_rate_changes():
    # £5,000 due 2024-06-28: interest starts 2024-06-29 (first half) -> Bank Rate on 2023-12-31 = 5.25%.
    # The 1 Jul half-year and the cut to 5.00% on 2024-08-01 change nothing: one rate, 13.25%.
    # Days 2024-06-29..2024-09-30 = 2+31+31+30 = 94; 5000 x 13.25% x 94/365 = 662.50 x 94/365
    # = 62275/365 = 170.6164... -> £170.62. Fixed sum £70 (under £10,000).
    r = calc(500000, "2024-06-28", "2024-09-30", "uk")
    assert rows(r) == [("2024-06-29", "2024-09-30", 94, D("13.25"), 500000, 17062)]
    assert r.total_minor == 17062 + 7000


def test_uk_second_half_uses_the_rate_on_30_june():
    # Due 2024-07-31: interest starts 2024-08-01, the very day Bank Rate fell to 5.00%; the Order
    # takes the rate in force on 30 June 2024 = 5.25% -> 13.25%. Days 08-01..08-30 = 30.
    # 2000 x 13.25% x 30/365 = 265 x 30/365 = 7950/365 = 21.7808... -> £21.78
    assert uk_reference_date(date(2024, 8, 1)) == date(2024, 6, 30)
    assert uk_reference_date(date(2024, 1, 1)) == date(2023, 12, 31)
    r = calc(200000, "2024-07-31", "2024-08-30", "uk")
    assert rows(r) == [("2024-08-01", "2024-08-30", 30, D("13.25"), 200000, 2178)]


def test_uk_consumer_gets_nothing_and_is_told_why():
    r = calc(100000, "2024-03-15", "2024-06-13", "uk", kind="consumer")
    assert (r.interest_minor, r.compensation_minor, r.periods, r.regime) == (0, 0, (), "none")
    assert "businesses only" in r.notes[0]


@pytest.mark.parametrize(("amount", "fixed"), [(99999, 4000), (100000, 7000), (999999, 7000), (1000000, 10000)])
def test_uk_fixed_sum_bands(amount, fixed):
    # s.5A: under £1,000 -> £40; £1,000 to under £10,000 -> £70; £10,000 or more -> £100
    assert fixed_compensation(amount, "GBP", "uk") == fixed
    assert calc(amount, "2024-03-15", "2024-03-16", "uk").compensation_minor == fixed


def test_uk_debt_in_euro_has_no_fixed_sum_and_says_so():
    r = calc(100000, "2024-03-15", "2024-06-13", "uk", currency="EUR")
    assert r.interest_minor == 3267 and r.compensation_minor == 0
    assert any("debts in GBP" in n and "EUR" in n for n in r.notes)


# ---- Germany ------------------------------------------------------------------------------------

def test_de_business_splits_at_the_half_year():
    # €10,000 due 2024-05-31. Basiszinssatz 3.62% (1 Jan 2024) then 3.37% (1 Jul 2024); + 9 points.
    # 2024-06-01..06-30 = 30 days at 12.62%: 10000 x 12.62% x 30/365 = 1262 x 30/365 = 37860/365
    #   = 103.7260... -> €103.73
    # 2024-07-01..08-31 = 62 days at 12.37%: 1237 x 62/365 = 76694/365 = 210.1205... -> €210.12
    # Interest 313.85 + Verzugspauschale €40 = 353.85
    r = calc(1000000, "2024-05-31", "2024-08-31", "de", currency="EUR")
    assert rows(r) == [("2024-06-01", "2024-06-30", 30, D("12.62"), 1000000, 10373),
                       ("2024-07-01", "2024-08-31", 62, D("12.37"), 1000000, 21012)]
    assert (r.interest_minor, r.compensation_minor, r.total_minor) == (31385, 4000, 35385)
    assert r.regime == "de-b2b"


def test_de_consumer_five_points_no_flat_fee_and_365_days_in_a_leap_year():
    # €1,000 due 2024-01-31; 2024-02-01..03-31 = 29 (leap February) + 31 = 60 days.
    # Basiszinssatz 3.62% + 5 = 8.62%; 1000 x 8.62% x 60/365 (365 also in 2024) = 86.20 x 60/365
    # = 5172/365 = 14.1699... -> €14.17. No €40 for a consumer (§ 288(5) BGB).
    r = calc(100000, "2024-01-31", "2024-03-31", "de", kind="consumer", currency="EUR")
    assert rows(r) == [("2024-02-01", "2024-03-31", 60, D("8.62"), 100000, 1417)]
    assert r.compensation_minor == 0 and r.regime == "de-b2c"


def test_de_negative_base_rate_and_no_split_when_the_rate_stays():
    # €1,000 due 2019-12-31 until 2020-12-31: Basiszinssatz -0.88% all year (1 Jul brings the same
    # rate, so one period). -0.88 + 9 = 8.12%; 366 days: 1000 x 8.12% x 366/365 = 81.20 x 366/365
    # = 29719.2/365 = 81.4224... -> €81.42
    r = calc(100000, "2019-12-31", "2020-12-31", "de", currency="EUR")
    assert rows(r) == [("2020-01-01", "2020-12-31", 366, D("8.12"), 100000, 8142)]


# ---- EU -----------------------------------------------------------------------------------------

def test_eu_reference_rate_fixed_per_half_year():
    # €10,000 due 2024-05-31. ECB MRO in force on 1 Jan 2024 = 4.50% -> 12.50% for the first
    # half-year (the cut to 4.25% on 12 Jun 2024 waits for 1 Jul); on 1 Jul 2024 4.25% -> 12.25%.
    # 06-01..06-30 = 30 days: 1250 x 30/365 = 37500/365 = 102.7397... -> €102.74
    # 07-01..08-31 = 62 days: 1225 x 62/365 = 75950/365 = 208.0821... -> €208.08
    # Interest 310.82 + €40 = 350.82
    r = calc(1000000, "2024-05-31", "2024-08-31", "eu", currency="EUR")
    assert rows(r) == [("2024-06-01", "2024-06-30", 30, D("12.50"), 1000000, 10274),
                       ("2024-07-01", "2024-08-31", 62, D("12.25"), 1000000, 20808)]
    assert (r.interest_minor, r.compensation_minor) == (31082, 4000)


def test_eu_consumer_and_non_euro_debts():
    assert calc(100000, "2024-05-31", "2024-08-31", "eu", kind="consumer", currency="EUR").regime == "none"
    r = calc(100000, "2024-05-31", "2024-06-30", "eu", currency="SEK")
    assert r.compensation_minor == 0 and len(r.notes) == 2


# ---- contract, payments, edges ------------------------------------------------------------------

def test_contract_rate():
    # £2,500 at 8% due 2025-01-10: 01-11..04-10 = 21+28+31+10 = 90 days.
    # 2500 x 8% x 90/365 = 200 x 90/365 = 18000/365 = 49.3150... -> £49.32; no fixed sum
    r = calc(250000, "2025-01-10", "2025-04-10", "contract", contract_rate=D("8"), rates=None)
    assert rows(r) == [("2025-01-11", "2025-04-10", 90, D("8"), 250000, 4932)]
    assert r.compensation_minor == 0
    with pytest.raises(InterestError, match="Contract rate.*no interest rate"):
        calc(250000, "2025-01-10", "2025-04-10", "contract")
    with pytest.raises(InterestError, match="Contract rate"):
        calc(250000, "2025-01-10", "2025-04-10", "contract", contract_rate=D("-1"))


def test_part_payment_starts_a_new_period_the_day_after():
    # UK case above (£1,000, 13.25%) with £400 paid on 2024-04-14:
    # 03-16..04-14 = 16+14 = 30 days on £1,000: 132.50 x 30/365 = 3975/365 = 10.8904... -> £10.89
    # 04-15..06-13 = 16+31+13 = 60 days on £600: 79.50 x 60/365 = 4770/365 = 13.0685... -> £13.07
    # Interest 23.96; the fixed sum follows the £1,000 unpaid at the due date: £70.
    r = calc(100000, "2024-03-15", "2024-06-13", "uk", payments=[(date(2024, 4, 14), 40000)])
    assert rows(r) == [("2024-03-16", "2024-04-14", 30, D("13.25"), 100000, 1089),
                       ("2024-04-15", "2024-06-13", 60, D("13.25"), 60000, 1307)]
    assert (r.interest_minor, r.compensation_minor) == (2396, 7000)


def test_payment_on_or_before_the_due_date_reduces_from_the_start():
    # £100 paid on the due date: £900 from the start; 900 x 13.25% x 90/365 = 119.25 x 90/365
    # = 10732.5/365 = 29.4041... -> £29.40; £900 is under £1,000 -> £40
    r = calc(100000, "2024-03-15", "2024-06-13", "uk", payments=[(date(2024, 3, 15), 10000)])
    assert rows(r) == [("2024-03-16", "2024-06-13", 90, D("13.25"), 90000, 2940)]
    assert r.compensation_minor == 4000


def test_paid_in_full_stops_and_overpaying_never_goes_negative():
    r = calc(100000, "2024-03-15", "2024-06-13", "uk", payments=[(date(2024, 4, 14), 150000)])
    assert [p.end for p in r.periods] == [date(2024, 4, 14)] and r.interest_minor == 1089
    assert calc(100000, "2024-03-15", "2024-06-13", "uk", payments=[(date(2024, 1, 1), 100000)]).total_minor == 0


@pytest.mark.parametrize("until", ["2024-03-15", "2024-03-01"])
def test_nothing_before_the_debt_is_late(until):
    r = calc(100000, "2024-03-15", until, "uk")
    assert (r.interest_minor, r.compensation_minor, r.periods) == (0, 0, ())


def test_one_day_late():
    # 1000 x 13.25% x 1/365 = 0.3630... -> £0.36, and the full fixed sum
    assert rows(calc(100000, "2024-03-15", "2024-03-16", "uk"))[0][2:] == (1, D("13.25"), 100000, 36)


def test_total_is_the_sum_of_the_rounded_periods():
    # £1,000 at 10% due 2025-01-31 to 2025-03-02, £100 paid on 2025-02-08:
    # 02-01..02-08 = 8 days on 1000: 100 x 8/365 = 2.1917... -> £2.19
    # 02-09..03-02 = 20+2 = 22 days on 900: 90 x 22/365 = 5.4246... -> £5.42
    # Total £7.61 = 2.19 + 5.42 (rounding the unrounded sum 7.6164... would give 7.62)
    r = calc(100000, "2025-01-31", "2025-03-02", "contract", contract_rate=D(10),
             payments=[(date(2025, 2, 8), 10000)])
    assert [p.interest_minor for p in r.periods] == [219, 542] and r.interest_minor == 761


def test_a_small_payment_can_add_a_penny_of_rounding():
    # £1,000.25 at 10% for 30 days: 100.025 x 30/365 = 8.2212... -> £8.22.
    # Paying 1p on 2025-02-26 splits it: 26 days on 1000.25 -> 7.1252... -> £7.13 and
    # 4 days on 1000.24 -> 1.0961... -> £1.10: £8.23, one penny more, from rounding each line.
    due, until = "2025-01-31", "2025-03-02"
    assert calc(100025, due, until, "contract", contract_rate=D(10)).interest_minor == 822
    paid = calc(100025, due, until, "contract", contract_rate=D(10), payments=[(date(2025, 2, 26), 1)])
    assert [p.interest_minor for p in paid.periods] == [713, 110]


# ---- refusals -----------------------------------------------------------------------------------

def test_rate_before_the_table_starts_is_a_clear_error():
    # interest from 2008-07-01 needs Bank Rate on 2008-06-30; the shipped table starts 2009-03-05
    with pytest.raises(InterestError, match=r"starts on 2009-03-05.*2008-06-30.*Settings"):
        calc(100000, "2008-06-30", "2008-12-31", "uk")


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"amount": 0}, "Amount"),
    ({"amount": -5}, "Amount"),
    ({"regime": "fr"}, "regime"),
    ({"rates": {}}, "Bank of England Bank Rate table is missing"),
    ({"rates": None}, "table is missing"),
    ({"currency": "XYZ"}, "currency"),
    ({"payments": [(date(2024, 4, 1), 0)]}, "Payment on 2024-04-01"),
])
def test_nonsense_is_refused_naming_the_field(kwargs, words):
    args = {"amount": 100000, "regime": "uk", "rates": RATES, "currency": "GBP", "payments": ()} | kwargs
    with pytest.raises(InterestError if "currency" not in kwargs else ValueError, match=words):
        late_payment(args["amount"], args["currency"], date(2024, 3, 15), date(2024, 6, 13), args["regime"],
                     "business", payments=args["payments"], rates=args["rates"])


# ---- rate tables --------------------------------------------------------------------------------

def test_rate_table_lookup_changes_and_merge():
    boe = RATES["boe"]
    assert boe.rate_on(date(2023, 8, 2)) == D("5.00") and boe.rate_on(date(2023, 8, 3)) == D("5.25")
    assert [e.effective_from for e in boe.changes_between(date(2024, 8, 1), date(2024, 11, 7))] == [date(2024, 11, 7)]
    extra = merge(boe, [RateEntry(date(2026, 2, 5), D("3.50")), RateEntry(date(2025, 12, 18), D("3.70"))])
    assert extra.rate_on(date(2026, 3, 1)) == D("3.50") and extra.rate_on(date(2026, 1, 1)) == D("3.70")
    assert RateTable("x", (RateEntry(date(2020, 1, 2), D(1)), RateEntry(date(2020, 1, 1), D(2)))).entries[0].rate == 2


@pytest.mark.parametrize(("text", "words"), [
    ("effective_from,rate\n2024-01-01,1\n2024-13-01,2\n", "line 3: '2024-13-01' is not a date"),
    ("# source: x\neffective_from,rate\n2024-01-01,abc\n", "line 3: 'abc' is not a rate"),
    ("date,rate\n", "line 1: the header"),
    ("effective_from,rate\n2024-01-01,1,2\n", "line 2: expected two values"),
    ("effective_from,rate\n2024-01-01,1\n2024-01-01,2\n", "line 3: 2024-01-01 appears twice"),
    ("effective_from,rate\n", "no rates"),
])
def test_bad_rate_file_lines_are_named(text, words):
    with pytest.raises(InterestError, match=words):
        parse_rate_csv(text, "boe")


def test_shipped_tables_name_their_sources():
    assert "Bank of England" in RATES["boe"].source and "Official Bank Rate history" in RATES["boe"].source
    assert "Deutsche Bundesbank" in RATES["de-base"].source and "European Central Bank" in RATES["ecb"].source


# ---- properties ---------------------------------------------------------------------------------

DUE = st.dates(min_value=date(2015, 1, 1), max_value=date(2026, 11, 24))
CASE = st.tuples(
    st.integers(min_value=1, max_value=10**9),  # amount in minor units
    DUE,
    st.integers(min_value=-5, max_value=900),  # until - due
    st.sampled_from(["uk", "de", "eu", "contract"]),
    st.sampled_from(["business", "consumer"]),
    st.lists(st.tuples(st.integers(min_value=-10, max_value=900), st.integers(min_value=1, max_value=10**8)),
             max_size=4),
)


def run(case, extra=(), until_shift=0):
    amount, due, gap, regime, kind, pays = case
    payments = [(due + timedelta(days=d), m) for d, m in pays] + list(extra)
    return late_payment(amount, "EUR", due, due + timedelta(days=gap + until_shift), regime, kind,
                        payments=payments, rates=RATES, contract_rate=D("7.5"))


def exact(result):
    return sum(D(p.principal_minor) * p.rate * p.days / 36500 for p in result.periods)


@settings(max_examples=300, deadline=None)
@given(CASE)
def test_periods_are_contiguous_and_add_up(case):
    amount, due, gap, regime, kind, pays = case
    r = run(case)
    assert r.interest_minor >= 0 and r.compensation_minor >= 0
    assert r.interest_minor == sum(p.interest_minor for p in r.periods)
    if not r.periods:
        return
    assert r.periods[0].start == due + timedelta(days=1)
    for a, b in zip(r.periods, r.periods[1:], strict=False):
        assert b.start == a.end + timedelta(days=1)
        assert b.principal_minor <= a.principal_minor
        assert (a.rate, a.principal_minor) != (b.rate, b.principal_minor)
    assert all(p.days == (p.end - p.start).days + 1 and p.principal_minor > 0 for p in r.periods)
    total_days = sum(p.days for p in r.periods)
    paid_in_time = sum(m for d, m in pays if d < gap)  # payments dated before `until`
    if paid_in_time < amount:
        assert total_days == gap
    else:
        assert total_days <= gap


@settings(max_examples=200, deadline=None)
@given(CASE, st.integers(min_value=1, max_value=400))
def test_interest_never_falls_as_until_moves_on(case, more):
    assert run(case, until_shift=more).interest_minor >= run(case).interest_minor


@settings(max_examples=300, deadline=None)
@given(CASE, st.integers(min_value=-10, max_value=900), st.integers(min_value=1, max_value=10**8))
def test_a_payment_never_increases_interest(case, offset, minor):
    """Unrounded, a payment never increases interest. Rounded, it can add at most one minor unit:
    the line it splits in two is rounded twice (see test_a_small_payment_can_add_a_penny_of_rounding)."""
    due = case[1]
    assume(case[2] > 0)
    paid_on = due + timedelta(days=offset)
    before, after = run(case), run(case, extra=[(paid_on, minor)])
    assert exact(after) <= exact(before)
    assert after.interest_minor <= before.interest_minor + 1
    assert after.compensation_minor <= before.compensation_minor
    starts = {p.start for p in before.periods}
    splits = bool(before.periods) and before.periods[0].start < paid_on + timedelta(days=1) <= before.periods[-1].end
    if not splits or paid_on + timedelta(days=1) in starts:  # no line split in two: no extra rounding
        assert after.interest_minor <= before.interest_minor
