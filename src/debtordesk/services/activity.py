"""The collections log: calls, e-mails, letters, visits and notes per customer, with an outcome and
an optional follow-up date; follow-ups due for the Today worklist; a call whose outcome is a
promise to pay records the promise too (one transaction)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from debtordesk.config import current_user
from debtordesk.db.models import Activity, Customer
from debtordesk.domain.money import MoneyError, parse_amount
from debtordesk.domain.problems import FieldErrors, UserError

KINDS = {"call": "Call", "email": "E-mail", "letter": "Letter", "visit": "Visit", "note": "Note"}
OUTCOMES = {"": "—", "no-answer": "No answer", "promised": "Promised to pay", "disputed": "Disputed",
            "paid": "Says it is paid", "wrong-contact": "Wrong contact", "other": "Other"}
MAX_NOTE = 4000


class ActivityError(UserError):
    """An entry refused; the message is meant for the user."""


@dataclass(frozen=True, slots=True)
class ActivityForm:
    """What the log dialog holds, checked: see `read_activity`."""

    kind: str
    occurred_on: date
    outcome: str
    note: str
    follow_up_on: date | None
    promise_minor: int | None = None
    promise_due: date | None = None
    currency: str = ""


def _day(values: dict, key: str, label: str, errors: dict, required: bool = True) -> date | None:
    text = str(values.get(key) or "").strip()
    if not text:
        if required:
            errors[key] = f"{label} is needed."
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[key] = f"{label} must be a date like 2026-12-03."
        return None


def read_activity(values: dict[str, str]) -> ActivityForm:
    """Check what the user typed (strings; dates as ISO); FieldErrors keyed by field: kind,
    occurred_on, outcome, note, follow_up_on, promise_amount, promise_due."""
    errors: dict[str, str] = {}
    kind = values.get("kind", "call")
    if kind not in KINDS:
        errors["kind"] = f"'{kind}' is not a kind of entry (call, e-mail, letter, visit or note)."
    outcome = values.get("outcome", "")
    if outcome not in OUTCOMES:
        errors["outcome"] = f"'{outcome}' is not an outcome."
    note = str(values.get("note") or "").strip()
    if len(note) > MAX_NOTE:
        errors["note"] = f"The note is longer than {MAX_NOTE} characters."
    when = _day(values, "occurred_on", "The date", errors)
    follow = _day(values, "follow_up_on", "The follow-up date", errors, required=False)
    if when and follow and follow < when:
        errors["follow_up_on"] = "The follow-up date cannot be before the date of the entry."
    amount = due = None
    currency = str(values.get("currency") or "").strip().upper()
    if outcome == "promised":
        text = str(values.get("promise_amount") or "").strip()
        if not text:
            errors["promise_amount"] = "Say how much was promised."
        else:
            try:
                amount = parse_amount(text, currency or "GBP")
                if amount <= 0:
                    errors["promise_amount"] = "The promised amount must be more than zero."
            except MoneyError as exc:
                errors["promise_amount"] = f"The promised amount: {exc}."
        due = _day(values, "promise_due", "The promised date", errors)
        if when and due and due < when:
            errors["promise_due"] = "The promised date cannot be before the date of the entry."
    if not note and outcome != "promised" and kind == "note":
        errors["note"] = "A note needs some words."
    if errors:
        raise FieldErrors(errors)
    return ActivityForm(kind, when, outcome, note, follow, amount, due, currency)


def log_activity(session: Session, customer_id: int, form: ActivityForm, who: str | None = None) -> Activity:
    """Add an entry to the customer's log (and, for a promise, the promise itself)."""
    if session.get(Customer, customer_id) is None:
        raise ActivityError("The customer does not exist.")
    who = who if who is not None else current_user()
    note = form.note
    if form.outcome == "promised" and form.promise_minor is not None and form.promise_due is not None:
        from debtordesk.services.promises import describe, record_promise

        if not form.currency:
            raise FieldErrors({"promise_amount": "Choose the currency of the promise."})
        record_promise(session, customer_id, form.currency, form.promise_minor, form.promise_due,
                       promised_on=form.occurred_on, note="", who=who, log=False)
        said = f"Promised to pay {describe(form.promise_minor, form.currency, form.promise_due)}."
        note = f"{said} {note}".strip()
    entry = Activity(customer_id=customer_id, occurred_on=form.occurred_on, kind=form.kind, outcome=form.outcome,
                     note=note, follow_up_on=form.follow_up_on, created_by=who)
    session.add(entry)
    session.flush()
    return entry


def record_event(session: Session, customer_id: int, on: date, note: str, who: str | None = None, *,
                 kind: str = "note", outcome: str = "", remark: str = "") -> Activity:
    """An entry the program writes in the customer's log for something done to the account (a credit
    note, a dispute, a settlement, an assignment ...), with the user's `remark` after it if any;
    `who` defaults to the user signed in."""
    if remark.strip():
        note = f"{note} {remark.strip()}"
    entry = Activity(customer_id=customer_id, occurred_on=on, kind=kind, outcome=outcome, note=note,
                     created_by=who if who is not None else current_user())
    session.add(entry)
    return entry


@dataclass(frozen=True, slots=True)
class Entry:
    activity_id: int
    occurred_on: date
    kind: str
    outcome: str
    note: str
    follow_up_on: date | None
    follow_up_done: bool
    created_by: str


def customer_timeline(session: Session, customer_id: int, limit: int = 500) -> list[Entry]:
    """The customer's log, newest first."""
    q = (select(Activity).where(Activity.customer_id == customer_id)
         .order_by(Activity.occurred_on.desc(), Activity.id.desc()).limit(limit))
    return [Entry(a.id, a.occurred_on, a.kind, a.outcome, a.note, a.follow_up_on, a.follow_up_done, a.created_by)
            for a in session.scalars(q)]


@dataclass(frozen=True, slots=True)
class FollowUp:
    activity_id: int
    customer_id: int
    name: str
    owner: str
    due: date
    kind: str
    note: str


def follow_ups_due(session: Session, as_of: date) -> list[FollowUp]:
    """Follow-ups not yet done that fall due by `as_of` (oldest first)."""
    q = (select(Activity.id, Activity.customer_id, Customer.name, Customer.owner, Activity.follow_up_on,
                Activity.kind, Activity.note)
         .join(Customer, Customer.id == Activity.customer_id)
         .where(Activity.follow_up_on.is_not(None), Activity.follow_up_on <= as_of,
                Activity.follow_up_done.is_(False), Customer.archived.is_(False))
         .order_by(Activity.follow_up_on, Customer.name))
    return [FollowUp(*r) for r in session.execute(q)]


def complete_follow_up(session: Session, activity_id: int) -> None:
    entry = session.get(Activity, activity_id)
    if entry is None:
        raise ActivityError("The entry does not exist.")
    entry.follow_up_done = True
    session.flush()


def account_owners(session: Session) -> dict[int, str]:
    """Customer id → its account owner, for the customers that have one."""
    return dict(session.execute(select(Customer.id, Customer.owner).where(Customer.owner != "")).all())
