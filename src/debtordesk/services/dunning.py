"""Dunning runs: who gets which letter as of a date (rules in domain.dunning), the interest and
compensation each letter claims (domain.interest), and the policy the user edits.

Amounts are what is open today (the ledger's open amounts); the as-of date decides how late each
invoice is and the date the interest runs to.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from sqlalchemy import String, func, select, type_coerce
from sqlalchemy.orm import Session

from debtordesk.db.models import (
    Allocation,
    CompanyProfile,
    Customer,
    DunningLevel,
    Invoice,
    Letter,
    LetterInvoice,
    Payment,
)
from debtordesk.domain.dunning import (
    DEFAULT_POLICY,
    Account,
    Decision,
    LastLetter,
    Level,
    OverdueItem,
    check_policy,
    decide,
)
from debtordesk.domain.interest import InterestResult, effective_regime, late_payment
from debtordesk.domain.money import format_money, minor_digits, parse_amount, round_half_up
from debtordesk.domain.problems import FieldErrors, UserError
from debtordesk.domain.progress import Cancelled, Progress, Report, ShouldCancel
from debtordesk.services.factoring import with_factoring
from debtordesk.services.plan_tracking import DunningEffect, dunning_effects
from debtordesk.services.promises import dunning_pauses
from debtordesk.services.rates import rate_tables
from debtordesk.services.settings import get_setting
from debtordesk.services.settlements import settlement_pauses


@dataclass(slots=True)
class Line:
    """One invoice a letter claims."""

    invoice_id: int
    number: str
    issue_date: date
    due_date: date
    amount_minor: int
    open_minor: int
    days_overdue: int
    interest: InterestResult | None = None
    disputed_minor: int = 0  # the part in dispute, not claimed (open_minor is the rest)

    @property
    def paid_minor(self) -> int:
        return self.amount_minor - self.open_minor - self.disputed_minor

    @property
    def interest_minor(self) -> int:
        return self.interest.interest_minor if self.interest else 0

    @property
    def compensation_minor(self) -> int:
        return self.interest.compensation_minor if self.interest else 0


@dataclass
class Proposal:
    """One account (a customer in one currency) in a run: the letter proposed, or why none."""

    customer_id: int
    ref: str
    name: str
    currency: str
    level: Level | None
    lines: list[Line] = field(default_factory=list)
    days_overdue: int = 0
    pay_by: date | None = None
    reason: str = ""
    previous: LastLetter | None = None
    regime: str = "none"  # the effective regime (uk, de-b2b, de-b2c, eu, contract, none)
    fee_minor: int = 0
    email: str = ""
    language: str = "en"

    @property
    def proposed(self) -> bool:
        return self.level is not None

    @property
    def key(self) -> tuple[int, str]:
        return (self.customer_id, self.currency)

    @property
    def letter_key(self) -> tuple[int, str, int]:
        """What mark_sent and email_letters are given: customer, currency and the level proposed."""
        return (self.customer_id, self.currency, self.level.position if self.level else 0)

    @property
    def open_minor(self) -> int:
        return sum(x.open_minor for x in self.lines)

    @property
    def interest_minor(self) -> int:
        return sum(x.interest_minor for x in self.lines)

    @property
    def compensation_minor(self) -> int:
        return sum(x.compensation_minor for x in self.lines)

    @property
    def total_minor(self) -> int:
        return self.open_minor + self.interest_minor + self.compensation_minor + self.fee_minor


# --- the policy -----------------------------------------------------------------------------------

def load_policy(session: Session) -> tuple[Level, ...]:
    """The user's levels, or the default policy when none has been saved."""
    rows = session.scalars(select(DunningLevel).order_by(DunningLevel.position)).all()
    if not rows:
        return DEFAULT_POLICY
    return tuple(Level(r.position, r.key, r.name, r.days_overdue, r.min_days_since_previous,
                       Decimal(r.fee or "0"), r.channel, r.claims_interest, r.deadline_days) for r in rows)


def policy_rows(levels: Sequence[Level]) -> list[dict]:
    """Levels as the editor shows them (strings), the input of save_policy."""
    return [dict(key=lv.key, name=lv.name, days_overdue=str(lv.days_overdue),
                 min_days_since_previous=str(lv.min_days_since_previous),
                 fee="" if not lv.fee else f"{lv.fee:.2f}", channel=lv.channel,
                 claims_interest=lv.claims_interest, deadline_days=str(lv.deadline_days)) for lv in levels]


def save_policy(session: Session, rows: Sequence[dict]) -> tuple[Level, ...]:
    """Replace the policy with the checked rows (all or nothing)."""
    levels = check_policy(rows)
    for old in session.scalars(select(DunningLevel)).all():
        session.delete(old)
    session.flush()
    for lv in levels:
        session.add(DunningLevel(position=lv.position, key=lv.key, name=lv.name, days_overdue=lv.days_overdue,
                                 min_days_since_previous=lv.min_days_since_previous,
                                 fee="" if not lv.fee else f"{lv.fee:.2f}", channel=lv.channel,
                                 claims_interest=lv.claims_interest, deadline_days=lv.deadline_days))
    session.flush()
    return levels


