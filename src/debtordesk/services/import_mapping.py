"""Which column of a file feeds which field of an import: suggested from the header names (the
field names themselves, then common English and German synonyms), saved by name in the
database's settings with the file's format, and shipped presets for a generic accounting export.

A mapping is a list with one entry per file column: the field it feeds, or "" for a column that
is not imported."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from debtordesk.db.models import Setting
from debtordesk.domain.csvformat import CsvFormat
from debtordesk.domain.problems import UserError
from debtordesk.services.csvfiles import SPECS

NOT_IMPORTED = ""
KEY_PREFIX = "import.mapping."
MAX_NAME = 60

# field -> what a bookkeeper calls it
LABELS: dict[str, str] = {
    "ref": "Customer reference", "name": "Name", "email": "E-mail", "phone": "Phone", "address": "Address",
    "city": "City", "postcode": "Postcode", "country": "Country", "credit_limit": "Credit limit",
    "terms_days": "Payment terms (days)", "kind": "Business or consumer", "language": "Letter language",
    "number": "Invoice number", "customer_ref": "Customer reference", "issue_date": "Invoice date",
    "amount": "Amount", "due_date": "Due date", "currency": "Currency", "description": "Description",
    "date": "Payment date", "reference": "Payment reference", "invoice_number": "Invoice number",
    "method": "Payment method",
}
DATE_FIELDS = {"customers": (), "invoices": ("issue_date", "due_date"), "payments": ("date",)}
AMOUNT_FIELDS = {"customers": ("credit_limit",), "invoices": ("amount",), "payments": ("amount",)}

_CUSTOMER_REF = ("customer ref", "customer reference", "customer no", "customer number", "customer id",
                 "customer code", "customer", "account", "account no", "account number", "account code",
                 "client", "client no", "client id", "debtor", "debtor no", "kundennummer", "kunden nr",
                 "kundennr", "kunde nr", "kd nr", "debitor", "debitorennummer", "debitor nr", "konto",
                 "kontonummer")
_CURRENCY = ("currency", "curr", "ccy", "currency code", "wahrung", "waehrung", "wahrungscode")
_INVOICE_NUMBER = ("invoice no", "invoice number", "invoice", "invoice id", "invoice ref", "inv no", "document no",
                   "document number", "rechnungsnummer", "rechnung nr", "rechnungsnr", "rechnung", "re nr",
                   "belegnummer", "beleg nr", "belegnr")
SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "customers": {
        "ref": ("ref", "reference", "customer ref", "customer no", "customer number", "customer id", "customer code",
                "account", "account no", "account number", "account code", "code", "id", "client no", "debtor no",
                "kundennummer", "kunden nr", "kundennr", "kd nr", "debitor", "debitorennummer", "debitor nr",
                "konto", "kontonummer"),
        "name": ("name", "customer name", "customer", "company", "company name", "account name", "client",
                 "client name", "debtor", "name 1", "firma", "firmenname", "kunde", "kundenname", "name1"),
        "email": ("email", "e mail", "mail", "email address", "e mail address", "e mail adresse", "emailadresse"),
        "phone": ("phone", "telephone", "tel", "phone number", "telephone number", "mobile", "telefon",
                  "telefonnummer", "tel nr"),
        "address": ("address", "street", "address line 1", "street address", "adresse", "anschrift", "strasse",
                    "str", "strasse und hausnummer"),
        "city": ("city", "town", "ort", "stadt", "wohnort"),
        "postcode": ("postcode", "post code", "zip", "zip code", "postal code", "plz", "postleitzahl"),
        "country": ("country", "country code", "land", "landercode", "laenderkennzeichen", "land code"),
        "credit_limit": ("credit limit", "limit", "kreditlimit", "kreditrahmen"),
        "terms_days": ("terms", "terms days", "payment terms", "days", "zahlungsziel", "zahlungsziel tage",
                       "zahlungsbedingung tage"),
        "kind": ("kind", "type", "customer type", "kundenart", "kundentyp"),
        "language": ("language", "sprache", "korrespondenzsprache"),
    },
    "invoices": {
        "number": ("number", *_INVOICE_NUMBER),
        "customer_ref": _CUSTOMER_REF,
        "issue_date": ("issue date", "date", "invoice date", "issued", "document date", "datum", "rechnungsdatum",
                       "belegdatum"),
        "amount": ("amount", "total", "gross", "gross amount", "invoice total", "invoice amount", "amount due",
                   "total amount", "betrag", "gesamtbetrag", "brutto", "bruttobetrag", "summe", "rechnungsbetrag",
                   "endbetrag"),
        "due_date": ("due date", "due", "due on", "payment due", "fallig", "falligkeit", "fallig am",
                     "falligkeitsdatum", "faellig", "zahlbar bis"),
        "currency": _CURRENCY,
        "description": ("description", "details", "memo", "text", "narrative", "beschreibung", "bezeichnung",
                        "buchungstext"),
    },
    "payments": {
        "customer_ref": _CUSTOMER_REF,
        "date": ("date", "payment date", "paid on", "date paid", "value date", "received", "datum",
                 "zahlungsdatum", "valuta", "wertstellung", "buchungsdatum", "eingang", "zahlungseingang"),
        "amount": ("amount", "amount paid", "paid", "payment", "payment amount", "received amount", "betrag",
                   "zahlbetrag", "zahlung", "gezahlt"),
        "reference": ("reference", "payment reference", "bank reference", "payment ref", "referenz",
                      "verwendungszweck", "zahlungsreferenz"),
        "invoice_number": ("invoice number", *_INVOICE_NUMBER),
        "currency": _CURRENCY,
        "method": ("method", "payment method", "paid by", "zahlungsart", "zahlweise", "zahlungsweg"),
    },
}


def normalise(header: str) -> str:
    """'Fällig am' -> 'fallig am', 'E-Mail' -> 'e mail', 'customer_ref' -> 'customer ref'."""
    text = unicodedata.normalize("NFKD", header.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def field_for(kind: str, header: str) -> str | None:
    """The field a header names, by its exact name first, then by a synonym; None if it names none."""
    spec = SPECS[kind]
    if header.strip() in spec.columns:
        return header.strip()
    key = normalise(header)
    for name in spec.columns:
        if key == normalise(name):
            return name
    for name, words in SYNONYMS[kind].items():
        if key in words:
            return name
    return None


def suggest_mapping(kind: str, header: Sequence[str], unknown: str | None = NOT_IMPORTED) -> list:
    """One field per column, each field used once (the first column naming it wins); a column
    naming no field gets `unknown` ("" = not imported; the command line passes None = refused)."""
    exact = {i: h.strip() for i, h in enumerate(header) if h.strip() in SPECS[kind].columns}
    taken = set(exact.values())
    out: list = []
    for i, h in enumerate(header):
        if i in exact:
            out.append(exact[i])
            continue
        name = field_for(kind, h)
        if name is None or name in taken:
            out.append(unknown)
        else:
            out.append(name)
            taken.add(name)
    return out


def missing_required(kind: str, fields: Sequence[str | None]) -> list[str]:
    return [f for f in SPECS[kind].required if f not in fields]


# -- named mappings ----------------------------------------------------------------------------

@dataclass(frozen=True)
class SavedMapping:
    """A mapping by header name, with the format of the files it is for."""

    name: str
    kind: str
    format: CsvFormat
    columns: dict[str, str] = field(default_factory=dict)  # header -> field ("" not imported)
    preset: bool = False

    def fields_for(self, header: Sequence[str]) -> list[str]:
        """This mapping applied to a file's header: a column it names gets its field; any other
        column is suggested from its name as usual."""
        by_name = {normalise(h): f for h, f in self.columns.items()}
        suggested = suggest_mapping(self.kind, header)
        out = [by_name.get(normalise(h), s) for h, s in zip(header, suggested, strict=True)]
        seen: set[str] = set()
        for i, f in enumerate(out):  # a field named twice (one from the mapping, one suggested): keep the first
            if f and f in seen:
                out[i] = NOT_IMPORTED
            seen.add(f)
        return out

    def to_json(self) -> str:
        return json.dumps({"format": self.format.to_json(), "columns": self.columns}, ensure_ascii=False)


_EN = CsvFormat("utf-8-sig", ",", False, "iso")
_DE = CsvFormat("cp1252", ";", True, "dd.mm.yyyy")
_PRESET_COLUMNS: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    "customers": (
        {"Account": "ref", "Customer name": "name", "Email": "email", "Phone": "phone", "Address": "address",
         "City": "city", "Postcode": "postcode", "Country": "country", "Credit limit": "credit_limit",
         "Payment terms": "terms_days", "Balance": ""},
        {"Kundennummer": "ref", "Name": "name", "E-Mail": "email", "Telefon": "phone", "Straße": "address",
         "Ort": "city", "PLZ": "postcode", "Land": "country", "Kreditlimit": "credit_limit",
         "Zahlungsziel": "terms_days", "Saldo": ""},
    ),
    "invoices": (
        {"Account": "customer_ref", "Customer name": "", "Invoice No": "number", "Date": "issue_date",
         "Due Date": "due_date", "Net": "", "Tax": "", "Total": "amount", "Currency": "currency",
         "Description": "description", "Balance": ""},
        {"Kundennummer": "customer_ref", "Kunde": "", "Rechnungsnummer": "number", "Datum": "issue_date",
         "Fällig": "due_date", "Netto": "", "MwSt": "", "Betrag": "amount", "Währung": "currency",
         "Text": "description", "Offen": ""},
    ),
    "payments": (
        {"Account": "customer_ref", "Customer name": "", "Date": "date", "Amount": "amount",
         "Reference": "reference", "Invoice No": "invoice_number", "Currency": "currency", "Method": "method"},
        {"Kundennummer": "customer_ref", "Kunde": "", "Datum": "date", "Betrag": "amount",
         "Verwendungszweck": "reference", "Rechnungsnummer": "invoice_number", "Währung": "currency",
         "Zahlungsart": "method"},
    ),
}
PRESET_NAMES = ("Accounting export (English)",  # comma, decimal point, YYYY-MM-DD
                "Accounting export (continental)")  # semicolon, decimal comma, DD.MM.YYYY


def presets(kind: str) -> list[SavedMapping]:
    english, continental = _PRESET_COLUMNS[kind]
    return [SavedMapping(PRESET_NAMES[0], kind, _EN, english, preset=True),
            SavedMapping(PRESET_NAMES[1], kind, _DE, continental, preset=True)]


def _key(kind: str, name: str) -> str:
    return f"{KEY_PREFIX}{kind}.{name}"


def _parse(kind: str, name: str, value: str) -> SavedMapping | None:
    try:
        data = json.loads(value)
        return SavedMapping(name, kind, CsvFormat.from_json(data.get("format") or {}),
                            {str(k): str(v) for k, v in (data.get("columns") or {}).items()})
    except (ValueError, TypeError, AttributeError):
        return None  # a damaged entry is left out rather than stopping the import


def list_mappings(session: Session, kind: str) -> list[SavedMapping]:
    """The shipped presets, then the saved mappings by name."""
    prefix = _key(kind, "")
    saved = [_parse(kind, key[len(prefix):], value)
             for key, value in session.execute(select(Setting.key, Setting.value)
                                               .where(Setting.key.startswith(prefix, autoescape=True))
                                               .order_by(Setting.key))]
    return presets(kind) + sorted((m for m in saved if m is not None), key=lambda m: m.name.casefold())


def load_mapping(session: Session, kind: str, name: str) -> SavedMapping:
    for mapping in list_mappings(session, kind):
        if mapping.name == name:
            return mapping
    names = [m.name for m in list_mappings(session, kind)]
    raise UserError(f"There is no saved mapping called '{name}' for {kind} (there are: {'; '.join(names)}).")


def save_mapping(session: Session, kind: str, name: str, fmt: CsvFormat, header: Sequence[str],
                 fields: Sequence[str]) -> SavedMapping:
    """Save (or replace) the mapping `name`: each header with the field it feeds."""
    name = " ".join(name.split())
    if not name:
        raise UserError("Give the mapping a name.")
    if len(name) > MAX_NAME:
        raise UserError(f"A mapping name may have at most {MAX_NAME} characters.")
    if any(p.name.casefold() == name.casefold() for p in presets(kind)):
        raise UserError(f"'{name}' is the name of a mapping that comes with DebtorDesk; choose another name.")
    columns = {h.strip(): (f or NOT_IMPORTED) for h, f in zip(header, fields, strict=True) if h.strip()}
    mapping = SavedMapping(name, kind, fmt, columns)
    row = session.get(Setting, _key(kind, name))
    if row is None:
        session.add(Setting(key=_key(kind, name), value=mapping.to_json()))
    else:
        row.value = mapping.to_json()
    session.flush()
    return mapping


def delete_mapping(session: Session, kind: str, name: str) -> None:
    if any(p.name == name for p in presets(kind)):
        raise UserError(f"'{name}' comes with DebtorDesk and cannot be deleted.")
    session.execute(delete(Setting).where(Setting.key == _key(kind, name)))
