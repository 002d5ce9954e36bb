"""The screenshot tool's pictures of bringing data in and putting it back: the CSV import wizard
page by page on a German invoices file, the review of a CAMT.053 bank statement, and the Restore
dialog after a backup. The files they read are written into a temporary folder from the demo
books; nothing is imported, recorded or restored (the dialogs are shown, grabbed and closed)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from debtordesk.db.models import Customer, Invoice, PlanInvoice

WIZARD_SIZE = (900, 640)
REVIEW_SIZE = (1240, 700)
RESTORE_SIZE = (760, 250)
STATEMENT_ACCOUNT = ("DE89370400440532013000", "Northwind Garden Supplies Ltd")  # its euro account
# (net amount, days before today issued, what) of each row of the invoices file
WORK = [(Decimal("1480.00"), 21, "Gartenpflege Oktober 2026"),
        (Decimal("356.30"), 18, "Lieferung Rindenmulch 12 m³"),
        (Decimal("2950.00"), 14, "Bewässerungsanlage Innenhof, 1. Abschlag"),
        (Decimal("612.45"), 11, "Heckenschnitt und Grünschnittentsorgung"),
        (Decimal("89.90"), 9, "Pflanzkübel Terrasse (€ pauschal)"),
        (Decimal("1725.00"), 7, "Winterdienst-Pauschale 2026/27"),
        (Decimal("240.00"), 4, "Wartung Bewässerung, Anfahrt"),
        (Decimal("1130.80"), 2, "Baumpflege Süd-Parkplatz")]
UNKNOWN = ("Brandt Metallbau GmbH", 4)  # not in DebtorDesk yet: its row is the bad one (the 5th)
VAT = Decimal("0.19")


def import_shots(window, out: Path, folder: Path) -> Iterator[Path]:
    """Grab the import wizard's pages, the bank review and the Restore dialog into `out`."""
    yield from _wizard(window, out, folder)
    yield from _bank_review(window, out, folder)
    yield from _restore(window, out, folder)


def _settle(window) -> None:
    """Let the jobs on the window's worker finish and their answers arrive."""
    from PySide6.QtWidgets import QApplication

    for _ in range(3):
        window.tasks.wait()
        QApplication.processEvents()


def _grab(widget, target: Path) -> Path:
    widget.grab().save(str(target))
    return target


# -- File ▸ Import…: the wizard ---------------------------------------------------------------------

def _german(amount: Decimal) -> str:
    """1234.5 -> '1.234,50'"""
    return f"{amount:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def _invoices_file(db, today: date, folder: Path) -> Path:
    """An invoices export as German accounting software writes it (semicolons, decimal commas,
    DD.MM.YYYY, Windows-1252) for the demo's German customers, one row for a customer who is not
    in DebtorDesk yet."""
    with db.session() as s:
        people = s.execute(select(Customer.ref, Customer.name).where(Customer.country == "DE",
                                                                   Customer.archived.is_(False))
                           .order_by(Customer.ref)).all()
        refs = set(s.scalars(select(Customer.ref)))
    unknown_ref = next(f"C{n:05d}" for n in range(len(refs) + 7, 99_999) if f"C{n:05d}" not in refs)
    lines = ["Rechnungsnummer;Kundennummer;Kunde;Rechnungsdatum;Fällig;Netto;MwSt;Betrag;Währung;Text"]
    for n, (net, ago, what) in enumerate(WORK):
        ref, name = (unknown_ref, UNKNOWN[0]) if n == UNKNOWN[1] else people[n % len(people)]
        issued = today - timedelta(days=ago)
        vat = (net * VAT).quantize(Decimal("0.01"))
        lines.append(";".join([f"RE-{today.year}-{412 + n:04d}", ref, name, f"{issued:%d.%m.%Y}",
                               f"{issued + timedelta(days=30):%d.%m.%Y}", _german(net), _german(vat),
                               _german(net + vat), "EUR", what]))
    path = folder / f"Rechnungen {today:%Y-%m}.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    return path


