"""Dunning letters: compose each proposal's letter, print a run as one PDF, record letters as
sent (the exact PDF bytes, their SHA-256, the invoices claimed and an activity entry), re-print."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from debtordesk.config import current_user
from debtordesk.db.locks import lock_customers
from debtordesk.db.models import Activity, Customer, Letter, LetterInvoice
from debtordesk.domain.money import format_money
from debtordesk.domain.problems import Problem, Rejected, UserError
from debtordesk.domain.progress import Cancelled, Progress, Report, ShouldCancel
from debtordesk.letters import model
from debtordesk.letters.labels import labels, locale_of
from debtordesk.letters.layout import render_pdf
from debtordesk.services.correspondence import Kit, base_context, day, fill, legal_text, percent, recipient, short_day
from debtordesk.services.dunning import Proposal, dunning_run
from debtordesk.services.factoring import assigned_invoices, notice_lines, sole_factor
from debtordesk.services.statements import discount_lines, discount_offers, statement, statement_letter


def reference(p: Proposal, as_of: date) -> str:
    return f"{p.ref}/{as_of:%y%m%d}/{p.level.position if p.level else 0}"


def context(p: Proposal, customer: Customer, kit: Kit, as_of: date) -> dict:
    """The fields a letter template may use (see letters.templates)."""
    lang = customer.language or "en"
    money = lambda m: format_money(m, p.currency, locale_of(lang))  # noqa: E731
    level = p.level
    oldest = min((x.due_date for x in p.lines), default=None)
    values = base_context(customer, kit, as_of, p.currency)
    values.update({
        "level": {"name": level.name if level else "", "number": level.position if level else 0},
        "pay_by": day(p.pay_by, lang), "deadline_days": level.deadline_days if level else 0,
        "open_total": money(p.open_minor), "interest": money(p.interest_minor),
        "compensation": money(p.compensation_minor), "fee": money(p.fee_minor), "total": money(p.total_minor),
        "claims_interest": bool(level and level.claims_interest and p.regime != "none"),
        "regime": legal_text(p.regime, lang), "invoice_count": len(p.lines),
        "oldest_due": day(oldest, lang), "days_overdue": p.days_overdue,
        "previous_letter": day(p.previous.sent_on, lang) if p.previous else "",
        # early-payment discounts still open to the customer (on invoices not yet due, as a rule)
        "discount_note": " ".join(discount_lines(discount_offers(kit.session, customer.id, p.currency, as_of),
                                                 p.currency, lang)) if kit.offers_discounts else "",
    })
    return values


def compose(p: Proposal, customer: Customer, kit: Kit, as_of: date) -> model.Letter:
    """The letter for a proposal, ready to lay out."""
    if p.level is None:
        raise UserError(f"{p.name} has no letter proposed: {p.reason}")
    lang = customer.language or "en"
    words, loc = labels(lang), locale_of(lang)
    money = lambda m: format_money(m, p.currency, loc)  # noqa: E731
    subject, body, closing = fill(kit.words(p.level.key, lang), context(p, customer, kit, as_of))
    ref = reference(p, as_of)
    rows = tuple((x.number, short_day(x.issue_date, lang), short_day(x.due_date, lang), money(x.amount_minor),
                  money(x.paid_minor) if x.paid_minor else "", money(x.open_minor), str(x.days_overdue))
                 for x in p.lines)
    tables = [model.Table(
        (words["invoice"], words["date"], words["due"], words["amount"], words["paid"], words["open"],
         words["days_overdue"]), rows, ("l", "l", "l", "r", "r", "r", "r"), words["invoices_title"],
        ("", "", "", "", "", money(p.open_minor), ""))]
    claims = p.level.claims_interest and p.regime != "none"
    notes = [words["disputed_note"].format(amount=money(x.disputed_minor), number=x.number)
             for x in p.lines if x.disputed_minor]
    if claims and any(x.interest and x.interest.periods for x in p.lines):
        wrows = []
        for x in p.lines:
            if not x.interest:
                continue
            notes += [n for n in x.interest.notes if n not in notes]
            for per in x.interest.periods:
                wrows.append((x.number, f"{short_day(per.start, lang)} – {short_day(per.end, lang)}", str(per.days),
                              percent(per.rate, lang), money(per.principal_minor), money(per.interest_minor)))
        tables.append(model.Table(
            (words["invoice"], words["period"], words["days"], words["rate"], words["principal"], words["interest"]),
            tuple(wrows), ("l", "l", "r", "r", "r", "r"), words["workings_title"],
            ("", "", "", "", "", money(p.interest_minor))))
    summary = [(words["open_total"], money(p.open_minor))]
    if claims and p.interest_minor:
        summary.append((words["interest"], money(p.interest_minor)))
    if claims and p.compensation_minor:
        summary.append((words["compensation"], money(p.compensation_minor)))
    if p.fee_minor:
        summary.append((words["fee"], money(p.fee_minor)))
    summary.append((words["total"], money(p.total_minor)))
    ids = [x.invoice_id for x in p.lines]
    assigned = assigned_invoices(kit.session, customer.id, as_of, ids) if kit.uses_factoring else {}
    body = tuple(body) + notice_lines(assigned, {x.invoice_id: x.number for x in p.lines}, lang)
    refs = ((words["our_reference"], ref), (words["customer_no"], customer.ref))
    return model.Letter(
        letterhead=kit.letterhead(lang), recipient=recipient(customer, kit.home_country, lang),
        place_date=day(as_of, lang), reference_lines=refs, subject=subject, paragraphs=body,
        tables=tuple(tables), summary=tuple(summary), closing=tuple(notes) + closing,
        payment=kit.payment_block(lang, p.total_minor, p.currency, ref, payee=sole_factor(assigned, ids)),
        signature_lines=kit.signature(lang),
        footer_lines=kit.footer(lang), page_label=words["page"],
        continuation_label=f"{customer.name} — {day(as_of, lang)}")


def pages(session: Session, p: Proposal, customer: Customer, kit: Kit, as_of: date) -> list[model.Letter]:
    """The letter, followed by the customer's statement of account when Settings ask for it."""
    out = [compose(p, customer, kit, as_of)]
    if kit.settings.get("letters.attach_statement") == "yes":
        out.append(statement_letter(statement(session, customer.id, p.currency, as_of), customer, kit, cover=False))
    return out


