"""The rules for the user's own company profile: late-payment regimes, IBAN, BIC and sort code.

`check_company` takes the values as typed (strings) and returns clean values plus, for each field
that is wrong, a sentence meant for the user that names the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from debtordesk.domain.customers import valid_email
from debtordesk.domain.interest import REGIMES as INTEREST_REGIMES
from debtordesk.domain.money import MoneyError, check_currency

# key -> what the user reads; the first one is the default
LATE_PAYMENT_REGIMES: dict[str, str] = {
    key: INTEREST_REGIMES[key] for key in ("uk", "de", "eu", "none")  # "contract" is agreed per customer
}
REGIMES = tuple(LATE_PAYMENT_REGIMES)
COMMON_CURRENCIES = ("GBP", "EUR", "USD", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK", "CAD", "AUD", "JPY")

FIELDS = ("name", "address", "email", "phone", "vat_number", "registration_number", "bank_name",
          "iban", "bic", "account_number", "sort_code", "base_currency", "late_payment_regime")
LABELS = {"name": "Company name", "address": "Address", "email": "E-mail", "phone": "Phone",
          "vat_number": "VAT number", "registration_number": "Company number", "bank_name": "Bank",
          "iban": "IBAN", "bic": "BIC", "account_number": "Account number", "sort_code": "Sort code",
          "base_currency": "Base currency", "late_payment_regime": "Late-payment interest"}
LIMITS = {"name": 200, "address": 1000, "email": 200, "phone": 50, "vat_number": 50,
          "registration_number": 50, "bank_name": 200, "account_number": 30}

# IBAN lengths by country (the SWIFT IBAN registry) for the countries customers most often have
IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22,
    "DK": 18, "EE": 20, "ES": 24, "FI": 18, "FR": 27, "GB": 22, "GI": 23, "GR": 27, "HR": 21,
    "HU": 28, "IE": 22, "IS": 26, "IT": 27, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27,
    "MT": 31, "NL": 18, "NO": 15, "PL": 28, "PT": 25, "RO": 24, "SE": 24, "SI": 19, "SK": 24,
    "SM": 27, "TR": 26,
}
_IBAN_SHAPE = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]+$")
_BIC_SHAPE = re.compile(r"^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$")


def compact_iban(text: str) -> str:
    """The IBAN without spaces or dashes, in capitals (how it is stored)."""
    return re.sub(r"[\s-]", "", text or "").upper()


def format_iban(text: str) -> str:
    """The IBAN in groups of four, as it is printed on paper."""
    iban = compact_iban(text)
    return " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))


def iban_mod97(iban: str) -> int:
    """The ISO 13616 remainder: country code and check digits moved to the end, letters as
    numbers (A=10 … Z=35), the whole taken modulo 97. A valid IBAN gives 1."""
    moved = iban[4:] + iban[:4]
    digits = "".join(str(int(ch, 36)) for ch in moved)
    return int(digits) % 97


def iban_problem(text: str) -> str | None:
    """Why `text` is not a valid IBAN, as a sentence, or None if it is one."""
    iban = compact_iban(text)
    if not iban.isascii() or not iban.isalnum():
        return "The IBAN may only hold letters and digits (spaces are fine)."
    if not _IBAN_SHAPE.match(iban):
        return ("The IBAN must start with a two-letter country code and two check digits, "
                "like GB29 NWBK 6016 1331 9268 19.")
    expected = IBAN_LENGTHS.get(iban[:2])
    if expected is not None and len(iban) != expected:
        return f"An IBAN from {iban[:2]} has {expected} characters; this one has {len(iban)}."
    if not 15 <= len(iban) <= 34:
        return f"An IBAN has 15 to 34 characters; this one has {len(iban)}."
    if iban_mod97(iban) != 1:
        return ("The IBAN's check digits do not match the rest of it: "
                "look for a mistyped or swapped character.")
    return None


def valid_iban(text: str) -> bool:
    return iban_problem(text) is None


@dataclass
class CheckedCompany:
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def check_company(raw: dict[str, str]) -> CheckedCompany:
    """Check typed values for every field in FIELDS (a missing one counts as empty)."""
    out = CheckedCompany()
    text = {k: (raw.get(k) or "").strip() for k in FIELDS}
    out.values.update(text)
    for key, limit in LIMITS.items():
        if len(text[key]) > limit:
            out.errors[key] = f"{LABELS[key]} may have at most {limit} characters (it has {len(text[key])})."
    if not text["name"]:
        out.errors["name"] = "Company name is required: it is printed on every letter."
    if text["email"] and not valid_email(text["email"]):
        out.errors["email"] = (f"The e-mail address '{text['email']}' is not valid "
                               "(it should look like name@example.com).")
    if text["iban"]:
        problem = iban_problem(text["iban"])
        if problem:
            out.errors["iban"] = problem
        out.values["iban"] = compact_iban(text["iban"])
    if text["bic"]:
        bic = re.sub(r"\s", "", text["bic"]).upper()
        if not _BIC_SHAPE.match(bic):
            out.errors["bic"] = f"The BIC '{text['bic']}' should have 8 or 11 letters and digits, like NWBKGB2L."
        out.values["bic"] = bic
    if text["sort_code"]:
        digits = re.sub(r"[\s-]", "", text["sort_code"])
        if not (digits.isascii() and digits.isdigit() and len(digits) == 6):
            out.errors["sort_code"] = f"The sort code '{text['sort_code']}' should have six digits, like 60-16-13."
        else:
            out.values["sort_code"] = f"{digits[:2]}-{digits[2:4]}-{digits[4:]}"
    try:
        out.values["base_currency"] = check_currency(text["base_currency"])
    except MoneyError:
        out.errors["base_currency"] = (
            f"The base currency '{text['base_currency']}' is not a currency code: "
            "use three letters such as GBP, EUR or USD." if text["base_currency"]
            else "Base currency is required: use three letters such as GBP, EUR or USD.")
    regime = text["late_payment_regime"].lower()
    if regime not in REGIMES:
        out.errors["late_payment_regime"] = "Choose how late-payment interest is charged: " + ", ".join(
            LATE_PAYMENT_REGIMES.values()) + "."
    out.values["late_payment_regime"] = regime
    return out
