"""`debtordesk plan`: the schedule as a table and as JSON, refusals naming the option, no database."""

import pytest


def test_table_of_an_amortised_plan_and_no_database(cli):
    # £10,000 at 12% a year, 12 monthly instalments: 888.49 x 11 + 888.47, interest 661.86 (docs/plans.md)
    r = cli("plan", "--amount", "10000", "--start", "2027-01-31", "--count", "12", "--annual-rate", "12")
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert lines[0] == "Payment plan: 10000.00 GBP in 12 instalment(s), monthly, 12% a year, amortised"
    rows = [line.split() for line in lines[4:16]]
    assert rows[0] == ["1", "2027-01-31", "888.49", "100.00", "9773.37"]
    assert rows[1] == ["2", "2027-02-28", "888.49", "92.12", "8884.88"]
    assert rows[11] == ["12", "2027-12-31", "888.47", "8.80", "0.00"]
    summary = [line.split() for line in lines[17:21]]
    assert summary == [["Principal", "10000.00", "GBP"], ["Interest", "661.86", "GBP"], ["Fee", "0.00", "GBP"],
                       ["Total", "10661.86", "GBP"]]
    assert lines[21] == "Last instalment due 2027-12-31"
    assert not cli.db.exists()


def test_json_with_down_payment_fee_and_instalment_amount(cli):
    # 1,000.00 with 100.00 down and a 10.00 fee, 250.00 a fortnight: 910.00 -> 250, 250, 250, 160
    r = cli("plan", "--amount", "1000", "--start", "2027-03-01", "--instalment", "250", "--every", "fortnight",
            "--down", "100", "--fee", "10", "--format", "json")
    assert r.code == 0, r.err
    data = r.json()
    assert (data["currency"], data["count"], data["frequency"], data["end"]) == ("GBP", 4, "fortnightly",
                                                                               "2027-04-26")
    got = [(i["number"], i["due"], i["amount"], i["balance_after"]) for i in data["instalments"]]
    assert got == [(0, "2027-03-01", "100.00", "910.00"), (1, "2027-03-15", "250.00", "660.00"),
                   (2, "2027-03-29", "250.00", "410.00"), (3, "2027-04-12", "250.00", "160.00"),
                   (4, "2027-04-26", "160.00", "0.00")]
    assert data["totals"] == {"principal": "1000.00", "interest": "0.00", "fee": "10.00", "total": "1010.00"}
    assert sum(float(i["fee"]) for i in data["instalments"]) == pytest.approx(10.0)


def test_every_n_days_and_zero_decimal_currency(cli):
    r = cli("plan", "--amount", "1000", "--currency", "JPY", "--start", "2027-01-01", "--count", "3",
            "--every", "10d", "--flat-pct", "10", "--format", "json")
    assert r.code == 0, r.err
    data = r.json()
    assert [(i["due"], i["amount"], i["interest"]) for i in data["instalments"]] == [
        ("2027-01-01", "367", "33"), ("2027-01-11", "367", "34"), ("2027-01-21", "366", "33")]
    assert data["totals"]["total"] == "1100"


@pytest.mark.parametrize("args, message", [
    (["--amount", "0", "--count", "3"], "--amount: The amount owed must be more than zero."),
    (["--amount", "1,000", "--count", "3"], "--amount: '1,000' is not an amount"),
    (["--amount", "100", "--count", "0"], "--count: The number of instalments must be between 1 and 600."),
    (["--amount", "100", "--count", "two"], "--count: 'two' is not a whole number."),
    (["--amount", "100", "--instalment", "200"], "--instalment: The instalment amount is larger than the 100.00"),
    (["--amount", "100", "--count", "3", "--down", "100"], "--down: The down payment must be less than"),
    (["--amount", "100", "--count", "3", "--every", "yearly"], "--every: 'yearly' is not a frequency"),
    (["--amount", "100", "--count", "3", "--annual-rate", "150"], "--flat-pct/--annual-rate: The annual interest"),
    (["--amount", "100", "--count", "3", "--flat-pct", "abc"], "--flat-pct: 'abc' is not a percentage"),
    (["--amount", "100", "--count", "3", "--currency", "XX"], "--currency: 'XX' is not a known currency"),
])
def test_bad_input_is_refused_naming_the_option(cli, args, message):
    r = cli("plan", "--start", "2027-01-01", *args)
    assert r.code == 1
    assert message in r.err
    assert r.out == ""
    assert not cli.db.exists()


def test_bad_start_date_and_missing_size(cli):
    r = cli("plan", "--amount", "100", "--start", "2027-02-30", "--count", "3")
    assert (r.code, r.err.strip()) == (1, "--start: '2027-02-30' is not a real calendar date.")
    r = cli("plan", "--amount", "100", "--start", "2027-01-01")
    assert r.code == 2 and "--count" in r.err
