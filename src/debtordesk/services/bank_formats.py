"""Reading bank statements: the format told by the file's contents, then CAMT.053 (pycamt),
MT940 (mt-940) and OFX (ofxparse) read into `domain.bank.BankLine`s. Bank CSV exports need the
user's column mapping and are read by services.bank_csv.

Every refusal is a `Rejected` naming the file and what is wrong; nothing is ever written here.
"""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from debtordesk.domain.bank import BankLine, BankStatement, clean_account, one_line, to_minor, with_keys
from debtordesk.domain.money import MoneyError, check_currency
from debtordesk.domain.problems import Problem, Rejected

MAX_BYTES = 50 * 1024 * 1024
FORMAT_NAMES = {"camt053": "CAMT.053 (XML)", "mt940": "MT940", "ofx": "OFX", "csv": "CSV"}


def refuse(file_name: str, message: str, row: int | None = None) -> Rejected:
    return Rejected([Problem(message, file_name, row)])


def read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise refuse(path.name, f"is {size // (1024 * 1024)} MB; a bank statement is never that big, "
                                    "so this is probably not one")
        return path.read_bytes()
    except OSError as exc:
        raise refuse(path.name, f"cannot be read ({exc.strerror or exc})") from exc


def decode(data: bytes) -> str:
    """UTF-8 (a byte-order mark is dropped), else Windows-1252, which every byte decodes in."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def detect_format(data: bytes) -> str | None:
    """camt053, mt940, ofx or csv from what the file holds (never from its name); None when it is
    none of them (empty, binary, or another kind of XML)."""
    head = decode(data[:8192]).lstrip()
    if not head:
        return None
    if head.startswith("<"):
        if "camt.053" in head:
            return "camt053"
        if re.search(r"<OFX>", head, re.IGNORECASE):
            return "ofx"
        return None
    if head.startswith("OFXHEADER") or re.search(r"<OFX>", head, re.IGNORECASE):
        return "ofx"
    if re.search(r"^:20:", head, re.MULTILINE) and re.search(r"^:(61|60[FM]|25):", head, re.MULTILINE):
        return "mt940"
    if "\x00" in head:
        return None
    return "csv"


def read_statement(path: Path, data: bytes | None = None) -> BankStatement:
    """The statement in `path` (a CAMT.053, MT940 or OFX file). A CSV file needs its mapping:
    read it with services.bank_csv.read_bank_csv."""
    name = path.name
    data = read_bytes(path) if data is None else data
    kind = detect_format(data)
    if kind is None:
        raise refuse(name, "is not a bank statement DebtorDesk can read (CAMT.053 XML, MT940, OFX or CSV)")
    if kind == "csv":
        raise refuse(name, "is a CSV file: choose its columns first")
    reader = {"camt053": _read_camt, "mt940": _read_mt940, "ofx": _read_ofx}[kind]
    lines, ids = reader(name, data)
    if not lines:
        raise refuse(name, f"is a {FORMAT_NAMES[kind]} file with no transactions in it")
    return BankStatement(name, kind, with_keys(lines, ids))


def _amount(name: str, where: str, value, currency: str) -> int:
    try:
        return to_minor(value if isinstance(value, Decimal) else Decimal(str(value).strip()), currency)
    except (InvalidOperation, MoneyError, ValueError):
        raise refuse(name, f"{where}: '{value}' is not an amount in {currency}") from None


def _currency(name: str, where: str, code) -> str:
    try:
        return check_currency(str(code or ""))
    except MoneyError:
        raise refuse(name, f"{where}: '{code or ''}' is not a currency code") from None


def _date(name: str, where: str, text) -> date:
    try:
        return date.fromisoformat(str(text or "")[:10])
    except ValueError:
        raise refuse(name, f"{where}: '{text or ''}' is not a booking date") from None


# --- CAMT.053 -----------------------------------------------------------------------------------


def _read_camt(name: str, data: bytes) -> tuple[list[BankLine], list[str | None]]:
    """pycamt reads the entries; an entry with one transaction (or none detailed) takes the entry's
    own amount, which is the amount booked (a transaction's first <Amt> may be an instructed amount in
    another currency). An entry that batches several transactions gives one line per transaction when
    their amounts add up to the entry's, else one line for the whole entry."""
    from lxml import etree
    from pycamt.parser import Camt053ParseError, Camt053Parser

    try:
        parser = Camt053Parser(data)
        rows = parser.get_transactions()
    except etree.XMLSyntaxError as exc:
        raise refuse(name, f"is not well-formed XML ({exc.msg}, line {exc.lineno})") from None
    except Camt053ParseError:
        raise refuse(name, "is a CAMT.053 file without any statement (<Stmt>) in it") from None
    except (AttributeError, ValueError) as exc:
        raise refuse(name, f"is a CAMT.053 file DebtorDesk cannot read ({exc})") from None
    ns = parser.namespaces
    lines: list[BankLine] = []
    ids: list[str | None] = []
    pos = 0
    for n, entry in enumerate(parser.tree.iterfind(".//Ntry", ns), 1):
        count = max(1, sum(len(d.findall(".//TxDtls", ns)) for d in entry.findall(".//NtryDtls", ns)))
        group, pos = rows[pos:pos + count], pos + count
        where = f"entry {n}"
        amt = entry.find("./Amt", ns)
        if amt is None:
            raise refuse(name, f"{where} has no amount")
        status = group[0].get("Status")
        if status not in (None, "BOOK"):
            continue  # pending or for information: not booked, so not on the statement yet
        currency = _currency(name, where, amt.get("Ccy"))
        sign = -1 if group[0].get("CreditDebitIndicator") == "DBIT" else 1
        entry_minor = _amount(name, where, amt.text, currency)
        parts = [_amount(name, where, g["Amount"], currency) if g.get("Amount") else None for g in group]
        split = count > 1 and None not in parts and sum(parts) == entry_minor
        common = group[0]
        account = clean_account(common.get("AccountIBAN") or _other_account(entry, ns))
        booked = _date(name, where, common.get("BookingDate") or common.get("ValueDate"))
        ref = common.get("TransactionID") or ""
        for i, g in enumerate(group if split else [_whole(group)]):
            g_sign = (-1 if g.get("CreditDebitIndicator") == "DBIT" else 1) if split else sign
            credit = g_sign > 0
            who = g.get("DebtorName") if credit else g.get("CreditorName")
            iban = g.get("DebtorIBAN") if credit else g.get("CreditorIBAN")
            text = g.get("RemittanceInformationFull") or g.get("RemittanceInformation") or ""
            if g.get("RemittanceInformation") and g.get("RemittanceInformation") not in text:
                text = f"{text} {g['RemittanceInformation']}"  # a structured creditor reference
            text = text or common.get("AdditionalEntryInformation") or ""
            minor = parts[i] if split else entry_minor
            lines.append(BankLine(booked, g_sign * minor, currency, one_line(who or "")[:200],
                                  clean_account(iban or "")[:34], one_line(text), ref[:100], account[:34], "camt053"))
            ids.append(f"{ref}/{i + 1}" if ref and split else ref or None)
    if pos != len(rows):
        raise refuse(name, "could not be read entry by entry (its transactions do not add up)")
    return lines, ids


