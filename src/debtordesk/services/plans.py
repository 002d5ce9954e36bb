"""Payment plans: agreeing one over chosen invoices (or the whole overdue balance), cancelling it,
and the plans as the screens list them. Tracking (statuses, breaches, dunning) is in
services.plan_tracking.

A plan covers invoices in one currency, with what was left to pay on each when it was agreed. Its
fee and interest are a debt of their own: one invoice numbered like the plan, due on the last
instalment's date (brought forward to the day of a breach). Only one plan per customer and
currency is active at a time, and an invoice is in at most one active plan.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from debtordesk.config import current_user
from debtordesk.db.models import Activity, Customer, Invoice, PaymentPlan, PlanInstalment, PlanInvoice
from debtordesk.domain.money import check_currency, format_money
from debtordesk.domain.plan_tracking import PlanState
from debtordesk.domain.plans import NO_INTEREST, Frequency, Interest, PlanTerms, Schedule, parse_frequency, schedule
from debtordesk.domain.problems import FieldErrors, UserError
from debtordesk.services.plan_tracking import active_plans, customer_names, plan_states


class PlanError(UserError):
    """A plan refused; the message is meant for the user."""


@dataclass(frozen=True, slots=True)
class Coverable:
    """An open invoice the builder offers."""

    invoice_id: int
    number: str
    issue_date: date
    due_date: date
    currency: str
    amount_minor: int
    open_minor: int
    overdue: bool
    disputed: bool
    in_plan: str  # the reference of the active plan that covers it, or ""


def coverable_invoices(session: Session, customer_id: int, as_of: date) -> list[Coverable]:
    """The customer's open invoices, oldest first, marked overdue / disputed / already in a plan."""
    taken = {iid: ref for ref, ids in ((p.reference, [x.invoice_id for x in p.invoices])
                                      for p in active_plans(session, as_of, customer_id=customer_id))
             for iid in ids}
    rows = session.execute(
        select(Invoice.id, Invoice.number, Invoice.issue_date, Invoice.due_date, Invoice.currency,
               Invoice.amount_minor, Invoice.open_minor, Invoice.disputed)
        .where(Invoice.customer_id == customer_id, Invoice.open_minor > 0)
        .order_by(Invoice.currency, Invoice.due_date, Invoice.number))
    return [Coverable(r.id, r.number, r.issue_date, r.due_date, r.currency, r.amount_minor, r.open_minor,
                      r.due_date < as_of, bool(r.disputed), taken.get(r.id, "")) for r in rows]


def overdue_selection(items: Sequence[Coverable], currency: str) -> list[int]:
    """"The whole overdue balance": every overdue, undisputed invoice in the currency not in a plan."""
    return [c.invoice_id for c in items if c.currency == currency and c.overdue and not c.disputed and not c.in_plan]


def interest_of(kind: str, percent: str | Decimal) -> Interest:
    if kind == "flat":
        return Interest.flat(percent)
    if kind == "annual":
        return Interest.annual(percent)
    return NO_INTEREST


def terms_of(plan: PaymentPlan) -> PlanTerms:
    """The terms as agreed (what the stored instalments were worked out from)."""
    return PlanTerms(plan.amount_minor, plan.currency, plan.first_due, parse_frequency(plan.frequency),
                     plan.count, plan.instalment_minor, plan.down_payment_minor, plan.plan_fee_minor,
                     interest_of(plan.interest_kind, plan.interest_percent), plan.grace_days)



# PlanTerms field -> the builder's field that sets it (for refusals under the right field)
FORM_FIELDS = {"amount_minor": "invoices", "currency": "invoices", "first_due": "first_due",
               "frequency": "frequency", "count": "count", "instalment_minor": "instalment",
               "down_payment_minor": "down", "plan_fee_minor": "fee", "interest": "percent",
               "grace_days": "grace_days"}


