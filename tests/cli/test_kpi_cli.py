"""`debtordesk kpi` in a subprocess, on the ledger of tests/db/test_kpi_service.py (docs/kpi.md)."""

from pathlib import Path

CUSTOMERS = "ref,name\nALD,Alder & Co\nBIR,Birch GmbH\n"
INVOICES = """number,customer_ref,issue_date,due_date,amount,currency
A0,ALD,2026-01-10,2026-02-09,2500.00,GBP
A1,ALD,2026-03-01,2026-03-31,2000.00,GBP
A2,ALD,2026-03-20,2026-04-19,1000.00,GBP
A3,ALD,2026-04-15,2026-05-15,3000.00,GBP
A4,ALD,2026-05-10,2026-06-09,3000.00,GBP
A5,ALD,2026-05-20,2026-06-19,1500.00,GBP
A6,ALD,2026-06-15,2026-07-15,3000.00,GBP
B1,BIR,2026-06-01,2026-07-01,1000.00,EUR
"""
PAYMENTS = """customer_ref,date,amount,reference,invoice_number,currency,method
ALD,2026-02-20,2500.00,,A0,GBP,
ALD,2026-04-10,2000.00,,A1,GBP,
ALD,2026-05-10,3000.00,,A3,GBP,
ALD,2026-06-19,1000.00,,A4,GBP,
ALD,2026-06-29,2000.00,,A4,GBP,
"""


def load(cli, tmp_path: Path) -> None:
    for kind, text in (("customers", CUSTOMERS), ("invoices", INVOICES), ("payments", PAYMENTS)):
        (tmp_path / f"{kind}.csv").write_text(text)
        r = cli("import", kind, f"{kind}.csv")
        assert r.code == 0, r.err


def test_table(cli, tmp_path):
    load(cli, tmp_path)
    r = cli("kpi", "--as-of", "2026-06-30")
    assert r.code == 0, r.err
    out = r.out
    assert out.startswith("Collection KPIs as of 2026-06-30 (period: the 90 days to it)")
    gbp = out[out.index("\nGBP\n"):]
    for line in ["Receivables             5500.00", "Overdue                 2500.00",
                 "Credit sales (90 days)  10500.00", "DSO                     47.1 days",
                 "Countback DSO           47.2 days", "CEI                     76.2 %",
                 "Average days late       8.8 days", "Paid late               66.7 % (2 of 3 invoices paid off)",
                 "Overdue share           45.5 %"]:
        assert f"  {line}\n" in gbp, line
    rows = [line.split() for line in gbp.splitlines()]
    assert ["2025-07-31", "not", "enough", "data", "not", "enough", "data"] in rows  # the trend
    assert ["2026-05-31", "58.2", "18.2"] in rows
    assert ["2026-07-21", "3000.00", "0.00"] in rows  # A6, due 15 July, expected 9 days later
    eur = out[out.index("\nEUR\n"):out.index("\nGBP\n")]
    assert "CEI                     not enough data" in eur and "Note: CEI: not enough data" in eur


def test_json(cli, tmp_path):
    load(cli, tmp_path)
    r = cli("kpi", "--as-of", "2026-06-30", "--format", "json")
    assert r.code == 0, r.err
    data = r.json()
    assert (data["as_of"], data["period_days"], data["notes"]) == ("2026-06-30", 90, [])
    eur, gbp = data["currencies"]
    assert gbp == {**gbp, "currency": "GBP", "receivables": "5500.00", "overdue": "2500.00", "current": "3000.00",
                   "opening": "3000.00", "credit_sales": "10500.00", "dso": "47.1", "countback_dso": "47.2",
                   "cei": "76.2", "average_days_late": "8.8", "share_paid_late": "66.7", "overdue_share": "45.5",
                   "invoices_paid_off": 3, "invoices_paid_late": 2, "notes": []}
    assert (eur["dso"], eur["cei"], eur["average_days_late"]) == ("90.0", None, None)
    assert len(data["trend"]["GBP"]) == 12 and data["trend"]["GBP"][-1] == {
        "month_end": "2026-06-30", "dso": "47.1", "overdue_share": "45.5"}
    weeks = data["forecast"]["GBP"]["weeks"]
    assert len(weeks) == 13 and weeks[0] == {"week_start": "2026-06-30", "expected": "2500.00", "overdue": "2500.00"}
    assert data["forecast"]["GBP"]["total"] == "5500.00"
    r = cli("kpi", "--as-of", "2026-04-30", "--period-days", "30", "--format", "json")
    assert r.json()["currencies"][0]["dso"] == "40.0"


def test_an_empty_database_has_not_enough_data(cli):
    r = cli("kpi", "--as-of", "2026-06-30")
    assert r.code == 0, r.err
    assert "Not enough data: nothing was owed, invoiced or paid off in the 90 days to 2026-06-30." in r.out
    r = cli("kpi", "--format", "json")
    assert r.code == 0, r.err
    data = r.json()
    assert data["currencies"] == [] and "not enough data" in data["notes"][0].lower()


def test_a_period_of_no_days_is_refused(cli):
    r = cli("kpi", "--period-days", "0")
    assert r.code == 2 and "'0' is not a number of days" in r.err
