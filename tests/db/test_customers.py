from datetime import date

import pytest

from debtordesk.db.models import Activity, Customer
from debtordesk.domain.customers import FieldErrors
from debtordesk.domain.problems import UserError
from debtordesk.services.customers import (
    CustomerQuery,
    blank_form,
    count_customers,
    delete_customer,
    list_customers,
    read_form,
    save_customer,
    set_archived,
)
from debtordesk.services.lists import Sort
from debtordesk.services.payments import record_payment
from helpers import CHANGED_BY, add_customer, add_invoice

TODAY = date(2026, 3, 1)


@pytest.fixture
def seeded(db):
    with db.transaction() as s:
        a = add_customer(s, "A1", "Alder & Co")
        a.credit_limit_minor = 50000
        add_invoice(s, a, "A-1", "2026-01-01", "2026-01-31", 40000)  # 29 days overdue
        add_invoice(s, a, "A-2", "2026-02-01", "2026-03-03", 20000)  # not yet due
        b = add_customer(s, "B2", "Birch Holdings")
        b.on_hold = True
        c = add_customer(s, "C3", "Cedar GmbH")
        add_invoice(s, c, "C-1", "2026-02-20", "2026-03-20", 90000, "EUR")
        d = add_customer(s, "D4", "Dogwood 100%_Ltd")
        d.archived = True
        e = add_customer(s, "E5", "Elm Stores")
        f = add_invoice(s, e, "E-1", "2025-11-01", "2025-12-01", 10000)
        record_payment(s, e.id, date(2026, 1, 10), 15000, "GBP")  # pays E-1, 50.00 credit left
        s.add(Activity(customer_id=b.id, occurred_on=date(2026, 2, 14), kind="call"))
        assert f.open_minor == 0
    return db


def rows(db, **kw):
    q = CustomerQuery(**kw)
    with db.session() as s:
        got = list_customers(s, q, TODAY, 0, 100)
        assert count_customers(s, q, TODAY) == len(got)
    return got



def test_the_list_shows_balances_overdue_and_limits(seeded):
    by_ref = {r.ref: r for r in rows(seeded)}
    assert set(by_ref) == {"A1", "B2", "C3", "E5"}  # archived customers are not listed
    a = by_ref["A1"]
    assert (a.balances, a.overdue, a.oldest_overdue_days, a.over_limit) == ({"GBP": 60000}, {"GBP": 40000}, 29, True)
    assert by_ref["C3"].balances == {"EUR": 90000} and by_ref["C3"].overdue == {}
    assert by_ref["E5"].balances == {"GBP": -5000}  # unapplied credit
    assert by_ref["B2"].last_contact == date(2026, 2, 14) and by_ref["B2"].on_hold


@pytest.mark.parametrize(("kw", "expected"), [
    ({"search": "cedar"}, ["C3"]),
    ({"search": "b2"}, ["B2"]),
    ({"search": "%"}, []),  # wildcards are taken literally
    ({"search": "100%_", "filters": frozenset({"archived"})}, ["D4"]),
    ({"filters": frozenset({"overdue"})}, ["A1"]),
    ({"filters": frozenset({"on_hold"})}, ["B2"]),
    ({"filters": frozenset({"over_limit"})}, ["A1"]),
    ({"filters": frozenset({"archived"})}, ["D4"]),
    ({"sort": Sort("balance", descending=True)}, ["C3", "A1", "B2", "E5"]),
    ({"sort": Sort("balance")}, ["E5", "B2", "A1", "C3"]),
    ({"sort": Sort("name", descending=True)}, ["E5", "C3", "B2", "A1"]),
    ({"sort": Sort("oldest_overdue_days", descending=True)}, ["A1", "B2", "C3", "E5"]),
    ({"sort": Sort("last_contact", descending=True)}, ["B2", "A1", "C3", "E5"]),
])
def test_search_filters_and_sorting(seeded, kw, expected):
    assert [r.ref for r in rows(seeded, **kw)] == expected


def test_windows_cover_the_list_once(seeded):
    q = CustomerQuery(sort=Sort("balance", descending=True))
    with seeded.session() as s:
        whole = [r.id for r in list_customers(s, q, TODAY, 0, 100)]
        parts = [r.id for off in range(0, 4, 2) for r in list_customers(s, q, TODAY, off, 2)]
    assert parts == whole


def test_create_edit_and_refusals(db):
    form = blank_form()
    form.values.update(ref="N1", name="Newt Ltd", email="not-an-address", credit_limit="-5")
    with db.transaction() as s, pytest.raises(FieldErrors) as err:
        save_customer(s, form)
    assert set(err.value.errors) == {"email", "credit_limit"}
    assert "not an e-mail address" in err.value.errors["email"]
    with db.session() as s:
        assert s.query(Customer).count() == 0  # nothing saved
    form.values.update(email="ap@newt.example", credit_limit="1500.00")
    with db.transaction() as s:
        cid = save_customer(s, form).id
    with db.session() as s:
        again = read_form(s, cid)
    assert again.values["credit_limit"] == "1500.00" and again.values["email"] == "ap@newt.example"
    dup = blank_form()
    dup.values.update(ref="N1", name="Other")
    with db.transaction() as s, pytest.raises(FieldErrors) as err:
        save_customer(s, dup)
    assert err.value.errors == {"ref": "'N1' is already used by another customer"}


def test_an_edit_made_on_an_old_copy_is_refused(db):
    form = blank_form()
    form.values.update(ref="N1", name="Newt Ltd")
    with db.transaction() as s:
        cid = save_customer(s, form).id
    with db.session() as s:
        first, second = read_form(s, cid), read_form(s, cid)
    first.values["name"] = "Newt Trading Ltd"
    with db.transaction() as s:
        save_customer(s, first)
    second.values["phone"] = "123"
    with db.transaction() as s, pytest.raises(UserError, match=CHANGED_BY):
        save_customer(s, second)
    with db.session() as s:
        assert read_form(s, cid).values["name"] == "Newt Trading Ltd"


def test_delete_is_refused_with_invoices_and_archive_hides(seeded):
    with seeded.session() as s:
        a = s.query(Customer).filter_by(ref="A1").one().id
        b = s.query(Customer).filter_by(ref="B2").one().id
    with seeded.transaction() as s, pytest.raises(UserError, match="has 2 invoices; .*Archive"):
        delete_customer(s, a)
    with seeded.transaction() as s:
        set_archived(s, a, True)
        delete_customer(s, b)
    assert [r.ref for r in rows(seeded)] == ["C3", "E5"]
