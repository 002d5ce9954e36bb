"""Aging buckets: labels, boundaries and assembling per-customer rows.

Days overdue = as-of date minus the due date (basis 'due') or the issue date (basis 'issue');
0 or less is 'current'. For limits 30,60,90 the labels are current, 1-30, 31-60, 61-90, 91+.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from debtordesk.domain.problems import UserError

DEFAULT_LIMITS = (30, 60, 90)
BASES = ("due", "issue")


class BucketError(UserError):
    """A bucket list that cannot be used; the message is meant for the user."""


def parse_limits(text: str) -> tuple[int, ...]:
    """'30,60,90' -> (30, 60, 90): positive whole days, strictly increasing."""
    parts = [p.strip() for p in (text or "").split(",") if p.strip()]
    if not parts:
        raise BucketError("give at least one bucket limit in days, for example 30,60,90")
    try:
        limits = tuple(int(p) for p in parts)
    except ValueError:
        raise BucketError(f"'{text}' must be whole numbers of days separated by commas") from None
    check_limits(limits)
    return limits


def check_limits(limits: Sequence[int]) -> None:
    if not limits:
        raise BucketError("give at least one bucket limit in days")
    if any(x < 1 for x in limits):
        raise BucketError("bucket limits must be at least 1 day")
    if any(b <= a for a, b in zip(limits, limits[1:], strict=False)):
        raise BucketError("bucket limits must increase, for example 30,60,90")


def bucket_labels(limits: Sequence[int]) -> list[str]:
    labels = ["current"]
    lo = 1
    for hi in limits:
        labels.append(f"{lo}-{hi}")
        lo = hi + 1
    labels.append(f"{lo}+")
    return labels


def bucket_index(days_overdue: int, limits: Sequence[int]) -> int:
    """0 for current, then 1..len(limits) for the ranges, len(limits)+1 for the last open one."""
    if days_overdue <= 0:
        return 0
    for i, hi in enumerate(limits, start=1):
        if days_overdue <= hi:
            return i
    return len(limits) + 1


def bucket_start_dates(as_of: date, limits: Sequence[int]) -> list[date]:
    """Boundaries for date comparisons (no date arithmetic in SQL): entry i is as_of - lo, where
    lo is the first overdue day of bucket i+1 (1, limits[0]+1, ...). A reference date d is in
    bucket i for the first i with d > entry i, else in the last bucket."""
    los = [1] + [hi + 1 for hi in limits]
    return [as_of - timedelta(days=lo) for lo in los]


@dataclass
class AgingRow:
    customer_ref: str
    name: str
    currency: str
    buckets: list[int]
    unapplied: int = 0
    customer_id: int = 0

    @property
    def total(self) -> int:
        return sum(self.buckets)

    @property
    def balance(self) -> int:
        return self.total - self.unapplied


@dataclass
class AgingReport:
    as_of: date
    basis: str
    limits: tuple[int, ...]
    rows: list[AgingRow] = field(default_factory=list)
    _totals: list[AgingRow] | None = field(default=None, repr=False, compare=False)

    @property
    def labels(self) -> list[str]:
        return bucket_labels(self.limits)

    def totals(self) -> list[AgingRow]:
        """One total line per currency (customer_ref and name empty); worked out once."""
        if self._totals is None:
            self._totals = self._sum_by_currency()
        return self._totals

    def _sum_by_currency(self) -> list[AgingRow]:
        by_cur: dict[str, AgingRow] = {}
        for r in self.rows:
            t = by_cur.setdefault(r.currency, AgingRow("", "", r.currency, [0] * len(r.buckets)))
            t.buckets = [a + b for a, b in zip(t.buckets, r.buckets, strict=True)]
            t.unapplied += r.unapplied
        return [by_cur[c] for c in sorted(by_cur)]


def build_report(
    as_of: date,
    basis: str,
    limits: Sequence[int],
    customers: dict[int, tuple[str, str]],
    open_amounts: Iterable[tuple[int, str, int, int]],
    unapplied: Iterable[tuple[int, str, int]],
) -> AgingReport:
    """Assemble the report from aggregates.

    `customers` maps customer id -> (ref, name); `open_amounts` yields (customer id, currency,
    bucket index, open minor units); `unapplied` yields (customer id, currency, minor units).
    Rows are sorted by customer ref then currency; a row exists only if something is open or
    unapplied.
    """
    n = len(limits) + 2
    rows: dict[tuple[int, str], AgingRow] = {}

    def row(cid: int, cur: str) -> AgingRow:
        if (cid, cur) not in rows:
            ref, name = customers[cid]
            rows[(cid, cur)] = AgingRow(ref, name, cur, [0] * n, customer_id=cid)
        return rows[(cid, cur)]

    for cid, cur, idx, amount in open_amounts:
        if amount:
            row(cid, cur).buckets[idx] += amount
    for cid, cur, amount in unapplied:
        if amount:
            row(cid, cur).unapplied += amount
    ordered = sorted(rows.values(), key=lambda r: (r.customer_ref, r.currency))
    return AgingReport(as_of, basis, tuple(limits), [r for r in ordered if r.total or r.unapplied])


def most_overdue(report: AgingReport, top: int = 8, currency: str | None = None) -> list[AgingRow]:
    """The customers most overdue (everything past the current bucket), largest first."""
    rows = (r for r in report.rows if (currency is None or r.currency == currency) and r.total - r.buckets[0] > 0)
    return sorted(rows, key=lambda r: (-(r.total - r.buckets[0]), r.customer_ref))[:top]


def chart_bars(report: AgingReport, worst: Sequence[AgingRow], currency: str | None = None,
               ) -> list[tuple[str, str, list[int]]]:
    """Bars for an aging chart: the total of each currency (or of `currency`), then `worst`."""
    bars = [(f"All customers ({t.currency})", t.currency, list(t.buckets)) for t in report.totals()
            if currency is None or t.currency == currency]
    return bars + [(r.name, r.currency, list(r.buckets)) for r in worst]
