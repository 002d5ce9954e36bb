"""Print the list on screen (Ctrl+P): the rows the search and filters select, in the screen's
order, as a simple table with a heading, through the system print dialog with a preview."""

from __future__ import annotations

import html
from datetime import date

from PySide6.QtGui import QPageLayout, QTextDocument
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog

from debtordesk.ui.formatting import day
from debtordesk.ui.models.paged import PagedTableModel

MAX_PRINTED_ROWS = 5000


def list_html(title: str, model: PagedTableModel, today: date, company: str = "") -> str:
    """The list as HTML for QTextDocument; at most MAX_PRINTED_ROWS rows (said in the heading)."""
    rows = model.rowCount()
    shown = min(rows, MAX_PRINTED_ROWS)
    cols = range(model.columnCount())
    head = "".join(f"<th align='{'right' if model.columns[c].right else 'left'}'>"
                   f"{html.escape(model.columns[c].title)}</th>" for c in cols)
    body = []
    for r in range(shown):
        item = model.row_at(r)
        cells = "".join(f"<td align='{'right' if model.columns[c].right else 'left'}'>"
                        f"{html.escape(model.columns[c].text(item))}</td>" for c in cols)
        body.append(f"<tr>{cells}</tr>")
    note = (f"{rows} row" + ("" if rows == 1 else "s")) if shown == rows else f"the first {shown} of {rows} rows"
    return (
        "<html><body style='font-family: DejaVu Sans; font-size: 8pt'>"
        f"<h3>{html.escape(company)}</h3><h2>{html.escape(title)}</h2>"
        f"<p>Printed {html.escape(day(today))} · {note}</p>"
        "<table width='100%' cellspacing='0' cellpadding='3' border='0.5'>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></body></html>"
    )


def print_list(parent, title: str, model: PagedTableModel, today: date, company: str = "") -> None:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageOrientation(QPageLayout.Orientation.Landscape)
    printer.setDocName(title)
    document = QTextDocument()
    document.setHtml(list_html(title, model, today, company))
    preview = QPrintPreviewDialog(printer, parent)
    preview.setWindowTitle(f"Print — {title}")
    preview.paintRequested.connect(document.print_)
    preview.exec()


def report_html(report, company: str, printed: str) -> str:
    """The aging report as HTML for QTextDocument: a table per currency with its total line."""
    from debtordesk.ui.formatting import money

    labels = [label.capitalize() for label in report.labels]
    heads = ["Ref", "Customer", *labels, "Total", "Unapplied", "Balance"]
    basis = "due date" if report.basis == "due" else "issue date"
    parts = [
        "<html><body style='font-family: DejaVu Sans; font-size: 8pt'>",
        f"<h3>{html.escape(company)}</h3>",
        f"<h2>Aged receivables as of {html.escape(day(report.as_of))} (by {basis})</h2>",
        f"<p>Printed {html.escape(printed)}</p>",
    ]
    if len(report.rows) > MAX_PRINTED_ROWS:
        parts.append(f"<p>The first {MAX_PRINTED_ROWS} of {len(report.rows)} customers; the PDF export has them "
                     "all.</p>")
    printed_rows = report.rows[:MAX_PRINTED_ROWS]
    for total in report.totals():
        rows = [r for r in printed_rows if r.currency == total.currency]
        head = "".join(f"<th align='{'left' if i < 2 else 'right'}'>{html.escape(h)}</th>" for i, h in enumerate(heads))
        body = []
        for r in [*rows, total]:
            amounts = [*r.buckets, r.total, r.unapplied, r.balance]
            cells = [r.customer_ref, r.name or f"Total {r.currency}"]
            cells += [money(a, r.currency) if a else "" for a in amounts]
            tag = "b" if r is total else "span"
            body.append("<tr>" + "".join(
                f"<td align='{'left' if i < 2 else 'right'}'><{tag}>{html.escape(c)}</{tag}></td>"
                for i, c in enumerate(cells)) + "</tr>")
        parts.append(f"<h3>{html.escape(total.currency)}</h3><table width='100%' cellspacing='0' cellpadding='3' "
                     f"border='0.5'><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")
    parts.append("</body></html>")
    return "".join(parts)


def print_report(parent, report, company: str, printed: str) -> None:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageOrientation(QPageLayout.Orientation.Landscape)
    printer.setDocName("Aged receivables")
    document = QTextDocument()
    document.setHtml(report_html(report, company, printed))
    preview = QPrintPreviewDialog(printer, parent)
    preview.setWindowTitle("Print — Aged receivables")
    preview.paintRequested.connect(document.print_)
    preview.exec()
