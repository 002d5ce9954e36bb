"""1,000 dunning letters into one PDF: the service (the Dunning screen's Print) against a plain
reportlab document with the same text, tables and font."""

from __future__ import annotations

import sqlite3

from bench.core import Context, Target

TITLE = "1,000 letters into one PDF"
TARGET = Target(ratio=1.3)
LETTERS = 1000

NOTE = ("Both sides start from the database and write one PDF of 1,000 letters in DejaVu Sans. Ours "
        "composes each letter from the customer, the template and the proposal (letterhead, window "
        "address, references, invoice table, totals, payment block with fold marks, 'Page x of N' per "
        "letter); the baseline is a SimpleDocTemplate with a heading, three paragraphs and the same "
        "invoice table per letter, one page break between letters, and nothing else.")


def ours(ctx: Context):
    from debtordesk.db.engine import open_database
    from debtordesk.services.dunning import dunning_run
    from debtordesk.services.dunning_letters import render_run

    db = open_database(f"sqlite:///{ctx.db}")
    with db.session() as s:
        # the same customers as the baseline: the first 1,000 by id that get a letter
        chosen = sorted((p for p in dunning_run(s, ctx.today) if p.proposed), key=lambda p: p.customer_id)[:LETTERS]

    def run():
        with db.session() as s:
            return len(render_run(s, chosen, ctx.today))

    return run


def baseline(ctx: Context):
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table

    from debtordesk.letters.fonts import register_fonts

    regular, bold = register_fonts()
    styles = getSampleStyleSheet()
    body = styles["BodyText"]
    body.fontName = regular
    head = styles["Heading2"]
    head.fontName = bold
    con = sqlite3.connect(ctx.db)
    ids = [r[0] for r in con.execute(
        "SELECT i.customer_id FROM invoice i JOIN customer c ON c.id = i.customer_id WHERE i.open_minor > 0 "
        "AND i.due_date < ? AND i.disputed = 0 AND c.on_hold = 0 AND c.archived = 0 GROUP BY i.customer_id "
        "ORDER BY i.customer_id LIMIT ?", (ctx.today.isoformat(), LETTERS))]

    def run():
        story = []
        for cid in ids:
            name, ref = con.execute("SELECT name, ref FROM customer WHERE id = ?", (cid,)).fetchone()
            rows = [["Invoice", "Date", "Due", "Amount", "Open"]] + [
                [n, i, d, f"{a / 100:,.2f}", f"{o / 100:,.2f}"] for n, i, d, a, o in con.execute(
                    "SELECT number, issue_date, due_date, amount_minor, open_minor FROM invoice "
                    "WHERE customer_id = ? AND open_minor > 0 AND due_date < ? AND disputed = 0",
                    (cid, ctx.today.isoformat()))]
            story += [Paragraph(name, head), Paragraph(f"Payment reminder – account {ref}", head),
                      Paragraph("Dear Sir or Madam,", body),
                      Paragraph("According to our records the invoices below have not yet been paid.", body),
                      Table(rows, style=[("FONT", (0, 0), (-1, -1), regular, 9)]),
                      Paragraph("Please pay within seven days. Yours sincerely, Benchmark Trading Ltd", body),
                      PageBreak()]
        out = io.BytesIO()
        SimpleDocTemplate(out, pagesize=A4).build(story)
        return len(out.getvalue())

    return run
