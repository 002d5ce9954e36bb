"""Customers: the paged list with balances, and creating, editing, archiving and deleting them.

Balances come from the open amounts kept on invoices and the unapplied parts kept on payments
(db.ledger), so a page of the list costs one aggregate over open items only.
A customer may owe in several currencies: the list shows each currency's figure; sorting by
balance compares the figures as written. The credit limit is in the company's base currency and
is compared with the balance in that currency.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, func, literal, or_, select, union_all
from sqlalchemy.orm import Session, object_session

from debtordesk.db.locks import lock_customers
from debtordesk.db.models import Activity, Customer, Invoice, Payment
from debtordesk.domain.customers import FieldErrors, check_customer
from debtordesk.domain.money import format_plain
from debtordesk.domain.problems import UserError
from debtordesk.services.company import base_currency
from debtordesk.services.conflicts import changed_elsewhere
from debtordesk.services.lists import Sort, get_or_gone, like_pattern, nominal, window

FORM_FIELDS = ("ref", "name", "contact_person", "email", "phone", "address_line1", "address_line2",
               "postcode", "city", "country", "language", "kind", "terms_days", "credit_limit", "notes", "owner",
               "late_payment_regime", "contract_rate", "discount_percent", "discount_days")


@dataclass(frozen=True)
class CustomerQuery:
    search: str = ""
    filters: frozenset[str] = frozenset()  # overdue, on_hold, over_limit, archived (lists archived customers only)
    sort: Sort = Sort("name")


@dataclass
class CustomerRow:
    id: int
    ref: str
    name: str
    balances: dict[str, int] = field(default_factory=dict)  # currency -> open minus unapplied
    overdue: dict[str, int] = field(default_factory=dict)
    oldest_overdue_days: int | None = None
    credit_limit_minor: int | None = None
    over_limit: bool = False
    last_contact: date | None = None
    on_hold: bool = False
    archived: bool = False


def _amounts(today: date, ids: list[int] | None = None):
    """Per customer and currency: owed (open minus unapplied), overdue, oldest overdue due date.

    With `ids`, only those customers' items are read (a page of the list, or one customer)."""
    open_rows = select(
        Invoice.customer_id.label("cid"),
        Invoice.currency.label("cur"),
        Invoice.open_minor.label("owed"),
        case((Invoice.due_date < today, Invoice.open_minor), else_=0).label("late"),
        case((Invoice.due_date < today, Invoice.due_date), else_=None).label("late_due"),
    ).where(Invoice.open_minor > 0)
    credit_rows = select(
        Payment.customer_id, Payment.currency, -Payment.unapplied_minor, literal(0), literal(None)
    ).where(Payment.unapplied_minor > 0)
    if ids is not None:
        open_rows = open_rows.where(Invoice.customer_id.in_(ids))
        credit_rows = credit_rows.where(Payment.customer_id.in_(ids))
    return union_all(open_rows, credit_rows).subquery("items")


def _summary(today: date, base: str, ids: list[int] | None = None):
    items = _amounts(today, ids)
    return (
        select(
            items.c.cid,
            func.sum(nominal(items.c.owed, items.c.cur)).label("balance_key"),
            func.sum(nominal(items.c.late, items.c.cur)).label("overdue_key"),
            func.sum(case((items.c.cur == base, items.c.owed), else_=0)).label("base_balance"),
            func.min(items.c.late_due).label("oldest_due"),
        )
        .group_by(items.c.cid)
        .subquery("summary")
    )


def _last_contact(ids: list[int] | None = None):
    q = select(Activity.customer_id.label("cid"), func.max(Activity.occurred_on).label("last"))
    if ids is not None:
        q = q.where(Activity.customer_id.in_(ids))
    return q.group_by(Activity.customer_id).subquery("contact")


def _overdue(today: date):
    """The customer has an open invoice past its due date (what overdue_key > 0 means)."""
    return (
        select(Invoice.id)
        .where(Invoice.customer_id == Customer.id, Invoice.open_minor > 0, Invoice.due_date < today)
        .exists()
    )


# sorts on the customer's own columns: the window of ids is found first, amounts only for it
PAGE_FIRST = {"ref": Customer.ref, "name": Customer.name, "credit_limit": Customer.credit_limit_minor,
              "on_hold": Customer.on_hold}


def _where(q, query: CustomerQuery, today: date):
    """The search and the filters that need no amounts (all but over_limit)."""
    q = q.where(Customer.archived.is_("archived" in query.filters))
    text = query.search.strip()
    if text:
        like = like_pattern(text)
        q = q.where(or_(*(col.ilike(like, escape="\\") for col in (
            Customer.ref, Customer.name, Customer.contact_person, Customer.email, Customer.city,
            Customer.postcode))))
    if "overdue" in query.filters:
        q = q.where(_overdue(today))
    if "on_hold" in query.filters:
        q = q.where(Customer.on_hold.is_(True))
    return q


