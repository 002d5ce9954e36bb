"""Statement of account: a customer's opening balance, the invoices and payments of a period with
a running balance, the closing balance, and how old the open balance is. Printed on its own or
after a dunning letter."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from debtordesk.db.models import Customer, Invoice, Payment
from debtordesk.domain.aging import bucket_index, bucket_labels
from debtordesk.domain.discounts import available, last_day
from debtordesk.domain.money import format_money
from debtordesk.domain.problems import UserError
from debtordesk.letters import model
from debtordesk.letters.labels import labels, locale_of
from debtordesk.letters.layout import render_pdf
from debtordesk.services.correspondence import Kit, base_context, day, fill, recipient, short_day
from debtordesk.services.factoring import assigned_invoices, notice_lines

LIMITS = (30, 60, 90)


@dataclass(frozen=True)
class Entry:
    on: date
    kind: str  # "invoice", or the kind of credit: "payment" | "credit_note" | "write_off" | "discount"
    text: str
    debit_minor: int
    credit_minor: int
    balance_minor: int


@dataclass(frozen=True)
class DiscountOffer:
    number: str
    percent: str
    amount_minor: int  # the invoice in full
    pay_minor: int  # what settles it with the discount
    last_day: date


@dataclass
class Statement:
    customer_id: int
    currency: str
    start: date
    end: date
    opening_minor: int
    entries: list[Entry] = field(default_factory=list)
    aging: list[int] = field(default_factory=list)  # not yet due, then one per overdue bucket
    open_count: int = 0  # invoices with something left to pay
    discounts: list[DiscountOffer] = field(default_factory=list)  # still available on the end date
    open_numbers: dict[int, str] = field(default_factory=dict)  # invoice id → number, of the open invoices
    assigned: dict = field(default_factory=dict)  # invoice id → its factor (services.factoring), if assigned

    @property
    def closing_minor(self) -> int:
        return self.entries[-1].balance_minor if self.entries else self.opening_minor


def default_start(session: Session, customer_id: int, currency: str, end: date) -> date:
    """From the oldest invoice still open (so every open item shows), and at least 30 days back."""
    oldest = session.scalar(select(func.min(Invoice.issue_date)).where(
        Invoice.customer_id == customer_id, Invoice.currency == currency, Invoice.open_minor > 0))
    start = end - timedelta(days=30)
    return min(oldest, start) if oldest else start


def statement(session: Session, customer_id: int, currency: str, end: date, start: date | None = None) -> Statement:
    if session.get(Customer, customer_id) is None:
        raise UserError("This customer is no longer in the database.")
    start = start or default_start(session, customer_id, currency, end)
    if start > end:
        raise UserError("The statement must start on or before its end date.")
    inv = (Invoice.customer_id == customer_id, Invoice.currency == currency)
    pay = (Payment.customer_id == customer_id, Payment.currency == currency)
    invoiced = session.scalar(select(func.coalesce(func.sum(Invoice.amount_minor), 0))
                              .where(*inv, Invoice.issue_date < start))
    received = session.scalar(select(func.coalesce(func.sum(Payment.amount_minor), 0))
                              .where(*pay, Payment.date < start))
    opening = int(invoiced) - int(received)
    rows: list[tuple[date, int, str, str, int, int]] = []
    for r in session.execute(select(Invoice.issue_date, Invoice.id, Invoice.number, Invoice.amount_minor)
                             .where(*inv, Invoice.issue_date >= start, Invoice.issue_date <= end)):
        rows.append((r.issue_date, 0, "invoice", r.number, int(r.amount_minor), 0))
    for r in session.execute(select(Payment.date, Payment.id, Payment.kind, Payment.reference, Payment.amount_minor)
                             .where(*pay, Payment.date >= start, Payment.date <= end)):
        rows.append((r.date, 1, r.kind, r.reference, 0, int(r.amount_minor)))
    rows.sort(key=lambda x: (x[0], x[1], x[3]))
    out = Statement(customer_id, currency, start, end, opening)
    balance = opening
    for on, _, kind, text, debit, credit in rows:
        balance += debit - credit
        out.entries.append(Entry(on, kind, text, debit, credit, balance))
    aging = [0] * (len(LIMITS) + 2)
    for iid, number, due, open_minor in session.execute(
            select(Invoice.id, Invoice.number, Invoice.due_date, Invoice.open_minor)
            .where(*inv, Invoice.open_minor > 0, Invoice.issue_date <= end)):
        out.open_numbers[iid] = number
        days = (end - due).days
        aging[bucket_index(days, LIMITS)] += int(open_minor)
        out.open_count += 1
    out.aging = aging
    out.discounts = discount_offers(session, customer_id, currency, end)
    out.assigned = assigned_invoices(session, customer_id, end, out.open_numbers) if out.open_numbers else {}
    return out


def discount_offers(session: Session, customer_id: int, currency: str, on: date) -> list[DiscountOffer]:
    """The early-payment discounts the customer may still take on `on`, by last day."""
    rows = session.execute(select(Invoice.number, Invoice.issue_date, Invoice.amount_minor, Invoice.open_minor,
                                  Invoice.discount_percent, Invoice.discount_days)
                           .where(Invoice.customer_id == customer_id, Invoice.currency == currency,
                                  Invoice.discount_percent != "", Invoice.open_minor > 0, Invoice.issue_date <= on))
    out = []
    for r in rows:
        off = available(r.discount_percent, r.discount_days, r.issue_date, on, r.amount_minor, r.open_minor)
        if off:
            out.append(DiscountOffer(r.number, r.discount_percent, r.amount_minor, r.amount_minor - off,
                                     last_day(r.issue_date, r.discount_days)))
    return sorted(out, key=lambda d: (d.last_day, d.number))


def discount_lines(offers: list[DiscountOffer], currency: str, lang: str) -> tuple[str, ...]:
    """One sentence per discount still available, in the letter's language."""
    words, loc = labels(lang), locale_of(lang)
    return tuple(words["discount_offer"].format(
        amount=format_money(o.pay_minor, currency, loc), date=day(o.last_day, lang),
        full=format_money(o.amount_minor, currency, loc), percent=o.percent, number=o.number) for o in offers)


