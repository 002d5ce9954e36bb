import sqlite3

from cli.conftest import write

GOOD_CUSTOMERS = "ref,name\nACME,Acme Ltd\nBETA,Beta GmbH\n"


def dump(path):
    with sqlite3.connect(path) as conn:
        return list(conn.iterdump())


def seed(cli, tmp_path, invoices_csv: str) -> None:
    """Customers ACME and BETA, and the given invoices."""
    assert cli("import", "customers", str(write(tmp_path / "c.csv", GOOD_CUSTOMERS))).code == 0
    assert cli("import", "invoices", str(write(tmp_path / "seed-invoices.csv", invoices_csv))).code == 0


def test_every_bad_row_is_named_and_nothing_is_written(cli, tmp_path):
    seed(cli, tmp_path, "number,customer_ref,issue_date,amount\nI-1,ACME,2026-01-01,10.00\n")
    before = dump(cli.db)
    bad = write(tmp_path / "invoices.csv", (
        "number,customer_ref,issue_date,amount,colour\n"
        "I-2,ACME,2026-01-05,20.00,red\n"          # row 2 fine
        "I-3,ACME,2026-13-01,30.00,red\n"          # row 3 bad date
        "I-4,BETA,2026-01-07,-5.00,red\n"          # row 4 negative amount
        "I-5,NOPE,2026-01-08,7.00,red\n"           # row 5 unknown customer
        "I-1,BETA,2026-01-09,8.00,red\n"           # row 6 duplicate of an existing invoice
        "I-2,BETA,2026-01-10,9.00,red\n"           # row 7 duplicate within the file
    ))
    r = cli("import", "invoices", str(bad))
    assert r.code == 1
    lines = r.err.splitlines()
    assert "invoices.csv, row 1, column colour: unknown column 'colour'" in lines[0]
    for expected in (
        "invoices.csv, row 3, column issue_date: '2026-13-01'",
        "invoices.csv, row 4, column amount: '-5.00'",
        "invoices.csv, row 5, column customer_ref: no customer has ref 'NOPE'",
        "invoices.csv, row 6, column number: invoice number 'I-1' already exists",
        "invoices.csv, row 7, column number: invoice number 'I-2' is used twice",
    ):
        assert any(line.startswith(expected) for line in lines), expected
    assert not any("row 2," in line for line in lines)
    assert "Nothing was imported" in lines[-1]
    assert dump(cli.db) == before


def test_dry_run_checks_and_writes_nothing(cli, tmp_path):
    assert cli("import", "customers", str(write(tmp_path / "c.csv", GOOD_CUSTOMERS))).code == 0
    before = dump(cli.db)
    f = write(tmp_path / "p.csv", "customer_ref,date,amount\nACME,2026-02-01,10.00\n")
    r = cli("import", "payments", str(f), "--dry-run")
    assert r.code == 0 and "Nothing was written" in r.out
    assert dump(cli.db) == before


def test_payment_rows_are_checked_against_invoices(cli, tmp_path):
    seed(cli, tmp_path, "number,customer_ref,issue_date,amount,currency\nI-1,ACME,2026-01-01,10.00,EUR\n")
    before = dump(cli.db)
    f = write(tmp_path / "pay.csv", (
        "customer_ref,date,amount,invoice_number,currency\n"
        "ACME,2026-02-01,10.00,I-1,\n"        # fine: currency taken from the invoice
        "BETA,2026-02-01,10.00,I-1,\n"        # another customer's invoice
        "ACME,2026-02-01,10.00,I-1,GBP\n"     # wrong currency
        "ACME,01/02/2026,10.00,,\n"           # date format
        "ACME,2026-02-01,1.005,,\n"           # too many decimals
        "ACME,2026-02-01,5.00,I-9,\n"         # no such invoice
    ))
    r = cli("import", "payments", str(f))
    assert r.code == 1
    for fragment in ("row 3, column invoice_number: invoice 'I-1' belongs to another customer",
                     "row 4, column currency: invoice 'I-1' is in EUR, not GBP",
                     "row 5, column date: '01/02/2026' is not a date in the form YYYY-MM-DD",
                     "row 6, column amount: '1.005' has more than 2 decimal places",
                     "row 7, column invoice_number: no invoice has number 'I-9'"):
        assert fragment in r.err
    assert dump(cli.db) == before


def test_header_and_file_problems(cli, tmp_path):
    r = cli("import", "customers", str(write(tmp_path / "c.csv", "name,email\nAcme,a@b.c\n")))
    assert r.code == 1 and "c.csv, row 1, column ref: this required column is missing" in r.err
    r = cli("import", "customers", str(tmp_path / "missing.csv"))
    assert r.code == 1 and "missing.csv: cannot be read" in r.err
    latin = tmp_path / "latin1.csv"
    latin.write_bytes("ref,name\nM1,Müller\n".encode("latin-1"))
    r = cli("import", "customers", str(latin), "--encoding", "utf-8")  # told UTF-8, it is not
    assert r.code == 1 and "latin1.csv: is not UTF-8 text" in r.err
    r = cli("import", "customers", str(latin), "--dry-run")  # detected: Windows-1252 reads it right
    assert r.code == 0 and "Windows-1252" in r.out
    r = cli("import", "customers", str(write(tmp_path / "e.csv", "")))
    assert r.code == 1 and "the file is empty" in r.err
    r = cli("import", "customers", str(write(tmp_path / "s.csv", "ref,name\nA,B,C\n")))
    assert r.code == 1 and "s.csv, row 2: has 3 fields but the header has 2" in r.err
    r = cli("import", "customers", str(write(tmp_path / "k.csv",
            "ref,name,kind,terms_days,country,credit_limit\nA,Aa,robot,-3,XX,-1\n")))
    assert r.code == 1
    long_address = "x" * 250
    r2 = cli("import", "customers", str(write(tmp_path / "a.csv", f"ref,name,address\nA,Aa,{long_address}\n")))
    assert r2.code == 1 and "a.csv, row 2, column address: each address part" in r2.err
    for column in ("kind", "terms_days", "country", "credit_limit"):
        assert f"k.csv, row 2, column {column}:" in r.err
