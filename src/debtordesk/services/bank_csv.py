"""Bank CSV exports: every bank writes its own, so the user says which column is which (with a
guess from the header to start from). How the file is written — encoding, delimiter, decimal comma,
date format — is detected and read by the CSV import's own machinery (domain.csvformat's CsvFormat,
services.import_format); amounts come from one signed column or from separate money-in and
money-out columns."""

from __future__ import annotations

import csv
import re
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from debtordesk.domain.bank import BankLine, BankStatement, clean_account, one_line, with_keys
from debtordesk.domain.csvformat import CsvFormat, date_parser, guess_date_format, guess_decimal_comma
from debtordesk.domain.csvformat import parse_money as parse_plain_money
from debtordesk.domain.dates import DateError
from debtordesk.domain.money import MoneyError, check_currency
from debtordesk.domain.problems import Problem, Rejected
from debtordesk.services.import_format import detect_format, not_text, open_text

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
COLUMN_ROLES = ("date", "amount", "credit", "debit", "name", "iban", "text", "currency_column")


@dataclass(frozen=True)
class BankCsvMapping:
    """How to read a bank CSV file. Columns are named by their header; "" means none."""

    format: CsvFormat = field(default_factory=CsvFormat)
    date: str = ""
    amount: str = ""  # a signed amount: money in positive
    credit: str = ""  # or money in and money out in two columns
    debit: str = ""
    name: str = ""
    iban: str = ""
    text: str = ""
    currency_column: str = ""
    currency: str = "EUR"  # when there is no currency column

    def to_json(self) -> dict:
        return {**{k: v for k, v in asdict(self).items() if k != "format"}, "format": self.format.to_json()}

    @classmethod
    def from_json(cls, data: dict) -> BankCsvMapping:
        names = {f.name for f in fields(cls)} - {"format"}
        return cls(format=CsvFormat.from_json(data.get("format") or {}),
                   **{k: str(v) for k, v in data.items() if k in names})


@dataclass
class CsvPreview:
    header: list[str]
    rows: list[list[str]]  # the first rows after the header
    guess: BankCsvMapping
    notes: list[str] = field(default_factory=list)  # what the detection was not sure of


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.casefold().replace("ä", "ae").replace("ü", "ue").replace("ö", "oe"))


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


_AROUND = re.compile(r"^(?:[A-Z]{3}|[^\w\s+\-(.,])\s*|\s*(?:[A-Z]{3}|CR|[^\w\s)\-.,])$")


def parse_money(text: str, currency: str, decimal_comma: bool) -> int:
    """Minor units from an amount as banks write it: the CSV import's amounts ('1.234,56', '-12.50'),
    also with a currency sign or code around it ('€ 12,50', '12.50 GBP'), a trailing minus ('45,00-')
    or in brackets ('(45.00)') for money out."""
    raw = (text or "").strip()
    body = _AROUND.sub("", raw)
    negative = body.endswith("-") or (body.startswith("(") and body.endswith(")"))
    if negative:
        body = body.strip("()").rstrip("-").strip()
        if body.startswith(("-", "+")):
            raise MoneyError(f"'{raw}' is not an amount")
    try:
        minor = parse_plain_money(body, currency, decimal_comma)
    except MoneyError as exc:
        raise MoneyError(str(exc).replace(f"'{body}'", f"'{raw}'")) from None
    return -minor if negative else minor


