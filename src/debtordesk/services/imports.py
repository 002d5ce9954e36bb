"""CSV import: all-or-nothing. Every bad row is reported; if there is any, nothing is written.

Files are UTF-8 (a BOM is tolerated), comma-separated, with a header row. Row numbers count the
header as row 1, as a spreadsheet shows them.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from debtordesk.db.models import Customer, Invoice, utcnow
from debtordesk.domain.customers import check_customer
from debtordesk.domain.dates import DateError, parse_iso_date
from debtordesk.domain.money import MoneyError, check_currency, parse_amount
from debtordesk.domain.problems import Problem, Rejected
from debtordesk.services.company import base_currency
from debtordesk.services.csvfiles import SPECS
from debtordesk.services.payments import PaymentError, record_payment


@dataclass
class ImportResult:
    kind: str
    rows: int


class _Row:
    """One CSV row with helpers that record a Problem instead of raising."""

    __slots__ = ("file", "number", "values", "problems")

    def __init__(self, file: str, number: int, values: dict[str, str], problems: list[Problem]):
        self.file, self.number, self.values, self.problems = file, number, values, problems

    def fail(self, column: str, message: str) -> None:
        self.problems.append(Problem(message, self.file, self.number, column))

    def text(self, column: str, *, required: bool = False, max_len: int = 200) -> str:
        value = (self.values.get(column) or "").strip()
        if required and not value:
            self.fail(column, "this value is required")
        elif len(value) > max_len:
            self.fail(column, f"is longer than {max_len} characters")
        return value

    def date(self, column: str, *, required: bool = True) -> date | None:
        raw = (self.values.get(column) or "").strip()
        if not raw and not required:
            return None
        try:
            return parse_iso_date(raw)
        except DateError as exc:
            self.fail(column, str(exc))
            return None

    def money(self, column: str, currency: str | None, *, positive: bool = True) -> int | None:
        raw = (self.values.get(column) or "").strip()
        if currency is None:  # currency itself was bad; that problem is already reported
            return None
        try:
            minor = parse_amount(raw, currency)
        except MoneyError as exc:
            self.fail(column, str(exc))
            return None
        if positive and minor <= 0:
            self.fail(column, f"'{raw}' must be more than zero")
            return None
        if minor < 0:
            self.fail(column, f"'{raw}' cannot be negative")
            return None
        return minor

    def currency(self, column: str, default: str) -> str | None:
        raw = (self.values.get(column) or "").strip()
        if not raw:
            return default
        try:
            return check_currency(raw)
        except MoneyError as exc:
            self.fail(column, str(exc))
            return None


def _read(path: Path, kind: str) -> tuple[list[_Row], list[Problem]]:
    """Check the header and read the rows. Header problems raise Rejected at once; row
    problems are collected in the returned list, which every row appends to."""
    name = path.name
    spec = SPECS[kind]
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise Rejected([Problem(f"cannot be read ({exc.strerror})", name)]) from exc
    problems: list[Problem] = []
    rows: list[_Row] = []
    with handle:
        reader = csv.reader(handle)
        try:
            header = next(reader, None)
            if header is None:
                raise Rejected([Problem("the file is empty; it needs a header row", name)])
            columns = [h.strip() for h in header]
            # an unknown column is reported with the row problems (rows are still checked);
            # a missing or doubled column makes the rows unreadable, so it stops here
            problems += [
                Problem(f"unknown column '{c}' (allowed: {', '.join(spec.columns)})", name, 1, c)
                for c in columns if c not in spec.columns
            ]
            bad = [Problem("this required column is missing", name, 1, c)
                   for c in spec.required if c not in columns]
            bad += [Problem("this column appears twice", name, 1, c)
                    for i, c in enumerate(columns) if c in columns[:i]]
            if bad:
                raise Rejected(problems + bad)
            for fields in reader:
                if not any(f.strip() for f in fields):
                    continue
                if len(fields) != len(columns):
                    problems.append(Problem(
                        f"has {len(fields)} fields but the header has {len(columns)}",
                        name, reader.line_num,
                    ))
                    continue
                values = dict(zip(columns, fields, strict=True))
                rows.append(_Row(name, reader.line_num, values, problems))
        except UnicodeDecodeError as exc:
            raise Rejected([Problem("is not UTF-8 text (save it as CSV UTF-8)", name)]) from exc
        except csv.Error as exc:
            raise Rejected(
                [Problem(f"is not a valid CSV file ({exc})", name, reader.line_num)]
            ) from exc
    return rows, problems


def _customers(session: Session, rows: list[_Row], problems: list[Problem]) -> int:
    existing = set(session.scalars(select(Customer.ref)))
    base = base_currency(session)
    seen: dict[str, int] = {}
    new: list[Customer] = []
    for row in rows:
        lines = [line.strip() for line in row.values.get("address", "").splitlines() if line.strip()]
        raw = {k: row.values.get(k, "") for k in SPECS["customers"].columns}
        raw.update(address_line1=lines[0] if lines else "", address_line2=", ".join(lines[1:]))
        checked = check_customer(raw, base)
        for key, message in checked.errors.items():
            column = {"address_line1": "address", "address_line2": "address"}.get(key, key)
            if key in ("address_line1", "address_line2"):
                message = "each address part may have at most 200 characters (use line breaks)"
            row.fail(column, message)
        ref = checked.values["ref"]
        if ref in existing:
            row.fail("ref", f"a customer with ref '{ref}' already exists")
        elif ref and ref in seen:
            row.fail("ref", f"ref '{ref}' is used twice in this file (also row {seen[ref]})")
        seen.setdefault(ref, row.number)
        if not checked.errors:
            new.append(Customer(**checked.values))
    if not problems:
        session.add_all(new)
    return len(new)


def _customer_lookup(session: Session) -> dict:
    """ref -> (id, terms_days, discount terms) rows, without loading whole customer records."""
    return {r.ref: r for r in session.execute(select(Customer.ref, Customer.id, Customer.terms_days,
                                                     Customer.discount_percent, Customer.discount_days))}


_INSERT_CHUNK = 10_000
_INVOICE_COLUMNS = ("number", "customer_id", "issue_date", "due_date", "amount_minor", "open_minor", "currency",
                    "description", "disputed", "created_at", "version", "discount_percent", "discount_days")


def _in_file(session: Session, key, rows: list[_Row], column: str, *wanted) -> list:
    """The database rows whose `key` is one of the values in `column` of the file, read in
    chunks: a ledger of a million invoices is never loaded to check a file of a few thousand
    (loading it held up the screen while an import ran)."""
    values = sorted({v.strip() for r in rows if (v := r.values.get(column) or "").strip()})
    found = []
    for i in range(0, len(values), 500):
        chunk = values[i:i + 500]
        result = session.execute(select(*wanted).where(key.in_(chunk)))
        found.extend(result.scalars() if len(wanted) == 1 else result)
    return found


def _invoices(session: Session, rows: list[_Row], problems: list[Problem]) -> int:
    """Check every row, then insert them all in one executemany (plain rows, not ORM objects:
    a file may hold hundreds of thousands). Dates and currencies repeat across a file, so each
    distinct text is parsed once; a text that fails is parsed again on every row it is on, so
    each of those rows reports its problem."""
    customers = _customer_lookup(session)
    existing = set(_in_file(session, Invoice.number, rows, "number", Invoice.number))
    base = base_currency(session)
    seen: dict[str, int] = {}
    dates: dict[str, date] = {}  # text (stripped) -> date, for the texts that parsed
    currencies: dict[str, str] = {"": base}  # text (stripped) -> code, for the codes accepted
    created = utcnow()
    new: list[tuple] = []
    for row in rows:
        values = row.values
        number = (values.get("number") or "").strip()
        if not number or len(number) > 50:
            row.text("number", required=True, max_len=50)  # reports it
        if number in existing:
            row.fail("number", f"invoice number '{number}' already exists")
        elif number and number in seen:
            row.fail("number", f"invoice number '{number}' is used twice in this file (also row {seen[number]})")
        seen.setdefault(number, row.number)
        ref = (values.get("customer_ref") or "").strip()
        if not ref or len(ref) > 50:
            row.text("customer_ref", required=True, max_len=50)
        customer = customers.get(ref)
        if ref and customer is None:
            row.fail("customer_ref", f"no customer has ref '{ref}' (import customers first)")
        raw = (values.get("issue_date") or "").strip()
        issue = dates.get(raw)
        if issue is None and (issue := row.date("issue_date")) is not None:
            dates[raw] = issue
        raw = (values.get("due_date") or "").strip()
        due = dates.get(raw) if raw else None
        if raw and due is None and (due := row.date("due_date", required=False)) is not None:
            dates[raw] = due
        if due is None and issue is not None and customer is not None:
            due = issue + timedelta(days=customer.terms_days)
        if due is not None and issue is not None and due < issue:
            row.fail("due_date", f"{due.isoformat()} is before the issue date {issue.isoformat()}")
        raw = (values.get("currency") or "").strip()
        currency = currencies.get(raw)
        if currency is None and (currency := row.currency("currency", base)) is not None:
            currencies[raw] = currency
        amount = row.money("amount", currency)
        if customer is not None and issue and due and amount and currency:
            # open_minor = amount: nothing is allocated yet
            new.append((number, customer.id, issue, due, amount, amount, currency,
                        row.text("description", max_len=2000), False, created, 1,
                        customer.discount_percent or "", customer.discount_days or 0))
    if not problems:
        table = insert(Invoice.__table__)
        for start in range(0, len(new), _INSERT_CHUNK):  # tuples held, dicts only for a chunk at a time
            session.execute(table, [dict(zip(_INVOICE_COLUMNS, r, strict=True))
                                    for r in new[start:start + _INSERT_CHUNK]])
    return len(new)


def _payments(session: Session, rows: list[_Row], problems: list[Problem]) -> int:
    customers = _customer_lookup(session)
    invoices = {
        number: (iid, cid, cur)
        for number, iid, cid, cur in _in_file(
            session, Invoice.number, rows, "invoice_number",
            Invoice.number, Invoice.id, Invoice.customer_id, Invoice.currency)
    }
    base = base_currency(session)
    todo: list[tuple[_Row, dict]] = []
    for row in rows:
        ref = row.text("customer_ref", required=True, max_len=50)
        customer = customers.get(ref)
        if ref and customer is None:
            row.fail("customer_ref", f"no customer has ref '{ref}'")
        pay_date = row.date("date")
        number = row.text("invoice_number", max_len=50)
        invoice = invoices.get(number) if number else None
        default_cur = invoice[2] if invoice else base
        currency = row.currency("currency", default_cur)
        if number and invoice is None:
            row.fail("invoice_number", f"no invoice has number '{number}'")
        elif invoice and customer and invoice[1] != customer.id:
            row.fail("invoice_number", f"invoice '{number}' belongs to another customer, not '{ref}'")
        elif invoice and currency and invoice[2] != currency:
            row.fail("currency", f"invoice '{number}' is in {invoice[2]}, not {currency}")
        amount = row.money("amount", currency)
        if customer is not None and pay_date and amount and currency:
            todo.append((row, dict(
                customer_id=customer.id, pay_date=pay_date, amount_minor=amount,
                currency=currency, invoice_id=invoice[0] if invoice else None,
                reference=row.text("reference"), method=row.text("method", max_len=50),
            )))
    if problems:
        return len(todo)
    for row, args in todo:  # in file order: the allocation of each row sees the ones before it
        try:
            record_payment(session, args.pop("customer_id"), args.pop("pay_date"),
                           args.pop("amount_minor"), args.pop("currency"), **args)
        except PaymentError as exc:
            row.fail("", str(exc))
    return len(todo)


_IMPORTERS: dict[str, Callable[[Session, list[_Row], list[Problem]], int]] = {
    "customers": _customers,
    "invoices": _invoices,
    "payments": _payments,
}


def import_csv(session: Session, kind: str, path: Path) -> ImportResult:
    """Validate every row of `path`, then write them all, or raise Rejected and write nothing.

    The caller commits (or rolls back for a dry run)."""
    if kind not in _IMPORTERS:
        raise ValueError(f"unknown import kind {kind!r}")
    rows, problems = _read(Path(path), kind)
    try:
        count = _IMPORTERS[kind](session, rows, problems)  # writes only when no row has a problem
        if problems:
            raise Rejected(sorted(problems, key=lambda p: p.row or 0))
        session.flush()
    except IntegrityError as exc:
        raise Rejected([Problem(f"the database refused the rows: {exc.orig}", Path(path).name)]) from exc
    return ImportResult(kind, count)
