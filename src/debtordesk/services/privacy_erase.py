"""Erasing a customer's personal data (the right to erasure), and finding the audit entries about a
customer (for the export and for the erasure).

What goes: the customer's name (it becomes "Erased customer <ref>"), contact, e-mail, phone,
address and notes; the free-text notes about them in the log, promises, plans, settlements,
hand-overs, disputes' resolution notes and factor assignments; the address letters were e-mailed
to and the stored letter PDFs (they print the name and address); the payer's name and account on
their bank statement lines; and the same values in the earlier audit entries about them.
What stays: invoices, payments, credit notes, write-offs, allocations, amounts, dates, references,
the letters' amounts and SHA-256 fingerprints, the reasons for credits and write-offs — the
financial records the law requires a business to keep — and the reference, which is the account's
number in the books. See docs/privacy.md.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from debtordesk.db.audit import paused, rewrite_entries
from debtordesk.db.locks import lock_customers
from debtordesk.db.models import (
    Activity,
    Allocation,
    AuditEntry,
    Customer,
    Dispute,
    FactorAssignment,
    Handover,
    Invoice,
    Letter,
    Payment,
    PaymentPlan,
    PlanInstalment,
    PlanInvoice,
    Promise,
    Settlement,
    StatementLine,
)
from debtordesk.domain.money import format_money
from debtordesk.domain.problems import UserError
from debtordesk.services.audit import record
from debtordesk.services.lists import get_or_gone, like_pattern
from debtordesk.services.plan_tracking import active_plans

PERSONAL_FIELDS = ("name", "contact_person", "email", "phone", "address_line1", "address_line2", "postcode", "city",
                   "notes")
ERASED = "(erased)"
# the records that belong to a customer directly (their table has customer_id)
OWNED = {"invoice": Invoice, "payment": Payment, "letter": Letter, "payment_plan": PaymentPlan, "promise": Promise,
         "handover": Handover, "settlement": Settlement, "factor_assignment": FactorAssignment, "activity": Activity}
# free text about the customer, emptied in the records and masked in the audit entries
NOTES = {"activity": ("note",), "promise": ("note",), "handover": ("note", "recall_note"), "settlement": ("note",),
         "payment_plan": ("note", "cancel_reason"), "factor_assignment": ("note",), "dispute": ("resolution_note",),
         "letter": ("emailed_to",)}
CHILDREN = ("allocation", "dispute", "plan_instalment", "plan_invoice")
_CHUNK = 500


@dataclass(frozen=True)
class Erasure:
    ref: str
    name: str  # what the customer is called now
    notes: int  # texts emptied in other records
    letters: int  # stored PDFs deleted
    bank_lines: int
    audit_entries: int  # earlier audit entries the personal values were taken out of


# --- may it be erased? ---------------------------------------------------------------------------------------

def erase_refusal(session: Session, customer_id: int, today: date) -> str | None:
    """Why the customer's personal data cannot be erased yet (money still open), or None."""
    c = get_or_gone(session, Customer, customer_id, "customer")
    reasons = []
    for cur, count, total in session.execute(
            select(Invoice.currency, func.count(), func.sum(Invoice.open_minor))
            .where(Invoice.customer_id == customer_id, Invoice.open_minor > 0)
            .group_by(Invoice.currency).order_by(Invoice.currency)):
        reasons.append(f"{count} invoice{'s are' if count != 1 else ' is'} still open ({format_money(total, cur)})")
    for cur, total in session.execute(
            select(Payment.currency, func.sum(Payment.unapplied_minor))
            .where(Payment.customer_id == customer_id, Payment.unapplied_minor > 0)
            .group_by(Payment.currency).order_by(Payment.currency)):
        reasons.append(f"{format_money(total, cur)} of their payments is credit not yet applied to an invoice "
                       "(refund it or apply it)")
    for plan in active_plans(session, today, customer_id=customer_id):
        reasons.append(f"payment plan {plan.reference} is still running")
    for number, amount, cur in session.execute(
            select(Invoice.number, Dispute.amount_minor, Invoice.currency)
            .join(Invoice, Invoice.id == Dispute.invoice_id)
            .where(Invoice.customer_id == customer_id, Dispute.resolved_on.is_(None)).order_by(Invoice.number)):
        reasons.append(f"the dispute about invoice {number} ({format_money(amount, cur)}) is still open")
    if not reasons:
        return None
    return (f"{c.name}'s personal data cannot be erased while money is still open: {'; '.join(reasons)}. "
            "Settle these first (collect, credit or write off what is owed, refund or apply the credit, resolve "
            "disputes), then erase.")


