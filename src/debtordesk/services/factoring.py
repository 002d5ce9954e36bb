"""Factoring: invoices sold to a factor, who must then be paid instead of us.

A factor has a name, an address and bank details. Invoices are assigned to it from a date — one
by one, or a whole customer (every invoice of that customer, now and later) — until the assignment
ends. For an assigned invoice:

- reminders and statements carry the notice of assignment and the factor's bank details (a
  reminder whose invoices are all assigned to one factor asks for payment to the factor);
- if the factor chases ("the factor, not us, sends the reminders"), the dunning run leaves the
  invoice out and says why;
- a notice of assignment letter tells the customer, once per assignment (recorded like every letter).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from debtordesk.config import current_user
from debtordesk.db.models import Customer, Factor, FactorAssignment, Invoice
from debtordesk.domain.problems import FieldErrors, UserError
from debtordesk.services.activity import record_event
from debtordesk.services.plan_tracking import DunningEffect

FIELDS = ("name", "address", "email", "phone", "bank_name", "iban", "bic", "account_number", "sort_code", "note")
LIMITS = {"name": 200, "address": 1000, "email": 200, "phone": 50, "bank_name": 200, "iban": 34, "bic": 11,
          "account_number": 30, "sort_code": 10, "note": 2000}
LABELS = {"name": "Name", "address": "Address", "email": "E-mail", "phone": "Phone", "bank_name": "Bank",
          "iban": "IBAN", "bic": "BIC", "account_number": "Account number", "sort_code": "Sort code", "note": "Note"}


class FactoringError(UserError):
    """A factoring change refused; the message is meant for the user."""


@dataclass(frozen=True)
class FactorInfo:
    id: int
    name: str
    address: str
    bank_name: str
    iban: str
    bic: str
    account_number: str
    sort_code: str
    chases: bool

    def bank_line(self) -> str:
        if self.iban:
            parts = (self.bank_name, f"IBAN {self.iban}", f"BIC {self.bic}" if self.bic else "")
            return " ".join(x for x in parts if x)
        return " ".join(x for x in (self.bank_name, f"Sort code {self.sort_code}" if self.sort_code else "",
                                    f"Account {self.account_number}") if x)


def _info(f: Factor) -> FactorInfo:
    return FactorInfo(f.id, f.name, f.address, f.bank_name, f.iban, f.bic, f.account_number, f.sort_code,
                      bool(f.chases))


def factors(session: Session) -> list[FactorInfo]:
    return [_info(f) for f in session.scalars(select(Factor).order_by(Factor.name, Factor.id))]


def factor_values(session: Session, factor_id: int | None) -> tuple[dict[str, str], bool]:
    """A factor's fields as the form shows them, and whether it chases (blank for a new one)."""
    if factor_id is None:
        return dict.fromkeys(FIELDS, ""), False
    f = session.get(Factor, factor_id)
    if f is None:
        raise FactoringError("That factor is no longer in the database.")
    return {k: str(getattr(f, k) or "") for k in FIELDS}, bool(f.chases)


def save_factor(session: Session, values: dict[str, str], chases: bool, factor_id: int | None = None) -> Factor:
    """Create or change a factor; the name and a bank account (IBAN or account number) are required,
    since letters must tell customers where to pay."""
    v = {k: (values.get(k) or "").strip() for k in FIELDS}
    v["iban"] = v["iban"].replace(" ", "").upper()
    v["bic"] = v["bic"].replace(" ", "").upper()
    errors = {k: f"At most {n} characters are allowed here." for k, n in LIMITS.items() if len(v[k]) > n}
    if not v["name"]:
        errors["name"] = "The factor's name is required."
    if not v["iban"] and not v["account_number"]:
        errors["iban"] = "Give the factor's IBAN or account number: letters tell customers to pay into it."
    if v["iban"] and (len(v["iban"]) < 15 or not v["iban"][:2].isalpha() or not v["iban"][2:].isalnum()):
        errors["iban"] = f"'{v['iban']}' is not an IBAN (two letters, then up to 32 letters and digits)."
    if errors:
        raise FieldErrors(errors)
    f = session.get(Factor, factor_id) if factor_id is not None else Factor()
    if f is None:
        raise FactoringError("That factor is no longer in the database.")
    for k in FIELDS:
        setattr(f, k, v[k])
    f.chases = chases
    if factor_id is None:
        session.add(f)
    session.flush()
    return f


def _active(as_of: date):
    return (FactorAssignment.assigned_on <= as_of,
            or_(FactorAssignment.ended_on.is_(None), FactorAssignment.ended_on > as_of))


