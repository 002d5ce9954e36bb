"""Risk scores per customer and the prioritised worklist (the formula is domain.risk's; the words
are in docs/collections.md, "Risk score" and "Worklist order").

Every figure is an SQL aggregate grouped by customer (and currency); Python only combines the
few numbers of each customer and applies the formula.

- Days late and invoices paid late come from the KPI service's building blocks (invoices paid
  off in a period, services.kpi): the last 6 months are the 182 days to `as_of`, the 6 before
  them the 183 days before that; the 12 months are the two halves together.
- Promises to pay made in the 12 months, kept or broken as of `as_of` by the rules of
  domain.promises (worked out in SQL here: the money towards each promise is summed per promise).
- What is owed and overdue is what the Customers list shows (services.customers): the amounts
  open in the ledger now, overdue when due before `as_of`. The overdue factors are therefore
  meant for `as_of` = today; the history factors hold for any date.

Amounts of different currencies are never added: for a customer dealing in several currencies,
days late, the trend and the overdue share are those of the currency where they are worst;
counts (invoices, promises) and days are added or compared across currencies.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from debtordesk.db.models import Customer, Invoice, Payment, Promise
from debtordesk.domain.kpi import overdue_share, period_start, weighted_days_late
from debtordesk.domain.money import format_money, to_decimal
from debtordesk.domain.problems import UserError
from debtordesk.domain.risk import ORDERINGS, RiskInputs, RiskScore, priority, priority_points, risk_score
from debtordesk.services.customers import _amounts
from debtordesk.services.kpi import _customer_late_sums, _day_diff, _paid_off

__all__ = ["WorkItem", "risk_inputs", "risk_scores", "worklist", "HISTORY_DAYS", "RECENT_DAYS", "EARLIER_DAYS"]

HISTORY_DAYS = 365
RECENT_DAYS = 182  # "the last 6 months"
EARLIER_DAYS = HISTORY_DAYS - RECENT_DAYS  # "the 6 months before": 183 days
FILTER_LIMIT = 1000  # asked for more customers than this: one pass over everyone, then pick

_score = lru_cache(maxsize=8192)(risk_score)  # many customers share the same inputs (no history, ...)


@dataclass(frozen=True, slots=True)
class WorkItem:
    """One overdue debt on the worklist: a customer's overdue amount in one currency."""

    customer_id: int
    ref: str
    name: str
    owner: str
    currency: str
    overdue_minor: int
    oldest_overdue_days: int
    score: int
    grade: str
    priority: Decimal  # domain.risk.priority_points: amount × risk × age, in major units
    reasons: tuple[str, ...]


# --- the aggregates -------------------------------------------------------------------------------


def _only(column, ids: list[int] | None):
    return column.in_(ids) if ids is not None else literal(True)


def _late_halves(session: Session, as_of: date, ids: list[int] | None) -> dict[tuple[int, str], list[int]]:
    """(customer, currency) → [paid, Σ paid × days late] of the last 6 months, then of the 6 before."""
    out: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for half, (end, days) in enumerate(((as_of, RECENT_DAYS), (as_of - timedelta(days=RECENT_DAYS), EARLIER_DAYS))):
        sums = _customer_late_sums(session, end, days).subquery("sums")
        q = select(sums.c.cid, sums.c.cur, sums.c.paid, sums.c.weighted).where(_only(sums.c.cid, ids))
        for cid, cur, paid, weighted in session.execute(q):
            out[(cid, cur)][2 * half: 2 * half + 2] = [int(paid), int(weighted)]
    return out


def _paid_late_counts(session: Session, as_of: date, ids: list[int] | None) -> dict[int, tuple[int, int]]:
    """customer → (invoices paid off in the 12 months, of which paid late), as the KPIs count them."""
    po = _paid_off(session, period_start(as_of, HISTORY_DAYS), as_of)
    q = (select(po.c.customer_id, func.count(), func.sum(case((po.c.last > po.c.due_date, 1), else_=0)))
         .where(_only(po.c.customer_id, ids)).group_by(po.c.customer_id))
    return {cid: (int(n), int(late or 0)) for cid, n, late in session.execute(q)}