def preview(path: Path, base_currency: str = "EUR", rows: int = 8, delimiter: str | None = None) -> CsvPreview:
    """The file's header and first rows with a guessed mapping (columns split by `delimiter` when
    given), or Rejected when it has no rows."""
    path = Path(path)
    found = detect_format(path, delimiter=delimiter)
    header, body = found.header, found.rows
    if not body:
        raise Rejected([Problem("has no rows under its header, so there is nothing to import", path.name)])
    taken: set[str] = set()
    cols: dict[str, str] = {}
    for role in ("date", "credit", "debit", "amount", "currency", "iban", "name", "text"):
        cols[role] = _column(header, role, taken)
        taken.add(cols[role])
    if cols["credit"] and cols["debit"]:
        cols["amount"] = ""
    else:
        cols["credit"] = cols["debit"] = ""
    fmt = found.format
    at = {h: i for i, h in enumerate(header)}
    money = [r[at[c]] for r in body for c in (cols["amount"], cols["credit"], cols["debit"])
             if c and at[c] < len(r) and r[at[c]].strip()]
    if money:
        fmt = fmt.but(decimal_comma=guess_decimal_comma(money).decimal_comma)
    dates = [r[at[cols["date"]]] for r in body if cols["date"] and at[cols["date"]] < len(r)]
    if dates and guess_date_format(dates).parsed:
        fmt = fmt.but(date_format=guess_date_format(dates).code)
    notes = [n.text for n in found.notes if not n.sure]
    if not cols["date"]:
        notes.append("No date column was recognised: choose it.")
    if not (cols["amount"] or cols["credit"]):
        notes.append("No amount column was recognised: choose it.")
    guess = BankCsvMapping(fmt, cols["date"], cols["amount"], cols["credit"], cols["debit"], cols["name"],
                           cols["iban"], cols["text"], cols["currency"], base_currency)
    return CsvPreview(header, body[:rows], guess, notes)


def read_bank_csv(path: Path, mapping: BankCsvMapping) -> BankStatement:
    """Every row of the file as a line, or Rejected listing each row that cannot be read (by the
    row number a spreadsheet shows, the header being row 1)."""
    path = Path(path)
    name, fmt = path.name, mapping.format
    with open_text(path, fmt) as handle:
        try:
            records = list(csv.reader(handle, delimiter=fmt.delimiter))
        except UnicodeDecodeError as exc:
            raise not_text(path, fmt) from exc
        except csv.Error as exc:
            raise Rejected([Problem(f"is not a readable CSV file ({exc})", name)]) from None
    if not records:
        raise Rejected([Problem("is empty", name)])
    header = [h.strip() for h in records[0]]
    problems = _check_mapping(mapping, header, name)
    if problems:
        raise Rejected(problems)
    col = {h: i for i, h in enumerate(header)}
    read_date = date_parser(fmt.date_format)
    lines: list[BankLine] = []

    def cell(values: list[str], column: str) -> str:
        return values[col[column]].strip() if column and col[column] < len(values) else ""

    for n, values in enumerate(records[1:], 2):
        if not any(v.strip() for v in values):
            continue
        try:
            currency = check_currency(cell(values, mapping.currency_column) or mapping.currency)
        except MoneyError as exc:
            problems.append(Problem(str(exc), name, n, mapping.currency_column))
            continue
        try:
            booked = read_date(cell(values, mapping.date))
        except DateError as exc:
            problems.append(Problem(str(exc), name, n, mapping.date))
            continue
        column = mapping.amount
        try:
            if mapping.amount:
                minor = parse_money(cell(values, mapping.amount), currency, fmt.decimal_comma)
            else:
                money_in, money_out = cell(values, mapping.credit), cell(values, mapping.debit)
                if money_in and money_out:
                    raise MoneyError("money in and money out are both filled; one of them must be empty")
                raw, column, sign = (money_in, mapping.credit, 1) if money_in else (money_out, mapping.debit, -1)
                minor = sign * abs(parse_money(raw, currency, fmt.decimal_comma))
        except MoneyError as exc:
            problems.append(Problem(str(exc), name, n, column))
            continue
        if minor == 0:
            continue  # a zero line (a note from the bank) is no transaction
        lines.append(BankLine(booked, minor, currency, one_line(cell(values, mapping.name))[:200],
                              clean_account(cell(values, mapping.iban))[:34], one_line(cell(values, mapping.text)),
                              "", "", "csv"))
    if problems:
        raise Rejected(problems)
    if not lines:
        raise Rejected([Problem("has no transactions in it", name)])
    return BankStatement(name, "csv", with_keys(lines))


def _check_mapping(m: BankCsvMapping, header: list[str], file_name: str) -> list[Problem]:
    out = []
    if not m.date:
        out.append(Problem("choose the column with the booking date", file_name))
    if not m.amount and not (m.credit and m.debit):
        out.append(Problem("choose the amount column, or both the money-in and money-out columns", file_name))
    for role in COLUMN_ROLES:
        column = getattr(m, role)
        if column and column not in header:
            out.append(Problem(f"has no column '{column}'", file_name, 1))
    return out