def _customers(session: Session, proposals: Sequence[Proposal]) -> dict[int, Customer]:
    ids = {p.customer_id for p in proposals}
    return {c.id: c for c in session.scalars(select(Customer).where(Customer.id.in_(ids)))} if ids else {}


def render_run(session: Session, proposals: Sequence[Proposal], as_of: date, *, report: Report | None = None,
               should_cancel: ShouldCancel | None = None) -> bytes:
    """All the proposed letters as one PDF for printing (nothing is recorded)."""
    chosen = [p for p in proposals if p.proposed]
    if not chosen:
        raise UserError("No letters are chosen; tick the customers to write to.")
    kit = Kit.load(session)
    customers = _customers(session, chosen)
    letters = [page for p in chosen for page in pages(session, p, customers[p.customer_id], kit, as_of)]
    return render_pdf(letters, kit.setup, report=report, should_cancel=should_cancel)


@dataclass(frozen=True)
class SentLetter:
    id: int
    customer_id: int
    customer: str
    level: str
    sent_on: date
    currency: str
    total_minor: int
    reference: str
    sha256: str


def still_proposed(session: Session, keys: Sequence[tuple[int, str, int]], as_of: date) -> list[Proposal]:
    """The proposals for `keys` (customer id, currency, level position) worked out again now; if any
    account no longer gets that level, Rejected names each change."""
    wanted = {(c, cur): pos for c, cur, pos in keys}
    # a second user recording the same letters waits here, then finds them recorded
    lock_customers(session, {c for c, _ in wanted})
    fresh = {p.key: p for p in dunning_run(session, as_of, customer_ids=sorted({c for c, _ in wanted}))}
    problems = []
    chosen: list[Proposal] = []
    for key, position in wanted.items():
        p = fresh.get(key)
        if p is None or not p.proposed or p.level.position != position:
            customer = session.get(Customer, key[0])
            name = p.name if p else (customer.name if customer else f"customer {key[0]}")
            why = p.reason if p is not None and not p.proposed else "nothing is overdue any more"
            if p is not None and p.proposed:
                why = f"the next letter is now {p.level.name}"
            problems.append(Problem(f"{name} ({key[1]}): {why}"))
        else:
            chosen.append(p)
    if problems:
        raise Rejected(problems)
    return chosen