def statement_letter(st: Statement, customer: Customer, kit: Kit, *, cover: bool = True) -> model.Letter:
    """The statement as pages to print: with a short covering note from the 'statement' template
    when printed on its own, without it when it follows a letter."""
    lang = customer.language or "en"
    words, loc = labels(lang), locale_of(lang)
    money = lambda m: format_money(m, st.currency, loc) if m else ""  # noqa: E731
    rows = [(short_day(st.start, lang), words["opening"], "", "", format_money(st.opening_minor, st.currency, loc))]
    for e in st.entries:
        what = " ".join(x for x in (words[e.kind], e.text) if x)
        rows.append((short_day(e.on, lang), what, money(e.debit_minor), money(e.credit_minor),
                     format_money(e.balance_minor, st.currency, loc)))
    ledger = model.Table((words["date"], words["description"], words["debit"], words["credit"], words["balance"]),
                         tuple(rows), ("l", "l", "r", "r", "r"), words["statement_title"],
                         ("", words["closing"], "", "", format_money(st.closing_minor, st.currency, loc)))
    heads = [words["current"]] + [label.capitalize() for label in bucket_labels(LIMITS)[1:]]
    aging = model.Table(tuple(heads), (tuple(format_money(a, st.currency, loc) for a in st.aging),),
                        tuple("r" for _ in heads), words["aging_title"])
    subject, body, closing = f"{words['statement_title']} — {customer.name}", (), ()
    if cover:
        values = base_context(customer, kit, st.end, st.currency)
        values.update(total=format_money(st.closing_minor, st.currency, loc), open_total=format_money(
            sum(st.aging), st.currency, loc), invoice_count=st.open_count)
        subject, body, closing = fill(kit.words("statement", lang), values)
        body = tuple(body) + discount_lines(st.discounts, st.currency, lang)
    body = tuple(body) + notice_lines(st.assigned, st.open_numbers, lang)
    return model.Letter(
        letterhead=kit.letterhead(lang), recipient=recipient(customer, kit.home_country, lang),
        place_date=day(st.end, lang), reference_lines=((words["customer_no"], customer.ref),),
        subject=subject, paragraphs=body, tables=(ledger, aging), summary=(), closing=closing,
        payment=None, signature_lines=kit.signature(lang) if cover else (), footer_lines=kit.footer(lang),
        page_label=words["page"], continuation_label=f"{customer.name} — {words['statement_title']}")


def statement_pdf(session: Session, customer_id: int, end: date, start: date | None = None) -> bytes:
    """The customer's statement for each currency they deal in, as one PDF."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise UserError("This customer is no longer in the database.")
    currencies = sorted(set(session.scalars(select(Invoice.currency).where(Invoice.customer_id == customer_id)
                                            .distinct()))
                        | set(session.scalars(select(Payment.currency).where(Payment.customer_id == customer_id)
                                              .distinct())))
    if not currencies:
        raise UserError(f"{customer.name} has no invoices or payments yet, so there is no statement to print.")
    kit = Kit.load(session)
    letters = [statement_letter(statement(session, customer_id, cur, end, start), customer, kit) for cur in currencies]
    return render_pdf(letters, kit.setup)
