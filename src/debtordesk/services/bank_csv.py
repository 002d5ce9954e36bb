"""Bank CSV exports: every bank writes its own, so the user says which column is which (with a
guess from the header to start from), how the columns are separated, whether amounts have a
decimal comma and how dates are written. Amounts come from one signed column or from separate
money-in and money-out columns.

The file's format is guessed from its first rows here (kept small and self-contained; the same
format codes as domain.csvformat's CsvFormat, so the two can meet)."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date

from debtordesk.domain.bank import BankLine, BankStatement, clean_account, one_line, to_minor, with_keys
from debtordesk.domain.money import MoneyError, check_currency
from debtordesk.domain.problems import Problem, Rejected
from debtordesk.services.bank_formats import decode

DELIMITERS = {",": "Comma", ";": "Semicolon", "\t": "Tab", "|": "Vertical bar"}
DATE_FORMATS = {"iso": "YYYY-MM-DD", "dd/mm/yyyy": "DD/MM/YYYY", "mm/dd/yyyy": "MM/DD/YYYY",
                "dd.mm.yyyy": "DD.MM.YYYY", "dd-mm-yyyy": "DD-MM-YYYY", "dd.mm.yy": "DD.MM.YY"}
_DATE_RES = {
    "iso": (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})"), "ymd"),
    "dd/mm/yyyy": (re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$"), "dmy"),
    "mm/dd/yyyy": (re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$"), "mdy"),
    "dd.mm.yyyy": (re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$"), "dmy"),
    "dd-mm-yyyy": (re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$"), "dmy"),
    "dd.mm.yy": (re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{2})$"), "dmy"),
}
# which header words suggest which column (compared without case, spaces and punctuation)
_HINTS = {
    "date": ("bookingdate", "bookeddate", "buchungstag", "buchungsdatum", "date", "datum", "transactiondate",
             "posted", "postingdate", "valuedate", "valuta", "wertstellung"),
    "amount": ("amount", "betrag", "value", "montant", "bedrag", "umsatz"),
    "credit": ("moneyin", "paidin", "credit", "credits", "haben", "gutschrift", "incoming", "deposit"),
    "debit": ("moneyout", "paidout", "debit", "debits", "soll", "lastschrift", "outgoing", "withdrawal"),
    "name": ("payer", "counterparty", "name", "payee", "beguenstigterzahlungspflichtiger",
             "zahlungspflichtiger", "auftraggeber", "empfaenger", "beguenstigter", "partner", "from"),
    "iban": ("iban", "counterpartyiban", "accountnumber", "kontonummer"),
    "text": ("details", "reference", "description", "verwendungszweck", "memo", "narrative", "text",
             "remittance", "purpose", "libelle", "omschrijving"),
    "currency": ("currency", "waehrung", "wahrung", "ccy", "devise"),
}


@dataclass(frozen=True)
class BankCsvMapping:
    """How to read a bank CSV file. Columns are named by their header; "" means none."""

    delimiter: str = ","
    decimal_comma: bool = False
    date_format: str = "iso"
    date: str = ""
    amount: str = ""  # a signed amount: money in positive
    credit: str = ""  # or money in and money out in two columns (both as positive figures)
    debit: str = ""
    name: str = ""
    iban: str = ""
    text: str = ""
    currency_column: str = ""
    currency: str = "EUR"  # when there is no currency column


@dataclass
class CsvPreview:
    header: list[str]
    rows: list[list[str]]  # the first rows after the header
    guess: BankCsvMapping
    notes: list[str] = field(default_factory=list)


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.casefold().replace("ä", "ae").replace("ü", "ue").replace("ö", "oe"))


def _records(text: str, delimiter: str) -> list[list[str]]:
    try:
        return [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) if any(c.strip() for c in r)]
    except csv.Error:
        return []


def _guess_delimiter(text: str) -> str:
    best, best_score = ",", (0, 0.0)
    for d in DELIMITERS:
        rows = _records(text, d)[:50]
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        score = (1, sum(len(r) == width for r in rows) / len(rows) + width / 1000)
        if score > best_score:
            best, best_score = d, score
    return best


def _column(header: list[str], role: str, taken: set[str]) -> str:
    keys = {h: _key(h) for h in header if h not in taken}
    for hint in _HINTS[role]:  # exact header first, then a header containing the hint
        for h, k in keys.items():
            if k == hint:
                return h
    for hint in _HINTS[role]:
        for h, k in keys.items():
            if hint in k:
                return h
    return ""


def parse_date(text: str, code: str) -> date:
    pattern, order = _DATE_RES[code]
    m = pattern.match((text or "").strip())
    if m is None:
        raise ValueError(f"'{text}' is not a date written {DATE_FORMATS[code]}")
    a, b, c = (int(g) for g in m.groups())
    y, mo, d = {"ymd": (a, b, c), "dmy": (c, b, a), "mdy": (c, a, b)}[order]
    if y < 100:
        y += 2000
    try:
        return date(y, mo, d)
    except ValueError:
        raise ValueError(f"'{text}' is not a real calendar date") from None


_AROUND = re.compile(r"^(?:[A-Z]{3}|[^\w\s+\-(.,])\s*|\s*(?:[A-Z]{3}|CR|[^\w\s)\-.,])$")


def parse_money(text: str, currency: str, decimal_comma: bool) -> int:
    """'1.234,56' (decimal comma) or '1,234.56' into minor units, exactly; signs and a currency
    symbol or code around the figure are allowed, nothing else."""
    raw = (text or "").strip()
    body = _AROUND.sub("", raw)  # '£', 'EUR', ' CR' around the figure
    negative = body.startswith("-") or body.endswith("-") or (body.startswith("(") and body.endswith(")"))
    body = body.strip("+-() ")
    point, group = (",", ".") if decimal_comma else (".", ",")
    if not re.fullmatch(rf"\d{{1,3}}(?:[{re.escape(group)} '\u00a0]\d{{3}})*(?:{re.escape(point)}\d+)?"
                        rf"|\d+(?:{re.escape(point)}\d+)?", body):
        mark = "decimal comma (1.234,56)" if decimal_comma else "decimal point (1,234.56)"
        raise MoneyError(f"'{raw}' is not an amount written with a {mark}")
    plain = re.sub(rf"[{re.escape(group)} '\u00a0]", "", body).replace(point, ".")
    minor = to_minor(plain, currency)
    return -minor if negative else minor


def preview(data: bytes, file_name: str, base_currency: str = "EUR", rows: int = 8) -> CsvPreview:
    """The file's header and first rows with a guessed mapping, or Rejected when it has no rows."""
    text = decode(data)
    delimiter = _guess_delimiter(text[:20000])
    records = _records(text, delimiter)
    if len(records) < 2:
        raise Rejected([Problem("has no rows under its header, so there is nothing to import", file_name)])
    header = [h.strip() for h in records[0]]
    taken: set[str] = set()
    found = {}
    for role in ("date", "credit", "debit", "amount", "currency", "iban", "name", "text"):
        col = _column(header, role, taken)
        if col:
            taken.add(col)
        found[role] = col
    if found["credit"] and found["debit"]:
        found["amount"] = ""
    else:
        found["credit"] = found["debit"] = ""
    body = records[1:]
    notes = []
    money_cols = [header.index(c) for c in (found["amount"], found["credit"], found["debit"]) if c]
    amounts = [r[i] for r in body[:200] for i in money_cols if i < len(r) and r[i].strip()]
    comma = sum(bool(re.search(r",\d{1,2}\s*$", a)) for a in amounts)
    point = sum(bool(re.search(r"\.\d{1,2}\s*$", a)) for a in amounts)
    at = header.index(found["date"]) if found["date"] else None
    dates = [r[at] for r in body[:200] if at is not None and at < len(r)]
    fmt = next((code for code in DATE_FORMATS if dates and all(_parses(d, code) for d in dates)), "iso")
    if not dates:
        notes.append("No date column was recognised: choose it.")
    if not money_cols:
        notes.append("No amount column was recognised: choose it.")
    guess = BankCsvMapping(delimiter, comma > point, fmt, found["date"], found["amount"], found["credit"],
                           found["debit"], found["name"], found["iban"], found["text"], found["currency"],
                           base_currency)
    return CsvPreview(header, body[:rows], guess, notes)


