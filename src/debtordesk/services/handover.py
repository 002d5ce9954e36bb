"""Hand-over to a collection agency or a solicitor: handing a customer's open invoices (all of one
currency, or the ones chosen) over, recalling them, where each hand-over stands (collected since,
commission, net), what it means for the dunning run (the invoices handed over are left out; an
account with nothing else overdue gets no letter, with the reason), the debt as it would be
claimed (open, interest and compensation per invoice) and the options compared before handing
over (arithmetic in domain.handover; docs/collections.md, "Hand-over and evidence pack")."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session, selectinload

from debtordesk.config import current_user
from debtordesk.db.models import (
    Activity,
    Allocation,
    CompanyProfile,
    Customer,
    Handover,
    HandoverInvoice,
    Invoice,
    Payment,
)
from debtordesk.domain.handover import (
    Option,
    OptionInputs,
    Recovery,
    collection_share,
    compare_options,
    net_recovery,
    parse_percent,
    percent_text,
)
from debtordesk.domain.interest import late_payment
from debtordesk.domain.money import check_currency, format_money
from debtordesk.domain.problems import FieldErrors, UserError
from debtordesk.services.aging import open_items_as_of
from debtordesk.services.dunning import Line, Proposal, _payments_by_invoice
from debtordesk.services.kpi import _day_diff
from debtordesk.services.plan_tracking import DunningEffect
from debtordesk.services.rates import rate_tables

AGENT_KINDS = {"agency": "Collection agency", "solicitor": "Solicitor"}
HISTORY_DAYS = 730  # the invoices the keep-chasing history looks at: those due in two years ...
HORIZON_DAYS = 365  # ... that had a year, after reaching the debt's age, to be paid


class HandoverError(UserError):
    """A hand-over or recall refused; the message is meant for the user."""


def _names(numbers: Sequence[str]) -> str:
    items = list(numbers)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def who_text(h: Handover) -> str:
    """'Smith & Co Solicitors (solicitor)'."""
    return f"{h.agent_name} ({h.agent_kind})"


def reason_text(h: Handover) -> str:
    """Why the dunning run sends nothing: 'Handed to Smith & Co on 2026-03-01 (ref ABC/123).'"""
    ref = f" (ref {h.reference})" if h.reference else ""
    return f"Handed to {h.agent_name} on {h.handed_on.isoformat()}{ref}."


# --- handing over and recalling --------------------------------------------------------------------

def _check_terms(kind: str, name: str, reference: str, commission: str) -> Decimal | None:
    errors: dict[str, str] = {}
    if kind not in AGENT_KINDS:
        errors["kind"] = f"'{kind}' is not who a debt can be handed to: choose a collection agency or a solicitor."
    if not name.strip():
        errors["name"] = "Say who the debt is handed to: the agency's or the solicitor's name."
    elif len(name.strip()) > 200:
        errors["name"] = "The name is longer than 200 characters."
    if len(reference.strip()) > 100:
        errors["reference"] = "Their reference is longer than 100 characters."
    percent = None
    try:
        percent = parse_percent(commission, "commission", "The agency's commission" if kind == "agency"
                                else "The commission", required=kind == "agency")
        if percent is not None and percent >= 100:
            errors["commission"] = "The commission must be less than 100 %: nothing would be left to you."
    except FieldErrors as exc:
        errors.update(exc.errors)
    if errors:
        raise FieldErrors(errors)
    return percent


def active_on(day: date):
    """The SQL condition: handed over on or before `day` and not recalled by then."""
    return and_(Handover.handed_on <= day, or_(Handover.recalled_on.is_(None), Handover.recalled_on > day))


def hand_over(session: Session, customer_id: int, currency: str, *, kind: str, name: str, handed_on: date,
              reference: str = "", commission: str = "", note: str = "", invoice_ids: Sequence[int] | None = None,
              who: str | None = None) -> Handover:
    """Hand the customer's invoices open in `currency` on `handed_on` over (all of them, or the ones in
    `invoice_ids`), recording what was open on each at the start of that day, and log it. Refused with FieldErrors
    (kind, name, reference, commission) or a sentence: nothing open, already handed over."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise HandoverError("The customer does not exist.")
    currency = check_currency(currency)
    percent = _check_terms(kind, name, reference, commission)
    every = items = open_items_as_of(session, customer_id, currency, handed_on)
    if invoice_ids is not None:
        wanted = set(invoice_ids)
        if not wanted:
            raise HandoverError("Choose the invoices to hand over.")
        found = {i.invoice_id for i in every}
        missing = session.scalars(select(Invoice.number).where(Invoice.id.in_(wanted - found))
                                  .order_by(Invoice.number)).all()
        if missing:
            raise HandoverError(f"Nothing is left to pay on {_names(missing)} on {handed_on.isoformat()}, so "
                                f"{'it' if len(missing) == 1 else 'they'} cannot be handed over.")
        items = [i for i in items if i.invoice_id in wanted]
    if not items:
        raise HandoverError(f"{customer.name} has nothing open in {currency} on {handed_on.isoformat()}: "
                            "there is nothing to hand over.")
    taken = session.execute(
        select(Invoice.number, Handover.agent_name, Handover.handed_on)
        .join(HandoverInvoice, HandoverInvoice.invoice_id == Invoice.id)
        .join(Handover, Handover.id == HandoverInvoice.handover_id)
        .where(Invoice.id.in_([i.invoice_id for i in items]),
               or_(Handover.recalled_on.is_(None), Handover.recalled_on > handed_on))
        .order_by(Invoice.number)).all()
    if taken:
        first = taken[0]
        raise HandoverError(f"{_names([t.number for t in taken])} {'is' if len(taken) == 1 else 'are'} already "
                            f"handed to {first.agent_name} (since {first.handed_on.isoformat()}); recall that "
                            "hand-over first, or choose the other invoices.")
    who = who if who is not None else current_user()
    h = Handover(customer_id=customer_id, currency=currency, agent_kind=kind, agent_name=name.strip(),
                 handed_on=handed_on, reference=reference.strip(),
                 commission_percent="" if percent is None else str(percent), whole_account=len(items) == len(every),
                 note=note.strip(), created_by=who)
    # the hand-over counts from the start of its day: what payments dated that day paid is added back
    # (and counts as collected since the hand-over, whichever was entered first)
    same_day = dict(session.execute(
        select(Allocation.invoice_id, func.sum(Allocation.amount_minor))
        .join(Payment, Payment.id == Allocation.payment_id)
        .where(Allocation.invoice_id.in_([i.invoice_id for i in items]), Payment.date == handed_on,
               Payment.kind == "payment")
        .group_by(Allocation.invoice_id)).all())
    h.invoices = [HandoverInvoice(invoice_id=i.invoice_id, open_minor=i.open_minor + int(same_day.get(i.invoice_id, 0)))
                  for i in items]
    session.add(h)
    total = sum(x.open_minor for x in h.invoices)
    count = f"{len(items)} invoice{'s' if len(items) != 1 else ''}"
    terms = f"; commission {percent_text(percent)}" if percent is not None else ""
    ref = f", ref {h.reference}" if h.reference else ""
    session.add(Activity(customer_id=customer_id, occurred_on=handed_on, kind="note", created_by=who,
                         note=f"Handed to {who_text(h)} on {handed_on.isoformat()}{ref}: {count}, "
                              f"{format_money(total, currency)} open{terms}. Reminders stop for "
                              f"{'them' if len(items) != 1 else 'it'}." + (f" {h.note}" if h.note else "")))
    session.flush()
    return h