def _whole(group: list[dict]) -> dict:
    """One line for a batch entry whose transactions cannot be told apart."""
    first = dict(group[0])
    if len(group) > 1:
        texts = [g.get("RemittanceInformationFull") or g.get("RemittanceInformation") or "" for g in group]
        first["RemittanceInformationFull"] = "; ".join(t for t in texts if t)
        first["RemittanceInformation"] = ""
    return first


def _other_account(entry, ns) -> str:
    stmt = entry.getparent()
    other = stmt.find("./Acct/Id/Othr/Id", ns) if stmt is not None else None
    return other.text or "" if other is not None else ""


# --- MT940 --------------------------------------------------------------------------------------

_CODEWORD_RE = re.compile(r"/(NAME|IBAN|REMI|ACCW|BENM|ORDP)/+([^/]*)")


def _read_mt940(name: str, data: bytes) -> tuple[list[BankLine], list[str | None]]:
    import mt940

    text = decode(data).replace("\r\n", "\n").replace("\r", "\n")
    statements = mt940.models.Transactions(options=mt940.Options.all())
    try:
        statements.parse(text)
    except Exception as exc:  # the library raises what it meets (ValueError, KeyError, RuntimeError ...)
        raise refuse(name, f"is an MT940 file DebtorDesk cannot read ({exc})") from None
    account = clean_account(str(statements.data.get("account_identification") or ""))
    lines: list[BankLine] = []
    for n, tx in enumerate(statements, 1):
        d = tx.data
        where = f"transaction {n} (:61:)"
        amount = d.get("amount")
        if amount is None or d.get("date") is None:
            raise refuse(name, f"{where} has no amount or date")
        currency = _currency(name, where, getattr(amount, "currency", None) or d.get("currency"))
        minor = _amount(name, where, amount.amount, currency)
        booked = d.get("entry_date") or d.get("date")
        who = d.get("applicant_name") or ""
        iban = d.get("applicant_iban") or d.get("gvc_applicant_iban") or ""
        remittance = d.get("purpose") or ""
        details = d.get("transaction_details")  # left when :86: is free text, not ?-structured
        if details:
            words = {k: v.strip() for k, v in _CODEWORD_RE.findall(details.replace("\n", ""))}
            who = who or words.get("NAME", "")
            iban = iban or words.get("IBAN", "")
            remittance = remittance or words.get("REMI", "") or details
        customer_ref = d.get("customer_reference") or ""
        ref = d.get("bank_reference") or (customer_ref if customer_ref != "NONREF" else "")
        lines.append(BankLine(date(booked.year, booked.month, booked.day), minor, currency, one_line(who)[:200],
                              clean_account(iban)[:34], one_line(remittance), str(ref)[:100], account[:34], "mt940"))
    return lines, [None] * len(lines)  # MT940 references are not unique: lines are known by their contents


# --- OFX ----------------------------------------------------------------------------------------


def _read_ofx(name: str, data: bytes) -> tuple[list[BankLine], list[str | None]]:
    from ofxparse import OfxParser
    from ofxparse.ofxparse import OfxParserException

    try:
        ofx = OfxParser.parse(io.BytesIO(data))
    except (OfxParserException, ValueError, TypeError, AttributeError, IndexError, KeyError) as exc:
        raise refuse(name, f"is an OFX file DebtorDesk cannot read ({exc})") from None
    lines: list[BankLine] = []
    ids: list[str | None] = []
    for account in ofx.accounts:
        statement = getattr(account, "statement", None)
        if statement is None:
            continue
        ours = clean_account("/".join(x for x in (getattr(account, "routing_number", ""), account.account_id) if x))
        currency = _currency(name, "the statement (CURDEF)", (getattr(statement, "currency", "") or "").upper())
        for n, tx in enumerate(statement.transactions, 1):
            where = f"transaction {n} ({tx.id or 'no FITID'})"
            if tx.date is None:
                raise refuse(name, f"{where} has no date (DTPOSTED)")
            minor = _amount(name, where, tx.amount, currency)
            lines.append(BankLine(tx.date.date(), minor, currency, one_line(tx.payee or "")[:200], "",
                                  one_line(tx.memo or ""), str(tx.id or "")[:100], ours[:34], "ofx"))
            ids.append(str(tx.id) if tx.id else None)
    return lines, ids
