from datetime import date

import pytest

from debtordesk.domain.problems import FieldErrors
from debtordesk.services.aging import open_items_as_of
from debtordesk.services.aging_presets import (
    BUILT_IN,
    default_preset,
    delete_preset,
    list_presets,
    save_preset,
    set_default,
)
from debtordesk.services.payments import record_payment
from helpers import add_customer, add_invoice


def test_presets_saved_reloaded_and_one_default(db):
    with db.session() as s:
        assert [(p.name, p.limits, p.default) for p in list_presets(s)] == [(BUILT_IN, (30, 60, 90), True)]
    with db.transaction() as s:
        save_preset(s, "Weekly", "7,14,21,28", "due")
        save_preset(s, "Long", "30, 60, 90, 180, 365", "issue", default=True)
    with db.session() as s:
        presets = {p.name: p for p in list_presets(s)}
        assert presets["Long"].limits == (30, 60, 90, 180, 365) and presets["Long"].basis == "issue"
        assert default_preset(s).name == "Long"
    with db.transaction() as s:
        set_default(s, "Weekly")
        delete_preset(s, "Long")
    with db.session() as s:
        assert [p.name for p in list_presets(s)] == [BUILT_IN, "Weekly"] and default_preset(s).name == "Weekly"


def test_bad_presets_are_refused_by_field(db):
    with db.transaction() as s, pytest.raises(FieldErrors) as e:
        save_preset(s, "", "60,30", "posting")
    assert set(e.value.errors) == {"name", "limits", "basis"}
    with db.transaction() as s, pytest.raises(FieldErrors):
        delete_preset(s, BUILT_IN)


def test_open_items_as_of_a_date_add_back_later_payments(db):
    with db.transaction() as s:
        c = add_customer(s)
        a = add_invoice(s, c, "A-1", "2026-03-01", "2026-03-31", 10000)
        add_invoice(s, c, "A-2", "2026-07-01", "2026-07-31", 5000)  # issued after the date
        add_invoice(s, c, "A-3", "2026-06-01", "2026-07-01", 3000, "EUR")  # another currency
        record_payment(s, c.id, date(2026, 7, 5), 4000, "GBP", invoice_id=a.id)
        cid = c.id
    with db.session() as s:
        items = open_items_as_of(s, cid, "GBP", date(2026, 6, 30))
        assert [(i.number, i.open_minor, i.days, i.bucket) for i in items] == [("A-1", 10000, 91, 4)]
        later = open_items_as_of(s, cid, "GBP", date(2026, 7, 10), (30, 60, 90), "issue")
        assert [(i.number, i.open_minor, i.days) for i in later] == [("A-1", 6000, 131), ("A-2", 5000, 9)]
