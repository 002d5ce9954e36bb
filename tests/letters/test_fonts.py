import io

from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, SimpleDocTemplate

from debtordesk.letters.fonts import register_fonts


def test_names_in_any_alphabet_print_with_an_embedded_font():
    regular, bold = register_fonts()
    buf = io.BytesIO()
    style = ParagraphStyle("body", fontName=regular, fontSize=11)
    doc = SimpleDocTemplate(buf, pagesize=A4, invariant=1)
    doc.build([Paragraph("Ωmega Ἑλλάς ΑΕ · Бистро «Ладога» · Müller & Söhne · <b>£1,234.50</b>", style)])
    reader = PdfReader(io.BytesIO(buf.getvalue()))
    page = reader.pages[0]
    text = page.extract_text()
    assert "Ωmega" in text and "Ладога" in text and "Söhne" in text
    fonts = {str(f["/BaseFont"]) for f in page["/Resources"]["/Font"].values()}
    assert any(f.endswith("+DejaVuSans") for f in fonts), fonts
    assert any(f.endswith("+DejaVuSans-Bold") for f in fonts), fonts
