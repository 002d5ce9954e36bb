"""The audit trail: every create, update and delete of the records people care about leaves an entry
with who, when, a summary in words and the values (old and new for an update); the trail itself
cannot be changed or deleted; derived columns, PDFs and secrets are never recorded."""

import json
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from debtordesk.db import audit as recording
from debtordesk.db.models import AuditEntry, Customer, Invoice, Payment, Setting
from debtordesk.domain.plans import Frequency, PlanTerms
from debtordesk.services.audit import ACTOR, last_change, set_actor
from debtordesk.services.customers import blank_form, delete_customer, read_form, save_customer
from debtordesk.services.dunning import dunning_run
from debtordesk.services.dunning_letters import mark_sent
from debtordesk.services.imports import import_csv
from debtordesk.services.invoices import read_invoice, save_invoice
from debtordesk.services.payments import reallocate, record_payment
from debtordesk.services.plans import cancel_plan, create_plan
from debtordesk.services.promises import record_promise
from debtordesk.services.settings import put_settings
from helpers import add_customer, add_invoice, dunning_books

D = date.fromisoformat


def entries(db, entity=None, entity_id=None):
    with db.session() as s:
        q = select(AuditEntry).order_by(AuditEntry.id)
        if entity is not None:
            q = q.where(AuditEntry.entity == entity)
        if entity_id is not None:
            q = q.where(AuditEntry.entity_id == str(entity_id))
        return [(e.action, e.summary, json.loads(e.changes), e.who, e.at) for e in s.scalars(q)]


def changes(db, entity, action):
    return [c for a, _s, c, _w, _at in entries(db, entity) if a == action]


@pytest.fixture(autouse=True)
def _no_actor():
    yield
    set_actor(None)


def test_the_database_refuses_to_change_or_delete_an_entry(db):
    with db.transaction() as s:
        add_customer(s)
    assert entries(db)
    for statement in (update(AuditEntry).values(summary="nothing happened"), delete(AuditEntry)):
        with pytest.raises(DBAPIError, match="cannot be changed or deleted"), db.transaction() as s:
            s.execute(statement)
    with pytest.raises(DBAPIError, match="cannot be changed or deleted"), db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE id = 1"))
    assert entries(db)[0][1] == "Customer ACME, Acme Ltd"


def test_the_services_offer_no_way_to_edit_the_trail():
    import debtordesk.services.audit as service

    public = [n for n in dir(service) if not n.startswith("_") and callable(getattr(service, n))]
    assert not [n for n in public if n.startswith(("delete", "edit", "update", "remove", "clear", "rewrite"))]


def test_customer_created_changed_and_deleted_with_old_and_new_values(db):
    form = blank_form()
    form.values.update(ref="N1", name="Newt Ltd", email="ap@newt.example", credit_limit="1000")
    with db.transaction() as s:
        cid = save_customer(s, form).id
    with db.session() as s:
        form = read_form(s, cid)
    form.values.update(name="Newt Trading Ltd", credit_limit="1500.00")
    with db.transaction() as s:
        save_customer(s, form)
    with db.transaction() as s:
        delete_customer(s, cid)
    got = entries(db, "customer", cid)
    assert [a for a, *_ in got] == ["create", "update", "delete"]
    created, updated, deleted = (c for _a, _s, c, _w, _at in got)
    assert created["name"] == "Newt Ltd" and created["email"] == "ap@newt.example"
    assert created["credit_limit_minor"] == 100000 and "version" not in created and "id" not in created
    assert updated == {"name": ["Newt Ltd", "Newt Trading Ltd"], "credit_limit_minor": [100000, 150000]}
    assert deleted["name"] == "Newt Trading Ltd"
    assert got[1][1] == "Customer N1, Newt Trading Ltd"
    who, at = got[0][3], got[0][4]
    assert who and abs(datetime.utcnow() - at) < timedelta(minutes=5)  # noqa: DTZ003 (the trail keeps UTC)


def test_invoice_edit_records_the_changed_fields_only_and_never_the_open_amount(db):
    with db.transaction() as s:
        c = add_customer(s)
        iid = add_invoice(s, c, "INV-1", "2026-01-01", "2026-01-31", 120000).id
    with db.transaction() as s:
        record_payment(s, c.id, D("2026-02-01"), 20000, "GBP")
    with db.session() as s:
        form = read_invoice(s, iid)
    form.values.update(amount="1300.00", description="Oak table")
    with db.transaction() as s:
        save_invoice(s, form)
    got = entries(db, "invoice", iid)
    assert [a for a, *_ in got] == ["create", "update"]  # the payment changed its open amount: not recorded
    assert got[0][1] == "Invoice INV-1 for Acme Ltd, £1,200.00"
    assert "open_minor" not in got[0][2] and got[0][2]["amount_minor"] == 120000
    assert got[1][2] == {"amount_minor": [120000, 130000], "description": ["", "Oak table"]}
    assert got[1][1] == "Invoice INV-1 for Acme Ltd, £1,300.00"
    with db.transaction() as s:
        spare = add_invoice(s, s.get(Customer, 1), "INV-2", "2026-01-05", "2026-02-04", 5000).id
    with db.transaction() as s:
        s.delete(s.get(Invoice, spare))
    (action, summary, values, *_), = [e for e in entries(db, "invoice", spare) if e[0] == "delete"]
    assert summary == "Invoice INV-2 for Acme Ltd, £50.00" and values["due_date"] == "2026-02-04"


