"""The notice of assignment: a letter telling a customer that invoices were assigned to a factor
and must now be paid to it, worded by the 'assignment-notice' template, with the invoices and the
factor's bank details. Recorded as a letter of kind 'notice' each time it is printed (the stored
bytes are the evidence that the customer was told)."""

from __future__ import annotations

import hashlib
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from debtordesk.config import current_user
from debtordesk.db.models import Customer, FactorAssignment, Invoice, Letter, LetterInvoice
from debtordesk.domain.money import format_money
from debtordesk.letters import model
from debtordesk.letters.labels import labels, locale_of
from debtordesk.letters.layout import render_pdf
from debtordesk.services.activity import record_event
from debtordesk.services.correspondence import Kit, base_context, day, fill, recipient, short_day
from debtordesk.services.factoring import FactorInfo, FactoringError, assigned_invoices, factors

KEY = "assignment-notice"
NAME = "Notice of assignment"  # as the customer's Letters tab lists it


def _parts(session: Session, customer_id: int, factor_id: int, currency: str,
           today: date) -> tuple[Customer, FactorInfo, list[Invoice], date]:
    customer = session.get(Customer, customer_id)
    factor = next((f for f in factors(session) if f.id == factor_id), None)
    if customer is None or factor is None:
        raise FactoringError("That customer or factor is no longer in the database.")
    assigned = {iid for iid, f in assigned_invoices(session, customer_id, today).items() if f.id == factor_id}
    invoices = session.scalars(select(Invoice).where(Invoice.id.in_(sorted(assigned)), Invoice.currency == currency,
                                                     Invoice.open_minor > 0)
                               .order_by(Invoice.due_date, Invoice.number)).all() if assigned else []
    if not invoices:
        raise FactoringError(f"None of {customer.name}'s open {currency} invoices is assigned to {factor.name}, "
                             "so there is nothing to give notice of.")
    since = session.scalar(select(FactorAssignment.assigned_on).where(
        FactorAssignment.customer_id == customer_id, FactorAssignment.factor_id == factor_id,
        FactorAssignment.assigned_on <= today).order_by(FactorAssignment.assigned_on.desc()).limit(1))
    return customer, factor, list(invoices), since or today


def compose_notice(session: Session, customer_id: int, factor_id: int, currency: str, today: date,
                   kit: Kit | None = None) -> model.Letter:
    customer, factor, invoices, since = _parts(session, customer_id, factor_id, currency, today)
    kit = kit or Kit.load(session)
    lang = customer.language or "en"
    words, loc = labels(lang), locale_of(lang)
    money = lambda m: format_money(m, currency, loc)  # noqa: E731
    total = sum(i.open_minor for i in invoices)
    values = base_context(customer, kit, today, currency)
    values.update(open_total=money(total), total=money(total), invoice_count=len(invoices),
                  oldest_due=day(invoices[0].due_date, lang),
                  factor={"name": factor.name, "bank": factor.bank_line(), "assigned_on": day(since, lang),
                          "chases": factor.chases})
    subject, body, closing = fill(kit.words(KEY, lang), values)
    rows = tuple((i.number, short_day(i.issue_date, lang), short_day(i.due_date, lang), money(i.amount_minor),
                  money(i.open_minor)) for i in invoices)
    table = model.Table((words["invoice"], words["date"], words["due"], words["amount"], words["open"]), rows,
                        ("l", "l", "l", "r", "r"), words["invoices_title"], ("", "", "", "", money(total)))
    ref = f"{customer.ref}/NA/{today:%y%m%d}"
    return model.Letter(
        letterhead=kit.letterhead(lang), recipient=recipient(customer, kit.home_country, lang),
        place_date=day(today, lang),
        reference_lines=((words["our_reference"], ref), (words["customer_no"], customer.ref)),
        subject=subject, paragraphs=body, tables=(table,), summary=(), closing=closing,
        payment=kit.payment_block(lang, total, currency, ref, payee=factor), signature_lines=kit.signature(lang),
        footer_lines=kit.footer(lang), page_label=words["page"],
        continuation_label=f"{customer.name} — {day(today, lang)}")


def notice_pdf(session: Session, customer_id: int, factor_id: int, currency: str, today: date,
               who: str | None = None) -> tuple[int, bytes]:
    """(letter id, PDF) of a notice printed now, recorded as a letter of kind 'notice' with the
    invoices it lists and an activity entry. Flushes only; the caller commits."""
    kit = Kit.load(session)
    letter_model = compose_notice(session, customer_id, factor_id, currency, today, kit)
    customer, factor, invoices, _ = _parts(session, customer_id, factor_id, currency, today)
    pdf = render_pdf([letter_model], kit.setup)
    total = sum(i.open_minor for i in invoices)
    who = who if who is not None else current_user()
    letter = Letter(customer_id=customer_id, kind="notice", level_name=NAME, currency=currency, as_of=today,
                    sent_on=today, open_minor=total, total_minor=total, channel="letter",
                    reference=f"{customer.ref}/NA/{today:%y%m%d}", pdf=pdf, sha256=hashlib.sha256(pdf).hexdigest(),
                    created_by=who)
    letter.lines = [LetterInvoice(invoice_id=i.id, open_minor=i.open_minor) for i in invoices]
    session.add(letter)
    record_event(session, customer_id, today, f"{NAME} printed: {len(invoices)} invoice(s), "
                 f"{format_money(total, currency)}, assigned to {factor.name}.", who, kind="letter")
    session.flush()
    return letter.id, pdf
