"""The EPC payment code ("GiroCode"): a QR code a banking app scans to fill in a SEPA credit
transfer, as the European Payments Council's guidelines EPC069-12 (version 002) describe it.

The payload is one element per line:

    BCD             service tag
    002             version (002: the BIC may be left empty inside the EEA)
    1               character set 1 = UTF-8
    SCT             SEPA credit transfer
    <BIC>           8 or 11 characters, or empty
    <name>          the payee, at most 70 characters
    <IBAN>          without spaces, in capitals
    EUR<amount>     two decimals, no thousands separator, 0.01 to 999999999.99
    <purpose>       empty
    <reference>     structured creditor reference: empty (we send the unstructured text instead)
    <text>          unstructured remittance text, at most 140 characters

No separator follows the last element that holds something; the whole payload is at most 331 bytes,
which is what version 13 of a QR code holds at error-correction level M (the level the standard
asks for).

`epc_qr` makes the segno QR code; `QrCode` is a reportlab flowable that draws it as vector
rectangles (one per run of dark modules in a row), so no image file or imaging library is needed.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import segno
from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from debtordesk.domain.company import iban_problem
from debtordesk.domain.problems import UserError
from debtordesk.letters.model import EpcData

MAX_NAME = 70
MAX_TEXT = 140
MAX_BYTES = 331
MAX_VERSION = 13
MIN_AMOUNT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999.99")
QUIET_ZONE = 4  # light modules around the symbol, as ISO/IEC 18004 asks
_BIC = re.compile(r"^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class EpcError(UserError):
    """Data that cannot go into a payment code; the message names the field."""


def epc_payload(data: EpcData) -> str:
    """The text of the payment code for `data` (see the module docstring), or EpcError."""
    name = _plain(data.name, "payee name")
    if not name:
        raise EpcError("The payee name is missing; a payment code needs it.")
    if len(name) > MAX_NAME:
        raise EpcError(f"The payee name is longer than the {MAX_NAME} characters a payment code allows.")
    iban = re.sub(r"\s", "", data.iban or "").upper()
    if not iban:
        raise EpcError("The IBAN is missing; a payment code needs it.")
    problem = iban_problem(iban)
    if problem:
        raise EpcError(problem)
    bic = re.sub(r"\s", "", data.bic or "").upper()
    if bic and not _BIC.match(bic):
        raise EpcError("The BIC must have 8 or 11 letters and digits, like BUKBGB22 or COBADEFFXXX.")
    amount = _amount(data.amount)
    text = _plain(data.text, "payment reference")
    if len(text) > MAX_TEXT:
        raise EpcError(f"The payment reference is longer than the {MAX_TEXT} characters a payment code allows.")
    elements = ["BCD", "002", "1", "SCT", bic, name, iban, f"EUR{amount:.2f}", "", "", text]
    while elements[-1] == "":
        elements.pop()
    payload = "\n".join(elements)
    size = len(payload.encode("utf-8"))
    if size > MAX_BYTES:
        raise EpcError(f"The payee name and payment reference are too long for a payment code together "
                       f"({size} bytes; at most {MAX_BYTES}): shorten one of them.")
    return payload


def _plain(value: str, field: str) -> str:
    text = (value or "").strip()
    if _CONTROL.search(text):
        raise EpcError(f"The {field} may not contain line breaks or tabs in a payment code.")
    return text


def _amount(value: object) -> Decimal:
    if isinstance(value, float | bool):  # floats are never money here
        raise EpcError("The amount for the payment code must be an exact decimal amount.")
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise EpcError(f"The amount for the payment code ('{value}') is not a number.") from None
    if not amount.is_finite():
        raise EpcError("The amount for the payment code is not a number.")
    if amount != amount.quantize(Decimal("0.01")):
        raise EpcError("The amount for the payment code has more than two decimal places.")
    if not MIN_AMOUNT <= amount <= MAX_AMOUNT:
        raise EpcError("The amount for a payment code must be between EUR 0.01 and EUR 999,999,999.99.")
    return amount.quantize(Decimal("0.01"))


def epc_qr(data: EpcData) -> segno.QRCode:
    """The QR code for `data`: exactly `epc_payload(data)`, UTF-8, error-correction level M."""
    return _qr(epc_payload(data))


@lru_cache(maxsize=64)
def _qr(payload: str) -> segno.QRCode:
    code = segno.make(payload, error="m", boost_error=False, encoding="utf-8", micro=False)
    if code.version > MAX_VERSION:  # cannot happen within 331 bytes; kept as the standard's rule
        raise EpcError("The payment code would be too large; shorten the payee name or the payment reference.")
    return code


def module_runs(code: segno.QRCode) -> tuple[tuple[int, int, int], ...]:
    """The dark modules as (row, first column, length) runs, row 0 at the top."""
    runs = []
    for r, row in enumerate(code.matrix):
        c, n = 0, len(row)
        while c < n:
            if row[c] & 1:
                start = c
                while c < n and row[c] & 1:
                    c += 1
                runs.append((r, start, c - start))
            else:
                c += 1
    return tuple(runs)


class QrCode(Flowable):
    """A QR code drawn as vector rectangles, `size` wide and high including its quiet zone."""

    def __init__(self, code: segno.QRCode, size: float = 32 * mm):
        super().__init__()
        self.code = code
        self.size = size
        self.modules = code.symbol_size(border=0)[0]
        self.runs = module_runs(code)
        self.width = self.height = size

    def wrap(self, avail_width, avail_height):
        return self.size, self.size

    def draw(self):
        canv = self.canv
        unit = self.size / (self.modules + 2 * QUIET_ZONE)
        canv.saveState()
        canv.setFillColorRGB(0, 0, 0)
        # one module = one unit, rows counted downwards from the symbol's top-left corner, so every
        # rectangle is four small whole numbers and the whole symbol is one filled path
        canv.transform(unit, 0, 0, -unit, QUIET_ZONE * unit, self.size - QUIET_ZONE * unit)
        canv.addLiteral(" ".join(f"{c} {r} {length} 1 re" for r, c, length in self.runs) + " f")
        canv.restoreState()

