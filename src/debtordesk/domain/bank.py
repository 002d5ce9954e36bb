"""Bank-statement lines as plain data, and the pure rules for reading them: exact amounts, stable
line keys, payer names compared without case, punctuation or legal suffixes, and invoice numbers
spotted in the payment's text.

The parsers (services.bank_formats, services.bank_csv) turn each format into `BankLine`s; the
matching (services.bank_matching) works on these and never on a file.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal, InvalidOperation

from debtordesk.domain.money import MoneyError, minor_digits

SOURCES = {"camt053": "CAMT.053", "mt940": "MT940", "ofx": "OFX", "csv": "CSV"}
KEY_LENGTH = 100  # statement_line.line_key


@dataclass(frozen=True, slots=True)
class BankLine:
    """One line of a bank statement. `amount_minor` is signed: money in is positive."""

    booked_on: date
    amount_minor: int
    currency: str
    counterparty: str = ""
    counterparty_account: str = ""  # an IBAN or an account number, as the bank gave it (no spaces)
    remittance: str = ""  # what the payer wrote
    bank_reference: str = ""  # the bank's id of the transaction, where it gives one
    account: str = ""  # our account the statement is for
    source: str = ""  # camt053, mt940, ofx, csv
    line_key: str = ""  # set by `with_keys`
    position: int = 0  # 1-based place in the file

    @property
    def is_credit(self) -> bool:
        return self.amount_minor > 0


@dataclass(frozen=True, slots=True)
class BankStatement:
    file_name: str
    source: str
    lines: tuple[BankLine, ...]

    @property
    def source_name(self) -> str:
        return SOURCES.get(self.source, self.source)


def to_minor(value: Decimal | str, currency: str) -> int:
    """An exact decimal amount in minor units of `currency`; more decimals than it has is refused
    (never rounded: a bank amount is exact)."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        raise MoneyError(f"'{value}' is not an amount") from None
    if not amount.is_finite():
        raise MoneyError(f"'{value}' is not an amount")
    digits = minor_digits(currency)
    scaled = amount.scaleb(digits)
    if scaled != scaled.to_integral_value():
        raise MoneyError(f"'{value}' has more than {digits} decimal places for {currency}")
    return int(scaled)


def clean_account(text: str) -> str:
    """An IBAN or account number without spaces, in capitals ('gb29 nwbk…' -> 'GB29NWBK…')."""
    return re.sub(r"\s+", "", text or "").upper()


def one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def _fingerprint(line: BankLine) -> str:
    parts = (line.source, line.account, line.booked_on.isoformat(), str(line.amount_minor), line.currency,
             line.counterparty, line.counterparty_account, line.remittance, line.bank_reference)
    return "\x1f".join(parts)


def with_keys(lines: Iterable[BankLine], ids: Iterable[str | None] | None = None) -> tuple[BankLine, ...]:
    """The lines numbered from 1 with their keys: the bank's own id where it gives a stable one
    (`ids`, one per line, None where there is none), else a hash of the line's contents and its
    place among identical lines of the file — so the same file always gives the same keys, and
    two identical payments on one day stay two lines."""
    lines = list(lines)
    ids = list(ids) if ids is not None else [None] * len(lines)
    seen: dict[str, int] = {}
    out = []
    for n, (line, bank_id) in enumerate(zip(lines, ids, strict=True), 1):
        if bank_id:
            key = f"{line.source}:{line.account}:{bank_id}"
            if len(key) > KEY_LENGTH:
                key = f"{line.source}:id:" + hashlib.sha256(key.encode()).hexdigest()
        else:
            fp = _fingerprint(line)
            seen[fp] = seen.get(fp, 0) + 1
            key = f"{line.source}:h:" + hashlib.sha256(f"{fp}\x1e{seen[fp]}".encode()).hexdigest()
        out.append(replace(line, line_key=key, position=n))
    return tuple(out)


# --- payer names --------------------------------------------------------------------------------

LEGAL_SUFFIXES = frozenset({
    "ltd", "limited", "plc", "llp", "lp", "llc", "inc", "incorporated", "corp", "corporation", "co", "company",
    "gmbh", "mbh", "ag", "kg", "kgaa", "ohg", "ug", "ev", "eg", "gbr", "haftungsbeschrankt",
    "sa", "sas", "sarl", "sasu", "eurl", "bv", "nv", "vof", "srl", "spa", "sl", "ab", "as", "aps", "oy",
    "pty", "pte", "and", "the",
})


def normalise_name(name: str) -> str:
    """A name for comparing: no accents, no case, no punctuation, '&' read as 'and', and legal forms
    at the end left out ('ALDER AND CO LTD' and 'Alder & Co' both give 'alder')."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold().replace("&", " and ")
    text = re.sub(r"(?<=\b\w)\.(?=\w\b)", "", text)  # G.m.b.H. -> gmbh
    words = re.sub(r"[^\w]+", " ", text).split()
    core = list(words)
    while core and core[-1] in LEGAL_SUFFIXES:
        core.pop()
    while core and core[0] == "the":
        core.pop(0)
    return " ".join(core or words)


# --- invoice numbers in the payment's text ------------------------------------------------------

_TOKEN_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-/._#]*")
MAX_TOKENS = 40


def invoice_tokens(text: str) -> list[str]:
    """The words of `text` that could be an invoice number (they hold a digit), each also split at
    '/', ',' and ';' and stripped of trailing dots, in the order they appear; also in capitals."""
    found: list[str] = []

    def add(token: str) -> None:
        token = token.strip("._-/#")
        if token and any(ch.isdigit() for ch in token):
            for variant in (token, token.upper()):
                if variant not in found:
                    found.append(variant)

    for raw in _TOKEN_RE.findall(text or ""):
        add(raw)
        for part in re.split(r"[/#]", raw):
            add(part)
        if raw.startswith("#"):
            add(raw[1:])
    return found[:MAX_TOKENS]


# --- what a proposal is worth -------------------------------------------------------------------

HIGH, MEDIUM, LOW, NONE = 3, 2, 1, 0
CONFIDENCE_NAMES = {HIGH: "High", MEDIUM: "Medium", LOW: "Low", NONE: "None"}


def describe_difference(paid_minor: int, open_minor: int) -> str:
    """'' when the payment is the open amount, else whether it is a part payment or more."""
    if paid_minor == open_minor:
        return ""
    return "part payment" if paid_minor < open_minor else "overpayment"