def terms_from_form(values: dict[str, str], amount_minor: int, currency: str) -> PlanTerms:
    """The terms from what the builder's fields hold (strings), or FieldErrors keyed by field:
    down, size ("count" or "instalment"), count, instalment, frequency (month, week, fortnight or
    days), every_days, first_due (ISO date), fee, interest (none, flat, annual), percent, grace_days."""
    from debtordesk.domain.money import MoneyError, parse_amount

    errors: dict[str, str] = {}

    def amount(key: str, label: str) -> int:
        text = (values.get(key) or "").strip()
        if not text:
            return 0
        try:
            return parse_amount(text, currency)
        except MoneyError as exc:
            errors[key] = f"{label}: {exc}"
            return 0

    def whole(key: str, label: str) -> int:
        text = (values.get(key) or "").strip()
        if not text.isdigit():
            errors[key] = f"{label} must be a whole number"
            return 0
        return int(text)

    try:
        first_due = date.fromisoformat(values.get("first_due", ""))
    except ValueError:
        errors["first_due"] = "the first payment date must be a date"
        first_due = date.today()
    kind = values.get("frequency", "month")
    if kind == "days":
        frequency = Frequency.every_days(whole("every_days", "The number of days between instalments"))
        if "every_days" not in errors and (problem := frequency.problem()):
            errors["every_days"] = problem
        if "every_days" in errors:
            frequency = Frequency.monthly()
    else:
        frequency = parse_frequency(kind)
    size = values.get("size", "count")
    count = whole("count", "The number of instalments") if size == "count" else None
    instalment = amount("instalment", "The instalment") if size == "instalment" else None
    if size == "instalment" and not instalment and "instalment" not in errors:
        errors["instalment"] = "give the amount of each instalment"
    interest = NO_INTEREST
    how = values.get("interest", "none")
    if how != "none":
        try:
            percent = Decimal((values.get("percent") or "").strip().replace(",", "."))
        except ArithmeticError:
            percent = None
        if percent is None or not percent.is_finite():
            errors["percent"] = "the interest must be a percentage like 8 or 7.5"
        else:
            interest = interest_of(how, percent)
    terms = PlanTerms(amount_minor, currency, first_due, frequency, count, instalment,
                      amount("down", "The down payment"), amount("fee", "The plan fee"), interest,
                      whole("grace_days", "The grace period"))
    if errors:
        raise FieldErrors(errors)
    return terms


def preview(values: dict[str, str], amount_minor: int, currency: str) -> Schedule:
    """The schedule the builder shows, or FieldErrors keyed by the builder's fields."""
    terms = terms_from_form(values, amount_minor, currency)
    try:
        return schedule(terms)
    except FieldErrors as exc:
        raise FieldErrors({FORM_FIELDS.get(k, k): v for k, v in exc.errors.items()}) from None

def _next_reference(session: Session) -> str:
    n = int(session.scalar(select(func.count()).select_from(PaymentPlan)) or 0) + 1
    while True:
        ref = f"PP-{n:04d}"
        if session.scalar(select(PaymentPlan.id).where(PaymentPlan.reference == ref)) is None:
            return ref
        n += 1


def _charges_number(session: Session, reference: str) -> str:
    number, k = reference, 1
    while session.scalar(select(Invoice.id).where(Invoice.number == number)) is not None:
        k += 1
        number = f"{reference}-{k}"
    return number


def describe(s: Schedule) -> str:
    """'12 monthly instalments of £100.00 from 2027-01-31' (the first regular instalment)."""
    regular = [i for i in s.instalments if i.number > 0]
    first = regular[0]
    how = s.terms.frequency.label
    same = all(i.amount_minor == first.amount_minor for i in regular[:-1])
    amount = format_money(first.amount_minor, s.currency)
    text = (f"{s.count} {how} instalment{'s' if s.count != 1 else ''} of {amount} "
            f"{'' if same else 'and more '}from {first.due.isoformat()}")
    if s.terms.down_payment_minor:
        down = format_money(s.terms.down_payment_minor, s.currency)
        text = f"{down} down on {s.terms.first_due.isoformat()}, then {text}"
    return text


