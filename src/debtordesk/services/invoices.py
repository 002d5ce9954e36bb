"""Invoices: the paged, filtered list and the editor's rules (create, edit, dispute)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import Session

from debtordesk.db.ledger import refresh_open
from debtordesk.db.locks import lock_customers
from debtordesk.db.models import Allocation, Customer, Invoice
from debtordesk.domain.dates import DateError, parse_iso_date
from debtordesk.domain.discounts import check_terms
from debtordesk.domain.money import MoneyError, check_currency, format_plain, parse_amount
from debtordesk.domain.problems import FieldErrors, UserError, sentence
from debtordesk.services.company import base_currency
from debtordesk.services.conflicts import changed_elsewhere
from debtordesk.services.lists import Sort, contains, get_or_gone, nominal, window

STATUSES = ("all", "open", "overdue", "part_paid", "paid")
STATUS_LABELS = {"open": "Open", "overdue": "Overdue", "part_paid": "Part-paid", "paid": "Paid"}
FORM_FIELDS = ("number", "customer_id", "issue_date", "due_date", "amount", "currency", "description",
               "discount_percent", "discount_days")


@dataclass(frozen=True)
class InvoiceQuery:
    search: str = ""  # invoice number or description
    status: str = "all"
    customer_id: int | None = None
    issued_from: date | None = None
    issued_to: date | None = None
    currency: str | None = None
    disputed: bool | None = None
    sort: Sort = Sort("issue_date", descending=True)


@dataclass
class InvoiceRow:
    id: int
    number: str
    customer_id: int
    customer_ref: str
    customer_name: str
    issue_date: date
    due_date: date
    amount_minor: int
    open_minor: int
    currency: str
    disputed: bool
    status: str  # a key of STATUS_LABELS
    days_overdue: int  # 0 unless overdue


def status_of(amount_minor: int, open_minor: int, due: date, today: date) -> str:
    if open_minor == 0:
        return "paid"
    if due < today:
        return "overdue"
    return "part_paid" if open_minor < amount_minor else "open"


def _filtered(session: Session, query: InvoiceQuery, today: date) -> Select:
    q = select(Invoice.id)
    if query.status not in STATUSES:
        raise ValueError(f"unknown invoice status {query.status!r}")
    if query.status == "open":
        q = q.where(Invoice.open_minor > 0)
    elif query.status == "overdue":
        q = q.where(Invoice.open_minor > 0, Invoice.due_date < today)
    elif query.status == "part_paid":
        q = q.where(Invoice.open_minor > 0, Invoice.open_minor < Invoice.amount_minor)
    elif query.status == "paid":
        q = q.where(Invoice.open_minor == 0)
    if query.customer_id is not None:
        q = q.where(Invoice.customer_id == query.customer_id)
    if query.issued_from is not None:
        q = q.where(Invoice.issue_date >= query.issued_from)
    if query.issued_to is not None:
        q = q.where(Invoice.issue_date <= query.issued_to)
    if query.currency:
        q = q.where(Invoice.currency == query.currency)
    if query.disputed is not None:
        q = q.where(Invoice.disputed.is_(query.disputed))
    if query.search.strip():
        text = query.search.strip()
        q = q.where(or_(contains(session, Invoice.number, text), contains(session, Invoice.description, text)))
    return q


def count_invoices(session: Session, query: InvoiceQuery, today: date) -> int:
    return int(session.scalar(select(func.count()).select_from(_filtered(session, query, today).subquery())) or 0)


def list_invoices(session: Session, query: InvoiceQuery, today: date, offset: int, limit: int) -> list[InvoiceRow]:
    """One window of the list in the query's order (ties broken by id)."""
    keys = {
        "number": Invoice.number, "customer": Customer.name, "issue_date": Invoice.issue_date,
        "due_date": Invoice.due_date, "amount": nominal(Invoice.amount_minor, Invoice.currency),
        "open": nominal(Invoice.open_minor, Invoice.currency),
        "days_overdue": case((Invoice.open_minor > 0, Invoice.due_date), else_=date.max),
    }
    if query.sort.column not in keys:
        raise ValueError(f"cannot sort invoices by {query.sort.column!r}")
    key = keys[query.sort.column]
    descending = query.sort.descending != (query.sort.column == "days_overdue")  # older due = more days
    order = (key.desc() if descending else key.asc(), Invoice.id.desc() if descending else Invoice.id)
    columns = (Invoice.number, Invoice.customer_id, Customer.ref, Customer.name, Invoice.issue_date,
               Invoice.due_date, Invoice.amount_minor, Invoice.open_minor, Invoice.currency, Invoice.disputed)
    if query.sort.column == "customer":
        q = window(_filtered(session, query, today).add_columns(*columns)
                   .join(Customer, Customer.id == Invoice.customer_id).order_by(*order), offset, limit)
    else:
        # The window's ids come from invoice alone: the rows skipped by OFFSET are walked in an
        # index, not joined to their customer, and the planner cannot start from customer.
        page = window(_filtered(session, query, today).order_by(*order), offset, limit).subquery("page")
        q = (select(Invoice.id, *columns).join(page, page.c.id == Invoice.id)
             .join(Customer, Customer.id == Invoice.customer_id).order_by(*order))
    out = []
    for r in session.execute(q):
        status = status_of(r.amount_minor, r.open_minor, r.due_date, today)
        out.append(InvoiceRow(
            r.id, r.number, r.customer_id, r.ref, r.name, r.issue_date, r.due_date, r.amount_minor,
            r.open_minor, r.currency, bool(r.disputed), status,
            (today - r.due_date).days if status == "overdue" else 0,
        ))
    return out


