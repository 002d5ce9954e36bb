"""The payment-plan agreement letter against a real database: what the PDF says (parties, debts,
every instalment, the interest wording, the default clause, places to sign), a long plan on A4 and
US Letter, the agreement recorded once and returned as stored, the German words."""

import io
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from debtordesk.db.models import Activity, Customer, Invoice, Letter, LetterInvoice
from debtordesk.domain.plans import Frequency, Interest, PlanTerms
from debtordesk.domain.problems import UserError
from debtordesk.letters.templates import LetterTemplate
from debtordesk.services.company import save_company
from debtordesk.services.correspondence import save_template
from debtordesk.services.dunning_letters import customer_letters
from debtordesk.services.plan_letters import agreement_pdf, compose_agreement, render_agreement
from debtordesk.services.plans import PlanError, cancel_plan, create_plan, plan_detail
from debtordesk.services.settings import put_settings
from helpers import add_invoice, dunning_books

D = date.fromisoformat
AGREED = D("2026-02-10")
FIVE_PERCENT_FLAT = Interest.flat(5)


def text_of(pdf: bytes) -> str:
    """The PDF's text with every run of white space (line breaks, no-break spaces) as one space."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


def pounds(minor: int) -> str:
    return f"£{minor // 100:,}.{minor % 100:02d}"


@pytest.fixture
def books(db):
    """Kestrel Joinery (UK) and Alder & Co, who owe INV-0 (£50, due 10 Jan) and INV-1 (£1,200, due 31 Jan)."""
    dunning_books(db)
    with db.transaction() as s:
        add_invoice(s, alder(s), "INV-0", "2025-12-01", "2026-01-10", 5000)
    return db


def alder(s) -> Customer:
    return s.scalars(select(Customer).where(Customer.ref == "ALD")).one()


def agree(db, *, numbers=("INV-0", "INV-1"), count=4, down=20000, fee=2500, interest=FIVE_PERCENT_FLAT, grace=5,
          waive=True, currency="GBP") -> int:
    with db.transaction() as s:
        ids = [s.scalar(select(Invoice.id).where(Invoice.number == n)) for n in numbers]
        amount = sum(s.get(Invoice, i).open_minor for i in ids)
        terms = PlanTerms(amount, currency, D("2026-03-01"), Frequency.monthly(), count=count,
                          down_payment_minor=down, plan_fee_minor=fee, interest=interest, grace_days=grace)
        return create_plan(s, alder(s).id, ids, terms, agreed_on=AGREED, waive_interest=waive, who="tester").id


def schedule_of(db, plan_id):
    with db.session() as s:
        return plan_detail(s, plan_id, AGREED).schedule


def test_the_agreement_names_parties_debts_every_instalment_the_terms_and_places_to_sign(books):
    plan = agree(books)
    with books.session() as s:
        text = text_of(render_agreement(s, plan, AGREED))
    assert "Payment plan agreement PP-0001 – account ALD" in text
    # the parties: us from the company profile, the customer with the address
    assert "Creditor Kestrel Joinery Ltd 1 Mill Lane Leeds LS1 4AB" in text
    assert "Debtor Alder & Co 4 High St YO1 7HH York" in text
    # every debt covered, and the plan's own fee and interest (5 % of the £1,050 financed is £52.50)
    assert "INV-0 10/01/2026 £50.00" in text
    assert "INV-1 31/01/2026 £1,200.00" in text
    assert "PP-0001 – Plan fee and interest 01/07/2026 £77.50" in text
    s = schedule_of(books, plan)
    assert [i.number for i in s.instalments] == [0, 1, 2, 3, 4]
    for i in s.instalments:
        number = "Down payment" if i.number == 0 else str(i.number)
        assert f"{number} {i.due:%d/%m/%Y} {pounds(i.amount_minor)}" in text, i
    assert "Down payment 01/03/2026 £200.00 £1,127.50" in text  # no interest or fee in it, so those are blank
    assert (f"Debts covered £1,250.00 Plan fee £25.00 Interest under the plan £52.50 "
            f"Total payable under the plan {pounds(s.total_minor)}") in text
    assert "The first payment is due on 1 March 2026, the last on 1 July 2026." in text
    # how to pay, quoting the plan
    assert "Sort code 20-00-00 Account number 12345678 Reference PP-0001 Each instalment £281.88" in text
    assert ("While you keep to this plan, we will not claim late-payment interest or compensation for the cost of "
            "recovering the debts it covers. If the plan is broken, our right to claim them revives in full.") in text
    assert ("If an instalment is not paid in full within 5 days of its due date, the whole balance then remaining "
            "under this plan becomes due at once, and our normal reminders resume") in text
    assert "For Kestrel Joinery Ltd For Alder & Co" in text
    assert text.count("Name") >= 2 and text.count("Place and date") == 2 and text.count("Signature") == 2
    assert text.index("For Alder & Co") > text.index("becomes due at once")  # the signatures come last


@pytest.mark.parametrize("paper, window", [("A4", "din5008"), ("Letter", "us-10")])
def test_a_plan_of_36_instalments_runs_over_pages_and_prints_every_one(books, paper, window):
    with books.transaction() as s:
        put_settings(s, {"letters.paper": paper, "letters.window": window})
    plan = agree(books, count=36, down=0, fee=0, interest=Interest.annual(6), grace=0, waive=False)
    with books.session() as s:
        pdf = render_agreement(s, plan, AGREED)
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) >= 2
    assert round(float(pages[0].mediabox.width)) == (595 if paper == "A4" else 612)
    text = text_of(pdf)
    s = schedule_of(books, plan)
    assert s.count == 36 and s.interest_minor > 0
    for i in s.instalments:
        assert (f"{i.number} {i.due:%d/%m/%Y} {pounds(i.amount_minor)} {pounds(i.interest_minor)} "
                f"{pounds(i.balance_after_minor)}") in text, i
    assert "36 monthly instalments" in text and "Down payment" not in text
    assert "Statutory interest for late payment continues to run" in text and "revives" not in text
    assert "If an instalment is not paid in full by its due date, the whole balance" in text
    assert f"Page {len(pages)} of {len(pages)}" in text
    assert "For Alder & Co" in pages[-1].extract_text()


def test_the_agreement_is_recorded_once_and_the_stored_copy_comes_back(books):
    plan = agree(books)
    with books.transaction() as s:
        first_id, first = agreement_pdf(s, plan, AGREED, who="tester")
    with books.transaction() as s:
        again_id, again = agreement_pdf(s, plan, D("2026-02-20"), who="tester")  # a later day: still the same
    assert (again_id, again) == (first_id, first)
    with books.session() as s:
        rows = s.scalars(select(Letter).where(Letter.kind == "plan")).all()
        assert len(rows) == 1
        row = rows[0]
        assert (row.reference, row.customer_id, row.currency, row.sent_on) == ("PP-0001", alder(s).id, "GBP", AGREED)
        assert (row.open_minor, row.fee_minor, row.interest_minor, row.total_minor) == (125000, 2500, 5250, 132750)
        assert row.pdf == first and row.created_by == "tester"
        covered = s.scalars(select(Invoice.number).join(LetterInvoice, LetterInvoice.invoice_id == Invoice.id)
                            .where(LetterInvoice.letter_id == row.id).order_by(Invoice.number)).all()
        assert covered == ["INV-0", "INV-1"]  # not the plan's own fee-and-interest invoice
        notes = s.scalars(select(Activity.note).where(Activity.note.like("Payment plan agreement%"))).all()
        assert len(notes) == 1 and notes[0].startswith("Payment plan agreement PP-0001 printed: £1,327.50")
        listed = customer_letters(s, alder(s).id)
        assert [(x.level, x.reference) for x in listed if x.id == first_id] == [("Payment plan agreement",
                                                                                 "PP-0001")]
    assert "PP-0001" in text_of(first)
    # the plan can still be cancelled (its unpaid fee-and-interest invoice withdrawn) with the letter kept
    with books.transaction() as s:
        cancel_plan(s, plan, D("2026-02-21"), who="tester")
    with books.session() as s:
        assert s.scalar(select(func.count()).select_from(Letter).where(Letter.kind == "plan")) == 1
        assert agreement_pdf(s, plan, D("2026-03-01"))[1] == first


def test_an_altered_stored_agreement_is_refused_and_a_cancelled_plan_gets_none(books):
    plan = agree(books)
    with books.transaction() as s:
        letter_id, _ = agreement_pdf(s, plan, AGREED, who="tester")
        s.get(Letter, letter_id).pdf += b"%"
    with books.session() as s, pytest.raises(UserError, match="does not match its fingerprint"):
        agreement_pdf(s, plan, AGREED)
    with books.transaction() as s:
        cancel_plan(s, plan, D("2026-02-11"), who="tester")
        s.execute(Letter.__table__.delete().where(Letter.__table__.c.kind == "plan"))
    with books.session() as s, pytest.raises(PlanError, match="PP-0001 was cancelled on 2026-02-11"):
        agreement_pdf(s, plan, AGREED)


def test_german_customer_in_euros_gets_the_german_agreement_with_a_payment_code(books):
    with books.transaction() as s:
        save_company(s, {"iban": "DE89370400440532013000", "bic": "COBADEFFXXX"})
        c = alder(s)
        c.language, c.country, c.postcode, c.city, c.address_line1 = "de", "DE", "50968", "Köln", "Lindenallee 9"
        add_invoice(s, c, "RE-7", "2026-01-05", "2026-02-04", 100000, currency="EUR")
    plan = agree(books, numbers=("RE-7",), currency="EUR", down=10000, fee=0, interest=Interest(), grace=1,
                 waive=True)
    with books.session() as s:
        letter = compose_agreement(s, plan, AGREED)
        text = text_of(render_agreement(s, plan, AGREED))
    assert "Ratenzahlungsvereinbarung PP-0001 – Kundennummer ALD" in text
    assert "Sehr geehrte Damen und Herren," in text
    assert "Gläubiger Kestrel Joinery Ltd" in text and "Schuldner Alder & Co Lindenallee 9 50968 Köln" in text
    assert "Von der Vereinbarung erfasste Forderungen" in text and "RE-7 04.02.26 1.000,00 €" in text
    assert "Anzahlung 01.03.26 100,00 €" in text
    assert "1 01.04.26 225,00 €" in text and "4 01.07.26 225,00 € 0,00 €" in text
    assert "eine Anzahlung von 100,00 € und 4 monatliche Raten zu 225,00 €" in text
    assert "Wird eine Rate nicht innerhalb von 1 Tag nach ihrer Fälligkeit vollständig bezahlt" in text
    assert "weder Verzugszinsen noch die Verzugspauschale" in text
    assert "Für Kestrel Joinery Ltd Für Alder & Co" in text and text.count("Unterschrift") == 2
    assert "Ort, Datum" in text and "Seite 1 von" in text
    assert letter.payment is not None and letter.payment.epc is not None
    assert (letter.payment.epc.amount, letter.payment.epc.text) == (Decimal("225.00"), "PP-0001")
    pounds_plan = agree(books, numbers=("INV-1",), down=0, fee=0, interest=Interest())
    with books.session() as s:  # pounds and a sort code: no payment code
        assert compose_agreement(s, pounds_plan, AGREED).payment.epc is None


def test_the_users_own_words_for_the_agreement_are_used(books):
    plan = agree(books)
    with books.transaction() as s:
        save_template(s, "plan-agreement", "en", LetterTemplate(
            "Our plan {{ plan.reference }}", "{{ salutation }}\n\nYou pay {{ plan.instalments }} of "
            "{{ plan.instalment }} from {{ plan.first_due }}, {{ plan.grace_days }} days of grace.", "Thanks."))
    with books.session() as s:
        text = text_of(render_agreement(s, plan, AGREED))
    assert "Our plan PP-0001" in text
    assert "You pay 4 monthly instalments of £281.88 from 1 March 2026, 5 days of grace." in text
    assert "Thanks." in text and "For Alder & Co" in text


def test_other_letters_may_name_the_plan_fields_and_get_them_empty(books):
    from debtordesk.services.dunning import dunning_run
    from debtordesk.services.dunning_letters import render_run

    with books.transaction() as s:  # the check knows the plan fields for every letter ...
        save_template(s, "reminder-1", "en", LetterTemplate(
            "Reminder", "{{ salutation }}\n\nPlan: [{{ plan.reference }}] {{ plan.total }}"
                        "{% if plan.waive_interest %} waived{% endif %}.", "Bye."))
    with books.session() as s:  # ... and a letter without a plan prints them empty
        proposals = [p for p in dunning_run(s, D("2026-02-07")) if p.ref == "ALD" and p.proposed]
        text = text_of(render_run(s, proposals, D("2026-02-07")))
    assert "Plan: [] £0.00." in text