def create_plan(session: Session, customer_id: int, invoice_ids: Sequence[int], terms: PlanTerms, *,
                agreed_on: date, waive_interest: bool = True, note: str = "", who: str | None = None) -> PaymentPlan:
    """Agree a plan over the chosen open invoices. `terms.amount_minor` must equal what is open on
    them (the builder sets it); the schedule is worked out here and stored with the plan."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise PlanError("The customer does not exist.")
    currency = check_currency(terms.currency)
    if not invoice_ids:
        raise FieldErrors({"invoices": "Choose at least one invoice for the plan to cover."})
    invoices = session.scalars(select(Invoice).where(Invoice.id.in_(list(invoice_ids)))
                               .order_by(Invoice.due_date, Invoice.number)).all()
    if len(invoices) != len(set(invoice_ids)):
        raise PlanError("One of the chosen invoices no longer exists; reload and choose again.")
    for inv in invoices:
        if inv.customer_id != customer_id:
            raise PlanError(f"Invoice {inv.number} belongs to another customer.")
        if inv.currency != currency:
            raise PlanError(f"Invoice {inv.number} is in {inv.currency}; a plan covers debts in one currency "
                            f"({currency}).")
        if inv.open_minor <= 0:
            raise PlanError(f"Invoice {inv.number} has been paid in full; there is nothing left to put in a plan.")
    for other in active_plans(session, agreed_on, customer_id=customer_id):
        if other.currency == currency:
            raise PlanError(f"{customer.name} already has payment plan {other.reference} in {currency}. "
                            "Cancel it first to agree a new one.")
    covered = sum(inv.open_minor for inv in invoices)
    if terms.amount_minor != covered:
        raise PlanError(f"The plan is for {format_money(terms.amount_minor, currency)} but the chosen invoices "
                        f"have {format_money(covered, currency)} left to pay; reload and try again.")
    s = schedule(terms)  # FieldErrors naming the term
    if terms.first_due < agreed_on:
        raise FieldErrors({"first_due": "The first payment cannot be due before the day the plan is agreed."})
    reference = _next_reference(session)
    charges = s.interest_minor + s.fee_minor
    plan = PaymentPlan(
        reference=reference, customer_id=customer_id, currency=currency, agreed_on=agreed_on,
        first_due=terms.first_due, frequency=terms.frequency.code, count=terms.count,
        instalment_minor=terms.instalment_minor, amount_minor=covered, down_payment_minor=terms.down_payment_minor,
        plan_fee_minor=terms.plan_fee_minor, interest_kind=terms.interest.kind,
        interest_percent=str(terms.interest.percent), grace_days=terms.grace_days, waive_interest=waive_interest,
        total_minor=s.total_minor, note=note, created_by=who if who is not None else current_user())
    plan.instalments = [PlanInstalment(number=i.number, due_date=i.due, amount_minor=i.amount_minor,
                                       principal_minor=i.principal_minor, interest_minor=i.interest_minor,
                                       fee_minor=i.fee_minor) for i in s.instalments]
    plan.invoices = [PlanInvoice(invoice_id=inv.id, covered_minor=inv.open_minor) for inv in invoices]
    if charges:
        parts = [p for p, v in (("fee", s.fee_minor), ("interest", s.interest_minor)) if v]
        inv = Invoice(number=_charges_number(session, reference), customer_id=customer_id, issue_date=agreed_on,
                      due_date=s.end, amount_minor=charges, currency=currency,
                      description=f"Payment plan {reference}: {' and '.join(parts)}")
        session.add(inv)
        session.flush()
        plan.charges_invoice_id = inv.id
        plan.invoices.append(PlanInvoice(invoice_id=inv.id, covered_minor=charges))
    session.add(plan)
    numbers = ", ".join(inv.number for inv in invoices)
    session.add(Activity(customer_id=customer_id, occurred_on=agreed_on, kind="note", outcome="promised",
                         created_by=plan.created_by,
                         note=(f"Payment plan {reference} agreed for {format_money(s.total_minor, currency)} "
                               f"({numbers}): {describe(s)}; last due {s.end.isoformat()}.")))
    session.flush()
    return plan


def cancel_plan(session: Session, plan_id: int, on: date, reason: str = "", who: str | None = None) -> PaymentPlan:
    """End a plan by agreement (the debts stay as they are and dunning takes them up again)."""
    plan = session.get(PaymentPlan, plan_id)
    if plan is None:
        raise PlanError("The payment plan does not exist.")
    if plan.cancelled_on is not None:
        raise PlanError(f"Payment plan {plan.reference} was already cancelled on {plan.cancelled_on.isoformat()}.")
    if on < plan.agreed_on:
        raise FieldErrors({"cancelled_on": "A plan cannot be cancelled before it was agreed "
                                           f"({plan.agreed_on.isoformat()})."})
    plan.cancelled_on = on
    plan.cancel_reason = reason.strip()
    why = f": {plan.cancel_reason}" if plan.cancel_reason else ""
    charges = session.get(Invoice, plan.charges_invoice_id) if plan.charges_invoice_id else None
    if charges is not None and charges.open_minor == charges.amount_minor:
        # nothing paid towards the fee and interest: they were owed only under the plan
        plan.invoices = [x for x in plan.invoices if x.invoice_id != charges.id]
        plan.charges_invoice_id = None
        session.flush()
        session.delete(charges)
        why += f" (its fee and interest invoice {charges.number} is withdrawn)"
    elif charges is not None:
        why += f" (its fee and interest invoice {charges.number} is part-paid and stays)"
    session.add(Activity(customer_id=plan.customer_id, occurred_on=on, kind="note",
                         created_by=who if who is not None else current_user(),
                         note=f"Payment plan {plan.reference} cancelled{why}."))
    session.flush()
    return plan


# --- for the screens ------------------------------------------------------------------------------

STATUS_LABELS = {"active": "Active", "completed": "Completed", "breached": "Broken", "cancelled": "Cancelled",
                 "due": "Due", "part-paid": "Part-paid", "paid": "Paid", "late": "Late"}


@dataclass(frozen=True, slots=True)
class PlanRow:
    plan_id: int
    reference: str
    customer_id: int
    name: str
    currency: str
    agreed_on: date
    end: date
    total_minor: int
    paid_minor: int
    left_minor: int
    arrears_minor: int
    status: str  # active, completed, breached, cancelled
    next_due: date | None
    next_minor: int  # what is left of the next instalment


def plan_rows(session: Session, as_of: date, *, customer_id: int | None = None,
              status: str | None = None) -> list[PlanRow]:
    """The plans list: newest first, optionally one customer's or one status."""
    states = plan_states(session, as_of, customer_id=customer_id)
    names = customer_names(session, states)
    return [_row(plan, st, names.get(plan.customer_id, "")) for plan, st in reversed(states)
            if status is None or st.status == status]