def _wizard(window, out: Path, folder: Path) -> Iterator[Path]:
    from PySide6.QtCore import QItemSelectionModel
    from PySide6.QtWidgets import QApplication

    from debtordesk.ui.dialogs.import_wizard import ImportWizard

    path = _invoices_file(window.db, window.today, folder)
    wizard = ImportWizard(window, "invoices")
    wizard.resize(*WIZARD_SIZE)  # not the size it was left at last time
    wizard.kind_page.file.setText(str(path))
    wizard.show()
    QApplication.processEvents()
    yield _grab(wizard, out / "import-wizard-1-file.png")
    for name in ("import-wizard-2-format.png", "import-wizard-3-columns.png", "import-wizard-4-preview.png"):
        wizard.next()
        _settle(window)
        page = wizard.currentPage()
        if page is wizard.preview_page and page.model is not None:  # the bad row's problems spelt out below
            bad = next((r for r in range(page.model.rowCount()) if page.model.problem_lines(page.model.number(r))), 0)
            page.table.selectionModel().setCurrentIndex(page.model.index(bad, 0),
                                                        QItemSelectionModel.SelectionFlag.NoUpdate)
            QApplication.processEvents()
        yield _grab(wizard, out / name)
    wizard.close()


# -- File ▸ Import bank statement…: the review --------------------------------------------------------

def _open_invoices(db):
    """Open euro invoices with their customer, oldest due first: none disputed, in a payment plan,
    or of a customer on hold or archived."""
    with db.session() as s:
        return s.execute(
            select(Invoice.id, Invoice.number, Invoice.open_minor, Customer.id.label("customer_id"),
                   Customer.ref, Customer.name, Customer.country, Customer.contact_person)
            .join(Customer, Customer.id == Invoice.customer_id)
            .where(Invoice.currency == "EUR", Invoice.open_minor > 0, Invoice.disputed.is_(False),
                   Customer.on_hold.is_(False), Customer.archived.is_(False),
                   Invoice.id.not_in(select(PlanInvoice.invoice_id)))
            .order_by(Invoice.due_date, Invoice.id)).all()


def _ascii(name: str) -> str:
    """A name as a SEPA transfer carries it: capitals, no accents."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().upper()


def _statement_lines(db, today: date) -> list[dict]:
    """The lines of the statement: a German customer paying an invoice it names and another paying
    part of one; a French customer paying exactly what is open on one of its invoices (the bank
    gives only its name); a customer's owner paying, from their own account, the amount of just one
    open invoice; someone DebtorDesk does not know at all; and the bank's fee."""
    items = _open_invoices(db)
    with db.session() as s:  # every open euro invoice: an amount that only one of them has
        everywhere = list(s.scalars(select(Invoice.open_minor).where(Invoice.currency == "EUR",
                                                                      Invoice.open_minor > 0)))
    german = [i for i in items if i.country == "DE"] or items
    named = german[0]
    part = next((i for i in german if i.customer_id != named.customer_id and i.open_minor >= 40_000), german[-1])
    mine: dict[int, list[int]] = {}
    for i in items:
        mine.setdefault(i.customer_id, []).append(i.open_minor)
    taken = {named.customer_id, part.customer_id}
    exact = next(i for i in sorted(items, key=lambda i: i.country != "FR")
                 if i.customer_id not in taken and mine[i.customer_id].count(i.open_minor) == 1)
    taken.add(exact.customer_id)
    lone = next(i for i in reversed(items) if i.customer_id not in taken and everywhere.count(i.open_minor) == 1
                and _ascii(i.contact_person).strip())
    stranger = 31_840
    while stranger in everywhere:
        stranger += 7
    earlier, yesterday = today - timedelta(days=4), today - timedelta(days=1)
    return [
        dict(minor=named.open_minor, credit=True, name=named.name, iban="DE12500105170648489890", on=earlier,
             text=f"RECHNUNG {named.number} KD-NR {named.ref}", ref=f"E2E-{earlier:%Y%m%d}-0047"),
        dict(minor=exact.open_minor, credit=True, name=_ascii(exact.name), iban="FR7630006000011234567890189",
             on=earlier, text="Reglement facture, merci", ref="NOTPROVIDED"),
        dict(minor=part.open_minor // 20_000 * 10_000 or part.open_minor // 2, credit=True, name=part.name,
             iban="DE75512108001245126199", on=yesterday, text=f"Teilzahlung {part.number}, Rest folgt",
             ref="NOTPROVIDED"),  # half, in round hundreds
        dict(minor=lone.open_minor, credit=True, name=_ascii(lone.contact_person), iban="FR7617569000305678912345674",
             on=yesterday, text="Paiement", ref="NOTPROVIDED"),  # from the owner's own account
        dict(minor=stranger, credit=True, name="Gärtnerei Hofmann e.K.", iban="DE02120300000000202051",
             on=yesterday, text=f"Anzahlung Auftrag vom {today - timedelta(days=12):%d.%m.%Y}", ref="NOTPROVIDED"),
        dict(minor=1290, credit=False, name="Commerzbank AG", iban="", on=yesterday,
             text=f"Kontofuehrung {today:%m/%Y}", ref=""),
    ]


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _camt(lines: list[dict], today: date) -> str:
    """A CAMT.053 statement of the lines, as a bank's online banking exports it."""
    def amount(minor: int) -> str:
        return f"{minor // 100}.{minor % 100:02d}"

    opening = 1_248_000
    closing = opening + sum(x["minor"] if x["credit"] else -x["minor"] for x in lines)
    iban, owner = STATEMENT_ACCOUNT
    first, last = min(x["on"] for x in lines), max(x["on"] for x in lines)
    entries = []
    for n, x in enumerate(lines, 1):
        side, party = ("CRDT", "Dbtr") if x["credit"] else ("DBIT", "Cdtr")
        account = f"<{party}Acct><Id><IBAN>{x['iban']}</IBAN></Id></{party}Acct>" if x["iban"] else ""
        refs = f"<Refs><EndToEndId>{x['ref']}</EndToEndId></Refs>" if x["ref"] else ""
        entries.append(f"""
      <Ntry>
        <Amt Ccy="EUR">{amount(x['minor'])}</Amt>
        <CdtDbtInd>{side}</CdtDbtInd>
        <Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>{x['on']}</Dt></BookgDt>
        <ValDt><Dt>{x['on']}</Dt></ValDt>
        <AcctSvcrRef>{x['on']:%Y%m%d}{n:05d}</AcctSvcrRef>
        <NtryDtls><TxDtls>{refs}
          <Amt Ccy="EUR">{amount(x['minor'])}</Amt>
          <CdtDbtInd>{side}</CdtDbtInd>
          <RltdPties><{party}><Pty><Nm>{_xml(x['name'])}</Nm></Pty></{party}>{account}</RltdPties>
          <RmtInf><Ustrd>{_xml(x['text'])}</Ustrd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>""")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>STMT-{today:%Y%m%d}-0001</MsgId><CreDtTm>{today}T06:10:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>STMT-{last}</Id>
      <ElctrncSeqNb>{last.timetuple().tm_yday}</ElctrncSeqNb>
      <CreDtTm>{today}T06:10:00</CreDtTm>
      <Acct><Id><IBAN>{iban}</IBAN></Id><Ccy>EUR</Ccy><Ownr><Nm>{owner}</Nm></Ownr></Acct>
      <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{amount(opening)}</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{first}</Dt></Dt></Bal>
      <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{amount(closing)}</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{last}</Dt></Dt></Bal>{''.join(entries)}
    </Stmt>
  </BkToCstmrStmt>