def test_payment_with_its_allocations_created_reallocated_and_deleted(db):
    with db.transaction() as s:
        c = add_customer(s)
        a = add_invoice(s, c, "A-1", "2026-01-01", "2026-01-31", 10000)
        b = add_invoice(s, c, "A-2", "2026-01-02", "2026-02-01", 5000)
        pid = record_payment(s, c.id, D("2026-02-15"), 12000, "GBP", reference="BACS 991").id
        a_id, b_id = a.id, b.id
    assert changes(db, "payment", "create") == [{
        "customer_id": 1, "date": "2026-02-15", "amount_minor": 12000, "currency": "GBP", "reference": "BACS 991",
        "method": "", "kind": "payment", "reason": "", "named_invoice_id": None}]
    assert "unapplied_minor" not in json.dumps(entries(db, "payment"), default=str)
    made = entries(db, "allocation")
    assert sorted((c["invoice_id"], c["amount_minor"]) for _a, _s, c, *_ in made) == [(a_id, 10000), (b_id, 2000)]
    assert made[0][1] == "£100.00 of payment #1 applied to invoice A-1 (Acme Ltd)"
    with db.transaction() as s:
        reallocate(s, pid, [(b_id, 5000)])
    assert sorted(c["invoice_id"] for c in changes(db, "allocation", "delete")) == [a_id, b_id]
    assert [(c["invoice_id"], c["amount_minor"]) for c in changes(db, "allocation", "create")][2:] == [(b_id, 5000)]
    with db.transaction() as s:
        s.delete(s.get(Payment, pid))
    deleted = [(a, c) for a, _s, c, *_ in entries(db) if a == "delete"]
    assert deleted[-2:] == [("delete", {"payment_id": pid, "invoice_id": b_id, "amount_minor": 5000}),
                            ("delete", changes(db, "payment", "create")[0])]


def test_plan_with_its_instalments_and_invoices_then_cancelled(db):
    with db.transaction() as s:
        c = add_customer(s)
        inv = add_invoice(s, c, "INV-9", "2026-01-01", "2026-01-31", 90000)
        terms = PlanTerms(90000, "GBP", D("2026-03-01"), Frequency.monthly(), count=3)
        plan = create_plan(s, c.id, [inv.id], terms, agreed_on=D("2026-02-10"), who="tester")
        plan_id, ref = plan.id, plan.reference
    assert [s_ for _a, s_, *_ in entries(db, "payment_plan")] == [f"Payment plan {ref} for Acme Ltd, £900.00"]
    instalments = entries(db, "plan_instalment")
    assert [c["amount_minor"] for _a, _s, c, *_ in instalments] == [30000, 30000, 30000]
    assert instalments[0][1] == f"Instalment 1 of plan {ref} (Acme Ltd), £300.00 due 2026-03-01"
    assert [c["covered_minor"] for c in changes(db, "plan_invoice", "create")] == [90000]
    with db.transaction() as s:
        cancel_plan(s, plan_id, D("2026-02-20"), "paid in full elsewhere", who="tester")
    assert changes(db, "payment_plan", "update") == [{
        "cancelled_on": [None, "2026-02-20"], "cancel_reason": ["", "paid in full elsewhere"]}]


def test_a_letter_is_recorded_without_its_pdf(db):
    dunning_books(db)
    with db.transaction() as s:
        keys = [p.letter_key for p in dunning_run(s, D("2026-02-07")) if p.proposed and p.ref == "ALD"]
        mark_sent(s, keys, D("2026-02-07"), user="tester")
    (action, summary, values, _who, _at), = entries(db, "letter")
    assert action == "create" and summary.startswith("Reminder 1 to Alder & Co, £1,2")
    assert "pdf" not in values and len(values["sha256"]) == 64 and values["total_minor"] >= 120000


def test_settings_changes_are_recorded_but_never_a_secret(db):
    with db.transaction() as s:
        put_settings(s, {"dunning.minimum": "10.00", "smtp.host": "smtp.example.com"})
    with db.transaction() as s:
        put_settings(s, {"dunning.minimum": "25.00", "smtp.host": "smtp.example.com"})
        s.add(Setting(key="smtp.password", value="hunter2-very-secret"))
        s.add(Setting(key="sync.api_token", value="tok-123456"))
    assert changes(db, "setting", "update") == [{"value": ["10.00", "25.00"]}]
    assert [s_ for _a, s_, *_ in entries(db, "setting")] == ["Setting dunning.minimum", "Setting smtp.host",
                                                             "Setting dunning.minimum"]
    everything = json.dumps(entries(db), default=str)
    assert "hunter2" not in everything and "tok-123456" not in everything