def _filtered(query: CustomerQuery, today: date, base: str, only_id: int | None = None,
              ids: list[int] | None = None):
    if only_id is not None:
        ids = [only_id]
    summary = _summary(today, base, ids)
    contact = _last_contact(ids)
    q = (
        select(Customer.id, summary.c.oldest_due, contact.c.last)
        .outerjoin(summary, summary.c.cid == Customer.id)
        .outerjoin(contact, contact.c.cid == Customer.id)
    )
    if only_id is not None:
        return q.where(Customer.id == only_id), summary, contact
    q = _where(q, query, today)
    if ids is not None:
        q = q.where(Customer.id.in_(ids))
    if "over_limit" in query.filters:
        q = q.where(and_(Customer.credit_limit_minor.is_not(None),
                         func.coalesce(summary.c.base_balance, 0) > Customer.credit_limit_minor))
    return q, summary, contact


def count_customers(session: Session, query: CustomerQuery, today: date) -> int:
    if "over_limit" in query.filters:
        q, _, _ = _filtered(query, today, base_currency(session))
    else:  # no amounts needed to count
        q = _where(select(Customer.id), query, today)
    return int(session.scalar(select(func.count()).select_from(q.subquery())) or 0)


def customer_row(session: Session, customer_id: int, today: date) -> CustomerRow:
    """One customer's line of the list (archived or not)."""
    rows = list_customers(session, CustomerQuery(), today, 0, 1, only_id=customer_id)
    if not rows:
        raise UserError("This customer no longer exists; someone may have deleted it.")
    return rows[0]


def list_customers(session: Session, query: CustomerQuery, today: date, offset: int, limit: int,
                   *, only_id: int | None = None) -> list[CustomerRow]:
    """One window of the list, in the query's order (ties broken by id)."""
    base = base_currency(session)
    ids = None
    if only_id is None and query.sort.column in PAGE_FIRST and "over_limit" not in query.filters:
        key = PAGE_FIRST[query.sort.column]
        first = [key.desc() if query.sort.descending else key.asc(), Customer.id]
        if query.sort.column not in ("ref", "name"):
            first.insert(0, key.is_(None))
        ids = list(session.scalars(window(_where(select(Customer.id), query, today).order_by(*first),
                                          offset, limit)))
        if not ids:
            return []
        offset = 0
    q, summary, contact = _filtered(query, today, base, only_id, ids)
    keys = {
        "ref": Customer.ref, "name": Customer.name,
        "balance": func.coalesce(summary.c.balance_key, 0),
        "overdue": func.coalesce(summary.c.overdue_key, 0),
        "oldest_overdue_days": summary.c.oldest_due,  # an older due date is more days overdue
        "credit_limit": Customer.credit_limit_minor, "last_contact": contact.c.last,
        "on_hold": Customer.on_hold,
    }
    if query.sort.column not in keys:
        raise ValueError(f"cannot sort customers by {query.sort.column!r}")
    key = keys[query.sort.column]
    descending = query.sort.descending
    if query.sort.column == "oldest_overdue_days":
        descending = not descending
    order = [key.is_(None), key.desc() if descending else key.asc(), Customer.id]
    if query.sort.column in ("ref", "name"):
        order = order[1:]
    q = q.add_columns(Customer.ref, Customer.name, Customer.credit_limit_minor, Customer.on_hold,
                      Customer.archived, summary.c.base_balance).order_by(*order)
    rows = []
    for r in session.execute(window(q, offset, limit)):
        limit_minor = r.credit_limit_minor
        rows.append(CustomerRow(
            id=r.id, ref=r.ref, name=r.name, credit_limit_minor=limit_minor,
            over_limit=limit_minor is not None and (r.base_balance or 0) > limit_minor,
            oldest_overdue_days=(today - r.oldest_due).days if r.oldest_due else None,
            last_contact=r.last, on_hold=bool(r.on_hold), archived=bool(r.archived),
        ))
    _fill_amounts(session, rows, today)
    return rows


def _fill_amounts(session: Session, rows: list[CustomerRow], today: date) -> None:
    if not rows:
        return
    by_id = {r.id: r for r in rows}
    items = _amounts(today)
    q = (
        select(items.c.cid, items.c.cur, func.sum(items.c.owed), func.sum(items.c.late))
        .where(items.c.cid.in_(list(by_id)))
        .group_by(items.c.cid, items.c.cur)
        .order_by(items.c.cid, items.c.cur)
    )
    for cid, cur, owed, late in session.execute(q):
        if owed:
            by_id[cid].balances[cur] = int(owed)
        if late:
            by_id[cid].overdue[cur] = int(late)


