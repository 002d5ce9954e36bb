"""A report of several tables, each with its own columns (what is held about one customer): the
company and the title on the first page, then one table per section under its heading, "Page x of
N" on every page. The tables are laid out as the aged receivables report lays out its own
(letters.report): columns sized to fit, long text wrapped, headings repeated on each page.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, SimpleDocTemplate, Spacer

from debtordesk.letters.blocks import TABLE_SIZE, markup, text_width
from debtordesk.letters.fonts import register_fonts
from debtordesk.letters.report import (
    MARGIN,
    PAD,
    ReportSection,
    TabularReport,
    _canvas_class,
    _decorate,
    _styles,
    column_widths,
    heading_flowables,
    section_grid,
)


@dataclass(frozen=True)
class DataSection:
    heading: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    align: tuple[str, ...] = ()  # 'l' or 'r' per column (default: all left)
    empty_text: str = "None."
    stretch: int | None = None  # the column that takes the room left over (None: the table keeps its width)


@dataclass(frozen=True)
class DataReport:
    header_lines: tuple[str, ...]  # the company's name, then its address lines
    title: str
    intro: str
    sections: tuple[DataSection, ...]
    footer: str = ""


def _flowables(report: DataReport, width: float) -> list[Flowable]:
    st = _styles()
    out = heading_flowables(report.header_lines, report.title, report.intro, st)
    for section in report.sections:
        out.append(CondPageBreak(60))  # a heading never ends a page
        if not section.rows:
            out.append(Paragraph(markup(section.heading), st["heading"]))
            out.append(Paragraph(markup(section.empty_text), st["note"]))
            out.append(Spacer(1, 4 * mm))
            continue
        align = section.align or ("l",) * len(section.columns)
        table = TabularReport((), section.heading, section.columns, align, (ReportSection(section.heading,
                                                                                          section.rows),))
        widths, size, wrap = _widths(section, table, width)
        out.append(section_grid(table.sections[0], table, widths, size, wrap))
        out.append(Spacer(1, 6 * mm))
    return out


def _widths(section: DataSection, table: TabularReport, width: float) -> tuple[list[float], float, set[int]]:
    """Each column as wide as its text when the table fits (the stretch column taking the rest of the
    line); else the aged-receivables layout, which wraps the long texts."""
    regular, bold = register_fonts()
    need = [max(text_width((r[i] for r in section.rows if i < len(r)), regular, TABLE_SIZE),
                stringWidth(section.columns[i], bold, TABLE_SIZE)) + 2 * PAD for i in range(len(section.columns))]
    if sum(need) > width:
        return column_widths(table, width)
    if section.stretch is not None:
        need[section.stretch] += width - sum(need)
    return need, TABLE_SIZE, set()


def render_data_report(report: DataReport) -> bytes:
    """The report as a landscape A4 PDF in DejaVu Sans."""
    register_fonts()
    frame = TabularReport(report.header_lines, report.title, (), (), (), footer=report.footer)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=landscape(A4), leftMargin=MARGIN, rightMargin=MARGIN, topMargin=17 * mm,
                            bottomMargin=17 * mm, title=report.title,
                            author=report.header_lines[0] if report.header_lines else "", creator="DebtorDesk",
                            pageCompression=1)
    doc.build(_flowables(report, doc.width), onFirstPage=_decorate(frame, True), onLaterPages=_decorate(frame, False),
              canvasmaker=_canvas_class(frame))
    return buf.getvalue()
