"""Lay out a batch of letters as one multi-page PDF with reportlab platypus.

Every letter starts on a new page and has its own page numbers ("Page 1 of 2"). The first page of
a letter carries the letterhead, the sender's return line and the recipient inside the envelope
window, the reference block and date beside the window, and (on A4) the DIN fold and punch marks;
later pages carry a short continuation header. Every page has the footer lines and the page label.

The page label needs the number of pages of its letter, which is known only once the letter is laid
out: the canvas keeps each finished page back and writes the labels when the document is saved.
Letters are turned into flowables one at a time while the document is built, so progress is
reported and cancellation noticed letter by letter.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import inch, mm
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    ActionFlowable,
    BaseDocTemplate,
    Flowable,
    Frame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
)

from debtordesk.domain.problems import UserError
from debtordesk.domain.progress import Cancelled, Progress, Report, ShouldCancel
from debtordesk.letters.blocks import ACCENT, GREY, HAIRLINE, INK, LIGHT, letter_flowables, markup, text_width
from debtordesk.letters.fonts import register_fonts
from debtordesk.letters.model import PAPERS, WINDOWS, Letter, PageSetup

PAPER_SIZES = {"A4": A4, "Letter": LETTER}
# window key -> (left, top, width, height, height of the sender's return-line zone at its top),
# measured from the top-left corner of the page
WINDOW_GEOMETRY = {
    "din5008": (20 * mm, 45 * mm, 85 * mm, 45 * mm, 17.7 * mm),
    "uk-dl": (20 * mm, 50 * mm, 90 * mm, 35 * mm, 5.5 * mm),
    "us-10": (0.875 * inch, 2 * inch, 4 * inch, 1.125 * inch, 4.2 * mm),
}

FOOTER_SIZE, FOOTER_LEADING = 7, 8.5
LABEL_ROOM = 30 * mm  # kept free for the page label at the right of the first footer line
ADDRESS_SIZE = 10


@dataclass(frozen=True)
class Geometry:
    """Where things go on the page, in points; `*_top` values are distances from the top edge."""

    width: float
    height: float
    left: float
    right: float  # right margin
    window: tuple[float, float, float, float, float]
    address_x: float
    info_x: float
    info_top: float
    rule_top: float  # the rule under the letterhead
    body_top_first: float
    body_top_later: float
    footer_lines: int
    fold_marks: bool

    @property
    def text_width(self) -> float:
        return self.width - self.left - self.right

    @property
    def footer_first_baseline(self) -> float:
        return 10 * mm + (self.footer_lines - 1) * FOOTER_LEADING

    @property
    def footer_rule(self) -> float:
        return self.footer_first_baseline + FOOTER_SIZE + 3

    @property
    def body_bottom(self) -> float:
        return self.footer_rule + 6 * mm


def geometry(setup: PageSetup, footer_lines: int = 1, info_rows: int = 3) -> Geometry:
    """The page geometry for a paper and window (both checked), room for the footer and info block."""
    if setup.paper not in PAPER_SIZES:
        raise UserError(f"'{setup.paper}' is not a paper size letters can use; choose one of {', '.join(PAPERS)}.")
    if setup.window not in WINDOW_GEOMETRY:
        raise UserError(f"'{setup.window}' is not an envelope window letters know; "
                        f"choose one of {', '.join(WINDOWS)}.")
    width, height = PAPER_SIZES[setup.paper]
    a4 = setup.paper == "A4"
    left, right = (25 * mm, 20 * mm) if a4 else (1 * inch, 0.75 * inch)
    wx, wtop, ww, wh, _ = window = WINDOW_GEOMETRY[setup.window]
    address_x = wx + min(5 * mm, max(3 * mm, left - wx))
    info_x = max(125 * mm, wx + ww + 8 * mm)
    info_top = wtop + 5 * mm
    info_bottom = info_top + (info_rows + 1) * 12 + 6
    body_top = max(wtop + wh, info_bottom) + 8 * mm
    return Geometry(width, height, left, right, window, address_x, info_x, info_top, wtop - 4 * mm, body_top,
                    24 * mm, max(1, footer_lines), a4)


# ---- drawing the fixed parts of a page --------------------------------------------------------------

def _fit(text: str, font: str, size: float, width: float, smallest: float) -> tuple[str, float]:
    """The text and a size at which it fits `width` (shrunk down to `smallest`, then cut with '…')."""
    w = stringWidth(text, font, size)
    if w <= width:
        return text, size
    size = max(smallest, size * width / w * 0.995)
    while text and stringWidth(text, font, size) > width:
        text = text[:-2].rstrip() + "…" if len(text) > 2 else ""
    return text, size


def _logo(path: str, seen: dict[str, tuple[float, float] | None]) -> tuple[float, float] | None:
    """Width and height of a readable logo image, else None (the letter prints without it); each
    file is looked at once per batch."""
    if not path:
        return None
    if path not in seen:
        try:
            w, h = ImageReader(path).getSize()
            seen[path] = (float(w), float(h)) if w > 0 and h > 0 else None
        except Exception:  # noqa: BLE001 - a missing or broken logo must never stop a batch
            seen[path] = None
    return seen[path]


def _draw_letterhead(canv: Canvas, g: Geometry, letter: Letter, logos: dict) -> None:
    regular, bold = register_fonts()
    head = letter.letterhead
    top = g.height
    logo_w = 0.0
    size = _logo(head.logo_path, logos)
    if size is not None:
        scale = min(40 * mm / size[0], 20 * mm / size[1])
        w, h = size[0] * scale, size[1] * scale
        try:
            canv.drawImage(head.logo_path, g.width - g.right - w, top - 12 * mm - h, w, h, mask="auto")
            logo_w = w + 6 * mm
        except Exception:  # noqa: BLE001 - as above
            pass
    avail = g.text_width - logo_w
    name, name_size = _fit(head.name, bold, 16, avail, 10)
    y = top - 20 * mm
    canv.setFillColor(ACCENT)
    canv.setFont(bold, name_size)
    canv.drawString(g.left, y, name)
    canv.setFillColor(GREY)
    canv.setFont(regular, 7.5)
    y -= 5.5 * mm
    floor = top - g.rule_top + 2 * mm
    for group in (head.address_lines, head.contact_lines, head.legal_lines):
        text = "  ·  ".join(x for x in group if x.strip())
        for line in simpleSplit(text, regular, 7.5, avail) if text else ():
            if y < floor:
                break
            canv.drawString(g.left, y, line)
            y -= 9.5
    canv.setStrokeColor(HAIRLINE)
    canv.setLineWidth(0.6)
    canv.line(g.left, top - g.rule_top, g.width - g.right, top - g.rule_top)


def _draw_window(canv: Canvas, g: Geometry, letter: Letter) -> None:
    """The sender's return line and the recipient, inside the envelope window."""
    regular, _ = register_fonts()
    wx, wtop, ww, wh, zone = g.window
    x = g.address_x
    avail = wx + ww - 3 * mm - x
    head = letter.letterhead
    parts = [t.strip() for t in (head.name, *head.address_lines) if t.strip()]
    while len(parts) > 2 and stringWidth(" · ".join(parts), regular, 6) > avail:
        parts.pop()  # the country or a second street line goes before anything is cut
    if parts:
        text, size = _fit(" · ".join(parts), regular, 7, avail, 6)
        y = g.height - wtop - zone + 1.6 * mm
        canv.setFillColor(GREY)
        canv.setFont(regular, size)
        canv.drawString(x, y, text)
        canv.setStrokeColor(LIGHT)
        canv.setLineWidth(0.3)
        canv.line(x, y - 1.4, x + stringWidth(text, regular, size), y - 1.4)
    lines = [t for t in (letter.recipient.name, *letter.recipient.lines) if t.strip()]
    if not lines:
        return
    room = wh - zone - 3 * mm  # 1.5 mm clear of the zone's foot and of the window's bottom edge
    size = max(6.0, min(ADDRESS_SIZE, room / (1.2 + 1.23 * (len(lines) - 1))))
    leading = size * 1.23
    widest = text_width(lines, regular, size)
    if widest > avail:
        size = max(6.0, size * avail / widest)
    canv.setFillColor(INK)
    canv.setFont(regular, size)
    y = g.height - wtop - zone - 1.5 * mm - size * 0.95  # the first baseline, its capitals' top 1.5 mm down
    for line in lines:
        text, _ = _fit(line, regular, size, avail, size)
        canv.drawString(x, y, text)
        y -= leading


