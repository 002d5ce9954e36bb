"""CSV import: all-or-nothing. Every bad row is reported; if there is any, nothing is written.

Without a format, files are read as the app writes them: UTF-8 (a BOM is tolerated),
comma-separated, dates YYYY-MM-DD, '.' as decimal point, the columns named as the fields. A
`CsvFormat` (services.import_format detects one) and a mapping (one field per file column, ""
for a column not imported; services.import_mapping suggests one) read other files the same way.
Row numbers count the header as row 1, as a spreadsheet shows them (a value with line breaks
inside quotes is still one row). `preview_csv` runs every check and writes nothing.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from debtordesk.db.models import Customer, Invoice, utcnow
from debtordesk.domain.csvformat import CsvFormat, date_parser, parse_money, plain_amount
from debtordesk.domain.customers import check_customer
from debtordesk.domain.dates import DateError, parse_iso_date
from debtordesk.domain.money import MoneyError, check_currency, parse_amount
from debtordesk.domain.problems import Problem, Rejected
from debtordesk.domain.progress import Cancelled, Progress, Report, ShouldCancel
from debtordesk.services.audit import record_import
from debtordesk.services.company import base_currency
from debtordesk.services.csvfiles import SPECS
from debtordesk.services.import_format import not_text, open_text
from debtordesk.services.import_mapping import LABELS
from debtordesk.services.payments import PaymentError, record_payment


@dataclass
class ImportResult:
    kind: str
    rows: int


class _Context:
    """What every row of one file shares: its name, the problems found so far, the file's column
    for each field, and how dates and amounts are written."""

    __slots__ = ("file", "problems", "columns", "parse_date", "parse_money", "decimal_comma", "broken")

    def __init__(self, file: str, fmt: CsvFormat | None):
        self.file = file
        self.problems: list[Problem] = []
        self.columns: dict[str, str] = {}  # field -> the file's header, where they differ
        self.decimal_comma = bool(fmt and fmt.decimal_comma)
        self.broken: list[tuple[int, list[str]]] = []  # rows with the wrong number of fields, as read
        if fmt is None:  # the app's own format, exactly as before formats existed
            self.parse_date: Callable[[str], date] = parse_iso_date
            self.parse_money: Callable[[str, str], int] = parse_amount
        else:
            self.parse_date = date_parser(fmt.date_format)
            comma = fmt.decimal_comma
            self.parse_money = lambda raw, currency: parse_money(raw, currency, comma)


class _Row:
    """One CSV row with helpers that record a Problem instead of raising."""

    __slots__ = ("ctx", "number", "values")

    def __init__(self, ctx: _Context, number: int, values: dict[str, str]):
        self.ctx, self.number, self.values = ctx, number, values

    def fail(self, column: str, message: str) -> None:
        ctx = self.ctx
        ctx.problems.append(Problem(message, ctx.file, self.number, ctx.columns.get(column, column)))

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
            return self.ctx.parse_date(raw)
        except DateError as exc:
            self.fail(column, str(exc))
            return None

    def money(self, column: str, currency: str | None, *, positive: bool = True) -> int | None:
        raw = (self.values.get(column) or "").strip()
        if currency is None:  # currency itself was bad; that problem is already reported
            return None
        try:
            minor = self.ctx.parse_money(raw, currency)
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


def _header_fields(ctx: _Context, kind: str, header: list[str], fields: Sequence[str | None] | None) -> list:
    """The field each column feeds ("" not imported, None unknown), after checking the header:
    a missing or doubled field raises Rejected at once (the rows cannot be read); an unknown
    column is reported with the row problems (the rows are still checked)."""
    spec, name = SPECS[kind], ctx.file
    columns = [h.strip() for h in header]
    if fields is None:
        fields = [c if c in spec.columns else None for c in columns]
        doubled = [Problem("this column appears twice", name, 1, c) for i, c in enumerate(columns) if c in columns[:i]]
    else:
        fields = list(fields)
        if len(fields) != len(columns):
            raise Rejected([Problem(f"has {len(columns)} columns but the mapping has {len(fields)}; "
                                    "choose the columns again", name, 1)])
        ctx.columns = {f: c for f, c in zip(fields, columns, strict=True) if f and f != c}
        doubled = []
        for i, f in enumerate(fields):
            earlier = [columns[j] for j in range(i) if fields[j] == f]
            if f and earlier:
                doubled.append(Problem(f"'{earlier[0]}' and '{columns[i]}' both feed {LABELS.get(f, f)}; "
                                       "choose one of them", name, 1, columns[i]))
    ctx.problems += [Problem(f"unknown column '{c}' (allowed: {', '.join(spec.columns)})", name, 1, c)
                     for c, f in zip(columns, fields, strict=True) if f is None]
    bad = [Problem("this required column is missing", name, 1, ctx.columns.get(r, r))
           for r in spec.required if r not in fields]
    if bad or doubled:
        raise Rejected(ctx.problems + bad + doubled)
    return fields


def _read(ctx: _Context, path: Path, kind: str, fmt: CsvFormat | None, fields: Sequence[str | None] | None,
          report: Report | None = None, should_cancel: ShouldCancel | None = None) -> list[_Row]:
    """Check the header and read the rows. Header problems raise Rejected at once; row
    problems are collected in ctx.problems, which every row appends to."""
    name = ctx.file
    handle = open_text(path, fmt or CsvFormat())
    problems = ctx.problems
    rows: list[_Row] = []
    number = 1
    with handle:
        reader = csv.reader(handle, delimiter=fmt.delimiter if fmt else ",")
        try:
            header = next(reader, None)
            if header is None:
                raise Rejected([Problem("the file is empty; it needs a header row", name)])
            wanted = _header_fields(ctx, kind, header, fields)
            width = len(wanted)
            if all(f is not None and f != "" for f in wanted):  # every column is a field: the plain path
                keys: list | None = wanted
            else:
                keys, picks = None, [(i, f) for i, f in enumerate(wanted) if f]
            watch = report is not None or should_cancel is not None
            for number, record in enumerate(reader, 2):  # a record, not a line: quoted line breaks stay in
                if not any(f.strip() for f in record):
                    continue
                if len(record) != width:
                    problems.append(Problem(f"has {len(record)} fields but the header has {width}", name, number))
                    ctx.broken.append((number, record))
                    continue
                values = dict(zip(keys, record, strict=True)) if keys else {f: record[i] for i, f in picks}
                rows.append(_Row(ctx, number, values))
                if watch and not number & 4095:
                    _tick(report, should_cancel, Progress(0, None, f"Reading: {number - 1:,} rows so far"))
        except UnicodeDecodeError as exc:
            raise not_text(path, fmt or CsvFormat()) from exc
        except csv.Error as exc:
            raise Rejected([Problem(f"is not a valid CSV file ({exc})", name, number + 1)]) from exc
    return rows


def _tick(report: Report | None, should_cancel: ShouldCancel | None, progress: Progress) -> None:
    if should_cancel is not None and should_cancel():
        raise Cancelled()
    if report is not None:
        report(progress)


Tick = Callable[[Progress], None]


def _customers(session: Session, rows: list[_Row], ctx: _Context, write: bool, tick: Tick) -> int:
    problems = ctx.problems
    existing = set(session.scalars(select(Customer.ref)))
    base = base_currency(session)
    seen: dict[str, int] = {}
    new: list[Customer] = []
    for row in rows:
        lines = [line.strip() for line in row.values.get("address", "").splitlines() if line.strip()]
        raw = {k: row.values.get(k, "") for k in SPECS["customers"].columns}
        raw.update(address_line1=lines[0] if lines else "", address_line2=", ".join(lines[1:]))
        if ctx.decimal_comma and raw["credit_limit"].strip():  # the check reads amounts the app's way
            try:
                raw["credit_limit"] = plain_amount(raw["credit_limit"], True)
            except MoneyError as exc:
                row.fail("credit_limit", str(exc))
                raw["credit_limit"] = ""
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
    if write and not problems:
        tick(Progress(0, len(new), f"Writing {len(new):,} customers"))
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


def _invoices(session: Session, rows: list[_Row], ctx: _Context, write: bool, tick: Tick) -> int:
    """Check every row, then insert them all in one executemany (plain rows, not ORM objects:
    a file may hold hundreds of thousands). Dates and currencies repeat across a file, so each
    distinct text is parsed once; a text that fails is parsed again on every row it is on, so
    each of those rows reports its problem."""
    problems = ctx.problems
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
    if write and not problems:
        table = insert(Invoice.__table__)
        for start in range(0, len(new), _INSERT_CHUNK):  # tuples held, dicts only for a chunk at a time
            tick(Progress(start, len(new), f"Writing invoice {start + 1:,} of {len(new):,}"))
            session.execute(table, [dict(zip(_INVOICE_COLUMNS, r, strict=True))
                                    for r in new[start:start + _INSERT_CHUNK]])
    return len(new)


def _payments(session: Session, rows: list[_Row], ctx: _Context, write: bool, tick: Tick) -> int:
    problems = ctx.problems
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
    if problems or not write:
        return len(todo)
    for i, (row, args) in enumerate(todo):  # in file order: the allocation of each row sees the ones before it
        if not i % 200:
            tick(Progress(i, len(todo), f"Recording payment {i + 1:,} of {len(todo):,}"))
        try:
            record_payment(session, args.pop("customer_id"), args.pop("pay_date"),
                           args.pop("amount_minor"), args.pop("currency"), **args)
        except PaymentError as exc:
            row.fail("", str(exc))
    return len(todo)


_IMPORTERS: dict[str, Callable[[Session, list[_Row], _Context, bool, Tick], int]] = {
    "customers": _customers,
    "invoices": _invoices,
    "payments": _payments,
}


def _check(session: Session, kind: str, path: Path, fmt: CsvFormat | None, fields: Sequence[str | None] | None,
           write: bool, report: Report | None, should_cancel: ShouldCancel | None) -> tuple[_Context, list[_Row], int]:
    if kind not in _IMPORTERS:
        raise ValueError(f"unknown import kind {kind!r}")
    path = Path(path)
    ctx = _Context(path.name, fmt)
    rows = _read(ctx, path, kind, fmt, fields, report, should_cancel)

    def tick(progress: Progress) -> None:
        _tick(report, should_cancel, progress)

    tick(Progress(0, None, f"Checking {len(rows):,} rows"))
    count = _IMPORTERS[kind](session, rows, ctx, write, tick)  # writes only when no row has a problem
    return ctx, rows, count


def import_csv(session: Session, kind: str, path: Path, fmt: CsvFormat | None = None,
               fields: Sequence[str | None] | None = None, *, report: Report | None = None,
               should_cancel: ShouldCancel | None = None) -> ImportResult:
    """Validate every row of `path`, then write them all, or raise Rejected and write nothing.

    `fmt` says how the file is written (None: the app's own format); `fields` gives the field of
    each file column ("" not imported, None refused as unknown; None: the header names the
    fields). With `should_cancel`, Cancelled may be raised part-way. The caller commits (or rolls
    back for a dry run, a refusal or a cancellation)."""
    try:
        ctx, _rows, count = _check(session, kind, path, fmt, fields, True, report, should_cancel)
        if ctx.problems:
            raise Rejected(sorted(ctx.problems, key=lambda p: p.row or 0))
        record_import(session, kind, Path(path).name, count, (r.values for r in _rows))
        session.flush()
    except IntegrityError as exc:
        raise Rejected([Problem(f"the database refused the rows: {exc.orig}", Path(path).name)]) from exc
    return ImportResult(kind, count)


@dataclass
class Preview:
    """Every row of a file as it would be imported, with its problems; nothing is written."""

    kind: str
    file: str
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # (row number, field -> text)
    problems: dict[int, list[Problem]] = field(default_factory=dict)  # row number -> its problems
    file_problems: list[Problem] = field(default_factory=list)  # the header's, or the whole file's

    @property
    def bad(self) -> int:
        return len(self.problems)

    @property
    def good(self) -> int:
        return len(self.rows) - self.bad

    @property
    def ready(self) -> bool:
        return bool(self.rows) and not self.problems and not self.file_problems

    def all_problems(self) -> list[Problem]:
        return self.file_problems + [p for n in sorted(self.problems) for p in self.problems[n]]


def preview_csv(session: Session, kind: str, path: Path, fmt: CsvFormat | None = None,
                fields: Sequence[str | None] | None = None, *, report: Report | None = None,
                should_cancel: ShouldCancel | None = None) -> Preview:
    """Read and check every row as `import_csv` would, and write nothing: each row with its
    problems (rows with the wrong number of fields are shown as read)."""
    path = Path(path)
    preview = Preview(kind, path.name)
    try:
        ctx, rows, _count = _check(session, kind, path, fmt, fields, False, report, should_cancel)
    except Rejected as exc:
        preview.file_problems = list(exc.problems)
        return preview
    names = [f for f in (fields or []) if f]
    shown = [(r.number, r.values) for r in rows]
    shown += [(n, dict(zip(names or SPECS[kind].columns, record, strict=False))) for n, record in ctx.broken]
    preview.rows = sorted(shown, key=lambda r: r[0]) if ctx.broken else shown
    for problem in ctx.problems:
        if problem.row is None or problem.row == 1:
            preview.file_problems.append(problem)
        else:
            preview.problems.setdefault(problem.row, []).append(problem)
    return preview
