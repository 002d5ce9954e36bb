"""Import three CSVs into a fresh database and check the aging report against figures worked by
hand (see the comments beside each payment)."""

import pytest

from cli.conftest import make_runner, write

CUSTOMERS = """\ufeffref,name,email,terms_days,kind,country,language
ACME,Acme Ltd,accounts@acme.example,30,business,GB,en
BETA,Beta GmbH,,14,business,DE,de
CORA,Cora Müller,,30,consumer,DE,de
"""
INVOICES = """number,customer_ref,issue_date,amount,due_date,currency,description
A-1,ACME,2026-01-01,100.00,,,due 2026-01-31 from the 30-day terms
A-2,ACME,2026-01-15,200.00,2026-02-14,GBP,
A-3,ACME,2026-03-01,50.00,,,due 2026-03-31
B-1,BETA,2026-01-10,300.00,,EUR,due 2026-01-24 from the 14-day terms
B-2,BETA,2026-02-20,120.50,,EUR,due 2026-03-06
C-1,CORA,2026-02-01,80.00,2026-02-15,,
"""
PAYMENTS = """customer_ref,date,amount,reference,invoice_number,currency,method
ACME,2026-02-01,150.00,BACS 1,,,bank transfer
ACME,2026-02-20,30.00,,A-3,,
BETA,2026-02-10,100.00,,B-1,EUR,
BETA,2026-03-10,500.00,,,EUR,
CORA,2026-01-20,80.00,,,,card
ACME,2026-03-15,200.00,,A-2,,
"""
# ACME 02-01 150 unnamed: A-1 100 (oldest due), A-2 50.
# ACME 02-20 30 names A-3, which is issued only on 03-01: a prepayment of A-3.
# BETA 02-10 100 names B-1: part payment, B-1 has 200 left.
# BETA 03-10 500 unnamed: B-1 200, B-2 120.50, 179.50 overpaid -> unapplied.
# CORA 01-20 80 unnamed, dated before C-1 was issued: nothing to pay -> unapplied.
# ACME 03-15 200 names A-2 (150 left): A-2 paid, 50 unapplied.


def row(ref, cur, buckets, total, unapplied, balance, name):
    d = {"customer_ref": ref, "name": name, "currency": cur}
    d.update(buckets)
    d.update(total=total, unapplied=unapplied, balance=balance)
    return d


def zero(labels, **given):
    return {label: given.get(label, "0.00") for label in labels}


STD = ["current", "1-30", "31-60", "61-90", "91+"]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """One database with the three files imported, shared by the read-only tests below."""
    tmp_path = tmp_path_factory.mktemp("roundtrip")
    cli = make_runner(tmp_path)
    for kind, text in (("customers", CUSTOMERS), ("invoices", INVOICES), ("payments", PAYMENTS)):
        r = cli("import", kind, str(write(tmp_path / f"{kind}.csv", text)))
        assert r.code == 0, r.err
    return cli


def test_as_of_end_of_january(loaded):
    data = loaded("aging", "--as-of", "2026-01-31", "--format", "json").json()
    assert data["as_of"] == "2026-01-31" and data["basis"] == "due" and data["buckets"] == STD
    assert data["rows"] == [
        row("ACME", "GBP", zero(STD, current="300.00"), "300.00", "0.00", "300.00", "Acme Ltd"),
        row("BETA", "EUR", zero(STD, **{"1-30": "300.00"}), "300.00", "0.00", "300.00", "Beta GmbH"),
        row("CORA", "GBP", zero(STD), "0.00", "80.00", "-80.00", "Cora Müller"),
    ]
    assert data["totals"] == [
        {"currency": "EUR", **zero(STD, **{"1-30": "300.00"}),
         "total": "300.00", "unapplied": "0.00", "balance": "300.00"},
        {"currency": "GBP", **zero(STD, current="300.00"),
         "total": "300.00", "unapplied": "80.00", "balance": "220.00"},
    ]


def test_as_of_end_of_february(loaded):
    data = loaded("aging", "--as-of", "2026-02-28", "--format", "json").json()
    assert data["rows"] == [
        # the 30 paid ahead for A-3 (not yet issued) is unapplied credit on this date
        row("ACME", "GBP", zero(STD, **{"1-30": "150.00"}), "150.00", "30.00", "120.00", "Acme Ltd"),
        row("BETA", "EUR", zero(STD, current="120.50", **{"31-60": "200.00"}), "320.50", "0.00", "320.50", "Beta GmbH"),
        row("CORA", "GBP", zero(STD, **{"1-30": "80.00"}), "80.00", "80.00", "0.00", "Cora Müller"),
    ]


def test_as_of_end_of_march(loaded):
    data = loaded("aging", "--as-of", "2026-03-31", "--format", "json").json()
    assert data["rows"] == [
        row("ACME", "GBP", zero(STD, current="20.00"), "20.00", "50.00", "-30.00", "Acme Ltd"),
        row("BETA", "EUR", zero(STD), "0.00", "179.50", "-179.50", "Beta GmbH"),
        row("CORA", "GBP", zero(STD, **{"31-60": "80.00"}), "80.00", "80.00", "0.00", "Cora Müller"),
    ]
    assert [t["balance"] for t in data["totals"]] == ["-179.50", "-30.00"]


def test_issue_date_basis(loaded):
    data = loaded("aging", "--as-of", "2026-03-31", "--basis", "issue", "--format", "json").json()
    assert data["basis"] == "issue"
    assert data["rows"][0]["1-30"] == "20.00"    # A-3 issued 30 days before
    assert data["rows"][2]["31-60"] == "80.00"   # C-1 issued 58 days before


def test_custom_buckets(loaded):
    data = loaded("aging", "--as-of", "2026-02-28", "--buckets", "15,45", "--format", "json").json()
    labels = ["current", "1-15", "16-45", "46+"]
    assert data["buckets"] == labels
    assert [[r[k] for k in labels] for r in data["rows"]] == [
        ["0.00", "150.00", "0.00", "0.00"],
        ["120.50", "0.00", "200.00", "0.00"],
        ["0.00", "80.00", "0.00", "0.00"],
    ]


def test_table_and_csv_formats(loaded):
    table = loaded("aging", "--as-of", "2026-02-28")
    assert table.code == 0
    assert "Cora Müller" in table.out and "TOTAL" in table.out and "320.50" in table.out
    csv_out = loaded("aging", "--as-of", "2026-02-28", "--format", "csv").out.splitlines()
    assert csv_out[0] == "customer_ref,name,currency,current,1-30,31-60,61-90,91+,total,unapplied,balance"
    assert csv_out[2] == "BETA,Beta GmbH,EUR,120.50,0.00,200.00,0.00,0.00,320.50,0.00,320.50"


def test_export_reimports_to_the_same_report(loaded, cli, tmp_path):
    for kind in ("customers", "invoices", "payments"):
        assert loaded("export", kind, str(tmp_path / f"out-{kind}.csv")).code == 0
    fresh = tmp_path / "fresh.sqlite3"
    for kind in ("customers", "invoices", "payments"):
        r = cli("import", kind, str(tmp_path / f"out-{kind}.csv"), db_path=fresh)
        assert r.code == 0, r.err
    for as_of in ("2026-01-31", "2026-02-28", "2026-03-31"):
        a = loaded("aging", "--as-of", as_of, "--format", "json").json()
        b = cli("aging", "--as-of", as_of, "--format", "json", db_path=fresh).json()
        assert a == b
    assert (tmp_path / "out-customers.csv").read_text(encoding="utf-8").startswith(
        "ref,name,email,phone,address,city,postcode,country,credit_limit,terms_days,kind,language\n"
    )
