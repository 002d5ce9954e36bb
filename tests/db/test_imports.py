"""The CSV import service against a real SQLite file: what the rows become, and all-or-nothing."""

import sqlite3
from datetime import date

import pytest
from sqlalchemy import select

from debtordesk.db.ledger import drift
from debtordesk.db.models import Invoice
from debtordesk.domain.problems import Rejected
from debtordesk.services.imports import import_csv


@pytest.fixture
def customers(db, tmp_path):
    f = tmp_path / "customers.csv"
    f.write_text("ref,name,terms_days\nACME,Acme Ltd,30\nBETA,Beta GmbH,14\n", encoding="utf-8")
    with db.transaction() as s:
        import_csv(s, "customers", f)
    return db


def test_invoices_become_open_rows_with_due_dates_from_the_terms(customers, tmp_path):
    f = tmp_path / "invoices.csv"
    f.write_text(
        "number,customer_ref,issue_date,amount,due_date,currency,description\n"
        "I-1,ACME,2026-01-05,20.00,,,Goods\n"
        "I-2,BETA,2026-01-05,20.5,2026-03-01,eur,\n"
        " I-3 , BETA , 2026-01-05 , 7 ,, jpy , Parts \n",
        encoding="utf-8")
    with customers.transaction() as s:
        assert import_csv(s, "invoices", f).rows == 3
    with customers.session() as s:
        got = [(i.number, i.customer.ref, i.issue_date, i.due_date, i.amount_minor, i.open_minor, i.currency,
                i.description, i.disputed, i.version)
               for i in s.scalars(select(Invoice).order_by(Invoice.number))]
        assert got == [
            ("I-1", "ACME", date(2026, 1, 5), date(2026, 2, 4), 2000, 2000, "GBP", "Goods", False, 1),
            ("I-2", "BETA", date(2026, 1, 5), date(2026, 3, 1), 2050, 2050, "EUR", "", False, 1),
            ("I-3", "BETA", date(2026, 1, 5), date(2026, 1, 19), 7, 7, "JPY", "Parts", False, 1),
        ]
        assert all(i.created_at is not None for i in s.scalars(select(Invoice)))
        assert drift(s) == []


def test_the_same_bad_text_is_reported_on_every_row_it_is_on(customers, tmp_path):
    f = tmp_path / "invoices.csv"
    f.write_text(
        "number,customer_ref,issue_date,amount,currency\n"
        "I-1,ACME,2026-02-30,1.00,\n"
        "I-2,ACME,2026-01-01,1.00,XX\n"
        "I-3,ACME,2026-02-30,1.00,XX\n",
        encoding="utf-8")
    with pytest.raises(Rejected) as caught, customers.transaction() as s:
        import_csv(s, "invoices", f)
    assert [(p.row, p.column) for p in caught.value.problems] == [
        (2, "issue_date"), (3, "currency"), (4, "issue_date"), (4, "currency")]


@pytest.mark.sqlite_only  # the refusal is made with a SQLite trigger
def test_a_row_the_database_refuses_leaves_nothing_written(customers, db_path, tmp_path):
    con = sqlite3.connect(db_path)
    con.execute("CREATE TRIGGER no_bad BEFORE INSERT ON invoice WHEN NEW.number = 'BAD' "
                "BEGIN SELECT RAISE(ABORT, 'no BAD numbers'); END")
    con.commit()
    con.close()
    f = tmp_path / "invoices.csv"
    f.write_text("number,customer_ref,issue_date,amount\nOK,ACME,2026-01-01,1.00\nBAD,ACME,2026-01-01,1.00\n",
                 encoding="utf-8")
    with pytest.raises(Rejected) as caught, customers.transaction() as s:
        import_csv(s, "invoices", f)
    assert str(caught.value) == "invoices.csv: the database refused the rows: no BAD numbers"
    with customers.session() as s:
        assert s.scalars(select(Invoice.number)).all() == []