</Document>
"""


def _bank_review(window, out: Path, folder: Path) -> Iterator[Path]:
    from PySide6.QtWidgets import QApplication

    from debtordesk.services.bank_formats import read_statement
    from debtordesk.services.bank_matching import match_statement
    from debtordesk.ui.dialogs.bank_review import BankReviewDialog

    path = folder / f"camt053_{window.today:%Y%m%d}.xml"
    path.write_text(_camt(_statement_lines(window.db, window.today), window.today), encoding="utf-8")
    statement = read_statement(path)
    with window.db.session() as s:
        proposals = match_statement(s, statement)
    dialog = BankReviewDialog(window, statement, proposals)
    dialog.resize(*REVIEW_SIZE)  # not the size it was left at last time
    dialog.show()
    QApplication.processEvents()
    yield _grab(dialog, out / "bank-review.png")
    dialog.close()


# -- File ▸ Restore…: after a backup -----------------------------------------------------------------

def _restore(window, out: Path, folder: Path) -> Iterator[Path]:
    """The backups of the demo file, one taken this morning. It goes into `folder`, not the
    user's backups folder; the dialog names the backups folder as the user's DebtorDesk has it."""
    from PySide6.QtWidgets import QApplication

    from debtordesk.db.backups import backups_dir, list_backups, take_backup
    from debtordesk.services.restore import Listed, our_revisions, read_contents
    from debtordesk.ui.dialogs.restore import RestoreDialog

    db = window.db
    if db.path is None:  # a database on a server has no backups of ours
        return
    kept = folder / "backups"
    take_backup(db.path, "manual", folder=kept, now=datetime.combine(window.today, time(9, 14)))
    revisions = our_revisions()
    listed = [Listed(b, read_contents(b.path, check=False, revisions=revisions)) for b in list_backups(db.path, kept)]
    dialog = RestoreDialog(db.path.name, listed, backups_dir(), window)
    dialog.resize(*RESTORE_SIZE)
    dialog.show()
    QApplication.processEvents()
    yield _grab(dialog, out / "restore-dialog.png")
    dialog.close()
