"""Payment plans as of a date: money received towards each plan, instalment statuses, breaches
(recorded once, with an activity entry), what the dunning run skips or escalates, instalments
due for the Today screen, and the instalments the receipts forecast expects.

Money received towards a plan is what payments allocated to its invoices beyond what had been
paid on them when the plan was agreed, on the payment's date (rules in domain.plan_tracking).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from debtordesk.config import current_user
from debtordesk.db.models import Activity, Allocation, Customer, Invoice, Payment, PaymentPlan, PlanInvoice
from debtordesk.domain.dunning import Level
from debtordesk.domain.money import format_money
from debtordesk.domain.plan_tracking import ACTIVE, BREACHED, PAID, Line, PlanState, track
from debtordesk.services.settings import get_setting

ON_BREACH = {"resume": "where they stopped", "final-demand": "with the final demand"}


def receipts(session: Session, plans: Sequence[PaymentPlan]) -> dict[int, list[tuple[date, int]]]:
    """(date, minor units) received towards each plan, from allocations to its invoices."""
    out: dict[int, list[tuple[date, int]]] = defaultdict(list)
    if not plans:
        return out
    q = (select(PlanInvoice.plan_id, PlanInvoice.invoice_id, PlanInvoice.covered_minor, Invoice.amount_minor,
                Payment.date, Allocation.amount_minor)
         .join(Invoice, Invoice.id == PlanInvoice.invoice_id)
         .join(Allocation, Allocation.invoice_id == PlanInvoice.invoice_id)
         .join(Payment, Payment.id == Allocation.payment_id)
         .where(PlanInvoice.plan_id.in_([p.id for p in plans]), Payment.kind == "payment")
         .order_by(PlanInvoice.plan_id, PlanInvoice.invoice_id, Payment.date, Payment.id))
    before: dict[tuple[int, int], int] = {}
    for plan_id, invoice_id, covered, amount, day, minor in session.execute(q):
        key = (plan_id, invoice_id)
        skip = before.setdefault(key, amount - covered)  # paid before the plan: not the plan's money
        take = min(skip, minor)
        before[key] = skip - take
        if minor - take > 0:
            out[plan_id].append((day, minor - take))
    return out


def state_of(plan: PaymentPlan, received: Sequence[tuple[date, int]], as_of: date) -> PlanState:
    lines = [Line(i.number, i.due_date, i.amount_minor) for i in plan.instalments]
    return track(lines, plan.grace_days, received, as_of, plan.cancelled_on)


def plan_states(session: Session, as_of: date, *, customer_id: int | None = None,
                plan_ids: Sequence[int] | None = None) -> list[tuple[PaymentPlan, PlanState]]:
    """Every plan agreed by `as_of` (optionally one customer's or the given ones) with its state."""
    q = (select(PaymentPlan).where(PaymentPlan.agreed_on <= as_of)
         .options(selectinload(PaymentPlan.instalments), selectinload(PaymentPlan.invoices))
         .order_by(PaymentPlan.id))
    if customer_id is not None:
        q = q.where(PaymentPlan.customer_id == customer_id)
    if plan_ids is not None:
        q = q.where(PaymentPlan.id.in_(list(plan_ids)))
    plans = session.scalars(q).all()
    money = receipts(session, plans)
    return [(p, state_of(p, money.get(p.id, ()), as_of)) for p in plans]


def customer_names(session: Session, states: Sequence[tuple[PaymentPlan, PlanState]]) -> dict[int, str]:
    """The names of the customers of these plans, by id."""
    ids = {p.customer_id for p, _ in states}
    return dict(session.execute(select(Customer.id, Customer.name).where(Customer.id.in_(ids))).all()) if ids else {}


def active_plans(session: Session, as_of: date, *, customer_id: int | None = None) -> list[PaymentPlan]:
    """Plans being kept as of the date (not completed, breached or cancelled)."""
    return [p for p, s in plan_states(session, as_of, customer_id=customer_id) if s.status == ACTIVE]


def plan_invoice_order(session: Session, customer_id: int, currency: str, on: date) -> list[int]:
    """The invoices of the customer's active plan in `currency` (payments pay these first)."""
    maybe = select(PaymentPlan.id).where(
        PaymentPlan.customer_id == customer_id, PaymentPlan.currency == currency, PaymentPlan.agreed_on <= on,
        PaymentPlan.cancelled_on.is_(None), PaymentPlan.breached_on.is_(None)).limit(1)
    if session.scalar(maybe) is None:  # the usual case, one cheap query (imports record many payments)
        return []
    for p in active_plans(session, on, customer_id=customer_id):
        if p.currency == currency:
            return [x.invoice_id for x in p.invoices]
    return []


# --- breaches -----------------------------------------------------------------------------------

def final_demand_position(levels: Sequence[Level]) -> int:
    """The level a broken plan goes straight to: the final demand (by its letter), else the first
    level that claims interest, else the last level."""
    ordered = sorted(levels, key=lambda lv: lv.position)
    for lv in ordered:
        if lv.key == "final-demand":
            return lv.position
    for lv in ordered:
        if lv.claims_interest:
            return lv.position
    return ordered[-1].position if ordered else 1


def _resume_position(session: Session) -> int | None:
    if get_setting(session, "plans.on_breach") != "final-demand":
        return None
    from debtordesk.services.dunning import load_policy

    return final_demand_position(load_policy(session))


@dataclass(frozen=True, slots=True)
class Breach:
    plan_id: int
    reference: str
    customer_id: int
    name: str
    breached_on: date
    instalment: int
    note: str


def record_breaches(session: Session, as_of: date, who: str | None = None) -> list[Breach]:
    """Record every plan broken by `as_of` and not recorded yet (so each breach is recorded once):
    the breach date and instalment, an activity entry, the fee-and-interest invoice made due on the
    day of the breach, and where dunning resumes (by the plans.on_breach setting)."""
    found = []
    position = _resume_position(session)
    levels = None
    for plan, state in plan_states(session, as_of):
        if state.status != BREACHED or plan.breached_on is not None:
            continue
        missed = next(s for s in state.lines if s.number == state.breach_line)
        plan.breached_on = state.breached_on
        plan.breach_instalment = state.breach_line
        plan.resume_position = position
        charges = session.get(Invoice, plan.charges_invoice_id) if plan.charges_invoice_id else None
        if charges is not None and charges.due_date > state.breached_on:
            charges.due_date = max(state.breached_on, charges.issue_date)
        customer = session.get(Customer, plan.customer_id)
        which = "the down payment" if missed.number == 0 else f"instalment {missed.number}"
        if position is None:
            resume = "dunning resumes where the reminders stopped"
        else:
            if levels is None:
                from debtordesk.services.dunning import load_policy

                levels = {lv.position: lv.name for lv in load_policy(session)}
            resume = f"dunning resumes at {levels.get(position, f'level {position}')}"
        note = (f"Payment plan {plan.reference} broken: {which} ({format_money(missed.amount_minor, plan.currency)} "
                f"due {missed.due.isoformat()}) was not paid within {plan.grace_days} day(s) of grace. The whole "
                f"remaining balance of {format_money(state.left_minor, plan.currency)} is due; {resume}.")
        session.add(Activity(customer_id=plan.customer_id, occurred_on=state.breached_on, kind="note",
                             outcome="other", note=note, created_by=who if who is not None else current_user()))
        found.append(Breach(plan.id, plan.reference, plan.customer_id, customer.name if customer else "",
                            state.breached_on, missed.number, note))
    session.flush()
    return found


# --- for the dunning run ------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class DunningEffect:
    """What plans mean for one account (customer, currency) in a dunning run."""

    skip_invoice_ids: frozenset[int] = frozenset()  # invoices of a plan being kept
    reason: str = ""  # why those are skipped
    start_at: int = 0  # a broken plan sends the next letter at least at this level
    breached_on: date | None = None


def dunning_effects(session: Session, as_of: date) -> dict[tuple[int, str], DunningEffect]:
    out: dict[tuple[int, str], DunningEffect] = {}
    position = None
    for plan, state in plan_states(session, as_of):
        key = (plan.customer_id, plan.currency)
        if state.status == ACTIVE:
            nxt = state.next_line
            when = (f"; next instalment {format_money(nxt.left_minor, plan.currency)} due {nxt.due.isoformat()}"
                    if nxt else "")
            out[key] = DunningEffect(frozenset(x.invoice_id for x in plan.invoices),
                                     f"Payment plan {plan.reference} is being kept{when}.")
        elif state.status == BREACHED and key not in out:
            if plan.resume_position is not None:
                start = plan.resume_position
            else:
                if position is None:
                    position = _resume_position(session) or 0
                start = position
            out[key] = DunningEffect(start_at=start, breached_on=state.breached_on)
    return out


# --- Today and the forecast ---------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class DueInstalment:
    plan_id: int
    reference: str
    customer_id: int
    name: str
    currency: str
    number: int
    due: date
    left_minor: int
    status: str  # due, part-paid or late


def instalments_due(session: Session, as_of: date, until: date) -> list[DueInstalment]:
    """Unpaid instalments of plans being kept that fall due by `until` (earlier late ones too)."""
    rows = []
    states = plan_states(session, as_of)
    names = customer_names(session, states)
    for plan, state in states:
        if state.status != ACTIVE:
            continue
        for s in state.lines:
            if s.status != PAID and s.due <= until:
                rows.append(DueInstalment(plan.id, plan.reference, plan.customer_id, names.get(plan.customer_id, ""),
                                          plan.currency, s.number, s.due, s.left_minor, s.status))
    rows.sort(key=lambda r: (r.due, r.name, r.number))
    return rows


def forecast_instalments(session: Session, as_of: date) -> tuple[set[int], list[tuple[int, str, date, int]]]:
    """For the receipts forecast: the invoices of plans being kept (expected through the plan,
    not on their own) and each unpaid instalment (customer id, currency, due date, minor units)."""
    invoices: set[int] = set()
    extra = []
    for plan, state in plan_states(session, as_of):
        if state.status != ACTIVE:
            continue
        invoices.update(x.invoice_id for x in plan.invoices)
        extra.extend((plan.customer_id, plan.currency, s.due, s.left_minor) for s in state.lines if s.left_minor > 0)
    return invoices, extra