def test_collections_records_are_recorded(db):
    with db.transaction() as s:
        c = add_customer(s)
        record_promise(s, c.id, "GBP", 30000, D("2026-03-01"), promised_on=D("2026-02-20"), note="after payday")
    (action, summary, values, *_), = entries(db, "promise")
    assert summary == "Promise by Acme Ltd to pay £300.00 by 2026-03-01" and values["note"] == "after payday"
    assert entries(db, "activity") == []  # the log's own entries are dated records already


def test_an_invoice_import_is_one_entry_with_the_count_and_the_numbers(db, tmp_path):
    with db.transaction() as s:
        add_customer(s, "C1", "Cobalt Ltd")
    f = tmp_path / "invoices.csv"
    f.write_text("number,customer_ref,issue_date,amount\n"
                 + "".join(f"INV-{n},C1,2026-01-01,10.00\n" for n in (7, 99, 100, 12)), encoding="utf-8")
    with db.transaction() as s:
        import_csv(s, "invoices", f)
    (action, summary, values, *_), = entries(db, "invoice")
    assert action == "import" and summary == "Imported 4 invoices from invoices.csv"
    assert values == {"count": 4, "file": "invoices.csv", "first_number": "INV-7", "last_number": "INV-100"}


def test_who_is_the_app_user_when_set_and_the_session_can_say_otherwise(db):
    set_actor("Jo Bloggs")
    with db.transaction() as s:
        add_customer(s, "A1", "Ash")
    with db.transaction() as s:
        s.info[ACTOR] = "Sam"
        add_customer(s, "B1", "Beech")
    set_actor(None)
    with db.transaction() as s:
        add_customer(s, "C1", "Cedar")
    from debtordesk.config import current_user

    assert [w for *_x, w, _at in entries(db, "customer")] == ["Jo Bloggs", "Sam", current_user()]


def test_last_change_names_who_changed_a_record_last(db):
    with db.transaction() as s:
        cid = add_customer(s).id
    set_actor("Kim")
    with db.transaction() as s:
        s.get(Customer, cid).phone = "0113 496 0000"
    with db.session() as s:
        who, at = last_change(s, "customer", cid)
        assert who == "Kim" and isinstance(at, datetime)
        assert last_change(s, Customer, cid)[0] == "Kim"
        assert last_change(s, "invoice", 999) is None


def test_a_change_rolled_back_leaves_no_entry_and_a_failed_flush_none_later(db):
    with pytest.raises(RuntimeError), db.transaction() as s:
        add_customer(s, "GONE", "Never saved")
        raise RuntimeError("the user cancelled")
    assert entries(db) == []
    with db.transaction() as s:
        add_customer(s, "X1", "Xylem")
    with pytest.raises(DBAPIError), db.transaction() as s:
        s.add(Customer(ref="X1", name="Duplicate"))
        s.flush()
    with db.transaction() as s:
        add_customer(s, "Y1", "Yew")
    assert [s_ for _a, s_, *_ in entries(db)] == ["Customer X1, Xylem", "Customer Y1, Yew"]


def test_recording_adds_no_query_per_row(db):
    """Summaries name customers read once per flush, not once per row."""
    with db.transaction() as s:
        ids = [add_customer(s, f"C{n}", f"Customer {n}").id for n in range(30)]
    statements = []
    from sqlalchemy import event

    def count(_conn, _cursor, statement, *_a):
        if not statement.startswith("INSERT INTO invoice"):
            statements.append(statement)

    with db.transaction() as s:
        event.listen(s.connection(), "before_cursor_execute", count)
        for n, cid in enumerate(ids):  # a fresh session: none of these customers is known to it
            s.add(Invoice(number=f"N-{n}", customer_id=cid, issue_date=D("2026-01-01"), due_date=D("2026-01-31"),
                          amount_minor=1000 + n, currency="GBP"))
        s.flush()
        event.remove(s.connection(), "before_cursor_execute", count)
    # besides the ORM's own inserts: one read of the customers' names, one insert of the entries
    assert len(statements) == 2, statements
    assert entries(db, "invoice")[-1][1] == "Invoice N-29 for Customer 29, £10.29"


def test_recording_can_be_paused_by_a_service_that_writes_its_own_entry(db):
    with db.transaction() as s:
        c = add_customer(s)
        with recording.paused(s):
            c.notes = "not recorded"
        recording.write_entry(s, "erase", "customer", c.id, "Said in words", {"fields": ["notes"]})
    assert [(a, s_) for a, s_, *_ in entries(db)] == [("create", "Customer ACME, Acme Ltd"),
                                                       ("erase", "Said in words")]
