"""Promises to pay: recording one, withdrawing it, where each stands as of a date (rules in
domain.promises), broken promises recorded once in the activity log, and what they mean for the
dunning run (a pending promise pauses the customer's letters in that currency)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from debtordesk.config import current_user
from debtordesk.db.models import Activity, Customer, Payment, Promise
from debtordesk.domain.money import check_currency, format_money
from debtordesk.domain.problems import FieldErrors, UserError
from debtordesk.domain.promises import BROKEN, PENDING, PromiseState, promise_state
from debtordesk.services.settings import get_setting


class PromiseError(UserError):
    """A promise refused; the message is meant for the user."""


def default_grace_days(session: Session) -> int:
    text = get_setting(session, "promises.grace_days")
    return int(text) if text.isdigit() else 3


def describe(amount_minor: int, currency: str, due: date) -> str:
    return f"{format_money(amount_minor, currency)} by {due.isoformat()}"


MAX_GRACE_DAYS = 60


def promise_states(session: Session, as_of: date, *, customer_id: int | None = None,
                   promise_ids: list[int] | None = None, open_only: bool = False) -> list[tuple[Promise, PromiseState]]:
    """Every promise made by `as_of` (one customer's, or the given ones) with where it stands.
    `open_only` reads only those whose deadline may not have passed yet (the pending ones among them)."""
    q = select(Promise).where(Promise.promised_on <= as_of).order_by(Promise.due_date, Promise.id)
    if open_only:
        q = q.where(Promise.due_date >= as_of - timedelta(days=MAX_GRACE_DAYS),
                    or_(Promise.cancelled_on.is_(None), Promise.cancelled_on > as_of))
    if customer_id is not None:
        q = q.where(Promise.customer_id == customer_id)
    if promise_ids is not None:
        q = q.where(Promise.id.in_(promise_ids))
    promises = session.scalars(q).all()
    if not promises:
        return []
    start = min(p.promised_on for p in promises)
    paid: dict[tuple[int, str], list[tuple[date, int]]] = defaultdict(list)
    pq = (select(Payment.customer_id, Payment.currency, Payment.date, Payment.amount_minor)
          .where(Payment.customer_id.in_({p.customer_id for p in promises}), Payment.date >= start,
                 Payment.date <= as_of, Payment.kind == "payment"))
    for cid, cur, day, amount in session.execute(pq):
        paid[(cid, cur)].append((day, int(amount)))
    return [(p, promise_state(p.amount_minor, p.promised_on, p.due_date, p.grace_days,
                              paid.get((p.customer_id, p.currency), ()), as_of, p.cancelled_on)) for p in promises]


def record_promise(session: Session, customer_id: int, currency: str, amount_minor: int, due: date, *,
                   promised_on: date, grace_days: int | None = None, note: str = "", who: str | None = None,
                   log: bool = True) -> Promise:
    """Record a promise (with an activity entry unless `log` is false: a call logged with the
    outcome "promised" carries it). Refused with FieldErrors (amount, due, grace_days) or a sentence."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise PromiseError("The customer does not exist.")
    currency = check_currency(currency)
    errors = {}
    if amount_minor <= 0:
        errors["amount"] = "The promised amount must be more than zero."
    if due < promised_on:
        errors["due"] = "The promised date cannot be before the day the promise is made."
    grace = default_grace_days(session) if grace_days is None else grace_days
    if not 0 <= grace <= MAX_GRACE_DAYS:
        errors["grace_days"] = "The days of grace must be between 0 and 60."
    if errors:
        raise FieldErrors(errors)
    for other, st in promise_states(session, promised_on, customer_id=customer_id):
        if other.currency == currency and st.status == PENDING:
            already = describe(other.amount_minor, currency, other.due_date)
            raise PromiseError(f"{customer.name} has already promised {already}; withdraw that promise first or "
                               "wait for it.")
    who = who if who is not None else current_user()
    promise = Promise(customer_id=customer_id, currency=currency, amount_minor=amount_minor, promised_on=promised_on,
                      due_date=due, grace_days=grace, note=note.strip(), created_by=who)
    session.add(promise)
    if log:
        session.add(Activity(customer_id=customer_id, occurred_on=promised_on, kind="note", outcome="promised",
                             created_by=who, note=f"Promised to pay {describe(amount_minor, currency, due)}."
                             + (f" {note.strip()}" if note.strip() else "")))
    session.flush()
    return promise


def cancel_promise(session: Session, promise_id: int, on: date, who: str | None = None) -> Promise:
    promise = session.get(Promise, promise_id)
    if promise is None:
        raise PromiseError("The promise does not exist.")
    found = promise_states(session, max(on, promise.promised_on), promise_ids=[promise_id])
    if found and found[0][1].status != PENDING:
        raise PromiseError(f"The promise of {describe(promise.amount_minor, promise.currency, promise.due_date)} is "
                           f"{found[0][1].status} and can no longer be withdrawn.")
    promise.cancelled_on = on
    session.add(Activity(customer_id=promise.customer_id, occurred_on=on, kind="note",
                         created_by=who if who is not None else current_user(),
                         note=f"Promise to pay {describe(promise.amount_minor, promise.currency, promise.due_date)} "
                              "withdrawn."))
    session.flush()
    return promise


@dataclass(frozen=True, slots=True)
class BrokenPromise:
    promise_id: int
    customer_id: int
    name: str
    note: str


def record_broken_promises(session: Session, as_of: date, who: str | None = None) -> list[BrokenPromise]:
    """Record every promise broken by `as_of` and not recorded yet: the day it broke and an activity
    entry saying what came in (each broken promise is recorded once)."""
    found = []
    for p, st in promise_states(session, as_of):
        if st.status != BROKEN or p.broken_on is not None:
            continue
        p.broken_on = st.broken_on
        what = describe(p.amount_minor, p.currency, p.due_date)
        came = (f"only {format_money(st.received_minor, p.currency)} of it came in"
                if st.received_minor else "nothing came in")
        note = (f"Promise to pay {what} broken: {came} by {st.deadline.isoformat()} (the promised date and "
                f"{p.grace_days} day(s) of grace); reminders resume.")
        session.add(Activity(customer_id=p.customer_id, occurred_on=st.broken_on, kind="note", outcome="other",
                             created_by=who if who is not None else current_user(), note=note))
        customer = session.get(Customer, p.customer_id)
        found.append(BrokenPromise(p.id, p.customer_id, customer.name if customer else "", note))
    session.flush()
    return found


def dunning_pauses(session: Session, as_of: date) -> dict[tuple[int, str], str]:
    """(customer id, currency) → why the letters pause: a promise pending as of the date."""
    out = {}
    for p, st in promise_states(session, as_of, open_only=True):
        if st.status == PENDING:
            out[(p.customer_id, p.currency)] = (
                f"A promise to pay {describe(p.amount_minor, p.currency, p.due_date)} is pending: reminders pause "
                f"until {st.deadline.isoformat()}.")
    return out


@dataclass(frozen=True, slots=True)
class PromiseRow:
    promise_id: int
    customer_id: int
    name: str
    owner: str
    currency: str
    amount_minor: int
    received_minor: int
    due: date
    deadline: date
    status: str


def promises_to_watch(session: Session, as_of: date, *, broken_within_days: int = 7) -> list[PromiseRow]:
    """For the Today worklist: pending promises due by today (their money should be in) and promises
    broken in the last `broken_within_days` days."""
    rows = []
    states = promise_states(session, as_of)
    people = {r.id: r for r in session.execute(select(Customer.id, Customer.name, Customer.owner).where(
        Customer.id.in_({p.customer_id for p, _ in states})))} if states else {}
    for p, st in states:
        due_now = st.status == PENDING and p.due_date <= as_of
        broke = st.status == BROKEN and (as_of - st.broken_on).days < broken_within_days
        if due_now or broke:
            c = people[p.customer_id]
            rows.append(PromiseRow(p.id, p.customer_id, c.name, c.owner, p.currency, p.amount_minor,
                                   st.received_minor, p.due_date, st.deadline, st.status))
    rows.sort(key=lambda r: (r.status != BROKEN, r.due, r.name))
    return rows