def minimum_minor(session: Session, currency: str) -> int:
    """The minimum overdue balance worth a letter, in `currency` minor units (the same figure is
    used for every currency)."""
    text = get_setting(session, "dunning.minimum") or "0"
    try:
        return round_half_up(Decimal(text) * (10 ** minor_digits(currency)))
    except ArithmeticError:
        return 0


def check_minimum(text: str) -> str:
    try:
        parse_amount(text or "0", "EUR")
    except UserError:
        raise FieldErrors({"dunning.minimum": "The minimum balance must be an amount like 5.00."}) from None
    return text or "0"


def fee_minor(level: Level, currency: str) -> int:
    return round_half_up(level.fee * (10 ** minor_digits(currency))) if level.fee else 0


# --- the run ------------------------------------------------------------------------------------------

def _last_letters(session: Session, customer_ids: set[int]) -> dict[tuple[int, str], LastLetter]:
    if not customer_ids:
        return {}
    latest = (select(Letter.customer_id, Letter.currency, func.max(Letter.id).label("id"))
              .where(Letter.kind == "dunning", Letter.customer_id.in_(customer_ids))
              .group_by(Letter.customer_id, Letter.currency).subquery())
    rows = session.execute(
        select(Letter.id, Letter.customer_id, Letter.currency, Letter.level_position, Letter.level_name,
               Letter.sent_on).join(latest, latest.c.id == Letter.id)).all()
    invoices: dict[int, set[int]] = defaultdict(set)
    if rows:
        for lid, iid in session.execute(select(LetterInvoice.letter_id, LetterInvoice.invoice_id)
                                        .where(LetterInvoice.letter_id.in_([r.id for r in rows]))):
            invoices[lid].add(iid)
    return {(r.customer_id, r.currency): LastLetter(r.level_position or 0, r.level_name, r.sent_on,
                                                    frozenset(invoices[r.id])) for r in rows}


def _payments_by_invoice(session: Session, invoice_ids: list[int], as_of: date) -> dict[int, list[tuple[date, int]]]:
    """What reduced each invoice up to `as_of`, as (date, minor units) for the interest workings. A credit
    note counts from the due date: the amount it credits was never owed, so it never bore interest."""
    found: dict[int, list[tuple[date, int]]] = defaultdict(list)
    for chunk in range(0, len(invoice_ids), 500):
        ids = invoice_ids[chunk:chunk + 500]
        q = (select(Allocation.invoice_id, Payment.date, Allocation.amount_minor, Payment.kind, Invoice.due_date)
             .join(Payment, Payment.id == Allocation.payment_id)
             .join(Invoice, Invoice.id == Allocation.invoice_id)
             .where(Allocation.invoice_id.in_(ids), Payment.date <= as_of))
        for iid, day, amount, kind, due in session.execute(q):
            found[iid].append((min(day, due) if kind == "credit_note" else day, int(amount)))
    return found


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _account(key: tuple[int, str], items: list[OverdueItem], on_hold: bool, last: LastLetter | None,
             plan: DunningEffect | None) -> Account:
    """The account as the rules see it: a plan being kept or a hand-over takes its invoices out (and
    excludes the account when nothing else is overdue); a broken plan may raise the next level,
    once — until a letter has been sent after the breach."""
    if plan is None:
        return Account(key[0], key[1], tuple(items), on_hold, last)
    fresh = last is None or plan.breached_on is None or last.sent_on < plan.breached_on
    start = plan.start_at if fresh else 0
    if plan.skip_invoice_ids:
        rest = tuple(i for i in items if i.invoice_id not in plan.skip_invoice_ids)
        return Account(key[0], key[1], rest or tuple(items), on_hold, last, excluded="" if rest else plan.reason,
                       start_at=start)
    return Account(key[0], key[1], tuple(items), on_hold, last, start_at=start)


