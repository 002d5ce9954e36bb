"""Tabular reports (the aged receivables) as a landscape PDF with reportlab platypus.

The caller hands over plain, already formatted text: the header lines (the company's name first),
a title, the column names and one section per currency with its rows and its total row. The first
page opens with the company and the title; later pages carry a short continuation line. Every
table repeats its heading and column names on each page it runs onto, and every page has the
footer with "Page x of N".
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4, LETTER, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Table as Grid

from debtordesk.domain.problems import UserError
from debtordesk.letters.blocks import ACCENT, GREY, HAIRLINE, INK, TABLE_SIZE, markup, text_width
from debtordesk.letters.fonts import register_fonts

PAPER_SIZES = {"A4": A4, "Letter": LETTER}
MARGIN = 15 * mm
PAD = 4.0
TEXT_SHARE = 0.35  # of the width: the most a text column takes before its text wraps


@dataclass(frozen=True)
class ReportSection:
    """One table: a heading ('GBP — British pound'), a note beside it, rows, and a bold total row."""

    heading: str
    rows: tuple[tuple[str, ...], ...]
    total_row: tuple[str, ...] | None = None
    note: str = ""


@dataclass(frozen=True)
class TabularReport:
    """A report ready to print. Every cell is formatted text; `align` holds 'l' or 'r' per column."""

    header_lines: tuple[str, ...]  # the company's name, then its address lines
    title: str
    columns: tuple[str, ...]
    align: tuple[str, ...]
    sections: tuple[ReportSection, ...]
    note: str = ""  # small print under the title
    empty_text: str = "Nothing to report."
    paper: str = "A4"  # a key of PAPER_SIZES; printed landscape
    footer: str = ""  # left of the page label on every page
    page_label: str = "Page {page} of {pages}"


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = register_fonts()
    return {
        "company": ParagraphStyle("r_company", fontName=bold, fontSize=14, leading=17, textColor=ACCENT),
        "address": ParagraphStyle("r_address", fontName=regular, fontSize=8, leading=10, textColor=GREY),
        "title": ParagraphStyle("r_title", fontName=bold, fontSize=13, leading=16, textColor=INK, spaceBefore=8,
                                spaceAfter=2),
        "note": ParagraphStyle("r_note", fontName=regular, fontSize=7.5, leading=9.5, textColor=GREY, spaceAfter=6),
        "body": ParagraphStyle("r_body", fontName=regular, fontSize=10, leading=13, textColor=INK, spaceBefore=8),
        "heading": ParagraphStyle("r_heading", fontName=bold, fontSize=10, leading=12, textColor=ACCENT),
    }


def column_widths(report: TabularReport, width: float) -> tuple[list[float], float, set[int]]:
    """Widths shared by every section's table (so the columns line up from one currency to the
    next), the font size that fits, and the columns whose text has to wrap."""
    regular, bold = register_fonts()
    n = len(report.columns)
    plain = [r for s in report.sections for r in s.rows]
    totals = [s.total_row for s in report.sections if s.total_row]
    right = [i for i in range(n) if report.align[i] == "r"]
    left = [i for i in range(n) if i not in right]
    size = TABLE_SIZE
    wrap: set[int] = set()
    for size in (TABLE_SIZE, 7.5, 7.0):
        need = [max(text_width((r[i] for r in plain if i < len(r)), regular, size),
                    text_width((r[i] for r in totals if i < len(r)), bold, size),
                    stringWidth(report.columns[i], bold, size)) + 2 * PAD for i in range(n)]
        words = [text_width(report.columns[i].split(), bold, size) + 2 * PAD for i in left]
        longest = max([width * TEXT_SHARE, *words])
        full = list(need)
        wrap = {i for i in left if need[i] > longest}  # a very long name wraps rather than shrink everything
        for i in wrap:
            need[i] = longest
        if sum(need) <= width:
            break
    spare = width - sum(need)
    if spare < 0:  # the text columns wrap further; the amounts keep their width
        room = width - sum(need[i] for i in right)
        share = sum(need[i] for i in left) or 1.0
        for i in left:
            need[i] = max(room * need[i] / share, 12 * mm)
        return need, size, set(left)
    # the room left over evens out the amount columns, then lets wrapped text stand on one line,
    # then gives the amounts a little air; the rest goes to the widest text column
    widest = max((need[i] for i in right), default=0.0)
    spare -= _level(need, right, spare, widest)
    for i in sorted(wrap):
        grow = min(spare, full[i] - need[i])
        need[i] += grow
        spare -= grow
        if need[i] >= full[i]:
            wrap.discard(i)
    spare -= _level(need, right, spare, widest * 1.15)
    target = max(left, key=lambda i: need[i]) if left else n - 1
    need[target] += spare
    return need, size, wrap


def _level(need: list[float], columns: list[int], spare: float, cap: float) -> float:
    """Widen the narrowest of `columns` towards one width (at most `cap`) within `spare`; returns the room used."""
    if not columns or spare <= 0:
        return 0.0
    lo, hi = min(need[i] for i in columns), max(cap, min(need[i] for i in columns))
    for _ in range(30):  # the highest level the spare room can fill
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if sum(max(0.0, mid - need[i]) for i in columns) <= spare else (lo, mid)
    used = 0.0
    for i in columns:
        used += max(0.0, lo - need[i])
        need[i] = max(need[i], lo)
    return used


def section_grid(section: ReportSection, report: TabularReport, widths: list[float], size: float,
                 wrap: set[int]) -> Grid:
    """The section as a table: its heading and the column names on top (repeated on every page it
    runs onto), hairlines between rows, amounts right-aligned, the total row bold over a rule."""
    regular, bold = register_fonts()
    st = _styles()
    n = len(report.columns)
    cell = ParagraphStyle(f"r_cell{size}", fontName=regular, fontSize=size, leading=size + 2, textColor=INK)
    heading = markup(section.heading)
    if section.note:
        heading += f'  <font name="{regular}" size="8" color="#5f6368">{markup(section.note)}</font>'

    def row(values: tuple[str, ...]) -> list[object]:
        out: list[object] = []
        for i in range(n):
            v = values[i] if i < len(values) else ""
            too_wide = i in wrap and stringWidth(v, regular, size) + 2 * PAD > widths[i]
            out.append(Paragraph(markup(v), cell) if too_wide else v)
        return out

    data: list[list[object]] = [[Paragraph(heading, st["heading"])] + [""] * (n - 1), list(report.columns)]
    data += [row(r) for r in section.rows]
    if section.total_row:
        data.append(row(section.total_row))
    last = len(data) - 1
    cmds: list[tuple] = [
        ("SPAN", (0, 0), (-1, 0)),
        ("FONT", (0, 1), (-1, -1), regular, size, size + 2),
        ("FONT", (0, 1), (-1, 1), bold, size, size + 2),
        ("TEXTCOLOR", (0, 1), (-1, -1), INK),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("VALIGN", (0, 1), (-1, 1), "BOTTOM"),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
        ("LEFTPADDING", (0, 0), (0, -1), 0),
        ("RIGHTPADDING", (-1, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 2.4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.4),
        ("BOTTOMPADDING", (0, 0), (-1, 0), 5),
        ("LINEBELOW", (0, 1), (-1, 1), 0.7, INK),
    ]
    body_end = last - 1 if section.total_row else last
    if body_end > 2:
        cmds.append(("LINEBELOW", (0, 2), (-1, body_end - 1), 0.25, HAIRLINE))
    for i in range(n):
        if report.align[i] == "r":
            cmds.append(("ALIGN", (i, 1), (i, -1), "RIGHT"))
    if section.total_row:
        if last - 2 >= 2:  # the total never stands alone at the top of a page
            cmds.append(("NOSPLIT", (0, last - 2), (-1, last)))
        cmds += [("FONT", (0, last), (-1, last), bold, size, size + 2), ("LINEABOVE", (0, last), (-1, last), 0.7, INK),
                 ("TOPPADDING", (0, last), (-1, last), 3.5)]
    grid = Grid(data, colWidths=widths, repeatRows=2, hAlign="LEFT")
    grid.setStyle(TableStyle(cmds))
    return grid


def heading_flowables(header_lines, title: str, note: str, st) -> list[Flowable]:
    """A report's top: the company's name, its other lines on one line, the title and a note."""
    out: list[Flowable] = []
    if header_lines:
        out.append(Paragraph(markup(header_lines[0]), st["company"]))
        rest = "  ·  ".join(x for x in header_lines[1:] if x.strip())
        if rest:
            out.append(Paragraph(markup(rest), st["address"]))
    out.append(Paragraph(markup(title), st["title"]))
    if note:
        out.append(Paragraph(markup(note), st["note"]))
    return out


def report_flowables(report: TabularReport, width: float) -> list[Flowable]:
    st = _styles()
    out = heading_flowables(report.header_lines, report.title, report.note, st)
    if not any(s.rows for s in report.sections):
        out.append(Paragraph(markup(report.empty_text), st["body"]))
        return out
    widths, size, wrap = column_widths(report, width)
    for section in report.sections:
        if not section.rows:
            continue
        out.append(CondPageBreak(60 + 15 * min(4, len(section.rows))))  # a heading never ends a page
        out.append(section_grid(section, report, widths, size, wrap))
        out.append(Spacer(1, 7 * mm))
    return out


def _clip(text: str, font: str, size: float, width: float) -> str:
    while text and stringWidth(text, font, size) > width:
        text = text[:-2].rstrip() + "…" if len(text) > 2 else ""
    return text


def _canvas_class(report: TabularReport):
    """A canvas that keeps the pages back until the end, then writes "Page x of N" on each."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._kept: list[dict] = []

        def showPage(self):  # noqa: N802 - reportlab's name
            self._kept.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            regular, _ = register_fonts()
            total = len(self._kept)
            for number, state in enumerate(self._kept, start=1):
                self.__dict__.update(state)
                label = report.page_label.replace("{page}", str(number)).replace("{pages}", str(total))
                self.setFillColor(GREY)
                self.setFont(regular, 7.5)
                self.drawRightString(self._pagesize[0] - MARGIN, 9 * mm, label)
                super().showPage()
            super().save()

    return NumberedCanvas