def _draw_info(canv: Canvas, g: Geometry, letter: Letter) -> None:
    """The reference lines (label and value) and the date beside the window."""
    regular, _ = register_fonts()
    x = g.info_x
    right = g.width - g.right
    label_w = min(text_width((lb for lb, _ in letter.reference_lines), regular, 7.5) + 3 * mm, (right - x) * 0.5)
    y = g.height - g.info_top
    for label, value in letter.reference_lines:
        canv.setFillColor(GREY)
        lb, lsize = _fit(label, regular, 7.5, label_w - 2 * mm, 6)
        canv.setFont(regular, lsize)
        canv.drawString(x, y, lb)
        canv.setFillColor(INK)
        text, size = _fit(value, regular, 9, right - x - label_w, 6.5)
        canv.setFont(regular, size)
        canv.drawString(x + label_w, y, text)
        y -= 12
    if letter.place_date:
        y -= 6 if letter.reference_lines else 0
        text, size = _fit(letter.place_date, regular, 9, right - x, 6.5)
        canv.setFillColor(INK)
        canv.setFont(regular, size)
        canv.drawString(x + (label_w if letter.reference_lines else 0), y, text)


def _draw_marks(canv: Canvas, g: Geometry) -> None:
    """DIN fold marks (105 mm and 210 mm from the top) and the punch mark (148.5 mm), A4 only."""
    canv.setStrokeColor(LIGHT)
    canv.setLineWidth(0.4)
    for top, length in ((105 * mm, 5 * mm), (210 * mm, 5 * mm), (148.5 * mm, 7 * mm)):
        y = g.height - top
        canv.line(4 * mm, y, 4 * mm + length, y)


