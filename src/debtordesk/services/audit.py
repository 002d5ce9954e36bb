"""The audit trail: who changed what and when, read newest first, filtered, described in words and
exported as CSV; the latest change of one record (to tell a bookkeeper someone else saved it first).

Entries are written by db.audit (every create, update and delete through the ORM, in the same
flush) and by the services that write many rows in one statement (`record_import`). Nothing here,
or anywhere in the app, changes or deletes an entry.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from debtordesk.db.audit import ACTOR, set_actor, write_entry
from debtordesk.db.audit_words import ENTITIES, looks_secret
from debtordesk.db.models import (
    Allocation,
    AuditEntry,
    Customer,
    Factor,
    Invoice,
    PaymentPlan,
    PlanInstalment,
    PlanInvoice,
)
from debtordesk.domain.money import format_money
from debtordesk.domain.progress import Cancelled, Progress, Report, ShouldCancel
from debtordesk.services.company import base_currency
from debtordesk.services.lists import contains, window

__all__ = ["ACTOR", "ACTIONS", "KINDS", "AuditQuery", "AuditRow", "audit_csv", "change_lines", "count_entries",
           "entry_currencies", "last_change", "list_entries", "people", "record", "record_import", "record_names",
           "set_actor",
           "write_audit_csv"]

record = write_entry  # one entry written by a service itself (an export, an erasure ...)

# the kinds of record the Audit screen filters by: label -> the tables it covers
KINDS: dict[str, tuple[str, ...]] = {
    "Customers": ("customer",),
    "Invoices": ("invoice",),
    "Payments and credits": ("payment",),
    "Allocations": ("allocation",),
    "Payment plans": ("payment_plan", "plan_instalment", "plan_invoice"),
    "Letters": ("letter",),
    "Disputes": ("dispute",),
    "Settlements": ("settlement",),
    "Promises": ("promise",),
    "Hand-overs": ("handover",),
    "Factoring": ("factor", "factor_assignment"),
    "Customer log": ("activity",),
    "Settings": ("setting", "company_profile", "dunning_level", "letter_template", "rate_entry"),
}
RECORD_WORDS = {
    "customer": "Customer", "invoice": "Invoice", "payment": "Payment", "allocation": "Allocation",
    "payment_plan": "Payment plan", "plan_instalment": "Plan instalment", "plan_invoice": "Plan invoice",
    "letter": "Letter", "dispute": "Dispute", "settlement": "Settlement", "promise": "Promise",
    "handover": "Hand-over", "factor": "Factor", "factor_assignment": "Factor assignment", "activity": "Log entry",
    "setting": "Setting", "company_profile": "Company", "dunning_level": "Dunning level",
    "letter_template": "Letter template", "rate_entry": "Reference rate",
}
ACTIONS = {"create": "Created", "update": "Changed", "delete": "Deleted", "import": "Imported",
           "export": "Exported", "erase": "Erased"}
FIELD_WORDS = {"customer_id": "customer", "invoice_id": "invoice", "payment_id": "payment", "plan_id": "plan",
               "factor_id": "factor", "named_invoice_id": "invoice named by the payer", "ref": "reference",
               "address_line1": "address line 1", "address_line2": "address line 2", "sha256": "SHA-256",
               "charges_invoice_id": "charges invoice", "emailed_to": "e-mailed to", "email": "e-mail"}
_IMPORT_KEYS = {"invoices": ("invoice", "number"), "customers": ("customer", "ref"), "payments": ("payment", "")}
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class AuditQuery:
    start: date | None = None  # local calendar days, both included
    end: date | None = None
    who: str = ""
    kind: str = ""  # a key of KINDS ("" every kind)
    action: str = ""  # a key of ACTIONS ("" every action)
    text: str = ""  # in the summary (a customer's name, an invoice number ...) or the record's id


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime  # UTC, naive
    who: str
    action: str
    entity: str
    entity_id: str
    summary: str
    changes: str  # JSON

    @property
    def local_at(self) -> datetime:
        return self.at.replace(tzinfo=UTC).astimezone()

    @property
    def record_word(self) -> str:
        return RECORD_WORDS.get(self.entity, self.entity.replace("_", " ").capitalize())

    @property
    def action_word(self) -> str:
        return ACTIONS.get(self.action, self.action.capitalize())


def utc_start(day: date) -> datetime:
    """The UTC moment the local calendar day begins."""
    return datetime.combine(day, time()).astimezone().astimezone(UTC).replace(tzinfo=None)


def _filtered(session: Session, q: AuditQuery, *columns) -> Select:
    query = select(*columns)
    if q.start is not None:
        query = query.where(AuditEntry.at >= utc_start(q.start))
    if q.end is not None:
        query = query.where(AuditEntry.at < utc_start(q.end + timedelta(days=1)))
    if q.who.strip():
        query = query.where(AuditEntry.who == q.who.strip())
    if q.kind:
        query = query.where(AuditEntry.entity.in_(KINDS.get(q.kind, (q.kind,))))
    if q.action:
        query = query.where(AuditEntry.action == q.action)
    text = q.text.strip()
    if text:
        query = query.where(or_(contains(session, AuditEntry.summary, text), AuditEntry.entity_id == text))
    return query


def count_entries(session: Session, q: AuditQuery) -> int:
    return session.scalar(_filtered(session, q, func.count(AuditEntry.id))) or 0


def list_entries(session: Session, q: AuditQuery, offset: int, limit: int, *,
                 oldest_first: bool = False) -> list[AuditRow]:
    """A window of the entries matching `q`, newest first (or oldest first)."""
    order = (AuditEntry.at, AuditEntry.id) if oldest_first else (AuditEntry.at.desc(), AuditEntry.id.desc())
    query = _filtered(session, q, AuditEntry).order_by(*order)
    return [_row(e) for e in session.scalars(window(query, offset, limit))]


def _row(e: AuditEntry) -> AuditRow:
    return AuditRow(e.id, e.at, e.who, e.action, e.entity, e.entity_id, e.summary, e.changes)


def people(session: Session, limit: int = 200) -> list[str]:
    """Who appears in the trail (for the Who filter), by name."""
    return [w for w in session.scalars(select(AuditEntry.who).distinct().order_by(AuditEntry.who).limit(limit)) if w]


def last_change(session: Session, entity: str | type, entity_id: int | str) -> tuple[str, datetime] | None:
    """(who, when in UTC) of the latest entry about one record, or None when it has none. `entity`
    is the table name ("invoice") or the model class."""
    name = entity if isinstance(entity, str) else entity.__tablename__
    row = session.execute(select(AuditEntry.who, AuditEntry.at)
                          .where(AuditEntry.entity == name, AuditEntry.entity_id == str(entity_id))
                          .order_by(AuditEntry.id.desc()).limit(1)).first()
    return (row.who, row.at) if row is not None else None


def record_import(session: Session, kind: str, file_name: str, count: int, rows: Iterable[dict] = ()) -> None:
    """One entry for an import of `count` rows of `kind` ('invoices', 'customers', 'payments') from
    `file_name`, with the range of the numbers (invoice numbers, customer references) in `rows`
    (each row's field -> text)."""
    entity, key_name = _IMPORT_KEYS.get(kind, (kind, ""))
    changes: dict = {"count": count, "file": file_name}
    found = [k for v in rows if (k := (v.get(key_name) or "").strip())] if key_name else []
    if found:
        changes.update({f"first_{key_name}": min(found, key=_natural), f"last_{key_name}": max(found, key=_natural)})
    noun = kind if count != 1 else kind.rstrip("s")
    write_entry(session, "import", entity, "", f"Imported {count:,} {noun} from {file_name}", changes)


def _natural(text: str) -> tuple[int, str]:
    return len(text), text  # INV-99 before INV-100 when numbers share a prefix


# --- in words ------------------------------------------------------------------------------------------

def field_word(key: str) -> str:
    if key in FIELD_WORDS:
        return FIELD_WORDS[key]
    if key.endswith("_minor"):
        key = key[:-6]
    return key.replace("_", " ")


_ID_TABLES = {"customer_id": "customer", "invoice_id": "invoice", "named_invoice_id": "invoice",
              "charges_invoice_id": "invoice", "plan_id": "plan", "factor_id": "factor"}


def _value(key: str, value, currency: str, locale: str, names: dict | None = None) -> str:
    if value is None:
        return "—"
    if key in _ID_TABLES and isinstance(value, int):
        return (names or {}).get((_ID_TABLES[key], value)) or f"#{value}"
    if key == "payment_id" and isinstance(value, int):
        return f"payment #{value}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if key.endswith("_minor") and isinstance(value, int) and currency:
        return format_money(value, currency, locale)
    if isinstance(value, str):
        if value == "":
            return "(empty)"
        if _ISO_DAY.match(value):
            return value
        return " ".join(value.split()) if len(value) <= 120 else " ".join(value.split())[:117] + "…"
    return str(value)


def change_lines(row: AuditRow, currency: str = "", locale: str = "en_GB", names: dict | None = None) -> list[str]:
    """The entry's changes, one line each: 'amount: £1,000.00 → £1,200.00' for an update,
    'amount: £1,200.00' for the values of a record created or deleted. `names` (from
    `record_names`) turns the ids of customers, invoices, plans and factors into their names."""
    try:
        changes = json.loads(row.changes or "{}")
    except ValueError:
        return [row.changes]
    if not isinstance(changes, dict):
        return [str(changes)]
    currency = _currency_in(changes) or currency
    lines = []
    for key, value in changes.items():
        if looks_secret(key):
            continue
        if row.action == "update" and isinstance(value, list) and len(value) == 2:
            lines.append(f"{field_word(key)}: {_value(key, value[0], currency, locale, names)} → "
                         f"{_value(key, value[1], currency, locale, names)}")
        else:
            lines.append(f"{field_word(key)}: {_value(key, value, currency, locale, names)}")
    return lines


def _currency_in(changes: dict) -> str:
    cur = changes.get("currency")
    if isinstance(cur, list) and cur:
        cur = cur[-1]
    return cur if isinstance(cur, str) else ""


def record_names(session: Session, rows: Iterable[AuditRow]) -> dict[tuple[str, int], str]:
    """('customer', id) -> name, ('invoice', id) -> number, ('plan', id) -> reference, ('factor', id) -> name
    for the ids the entries' changes mention (one query per table for all the rows)."""
    wanted: dict[str, set[int]] = {}
    for r in rows:
        try:
            changes = json.loads(r.changes or "{}")
        except ValueError:
            continue
        if not isinstance(changes, dict):
            continue
        for key, value in changes.items():
            if key in _ID_TABLES:
                for v in value if isinstance(value, list) else [value]:
                    if isinstance(v, int):
                        wanted.setdefault(_ID_TABLES[key], set()).add(v)
    columns = {"customer": (Customer.id, Customer.name), "invoice": (Invoice.id, Invoice.number),
               "plan": (PaymentPlan.id, PaymentPlan.reference), "factor": (Factor.id, Factor.name)}
    out: dict[tuple[str, int], str] = {}
    for table, ids in wanted.items():
        key_column, name_column = columns[table]
        ordered = sorted(ids)
        for i in range(0, len(ordered), 500):
            for rid, name in session.execute(select(key_column, name_column)
                                             .where(key_column.in_(ordered[i:i + 500]))):
                out[(table, rid)] = name
    return out


def entry_currencies(session: Session, rows: Iterable[AuditRow]) -> dict[int, str]:
    """The currency each entry's amounts are in: from its changes, else the record's (one query per
    table for all the rows), else the company's base currency."""
    rows = list(rows)
    out: dict[int, str] = {}
    wanted: dict[str, set[int]] = {}
    for r in rows:
        try:
            changes = json.loads(r.changes or "{}")
        except ValueError:
            changes = {}
        cur = _currency_in(changes) if isinstance(changes, dict) else ""
        if cur:
            out[r.id] = cur
        elif r.entity_id.isdigit():
            wanted.setdefault(r.entity, set()).add(int(r.entity_id))
    via = {"allocation": (Allocation, Invoice, Allocation.invoice_id),
           "dispute": (ENTITIES["dispute"], Invoice, ENTITIES["dispute"].invoice_id),
           "plan_instalment": (PlanInstalment, PaymentPlan, PlanInstalment.plan_id),
           "plan_invoice": (PlanInvoice, PaymentPlan, PlanInvoice.plan_id)}
    found: dict[tuple[str, int], str] = {}
    for entity, ids in wanted.items():
        model = ENTITIES.get(entity)
        if model is None:
            continue
        if entity in via:
            own, parent, link = via[entity]
            query = select(own.id, parent.currency).join(parent, parent.id == link)
        elif hasattr(model, "currency"):
            query = select(model.id, model.currency)
        else:
            continue
        ordered = sorted(ids)
        for i in range(0, len(ordered), 500):
            for rid, cur in session.execute(query.where(model.id.in_(ordered[i:i + 500]))):
                found[(entity, rid)] = cur
    base = base_currency(session) if len(out) < len(rows) else ""
    for r in rows:
        if r.id not in out:
            out[r.id] = found.get((r.entity, int(r.entity_id)) if r.entity_id.isdigit() else ("", 0), base)
    return out


# --- CSV -------------------------------------------------------------------------------------------------

CSV_COLUMNS = ("when_utc", "when_local", "who", "action", "record", "record_id", "summary", "changes")
_CSV_BLOCK = 1000


def write_audit_csv(session: Session, q: AuditQuery, path: str | Path, report: Report | None = None,
                    should_cancel: ShouldCancel | None = None) -> int:
    """Write the entries matching `q` (newest first) to a UTF-8 CSV file, a block at a time; the
    number written. The file appears whole or not at all."""
    path = Path(path)
    total = count_entries(session, q)
    part = path.with_name(path.name + ".part")
    written = 0
    try:
        with part.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(CSV_COLUMNS)
            while True:
                if should_cancel is not None and should_cancel():
                    raise Cancelled()
                rows = list_entries(session, q, written, _CSV_BLOCK)
                if not rows:
                    break
                writer.writerows(_csv_rows(session, rows))
                written += len(rows)
                if report is not None:
                    report(Progress(written, total, f"Wrote {written:,} of {total:,} entries"))
                if len(rows) < _CSV_BLOCK:
                    break
        part.replace(path)
    finally:
        part.unlink(missing_ok=True)
    return written


def _csv_rows(session: Session, rows: list[AuditRow]) -> list[tuple]:
    currencies, names = entry_currencies(session, rows), record_names(session, rows)
    return [(r.at.isoformat(sep=" ", timespec="seconds"), r.local_at.strftime("%Y-%m-%d %H:%M:%S"), r.who,
             r.action_word, r.record_word, r.entity_id, r.summary,
             "; ".join(change_lines(r, currencies[r.id], names=names)))
            for r in rows]


def audit_csv(session: Session, q: AuditQuery) -> str:
    """The entries matching `q` as CSV text (for small selections and tests)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    offset = 0
    while rows := list_entries(session, q, offset, _CSV_BLOCK):
        writer.writerows(_csv_rows(session, rows))
        offset += len(rows)
    return out.getvalue()