# --- one customer -----------------------------------------------------------------------------


@dataclass
class CustomerForm:
    """A customer as the form shows it: text per field, and the version it was read at."""

    values: dict[str, str]
    id: int | None = None
    version: int | None = None


def blank_form() -> CustomerForm:
    values = dict.fromkeys(FORM_FIELDS, "")
    values.update(language="en", kind="business", terms_days="30")
    return CustomerForm(values)


def read_form(session: Session, customer_id: int) -> CustomerForm:
    c = _get(session, customer_id)
    values = {k: str(getattr(c, k) or "") for k in FORM_FIELDS if k not in ("terms_days", "credit_limit")}
    values["terms_days"] = str(c.terms_days)
    values["credit_limit"] = (
        "" if c.credit_limit_minor is None else format_plain(c.credit_limit_minor, base_currency(session))
    )
    return CustomerForm(values, c.id, c.version)


def _get(session: Session, customer_id: int) -> Customer:
    return get_or_gone(session, Customer, customer_id, "customer")


def save_customer(session: Session, form: CustomerForm) -> Customer:
    """Create (form.id is None) or update a customer; refuses field by field with FieldErrors."""
    checked = check_customer(form.values, base_currency(session))
    errors = dict(checked.errors)
    ref = checked.values["ref"]
    taken = session.scalar(select(Customer.id).where(Customer.ref == ref, Customer.id != (form.id or -1)))
    if ref and taken is not None:
        errors["ref"] = f"'{ref}' is already used by another customer"
    if errors:
        raise FieldErrors(errors)
    if form.id is None:
        customer = Customer(**checked.values)
        session.add(customer)
    else:
        lock_customers(session, [form.id])  # someone saving the same customer now finishes first
        customer = _get(session, form.id)
        session.refresh(customer)
        _check_version(customer, form.version)
        for key, value in checked.values.items():
            setattr(customer, key, value)
    session.flush()
    return customer


def _check_version(customer: Customer, version: int | None) -> None:
    if version is not None and customer.version != version:
        session = object_session(customer)
        raise UserError(changed_elsewhere(session, "customer", customer.id, customer.name))


def set_archived(session: Session, customer_id: int, archived: bool) -> Customer:
    c = _get(session, customer_id)
    c.archived = archived
    session.flush()
    return c


def set_on_hold(session: Session, customer_id: int, on_hold: bool) -> Customer:
    c = _get(session, customer_id)
    c.on_hold = on_hold
    session.flush()
    return c


def delete_customer(session: Session, customer_id: int) -> None:
    """Delete a customer that has no invoices and no payments; otherwise explain and refuse."""
    c = _get(session, customer_id)
    invoices = session.scalar(select(func.count()).where(Invoice.customer_id == c.id)) or 0
    payments = session.scalar(select(func.count()).where(Payment.customer_id == c.id,
                                                         Payment.kind == "payment")) or 0
    if invoices or payments:
        held = " and ".join(
            p for p in (_plural(invoices, "invoice"), _plural(payments, "payment")) if not p.startswith("0 ")
        )
        raise UserError(
            f"{c.name} cannot be deleted because it has {held}; the history must stay complete. "
            "Archive the customer instead: it disappears from the lists but its records are kept."
        )
    session.delete(c)
    session.flush()


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def customer_names(session: Session, search: str = "", limit: int = 50) -> list[tuple[int, str, str]]:
    """(id, ref, name) of active customers matching `search`, for pickers."""
    q = select(Customer.id, Customer.ref, Customer.name).where(Customer.archived.is_(False))
    if search.strip():
        like = like_pattern(search.strip())
        q = q.where(or_(Customer.ref.ilike(like, escape="\\"), Customer.name.ilike(like, escape="\\")))
    return [tuple(r) for r in session.execute(q.order_by(Customer.name, Customer.id).limit(limit))]



def ref_and_name(session: Session, customer_id: int) -> tuple[str, str]:
    """The customer's reference and name (two empty strings when it no longer exists)."""
    row = session.execute(select(Customer.ref, Customer.name).where(Customer.id == customer_id)).first()
    return (row.ref, row.name) if row is not None else ("", "")


def open_currencies(session: Session, customer_id: int) -> list[str]:
    """The currencies the customer has something open in, most open first."""
    q = (select(Invoice.currency).where(Invoice.customer_id == customer_id, Invoice.open_minor > 0)
         .group_by(Invoice.currency).order_by(func.sum(Invoice.open_minor).desc(), Invoice.currency))
    return list(session.scalars(q))