def invoice_currencies(session: Session) -> list[str]:
    return list(session.scalars(select(Invoice.currency).distinct().order_by(Invoice.currency)))


# --- one invoice ------------------------------------------------------------------------------


@dataclass
class InvoiceForm:
    values: dict[str, str]  # FORM_FIELDS as typed; customer_id as its number in text
    id: int | None = None
    version: int | None = None
    paid_minor: int = 0  # already allocated to the invoice (limits what may change)


def blank_invoice(session: Session, customer_id: int | None, today: date) -> InvoiceForm:
    values = dict.fromkeys(FORM_FIELDS, "")
    values.update(issue_date=today.isoformat(), currency=base_currency(session))
    if customer_id is not None:
        values["customer_id"] = str(customer_id)
        values.update(customer_terms(session, customer_id, today))
    values["number"] = next_number(session, today)
    return InvoiceForm(values)


def customer_terms(session: Session, customer_id: int, issued: date) -> dict[str, str]:
    """The form values a new invoice takes from its customer: due date and early-payment discount."""
    c = session.execute(select(Customer.terms_days, Customer.discount_percent, Customer.discount_days)
                        .where(Customer.id == customer_id)).first()
    if c is None:
        return {}
    return {"due_date": (issued + timedelta(days=c.terms_days or 0)).isoformat(),
            "discount_percent": c.discount_percent or "", "discount_days": str(c.discount_days or "")}


def next_number(session: Session, today: date) -> str:
    """A suggestion following the last number with a numeric tail (INV-2026-00041 -> ...42)."""
    last = session.scalar(select(Invoice.number).order_by(Invoice.id.desc()).limit(1))
    if last:
        head = last.rstrip("0123456789")
        tail = last[len(head):]
        if tail:
            candidate = f"{head}{int(tail) + 1:0{len(tail)}d}"
            if session.scalar(select(Invoice.id).where(Invoice.number == candidate)) is None:
                return candidate
    return f"INV-{today.year}-{1 + (session.scalar(select(func.count()).select_from(Invoice)) or 0):05d}"


def read_invoice(session: Session, invoice_id: int) -> InvoiceForm:
    inv = _get(session, invoice_id)
    values = {
        "number": inv.number, "customer_id": str(inv.customer_id), "issue_date": inv.issue_date.isoformat(),
        "due_date": inv.due_date.isoformat(), "amount": format_plain(inv.amount_minor, inv.currency),
        "currency": inv.currency, "description": inv.description,
        "discount_percent": inv.discount_percent, "discount_days": str(inv.discount_days or ""),
    }
    return InvoiceForm(values, inv.id, inv.version, inv.amount_minor - inv.open_minor)


