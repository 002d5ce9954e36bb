"""What the audit trail says about each kind of record: which table it is, which columns are never
recorded, and the short summary in words ("Invoice INV-1 for Acme Ltd, £1,200.00").

Summaries name the customer; the names (and invoice numbers, plan references, factor names) of
records not in the flush are read in one query per table per flush by `Names`, and kept on the
session for its next flushes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import LargeBinary, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from debtordesk.db.models import (
    Activity,
    Allocation,
    CompanyProfile,
    Customer,
    Dispute,
    DunningLevel,
    Factor,
    FactorAssignment,
    Handover,
    Invoice,
    Letter,
    LetterTemplate,
    Payment,
    PaymentPlan,
    PlanInstalment,
    PlanInvoice,
    Promise,
    RateEntry,
    Setting,
    Settlement,
)
from debtordesk.domain.money import format_money

# a column (or a setting's key) with one of these in its name is never recorded
SECRET_WORDS = ("password", "passwd", "secret", "token", "apikey", "api_key", "credential", "private_key")
# never recorded anywhere: the row's own bookkeeping
ALWAYS_SKIPPED = frozenset({"id", "version", "created_at"})

PAYMENT_WORDS = {"payment": "Payment from", "credit_note": "Credit note for", "write_off": "Write-off for",
                 "discount": "Early-payment discount for"}
ACTIVITY_WORDS = {"call": "Call with", "email": "E-mail with", "letter": "Letter to", "visit": "Visit to",
                  "note": "Note about"}


def looks_secret(name: str) -> bool:
    low = name.lower()
    return any(word in low for word in SECRET_WORDS)


def money(minor, currency) -> str:
    if minor is None or not currency:
        return ""
    try:
        return format_money(int(minor), str(currency))
    except (ValueError, TypeError, KeyError):
        return f"{minor} {currency}"


class Names:
    """Names of the records summaries mention. `customer(id)` etc. answer from what the session
    has seen; an unknown id is noted (`missed`) and read by `resolve()` in one query per table."""

    TABLES = ("customer", "invoice", "plan", "factor")

    def __init__(self, cache: dict[str, dict]):
        self.cache = cache
        for t in self.TABLES:
            cache.setdefault(t, {})
        self.missed: dict[str, set] = {t: set() for t in self.TABLES}

    def _get(self, table: str, key):
        if key is None:
            return None
        found = self.cache[table].get(key)
        if found is None:
            self.missed[table].add(key)
        return found

    def customer(self, customer_id) -> str:
        name = self._get("customer", customer_id)
        return name if name is not None else (f"customer #{customer_id}" if customer_id is not None else "")

    def invoice(self, invoice_id) -> tuple[str, int | None, str]:
        """(number, customer id, currency)."""
        found = self._get("invoice", invoice_id)
        return found if found is not None else (f"#{invoice_id}", None, "")

    def plan(self, plan_id) -> tuple[str, int | None, str]:
        """(reference, customer id, currency)."""
        found = self._get("plan", plan_id)
        return found if found is not None else (f"#{plan_id}", None, "")

    def factor(self, factor_id) -> str:
        found = self._get("factor", factor_id)
        return found if found is not None else f"factor #{factor_id}"

    def any_missed(self) -> bool:
        return any(self.missed.values())

    def resolve(self, session: Session) -> None:
        """Read what was missed (from the records the session holds, else the database), then the
        customers of the invoices and plans asked for."""
        conn = session.connection()
        asked: dict[str, set] = {"invoice": set(), "plan": set()}
        for table in ("invoice", "plan", "factor", "customer"):  # customers last: invoices and plans name theirs
            model, names = _LOOKUPS[table]
            if table == "customer":
                for t, keys in asked.items():
                    self.missed["customer"].update(v[1] for v in (self.cache[t].get(k) for k in keys)
                                                   if v is not None and v[1] is not None)
            wanted = sorted(k for k in self.missed[table] if k not in self.cache[table])
            if table in asked:
                asked[table] = set(self.missed[table])
            self.missed[table].clear()
            rest = []
            for key in wanted:
                obj = session.identity_map.get(identity_key(model, key))
                values = inspect(obj).dict if obj is not None else {}
                if all(n in values for n in names):
                    self.cache[table][key] = values[names[0]] if len(names) == 1 else tuple(values[n] for n in names)
                else:
                    rest.append(key)
            columns = [getattr(model, n) for n in names]
            for i in range(0, len(rest), 500):
                for row in conn.execute(select(model.id, *columns).where(model.id.in_(rest[i:i + 500]))):
                    self.cache[table][row[0]] = row[1] if len(names) == 1 else tuple(row[1:])


_LOOKUPS = {
    "invoice": (Invoice, ("number", "customer_id", "currency")),
    "plan": (PaymentPlan, ("reference", "customer_id", "currency")),
    "factor": (Factor, ("name",)),
    "customer": (Customer, ("name",)),
}


Summary = Callable[[dict, Names], str]


@dataclass(frozen=True)
class Kind:
    """How one table is audited."""

    entity: str
    summary: Summary
    skip: frozenset[str] = frozenset()
    creates: bool = True  # False: only updates and deletes are recorded (the row is itself a dated log)
    keep: Callable[[dict], bool] | None = None  # False for a row that is never recorded (a secret setting)
    remember: Callable[[dict], tuple[str, object, object]] | None = None  # (cache table, id, value)
    fields: tuple[str, ...] = field(default=())


def _customer(v: dict, n: Names) -> str:
    return f"Customer {v.get('ref', '')}, {v.get('name', '')}"


def _invoice(v: dict, n: Names) -> str:
    return (f"Invoice {v.get('number', '')} for {n.customer(v.get('customer_id'))}, "
            f"{money(v.get('amount_minor'), v.get('currency'))}")


def _payment(v: dict, n: Names) -> str:
    words = PAYMENT_WORDS.get(v.get("kind") or "payment", "Payment from")
    on = f" on {v['date'].isoformat()}" if v.get("date") is not None else ""
    return f"{words} {n.customer(v.get('customer_id'))}, {money(v.get('amount_minor'), v.get('currency'))}{on}"


def _allocation(v: dict, n: Names) -> str:
    number, cid, currency = n.invoice(v.get("invoice_id"))
    return (f"{money(v.get('amount_minor'), currency) or v.get('amount_minor')} of payment #{v.get('payment_id')} "
            f"applied to invoice {number} ({n.customer(cid)})")


def _plan(v: dict, n: Names) -> str:
    return (f"Payment plan {v.get('reference', '')} for {n.customer(v.get('customer_id'))}, "
            f"{money(v.get('total_minor'), v.get('currency'))}")


def _instalment(v: dict, n: Names) -> str:
    reference, cid, currency = n.plan(v.get("plan_id"))
    what = "Down payment" if v.get("number") == 0 else f"Instalment {v.get('number')}"
    due = f" due {v['due_date'].isoformat()}" if v.get("due_date") is not None else ""
    return f"{what} of plan {reference} ({n.customer(cid)}), {money(v.get('amount_minor'), currency)}{due}"


def _plan_invoice(v: dict, n: Names) -> str:
    reference, cid, currency = n.plan(v.get("plan_id"))
    number, _, _ = n.invoice(v.get("invoice_id"))
    return (f"Invoice {number} in plan {reference} ({n.customer(cid)}), "
            f"{money(v.get('covered_minor'), currency)} covered")


def _letter(v: dict, n: Names) -> str:
    what = v.get("level_name") or {"statement": "Statement", "plan": "Payment plan letter",
                                   "notice": "Notice of assignment"}.get(v.get("kind"), "Letter")
    ref = f" ({v['reference']})" if v.get("reference") else ""
    return f"{what} to {n.customer(v.get('customer_id'))}, {money(v.get('total_minor'), v.get('currency'))}{ref}"


def _dispute(v: dict, n: Names) -> str:
    number, cid, currency = n.invoice(v.get("invoice_id"))
    return f"Dispute on invoice {number} ({n.customer(cid)}), {money(v.get('amount_minor'), currency)}"


def _settlement(v: dict, n: Names) -> str:
    cur = v.get("currency")
    return (f"Settlement offer from {n.customer(v.get('customer_id'))}: {money(v.get('amount_minor'), cur)} "
            f"for {money(v.get('balance_minor'), cur)}")


def _promise(v: dict, n: Names) -> str:
    by = f" by {v['due_date'].isoformat()}" if v.get("due_date") is not None else ""
    return f"Promise by {n.customer(v.get('customer_id'))} to pay {money(v.get('amount_minor'), v.get('currency'))}{by}"


def _handover(v: dict, n: Names) -> str:
    return f"Hand-over of {n.customer(v.get('customer_id'))}'s debt to {v.get('agent_name', '')}"


def _assignment(v: dict, n: Names) -> str:
    what = (f"Invoice {n.invoice(v['invoice_id'])[0]} of " if v.get("invoice_id") is not None else "Invoices of ")
    since = f" from {v['assigned_on'].isoformat()}" if v.get("assigned_on") is not None else ""
    return f"{what}{n.customer(v.get('customer_id'))} assigned to {n.factor(v.get('factor_id'))}{since}"


def _activity(v: dict, n: Names) -> str:
    on = f" on {v['occurred_on'].isoformat()}" if v.get("occurred_on") is not None else ""
    return f"{ACTIVITY_WORDS.get(v.get('kind'), 'Note about')} {n.customer(v.get('customer_id'))}{on}"


KINDS: dict[type, Kind] = {
    Customer: Kind("customer", _customer, remember=lambda v: ("customer", v.get("id"), v.get("name"))),
    Invoice: Kind("invoice", _invoice, skip=frozenset({"open_minor"}), remember=lambda v: (
        "invoice", v.get("id"), (v.get("number"), v.get("customer_id"), v.get("currency")))),
    Payment: Kind("payment", _payment, skip=frozenset({"unapplied_minor"})),
    Allocation: Kind("allocation", _allocation),
    PaymentPlan: Kind("payment_plan", _plan, remember=lambda v: (
        "plan", v.get("id"), (v.get("reference"), v.get("customer_id"), v.get("currency")))),
    PlanInstalment: Kind("plan_instalment", _instalment),
    PlanInvoice: Kind("plan_invoice", _plan_invoice),
    Letter: Kind("letter", _letter),
    Setting: Kind("setting", lambda v, n: f"Setting {v.get('key', '')}",
                  keep=lambda v: not looks_secret(str(v.get("key") or ""))),
    CompanyProfile: Kind("company_profile", lambda v, n: f"Company details ({v.get('name', '')})"),
    DunningLevel: Kind("dunning_level", lambda v, n: f"Dunning level {v.get('position')}: {v.get('name', '')}"),
    LetterTemplate: Kind("letter_template",
                         lambda v, n: f"Letter template {v.get('key', '')} ({v.get('language', '')})"),
    RateEntry: Kind("rate_entry", lambda v, n: (f"Reference rate {v.get('table_key', '')} from "
                                                f"{v['effective_from'].isoformat() if v.get('effective_from') else ''}"
                                                f": {v.get('rate', '')}%")),
    Dispute: Kind("dispute", _dispute),
    Settlement: Kind("settlement", _settlement),
    Promise: Kind("promise", _promise),
    Handover: Kind("handover", _handover),
    Factor: Kind("factor", lambda v, n: f"Factor {v.get('name', '')}",
                 remember=lambda v: ("factor", v.get("id"), v.get("name"))),
    FactorAssignment: Kind("factor_assignment", _assignment),
    Activity: Kind("activity", _activity, creates=False),
}


def _with_fields(model: type, kind: Kind) -> Kind:
    table = model.__table__
    keys = tuple(
        attr.key for attr in inspect(model).column_attrs
        if attr.key not in ALWAYS_SKIPPED and attr.key not in kind.skip and not looks_secret(attr.key)
        and not isinstance(table.c[attr.columns[0].name].type, LargeBinary)
    )
    return Kind(kind.entity, kind.summary, kind.skip, kind.creates, kind.keep, kind.remember, keys)


KINDS = {model: _with_fields(model, kind) for model, kind in KINDS.items()}
ENTITIES: dict[str, type] = {kind.entity: model for model, kind in KINDS.items()}
