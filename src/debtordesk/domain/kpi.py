"""Collection KPIs: how fast customers pay, as pure formulas over figures of ONE currency.

Amounts are integer minor units; every ratio is an exact Decimal (never float), rounded only for
display (`rounded`, `shown`: one decimal, half up). A KPI that cannot be worked out is None, and
the result objects say why in a note ("not enough data: ..."); no formula ever divides by zero.
The definitions (what "current", "overdue" and "paid late" mean) are in docs/kpi.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from debtordesk.domain.problems import UserError

NOT_ENOUGH_DATA = "not enough data"
COUNTBACK_MONTHS = 24  # how far back the countback DSO walks
TREND_PERIOD_DAYS = 90  # the DSO period of each trend point
_TENTH = Decimal("0.1")


class KpiError(UserError):
    """KPI settings that cannot be accepted (a period of no days, negative amounts)."""


def check_period(period_days: int) -> int:
    if period_days < 1:
        raise KpiError(f"the period must be at least 1 day, not {period_days}")
    return period_days


def _not_negative(**amounts: int) -> None:
    for name, value in amounts.items():
        if value < 0:
            raise KpiError(f"{name.replace('_', ' ')} cannot be negative ({value})")


# --- the formulas -------------------------------------------------------------------------------


def dso(receivables_end_minor: int, credit_sales_minor: int, days: int) -> Decimal | None:
    """Days sales outstanding.

        DSO = receivables at the period end / credit sales in the period × days in the period

    None (not enough data) when there were no credit sales in the period.
    """
    _not_negative(receivables=receivables_end_minor, credit_sales=credit_sales_minor)
    if credit_sales_minor == 0 or days <= 0:
        return None
    return Decimal(receivables_end_minor) * days / Decimal(credit_sales_minor)


def countback_dso(receivables_end_minor: int, monthly_sales: Sequence[tuple[int, int]]) -> Decimal | None:
    """DSO by the countback method. `monthly_sales` is (days in the month, credit sales), newest
    month first.

    Walk back month by month taking each month's sales off the receivables still unexplained:
    while the rest is at least a month's sales, that whole month counts its days; the month that
    explains the last part counts days × rest / that month's sales, and the walk stops. A month
    without sales counts its days whole. Receivables of 0 give 0 days. When the receivables are
    more than all the months' sales together, the result is the days of all the months (a lower
    bound; `kpis_for` says so in a note). None when no month has any sales.
    """
    _not_negative(receivables=receivables_end_minor)
    if not any(sales > 0 for _, sales in monthly_sales):
        return None
    rest = receivables_end_minor
    days = Decimal(0)
    for month_days, sales in monthly_sales:
        _not_negative(monthly_sales=sales)
        if rest <= 0:
            break
        if rest >= sales:
            days += month_days
            rest -= sales
        else:
            days += Decimal(month_days) * rest / Decimal(sales)
            rest = 0
    return days


def cei(opening_minor: int, credit_sales_minor: int, closing_total_minor: int,
        closing_current_minor: int) -> Decimal | None:
    """Collection effectiveness index, in %: how much of what could be collected was collected.

        CEI = (opening receivables + credit sales − closing total receivables)
              / (opening receivables + credit sales − closing current receivables) × 100

    "Current" receivables are those not yet due at the period end. None when the denominator is 0
    (nothing was collectible in the period).
    """
    _not_negative(opening=opening_minor, credit_sales=credit_sales_minor, closing_total=closing_total_minor,
                  closing_current=closing_current_minor)
    collectible = opening_minor + credit_sales_minor - closing_current_minor
    if collectible <= 0:
        return None
    return Decimal(opening_minor + credit_sales_minor - closing_total_minor) * 100 / Decimal(collectible)


def days_late(paid_on: date, due: date) -> int:
    """Days a payment came after the due date; a payment on or before the due date is 0 days late
    (paying early does not make up for another invoice paid late)."""
    return max(0, (paid_on - due).days)


def weighted_days_late(amount_minor: int, amount_days: int) -> Decimal | None:
    """Σ(amount × days late) / Σ amount from the two sums; None when nothing was paid."""
    if amount_minor <= 0:
        return None
    return Decimal(amount_days) / Decimal(amount_minor)


def average_days_late(paid: Sequence[tuple[int, int]]) -> Decimal | None:
    """Amount-weighted average days late of payments: `paid` is (amount paid, days late) per
    allocation of a payment to an invoice.

        average days late = Σ(amount × max(0, days late)) / Σ amount

    Early payments count as 0 days late, never as negative days. None when nothing was paid.
    """
    total = sum(amount for amount, _ in paid)
    weighted = sum(amount * max(0, late) for amount, late in paid)
    return weighted_days_late(total, weighted)


def share_paid_late(paid_off: int, paid_late: int) -> Decimal | None:
    """% of invoices paid off in the period whose final payment came after the due date.

        % paid late = invoices paid late / invoices paid off × 100

    None when no invoice was paid off in the period.
    """
    if paid_off <= 0:
        return None
    if not 0 <= paid_late <= paid_off:
        raise KpiError(f"invoices paid late ({paid_late}) must be between 0 and those paid off ({paid_off})")
    return Decimal(paid_late) * 100 / Decimal(paid_off)


def overdue_share(overdue_minor: int, receivables_minor: int) -> Decimal | None:
    """% of the receivables that is overdue (due before the date).

        overdue share = overdue receivables / receivables × 100

    None when nothing is owed.
    """
    _not_negative(overdue=overdue_minor, receivables=receivables_minor)
    if receivables_minor == 0:
        return None
    return Decimal(overdue_minor) * 100 / Decimal(receivables_minor)


def rounded(value: Decimal | None) -> Decimal | None:
    """For display: one decimal, half up."""
    return None if value is None else value.quantize(_TENTH, ROUND_HALF_UP)


def shown(value: Decimal | None, unit: str = "") -> str:
    """'30.0', '75.0 %', or 'not enough data'."""
    return NOT_ENOUGH_DATA if value is None else f"{rounded(value)}{unit}"


def shift_days(average: Decimal | None) -> int:
    """Average days late as whole days (half up) to move an expected payment date; 0 if unknown."""
    return 0 if average is None else int(average.quantize(Decimal(1), ROUND_HALF_UP))


# --- dates --------------------------------------------------------------------------------------


def period_start(as_of: date, period_days: int) -> date:
    """The period is (start, as_of]: the day after `start` up to and including `as_of`."""
    return as_of - timedelta(days=check_period(period_days))


def countback_months(as_of: date, months: int = COUNTBACK_MONTHS) -> list[tuple[date, date]]:
    """(first day, last day) of the months the countback walks, newest first: the month of
    `as_of` from its 1st to `as_of`, then whole calendar months."""
    out = [(as_of.replace(day=1), as_of)]
    while len(out) < months:
        last = out[-1][0] - timedelta(days=1)
        out.append((last.replace(day=1), last))
    return out


def month_ends(as_of: date, months: int = 12) -> list[date]:
    """The last day of each of the last `months` months, oldest first; the month of `as_of` ends
    at `as_of`."""
    out = [as_of]
    first = as_of.replace(day=1)
    while len(out) < months:
        end = first - timedelta(days=1)
        out.append(end)
        first = end.replace(day=1)
    return out[::-1]


# --- results ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CollectionFigures:
    """What the KPIs of one currency are worked out from (gathered by services.kpi).

    The period is (as_of − period_days, as_of]. `opening_minor` is open at the period start,
    `receivables_minor` open at `as_of` (of it `overdue_minor` due before `as_of`; the rest is
    current). `monthly_sales` is (days counted, credit sales) per month, newest first, for the
    countback. `paid` is (allocation amount, days late) over the invoices paid off in the period;
    `paid_off` counts those invoices and `paid_late` those whose final payment came after the
    due date.
    """

    currency: str
    as_of: date
    period_days: int
    opening_minor: int
    receivables_minor: int
    overdue_minor: int
    credit_sales_minor: int
    monthly_sales: tuple[tuple[int, int], ...] = ()
    paid: tuple[tuple[int, int], ...] = ()
    paid_off: int = 0
    paid_late: int = 0

    @property
    def current_minor(self) -> int:
        return self.receivables_minor - self.overdue_minor


@dataclass(frozen=True, slots=True)
class KpiResult:
    """The KPIs of one currency as of a date. None = not enough data; `notes` says why."""

    currency: str
    as_of: date
    period_days: int
    receivables_minor: int
    overdue_minor: int
    credit_sales_minor: int
    dso: Decimal | None
    countback_dso: Decimal | None
    cei: Decimal | None
    average_days_late: Decimal | None
    share_paid_late: Decimal | None
    overdue_share: Decimal | None
    notes: tuple[str, ...] = ()
    opening_minor: int = 0
    paid_off: int = 0
    paid_late: int = 0

    @property
    def current_minor(self) -> int:
        return self.receivables_minor - self.overdue_minor


def kpis_for(f: CollectionFigures) -> KpiResult:
    """Every KPI of one currency, with a note for each one that cannot be worked out."""
    check_period(f.period_days)
    if not 0 <= f.overdue_minor <= f.receivables_minor:
        raise KpiError(f"overdue ({f.overdue_minor}) must be between 0 and the receivables ({f.receivables_minor})")
    notes: list[str] = []
    period = f"the {f.period_days} days to {f.as_of.isoformat()}"
    value_dso = dso(f.receivables_minor, f.credit_sales_minor, f.period_days)
    if value_dso is None:
        notes.append(f"DSO: {NOT_ENOUGH_DATA}: no credit sales in {period}.")
    value_cb = countback_dso(f.receivables_minor, f.monthly_sales)
    if value_cb is None:
        notes.append(f"Countback DSO: {NOT_ENOUGH_DATA}: no credit sales in the {len(f.monthly_sales)} months "
                     f"to {f.as_of.isoformat()}.")
    elif f.receivables_minor > sum(s for _, s in f.monthly_sales):
        notes.append(f"Countback DSO: the receivables are more than all credit sales of the {len(f.monthly_sales)} "
                     f"months to {f.as_of.isoformat()}; {rounded(value_cb)} days is a lower bound.")
    value_cei = cei(f.opening_minor, f.credit_sales_minor, f.receivables_minor, f.current_minor)
    if value_cei is None:
        notes.append(f"CEI: {NOT_ENOUGH_DATA}: nothing fell due to be collected in {period}.")
    value_late = average_days_late(f.paid)
    value_share = share_paid_late(f.paid_off, f.paid_late)
    if value_late is None or value_share is None:
        notes.append(f"Average days late and % paid late: {NOT_ENOUGH_DATA}: no invoice was paid off in {period}.")
    value_overdue = overdue_share(f.overdue_minor, f.receivables_minor)
    if value_overdue is None:
        notes.append(f"Overdue share: {NOT_ENOUGH_DATA}: nothing is owed on {f.as_of.isoformat()}.")
    return KpiResult(
        f.currency, f.as_of, f.period_days, f.receivables_minor, f.overdue_minor, f.credit_sales_minor,
        value_dso, value_cb, value_cei, value_late, value_share, value_overdue, tuple(notes),
        f.opening_minor, f.paid_off, f.paid_late,
    )


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """DSO over the 90 days to a month end, and the overdue share on that day (None: no data)."""

    month_end: date
    dso: Decimal | None
    overdue_share: Decimal | None


def trend_point(month_end: date, receivables_minor: int, overdue_minor: int, credit_sales_minor: int) -> TrendPoint:
    return TrendPoint(month_end, dso(receivables_minor, credit_sales_minor, TREND_PERIOD_DAYS),
                      overdue_share(overdue_minor, receivables_minor))


@dataclass(frozen=True, slots=True)
class WeekForecast:
    """Receipts expected in the week from `week_start` (7 days); `overdue_minor` is the part that
    was already overdue after shifting by the customer's days late (all of it in week 1)."""

    week_start: date
    expected_minor: int
    overdue_minor: int = 0