def _get(session: Session, invoice_id: int) -> Invoice:
    return get_or_gone(session, Invoice, invoice_id, "invoice")


def save_invoice(session: Session, form: InvoiceForm) -> Invoice:
    """Create or update an invoice; every refusal names its field (FieldErrors)."""
    v = {k: (form.values.get(k) or "").strip() for k in FORM_FIELDS}
    errors: dict[str, str] = {}
    existing = _get(session, form.id) if form.id is not None else None
    if existing is not None:  # someone saving the same customer's records now finishes first
        lock_customers(session, [existing.customer_id])
        session.refresh(existing)
    if existing is not None and form.version is not None and existing.version != form.version:
        raise UserError(changed_elsewhere(session, "invoice", existing.id, f"Invoice {existing.number}"))
    if not v["number"]:
        errors["number"] = "An invoice number is required."
    elif len(v["number"]) > 50:
        errors["number"] = "An invoice number may have at most 50 characters."
    elif session.scalar(select(Invoice.id).where(Invoice.number == v["number"],
                                                 Invoice.id != (form.id or -1))) is not None:
        errors["number"] = f"Invoice number {v['number']} is already used; each invoice needs its own number."
    customer = session.get(Customer, int(v["customer_id"])) if v["customer_id"].isdigit() else None
    if customer is None:
        errors["customer_id"] = "Choose the customer this invoice is for."
    elif customer.archived and (existing is None or existing.customer_id != customer.id):
        errors["customer_id"] = f"{customer.name} is archived; restore the customer before invoicing it."
    dates = {}
    for key, label in (("issue_date", "issue date"), ("due_date", "due date")):
        try:
            dates[key] = parse_iso_date(v[key])
        except DateError:
            errors[key] = f"The {label} must be a date such as 2026-03-31."
    if len(dates) == 2 and dates["due_date"] < dates["issue_date"]:
        errors["due_date"] = "The due date cannot be before the issue date."
    currency = amount = None
    try:
        currency = check_currency(v["currency"])
    except MoneyError as exc:
        errors["currency"] = sentence(str(exc))
    if currency is not None:
        try:
            amount = parse_amount(v["amount"], currency)
        except MoneyError as exc:
            errors["amount"] = sentence(str(exc))
        else:
            if amount <= 0:
                errors["amount"] = "The amount must be more than zero."
    if len(v["description"]) > 2000:
        errors["description"] = "The description may have at most 2000 characters."
    percent, within, discount_errors = check_terms(v["discount_percent"], v["discount_days"])
    errors.update({k: sentence(m) for k, m in discount_errors.items()})
    paid = _paid(session, form.id) if form.id is not None else 0
    if existing is not None and paid:
        if amount is not None and amount < paid:
            errors["amount"] = (f"{format_plain(paid, existing.currency)} has already been paid on this invoice; "
                                "the amount cannot be less than that.")
        if currency is not None and currency != existing.currency:
            errors["currency"] = "Payments are already applied to this invoice, so its currency cannot change."
        if customer is not None and customer.id != existing.customer_id:
            errors["customer_id"] = "Payments are already applied to this invoice, so its customer cannot change."
    if errors:
        raise FieldErrors(errors)
    inv = existing or Invoice()
    inv.number, inv.customer_id, inv.currency = v["number"], customer.id, currency
    inv.issue_date, inv.due_date, inv.amount_minor = dates["issue_date"], dates["due_date"], amount
    inv.description = v["description"]
    inv.discount_percent, inv.discount_days = percent, within
    inv.open_minor = amount - paid
    if existing is None:
        session.add(inv)
    session.flush()
    refresh_open(session, invoice_ids=[inv.id])
    return inv


def _paid(session: Session, invoice_id: int) -> int:
    return int(session.scalar(select(func.coalesce(func.sum(Allocation.amount_minor), 0))
                              .where(Allocation.invoice_id == invoice_id)) or 0)

