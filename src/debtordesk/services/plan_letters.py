"""The payment-plan agreement: a letter setting out an agreed plan (the parties, the debts it
covers, the schedule, the totals, how to pay, the interest wording, the default clause and places
for both parties to sign), worded by the 'plan-agreement' template. Printed once and recorded as a
letter of kind 'plan' under the plan's reference, so every later copy is the same bytes."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from debtordesk.config import current_user
from debtordesk.db.models import Activity, Customer, Letter, LetterInvoice, PaymentPlan
from debtordesk.domain.money import format_money
from debtordesk.domain.plans import Schedule
from debtordesk.letters import model
from debtordesk.letters.labels import labels, locale_of
from debtordesk.letters.layout import render_pdf
from debtordesk.services.correspondence import Kit, base_context, day, fill, recipient, short_day
from debtordesk.services.dunning_letters import letter_pdf
from debtordesk.services.plans import PlanDetail, PlanError, plan_detail

KEY = "plan-agreement"
NAME = "Payment plan agreement"  # as the customer's Letters tab lists it


def instalments_words(s: Schedule, language: str) -> str:
    """'12 monthly instalments', '6 Raten im Abstand von 10 Tagen', 'one instalment'."""
    words = labels(language)
    if s.count == 1:
        return words["freq_one"]
    return words[f"freq_{s.terms.frequency.kind}"].format(n=s.count, days=s.terms.frequency.days)


def _money(currency: str, language: str) -> Callable[[int], str]:
    loc = locale_of(language)
    return lambda minor: format_money(minor, currency, loc)


def _nobreak(text: str) -> str:
    """A date that never breaks across lines ('1 December 2026')."""
    return text.replace(" ", "\u00a0")


def context(detail: PlanDetail, customer: Customer, kit: Kit, today: date) -> dict:
    """The fields the template may use (see letters.templates): the common ones and `plan`."""
    lang = customer.language or "en"
    s = detail.schedule
    money = _money(s.currency, lang)
    debts = [x for x in detail.invoices if not x.charges]
    first = next(i for i in s.instalments if i.number > 0)
    values = base_context(customer, kit, today, s.currency)
    values.update({
        "pay_by": day(s.instalments[0].due, lang), "open_total": money(detail.terms.amount_minor),
        "total": money(s.total_minor), "invoice_count": len(debts),
        "oldest_due": day(min((x.due_date for x in debts), default=None), lang),
        "plan": {
            "reference": detail.row.reference, "agreed_on": _nobreak(day(detail.row.agreed_on, lang)),
            "covered": money(detail.terms.amount_minor), "fee": money(s.fee_minor),
            "interest": money(s.interest_minor), "charges": money(s.fee_minor + s.interest_minor),
            "total": money(s.total_minor), "down_payment": money(detail.terms.down_payment_minor),
            "instalment": money(first.amount_minor), "count": s.count, "instalments": instalments_words(s, lang),
            "first_due": _nobreak(day(s.instalments[0].due, lang)), "end": _nobreak(day(s.end, lang)),
            "grace_days": detail.terms.grace_days, "waive_interest": bool(detail.waive_interest),
        },
    })
    return values


def _tables(detail: PlanDetail, lang: str) -> tuple[model.Table, model.Table]:
    """The debts covered (with the plan's own fee-and-interest item) and the schedule."""
    words, s = labels(lang), detail.schedule
    money = _money(s.currency, lang)
    what = {(True, True): words["plan_charges"], (True, False): words["plan_fee"],
            (False, True): words["plan_interest"]}.get((s.fee_minor > 0, s.interest_minor > 0), "")
    debts = tuple((f"{x.number} – {what}" if x.charges else x.number,
                   short_day(s.end if x.charges else x.due_date, lang), money(x.covered_minor))
                  for x in detail.invoices)
    covered = model.Table((words["invoice"], words["due"], words["covered"]), debts, ("l", "l", "r"),
                          words["covered_title"], ("", "", money(sum(x.covered_minor for x in detail.invoices))))
    parts = [(label, attr) for label, attr, total in ((words["of_interest"], "interest_minor", s.interest_minor),
                                                       (words["of_fee"], "fee_minor", s.fee_minor)) if total]
    rows = tuple((words["down_payment"] if i.number == 0 else str(i.number), short_day(i.due, lang),
                  money(i.amount_minor), *(money(getattr(i, attr)) if getattr(i, attr) else "" for _, attr in parts),
                  money(i.balance_after_minor)) for i in s.instalments)
    plan = model.Table((words["no"], words["due"], words["amount"], *(label for label, _ in parts),
                        words["balance_after"]), rows, ("l", "l", "r", *("r" for _ in parts), "r"),
                       words["schedule_title"],
                       ("", "", money(s.total_minor), *(money(getattr(s, attr)) for _, attr in parts), ""))
    return covered, plan


def _compose(detail: PlanDetail, customer: Customer, kit: Kit, today: date) -> model.Letter:
    lang = customer.language or "en"
    words, s, ref = labels(lang), detail.schedule, detail.row.reference
    money = _money(s.currency, lang)
    subject, body, closing = fill(kit.words(KEY, lang), context(detail, customer, kit, today))
    summary = [(words["covered_total"], money(detail.terms.amount_minor))]
    if s.fee_minor:
        summary.append((words["plan_fee"], money(s.fee_minor)))
    if s.interest_minor:
        summary.append((words["plan_interest"], money(s.interest_minor)))
    summary.append((words["plan_total"], money(s.total_minor)))
    first = next(i for i in s.instalments if i.number > 0)
    head, debtor = kit.letterhead(lang), recipient(customer, kit.home_country, lang)
    who = kit.settings.get("letters.signatory", "")
    title = kit.settings.get("letters.signatory_title", "")
    lines = (words["sign_name"], words["sign_date"], words["sign_here"])
    return model.Letter(
        letterhead=head, recipient=debtor, place_date=day(today, lang),
        reference_lines=((words["our_reference"], ref), (words["customer_no"], customer.ref)),
        subject=subject, paragraphs=body,
        parties=((words["creditor"], model.Party(head.name, head.address_lines)), (words["debtor"], debtor)),
        tables=_tables(detail, lang), summary=tuple(summary), closing=closing,
        payment=kit.payment_block(lang, first.amount_minor, s.currency, ref, words["each_instalment"]),
        sign_fields=(
            model.SignatureField(words["for_party"].format(name=head.name), lines,
                                 ", ".join(x for x in (who, title) if x) if who else ""),
            model.SignatureField(words["for_party"].format(name=customer.name), lines,
                                 customer.contact_person or "")),
        footer_lines=kit.footer(lang), page_label=words["page"],
        continuation_label=f"{customer.name} — {words['plan_title']} {ref}")


def _parts(session: Session, plan_id: int, today: date) -> tuple[PlanDetail, Customer]:
    detail = plan_detail(session, plan_id, today)  # PlanError when there is no such plan
    return detail, session.get(Customer, detail.row.customer_id)


def compose_agreement(session: Session, plan_id: int, today: date, kit: Kit | None = None) -> model.Letter:
    """The agreement for a plan, dated `today`, ready to lay out."""
    detail, customer = _parts(session, plan_id, today)
    return _compose(detail, customer, kit or Kit.load(session), today)


def render_agreement(session: Session, plan_id: int, today: date) -> bytes:
    """The agreement as a PDF (nothing is recorded)."""
    kit = Kit.load(session)
    return render_pdf([compose_agreement(session, plan_id, today, kit)], kit.setup)


def recorded_agreement(session: Session, plan_id: int) -> int | None:
    """The id of the agreement recorded for the plan, or None."""
    plan = session.get(PaymentPlan, plan_id)
    if plan is None:
        raise PlanError("The payment plan does not exist.")
    return session.scalar(select(Letter.id).where(Letter.kind == "plan", Letter.customer_id == plan.customer_id,
                                                  Letter.reference == plan.reference)
                          .order_by(Letter.id.desc()).limit(1))


def agreement_pdf(session: Session, plan_id: int, today: date, who: str | None = None) -> tuple[int, bytes]:
    """(letter id, PDF bytes) of the plan's agreement: the copy recorded before (checked against
    its SHA-256), else a new one, dated `today`, recorded as a letter of kind 'plan' with the
    invoices it covers and an activity entry. Flushes only; the caller commits.

    The plan's own fee-and-interest invoice is not linked to the letter (cancelling a plan
    withdraws it); the letter's fee and interest amounts record it."""
    found = recorded_agreement(session, plan_id)
    if found is not None:
        return found, letter_pdf(session, found)
    detail, customer = _parts(session, plan_id, today)
    if detail.cancelled_on is not None:
        raise PlanError(f"Payment plan {detail.row.reference} was cancelled on {detail.cancelled_on.isoformat()}; "
                        "there is no agreement to print.")
    kit = Kit.load(session)
    pdf = render_pdf([_compose(detail, customer, kit, today)], kit.setup)
    s, ref = detail.schedule, detail.row.reference
    who = who if who is not None else current_user()
    letter = Letter(customer_id=customer.id, kind="plan", level_name=NAME, currency=s.currency, as_of=today,
                    sent_on=today, pay_by=s.instalments[0].due, open_minor=detail.terms.amount_minor,
                    interest_minor=s.interest_minor, fee_minor=s.fee_minor, total_minor=s.total_minor,
                    channel="letter", reference=ref, pdf=pdf, sha256=hashlib.sha256(pdf).hexdigest(),
                    created_by=who)
    letter.lines = [LetterInvoice(invoice_id=x.invoice_id, open_minor=x.covered_minor)
                    for x in detail.invoices if not x.charges]
    session.add(letter)
    session.add(Activity(customer_id=customer.id, occurred_on=today, kind="letter", created_by=who,
                         note=(f"{NAME} {ref} printed: {format_money(s.total_minor, s.currency)} "
                               f"({detail.summary}); last due {s.end.isoformat()}.")))
    session.flush()
    return letter.id, pdf