def dunning_run(session: Session, as_of: date, *, customer_ids: Sequence[int] | None = None,
                report: Report | None = None, should_cancel: ShouldCancel | None = None) -> list[Proposal]:
    """Every account with something overdue as of `as_of`: the letter proposed or why none.

    Proposed letters come first (highest level, then largest total), then the skipped accounts."""
    policy = load_policy(session)
    company = session.scalars(select(CompanyProfile).order_by(CompanyProfile.id).limit(1)).first()
    company_regime = company.late_payment_regime if company else "uk"
    company_rate = company.contract_rate if company else ""
    # dates read as stored and parsed with date.fromisoformat: several times faster than the
    # generic Date conversion on 100,000s of rows (PostgreSQL hands over date objects already)
    q = (select(Invoice.id, Invoice.customer_id, Invoice.number, type_coerce(Invoice.issue_date, String),
                type_coerce(Invoice.due_date, String), Invoice.amount_minor, Invoice.open_minor, Invoice.currency,
                Invoice.disputed, Invoice.disputed_minor)
         .join(Customer, Customer.id == Invoice.customer_id)
         .where(Invoice.open_minor > 0, Invoice.due_date < as_of, Customer.archived.is_(False)))
    if customer_ids is not None:
        q = q.where(Invoice.customer_id.in_(list(customer_ids)))
    items: dict[tuple[int, str], list[OverdueItem]] = defaultdict(list)
    for iid, cid, number, issued, due, amount, open_minor, currency, disputed, disputed_minor in session.execute(q):
        items[(cid, currency)].append(OverdueItem(iid, number, _day(issued), _day(due), amount, open_minor,
                                                  bool(disputed), int(disputed_minor or 0)))
    cids = {c for c, _ in items}
    cq = select(Customer.id, Customer.ref, Customer.name, Customer.email, Customer.language, Customer.kind,
                Customer.on_hold, Customer.late_payment_regime, Customer.contract_rate)
    if customer_ids is not None:
        cq = cq.where(Customer.id.in_(list(customer_ids)))
    else:  # one query for every overdue customer (no parameter per id)
        cq = cq.where(Customer.id.in_(select(Invoice.customer_id).where(Invoice.open_minor > 0,
                                                                        Invoice.due_date < as_of)))
    customers = {r.id: r for r in session.execute(cq)} if cids else {}
    minimums: dict[str, int] = {}
    last = _last_letters(session, cids)
    from debtordesk.services.handover import with_handovers  # it builds on this module

    # plans being kept, hand-overs and a chasing factor's invoices are all taken out
    plans = with_factoring(session, as_of, with_handovers(session, as_of, dunning_effects(session, as_of)))
    pauses = {**settlement_pauses(session, as_of), **dunning_pauses(session, as_of)}
    decisions: list[Decision] = []
    total = len(items)
    for n, (key, its) in enumerate(items.items()):
        if should_cancel is not None and should_cancel():
            raise Cancelled()
        cust = customers[key[0]]
        account = _account(key, its, cust.on_hold, last.get(key), plans.get(key))
        if key in pauses and not account.excluded:
            account = replace(account, excluded=pauses[key])
        if key[1] not in minimums:
            minimums[key[1]] = minimum_minor(session, key[1])
        decisions.append(decide(account, policy, as_of, minimums[key[1]],
                                lambda m, cur=key[1]: format_money(m, cur)))
        if report is not None and n % 500 == 0:
            report(Progress(n, total, "Deciding the next letter for each customer"))
    claiming = [i.invoice_id for d in decisions if d.level and d.level.claims_interest for i in d.items]
    paid = _payments_by_invoice(session, claiming, as_of)
    tables = rate_tables(session) if claiming else {}
    proposals = []
    for d in decisions:
        cust = customers[d.account.customer_id]
        regime = effective_regime(cust.late_payment_regime or company_regime or "none", cust.kind)
        rate_text = cust.contract_rate or company_rate
        p = Proposal(cust.id, cust.ref, cust.name, d.account.currency, d.level, days_overdue=d.days_overdue,
                     pay_by=d.pay_by, reason=d.reason, previous=d.previous, regime=regime, email=cust.email,
                     language=cust.language or "en")
        claims = p.level is not None and p.level.claims_interest and regime != "none"
        for i in d.items:
            line = Line(i.invoice_id, i.number, i.issue_date, i.due_date, i.amount_minor, i.open_minor,
                        (as_of - i.due_date).days, disputed_minor=i.disputed_minor if i.disputed else 0)
            if claims and p.level is not None:
                try:  # interest runs on the undisputed part only
                    line.interest = late_payment(
                        i.amount_minor - line.disputed_minor, d.account.currency, i.due_date, as_of,
                        cust.late_payment_regime or company_regime, cust.kind,
                        payments=paid.get(i.invoice_id, ()), rates=tables,
                        contract_rate=Decimal(rate_text) if rate_text else None)
                except UserError as exc:  # e.g. no rate for the date: the letter waits, the user is told
                    p.level, p.pay_by = None, None
                    p.reason = f"The interest on {i.number} cannot be worked out: {exc}"
            p.lines.append(line)
        if p.level is not None:
            p.fee_minor = fee_minor(d.level, d.account.currency)
        proposals.append(p)
    keys = {id(p): (not p.proposed, -(p.level.position if p.level else 0), -p.total_minor, p.name)
            for p in proposals}
    proposals.sort(key=lambda p: keys[id(p)])
    if report is not None:
        report(Progress(total, total, "Proposals ready"))
    return proposals