# --- the audit entries about a customer ---------------------------------------------------------------------

def _ids(session: Session, query, wanted: Iterable[int]) -> set[int]:
    """The ids `query` (with `.where(... .in_(chunk))` applied by the caller's lambda) finds for `wanted`."""
    wanted = sorted(wanted)
    found: set[int] = set()
    for i in range(0, len(wanted), _CHUNK):
        found.update(session.scalars(query(wanted[i:i + _CHUNK])))
    return found


def _linked(session: Session, customer_id: int) -> dict[str, set[int]]:
    """The ids of every record of the customer (and of their records since deleted) per table."""
    ids: dict[str, set[int]] = {"customer": {customer_id}}
    for entity, model in OWNED.items():
        ids[entity] = set(session.scalars(select(model.id).where(model.customer_id == customer_id)))
    gone = or_(AuditEntry.changes.like(f'%"customer_id": {customer_id},%'),
               AuditEntry.changes.like(f'%"customer_id": {customer_id}}}%'))
    for entity, entity_id in session.execute(select(AuditEntry.entity, AuditEntry.entity_id).where(
            AuditEntry.entity.in_(list(OWNED)), AuditEntry.action.in_(("create", "delete")), gone)):
        if entity_id.isdigit():
            ids[entity].add(int(entity_id))
    invoices, payments, plans = ids["invoice"], ids["payment"], ids["payment_plan"]
    ids["allocation"] = (_ids(session, lambda c: select(Allocation.id).where(Allocation.payment_id.in_(c)), payments)
                         | _ids(session, lambda c: select(Allocation.id).where(Allocation.invoice_id.in_(c)), invoices))
    ids["dispute"] = _ids(session, lambda c: select(Dispute.id).where(Dispute.invoice_id.in_(c)), invoices)
    ids["plan_instalment"] = _ids(session, lambda c: select(PlanInstalment.id).where(PlanInstalment.plan_id.in_(c)),
                                  plans)
    ids["plan_invoice"] = _ids(session, lambda c: select(PlanInvoice.id).where(PlanInvoice.plan_id.in_(c)), plans)
    return ids


def _names(session: Session, customer_id: int, current: Customer) -> dict[str, set[str]]:
    """Every value each personal field has had: the customer's now and in the audit trail."""
    values: dict[str, set[str]] = {f: {getattr(current, f) or ""} for f in PERSONAL_FIELDS}
    for (text,) in session.execute(select(AuditEntry.changes).where(AuditEntry.entity == "customer",
                                                                    AuditEntry.entity_id == str(customer_id))):
        try:
            changes = json.loads(text or "{}")
        except ValueError:
            continue
        for field in PERSONAL_FIELDS:
            value = changes.get(field) if isinstance(changes, dict) else None
            for v in value if isinstance(value, list) else [value]:
                if isinstance(v, str):
                    values[field].add(v)
    return {f: {v for v in vs if v.strip()} for f, vs in values.items()}


def audit_entries_about(session: Session, customer_id: int, customer: Customer | None = None) -> list:
    """The audit entries about the customer and their records (rows of audit_log, oldest first):
    found by the records' ids, by the customer id in the entries of records since deleted, and by
    the customer's name in the summaries of allocations, instalments and disputes since deleted."""
    customer = customer or get_or_gone(session, Customer, customer_id, "customer")
    table = AuditEntry.__table__
    found: dict[int, object] = {}
    for entity, ids in _linked(session, customer_id).items():
        keys = sorted(str(i) for i in ids)
        for i in range(0, len(keys), _CHUNK):
            for row in session.execute(select(table).where(table.c.entity == entity,
                                                           table.c.entity_id.in_(keys[i:i + _CHUNK]))):
                found[row.id] = row
    names = _names(session, customer_id, customer)["name"]
    if names:
        mentioned = or_(*[table.c.summary.like(like_pattern(f"({n})"), escape="\\") for n in sorted(names)])
        for row in session.execute(select(table).where(table.c.entity.in_(CHILDREN), mentioned)):
            found[row.id] = row
    return [found[k] for k in sorted(found)]