def _draw_footer(canv: Canvas, g: Geometry, letter: Letter) -> None:
    regular, _ = register_fonts()
    canv.setStrokeColor(HAIRLINE)
    canv.setLineWidth(0.5)
    canv.line(g.left, g.footer_rule, g.width - g.right, g.footer_rule)
    canv.setFillColor(GREY)
    y = g.footer_first_baseline
    for line, size in footer_lines(letter, g.text_width)[: g.footer_lines]:
        canv.setFont(regular, size)
        canv.drawString(g.left, y, line)
        y -= FOOTER_LEADING


def footer_lines(letter: Letter, width: float) -> list[tuple[str, float]]:
    """The footer lines at the size they print (shrunk a little, then wrapped, to fit `width`; the
    first line leaves room on the right for the page label)."""
    regular, _ = register_fonts()
    out: list[tuple[str, float]] = []
    for line in letter.footer_lines:
        text = line.strip()
        while text:
            room = width - (LABEL_ROOM if not out else 0)
            w = stringWidth(text, regular, FOOTER_SIZE)
            size = FOOTER_SIZE if w <= room else max(6.0, FOOTER_SIZE * room / w)
            first, *rest = simpleSplit(text, regular, size, room) or [""]
            out.append((first, size))
            text = " ".join(rest)
    return out


def _draw_continuation(canv: Canvas, g: Geometry, letter: Letter) -> None:
    if not letter.continuation_label.strip():
        return
    regular, _ = register_fonts()
    y = g.height - 14 * mm
    text, size = _fit(letter.continuation_label, regular, 8, g.text_width, 6.5)
    canv.setFillColor(GREY)
    canv.setFont(regular, size)
    canv.drawString(g.left, y, text)
    canv.setStrokeColor(HAIRLINE)
    canv.setLineWidth(0.5)
    canv.line(g.left, y - 2.5 * mm, g.width - g.right, y - 2.5 * mm)


# ---- the document -----------------------------------------------------------------------------------