def recall_handover(session: Session, handover_id: int, on: date, *, note: str = "", version: int | None = None,
                    who: str | None = None) -> Handover:
    """Take the debt back on `on` (the dunning run counts it as the company's again from that day; a
    payment dated that day still counts as collected by them), with an entry in the log."""
    h = session.get(Handover, handover_id)
    if h is None:
        raise HandoverError("The hand-over is no longer in the database.")
    if version is not None and h.version != version:
        raise HandoverError(f"The hand-over to {h.agent_name} was changed elsewhere since you opened it; "
                            "open it again. Nothing was changed.")
    if h.recalled_on is not None:
        raise HandoverError(f"The debt was already recalled from {h.agent_name} on {h.recalled_on.isoformat()}.")
    if on < h.handed_on:
        raise FieldErrors({"recalled_on": f"The recall date cannot be before the day the debt was handed over "
                                          f"({h.handed_on.isoformat()})."})
    h.recalled_on = on
    h.recall_note = note.strip()
    session.flush()
    rec = recoveries(session, [h], on)[h.id]
    session.add(Activity(customer_id=h.customer_id, occurred_on=on, kind="note",
                         created_by=who if who is not None else current_user(),
                         note=f"Recalled from {who_text(h)} on {on.isoformat()}: "
                              f"{format_money(rec.collected_minor, h.currency)} collected while it was with them "
                              f"(net {format_money(rec.net_minor, h.currency)}), "
                              f"{format_money(rec.left_minor, h.currency)} still open; reminders resume."
                              + (f" {h.recall_note}" if h.recall_note else "")))
    session.flush()
    return h


