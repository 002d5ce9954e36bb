import io
import struct
import zlib
from dataclasses import replace
from decimal import Decimal

import pytest
from pypdf import PdfReader
from reportlab.pdfbase.pdfmetrics import stringWidth

from debtordesk.domain.problems import UserError
from debtordesk.domain.progress import Cancelled
from debtordesk.letters.fonts import register_fonts
from debtordesk.letters.layout import render_pdf
from debtordesk.letters.model import (
    PAPERS,
    WINDOWS,
    EpcData,
    Letter,
    Letterhead,
    PageSetup,
    Party,
    PaymentBlock,
    Table,
)

MM = 72 / 25.4
# the envelope windows as the standards give them: left, top, width, height (mm) and, for DIN 5008,
# the 17.7 mm at the window's top kept for the return line and notes
WINDOWS_MM = {
    "din5008": (20, 45, 85, 45, 17.7),
    "uk-dl": (20, 50, 90, 35, 0),
    "us-10": (0.875 * 25.4, 2 * 25.4, 4 * 25.4, 1.125 * 25.4, 0),
}
HEAD = Letterhead("Alder & Co Ltd", ("12 High Street", "Leeds LS1 4AB"), ("Tel. +44 113 496 0000",),
                  ("Company no. 01234567",))
COLUMNS = ("Invoice", "Date", "Due", "Amount", "Paid", "Open", "Days overdue")


def invoices(n: int) -> tuple[tuple[str, ...], ...]:
    return tuple((f"INV-{i:04d}", "03/09/2026", "03/10/2026", f"£{1000 + i}.50", "",
                  f"£{1000 + i}.50", str(40 + i)) for i in range(n))


def make_letter(name: str, lines: tuple[str, ...], rows: int = 2, **changes) -> Letter:
    letter = Letter(
        letterhead=HEAD,
        recipient=Party(name, lines),
        place_date="24 November 2026",
        reference_lines=(("Our reference", "DD-2026-0001"), ("Customer no.", "C001")),
        subject=f"Payment reminder for {name}",
        paragraphs=("Dear Sir or Madam,", "Our records show that the invoices below are unpaid.\nPlease pay soon."),
        tables=(Table(COLUMNS, invoices(rows), ("l", "l", "l", "r", "r", "r", "r"), "Outstanding invoices",
                      ("", "", "", "", "", "£9,876.54", "")),),
        summary=(("Invoices outstanding", "£9,806.54"), ("Fee", "£70.00"), ("Total now due", "£9,876.54")),
        closing=("Thank you.",),
        payment=PaymentBlock("How to pay", (("IBAN", "DE89 3704 0044 0532 0130 00"), ("Reference", "DD-2026-0001")),
                             EpcData("Alder & Co Ltd", "DE89370400440532013000", Decimal("9876.54"), "DD-2026-0001"),
                             "Scan with your banking app"),
        signature_lines=("Yours sincerely", "", "Jane Doe", "Credit control"),
        footer_lines=("Alder & Co Ltd · 12 High Street, Leeds LS1 4AB", "Company no. 01234567"),
        continuation_label=f"{name} — 24 November 2026",
    )
    return replace(letter, **changes)


def pages_text(pdf: bytes) -> list[str]:
    return [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]


LONG = make_letter("Nguyễn Văn An", ("ul. Piotrkowska 12", "90-001 Łódź", "POLAND"), rows=25)
SHORT = make_letter("Øresund ApS", ("Ελλάδα Street 5", "2100 København Ø", "DENMARK"), rows=2)


def test_a_batch_is_one_pdf_with_every_alphabet_and_page_numbers_restarting_per_letter():
    pdf = render_pdf([LONG, SHORT])
    texts = pages_text(pdf)
    assert len(texts) == 3
    everything = "\n".join(texts)
    for word in ("Łódź", "Øresund", "Ελλάδα", "Nguyễn", "£9,876.54", "£70.00", "£1024.50", "INV-0024"):
        assert word in everything, word
    assert "Page 1 of 2" in texts[0] and "Page 2 of 2" in texts[1]
    assert "Page 1 of 1" in texts[2]
    assert "Page 1 of 2" not in texts[2] and "Page 2" not in texts[2]
    # the first page of each letter carries the letterhead; the second page of the long letter does not
    assert "Alder & Co Ltd" in texts[0] and "24 November 2026" in texts[0]
    assert "DD-2026-0001" in texts[2] and "Øresund ApS" in texts[2]
    assert "Nguyễn Văn An — 24 November 2026" in texts[1]  # continuation header
    # a long table repeats its header row on the next page
    assert texts[1].count("Days overdue") == 1 and "Invoice" in texts[1]


def test_markup_characters_print_literally_everywhere():
    name = "Smith & Sons <Ltd>"
    letter = make_letter(name, ("1 <Mill> Lane & Yard",), paragraphs=("Dear Smith & Sons <Ltd>,", "A &amp; B <b>x</b>"),
                         tables=(Table(("Item & <kind>", "Amount"), (("<b>bold</b> & co", "£1.00"),), ("l", "r"),
                                       "Items & <things>"),),
                         closing=("R&D <dept>",))
    text = "\n".join(pages_text(render_pdf([letter])))
    for literal in ("Payment reminder for Smith & Sons <Ltd>", "Dear Smith & Sons <Ltd>,", "A &amp; B <b>x</b>",
                    "1 <Mill> Lane & Yard", "<b>bold</b> & co", "Items & <things>", "Item & <kind>", "R&D <dept>"):
        assert literal in text, literal