def _promise_counts(session: Session, as_of: date, ids: list[int] | None) -> dict[int, tuple[int, int]]:
    """customer → (promises kept, promises broken) among those made in the 12 months, as of `as_of`.

    domain.promises in SQL: the money towards a promise is the customer's payments in its currency
    dated from the day it was made to its deadline (due date + grace days), and by `as_of`; kept
    when that reaches the amount; broken when the deadline has passed without; a promise withdrawn
    by `as_of` counts as neither (tests/db/test_risk_service.py checks this against promise_states)."""
    received = (
        select(func.coalesce(func.sum(Payment.amount_minor), 0))
        .where(Payment.customer_id == Promise.customer_id, Payment.currency == Promise.currency,
               Payment.date >= Promise.promised_on, Payment.date <= as_of, Payment.kind == "payment",
               _day_diff(session, Payment.date, Promise.due_date) <= Promise.grace_days)
        .scalar_subquery()
    )
    made = (
        select(Promise.customer_id.label("cid"), Promise.amount_minor.label("amount"), received.label("received"),
               (_day_diff(session, literal(as_of), Promise.due_date) > Promise.grace_days).label("over"))
        .where(Promise.promised_on > period_start(as_of, HISTORY_DAYS), Promise.promised_on <= as_of,
               or_(Promise.cancelled_on.is_(None), Promise.cancelled_on > as_of), _only(Promise.customer_id, ids))
        .subquery("made")
    )
    kept = made.c.received >= made.c.amount
    q = select(made.c.cid, func.sum(case((kept, 1), else_=0)),
               func.sum(case((and_(made.c.over, ~kept), 1), else_=0))).group_by(made.c.cid)
    return {cid: (int(k), int(b)) for cid, k, b in session.execute(q)}


def _open_figures(session: Session, as_of: date, ids: list[int] | None) -> list[tuple[int, str, int, int, date | None]]:
    """(customer, currency, open, overdue, oldest overdue due date) as the Customers list has them
    (open invoices only: credit on account is not taken off what is owed here)."""
    items = _amounts(as_of, ids)
    q = select(items.c.cid, items.c.cur, func.sum(case((items.c.owed > 0, items.c.owed), else_=0)),
               func.sum(items.c.late), func.min(items.c.late_due)).group_by(items.c.cid, items.c.cur)
    return [(cid, cur, int(owed or 0), int(late or 0), due) for cid, cur, owed, late, due in session.execute(q)]


def _worst(values: Iterable[Decimal | None]) -> Decimal | None:
    known = [v for v in values if v is not None]
    return max(known) if known else None


def _inputs(session: Session, as_of: date, wanted: set[int], ids: list[int] | None,
            open_rows: list[tuple[int, str, int, int, date | None]]) -> dict[int, RiskInputs]:
    halves: dict[int, list[list[int]]] = defaultdict(list)
    for (cid, _cur), sums in _late_halves(session, as_of, ids).items():
        halves[cid].append(sums)
    counts = _paid_late_counts(session, as_of, ids)
    promises = _promise_counts(session, as_of, ids)
    shares: dict[int, list[Decimal | None]] = defaultdict(list)
    oldest: dict[int, int] = {}
    for cid, _cur, owed, late, due in open_rows:
        shares[cid].append(overdue_share(late, owed) if owed > 0 else None)
        if due is not None:
            oldest[cid] = max(oldest.get(cid, 0), (as_of - due).days)
    out = {}
    for cid in wanted:
        sums = halves.get(cid, ())
        paid_off, paid_late = counts.get(cid, (0, 0))
        kept, broken = promises.get(cid, (0, 0))
        out[cid] = RiskInputs(
            days_late=_worst(weighted_days_late(pr + pe, wr + we) for pr, wr, pe, we in sums),
            paid_off=paid_off, paid_late=paid_late,
            recent_days_late=_worst(weighted_days_late(pr, wr) for pr, wr, _, _ in sums),
            earlier_days_late=_worst(weighted_days_late(pe, we) for _, _, pe, we in sums),
            promises_kept=kept, promises_broken=broken,
            overdue_percent=_worst(shares.get(cid, ())) or Decimal(0),
            oldest_overdue_days=oldest.get(cid, 0),
        )
    return out


def _ids_filter(customer_ids: Iterable[int] | None) -> tuple[set[int] | None, list[int] | None]:
    """(the customers wanted or None for all, the ids to filter the SQL by or None)."""
    if customer_ids is None:
        return None, None
    wanted = set(customer_ids)
    return wanted, (sorted(wanted) if len(wanted) <= FILTER_LIMIT else None)


# --- the public functions ----------------------------------------------------------------------------


def risk_inputs(session: Session, as_of: date, customer_ids: Iterable[int] | None = None) -> dict[int, RiskInputs]:
    """What each customer's score is worked out from (every customer, or those given that exist)."""
    wanted, ids = _ids_filter(customer_ids)
    known = select(Customer.id) if ids is None else select(Customer.id).where(Customer.id.in_(ids))
    existing = set(session.scalars(known))
    wanted = existing if wanted is None else wanted & existing
    if not wanted:
        return {}
    return _inputs(session, as_of, wanted, ids, _open_figures(session, as_of, ids))


