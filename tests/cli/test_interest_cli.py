import json
import os
import subprocess
import sys
from datetime import date

from cli.conftest import Result


def interest(tmp_path, *args: str, db=None) -> Result:
    """`python -m debtordesk interest ARGS` with DEBTORDESK_DB pointing into tmp_path."""
    env = {**os.environ, "DEBTORDESK_DB": str(db or tmp_path / "none.sqlite3")}
    proc = subprocess.run([sys.executable, "-m", "debtordesk", "interest", *args], capture_output=True,
                          text=True, env=env, cwd=tmp_path, timeout=120)
    return Result(proc.returncode, proc.stdout, proc.stderr)


def test_table_shows_the_workings_and_creates_no_database(tmp_path):
    # £1,000 due 2024-03-15, £400 paid 2024-04-14, 13.25% (Bank Rate 5.25% on 2023-12-31 + 8):
    # 30 days on 1000 -> 10.89, 60 days on 600 -> 13.07; £70 fixed sum (docs/interest.md)
    r = interest(tmp_path, "--amount", "1000.00", "--due", "2024-03-15", "--until", "2024-06-13",
                 "--regime", "uk", "--paid", "2024-04-14:400")
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert "Late Payment of Commercial Debts (Interest) Act 1998" in lines[0]
    assert lines[3].split() == ["From", "To", "Days", "Rate", "%", "Principal", "Interest"]
    assert lines[5].split() == ["2024-03-16", "2024-04-14", "30", "13.25", "1000.00", "10.89"]
    assert lines[6].split() == ["2024-04-15", "2024-06-13", "60", "13.25", "600.00", "13.07"]
    summary = [line.split() for line in lines[8:11]]
    assert summary == [["Interest", "23.96", "GBP"], ["Compensation", "70.00", "GBP"], ["Total", "93.96", "GBP"]]
    assert not (tmp_path / "none.sqlite3").exists()


def test_json_with_amounts_as_decimal_strings(tmp_path):
    # €10,000 due 2024-05-31 under § 288(2) BGB: 30 days at 12.62% -> 103.73, 62 at 12.37% -> 210.12
    r = interest(tmp_path, "--amount", "10000", "--due", "2024-05-31", "--until", "2024-08-31",
                 "--regime", "de-b2b", "--format", "json")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert (data["currency"], data["regime"]) == ("EUR", "de-b2b")
    assert (data["interest"], data["compensation"], data["total"]) == ("313.85", "40.00", "353.85")
    assert data["periods"] == [
        {"from": "2024-06-01", "to": "2024-06-30", "days": 30, "rate": "12.62", "principal": "10000.00",
         "interest": "103.73"},
        {"from": "2024-07-01", "to": "2024-08-31", "days": 62, "rate": "12.37", "principal": "10000.00",
         "interest": "210.12"},
    ]
    assert "§ 288(2)" in data["legal_basis"]


def test_contract_consumer_and_other_currency(tmp_path):
    # £2,500 at 8% for 90 days -> 49.32, no fixed sum
    r = interest(tmp_path, "--amount", "2500", "--due", "2025-01-10", "--until", "2025-04-10",
                 "--regime", "contract", "--rate", "8", "--format", "json")
    assert r.code == 0, r.err
    assert (json.loads(r.out)["total"], json.loads(r.out)["currency"]) == ("49.32", "GBP")
    r = interest(tmp_path, "--amount", "1000", "--due", "2024-03-15", "--until", "2024-06-13",
                 "--regime", "uk", "--currency", "usd", "--format", "json")
    data = json.loads(r.out)
    assert data["currency"] == "USD" and data["compensation"] == "0.00"
    assert any("debts in GBP" in n for n in data["notes"])


def test_rates_added_in_the_database_are_used(tmp_path):
    from debtordesk.db.engine import open_database
    from debtordesk.services.rates import add_rate

    path = tmp_path / "books.sqlite3"
    db = open_database(f"sqlite:///{path}")
    with db.transaction() as s:
        add_rate(s, "boe", date(2026, 2, 5), "3.50")
    db.dispose()
    # interest from 2026-07-01 takes Bank Rate on 2026-06-30: 3.50% (added) + 8 = 11.50%
    r = interest(tmp_path, "--amount", "1000", "--due", "2026-06-30", "--until", "2026-07-31",
                 "--regime", "uk", "--format", "json", "--db", str(path))
    assert r.code == 0, r.err
    assert json.loads(r.out)["periods"][0]["rate"] == "11.50"
    assert json.loads(r.out)["interest"] == "9.77"


def test_bad_input_exits_1_with_a_sentence_naming_it(tmp_path):
    base = ["--amount", "100", "--due", "2024-03-15", "--until", "2024-06-13", "--regime", "uk"]
    cases = [
        (["--due", "2024-02-30"], "--due: '2024-02-30' is not a real calendar date"),
        (["--until", "13/06/2024"], "--until: '13/06/2024' is not a date"),
        (["--amount", "1,000"], "--amount: '1,000' is not an amount"),
        (["--amount", "0"], "Amount"),
        (["--paid", "2024-04-01"], "--paid: '2024-04-01' must be written DATE:AMOUNT"),
        (["--regime", "contract"], "Contract rate"),
        (["--regime", "contract", "--rate", "eight"], "--rate: 'eight' is not a rate"),
        (["--due", "2008-06-30"], "starts on 2009-03-05"),
    ]
    for extra, words in cases:
        r = interest(tmp_path, *base, *extra)
        assert r.code == 1, (extra, r.out, r.err)
        assert words in r.err, (extra, r.err)
        assert "Traceback" not in r.err and r.out == ""
    assert interest(tmp_path, *base[:-1], "fr").code == 2  # argparse: not one of the choices
