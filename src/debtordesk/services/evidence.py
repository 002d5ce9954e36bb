"""The evidence pack for a hand-over: one ZIP file with

- summary.pdf: the customer's details, the hand-overs, the invoices open as of the date with the
  interest and compensation on each and the workings, the letters sent with their SHA-256, the
  collections log, then the statement of account for each currency;
- invoices.csv: one line per open invoice (number, dates, amount, paid, open, interest,
  compensation, total), a total line per currency; the open totals are the aging report's;
- letters/: every letter sent to the customer, the exact stored PDF bytes (checked against their
  SHA-256 before they go in);
- manifest.csv: every file of the pack with its SHA-256 and size.

The ZIP is written to a temporary file beside `path` and moved into place at the end, so a cancel
or an error leaves nothing behind.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from debtordesk.db.models import Customer, Invoice, Payment
from debtordesk.domain.money import format_money, format_plain
from debtordesk.domain.problems import UserError
from debtordesk.domain.progress import Cancelled, Progress, Report, ShouldCancel
from debtordesk.letters import model
from debtordesk.letters.layout import render_pdf
from debtordesk.services.activity import KINDS, OUTCOMES, customer_timeline
from debtordesk.services.correspondence import Kit, day, legal_text, percent, recipient, short_day
from debtordesk.services.dunning_letters import SentLetter, customer_letters, letter_pdf
from debtordesk.services.handover import Claim, HandoverState, claim, customer_handovers, handed_invoice_ids
from debtordesk.services.statements import statement, statement_letter

LANG = "en"  # the pack is for the agency or solicitor: in English (the statements follow the customer)
CSV_COLUMNS = ("currency", "invoice", "issue_date", "due_date", "days_overdue", "amount", "paid", "open",
               "interest", "compensation", "total", "disputed", "handed_to")
LOG_LIMIT = 100_000


@dataclass
class EvidencePack:
    """What went into the pack (for the message after it is written, and for tests)."""

    path: Path
    customer: str
    as_of: date
    files: list[tuple[str, str, int]] = field(default_factory=list)  # (name in the ZIP, SHA-256, bytes)
    letters: int = 0
    totals: dict[str, int] = field(default_factory=dict)  # currency -> open minor units


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "letter"


def letter_file(letter: SentLetter) -> str:
    """'letters/2026-02-07-reminder-1-12.pdf' (the letter's id keeps the name unique)."""
    return f"letters/{letter.sent_on.isoformat()}-{_slug(letter.level)}-{letter.id}.pdf"


def _currencies(session: Session, customer_id: int) -> list[str]:
    return sorted(set(session.scalars(select(Invoice.currency).where(Invoice.customer_id == customer_id).distinct()))
                  | set(session.scalars(select(Payment.currency).where(Payment.customer_id == customer_id)
                                        .distinct())))


def _disputed(session: Session, customer_id: int) -> set[int]:
    return set(session.scalars(select(Invoice.id).where(Invoice.customer_id == customer_id,
                                                        Invoice.disputed.is_(True))))


# --- the CSV summary ----------------------------------------------------------------------------------

def invoices_csv(claims: list[Claim], disputed: set[int], handed: dict[int, str]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for c in claims:
        plain = lambda m, cur=c.currency: format_plain(m, cur)  # noqa: E731
        for x in c.lines:
            writer.writerow([c.currency, x.number, x.issue_date.isoformat(), x.due_date.isoformat(),
                             max(x.days_overdue, 0), plain(x.amount_minor), plain(x.paid_minor), plain(x.open_minor),
                             plain(x.interest_minor), plain(x.compensation_minor),
                             plain(x.open_minor + x.interest_minor + x.compensation_minor),
                             "yes" if x.invoice_id in disputed else "", handed.get(x.invoice_id, "")])
        writer.writerow([c.currency, "TOTAL", "", "", "", plain(sum(x.amount_minor for x in c.lines)),
                         plain(sum(x.paid_minor for x in c.lines)), plain(c.open_minor), plain(c.interest_minor),
                         plain(c.compensation_minor), plain(c.total_minor), "", ""])
    return buf.getvalue()


# --- the summary PDF ----------------------------------------------------------------------------------

def _details_table(customer: Customer) -> model.Table:
    address = ", ".join(x for x in (customer.address_line1, customer.address_line2,
                                    " ".join(y for y in (customer.postcode, customer.city) if y), customer.country)
                        if x)
    rows = [("Customer no.", customer.ref), ("Name", customer.name), ("Contact", customer.contact_person),
            ("E-mail", customer.email), ("Phone", customer.phone), ("Address", address),
            ("Kind", customer.kind.capitalize()), ("Payment terms", f"{customer.terms_days} days"),
            ("Record created", short_day(customer.created_at.date(), LANG) if customer.created_at else ""),
            ("Notes", customer.notes)]
    return model.Table(("Detail", "As recorded"), tuple((k, v) for k, v in rows if v), ("l", "l"),
                       "Customer details")


def _handover_table(st: HandoverState) -> model.Table:
    """One hand-over as label and value (it never needs to wrap, however many invoices it covers)."""
    h, r = st.handover, st.recovery
    money = lambda m: format_money(m, h.currency)  # noqa: E731
    invoices = ", ".join(st.invoice_numbers) + (f" (every invoice open in {h.currency} that day)"
                                                if h.whole_account else "")
    rows = [("Handed to", f"{h.agent_name} ({h.agent_kind})"), ("On", day(h.handed_on, LANG)),
            ("Their reference", h.reference), ("Invoices", invoices), ("Open when handed over", money(r.handed_minor)),
            ("Collected since", money(r.collected_minor))]
    if r.commission_percent is not None:
        rows += [("Commission", f"{percent(r.commission_percent, LANG)} = {money(r.commission_minor)}"),
                 ("Net recovery", money(r.net_minor))]
    rows += [("Still open", money(r.left_minor)), ("Recalled", day(h.recalled_on, LANG) if h.recalled_on else ""),
             ("Note", h.note), ("Note on the recall", h.recall_note), ("Recorded by", h.created_by)]
    title = f"Hand-over to {h.agent_name}" + ("" if st.active else f" ({st.status})")
    return model.Table(("Detail", "As recorded"), tuple(x for x in rows if x[1]), ("l", "l"), title)


def _claim_tables(c: Claim, disputed: set[int], handed: dict[int, str]) -> list[model.Table]:
    money = lambda m: format_money(m, c.currency)  # noqa: E731
    rows = []
    for x in c.lines:
        rows.append((x.number + (" (disputed)" if x.invoice_id in disputed else ""), short_day(x.issue_date, LANG),
                     short_day(x.due_date, LANG), money(x.amount_minor), money(x.paid_minor) if x.paid_minor else "",
                     money(x.open_minor), str(max(x.days_overdue, 0)), money(x.interest_minor),
                     money(x.compensation_minor)))
    total = ("Total", "", "", money(sum(x.amount_minor for x in c.lines)), money(sum(x.paid_minor for x in c.lines)),
             money(c.open_minor), "", money(c.interest_minor), money(c.compensation_minor))
    tables = [model.Table(("Invoice", "Issued", "Due", "Amount", "Paid", "Open", "Days overdue", "Interest",
                           "Compensation"), tuple(rows), ("l", "r", "r", "r", "r", "r", "r", "r", "r"),
                          f"Open invoices in {c.currency} as of {day(c.as_of, LANG)}", total)]
    workings = [(x.number, f"{short_day(p.start, LANG)} – {short_day(p.end, LANG)}", str(p.days),
                 percent(p.rate, LANG), money(p.principal_minor), money(p.interest_minor))
                for x in c.lines if x.interest for p in x.interest.periods]
    if workings:
        tables.append(model.Table(("Invoice", "Period", "Days", "Rate", "Principal", "Interest"), tuple(workings),
                                  ("l", "l", "r", "r", "r", "r"), f"Interest workings ({c.currency})",
                                  ("Total", "", "", "", "", money(c.interest_minor))))
    return tables


def _letters_tables(letters: list[SentLetter]) -> list[model.Table]:
    if not letters:
        return [model.Table(("Letters sent",), (("No letter has been sent to this customer.",),), ("l",),
                            "Letters sent")]
    listed = tuple((short_day(x.sent_on, LANG), x.level, x.reference, format_money(x.total_minor, x.currency)
                    if x.total_minor else "", letter_file(x).removeprefix("letters/")) for x in letters)
    hashes = tuple((letter_file(x).removeprefix("letters/"), x.sha256) for x in letters)
    return [model.Table(("Sent", "Letter", "Reference", "Amount claimed", "File in letters/"), listed,
                        ("l", "l", "l", "r", "l"), "Letters sent (the stored copies are in the folder letters/)"),
            model.Table(("File", "SHA-256 of the stored PDF"), hashes, ("l", "l"), "Fingerprints of the letters")]


def _log_table(session: Session, customer_id: int) -> model.Table:
    entries = list(reversed(customer_timeline(session, customer_id, limit=LOG_LIMIT)))
    rows = tuple((short_day(e.occurred_on, LANG), " — ".join(x for x in (
        ", ".join(x for x in (KINDS.get(e.kind, e.kind), OUTCOMES.get(e.outcome, "") if e.outcome else "") if x),
        e.note) if x), e.created_by) for e in entries)
    if not rows:
        rows = (("", "Nothing has been logged for this customer.", ""),)
    # the date and who are right-aligned so that only the text wraps (a date is as wide as the next)
    return model.Table(("Date", "What happened", "By"), rows, ("r", "l", "r"), "Collections log (oldest first)")


def summary_letters(session: Session, kit: Kit, customer: Customer, as_of: date, claims: list[Claim],
                    states: list[HandoverState], letters: list[SentLetter], disputed: set[int],
                    handed: dict[int, str]) -> list[model.Letter]:
    """The summary and a statement of account per currency, as letters to lay out in one PDF."""
    tables = [_details_table(customer)]
    tables += [_handover_table(st) for st in states]
    notes: list[str] = []
    for c in claims:
        tables += _claim_tables(c, disputed, handed)
        notes += c.problems
    bases: dict[str, list[str]] = {}
    for c in claims:
        if legal_text(c.regime, LANG):
            bases.setdefault(legal_text(c.regime, LANG), []).append(c.currency)
    notes[:0] = [f"Interest and compensation ({' and '.join(curs)}): {text}" for text, curs in bases.items()]
    if claims:
        tables.append(model.Table(
            ("Currency", "Open", "Interest", "Compensation", "Total claimed"),
            tuple((c.currency, *(format_money(m, c.currency) for m in (c.open_minor, c.interest_minor,
                                                                        c.compensation_minor, c.total_minor)))
                  for c in claims),
            ("l", "r", "r", "r", "r"), f"The claim as of {day(as_of, LANG)}"))
    tables += _letters_tables(letters)
    tables.append(_log_table(session, customer.id))
    intro = (f"The account of {customer.name} ({customer.ref}) as of {day(as_of, LANG)}: who the customer is, "
             "the debt with the interest and compensation the law allows on each invoice and how it is worked out, "
             "every letter sent (the exact copies are in the folder letters/ of this pack, with their SHA-256 "
             "fingerprints below and in manifest.csv), the collections log and the statement of account.")
    if not claims:
        intro += " Nothing is open on the account on that day."
    head = model.Letter(
        letterhead=kit.letterhead(LANG), recipient=recipient(customer, kit.home_country, LANG),
        place_date=day(as_of, LANG),
        reference_lines=(("Customer no.", customer.ref),),
        subject=f"Evidence pack — {customer.name}", paragraphs=(intro, *notes), tables=tuple(tables),
        footer_lines=kit.footer(LANG), page_label="Page {page} of {pages}",
        continuation_label=f"{customer.name} — evidence pack as of {day(as_of, LANG)}")
    out = [head]
    for cur in _currencies(session, customer.id):
        out.append(statement_letter(statement(session, customer.id, cur, as_of), customer, kit, cover=False))
    return out


# --- the pack -------------------------------------------------------------------------------------------

def evidence_pack(session: Session, customer_id: int, as_of: date, path: str | Path, report: Report | None = None,
                  should_cancel: ShouldCancel | None = None) -> EvidencePack:
    """Write the customer's evidence pack as of `as_of` to `path` (a ZIP; see the module doc)."""
    path = Path(path)
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise UserError("This customer is no longer in the database.")

    def step(done: int, total: int, text: str) -> None:
        if should_cancel is not None and should_cancel():
            raise Cancelled()
        if report is not None:
            report(Progress(done, total, text))

    letters = list(reversed(customer_letters(session, customer_id)))  # oldest first
    total = len(letters) + 3
    step(0, total, "Working out the debt")
    claims = [c for c in (claim(session, customer_id, cur, as_of) for cur in _currencies(session, customer_id))
              if c.lines]
    states = customer_handovers(session, customer_id, as_of)
    disputed = _disputed(session, customer_id)
    handed = {iid: h.agent_name for iid, h in handed_invoice_ids(session, customer_id, as_of).items()}
    pack = EvidencePack(path, customer.name, as_of, totals={c.currency: c.open_minor for c in claims})
    step(1, total, "Laying out the summary")
    kit = Kit.load(session)
    pdf = render_pdf(summary_letters(session, kit, customer, as_of, claims, states, letters, disputed, handed),
                     kit.setup, should_cancel=should_cancel)
    files: list[tuple[str, bytes, str]] = [
        ("summary.pdf", pdf, f"Summary and statement of account as of {as_of.isoformat()}"),
        ("invoices.csv", invoices_csv(claims, disputed, handed).encode("utf-8"),
         f"Open invoices as of {as_of.isoformat()} with interest and compensation"),
    ]
    for n, x in enumerate(letters):
        step(2 + n, total, f"Letter {n + 1} of {len(letters)}: {x.level} of {x.sent_on.isoformat()}")
        what = f"{x.level} sent {x.sent_on.isoformat()}" + (f" ({x.reference})" if x.reference else "")
        try:
            data = letter_pdf(session, x.id)  # the stored bytes, checked against their SHA-256
        except UserError as exc:
            raise UserError(f"The evidence pack was not written. {what}: {exc}") from exc
        files.append((letter_file(x), data, what))
    pack.letters = len(letters)
    step(total - 1, total, "Writing the ZIP file")
    manifest = io.StringIO()
    writer = csv.writer(manifest, lineterminator="\n")
    writer.writerow(("file", "sha256", "bytes", "what"))
    for name, data, what in files:
        digest = hashlib.sha256(data).hexdigest()
        writer.writerow((name, digest, len(data), what))
        pack.files.append((name, digest, len(data)))
    temp = path.with_name(f".{path.name}.part")
    try:
        with zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data, _ in files:
                z.writestr(name, data)
            z.writestr("manifest.csv", manifest.getvalue())
            if should_cancel is not None and should_cancel():
                raise Cancelled()
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    step(total, total, f"Evidence pack written: {path.name}")
    return pack