def risk_scores(session: Session, as_of: date, customer_ids: Iterable[int] | None = None) -> dict[int, RiskScore]:
    """customer id → its risk score as of `as_of` (every customer, or those given that exist)."""
    return {cid: _score(inputs) for cid, inputs in risk_inputs(session, as_of, customer_ids).items()}


def worklist(session: Session, as_of: date, ordering: str = "priority", owner: str | None = None) -> list[WorkItem]:
    """Every overdue debt (customer and currency) of the active customers, the most pressing first.

    `ordering` is "priority" (amount, age and risk) or "recent" (recently overdue first); see
    domain.risk.priority. `owner` keeps the customers of that account owner ("" = those without
    one); None keeps everyone. Ties: customer name, then currency."""
    if ordering not in ORDERINGS:
        raise UserError(f"The worklist can be ordered by {' or '.join(ORDERINGS.values()).lower()}, "
                        f"not '{ordering}'.")
    people_q = select(Customer.id, Customer.ref, Customer.name, Customer.owner).where(Customer.archived.is_(False))
    if owner is not None:
        people_q = people_q.where(Customer.owner == owner)
    people = {r.id: r for r in session.execute(people_q)}
    if not people:
        return []
    _, ids = _ids_filter(people if owner is not None else None)
    rows = _open_figures(session, as_of, ids)
    overdue = _still_to_chase(session, as_of, [r for r in rows if r[3] > 0 and r[0] in people])
    wanted, ids = _ids_filter({r[0] for r in overdue})
    if not wanted:
        return []
    inputs = _inputs(session, as_of, wanted, ids, [r for r in rows if r[0] in wanted])
    scores = {cid: _score(i) for cid, i in inputs.items()}
    items = []
    for cid, cur, _owed, late, due in overdue:
        p, risk, days = people[cid], scores[cid], (as_of - due).days
        amount = to_decimal(late, cur)
        items.append((priority(amount, days, risk.score, ordering), WorkItem(
            cid, p.ref, p.name, p.owner, cur, late, days, risk.score, risk.grade,
            priority_points(amount, days, risk.score), _reasons(late, cur, days, risk))))
    items.sort(key=lambda kv: (kv[1].name, kv[1].currency, kv[1].customer_id))
    items.sort(key=lambda kv: kv[0], reverse=True)
    return [item for _, item in items]


def _still_to_chase(session: Session, as_of: date, rows: list[tuple[int, str, int, int, date | None]]
                    ) -> list[tuple[int, str, int, int, date | None]]:
    """The overdue debts less what the dunning run leaves alone: an account whose promise to pay is
    pending or whose accepted settlement is not yet due goes, and the invoices of a plan being kept,
    handed over or held by a chasing factor are taken off (the debt goes when nothing else is overdue)."""
    from debtordesk.services.factoring import with_factoring
    from debtordesk.services.handover import with_handovers
    from debtordesk.services.plan_tracking import dunning_effects
    from debtordesk.services.promises import dunning_pauses
    from debtordesk.services.settlements import settlement_pauses

    keys = {(r[0], r[1]) for r in rows}
    pauses = {**settlement_pauses(session, as_of), **dunning_pauses(session, as_of)}
    effects = with_factoring(session, as_of, with_handovers(session, as_of, dunning_effects(session, as_of)))
    skipped = {k: e.skip_invoice_ids for k, e in effects.items() if k in keys and e.skip_invoice_ids}
    rest: dict[tuple[int, str], tuple[int, date]] = {}
    if skipped:
        q = (select(Invoice.customer_id, Invoice.currency, func.sum(Invoice.open_minor), func.min(Invoice.due_date))
             .where(Invoice.customer_id.in_({k[0] for k in skipped}), Invoice.open_minor > 0, Invoice.due_date < as_of,
                    Invoice.id.not_in(sorted(set().union(*skipped.values()))))
             .group_by(Invoice.customer_id, Invoice.currency))
        rest = {(cid, cur): (int(late), due) for cid, cur, late, due in session.execute(q)}
    out = []
    for r in rows:
        key = (r[0], r[1])
        if key in pauses:
            continue
        if key in skipped:
            late, due = rest.get(key, (0, None))
            if late <= 0:
                continue
            r = (r[0], r[1], r[2], late, due)
        out.append(r)
    return out


def _reasons(overdue_minor: int, currency: str, days: int, risk: RiskScore) -> tuple[str, ...]:
    """Why the debt is where it is: the amount and age, the risk, and its two heaviest factors."""
    heaviest = sorted((f for f in risk.factors if f.points > 0), key=lambda f: f.points, reverse=True)[:2]
    return (f"{format_money(overdue_minor, currency)} overdue, the oldest {days} day{'' if days == 1 else 's'} "
            f"past due", f"Risk {risk.label} of 100", *(f.text for f in heaviest))
