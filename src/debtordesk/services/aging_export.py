"""The aging report for other programs (CSV) and for paper (a landscape PDF, one table per currency).

`aging_csv` is what `debtordesk aging --format csv` prints: one line per customer and currency,
plain amounts ("1234.50") with the currency's minor digits. `aging_pdf` prepares the report as
formatted text (Babel, in the given locale) and hands it to letters.report for the layout.
"""

from __future__ import annotations

import csv
import io
from datetime import date

from babel.dates import format_date
from babel.numbers import get_currency_name
from sqlalchemy.orm import Session

from debtordesk.domain.aging import AgingReport, AgingRow
from debtordesk.domain.money import format_money, format_plain
from debtordesk.letters.report import ReportSection, TabularReport, render_report
from debtordesk.services.company import get_company
from debtordesk.services.settings import get_setting

BASIS_WORDS = {"due": "by due date", "issue": "by issue date"}


def aging_columns(report: AgingReport) -> list[str]:
    """The CSV header: customer_ref, name, currency, one column per bucket, total, unapplied, balance."""
    return ["customer_ref", "name", "currency", *report.labels, "total", "unapplied", "balance"]


def aging_csv(report: AgingReport) -> str:
    """The report as CSV text ('\\n' line ends), one line per customer and currency."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(aging_columns(report))
    for r in report.rows:
        amounts = [*r.buckets, r.total, r.unapplied, r.balance]
        writer.writerow([r.customer_ref, r.name, r.currency, *(format_plain(a, r.currency) for a in amounts)])
    return buf.getvalue()


def aging_title(report: AgingReport, locale: str = "en_GB") -> str:
    """'Aged receivables as of 24 November 2026 (by due date)'."""
    when = format_date(report.as_of, format="long", locale=locale)
    return f"Aged receivables as of {when} ({BASIS_WORDS.get(report.basis, report.basis)})"


def bucket_heading(label: str) -> str:
    """'current' -> 'Current'; ranges of days stay as they are ('1-30', '91+')."""
    return label[:1].upper() + label[1:]


def aging_document(session: Session, report: AgingReport, locale: str = "en_GB",
                   printed: date | None = None) -> TabularReport:
    """The report as text ready to print: the company's name and address, the title, and one
    section per currency (rows sorted as in the report, a total row); zero amounts are blank."""
    company = get_company(session)
    address = [x.strip().rstrip(",") for x in (company.address or "").splitlines() if x.strip()]
    header = tuple(x for x in (company.name or "", *address) if x)
    columns = ("Ref", "Customer", *(bucket_heading(x) for x in report.labels), "Total", "Unapplied", "Balance")

    def cells(r: AgingRow) -> tuple[str, ...]:
        def fmt(minor: int, blank: bool = True) -> str:
            return "" if blank and minor == 0 else format_money(minor, r.currency, locale)

        return (*(fmt(b) for b in r.buckets), fmt(r.total, False), fmt(r.unapplied), fmt(r.balance, False))

    by_currency: dict[str, list[tuple[str, ...]]] = {}
    for r in report.rows:
        by_currency.setdefault(r.currency, []).append((r.customer_ref, r.name, *cells(r)))
    sections = []
    for t in report.totals():
        name = get_currency_name(t.currency, locale=locale)
        count = len(by_currency[t.currency])
        sections.append(ReportSection(
            heading=f"{t.currency} — {name}" if name != t.currency else t.currency,
            note=f"{count} customer{'s' if count != 1 else ''}",
            rows=tuple(by_currency[t.currency]),
            total_row=("", f"Total {t.currency}", *cells(t)),
        ))
    if len(sections) > 1:  # the currencies side by side, never added together
        sections.append(ReportSection("Totals by currency", rows=tuple(s.total_row for s in sections if s.total_row)))
    when = format_date(printed, format="long", locale=locale) if printed else ""
    note = (f"Days overdue counted from the {'due' if report.basis == 'due' else 'issue'} date; "
            "each currency is totalled separately. Blank cells are zero.")
    paper = get_setting(session, "letters.paper") or "A4"
    return TabularReport(
        header_lines=header,
        title=aging_title(report, locale),
        note=note + (f" Printed {when}." if when else ""),
        columns=columns,
        align=("l", "l", *("r" for _ in columns[2:])),
        sections=tuple(sections),
        empty_text="Nothing is owed.",
        paper=paper if paper in ("A4", "Letter") else "A4",
        footer=" · ".join(x for x in (company.name or "", aging_title(report, locale)) if x),
    )


def aging_pdf(session: Session, report: AgingReport, locale: str = "en_GB", printed: date | None = None) -> bytes:
    """The report as a landscape PDF (A4 or US Letter per the letters.paper setting)."""
    return render_report(aging_document(session, report, locale, printed))
