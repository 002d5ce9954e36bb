"""How a CSV file is written: its encoding, delimiter, decimal mark and date format, the parsers
that read dates and amounts in that format, and the guesses made from sample values.

Pure: no files are opened here (services.import_format reads them)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from debtordesk.domain.dates import DateError, parse_iso_date
from debtordesk.domain.money import MoneyError, minor_digits, parse_amount

ENCODINGS: dict[str, str] = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 with BOM", "cp1252": "Windows-1252"}
DELIMITERS: dict[str, str] = {",": "comma", ";": "semicolon", "\t": "tab"}
DELIMITER_NAMES: dict[str, str] = {"comma": ",", ",": ",", "semicolon": ";", ";": ";", "tab": "\t", "\t": "\t",
                                   "\\t": "\t"}
# code -> (as shown to people, an example)
DATE_FORMATS: dict[str, tuple[str, str]] = {
    "iso": ("YYYY-MM-DD", "2026-03-31"),
    "dd/mm/yyyy": ("DD/MM/YYYY", "31/03/2026"),
    "mm/dd/yyyy": ("MM/DD/YYYY", "03/31/2026"),
    "dd.mm.yyyy": ("DD.MM.YYYY", "31.03.2026"),
}
_DAY_FIRST = {"dd/mm/yyyy": "/", "dd.mm.yyyy": "."}
_MONTH_FIRST = {"mm/dd/yyyy": "/"}


@dataclass(frozen=True, slots=True)
class CsvFormat:
    """The way a file is written. The default is the app's own format: UTF-8 (a BOM is fine),
    comma-separated, '.' as decimal point, dates YYYY-MM-DD."""

    encoding: str = "utf-8-sig"
    delimiter: str = ","
    decimal_comma: bool = False
    date_format: str = "iso"

    def __post_init__(self) -> None:
        if self.encoding not in ENCODINGS:
            raise ValueError(f"unknown encoding {self.encoding!r}")
        if self.delimiter not in DELIMITERS:
            raise ValueError(f"unknown delimiter {self.delimiter!r}")
        if self.date_format not in DATE_FORMATS:
            raise ValueError(f"unknown date format {self.date_format!r}")

    def describe(self) -> str:
        """'Windows-1252, semicolon-separated, decimal comma, dates DD.MM.YYYY'."""
        return (f"{ENCODINGS[self.encoding]}, {DELIMITERS[self.delimiter]}-separated, "
                f"{'decimal comma' if self.decimal_comma else 'decimal point'}, "
                f"dates {DATE_FORMATS[self.date_format][0]}")

    def to_json(self) -> dict:
        return {"encoding": self.encoding, "delimiter": self.delimiter, "decimal_comma": self.decimal_comma,
                "date_format": self.date_format}

    @classmethod
    def from_json(cls, data: dict) -> CsvFormat:
        default = cls()
        return cls(encoding=str(data.get("encoding") or default.encoding),
                   delimiter=str(data.get("delimiter") or default.delimiter),
                   decimal_comma=bool(data.get("decimal_comma", False)),
                   date_format=str(data.get("date_format") or default.date_format))

    def but(self, **changes) -> CsvFormat:
        return replace(self, **changes)


# -- dates ---------------------------------------------------------------------------------------

def _dmy_re(sep: str) -> re.Pattern:
    return re.compile(rf"^(\d{{1,2}}){re.escape(sep)}(\d{{1,2}}){re.escape(sep)}(\d{{4}})$")


_PATTERNS = {code: _dmy_re(sep) for code, sep in {**_DAY_FIRST, **_MONTH_FIRST}.items()}


def date_parser(code: str) -> Callable[[str], date]:
    """A function reading one date in format `code` (see DATE_FORMATS), raising DateError with a
    sentence for people."""
    if code == "iso":
        return parse_iso_date
    pattern = _PATTERNS[code]
    shown, example = DATE_FORMATS[code]
    day_first = code in _DAY_FIRST

    def parse(text: str) -> date:
        raw = (text or "").strip()
        if not raw:
            raise DateError("a date is required")
        m = pattern.match(raw)
        if m is None:
            raise DateError(f"'{raw}' is not a date in the form {shown} (for example {example})")
        a, b, year = int(m[1]), int(m[2]), int(m[3])
        day, month = (a, b) if day_first else (b, a)
        try:
            return date(year, month, day)
        except ValueError:
            raise DateError(f"'{raw}' is not a real calendar date") from None

    return parse


def _parses(parse: Callable[[str], date], text: str) -> bool:
    try:
        parse(text)
    except DateError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class DateGuess:
    code: str  # the best format ("iso" when no date was seen)
    seen: int  # how many sample dates there were
    parsed: int  # how many of them parse under `code`
    ambiguous: bool  # DD/MM/YYYY and MM/DD/YYYY both fit: the user has to say which
    example: str = ""  # a sample date that fits both, when ambiguous

    def note(self) -> str:
        shown = DATE_FORMATS[self.code][0]
        if not self.seen:
            return f"No dates were found to go by; assuming {shown}."
        if self.ambiguous:
            return (f"The dates could be DD/MM/YYYY or MM/DD/YYYY (for example {self.example}): "
                    "say which they are.")
        if self.parsed == self.seen:
            return f"All {self.seen:,} sample dates read as {shown}."
        return f"{self.parsed:,} of {self.seen:,} sample dates read as {shown}; the others will be reported."


def guess_date_format(samples: Iterable[str]) -> DateGuess:
    """The format under which the most (ideally all) sample dates parse. DD/MM against MM/DD stays
    ambiguous while no day is over 12 in either place."""
    texts = [t.strip() for t in samples if t and t.strip()]
    if not texts:
        return DateGuess("iso", 0, 0, False)
    parsers = {code: date_parser(code) for code in DATE_FORMATS}
    counts = {code: sum(1 for t in texts if _parses(p, t)) for code, p in parsers.items()}
    best = max(counts.values())
    top = [code for code in DATE_FORMATS if counts[code] == best]
    if best == 0:
        return DateGuess("iso", len(texts), 0, False)
    if "dd/mm/yyyy" in top and "mm/dd/yyyy" in top:
        example = next((t for t in texts if _parses(parsers["dd/mm/yyyy"], t)), "")
        return DateGuess("dd/mm/yyyy", len(texts), best, True, example)
    return DateGuess(top[0], len(texts), best, False)


def day_month_decider(text: str) -> str | None:
    """For a date like 13/04/2026: 'dd/mm/yyyy' (the first part cannot be a month), likewise
    'mm/dd/yyyy'; None when the text does not settle the question."""
    m = _PATTERNS["dd/mm/yyyy"].match(text.strip())
    if m is None:
        return None
    a, b = int(m[1]), int(m[2])
    if a > 12 >= b >= 1:
        return "dd/mm/yyyy"
    if b > 12 >= a >= 1:
        return "mm/dd/yyyy"
    return None


# -- amounts -------------------------------------------------------------------------------------

_COMMA_AMOUNT = re.compile(r"^([+-]?)(\d{1,3}(?:[. \u00a0\u202f']\d{3})+|\d+)(?:,(\d+))?$")
_POINT_GROUPS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_THOUSANDS = str.maketrans("", "", ". \u00a0\u202f'")


def plain_amount(text: str, decimal_comma: bool) -> str:
    """The amount as the app's plain text ('1.234,56' -> '1234.56', decimals kept as written), for
    checks that take text; raises MoneyError when it is not an amount in that format."""
    raw = (text or "").strip()
    if not decimal_comma or not raw:
        return raw.replace(",", "") if "," in raw and _POINT_GROUPS.match(raw) else raw
    m = _COMMA_AMOUNT.match(raw)
    if m is None:
        raise MoneyError(f"'{raw}' is not an amount (write it like 1234,50 or 1.234,50: ',' as decimal "
                         "comma, '.' only between thousands)")
    whole = m[2].translate(_THOUSANDS)
    return f"{m[1]}{whole}.{m[3]}" if m[3] else f"{m[1]}{whole}"


def parse_money(text: str, currency: str, decimal_comma: bool) -> int:
    """Minor units of `currency` from an amount written with a decimal point ('1234.56', also
    '1,234.56') or with a decimal comma ('1.234,56', '1 234,56', '12,50'), raising MoneyError
    with a sentence."""
    if not decimal_comma:
        raw = (text or "").strip()
        if "," in raw and _POINT_GROUPS.match(raw):
            try:
                return parse_amount(raw.replace(",", ""), currency)
            except MoneyError:
                raise MoneyError(f"'{raw}' has more decimal places than {currency} has") from None
        return parse_amount(raw, currency)
    raw = (text or "").strip()
    if not raw:
        raise MoneyError("an amount is required")
    plain = plain_amount(raw, True)
    digits = minor_digits(currency)
    value = Decimal(plain)
    if value.as_tuple().exponent < -digits:  # type: ignore[operator]
        raise MoneyError(f"'{raw}' has more than {digits} decimal places for {currency}")
    return int(value.scaleb(digits))


_POINT_ONLY = re.compile(r"^[+-]?\d+\.\d{1,2}$|^[+-]?\d{1,3}(,\d{3})+\.\d+$|^[+-]?\d{1,3}(,\d{3}){2,}$")
_COMMA_ONLY = re.compile(r"^[+-]?\d+,\d{1,2}$|^[+-]?\d{1,3}([. \u00a0\u202f']\d{3})+,\d+$"
                         r"|^[+-]?\d{1,3}(\.\d{3}){2,}$")
_PLAIN = re.compile(r"^[+-]?\d+$")


@dataclass(frozen=True, slots=True)
class DecimalGuess:
    decimal_comma: bool
    comma: int  # sample amounts only a decimal comma explains
    point: int  # sample amounts only a decimal point explains
    seen: int

    @property
    def sure(self) -> bool:
        return not (self.comma and self.point) and (self.comma or self.point or not self.seen)

    def note(self) -> str:
        mark = "a decimal comma (1.234,56)" if self.decimal_comma else "a decimal point (1234.56)"
        if not self.seen:
            return f"No amounts were found to go by; assuming {mark}."
        if self.comma and self.point:
            return (f"The amounts are mixed ({self.comma:,} with a decimal comma, {self.point:,} with a decimal "
                    f"point); assuming {mark}.")
        if not (self.comma or self.point):
            return f"The amounts are whole numbers; assuming {mark}."
        return f"The amounts are written with {mark}."


def guess_decimal_comma(samples: Iterable[str]) -> DecimalGuess:
    """Whether the sample amounts use a decimal comma. '1.234' and '1,234' alone decide nothing
    (thousands or three decimals); '12,50' and '1.234,56' say comma, '12.50' and '1,234.56' point."""
    comma = point = seen = 0
    for text in samples:
        t = (text or "").strip()
        if not t:
            continue
        seen += 1
        if _PLAIN.match(t):
            continue
        is_comma, is_point = bool(_COMMA_ONLY.match(t)), bool(_POINT_ONLY.match(t))
        if is_comma and not is_point:
            comma += 1
        elif is_point and not is_comma:
            point += 1
    return DecimalGuess(comma > point, comma, point, seen)