def mark_sent(session: Session, keys: Sequence[tuple[int, str, int]], as_of: date, sent_on: date | None = None, *,
              user: str | None = None, report: Report | None = None,
              should_cancel: ShouldCancel | None = None) -> list[SentLetter]:
    """Record the letters for `keys` (customer id, currency, level position) as sent, all or none
    (the caller's transaction; a cancel or an error leaves nothing written).

    The proposals are worked out again as of `as_of`; if any account no longer gets that level (a
    payment arrived, a letter was already recorded), nothing is recorded and each change is named."""
    sent_on = sent_on or as_of
    chosen = still_proposed(session, keys, as_of)
    kit = Kit.load(session)
    customers = _customers(session, chosen)
    who = user if user is not None else current_user()
    out = []
    for n, p in enumerate(chosen):
        if should_cancel is not None and should_cancel():
            raise Cancelled()
        pdf = render_pdf(pages(session, p, customers[p.customer_id], kit, as_of), kit.setup)
        out.append(record_letter(session, p, as_of, sent_on, who, pdf))
        if report is not None:
            report(Progress(n + 1, len(chosen), f"Recorded {p.level.name} to {p.name}"))
    return out


def record_letter(session: Session, p: Proposal, as_of: date, sent_on: date, who: str, pdf: bytes, *,
                  channel: str | None = None, emailed_to: str = "", emailed_at=None) -> SentLetter:
    """Store one letter as sent: its PDF bytes and SHA-256, the invoices claimed, an activity entry."""
    digest = hashlib.sha256(pdf).hexdigest()
    ref = reference(p, as_of)
    letter = Letter(customer_id=p.customer_id, kind="dunning", level_position=p.level.position,
                    level_name=p.level.name, currency=p.currency, as_of=as_of, sent_on=sent_on,
                    pay_by=p.pay_by, open_minor=p.open_minor, interest_minor=p.interest_minor,
                    compensation_minor=p.compensation_minor, fee_minor=p.fee_minor,
                    total_minor=p.total_minor, channel=channel or p.level.channel, reference=ref, pdf=pdf,
                    sha256=digest, created_by=who, emailed_to=emailed_to, emailed_at=emailed_at)
    letter.lines = [LetterInvoice(invoice_id=x.invoice_id, open_minor=x.open_minor, interest_minor=x.interest_minor,
                                  compensation_minor=x.compensation_minor) for x in p.lines]
    session.add(letter)
    how = f" by e-mail to {emailed_to}" if emailed_to else ""
    session.add(Activity(customer_id=p.customer_id, occurred_on=sent_on, kind="email" if emailed_to else "letter",
                         created_by=who, note=(f"{p.level.name} sent{how} ({ref}): "
                                               f"{format_money(p.total_minor, p.currency)} to pay by "
                                               f"{p.pay_by.isoformat()}.")))
    session.flush()
    return SentLetter(letter.id, p.customer_id, p.name, p.level.name, sent_on, p.currency, p.total_minor, ref, digest)


def customer_letters(session: Session, customer_id: int) -> list[SentLetter]:
    """The letters a customer was sent, newest first (without their PDF bytes)."""
    q = (select(Letter.id, Letter.customer_id, Customer.name, Letter.level_name, Letter.kind, Letter.sent_on,
                Letter.currency, Letter.total_minor, Letter.reference, Letter.sha256)
         .join(Customer, Customer.id == Letter.customer_id)
         .where(Letter.customer_id == customer_id).order_by(Letter.sent_on.desc(), Letter.id.desc()))
    return [SentLetter(r.id, r.customer_id, r.name, r.level_name or r.kind.title(), r.sent_on, r.currency,
                       r.total_minor, r.reference, r.sha256) for r in session.execute(q)]


def letter_pdf(session: Session, letter_id: int) -> bytes:
    """The exact bytes of a letter as sent (checked against its SHA-256)."""
    row = session.execute(select(Letter.pdf, Letter.sha256).where(Letter.id == letter_id)).first()
    if row is None:
        raise UserError("This letter is no longer in the database.")
    if not row.pdf:
        raise UserError("The copy of this letter was deleted when the customer's personal data was erased; its "
                        "date, amounts and fingerprint are kept.")
    if hashlib.sha256(row.pdf).hexdigest() != row.sha256:
        raise UserError("This letter's stored copy does not match its fingerprint; it may have been altered.")
    return row.pdf