class _LetterCanvas(Canvas):
    """Keeps every finished page back until the document is saved, then writes each page's label
    ("Page 2 of 3") now that the number of pages of its letter is known."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._kept: list[tuple[dict, tuple[int, int, str, Geometry] | None]] = []
        self.page_info: tuple[int, int, str, Geometry] | None = None

    def showPage(self):  # noqa: N802 - reportlab's name
        self._kept.append((dict(self.__dict__), self.page_info))
        self.page_info = None
        self._startPage()

    def save(self):
        pages = Counter(info[0] for _, info in self._kept if info)
        regular, _ = register_fonts()
        for state, info in self._kept:
            self.__dict__.update(state)
            if info is not None:
                letter_no, page, label, g = info
                text = label.replace("{page}", str(page)).replace("{pages}", str(pages[letter_no]))
                self.setFillColor(GREY)
                self.setFont(regular, 7.5)
                self.drawRightString(g.width - g.right, g.footer_first_baseline, text)
            super().showPage()
        self._kept = []
        super().save()


class _Doc(BaseDocTemplate):
    def __init__(self, buf, letters: list[Letter], g: Geometry, report: Report | None,
                 should_cancel: ShouldCancel | None):
        super().__init__(buf, pagesize=(g.width, g.height), leftMargin=g.left, rightMargin=g.right,
                         topMargin=g.body_top_later, bottomMargin=g.body_bottom, title=_title(letters),
                         author=letters[0].letterhead.name, creator="DebtorDesk", pageCompression=1)
        self.letters, self.g = letters, g
        self.report, self.should_cancel = report, should_cancel
        self.letter_no = -1
        self.page_in_letter = 0
        self.story: list[Flowable] = []
        self.logos: dict[str, tuple[float, float] | None] = {}
        first = Frame(g.left, g.body_bottom, g.text_width, g.height - g.body_top_first - g.body_bottom,
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="first")
        later = Frame(g.left, g.body_bottom, g.text_width, g.height - g.body_top_later - g.body_bottom,
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="later")
        self.addPageTemplates([
            PageTemplate("first", [first], onPage=self._first_page, autoNextPageTemplate="later"),
            PageTemplate("later", [later], onPage=self._later_page),
        ])

    def _first_page(self, canv: _LetterCanvas, doc) -> None:
        self.letter_no += 1
        self.page_in_letter = 1
        letter = self.letters[self.letter_no]
        canv.saveState()
        _draw_letterhead(canv, self.g, letter, self.logos)
        _draw_window(canv, self.g, letter)
        _draw_info(canv, self.g, letter)
        if self.g.fold_marks:
            _draw_marks(canv, self.g)
        _draw_footer(canv, self.g, letter)
        canv.restoreState()
        canv.page_info = (self.letter_no, 1, letter.page_label, self.g)

    def _later_page(self, canv: _LetterCanvas, doc) -> None:
        self.page_in_letter += 1
        letter = self.letters[self.letter_no]
        canv.saveState()
        _draw_continuation(canv, self.g, letter)
        _draw_footer(canv, self.g, letter)
        canv.restoreState()
        canv.page_info = (self.letter_no, self.page_in_letter, letter.page_label, self.g)


class _LetterStart(ActionFlowable):
    """Puts the flowables of letter `index` in front of the story when the layout reaches it."""

    def __init__(self, index: int):
        super().__init__()
        self.index = index

    def apply(self, doc: _Doc) -> None:
        if doc.should_cancel is not None and doc.should_cancel():
            raise Cancelled()
        letter = doc.letters[self.index]
        parts = letter_flowables(letter, doc.g.text_width)
        parts.append(_LetterDone(self.index))
        if self.index + 1 < len(doc.letters):
            parts += [NextPageTemplate("first"), PageBreak(), _LetterStart(self.index + 1)]
        doc.story[0:0] = parts


class _LetterDone(ActionFlowable):
    def __init__(self, index: int):
        super().__init__()
        self.index = index

    def apply(self, doc: _Doc) -> None:
        if doc.report is not None:
            n = len(doc.letters)
            doc.report(Progress(self.index + 1, n, f"Letter {self.index + 1} of {n}: "
                                                   f"{doc.letters[self.index].recipient.name}"))


def _title(letters: list[Letter]) -> str:
    if len(letters) == 1:
        return " — ".join(x for x in (letters[0].subject, letters[0].recipient.name) if x)
    return f"{len(letters)} letters"


DEFAULT_SETUP = PageSetup()


def render_pdf(letters: Iterable[Letter], setup: PageSetup = DEFAULT_SETUP, report: Report | None = None,
               should_cancel: ShouldCancel | None = None) -> bytes:
    """The whole batch as one PDF: each letter from a new page, with its own page numbers.

    `report(Progress(done, total, text))` follows each letter; `Cancelled` is raised as soon as
    `should_cancel()` turns true (checked before each letter)."""
    batch = list(letters)
    if not batch:
        raise UserError("There are no letters to print.")
    register_fonts()
    probe = geometry(setup)
    footer_rows = max(len(footer_lines(x, probe.text_width)) for x in batch)
    info_rows = max(len(x.reference_lines) for x in batch)
    g = geometry(setup, footer_rows, info_rows)
    buf = io.BytesIO()
    doc = _Doc(buf, batch, g, report, should_cancel)
    doc.story = [_LetterStart(0)]
    doc.build(doc.story, canvasmaker=_LetterCanvas)
    return buf.getvalue()


__all__ = ["DEFAULT_SETUP", "Geometry", "PAPER_SIZES", "WINDOW_GEOMETRY", "geometry", "letter_flowables", "markup",
           "render_pdf"]