def assign(session: Session, factor_id: int, customer_id: int, on: date, invoice_ids: Sequence[int] | None = None,
           note: str = "", who: str | None = None) -> list[FactorAssignment]:
    """Assign the customer's chosen invoices (or, with None, the whole customer) to the factor from `on`."""
    factor = session.get(Factor, factor_id)
    customer = session.get(Customer, customer_id)
    if factor is None or customer is None:
        raise FactoringError("That factor or customer is no longer in the database.")
    current = assigned_invoices(session, customer_id, on)
    whole = session.scalar(select(FactorAssignment.id).where(
        FactorAssignment.customer_id == customer_id, FactorAssignment.invoice_id.is_(None), *_active(on)))
    if whole is not None:
        raise FactoringError(f"{customer.name} is already assigned to a factor as a whole; end that assignment first.")
    who = who if who is not None else current_user()
    if invoice_ids is None:
        if current:
            raise FactoringError(f"Some of {customer.name}'s invoices are already assigned to a factor; end those "
                                 "assignments before assigning the whole customer.")
        rows = [FactorAssignment(factor_id=factor_id, customer_id=customer_id, invoice_id=None, assigned_on=on,
                                 note=note.strip(), created_by=who)]
        what = "every invoice"
    else:
        if not invoice_ids:
            raise FieldErrors({"invoices": "Choose the invoices to assign, or assign the whole customer."})
        invoices = session.scalars(select(Invoice).where(Invoice.id.in_(list(invoice_ids)))).all()
        if len(invoices) != len(set(invoice_ids)) or any(i.customer_id != customer_id for i in invoices):
            raise FactoringError("Only this customer's invoices can be assigned here.")
        taken = [i.number for i in invoices if i.id in current]
        if taken:
            raise FactoringError(f"Already assigned to a factor: {', '.join(sorted(taken))}.")
        rows = [FactorAssignment(factor_id=factor_id, customer_id=customer_id, invoice_id=i.id, assigned_on=on,
                                 note=note.strip(), created_by=who) for i in invoices]
        what = "invoice" + ("s " if len(invoices) > 1 else " ") + ", ".join(sorted(i.number for i in invoices))
    session.add_all(rows)
    record_event(session, customer_id, on, f"Assigned to {factor.name} from {on.isoformat()}: {what}."
                 + (" The factor chases these debts." if factor.chases else ""), who)
    session.flush()
    return rows


def end_assignment(session: Session, assignment_id: int, on: date, who: str | None = None) -> None:
    a = session.get(FactorAssignment, assignment_id)
    if a is None:
        raise FactoringError("That assignment is no longer in the database.")
    if a.ended_on is not None:
        raise FactoringError(f"This assignment already ended on {a.ended_on.isoformat()}.")
    if on < a.assigned_on:
        raise FieldErrors({"date": f"It cannot end before it began ({a.assigned_on.isoformat()})."})
    a.ended_on = on
    factor = session.get(Factor, a.factor_id)
    record_event(session, a.customer_id, on, f"Assignment to {factor.name} ended: the debts are ours again.", who)
    session.flush()


def assigned_invoices(session: Session, customer_id: int, as_of: date,
                      invoice_ids: Iterable[int] | None = None) -> dict[int, FactorInfo]:
    """invoice id → its factor, for the customer's invoices assigned as of the date."""
    rows = session.execute(select(FactorAssignment.invoice_id, Factor)
                           .join(Factor, Factor.id == FactorAssignment.factor_id)
                           .where(FactorAssignment.customer_id == customer_id, *_active(as_of))
                           .order_by(FactorAssignment.assigned_on, FactorAssignment.id)).all()
    if not rows:
        return {}
    out: dict[int, FactorInfo] = {}
    whole = next((_info(f) for iid, f in rows if iid is None), None)
    if whole is not None:
        q = select(Invoice.id).where(Invoice.customer_id == customer_id)
        if invoice_ids is not None:
            q = q.where(Invoice.id.in_(list(invoice_ids)))
        out.update(dict.fromkeys(session.scalars(q), whole))
    out.update({iid: _info(f) for iid, f in rows if iid is not None})
    if invoice_ids is not None:
        wanted = set(invoice_ids)
        out = {k: v for k, v in out.items() if k in wanted}
    return out


@dataclass(frozen=True)
class AssignmentRow:
    assignment_id: int
    factor: str
    invoice: str  # "" = the whole customer
    assigned_on: date
    ended_on: date | None
    chases: bool