# --- where hand-overs stand -------------------------------------------------------------------------

def recoveries(session: Session, handovers: Sequence[Handover], as_of: date) -> dict[int, Recovery]:
    """Per hand-over: open when handed over (at the start of its day), paid on its invoices by payments
    dated from the hand-over day to `as_of` (and to the recall day, if recalled; at most what was open
    per invoice), the commission."""
    if not handovers:
        return {}
    q = (select(HandoverInvoice.handover_id, HandoverInvoice.open_minor, func.sum(Allocation.amount_minor))
         .join(Handover, Handover.id == HandoverInvoice.handover_id)
         .join(Allocation, Allocation.invoice_id == HandoverInvoice.invoice_id)
         .join(Payment, Payment.id == Allocation.payment_id)
         .where(HandoverInvoice.handover_id.in_([h.id for h in handovers]), Payment.date >= Handover.handed_on,
                Payment.date <= as_of, or_(Handover.recalled_on.is_(None), Payment.date <= Handover.recalled_on),
                Payment.kind == "payment")
         .group_by(HandoverInvoice.id, HandoverInvoice.handover_id, HandoverInvoice.open_minor))
    collected: dict[int, int] = defaultdict(int)
    for hid, open_minor, paid in session.execute(q):
        collected[hid] += min(int(open_minor), int(paid))
    return {h.id: net_recovery(sum(x.open_minor for x in h.invoices), collected[h.id],
                               Decimal(h.commission_percent) if h.commission_percent else None) for h in handovers}


@dataclass(frozen=True)
class HandoverState:
    handover: Handover
    invoice_numbers: tuple[str, ...]
    recovery: Recovery
    status: str  # active | recalled | later (handed over after the as-of date)

    @property
    def active(self) -> bool:
        return self.status == "active"

    def describe(self) -> str:
        """One line for the customer's details."""
        h, r = self.handover, self.recovery
        money = lambda m: format_money(m, h.currency)  # noqa: E731
        ref = f", ref {h.reference}" if h.reference else ""
        what = "every open invoice" if h.whole_account else _names(list(self.invoice_numbers))
        text = (f"to {who_text(h)} on {h.handed_on.isoformat()}{ref}: {what}, {money(r.handed_minor)}; "
                f"collected {money(r.collected_minor)}")
        if r.commission_percent is not None:
            text += (f", less {percent_text(r.commission_percent)} commission {money(r.commission_minor)} = net "
                     f"{money(r.net_minor)}")
        text += f"; still open {money(r.left_minor)}"
        if h.recalled_on is not None:
            text += f" (recalled {h.recalled_on.isoformat()})"
        return text


