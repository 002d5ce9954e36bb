"""Handing a debt over to a collection agency or a solicitor: the commission, the net recovery,
and the options compared before handing over (docs/collections.md, "Hand-over and evidence pack").

Money is integer minor units; percentages are Decimals from 0 to 100. Every amount is rounded
once, half up, from the exact product, and the parts of each option add up to its whole.

The options for a debt of `open` (what is left to pay on the invoices), with the `interest` and
fixed `compensation` the law allows on them as of the day:

- keep chasing:  expected = open × chance we collect it ourselves
- agency:        collected = open × share the agency expects to recover
                 net = open × share × (1 − commission); the commission is collected − net
- court:         collected = (open + interest + compensation) × chance of winning
                 net = collected − court fee (the fee is paid whether the claim is won or lost)
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from debtordesk.domain.money import round_half_up
from debtordesk.domain.problems import FieldErrors

HUNDRED = Decimal(100)


def parse_percent(text: str, field: str, label: str, *, required: bool = True) -> Decimal | None:
    """'15', '12.5' or '12,5' as a Decimal from 0 to 100; FieldErrors naming `field` otherwise."""
    raw = (text or "").strip().rstrip("%").strip().replace(",", ".")
    if not raw:
        if required:
            raise FieldErrors({field: f"{label} is needed: a percentage from 0 to 100, e.g. 15."})
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise FieldErrors({field: f"{label} must be a percentage from 0 to 100, e.g. 15, not '{text.strip()}'."}) \
            from None
    if not value.is_finite() or value < 0 or value > HUNDRED:
        raise FieldErrors({field: f"{label} must be a percentage from 0 to 100, not {text.strip()}."})
    return value


def percent_text(value: Decimal | None) -> str:
    """15 -> '15 %', 12.50 -> '12.5 %', None -> ''."""
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return f"{text} %"


def share(minor: int, percent: Decimal) -> int:
    """`percent` % of `minor`, rounded half up."""
    return round_half_up(Decimal(minor) * percent / HUNDRED)


@dataclass(frozen=True, slots=True)
class Recovery:
    """What came in on the invoices handed over, and what is left after the commission."""

    handed_minor: int  # open on the invoices the day they were handed over
    collected_minor: int  # paid on them since (to the recall, if recalled)
    commission_minor: int
    commission_percent: Decimal | None

    @property
    def net_minor(self) -> int:
        return self.collected_minor - self.commission_minor

    @property
    def left_minor(self) -> int:
        return self.handed_minor - self.collected_minor


def net_recovery(handed_minor: int, collected_minor: int, commission_percent: Decimal | None) -> Recovery:
    commission = share(collected_minor, commission_percent) if commission_percent else 0
    return Recovery(handed_minor, collected_minor, commission, commission_percent)


@dataclass(frozen=True, slots=True)
class Option:
    """One way to go on, with the expected money; None where an input is missing."""

    key: str  # chase | agency | court
    name: str
    collected_minor: int | None  # expected to come in
    cost_minor: int | None  # the agency's commission or the court fee
    net_minor: int | None  # what the company expects to keep
    workings: str  # the arithmetic in words (amounts in minor units are formatted by `money`)


@dataclass(frozen=True, slots=True)
class OptionInputs:
    chase_percent: Decimal | None  # chance of collecting it ourselves
    agency_percent: Decimal | None  # share the agency expects to recover
    commission_percent: Decimal | None  # the agency's commission
    court_percent: Decimal | None  # chance of winning in court
    court_fee_minor: int | None  # the court fee the user enters


def compare_options(open_minor: int, interest_minor: int, compensation_minor: int, inputs: OptionInputs,
                    money=str) -> list[Option]:
    """Keep chasing, agency and court for the debt, in that order (formulas in the module doc)."""
    pct = percent_text
    out = []
    if inputs.chase_percent is None:
        out.append(Option("chase", "Keep chasing", None, None, None, "Enter the chance of collecting it yourselves."))
    else:
        got = share(open_minor, inputs.chase_percent)
        out.append(Option("chase", "Keep chasing", got, 0, got,
                          f"{money(open_minor)} open × {pct(inputs.chase_percent)} chance"))
    if inputs.agency_percent is None or inputs.commission_percent is None:
        out.append(Option("agency", "Collection agency", None, None, None,
                          "Enter the share the agency expects to recover and its commission."))
    else:
        got = share(open_minor, inputs.agency_percent)
        net = round_half_up(Decimal(open_minor) * inputs.agency_percent * (HUNDRED - inputs.commission_percent)
                            / (HUNDRED * HUNDRED))
        out.append(Option("agency", "Collection agency", got, got - net, net,
                          f"{money(open_minor)} open × {pct(inputs.agency_percent)} recovered × "
                          f"(100 % − {pct(inputs.commission_percent)} commission)"))
    claim = open_minor + interest_minor + compensation_minor
    if inputs.court_percent is None or inputs.court_fee_minor is None:
        out.append(Option("court", "Court claim", None, None, None,
                          "Enter the court fee and the chance of winning."))
    else:
        got = share(claim, inputs.court_percent)
        out.append(Option("court", "Court claim", got, inputs.court_fee_minor, got - inputs.court_fee_minor,
                          f"({money(open_minor)} open + {money(interest_minor)} interest + "
                          f"{money(compensation_minor)} compensation) × {pct(inputs.court_percent)} chance − "
                          f"{money(inputs.court_fee_minor)} fee"))
    return out


def best_option(options: list[Option]) -> Option | None:
    """The option expected to keep the most (the first of equals); None when none can be worked out."""
    known = [o for o in options if o.net_minor is not None]
    return max(known, key=lambda o: o.net_minor) if known else None


def collection_share(open_minor: int, collected_minor: int) -> Decimal | None:
    """collected ÷ open as a percentage with one decimal (half up); None without anything open."""
    if open_minor <= 0:
        return None
    return (Decimal(collected_minor) * HUNDRED / Decimal(open_minor)).quantize(Decimal("0.1"), "ROUND_HALF_UP")