def _parses(text: str, code: str) -> bool:
    try:
        parse_date(text, code)
    except ValueError:
        return False
    return True


def read_bank_csv(data: bytes, file_name: str, mapping: BankCsvMapping) -> BankStatement:
    """Every row of the file as a line, or Rejected listing each row that cannot be read (by the
    row number a spreadsheet shows, the header being row 1)."""
    text = decode(data)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=mapping.delimiter))
    except csv.Error as exc:
        raise Rejected([Problem(f"is not a readable CSV file ({exc})", file_name)]) from None
    if not records:
        raise Rejected([Problem("is empty", file_name)])
    header = [h.strip() for h in records[0]]
    problems = _check_mapping(mapping, header, file_name)
    if problems:
        raise Rejected(problems)
    col = {h: i for i, h in enumerate(header)}
    lines: list[BankLine] = []

    def cell(values: list[str], name: str) -> str:
        return values[col[name]].strip() if name and col[name] < len(values) else ""

    for n, values in enumerate(records[1:], 2):
        if not any(v.strip() for v in values):
            continue
        try:
            currency = check_currency(cell(values, mapping.currency_column) or mapping.currency)
        except MoneyError as exc:
            problems.append(Problem(str(exc), file_name, n, mapping.currency_column))
            continue
        try:
            booked = parse_date(cell(values, mapping.date), mapping.date_format)
        except ValueError as exc:
            problems.append(Problem(str(exc), file_name, n, mapping.date))
            continue
        try:
            if mapping.amount:
                minor = parse_money(cell(values, mapping.amount), currency, mapping.decimal_comma)
            else:
                money_in, money_out = cell(values, mapping.credit), cell(values, mapping.debit)
                if money_in and money_out:
                    raise MoneyError("a row has money in and money out both filled; one of them must be empty")
                raw, column, sign = (money_in, mapping.credit, 1) if money_in else (money_out, mapping.debit, -1)
                minor = sign * abs(parse_money(raw, currency, mapping.decimal_comma))
        except MoneyError as exc:
            problems.append(Problem(str(exc), file_name, n, mapping.amount or mapping.credit))
            continue
        if minor == 0:
            continue  # a zero line (a note from the bank) is no transaction
        lines.append(BankLine(booked, minor, currency, one_line(cell(values, mapping.name))[:200],
                              clean_account(cell(values, mapping.iban))[:34], one_line(cell(values, mapping.text)),
                              "", "", "csv"))
    if problems:
        raise Rejected(problems)
    if not lines:
        raise Rejected([Problem("has no transactions in it", file_name)])
    return BankStatement(file_name, "csv", with_keys(lines))


def _check_mapping(m: BankCsvMapping, header: list[str], file_name: str) -> list[Problem]:
    out = []
    if not m.date:
        out.append(Problem("choose the column with the booking date", file_name))
    if not m.amount and not (m.credit and m.debit):
        out.append(Problem("choose the amount column, or both the money-in and money-out columns", file_name))
    for name in (m.date, m.amount, m.credit, m.debit, m.name, m.iban, m.text, m.currency_column):
        if name and name not in header:
            out.append(Problem(f"has no column '{name}'", file_name, 1))
    if m.date_format not in DATE_FORMATS:
        out.append(Problem(f"'{m.date_format}' is not a date format DebtorDesk knows", file_name))
    return out