def customer_handovers(session: Session, customer_id: int, as_of: date) -> list[HandoverState]:
    """The customer's hand-overs, newest first, with where each stands as of `as_of`."""
    rows = session.scalars(select(Handover).where(Handover.customer_id == customer_id)
                           .options(selectinload(Handover.invoices))
                           .order_by(Handover.handed_on.desc(), Handover.id.desc())).all()
    money = recoveries(session, rows, as_of)
    numbers: dict[int, list[str]] = defaultdict(list)
    if rows:
        for hid, number in session.execute(
                select(HandoverInvoice.handover_id, Invoice.number)
                .join(Invoice, Invoice.id == HandoverInvoice.invoice_id)
                .where(HandoverInvoice.handover_id.in_([h.id for h in rows])).order_by(Invoice.number)):
            numbers[hid].append(number)
    out = []
    for h in rows:
        status = ("later" if h.handed_on > as_of else
                  "recalled" if h.recalled_on is not None and h.recalled_on <= as_of else "active")
        out.append(HandoverState(h, tuple(numbers[h.id]), money[h.id], status))
    return out


def handed_invoice_ids(session: Session, customer_id: int, as_of: date) -> dict[int, Handover]:
    """Invoice id → the hand-over it is with as of the date."""
    q = (select(HandoverInvoice.invoice_id, Handover).join(Handover, Handover.id == HandoverInvoice.handover_id)
         .where(Handover.customer_id == customer_id, active_on(as_of)))
    return {iid: h for iid, h in session.execute(q)}


# --- the dunning run --------------------------------------------------------------------------------

def with_handovers(session: Session, as_of: date,
                   effects: dict[tuple[int, str], DunningEffect]) -> dict[tuple[int, str], DunningEffect]:
    """The plans' effects on the dunning run with the hand-overs active as of the date added: their
    invoices are skipped, and an account with nothing else overdue gets no letter, saying why."""
    q = (select(Handover, HandoverInvoice.invoice_id).join(HandoverInvoice, HandoverInvoice.handover_id == Handover.id)
         .where(active_on(as_of)).order_by(Handover.handed_on, Handover.id))
    skip: dict[tuple[int, str], set[int]] = defaultdict(set)
    reasons: dict[tuple[int, str], list[str]] = defaultdict(list)
    for h, invoice_id in session.execute(q):
        key = (h.customer_id, h.currency)
        skip[key].add(invoice_id)
        if reason_text(h) not in reasons[key]:
            reasons[key].append(reason_text(h))
    if not skip:
        return effects
    out = dict(effects)
    for key, ids in skip.items():
        plan = out.get(key, DunningEffect())
        reason = " ".join(reasons[key] + ([plan.reason] if plan.reason else []))
        out[key] = DunningEffect(frozenset(ids) | plan.skip_invoice_ids, reason, plan.start_at, plan.breached_on)
    return out


# --- the debt as it would be claimed, and the options -----------------------------------------------

@dataclass
class Claim(Proposal):
    """A customer's invoices open in one currency as of a date, each with its interest and fixed
    compensation worked out as the dunning letters do (domain.interest); a proposal without a
    letter, so the totals are the letters' own."""

    as_of: date | None = None
    problems: list[str] = field(default_factory=list)  # interest that could not be worked out

    @property
    def age_days(self) -> int:
        """How old the debt is: the days past due weighted by what is open (not yet due counts 0)."""
        if not self.open_minor:
            return 0
        return sum(max(x.days_overdue, 0) * x.open_minor for x in self.lines) // self.open_minor


