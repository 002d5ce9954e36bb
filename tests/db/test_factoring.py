"""Factoring: invoices or whole customers assigned to a factor; letters and statements carry the
notice of assignment and the factor's bank details; a chasing factor's invoices leave the dunning run."""

from datetime import date

import pytest
from sqlalchemy import select

from debtordesk.db.models import Customer, Invoice
from debtordesk.domain.problems import FieldErrors
from debtordesk.services.correspondence import Kit
from debtordesk.services.dunning import dunning_run
from debtordesk.services.dunning_letters import compose
from debtordesk.services.factoring import (
    FactoringError,
    assign,
    assigned_invoices,
    customer_assignments,
    end_assignment,
    save_factor,
)
from debtordesk.services.risk import worklist
from debtordesk.services.statements import statement, statement_letter
from helpers import add_invoice, dunning_books

D = date.fromisoformat
BANK = {"name": "Northern Factors plc", "address": "9 Wharf St\nLeeds LS2 7EE", "bank_name": "HSBC",
        "sort_code": "40-11-62", "account_number": "71234567"}


@pytest.fixture
def books(db):
    dunning_books(db)
    with db.transaction() as s:
        alder = s.scalar(select(Customer).where(Customer.ref == "ALD"))
        add_invoice(s, alder, "INV-8", "2026-01-10", "2026-02-09", 40000)
    return db


def ids(s):
    cid = s.scalar(select(Customer.id).where(Customer.ref == "ALD"))
    inv = {n: i for n, i in s.execute(select(Invoice.number, Invoice.id))}
    return cid, inv


def letter(db, day):
    with db.session() as s:
        p = next(p for p in dunning_run(s, D(day)) if p.ref == "ALD")
        if p.level is None:
            return p, None
        return p, compose(p, s.get(Customer, p.customer_id), Kit.load(s), D(day))


def test_factor_needs_a_name_and_an_account(books):
    with books.transaction() as s, pytest.raises(FieldErrors) as err:
        save_factor(s, {"name": " ", "iban": "XX"}, False)
    assert set(err.value.errors) == {"name", "iban"}


def test_a_reminder_for_assigned_invoices_asks_for_payment_to_the_factor(books):
    with books.transaction() as s:
        f = save_factor(s, BANK, chases=False).id
        cid, inv = ids(s)
        assign(s, f, cid, D("2026-02-01"), [inv["INV-1"], inv["INV-8"]], who="t")
    p, lt = letter(books, "2026-03-31")
    assert p.level is not None and p.open_minor == 160000
    notice = [x for x in lt.paragraphs if x.startswith("Notice of assignment")]
    assert notice == ["Notice of assignment: INV-1, INV-8 has been assigned to Northern Factors plc. Payment "
                      "discharges the debt only if made to Northern Factors plc: HSBC Sort code 40-11-62 "
                      "Account 71234567."]
    rows = dict(lt.payment.lines)
    assert rows["Payee"] == "Northern Factors plc" and rows["Account number"] == "71234567"


def test_a_part_assigned_account_is_paid_to_us_with_the_notice_beside(books):
    with books.transaction() as s:
        f = save_factor(s, BANK, chases=False).id
        cid, inv = ids(s)
        assign(s, f, cid, D("2026-02-01"), [inv["INV-8"]], who="t")
        with pytest.raises(FactoringError, match="Already assigned"):
            assign(s, f, cid, D("2026-02-02"), [inv["INV-8"]])
    _, lt = letter(books, "2026-03-31")
    assert any(x.startswith("Notice of assignment: INV-8 ") for x in lt.paragraphs)
    assert dict(lt.payment.lines)["Payee"] == "Kestrel Joinery Ltd"


def test_statements_carry_the_notice_for_a_whole_customer(books):
    with books.transaction() as s:
        f = save_factor(s, BANK, chases=False).id
        cid, _ = ids(s)
        assign(s, f, cid, D("2026-02-01"), None, who="t")
    with books.session() as s:
        cid, inv = ids(s)
        assert set(assigned_invoices(s, cid, D("2026-02-01"))) == {inv["INV-1"], inv["INV-8"]}
        assert assigned_invoices(s, cid, D("2026-01-31")) == {}
        st = statement(s, cid, "GBP", D("2026-03-31"))
        lt = statement_letter(st, s.get(Customer, cid), Kit.load(s))
        assert any("INV-1, INV-8 has been assigned to Northern Factors plc" in x for x in lt.paragraphs)


def test_a_chasing_factor_takes_its_invoices_out_of_the_dunning_run_until_the_assignment_ends(books):
    with books.transaction() as s:
        f = save_factor(s, BANK, chases=True).id
        cid, _ = ids(s)
        assign(s, f, cid, D("2026-02-01"), None, who="t")
    p, lt = letter(books, "2026-03-31")
    assert lt is None and p.reason == "Assigned to Northern Factors plc on 2026-02-01: the factor chases it."
    with books.session() as s:
        assert "ALD" not in {w.ref for w in worklist(s, D("2026-03-31"))}
    with books.transaction() as s:
        a = customer_assignments(s, ids(s)[0])[0]
        assert a.invoice == "" and a.chases
        end_assignment(s, a.assignment_id, D("2026-04-01"), who="t")
    p, lt = letter(books, "2026-04-02")
    assert lt is not None and not any(x.startswith("Notice") for x in lt.paragraphs)
    assert dict(lt.payment.lines)["Payee"] == "Kestrel Joinery Ltd"


def test_the_notice_of_assignment_lists_the_invoices_and_where_to_pay(books, tmp_path):
    from pypdf import PdfReader

    from debtordesk.db.models import Letter
    from debtordesk.services.factoring_letters import notice_pdf

    with books.transaction() as s:
        f = save_factor(s, BANK, chases=True).id
        cid, inv = ids(s)
        assign(s, f, cid, D("2026-02-01"), [inv["INV-1"], inv["INV-8"]], who="t")
        letter_id, pdf = notice_pdf(s, cid, f, "GBP", D("2026-02-02"), who="t")
    (tmp_path / "n.pdf").write_bytes(pdf)
    text = " ".join((p.extract_text() or "") for p in PdfReader(tmp_path / "n.pdf").pages)
    for words in ("Notice of assignment", "Northern Factors plc", "INV-1", "INV-8", "71234567", "£1,600.00",
                  "will contact you"):
        assert words in " ".join(text.split()), words
    with books.session() as s:
        stored = s.get(Letter, letter_id)
        assert (stored.kind, stored.total_minor, len(stored.lines)) == ("notice", 160000, 2)
        with pytest.raises(FactoringError, match="nothing to give notice of"):
            notice_pdf(s, cid, f, "EUR", D("2026-02-02"))
