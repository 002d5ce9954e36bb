"""Letters: templates rendered into PDF with reportlab, DejaVu fonts embedded."""