def _row(plan: PaymentPlan, st: PlanState, name: str) -> PlanRow:
    nxt = st.next_line if st.status in ("active", "breached") else None
    return PlanRow(plan.id, plan.reference, plan.customer_id, name, plan.currency, plan.agreed_on, st.lines[-1].due,
                   st.total_minor, st.paid_minor, st.left_minor, st.arrears_minor, st.status,
                   nxt.due if nxt else None, nxt.left_minor if nxt else 0)


@dataclass(frozen=True, slots=True)
class CoveredInvoice:
    invoice_id: int
    number: str
    due_date: date
    covered_minor: int
    open_minor: int  # today
    charges: bool  # the plan's own fee-and-interest invoice


@dataclass(frozen=True, slots=True)
class PlanDetail:
    row: PlanRow
    terms: PlanTerms
    schedule: Schedule
    state: PlanState
    invoices: tuple[CoveredInvoice, ...]
    waive_interest: bool
    cancelled_on: date | None
    cancel_reason: str
    breached_on: date | None  # as recorded
    note: str
    summary: str  # "12 monthly instalments of £100.00 from …"


def plan_detail(session: Session, plan_id: int, as_of: date) -> PlanDetail:
    found = plan_states(session, as_of, plan_ids=[plan_id])
    plan = session.get(PaymentPlan, plan_id)
    if plan is None:
        raise PlanError("The payment plan does not exist.")
    if not found:  # asked as of a day before it was agreed: show it as of that day
        found = plan_states(session, plan.agreed_on, plan_ids=[plan_id])
    _, st = found[0]
    row = _row(plan, st, customer_names(session, found)[plan.customer_id])
    terms = terms_of(plan)
    inv = session.execute(
        select(PlanInvoice.invoice_id, Invoice.number, Invoice.due_date, PlanInvoice.covered_minor,
               Invoice.open_minor).join(Invoice, Invoice.id == PlanInvoice.invoice_id)
        .where(PlanInvoice.plan_id == plan_id).order_by(Invoice.due_date, Invoice.number))
    covered = tuple(CoveredInvoice(r.invoice_id, r.number, r.due_date, r.covered_minor, r.open_minor,
                                   r.invoice_id == plan.charges_invoice_id) for r in inv)
    s = stored_schedule(plan)
    return PlanDetail(row, terms, s, st, covered, plan.waive_interest, plan.cancelled_on, plan.cancel_reason,
                      plan.breached_on, plan.note, describe(s))


def stored_schedule(plan: PaymentPlan) -> Schedule:
    """The schedule as stored with the plan (what was agreed, whatever the rules do later)."""
    from debtordesk.domain.plans import Instalment

    lines, still = [], plan.total_minor
    for i in plan.instalments:
        still -= i.amount_minor
        lines.append(Instalment(i.number, i.due_date, i.amount_minor, i.principal_minor, i.interest_minor,
                                i.fee_minor, still))
    return Schedule(terms_of(plan), tuple(lines))