@pytest.mark.parametrize(("paper", "size"), [("A4", (595.3, 841.9)), ("Letter", (612.0, 792.0))])
def test_paper_sizes(paper, size):
    window = "us-10" if paper == "Letter" else "din5008"
    reader = PdfReader(io.BytesIO(render_pdf([SHORT], PageSetup(paper, window))))
    box = reader.pages[0].mediabox
    assert (round(float(box.width), 1), round(float(box.height), 1)) == size


def text_runs(page) -> list[tuple[str, float, float, float]]:
    """(text, x, y, font size) of every piece of text shown on the page."""
    runs = []

    def visit(text, cm, tm, font, size):
        if not text.strip():
            return
        a, b, c, d, e, f = cm
        x = tm[4] * a + tm[5] * c + e
        y = tm[4] * b + tm[5] * d + f
        runs.append((text.strip(), x, y, size * tm[3] * d))

    page.extract_text(visitor_text=visit)
    return runs


@pytest.mark.parametrize("paper", list(PAPERS))
@pytest.mark.parametrize("window", list(WINDOWS))
def test_the_recipient_sits_inside_the_envelope_window(paper, window):
    regular, _ = register_fonts()
    recipient = Party("Łódź Trading Sp. z o.o.", ("Attn: Anna Kowalska", "ul. Piotrkowska 12 lok. 4",
                                                  "90-001 Łódź", "POLAND"))
    pdf = render_pdf([replace(SHORT, recipient=recipient)], PageSetup(paper, window))
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    height = float(page.mediabox.height)
    left, top, width, tall, zone = (v * MM for v in WINDOWS_MM[window])
    box = (left, height - top - tall, left + width, height - top)  # x0, y0, x1, y1 in PDF points
    runs = text_runs(page)
    for line in (recipient.name, *recipient.lines):
        found = [r for r in runs if r[0] == line]
        assert found, (line, runs[:12])
        text, x, y, size = found[0]
        assert box[0] <= x and x + stringWidth(text, regular, size) <= box[2], (line, x, box)
        assert box[1] <= y - 0.25 * size and y + 0.8 * size <= box[3] - zone, (line, y, box)
    # the sender's return line is in the window too, above the address
    ret = [r for r in runs if r[0].startswith("Alder & Co Ltd · 12 High Street")]
    assert ret and box[0] <= ret[0][1] and box[1] <= ret[0][2] <= box[3]


def test_a_long_address_shrinks_to_stay_in_the_window():
    lines = tuple(f"Line {i} of a rather long address that keeps going on" for i in range(8))
    pdf = render_pdf([replace(SHORT, recipient=Party("Very Long Name Holdings International Ltd", lines))],
                     PageSetup("Letter", "us-10"))
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    height = float(page.mediabox.height)
    left, top, width, tall, _ = (v * MM for v in WINDOWS_MM["us-10"])
    ys = [y for text, x, y, size in text_runs(page) if text.startswith(("Line ", "Very Long"))]
    assert len(ys) == 9
    assert all(height - top - tall < y < height - top for y in ys)


def test_progress_once_per_letter_and_cancel():
    seen = []
    render_pdf([SHORT, LONG, SHORT], report=seen.append)
    assert [(p.done, p.total) for p in seen] == [(1, 3), (2, 3), (3, 3)]
    assert "Nguyễn" in seen[1].text

    asked = []

    def cancel_after_two():
        asked.append(1)
        return len(asked) > 2

    seen.clear()
    with pytest.raises(Cancelled):
        render_pdf([SHORT, SHORT, SHORT, SHORT], report=seen.append, should_cancel=cancel_after_two)
    assert len(seen) < 4
    with pytest.raises(Cancelled):
        render_pdf([SHORT], should_cancel=lambda: True)


def test_a_letter_needs_only_its_essentials():
    bare = Letter(Letterhead("Alder"), Party("Øresund ApS"), "", (), "", ("Hello.",))
    texts = pages_text(render_pdf([bare], PageSetup("Letter", "uk-dl")))
    assert len(texts) == 1 and "Hello." in texts[0] and "Page 1 of 1" in texts[0]


def test_bad_setups_and_empty_batches_are_refused():
    with pytest.raises(UserError, match="not a paper size"):
        render_pdf([SHORT], PageSetup("A5", "din5008"))
    with pytest.raises(UserError, match="not an envelope window"):
        render_pdf([SHORT], PageSetup("A4", "c4"))
    with pytest.raises(UserError, match="no letters"):
        render_pdf([])


def tiny_png(path) -> None:
    raw = b"".join(b"\x00" + b"\x1f\x3a\x5f" * 8 for _ in range(4))  # 8 x 4 pixels, RGB

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 4, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def test_a_logo_is_drawn_and_a_missing_one_is_left_out(tmp_path):
    logo = tmp_path / "logo.png"
    tiny_png(logo)
    with_logo = replace(SHORT, letterhead=replace(HEAD, logo_path=str(logo)))
    missing = replace(SHORT, letterhead=replace(HEAD, logo_path=str(tmp_path / "gone.png")))
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not an image")
    unreadable = replace(SHORT, letterhead=replace(HEAD, logo_path=str(broken)))
    reader = PdfReader(io.BytesIO(render_pdf([with_logo, missing, unreadable])))

    def images(page):
        xobjects = page["/Resources"].get("/XObject", {})
        return [k for k, v in xobjects.items() if v.get_object()["/Subtype"] == "/Image"]

    assert len(images(reader.pages[0])) == 1
    assert images(reader.pages[1]) == [] and images(reader.pages[2]) == []