def claim(session: Session, customer_id: int, currency: str, as_of: date,
          invoice_ids: Sequence[int] | None = None) -> Claim:
    """The invoices open as of the date (the aging report's rule; optionally only `invoice_ids`),
    with interest and compensation to the date under the customer's late-payment regime."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise HandoverError("The customer does not exist.")
    company = session.scalars(select(CompanyProfile).order_by(CompanyProfile.id).limit(1)).first()
    regime = customer.late_payment_regime or (company.late_payment_regime if company else "uk") or "none"
    rate_text = customer.contract_rate or (company.contract_rate if company else "")
    items = open_items_as_of(session, customer_id, currency, as_of)
    if invoice_ids is not None:
        wanted = set(invoice_ids)
        items = [i for i in items if i.invoice_id in wanted]
    paid = _payments_by_invoice(session, [i.invoice_id for i in items], as_of)
    tables = rate_tables(session) if items else {}
    out = Claim(customer_id, customer.ref, customer.name, currency, None, as_of=as_of)
    for i in items:
        line = Line(i.invoice_id, i.number, i.issue_date, i.due_date, i.amount_minor, i.open_minor,
                    (as_of - i.due_date).days)
        try:
            line.interest = late_payment(i.amount_minor, currency, i.due_date, as_of, regime, customer.kind,
                                         payments=paid.get(i.invoice_id, ()), rates=tables,
                                         contract_rate=Decimal(rate_text) if rate_text else None)
            out.regime = line.interest.regime
        except UserError as exc:
            out.problems.append(f"The interest on {i.number} cannot be worked out: {exc}")
        out.lines.append(line)
    return out


@dataclass(frozen=True)
class ChaseHistory:
    """How much of the debt that had reached a given age the company went on to collect itself."""

    age_days: int
    invoices: int
    open_minor: int  # open on them when they reached that age
    collected_minor: int  # paid on them in the year after
    percent: Decimal | None
    first_due: date
    last_due: date

    def describe(self, currency: str) -> str:
        if self.percent is None:
            return (f"No invoice in {currency} due from {self.first_due.isoformat()} to {self.last_due.isoformat()} "
                    f"was still open {self.age_days} days past due, so there is no history to go by: enter your "
                    "own estimate.")
        return (f"Of the {self.invoices} invoice{'s' if self.invoices != 1 else ''} in {currency} due from "
                f"{self.first_due.isoformat()} to {self.last_due.isoformat()} still open {self.age_days} days past "
                f"due ({format_money(self.open_minor, currency)}), you collected "
                f"{format_money(self.collected_minor, currency)} within the following year: "
                f"{percent_text(self.percent)}.")


def chase_history(session: Session, currency: str, as_of: date, age_days: int) -> ChaseHistory:
    """The keep-chasing assumption: of the invoices in `currency` that fell due in the two years
    ending a year and `age_days` days before `as_of`, what was still open `age_days` days past due,
    and what of it was paid within the year after. One SQL aggregate over the due-date index."""
    last_due = as_of - timedelta(days=age_days + HORIZON_DAYS)
    first_due = last_due - timedelta(days=HISTORY_DAYS - 1)
    late = _day_diff(session, Payment.date, Invoice.due_date)
    per = (select(Invoice.amount_minor.label("amount"),
                  func.coalesce(func.sum(case((late <= age_days, Allocation.amount_minor), else_=0)), 0)
                  .label("before"),
                  func.coalesce(func.sum(case((and_(late > age_days, late <= age_days + HORIZON_DAYS),
                                               Allocation.amount_minor), else_=0)), 0).label("after"))
           .select_from(Invoice)
           .outerjoin(Allocation, Allocation.invoice_id == Invoice.id)
           .outerjoin(Payment, Payment.id == Allocation.payment_id)
           .where(Invoice.currency == currency, Invoice.due_date >= first_due, Invoice.due_date <= last_due)
           .group_by(Invoice.id, Invoice.amount_minor).subquery())
    count, open_minor, collected = session.execute(
        select(func.count(), func.coalesce(func.sum(per.c.amount - per.c.before), 0),
               func.coalesce(func.sum(per.c.after), 0)).where(per.c.amount - per.c.before > 0)).one()
    open_minor, collected = int(open_minor), int(collected)
    return ChaseHistory(age_days, int(count), open_minor, collected, collection_share(open_minor, collected),
                        first_due, last_due)


def options(debt: Claim, inputs: OptionInputs) -> list[Option]:
    """Keep chasing, agency and court for the debt (domain.handover.compare_options)."""
    return compare_options(debt.open_minor, debt.interest_minor, debt.compensation_minor, inputs,
                           lambda m: format_money(m, debt.currency))