# --- erasing ---------------------------------------------------------------------------------------------------

def _mask(value, replacement: str = ERASED):
    if isinstance(value, list):
        return [_mask(v, replacement) for v in value]
    return replacement if isinstance(value, str) and value.strip() else value


def _scrub(text: str, swaps: list[tuple[str, str]]) -> str:
    for old, new in swaps:
        text = text.replace(old, new)
    return text


def _redacted(row, swaps: list[tuple[str, str]], label: str) -> tuple[str, str] | None:
    """The entry's summary and changes without the personal values, or None when it holds none."""
    summary = _scrub(row.summary, swaps)
    try:
        changes = json.loads(row.changes or "{}")
    except ValueError:
        text = _scrub(row.changes, swaps)
        return None if (summary, text) == (row.summary, row.changes) else (summary, text)
    if not isinstance(changes, dict):
        return None if summary == row.summary else (summary, row.changes)
    fields = PERSONAL_FIELDS if row.entity == "customer" else NOTES.get(row.entity, ())
    masked = {}
    for key, value in changes.items():
        if key in fields:
            masked[key] = _mask(value, label if key == "name" else ERASED)
        elif isinstance(value, str):
            masked[key] = _scrub(value, swaps)
        elif isinstance(value, list):
            masked[key] = [_scrub(v, swaps) if isinstance(v, str) else v for v in value]
        else:
            masked[key] = value
    if summary == row.summary and masked == changes:
        return None
    return summary, json.dumps(masked, ensure_ascii=False)


def _empty(session: Session, model, where, fields: Iterable[str], **extra) -> int:
    values = dict.fromkeys(fields, "")
    values.update(extra)
    if hasattr(model, "version"):
        values["version"] = model.version + 1
    return session.execute(update(model).where(where).values(**values)
                           .execution_options(synchronize_session=False)).rowcount or 0


def erase_customer(session: Session, customer_id: int, today: date) -> Erasure:
    """Erase the customer's personal data (one transaction: the caller commits); UserError says why
    not while money is open. Recorded in the audit trail as one entry without the values."""
    c = get_or_gone(session, Customer, customer_id, "customer")
    lock_customers(session, [customer_id])
    refusal = erase_refusal(session, customer_id, today)
    if refusal is not None:
        raise UserError(refusal)
    label = f"Erased customer {c.ref}"
    entries = audit_entries_about(session, customer_id, c)
    personal = _names(session, customer_id, c)
    swaps = sorted({(v, label if field == "name" else ERASED) for field, vs in personal.items() for v in vs
                    if len(v) >= 3 and field != "notes"}, key=lambda s: -len(s[0]))
    cid = customer_id
    with paused(session):
        for field in PERSONAL_FIELDS:
            setattr(c, field, "")
        c.name, c.archived = label, True
        session.flush()
        notes = _empty(session, Activity, Activity.customer_id == cid, ["note"])
        notes += _empty(session, Promise, Promise.customer_id == cid, ["note"])
        notes += _empty(session, Handover, Handover.customer_id == cid, ["note", "recall_note"])
        notes += _empty(session, Settlement, Settlement.customer_id == cid, ["note"])
        notes += _empty(session, PaymentPlan, PaymentPlan.customer_id == cid, ["note", "cancel_reason"])
        notes += _empty(session, FactorAssignment, FactorAssignment.customer_id == cid, ["note"])
        notes += _empty(session, Dispute, Dispute.invoice_id.in_(select(Invoice.id).where(Invoice.customer_id == cid)),
                        ["resolution_note"])
        letters = _empty(session, Letter, Letter.customer_id == cid, ["emailed_to"], pdf=b"")
        bank = _empty(session, StatementLine,
                      StatementLine.payment_id.in_(select(Payment.id).where(Payment.customer_id == cid)),
                      ["counterparty", "counterparty_account"])
    session.expire(c)
    rewrites = [(row.id, *new) for row in entries if (new := _redacted(row, swaps, label)) is not None]
    rewrite_entries(session, rewrites)
    record(session, "erase", "customer", cid, f"Personal data of customer {c.ref} erased",
           {"fields": list(PERSONAL_FIELDS), "notes_emptied": notes, "letter_copies_deleted": letters,
            "bank_lines": bank, "audit_entries_redacted": len(rewrites)})
    return Erasure(c.ref, label, notes, letters, bank, len(rewrites))
