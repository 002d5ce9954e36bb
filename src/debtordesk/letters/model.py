"""The letter model: what a letter says, ready to lay out. Plain frozen data; every text is already
formatted by the caller (amounts, dates, references), so the layout never formats anything.

`letters.layout.render_pdf` turns a batch of `Letter`s into one PDF with the page set up by
`PageSetup` (paper size and the envelope window the recipient's address must show through).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

# paper key -> what the user reads
PAPERS: dict[str, str] = {
    "A4": "A4 (210 × 297 mm)",
    "Letter": "US Letter (8.5 × 11 in)",
}

# window key -> what the user reads
WINDOWS: dict[str, str] = {
    "din5008": "DIN 5008 form B (C5/C6 or DL window, 45 mm from the top)",
    "uk-dl": "UK DL window envelope (50 mm from the top)",
    "us-10": "US #10 window envelope (2 in from the top)",
}


@dataclass(frozen=True)
class Letterhead:
    """The sender as printed at the top of the first page."""

    name: str
    address_lines: tuple[str, ...] = ()
    contact_lines: tuple[str, ...] = ()  # phone, e-mail
    legal_lines: tuple[str, ...] = ()  # company no., VAT no.
    logo_path: str = ""  # PNG/JPG or ""; top right, at most 40 × 20 mm; an unreadable file is left out


@dataclass(frozen=True)
class Party:
    """The recipient: name, then the address lines (contact, street, postcode and city, country)."""

    name: str
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    """A table of already formatted cells; `align` holds 'l' or 'r' for each column."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    align: tuple[str, ...]
    title: str = ""
    total_row: tuple[str, ...] | None = None  # printed bold under a rule


@dataclass(frozen=True)
class EpcData:
    """What an EPC payment code (SEPA credit transfer) holds; see letters.epc."""

    name: str
    iban: str
    amount: Decimal
    text: str
    bic: str = ""


@dataclass(frozen=True)
class PaymentBlock:
    """The boxed 'how to pay' block: label/value lines and, for euro payments, a payment code."""

    title: str
    lines: tuple[tuple[str, str], ...]  # (label, value), e.g. ("IBAN", "GB33 BUKB 2020 1555 5555 55")
    epc: EpcData | None = None
    qr_caption: str = ""


@dataclass(frozen=True)
class SignatureField:
    """Where one party of an agreement signs: who for, a name already known (or ""), and the
    labels printed under the lines to fill in (e.g. "Name", "Place and date", "Signature")."""

    party: str  # e.g. "For Alder & Co"
    lines: tuple[str, ...]
    name: str = ""  # printed on the first line, e.g. "Jane Doe, Credit control"


@dataclass(frozen=True)
class Letter:
    """One letter. Page numbers restart for each letter of a batch."""

    letterhead: Letterhead
    recipient: Party
    place_date: str  # e.g. "24 November 2026"
    reference_lines: tuple[tuple[str, str], ...]  # (label, value): ("Our reference", "DD-2026-0001")
    subject: str
    paragraphs: tuple[str, ...]  # before the tables; a single "\n" is a line break
    parties: tuple[tuple[str, Party], ...] = ()  # (role, party) side by side after the paragraphs
    tables: tuple[Table, ...] = ()
    summary: tuple[tuple[str, str], ...] = ()  # (label, amount); the last line is the total, printed bold
    closing: tuple[str, ...] = ()  # paragraphs after the tables and the summary
    payment: PaymentBlock | None = None
    signature_lines: tuple[str, ...] = ()  # e.g. ("Yours sincerely", "", "Jane Doe", "Credit control")
    sign_fields: tuple[SignatureField, ...] = ()  # an agreement's places to sign, side by side, at the end
    footer_lines: tuple[str, ...] = ()  # small print at the bottom of every page
    page_label: str = "Page {page} of {pages}"
    continuation_label: str = ""  # short header on pages 2+, e.g. "Alder & Co — 24 November 2026"


@dataclass(frozen=True)
class PageSetup:
    """Paper size (a key of PAPERS) and envelope window (a key of WINDOWS)."""

    paper: str = "A4"
    window: str = "din5008"