def customer_assignments(session: Session, customer_id: int) -> list[AssignmentRow]:
    rows = session.execute(select(FactorAssignment, Factor.name, Factor.chases, Invoice.number)
                           .join(Factor, Factor.id == FactorAssignment.factor_id)
                           .outerjoin(Invoice, Invoice.id == FactorAssignment.invoice_id)
                           .where(FactorAssignment.customer_id == customer_id)
                           .order_by(FactorAssignment.assigned_on.desc(), FactorAssignment.id.desc())).all()
    return [AssignmentRow(a.id, name, number or "", a.assigned_on, a.ended_on, bool(chases))
            for a, name, chases, number in rows]


def notice_lines(assigned: dict[int, FactorInfo], numbers: dict[int, str], language: str) -> tuple[str, ...]:
    """The notice of assignment for a letter: one sentence per factor, naming its invoices (of
    `numbers`, invoice id → number) and where to pay it."""
    from debtordesk.letters.labels import labels

    by_factor: dict[int, list[str]] = defaultdict(list)
    info: dict[int, FactorInfo] = {}
    for iid, f in assigned.items():
        if iid in numbers:
            by_factor[f.id].append(numbers[iid])
            info[f.id] = f
    words = labels(language)
    return tuple(words["assignment_notice"].format(numbers=", ".join(sorted(by_factor[fid])), factor=info[fid].name,
                                                   bank=info[fid].bank_line()) for fid in sorted(by_factor))


def sole_factor(assigned: dict[int, FactorInfo], invoice_ids: Iterable[int]) -> FactorInfo | None:
    """The factor to be paid when every one of the invoices is assigned to it, else None."""
    found = {assigned[i].id: assigned[i] for i in invoice_ids if i in assigned}
    ids = list(invoice_ids)
    if len(found) == 1 and ids and all(i in assigned for i in ids):
        return next(iter(found.values()))
    return None


def with_factoring(session: Session, as_of: date,
                   effects: dict[tuple[int, str], DunningEffect]) -> dict[tuple[int, str], DunningEffect]:
    """The dunning run's effects with the invoices a chasing factor holds taken out (an account with
    nothing else overdue gets no letter, saying why)."""
    rows = session.execute(select(FactorAssignment.customer_id, FactorAssignment.invoice_id, Factor.name,
                                  FactorAssignment.assigned_on)
                           .join(Factor, Factor.id == FactorAssignment.factor_id)
                           .where(Factor.chases.is_(True), *_active(as_of))).all()
    if not rows:
        return effects
    skip: dict[tuple[int, str], set[int]] = defaultdict(set)
    reasons: dict[tuple[int, str], list[str]] = defaultdict(list)
    whole = {cid: (name, on) for cid, iid, name, on in rows if iid is None}
    single = {iid: (name, on) for _, iid, name, on in rows if iid is not None}
    q = select(Invoice.id, Invoice.customer_id, Invoice.currency).where(Invoice.open_minor > 0, or_(
        Invoice.customer_id.in_(list(whole)), Invoice.id.in_(list(single))))
    for iid, cid, cur in session.execute(q):
        name, on = single.get(iid) or whole[cid]
        skip[(cid, cur)].add(iid)
        text = f"Assigned to {name} on {on.isoformat()}: the factor chases it."
        if text not in reasons[(cid, cur)]:
            reasons[(cid, cur)].append(text)
    out = dict(effects)
    for key, ids in skip.items():
        plan = out.get(key, DunningEffect())
        reason = " ".join(reasons[key] + ([plan.reason] if plan.reason else []))
        out[key] = DunningEffect(frozenset(ids) | plan.skip_invoice_ids, reason, plan.start_at, plan.breached_on)
    return out


@dataclass(frozen=True)
class OpenInvoice:
    invoice_id: int
    number: str
    due_date: date
    open_minor: int
    currency: str
    factor: str  # the factor it is assigned to today, or ""


def open_invoices(session: Session, customer_id: int, as_of: date) -> list[OpenInvoice]:
    """The customer's open invoices, oldest first, with the factor each is assigned to (if any)."""
    assigned = assigned_invoices(session, customer_id, as_of)
    rows = session.execute(select(Invoice.id, Invoice.number, Invoice.due_date, Invoice.open_minor, Invoice.currency)
                           .where(Invoice.customer_id == customer_id, Invoice.open_minor > 0)
                           .order_by(Invoice.due_date, Invoice.number))
    return [OpenInvoice(r.id, r.number, r.due_date, int(r.open_minor), r.currency,
                        assigned[r.id].name if r.id in assigned else "") for r in rows]