@dataclass(frozen=True, slots=True)
class Forecast:
    currency: str
    as_of: date
    weeks: tuple[WeekForecast, ...]
    later_minor: int = 0  # expected after the last week shown

    @property
    def total_minor(self) -> int:
        return sum(w.expected_minor for w in self.weeks) + self.later_minor


def weekly_forecast(currency: str, as_of: date, weeks: int, amounts: Iterable[tuple[int, int]]) -> Forecast:
    """Put amounts expected `offset` days after `as_of` into weeks: week 1 is as_of .. as_of + 6,
    week n starts on as_of + 7(n − 1). A negative offset (expected before `as_of`, i.e. overdue)
    goes into week 1 and counts as overdue; beyond the last week it goes into `later_minor`.
    `amounts` is (offset in days, minor units)."""
    if weeks < 1:
        raise KpiError(f"the forecast needs at least 1 week, not {weeks}")
    expected = [0] * weeks
    overdue = later = 0
    for offset, minor in amounts:
        if offset < 0:
            expected[0] += minor
            overdue += minor
        elif offset // 7 < weeks:
            expected[offset // 7] += minor
        else:
            later += minor
    rows = tuple(WeekForecast(as_of + timedelta(days=7 * i), expected[i], overdue if i == 0 else 0)
                 for i in range(weeks))
    return Forecast(currency, as_of, rows, later)
