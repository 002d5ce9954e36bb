"""Statutory late-payment interest and the fixed compensation per invoice (docs/interest.md).

Regimes (a company setting, overridable per customer) and what each becomes for a customer kind:

- "uk": Late Payment of Commercial Debts (Interest) Act 1998, business debts only: 8 points over
  the Bank of England rate in force on the reference date (31 Dec or 30 Jun) before interest
  starts, one rate for the life of the debt; £40/£70/£100 per invoice (s.5A) for GBP debts.
- "de": BGB § 288: 9 points over the Basiszinssatz (§ 247) for businesses, 5 for consumers,
  following each half-yearly change; €40 Verzugspauschale (§ 288(5)) for businesses, EUR only.
- "eu": Directive 2011/7/EU, business only: ECB main refinancing rate in force on 1 Jan / 1 Jul of
  each half-year + 8 points; €40 per invoice, EUR only.
- "contract": the agreed annual rate, simple, no fixed sum. "none": nothing.

Arithmetic: simple interest, principal × rate % × days / 365, also in leap years (the day count
of the UK government's guidance on the Act, and the one commonly used for § 288 BGB).
Interest runs from the day after the due date to `until` inclusive. A new period starts whenever
the principal or the rate changes; each period is rounded half-up to minor units and the total
is the sum of the rounded periods, so the workings table adds up exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from debtordesk.domain.money import format_plain, minor_digits, round_half_up
from debtordesk.domain.problems import UserError


class InterestError(UserError):
    """Interest cannot be worked out as asked; the message is a plain sentence for the user."""


REGIMES: dict[str, str] = {
    "uk": "UK — Late Payment of Commercial Debts (Interest) Act 1998",
    "de": "Germany — § 288 BGB (Verzugszinsen over the Basiszinssatz)",
    "eu": "EU — Late Payment Directive 2011/7/EU (ECB rate + 8 points)",
    "contract": "Contract — the interest rate agreed with the customer",
    "none": "None — do not charge interest",
}
# what the effective regimes are called in workings and settings
REGIME_LABELS: dict[str, str] = {
    "uk": REGIMES["uk"],
    "de-b2b": "Germany — § 288(2) BGB, business debtor (9 points over the Basiszinssatz)",
    "de-b2c": "Germany — § 288(1) BGB, consumer (5 points over the Basiszinssatz)",
    "eu": REGIMES["eu"],
    "contract": REGIMES["contract"],
    "none": REGIMES["none"],
}
EFFECTIVE_REGIMES = tuple(REGIME_LABELS)
KINDS = ("business", "consumer")

LEGAL_BASIS: dict[str, str] = {
    "uk": "Statutory interest under the Late Payment of Commercial Debts (Interest) Act 1998 at 8% a "
          "year over the Bank of England base rate in force on the reference date, and a fixed sum "
          "for the cost of recovering the debt under section 5A of the Act.",
    "de-b2b": "Default interest under § 288(2) of the German Civil Code (BGB) at 9 percentage points "
              "above the base rate (§ 247 BGB), and a flat fee of €40 under § 288(5) BGB.",
    "de-b2c": "Default interest under § 288(1) of the German Civil Code (BGB) at 5 percentage points "
              "above the base rate (§ 247 BGB).",
    "eu": "Statutory interest for late payment under Directive 2011/7/EU at 8 percentage points above "
          "the European Central Bank's reference rate, and compensation for recovery costs of at least "
          "€40 (Article 6 of the Directive).",
    "contract": "Interest at the rate agreed in our contract.",
    "none": "",
}
LEGAL_BASIS_DE: dict[str, str] = {
    "uk": "Gesetzliche Zinsen nach dem britischen Late Payment of Commercial Debts (Interest) Act 1998 "
          "in Höhe von 8 Prozentpunkten über dem Leitzins der Bank of England am Stichtag sowie ein "
          "Pauschalbetrag für die Beitreibungskosten nach Section 5A dieses Gesetzes.",
    "de-b2b": "Verzugszinsen gemäß § 288 Abs. 2 BGB in Höhe von 9 Prozentpunkten über dem Basiszinssatz "
              "(§ 247 BGB) sowie die Verzugspauschale von 40 € gemäß § 288 Abs. 5 BGB.",
    "de-b2c": "Verzugszinsen gemäß § 288 Abs. 1 BGB in Höhe von 5 Prozentpunkten über dem Basiszinssatz "
              "(§ 247 BGB).",
    "eu": "Gesetzliche Verzugszinsen nach der Richtlinie 2011/7/EU in Höhe von 8 Prozentpunkten über dem "
          "Referenzzinssatz der Europäischen Zentralbank sowie eine Entschädigung für Beitreibungskosten "
          "von mindestens 40 € (Artikel 6 der Richtlinie).",
    "contract": "Zinsen in Höhe des vertraglich vereinbarten Zinssatzes.",
    "none": "",
}

# reference-rate tables: key -> name the user reads
RATE_TABLE_NAMES: dict[str, str] = {
    "boe": "Bank of England Bank Rate",
    "de-base": "Basiszinssatz (§ 247 BGB)",
    "ecb": "ECB main refinancing operations rate",
}
TABLE_FOR = {"uk": "boe", "de-b2b": "de-base", "de-b2c": "de-base", "eu": "ecb"}
POINTS = {"uk": Decimal(8), "de-b2b": Decimal(9), "de-b2c": Decimal(5), "eu": Decimal(8)}
DAYS_IN_YEAR = Decimal(365)
# fixed sums in major units: (below this amount, sum) bands, then the sum from the last band up
UK_BANDS = ((Decimal(1000), Decimal(40)), (Decimal(10000), Decimal(70)))
UK_TOP = Decimal(100)
EUR_FLAT = Decimal(40)


def effective_regime(regime: str, kind: str) -> str:
    """The rule that applies: "uk", "de-b2b", "de-b2c", "eu", "contract" or "none".

    `regime` is a key of REGIMES; an effective key ("de-b2c") is accepted as it is, since it
    already says which kind of debtor it is for. The UK Act and the EU Directive cover business
    debts only, so a consumer gets "none" under them."""
    regime = (regime or "").strip().lower()
    kind = _kind(kind)
    if regime in ("uk", "eu"):
        return regime if kind == "business" else "none"
    if regime in EFFECTIVE_REGIMES:
        return regime
    if regime == "de":
        return "de-b2b" if kind == "business" else "de-b2c"
    choices = ", ".join(REGIMES)
    raise InterestError(f"Late-payment regime: '{regime}' is not one DebtorDesk knows; choose one of {choices}.")


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise InterestError(f"Customer kind: '{kind}' must be 'business' or 'consumer'.")
    return kind


def legal_basis(effective: str, language: str = "en") -> str:
    """The plain-words legal basis for a letter, in German for 'de…' languages, else English."""
    if effective not in LEGAL_BASIS:
        raise InterestError(f"'{effective}' is not a late-payment regime.")
    german = (language or "").lower().replace("_", "-").split("-")[0] == "de"
    return (LEGAL_BASIS_DE if german else LEGAL_BASIS)[effective]


# ---- reference-rate tables --------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class RateEntry:
    effective_from: date
    rate: Decimal  # annual %, may be negative (Basiszinssatz 2016-2022)


@dataclass(frozen=True, slots=True)
class RateTable:
    """A published reference rate: each entry is in force from its date until the next one."""

    key: str
    entries: tuple[RateEntry, ...]
    source: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "entries", tuple(sorted(self.entries, key=lambda e: e.effective_from)))

    @property
    def name(self) -> str:
        return RATE_TABLE_NAMES.get(self.key, self.key)

    def rate_on(self, day: date) -> Decimal:
        """The rate in force on `day`; refuses a day before the table starts."""
        found = None
        for entry in self.entries:
            if entry.effective_from > day:
                break
            found = entry
        if found is None:
            start = self.entries[0].effective_from.isoformat() if self.entries else "no date at all"
            raise InterestError(
                f"The {self.name} table starts on {start}, so it has no rate for {day.isoformat()}. "
                "Add the rate in force on that day in Settings → Reference rates."
            )
        return found.rate

    def changes_between(self, start: date, end: date) -> tuple[RateEntry, ...]:
        """The entries taking effect after `start` and on or before `end`."""
        return tuple(e for e in self.entries if start < e.effective_from <= end)


def parse_rate(text: str) -> Decimal:
    """'-0.88' -> Decimal('-0.88'); refuses anything that is not a plain decimal number."""
    raw = (text or "").strip()
    try:
        value = Decimal(raw)
    except InvalidOperation:
        value = None
    if not raw or value is None or not value.is_finite() or any(c not in "+-.0123456789" for c in raw):
        raise InterestError(f"'{raw}' is not a rate: write the annual percentage like 5.25 or -0.88")
    return value


def parse_rate_csv(text: str, key: str) -> RateTable:
    """Read a rate table: `# source: …` comments, a header `effective_from,rate`, then one
    `YYYY-MM-DD,percent` line per change. A bad line is refused naming its number."""
    sources: list[str] = []
    entries: dict[date, RateEntry] = {}
    header_seen = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            label, _, rest = stripped[1:].partition(":")
            if label.strip().lower() == "source" and rest.strip():
                sources.append(rest.strip())
            continue
        cells = [c.strip() for c in stripped.split(",")]
        if not header_seen:
            if cells != ["effective_from", "rate"]:
                raise InterestError(f"Rate table {key}, line {number}: the header must be 'effective_from,rate'.")
            header_seen = True
            continue
        if len(cells) != 2:
            raise InterestError(
                f"Rate table {key}, line {number}: expected two values (date,rate) but found {len(cells)}.")
        try:
            day = date.fromisoformat(cells[0]) if len(cells[0]) == 10 else None
        except ValueError:
            day = None
        if day is None:
            raise InterestError(f"Rate table {key}, line {number}: '{cells[0]}' is not a date like 2024-07-01.")
        try:
            rate = parse_rate(cells[1])
        except InterestError as exc:
            raise InterestError(f"Rate table {key}, line {number}: {exc}.") from None
        if day in entries:
            raise InterestError(f"Rate table {key}, line {number}: {day.isoformat()} appears twice.")
        entries[day] = RateEntry(day, rate)
    if not entries:
        raise InterestError(f"Rate table {key} has no rates in it.")
    return RateTable(key, tuple(entries.values()), "; ".join(sources))


def merge(table: RateTable, extra_entries: Iterable[RateEntry]) -> RateTable:
    """The table with the user's entries added; on the same date the user's entry wins."""
    by_day = {e.effective_from: e for e in table.entries}
    by_day.update({e.effective_from: e for e in extra_entries})
    return RateTable(table.key, tuple(by_day.values()), table.source)


# ---- the calculation --------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Period:
    start: date  # first day of interest, inclusive
    end: date  # last day, inclusive
    days: int
    rate: Decimal  # annual % applied (reference rate + points, or the contract rate)
    principal_minor: int
    interest_minor: int


@dataclass(frozen=True, slots=True)
class InterestResult:
    currency: str
    interest_minor: int
    compensation_minor: int
    periods: tuple[Period, ...]
    notes: tuple[str, ...]
    regime: str = "none"  # the effective regime applied

    @property
    def total_minor(self) -> int:
        return self.interest_minor + self.compensation_minor


def fixed_compensation(amount_minor: int, currency: str, effective_regime: str) -> int:
    """The fixed sum per invoice in minor units (0 where the regime or currency has none).

    UK s.5A: £40 under £1,000, £70 under £10,000, £100 from £10,000 (GBP debts); § 288(5) BGB and
    Directive Art. 6: €40 (EUR debts, business debtors)."""
    if amount_minor <= 0:
        return 0
    scale = minor_digits(currency)
    amount = Decimal(amount_minor).scaleb(-scale)
    if effective_regime == "uk" and currency == "GBP":
        fixed = next((fee for limit, fee in UK_BANDS if amount < limit), UK_TOP)
    elif effective_regime in ("de-b2b", "eu") and currency == "EUR":
        fixed = EUR_FLAT
    else:
        return 0
    return int(fixed.scaleb(scale))


def _half_year_start(day: date) -> date:
    return date(day.year, 1 if day.month <= 6 else 7, 1)


def _half_year_starts(start: date, end: date) -> list[date]:
    """1 Jan / 1 Jul dates after `start`, on or before `end`."""
    out, day = [], _half_year_start(start)
    while True:
        day = date(day.year, 7, 1) if day.month == 1 else date(day.year + 1, 1, 1)
        if day > end:
            return out
        out.append(day)


def uk_reference_date(start: date) -> date:
    """31 Dec before for interest starting 1 Jan–30 Jun, else 30 Jun (Rate of Interest Order 2002)."""
    return date(start.year - 1, 12, 31) if start.month <= 6 else date(start.year, 6, 30)


def _table(rates: Mapping[str, RateTable] | None, key: str) -> RateTable:
    table = (rates or {}).get(key)
    if table is None or not table.entries:
        raise InterestError(
            f"The {RATE_TABLE_NAMES[key]} table is missing, so interest cannot be worked out. "
            "Reinstall DebtorDesk or add the rates in Settings → Reference rates.")
    return table


def _rate_plan(effective: str, start: date, until: date, rates: Mapping[str, RateTable] | None,
               contract_rate: Decimal | None) -> tuple[list[date], Callable[[date], Decimal]]:
    """(dates after `start` where the rate may change, rate_for(day) -> annual %)."""
    if effective == "contract":
        if contract_rate is None:
            raise InterestError("Contract rate: the regime is 'contract' but no interest rate was given; "
                                "enter the annual rate agreed with the customer.")
        rate = Decimal(str(contract_rate)) if isinstance(contract_rate, float) else Decimal(contract_rate)
        if not rate.is_finite() or rate < 0:
            raise InterestError(f"Contract rate: {contract_rate}% cannot be used; the agreed rate must be "
                                "zero or more.")
        return [], lambda day: rate
    table = _table(rates, TABLE_FOR[effective])
    points = POINTS[effective]
    if effective == "uk":
        fixed = max(table.rate_on(uk_reference_date(start)) + points, Decimal(0))
        return [], lambda day: fixed
    if effective == "eu":  # the ECB rate in force on 1 Jan / 1 Jul applies to the whole half-year
        return (_half_year_starts(start, until),
                lambda day: max(table.rate_on(_half_year_start(day)) + points, Decimal(0)))
    # de: the Basiszinssatz as in force each day (it changes only on 1 Jan / 1 Jul, § 247 BGB)
    changes = {e.effective_from for e in table.changes_between(start, until)}
    return (sorted(changes | set(_half_year_starts(start, until))),
            lambda day: max(table.rate_on(day) + points, Decimal(0)))


def _check_inputs(amount_minor: int, currency: str, due: date, until: date,
                  payments: Sequence[tuple[date, int]]) -> None:
    if isinstance(amount_minor, bool) or not isinstance(amount_minor, int):
        raise InterestError("Amount: the debt must be given in whole minor units (pence, cents).")
    if amount_minor <= 0:
        raise InterestError(f"Amount: interest needs a debt of more than zero, not "
                            f"{format_plain(amount_minor, currency)} {currency}.")
    if not isinstance(due, date) or not isinstance(until, date):
        raise InterestError("Dates: the due date and the date interest runs to must both be dates.")
    for day, minor in payments:
        if not isinstance(day, date) or isinstance(minor, bool) or not isinstance(minor, int) or minor <= 0:
            raise InterestError(f"Payment on {day}: a part-payment needs a date and an amount of more than zero.")


def late_payment(amount_minor: int, currency: str, due: date, until: date, regime: str, kind: str, *,
                 payments: Sequence[tuple[date, int]] = (), rates: Mapping[str, RateTable] | None = None,
                 contract_rate: Decimal | None = None) -> InterestResult:
    """Interest and fixed compensation on one debt of `amount_minor` due on `due`, to `until`
    inclusive, under `regime` for a debtor of `kind` ('business' or 'consumer')."""
    from debtordesk.domain.money import check_currency

    currency = check_currency(currency)
    _check_inputs(amount_minor, currency, due, until, payments)
    effective = effective_regime(regime, kind)
    notes: list[str] = []
    if effective == "none" and regime in ("uk", "eu") and kind == "consumer":
        law = "Late Payment of Commercial Debts (Interest) Act 1998" if regime == "uk" else "Directive 2011/7/EU"
        notes.append(f"The {law} covers debts between businesses only: no statutory interest or "
                     "compensation is charged to a consumer.")
    start = due + timedelta(days=1)
    early = sum(m for d, m in payments if d <= due)
    principal = max(amount_minor - early, 0)
    if effective == "none" or until <= due or principal == 0:
        return InterestResult(currency, 0, 0, (), tuple(notes), effective)

    breaks, rate_for = _rate_plan(effective, start, until, rates, contract_rate)
    paid_on: dict[date, int] = {}
    for d, m in payments:
        if due < d < until:  # takes effect the day after; a payment on `until` changes nothing
            paid_on[d + timedelta(days=1)] = paid_on.get(d + timedelta(days=1), 0) + m
    edges = sorted({start, *paid_on, *(b for b in breaks if start < b <= until)})
    periods: list[Period] = []
    for i, first in enumerate(edges):
        principal = max(principal - paid_on.get(first, 0), 0)
        if principal == 0:
            break
        last = edges[i + 1] - timedelta(days=1) if i + 1 < len(edges) else until
        rate = rate_for(first)
        if periods and periods[-1].rate == rate and periods[-1].principal_minor == principal:
            prev = periods.pop()
            first = prev.start
        days = (last - first).days + 1
        periods.append(Period(first, last, days, rate, principal, 0))
    periods = [_with_interest(p) for p in periods]
    interest = sum(p.interest_minor for p in periods)

    compensation = fixed_compensation(amount_minor - early, currency, effective)
    if effective in ("uk", "de-b2b", "eu") and compensation == 0:
        wanted = "GBP" if effective == "uk" else "EUR"
        sums = "£40, £70 or £100" if effective == "uk" else "€40"
        notes.append(f"No fixed compensation: the {sums} per invoice applies to debts in {wanted}, "
                     f"and this debt is in {currency}.")
    if effective == "eu" and currency != "EUR":
        notes.append("The ECB rate is the reference rate for euro countries; outside the euro area the "
                     "national central bank's rate applies (Directive 2011/7/EU Art. 2(7)(b)).")
    if any(p.rate == 0 for p in periods) and effective != "contract":
        notes.append("The reference rate plus the statutory points came to below zero; no interest was "
                     "charged for those days.")
    return InterestResult(currency, interest, compensation, tuple(periods), tuple(notes), effective)


def _with_interest(p: Period) -> Period:
    exact = Decimal(p.principal_minor) * p.rate * p.days / (100 * DAYS_IN_YEAR)
    return Period(p.start, p.end, p.days, p.rate, p.principal_minor, round_half_up(exact))
