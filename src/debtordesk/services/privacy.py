"""Personal data (GDPR): export everything held about one customer, and erase a customer's
personal data once no money is open.

Export: one JSON file (every record, amounts as decimal text with their currency) and a readable
PDF of the same, without the stored letter PDFs (each letter is listed with its size and SHA-256).
Erase: refused, naming what and how much, while an invoice is open, credit is unapplied, a payment
plan is running or a dispute is open. Otherwise the customer's personal fields are blanked (the
name becomes "Erased customer <ref>"), the free-text notes about them are emptied, the stored
letter PDFs are deleted, and their personal values are taken out of the earlier audit entries.
The financial records (invoices, payments, allocations, amounts, dates, letters' amounts and
fingerprints) stay: the law requires them to be kept. Both actions are recorded in the audit
trail. docs/privacy.md explains the choices.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from debtordesk.db.models import (
    Activity,
    Allocation,
    Customer,
    Dispute,
    Factor,
    FactorAssignment,
    Handover,
    HandoverInvoice,
    Invoice,
    Letter,
    LetterInvoice,
    Payment,
    PaymentPlan,
    PlanInstalment,
    PlanInvoice,
    Promise,
    Settlement,
    SettlementInvoice,
    StatementLine,
)
from debtordesk.domain.money import format_money, format_plain
from debtordesk.domain.progress import Progress, Report
from debtordesk.letters.data_report import DataReport, DataSection, render_data_report
from debtordesk.services.audit import ACTIONS, record
from debtordesk.services.company import base_currency, get_company
from debtordesk.services.lists import get_or_gone
from debtordesk.services.privacy_erase import PERSONAL_FIELDS, audit_entries_about, erase_customer, erase_refusal

__all__ = ["PERSONAL_FIELDS", "PrivacyExport", "erase_customer", "erase_refusal", "export_personal_data",
           "personal_data"]


@dataclass(frozen=True)
class PrivacyExport:
    json_path: Path
    pdf_path: Path
    counts: dict[str, int]


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _record(row, currency: str | None = None, skip: tuple[str, ...] = ()) -> dict:
    """A row as JSON keeps it: amounts '1200.00' (the currency beside them), dates as ISO text."""
    values = dict(row._mapping) if hasattr(row, "_mapping") else dict(row)
    cur = values.get("currency") or currency
    out = {}
    for key, value in values.items():
        if key in skip or key == "version" or isinstance(value, bytes):
            continue
        if key.endswith("_minor") and isinstance(value, int) and cur:
            name = key[:-6] if key[:-6] not in values else key[:-6] + "_amount"  # invoice.disputed is a flag
            out[name] = format_plain(value, cur)
        else:
            out[key] = _plain(value)
    return out


def _all(session: Session, query, currency: str | None = None, skip: tuple[str, ...] = ()) -> list[dict]:
    return [_record(r, currency, skip) for r in session.execute(query)]


def personal_data(session: Session, customer_id: int) -> dict:
    """Everything held about the customer, as JSON-ready data."""
    c = get_or_gone(session, Customer, customer_id, "customer")
    base = base_currency(session)
    cid = customer_id
    invoices = _all(session, select(Invoice.__table__).where(Invoice.customer_id == cid).order_by(Invoice.issue_date,
                                                                                                 Invoice.id))
    payments = _all(session, select(Payment.__table__).where(Payment.customer_id == cid).order_by(Payment.date,
                                                                                                 Payment.id))
    allocations = _all(session, select(Allocation.id, Allocation.payment_id, Allocation.invoice_id,
                                       Invoice.number.label("invoice_number"), Allocation.amount_minor,
                                       Invoice.currency)
                       .join(Invoice, Invoice.id == Allocation.invoice_id)
                       .join(Payment, Payment.id == Allocation.payment_id)
                       .where(Payment.customer_id == cid).order_by(Allocation.id))
    letter_columns = [col for col in Letter.__table__.c if col.name != "pdf"]
    letters = _all(session, select(*letter_columns, func.length(Letter.pdf).label("pdf_bytes"))
                   .where(Letter.customer_id == cid).order_by(Letter.sent_on, Letter.id))
    claimed: dict[int, list[str]] = {}
    for letter_id, number in session.execute(select(LetterInvoice.letter_id, Invoice.number)
                                             .join(Invoice, Invoice.id == LetterInvoice.invoice_id)
                                             .where(Invoice.customer_id == cid).order_by(Invoice.number)):
        claimed.setdefault(letter_id, []).append(number)
    for letter in letters:
        letter["invoices"] = claimed.get(letter["id"], [])
    plans = _all(session, select(PaymentPlan.__table__).where(PaymentPlan.customer_id == cid).order_by(PaymentPlan.id))
    for plan in plans:
        plan["instalments"] = _all(session, select(PlanInstalment.__table__).where(PlanInstalment.plan_id == plan["id"])
                                   .order_by(PlanInstalment.number), plan["currency"], ("plan_id",))
        plan["invoices"] = _all(session, select(PlanInvoice.invoice_id, Invoice.number.label("invoice_number"),
                                                PlanInvoice.covered_minor)
                                .join(Invoice, Invoice.id == PlanInvoice.invoice_id)
                                .where(PlanInvoice.plan_id == plan["id"]), plan["currency"])
    settlements = _all(session, select(Settlement.__table__).where(Settlement.customer_id == cid)
                       .order_by(Settlement.id))
    for st in settlements:
        st["invoices"] = _all(session, select(Invoice.number.label("invoice_number"), SettlementInvoice.open_minor)
                              .join(Invoice, Invoice.id == SettlementInvoice.invoice_id)
                              .where(SettlementInvoice.settlement_id == st["id"]), st["currency"])
    handovers = _all(session, select(Handover.__table__).where(Handover.customer_id == cid).order_by(Handover.id))
    for h in handovers:
        h["invoices"] = _all(session, select(Invoice.number.label("invoice_number"), HandoverInvoice.open_minor)
                             .join(Invoice, Invoice.id == HandoverInvoice.invoice_id)
                             .where(HandoverInvoice.handover_id == h["id"]), h["currency"])
    return {
        "exported_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "base_currency": base,
        "customer": _record(_customer_row(session, cid), base),
        "invoices": invoices,
        "payments": payments,
        "allocations": allocations,
        "letters": letters,
        "activity": _all(session, select(Activity.__table__).where(Activity.customer_id == cid)
                         .order_by(Activity.occurred_on, Activity.id)),
        "promises": _all(session, select(Promise.__table__).where(Promise.customer_id == cid).order_by(Promise.id)),
        "disputes": _all(session, select(Dispute.__table__, Invoice.number.label("invoice_number"), Invoice.currency)
                         .join(Invoice, Invoice.id == Dispute.invoice_id)
                         .where(Invoice.customer_id == cid).order_by(Dispute.id)),
        "payment_plans": plans,
        "settlements": settlements,
        "handovers": handovers,
        "factor_assignments": _all(session, select(FactorAssignment.__table__, Factor.name.label("factor"))
                                   .join(Factor, Factor.id == FactorAssignment.factor_id)
                                   .where(FactorAssignment.customer_id == cid).order_by(FactorAssignment.id)),
        "bank_statement_lines": _all(session, select(StatementLine.__table__)
                                     .join(Payment, Payment.id == StatementLine.payment_id)
                                     .where(Payment.customer_id == cid).order_by(StatementLine.booked_on)),
        "audit_trail": [
            {"at_utc": e.at.isoformat(timespec="seconds"), "who": e.who, "action": e.action, "record": e.entity,
             "record_id": e.entity_id, "summary": e.summary, "changes": _changes(e.changes)}
            for e in audit_entries_about(session, cid, c)],
    }


def _customer_row(session: Session, customer_id: int):
    return session.execute(select(Customer.__table__).where(Customer.id == customer_id)).one()


def _changes(text: str):
    try:
        return json.loads(text or "{}")
    except ValueError:
        return text


# --- the readable PDF --------------------------------------------------------------------------------------

_CUSTOMER_FIELDS = (("ref", "Reference"), ("name", "Name"), ("contact_person", "Contact"), ("email", "E-mail"),
                    ("phone", "Phone"), ("address_line1", "Address"), ("address_line2", "Address (2)"),
                    ("postcode", "Postcode"), ("city", "City"), ("country", "Country"), ("language", "Language"),
                    ("kind", "Kind"), ("terms_days", "Payment terms (days)"), ("credit_limit", "Credit limit"),
                    ("owner", "Who chases the account"), ("notes", "Notes"), ("on_hold", "On hold"),
                    ("archived", "Archived"), ("created_at", "Created (UTC)"))


def _money(text, currency) -> str:
    if text in (None, "") or not currency:
        return ""
    return format_money(int(Decimal(str(text)).scaleb(_digits(currency))), currency)


def _digits(currency: str) -> int:
    from debtordesk.domain.money import minor_digits

    return minor_digits(currency)


def _t(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return " ".join(str(value).split())


def _yes(value) -> str:
    return "yes" if value else ""


def data_report(data: dict, header_lines: tuple[str, ...]) -> DataReport:
    """The exported data as tables a person can read."""
    c = data["customer"]
    shown = dict(c, credit_limit=_money(c.get("credit_limit"), data.get("base_currency")),
                 created_at=(c.get("created_at") or "")[:16].replace("T", " "))
    details = tuple((label, _t(shown.get(key))) for key, label in _CUSTOMER_FIELDS if _t(shown.get(key)) != "")

    def rows(key, make):
        return tuple(make(r) for r in data[key])

    sections = (
        DataSection("The customer", ("Field", "Value"), details, stretch=1),
        DataSection("Invoices", ("Number", "Issued", "Due", "Amount", "Open", "Description"), rows(
            "invoices", lambda r: (r["number"], r["issue_date"], r["due_date"], _money(r["amount"], r["currency"]),
                                   _money(r["open"], r["currency"]), _t(r["description"]))),
            ("l", "l", "l", "r", "r", "l"), stretch=5),
        DataSection("Payments and credits", ("Date", "Kind", "Amount", "Unapplied", "Reference", "Method or reason"),
                    rows("payments", lambda r: (r["date"], r["kind"].replace("_", " "),
                                                _money(r["amount"], r["currency"]),
                                                _money(r["unapplied"], r["currency"]), _t(r["reference"]),
                                                _t(r["method"] or r["reason"]))),
                    ("l", "l", "r", "r", "l", "l"), stretch=5),
        DataSection("Allocations", ("Payment", "Invoice", "Amount"), rows(
            "allocations", lambda r: (f"#{r['payment_id']}", r["invoice_number"], _money(r["amount"], r["currency"]))),
            ("l", "l", "r")),
        DataSection("Letters", ("Sent", "Letter", "Total", "Reference", "E-mailed to", "Stored PDF", "SHA-256"), rows(
            "letters", lambda r: (r["sent_on"], r["level_name"] or r["kind"], _money(r["total"], r["currency"]),
                                  r["reference"], _t(r["emailed_to"]),
                                  f"{r['pdf_bytes']:,} bytes" if r["pdf_bytes"] else "deleted",
                                  r["sha256"])),
            ("l", "l", "r", "l", "l", "r", "l")),
        DataSection("Customer log", ("Date", "Kind", "Outcome", "Note", "By"), rows(
            "activity", lambda r: (r["occurred_on"], r["kind"], r["outcome"], _t(r["note"]), r["created_by"])),
            stretch=3),
        DataSection("Promises to pay", ("Made", "Amount", "By", "Note", "Cancelled", "Broken"), rows(
            "promises", lambda r: (r["promised_on"], _money(r["amount"], r["currency"]), r["due_date"], _t(r["note"]),
                                   _t(r["cancelled_on"]), _t(r["broken_on"]))),
            ("l", "r", "l", "l", "l", "l"), stretch=3),
        DataSection("Disputes", ("Opened", "Invoice", "Amount", "Reason", "Resolved", "Resolution"), rows(
            "disputes", lambda r: (r["opened_on"], r["invoice_number"], _money(r["amount"], r["currency"]),
                                   _t(r["reason"]), _t(r["resolved_on"]), _t(r["resolution"]))),
            ("l", "l", "r", "l", "l", "l")),
        DataSection("Payment plans", ("Reference", "Agreed", "Covers", "Total", "Instalments", "Cancelled", "Note"),
                    rows("payment_plans", lambda r: (
                        r["reference"], r["agreed_on"], _money(r["amount"], r["currency"]),
                        _money(r["total"], r["currency"]), str(len([i for i in r["instalments"] if i["number"]])),
                        _t(r["cancelled_on"]), _t(r["note"]))),
                    ("l", "l", "r", "r", "r", "l", "l")),
        DataSection("Settlement offers", ("Offered", "Amount", "For", "Deadline", "Status", "Note"), rows(
            "settlements", lambda r: (r["offered_on"], _money(r["amount"], r["currency"]),
                                      _money(r["balance"], r["currency"]), r["deadline"], r["status"], _t(r["note"]))),
            ("l", "r", "r", "l", "l", "l")),
        DataSection("Hand-overs", ("Handed over", "To", "Their reference", "Recalled", "Note"), rows(
            "handovers", lambda r: (r["handed_on"], f"{r['agent_name']} ({r['agent_kind']})", _t(r["reference"]),
                                    _t(r["recalled_on"]), _t(r["note"])))),
        DataSection("Assignments to a factor", ("Factor", "From", "Ended", "Note"), rows(
            "factor_assignments", lambda r: (r["factor"], r["assigned_on"], _t(r["ended_on"]), _t(r["note"])))),
        DataSection("Bank statement lines", ("Booked", "Amount", "From", "Account", "Remittance"), rows(
            "bank_statement_lines", lambda r: (r["booked_on"], _money(r["amount"], r["currency"]),
                                               _t(r["counterparty"]), _t(r["counterparty_account"]),
                                               _t(r["remittance"]))),
            ("l", "r", "l", "l", "l")),
        DataSection("Changes recorded in the audit trail", ("When (UTC)", "Who", "Action", "What"), rows(
            "audit_trail", lambda r: (r["at_utc"].replace("T", " "), r["who"], ACTIONS.get(r["action"], r["action"]),
                                      _t(r["summary"]))), stretch=3),
    )
    return DataReport(header_lines, f"Personal data held about {c.get('name', '')} ({c.get('ref', '')})",
                      f"Everything DebtorDesk holds about this customer on {data['exported_at'][:10]}. Amounts are "
                      "as recorded; the letters sent are listed with the size and fingerprint of the stored copy "
                      "(the copies themselves are not part of this report).", sections,
                      footer=f"Personal data export · {c.get('ref', '')}")


def export_personal_data(session: Session, customer_id: int, folder: str | Path, today: date,
                         report: Report | None = None) -> PrivacyExport:
    """Write `<ref>-personal-data-<date>.json` and `.pdf` into `folder` and record the export in the
    audit trail (the caller commits). Files are written whole or not at all."""
    folder = Path(folder)
    if report is not None:
        report(Progress(0, 3, "Reading the customer's records"))
    data = personal_data(session, customer_id)
    c = data["customer"]
    company = get_company(session)
    header = (company.name or "", *[line for line in (company.address or "").splitlines() if line.strip()])
    stem = f"{_safe(c['ref'])}-personal-data-{today.isoformat()}"
    json_path, pdf_path = folder / f"{stem}.json", folder / f"{stem}.pdf"
    if report is not None:
        report(Progress(1, 3, "Writing the PDF"))
    pdf = render_data_report(data_report(data, tuple(header)))
    _write(json_path, json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"))
    _write(pdf_path, pdf)
    counts = {key: len(value) for key, value in data.items() if isinstance(value, list)}
    record(session, "export", "customer", customer_id, f"Personal data of {c['name']} ({c['ref']}) exported",
           {"files": [json_path.name, pdf_path.name], "records": counts})
    if report is not None:
        report(Progress(3, 3, "Done"))
    return PrivacyExport(json_path, pdf_path, counts)


def _safe(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in text) or "customer"


def _write(path: Path, data: bytes) -> None:
    part = path.with_name(path.name + ".part")
    try:
        part.write_bytes(data)
        part.replace(path)
    finally:
        part.unlink(missing_ok=True)