def _decorate(report: TabularReport, first: bool):
    def draw(canv: Canvas, doc) -> None:
        regular, _ = register_fonts()
        width, height = doc.pagesize
        canv.saveState()
        canv.setStrokeColor(HAIRLINE)
        canv.setLineWidth(0.5)
        canv.line(MARGIN, 12 * mm, width - MARGIN, 12 * mm)
        canv.setFillColor(GREY)
        canv.setFont(regular, 7.5)
        canv.drawString(MARGIN, 9 * mm, _clip(report.footer, regular, 7.5, width - 2 * MARGIN - 30 * mm))
        if not first:
            line = " · ".join(x for x in (report.header_lines[0] if report.header_lines else "", report.title) if x)
            canv.setFont(regular, 8)
            canv.drawString(MARGIN, height - 11 * mm, _clip(line, regular, 8, width - 2 * MARGIN))
            canv.line(MARGIN, height - 13 * mm, width - MARGIN, height - 13 * mm)
        canv.restoreState()

    return draw


def render_report(report: TabularReport) -> bytes:
    """The report as a landscape PDF: A4 or US Letter as `report.paper` says."""
    if report.paper not in PAPER_SIZES:
        raise UserError(f"'{report.paper}' is not a paper size reports can use; choose A4 or Letter.")
    if any(a not in ("l", "r") for a in report.align) or len(report.align) != len(report.columns):
        raise ValueError("align needs 'l' or 'r' for every column")
    register_fonts()
    size = landscape(PAPER_SIZES[report.paper])
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=size, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=17 * mm,
                            bottomMargin=17 * mm, title=report.title,
                            author=report.header_lines[0] if report.header_lines else "", creator="DebtorDesk",
                            pageCompression=1)
    doc.build(report_flowables(report, doc.width), onFirstPage=_decorate(report, True),
              onLaterPages=_decorate(report, False), canvasmaker=_canvas_class(report))
    return buf.getvalue()


__all__ = ["PAPER_SIZES", "ReportSection", "TabularReport", "column_widths", "render_report"]
