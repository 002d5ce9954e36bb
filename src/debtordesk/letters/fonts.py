"""The letter fonts: DejaVu Sans (regular and bold) registered with reportlab once, so every
alphabet our customers' names use prints (base-14 fonts print Greek and Cyrillic as boxes)."""

from __future__ import annotations

from functools import lru_cache

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from debtordesk.config import font_path

REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"


@lru_cache(maxsize=1)
def register_fonts() -> tuple[str, str]:
    """Register the fonts (idempotent); returns the (regular, bold) font names."""
    pdfmetrics.registerFont(TTFont(REGULAR, str(font_path("DejaVuSans.ttf"))))
    pdfmetrics.registerFont(TTFont(BOLD, str(font_path("DejaVuSans-Bold.ttf"))))
    addMapping(REGULAR, 0, 0, REGULAR)
    addMapping(REGULAR, 1, 0, BOLD)
    addMapping(REGULAR, 0, 1, REGULAR)
    addMapping(REGULAR, 1, 1, BOLD)
    return REGULAR, BOLD
