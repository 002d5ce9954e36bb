"""The rules a customer record must follow, shared by the customer form and the CSV import.

`check_customer` takes the values as typed (strings) and returns clean values for the record
plus a message per field that is wrong, each a sentence meant for the user.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache

from babel import Locale, UnknownLocaleError

from debtordesk.domain.discounts import check_terms
from debtordesk.domain.interest import REGIMES as INTEREST_REGIMES
from debtordesk.domain.money import MoneyError, parse_amount
from debtordesk.domain.problems import FieldErrors

__all__ = ["FieldErrors", "CheckedCustomer", "check_customer", "valid_country", "valid_email", "valid_language"]

MAX_TERMS_DAYS = 365
KINDS = ("business", "consumer")
LIMITS = {"ref": 50, "name": 200, "contact_person": 200, "email": 200, "phone": 50,
          "address_line1": 200, "address_line2": 200, "postcode": 20, "city": 100, "notes": 5000, "owner": 100}
LABELS = {"ref": "Reference", "name": "Name", "contact_person": "Contact person", "email": "E-mail",
          "phone": "Phone", "address_line1": "Address", "address_line2": "Address (second line)",
          "postcode": "Postcode", "city": "City", "country": "Country", "language": "Language",
          "kind": "Kind", "terms_days": "Payment terms", "credit_limit": "Credit limit", "notes": "Notes",
          "late_payment_regime": "Late-payment interest", "contract_rate": "Contract rate",
          "owner": "Account owner", "discount_percent": "Early-payment discount",
          "discount_days": "if paid within"}


@dataclass
class CheckedCustomer:
    values: dict[str, object] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


@cache
def valid_language(code: str) -> bool:
    try:
        Locale.parse(code.replace("-", "_"))
        return True
    except (ValueError, UnknownLocaleError):
        return False


@cache
def valid_country(code: str) -> bool:
    return len(code) == 2 and code in Locale("en").territories


def valid_email(text: str) -> bool:
    local, at, domain = text.partition("@")
    return bool(at and local and "." in domain.strip(".") and " " not in text and "@" not in domain)


def check_customer(raw: dict[str, str], currency: str) -> CheckedCustomer:
    """Check typed values; `credit_limit` is read in `currency` (the company's base currency)."""
    out = CheckedCustomer()
    text = {k: (raw.get(k) or "").strip() for k in (*LIMITS, "country", "language", "kind", "terms_days",
                                                    "credit_limit", "late_payment_regime", "contract_rate",
                                                    "discount_percent", "discount_days")}
    for key, limit in LIMITS.items():
        if len(text[key]) > limit:
            out.errors[key] = f"at most {limit} characters are allowed here (this has {len(text[key])})"
        out.values[key] = text[key]
    for key, what in (("ref", "a reference"), ("name", "a name")):
        if not text[key]:
            out.errors[key] = f"{what} is required"
    if text["email"] and not valid_email(text["email"]):
        out.errors["email"] = f"'{text['email']}' is not an e-mail address (like name@example.com)"
    country = text["country"].upper()
    if country and not valid_country(country):
        out.errors["country"] = f"'{country}' is not a two-letter country code such as GB or DE"
    out.values["country"] = country
    language = text["language"] or "en"
    if not valid_language(language):
        out.errors["language"] = f"'{language}' is not a language code such as en or de"
    out.values["language"] = language
    kind = (text["kind"] or "business").lower()
    if kind not in KINDS:
        out.errors["kind"] = f"'{kind}' must be business or consumer"
    out.values["kind"] = kind
    terms = text["terms_days"] or "30"
    if not terms.isdigit() or int(terms) > MAX_TERMS_DAYS:
        out.errors["terms_days"] = f"'{terms}' must be a whole number of days from 0 to {MAX_TERMS_DAYS}"
    else:
        out.values["terms_days"] = int(terms)
    out.values["credit_limit_minor"] = None
    if text["credit_limit"]:
        try:
            limit = parse_amount(text["credit_limit"], currency)
        except MoneyError as exc:
            out.errors["credit_limit"] = str(exc)
        else:
            if limit < 0:
                out.errors["credit_limit"] = "a credit limit cannot be negative (leave it empty for no limit)"
            out.values["credit_limit_minor"] = limit
    _check_interest(text, out)
    percent, days, errors = check_terms(text["discount_percent"], text["discount_days"])
    out.values["discount_percent"], out.values["discount_days"] = percent, days
    out.errors.update(errors)
    return out


def _check_interest(text: dict[str, str], out: CheckedCustomer) -> None:
    """The customer's own late-payment regime ("" follows the company) and contract rate."""
    regime = text["late_payment_regime"].lower()
    if regime and regime not in INTEREST_REGIMES:
        out.errors["late_payment_regime"] = (f"'{regime}' is not a late-payment regime; use one of "
                                             + ", ".join(INTEREST_REGIMES) + " (or leave it empty)")
    out.values["late_payment_regime"] = regime
    rate = text["contract_rate"].replace(",", ".").rstrip("%").strip()
    if rate:
        try:
            value = Decimal(rate)
            if not Decimal(0) <= value <= Decimal(100):
                raise InvalidOperation
        except InvalidOperation:
            out.errors["contract_rate"] = f"'{text['contract_rate']}' must be a yearly rate such as 8 or 8.5 (percent)"
    elif regime == "contract":
        out.errors["contract_rate"] = "the contract rate is required when interest follows the contract"
    out.values["contract_rate"] = rate
