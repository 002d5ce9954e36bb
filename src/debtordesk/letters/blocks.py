"""The blocks of a letter's text as reportlab flowables: subject, paragraphs, tables with thin rules,
the summary of amounts, the boxed payment details with the payment code, closing and signature.

All text goes through `markup`, so names such as "Smith & Sons <Ltd>" print as written.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from xml.sax.saxutils import escape

from reportlab.lib.colors import HexColor
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Paragraph, Spacer, TableStyle
from reportlab.platypus import Table as Grid

from debtordesk.letters.epc import QrCode, epc_qr
from debtordesk.letters.fonts import register_fonts
from debtordesk.letters.model import Letter, Party, PaymentBlock, SignatureField, Table

INK = HexColor("#1a1a1a")
ACCENT = HexColor("#1f3a5f")
GREY = HexColor("#5f6368")
LIGHT = HexColor("#9aa0a6")
HAIRLINE = HexColor("#d5d8dc")

BODY_SIZE, BODY_LEADING = 10, 14.5
TABLE_SIZE, TABLE_LEADING = 8.5, 10.5
SHORT_TABLE = 8  # rows; a table this short is never split across pages


# ---- styles -------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = register_fonts()
    body = ParagraphStyle("body", fontName=regular, fontSize=BODY_SIZE, leading=BODY_LEADING, textColor=INK,
                          spaceAfter=7)
    return {
        "body": body,
        "subject": ParagraphStyle("subject", parent=body, fontName=bold, fontSize=11, leading=14, spaceAfter=10),
        "title": ParagraphStyle("title", parent=body, fontName=bold, fontSize=9.5, leading=12, spaceBefore=6,
                                spaceAfter=3),
        "head_l": ParagraphStyle("head_l", fontName=bold, fontSize=TABLE_SIZE, leading=TABLE_LEADING, textColor=INK),
        "head_r": ParagraphStyle("head_r", fontName=bold, fontSize=TABLE_SIZE, leading=TABLE_LEADING, textColor=INK,
                                 alignment=TA_RIGHT),
        "cell": ParagraphStyle("cell", fontName=regular, fontSize=TABLE_SIZE, leading=TABLE_LEADING, textColor=INK),
        "signature": ParagraphStyle("signature", parent=body, spaceAfter=0),
        "caption": ParagraphStyle("caption", fontName=regular, fontSize=6.5, leading=8, textColor=GREY,
                                  alignment=TA_CENTER),
        "pay_title": ParagraphStyle("pay_title", fontName=bold, fontSize=9.5, leading=12, textColor=INK),
        "pay_value": ParagraphStyle("pay_value", fontName=regular, fontSize=9, leading=11, textColor=INK),
        "role": ParagraphStyle("role", fontName=regular, fontSize=7.5, leading=10, textColor=GREY),
        "party": ParagraphStyle("party", fontName=bold, fontSize=9.5, leading=12.5, textColor=INK),
        "party_line": ParagraphStyle("party_line", fontName=regular, fontSize=9, leading=11.5, textColor=INK),
    }


def markup(text: str) -> str:
    """Plain text as Paragraph markup: &, < and > print as themselves, a newline breaks the line."""
    return escape(text).replace("\n", "<br/>")


# ---- the flowables of one letter ------------------------------------------------------------------

def letter_flowables(letter: Letter, width: float) -> list[Flowable]:
    """Subject, body, tables, summary, payment block, closing and signature of one letter."""
    st = _styles()
    out: list[Flowable] = []
    if letter.subject.strip():
        out.append(Paragraph(markup(letter.subject.strip()), st["subject"]))
    out += [Paragraph(markup(p), st["body"]) for p in letter.paragraphs if p.strip()]
    if letter.parties:
        out += [Spacer(1, 1 * mm), parties_grid(letter.parties, width), Spacer(1, 4 * mm)]
    for table in letter.tables:
        if not table.columns:
            continue
        title = [Paragraph(markup(table.title), st["title"])] if table.title else []
        if len(table.rows) <= SHORT_TABLE:  # a short table moves to the next page whole, with its title
            out.append(KeepTogether([*title, table_grid(table, width)]))
        else:  # the title, header and first rows stay together; the table breaks where it must
            out.append(CondPageBreak((21 if title else 0) + 17 * 4))
            out += [*title, table_grid(table, width)]
        out.append(Spacer(1, 4 * mm))
    if letter.summary:
        out.append(summary_grid(letter.summary, width))
        out.append(Spacer(1, 5 * mm))
    if letter.payment is not None:
        out.append(payment_box(letter.payment, width))
        out.append(Spacer(1, 5 * mm))
    closing = [Paragraph(markup(p), st["body"]) for p in letter.closing if p.strip()]
    signature = _signature(letter.signature_lines)
    if letter.sign_fields:
        signature += [Spacer(1, 4 * mm), sign_grid(letter.sign_fields, width)]
    if closing and signature:  # the last paragraph never stands alone above the signature on a new page
        out += closing[:-1]
        out.append(KeepTogether([closing[-1], *signature]))
    elif signature:
        out.append(KeepTogether(signature))
    else:
        out += closing
    return out


def _signature(lines: tuple[str, ...]) -> list[Flowable]:
    st = _styles()["signature"]
    out: list[Flowable] = []
    for line in lines:
        out.append(Paragraph(markup(line), st) if line.strip() else Spacer(1, BODY_LEADING))
    return out


def text_width(texts: Iterable[str], font: str, size: float) -> float:
    """The width of the widest text."""
    return max((stringWidth(t, font, size) for t in texts), default=0.0)


def table_grid(table: Table, width: float) -> Grid:
    """A table with thin rules: bold header under a rule (repeated on a new page), amounts right-aligned,
    the total row bold over a rule; columns sized to their contents and spread over the width."""
    regular, bold = register_fonts()
    st = _styles()
    n = len(table.columns)
    align = tuple((table.align[i] if i < len(table.align) else "l").lower() for i in range(n))
    rows = [tuple(r[i] if i < len(r) else "" for i in range(n)) for r in table.rows]
    total = tuple(table.total_row[i] if i < len(table.total_row) else "" for i in range(n)) if table.total_row else None
    pad = 4.0
    size = TABLE_SIZE
    for size in (TABLE_SIZE, 7.5, 7.0):
        data_w = [max(text_width((r[i] for r in rows), regular, size),
                      stringWidth(total[i], bold, size) if total else 0.0) for i in range(n)]
        head_full = [stringWidth(c, bold, size) for c in table.columns]
        head_word = [text_width(c.split() or [""], bold, size) for c in table.columns]
        need = [max(d, h) + 2 * pad for d, h in zip(data_w, head_word, strict=True)]
        if sum(need) <= width:
            break
    wrap_cols: set[int] = set()
    if sum(need) > width:  # still too wide: let the text (left-aligned) columns wrap
        fixed = sum(need[i] for i in range(n) if align[i] == "r")
        flexible = [i for i in range(n) if align[i] != "r"] or list(range(n))
        room = max(width - (fixed if len(flexible) < n else 0), 20.0 * len(flexible))
        share = sum(need[i] for i in flexible) or 1.0
        for i in flexible:
            need[i] = room * need[i] / share
        wrap_cols = set(flexible)
    else:  # first spare room lets headers stand on one line, the rest spreads evenly
        spare = width - sum(need)
        for i in range(n):
            grow = min(spare, max(0.0, head_full[i] + 2 * pad - need[i]))
            need[i] += grow
            spare -= grow
        base = sum(need)
        need = [w + spare * w / base for w in need]
    head = []
    for i, c in enumerate(table.columns):
        if stringWidth(c, bold, size) + 2 * pad > need[i] + 0.01:
            style = ParagraphStyle(f"h{size}{align[i]}", parent=st["head_r" if align[i] == "r" else "head_l"],
                                   fontSize=size, leading=size + 2)
            head.append(Paragraph(markup(c), style))
        else:
            head.append(c)
    cell_style = ParagraphStyle(f"c{size}", parent=st["cell"], fontSize=size, leading=size + 2)
    body = [[Paragraph(markup(v), cell_style) if i in wrap_cols and stringWidth(v, regular, size) + 2 * pad > need[i]
             else v for i, v in enumerate(r)] for r in rows]
    data = [head, *body] + ([list(total)] if total else [])
    last = len(data) - 1
    cmds = [
        ("FONT", (0, 0), (-1, -1), regular, size, size + 2),
        ("FONT", (0, 0), (-1, 0), bold, size, size + 2),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
        ("VALIGN", (0, 1), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), pad),
        ("RIGHTPADDING", (0, 0), (-1, -1), pad),
        ("LEFTPADDING", (0, 0), (0, -1), 0),
        ("RIGHTPADDING", (-1, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 2.6),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.6),
        ("LINEBELOW", (0, 0), (-1, 0), 0.7, INK),
    ]
    if len(body) > 1:
        cmds.append(("LINEBELOW", (0, 1), (-1, len(body) - 1), 0.25, HAIRLINE))
    for i in range(n):
        if align[i] == "r":
            cmds.append(("ALIGN", (i, 0), (i, -1), "RIGHT"))
    if total and len(body) > 1:  # the total never stands alone at the top of a page
        cmds.append(("NOSPLIT", (0, last - 2), (-1, last)))
    if total:
        cmds += [("FONT", (0, last), (-1, last), bold, size, size + 2), ("LINEABOVE", (0, last), (-1, last), 0.7, INK),
                 ("TOPPADDING", (0, last), (-1, last), 3.5)]
    grid = Grid(data, colWidths=need, repeatRows=1, hAlign="LEFT")
    grid.setStyle(TableStyle(cmds))
    return grid


def summary_grid(lines: tuple[tuple[str, str], ...], width: float) -> Flowable:
    """(label, amount) lines as a right-aligned block; the last line, the total, bold under a rule."""
    regular, bold = register_fonts()
    size = 9.5
    label_w = max(text_width((lb for lb, _ in lines), bold, size) + 14, 40 * mm)
    amount_w = max(text_width((a for _, a in lines), bold, size) + 6, 25 * mm)
    if label_w + amount_w > width:
        label_w = width - amount_w
    last = len(lines) - 1
    cmds = [
        ("FONT", (0, 0), (-1, -1), regular, size, size + 3),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("ALIGN", (1, 0), (1, -1), "RIGHT"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 1.8),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.8),
        ("FONT", (0, last), (-1, last), bold, size + 0.5, size + 3),
        ("TOPPADDING", (0, last), (-1, last), 4),
    ]
    if len(lines) > 1:
        cmds.append(("LINEABOVE", (0, last), (-1, last), 0.7, INK))
    cmds.append(("LINEBELOW", (0, last), (-1, last), 0.7, INK))
    grid = Grid([list(x) for x in lines], colWidths=[label_w, amount_w], hAlign="RIGHT")
    grid.setStyle(TableStyle(cmds))
    return KeepTogether([grid])


def payment_box(block: PaymentBlock, width: float) -> Flowable:
    """A thin box: title and label/value lines on the left, the payment code with its caption on the right."""
    regular, bold = register_fonts()
    st = _styles()
    pad = 4 * mm
    qr = None
    if block.epc is not None:
        qr = QrCode(epc_qr(block.epc), 30 * mm)
    caption_w = stringWidth(block.qr_caption, regular, 6.5) + 2 if qr else 0.0
    right_w = (max(qr.size, min(caption_w, 42 * mm)) + 2 * pad) if qr else 0.0
    left_w = width - right_w
    label_w = min(text_width((lb for lb, _ in block.lines), regular, 8.5) + 10, left_w * 0.4)
    value_w = left_w - label_w - 2 * pad
    values = [v if stringWidth(v, regular, 9) <= value_w else Paragraph(markup(v), st["pay_value"])
              for _, v in block.lines]
    inner_rows = [[Paragraph(markup(block.title), st["pay_title"]), ""]] if block.title else []
    inner_rows += [[lb, v] for (lb, _), v in zip(block.lines, values, strict=True)]
    cmds = [
        ("FONT", (0, 0), (0, -1), regular, 8.5, 11),
        ("TEXTCOLOR", (0, 0), (0, -1), GREY),
        ("FONT", (1, 0), (1, -1), regular, 9, 11),
        ("TEXTCOLOR", (1, 0), (1, -1), INK),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 1.2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    if block.title:
        cmds += [("SPAN", (0, 0), (1, 0)), ("BOTTOMPADDING", (0, 0), (-1, 0), 5)]
    inner = Grid(inner_rows or [["", ""]], colWidths=[label_w, value_w], hAlign="LEFT")
    inner.setStyle(TableStyle(cmds))
    cells: list[object] = [inner]
    widths = [left_w]
    if qr is not None:
        cells.append([qr, Paragraph(markup(block.qr_caption), st["caption"])] if block.qr_caption else [qr])
        widths.append(right_w)
    box = Grid([cells], colWidths=widths, hAlign="LEFT")
    box.setStyle(TableStyle([
        ("BOX", (0, 0), (-1, -1), 0.6, LIGHT),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), pad),
        ("RIGHTPADDING", (0, 0), (-1, -1), pad),
        ("TOPPADDING", (0, 0), (-1, -1), pad * 0.8),
        ("BOTTOMPADDING", (0, 0), (-1, -1), pad * 0.8),
        ("ALIGN", (-1, 0), (-1, 0), "CENTER" if qr else "LEFT"),
    ]))
    return KeepTogether([box])


def _columns(count: int, width: float, gap: float) -> list[float]:
    """Widths of `count` equal columns with a gap column between each two."""
    col = (width - gap * (count - 1)) / count
    out: list[float] = []
    for i in range(count):
        out += [col] if i == 0 else [gap, col]
    return out


def parties_grid(parties: tuple[tuple[str, Party], ...], width: float) -> Flowable:
    """The parties of an agreement side by side: each a grey role, the name in bold, the address,
    under a thin rule."""
    st = _styles()
    gap = 8 * mm
    cells: list[object] = []
    for i, (role, party) in enumerate(parties):
        block = [Paragraph(markup(role), st["role"]), Paragraph(markup(party.name), st["party"])]
        block += [Paragraph(markup(x), st["party_line"]) for x in party.lines if x.strip()]
        cells += [block] if i == 0 else ["", block]
    grid = Grid([cells], colWidths=_columns(len(parties), width, gap), hAlign="LEFT")
    cmds = [("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 0)]
    cmds += [("LINEABOVE", (2 * i, 0), (2 * i, 0), 0.7, ACCENT) for i in range(len(parties))]
    grid.setStyle(TableStyle(cmds))
    return grid


def sign_grid(fields: tuple[SignatureField, ...], width: float) -> Flowable:
    """Places to sign side by side: who signs for whom in bold, then for each label a line to
    write on with the label in small grey print under it (a name already known is printed on the
    first line). The last line, for the signature itself, has the most room."""
    regular, _ = register_fonts()
    st = _styles()
    rows_n = max(len(f.lines) for f in fields)
    data: list[list[object]] = [[], *([[] for _ in range(2 * rows_n)])]
    for i, f in enumerate(fields):
        gap = [] if i == 0 else [""]
        data[0] += gap + [Paragraph(markup(f.party), st["party"])]
        for k in range(rows_n):
            label = f.lines[k] if k < len(f.lines) else ""
            value = f.name if k == 0 and label else ""
            data[1 + 2 * k] += gap + [Paragraph(markup(value), st["party_line"]) if value else ""]
            data[2 + 2 * k] += gap + [label]
    heights = [None] + [h for k in range(rows_n) for h in ((12 if k == rows_n - 1 else 8) * mm, None)]
    cmds = [("FONT", (0, 1), (-1, -1), regular, 7.5, 9), ("TEXTCOLOR", (0, 1), (-1, -1), GREY),
            ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("NOSPLIT", (0, 0), (-1, -1))]
    for i, f in enumerate(fields):
        for k in range(len(f.lines)):
            cmds.append(("LINEBELOW", (2 * i, 1 + 2 * k), (2 * i, 1 + 2 * k), 0.6, INK))
    grid = Grid(data, colWidths=_columns(len(fields), width, 12 * mm), rowHeights=heights, hAlign="LEFT")
    grid.setStyle(TableStyle(cmds))
    return grid  # not a KeepTogether: it is kept together with the closing's last paragraph
