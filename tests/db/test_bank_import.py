"""Bank statements, each format from its fixture: read, matched, recorded as payments by the normal
allocation rules, and read again without anything new."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from bank_books import FILES, FIXTURES, bank_books
from debtordesk.db.models import Invoice, Payment, StatementLine
from debtordesk.domain.bank import HIGH, LOW, MEDIUM, NONE, BankLine, BankStatement, with_keys
from debtordesk.domain.problems import Rejected, UserError
from debtordesk.services.bank_csv import preview, read_bank_csv
from debtordesk.services.bank_formats import detect_format, read_statement
from debtordesk.services.bank_import import ACCEPT, REJECT, SKIP, Decision, record_statement
from debtordesk.services.bank_matching import DEBIT, DONE, NEW, match_statement


def load(kind: str) -> BankStatement:
    path = FIXTURES / FILES[kind]
    data = path.read_bytes()
    assert detect_format(data) == kind
    if kind == "csv":
        return read_bank_csv(path, preview(path).guess)
    return read_statement(path, data)


def decide(proposals) -> list[Decision]:
    """Accept every proposal with a customer, reject the credits without one, skip the debits."""
    out = []
    for p in proposals:
        if p.status == DEBIT:
            out.append(Decision(p.line.line_key, SKIP, note=p.reason))
        elif p.status == NEW:
            action = ACCEPT if p.customer_id is not None else REJECT
            out.append(Decision(p.line.line_key, action, p.customer_id, p.invoice_id, p.reason))
    return out


def ledger(db) -> tuple[int, int, int, dict[str, int]]:
    with db.session() as s:
        payments = s.scalar(select(func.count()).select_from(Payment))
        received = s.scalar(select(func.coalesce(func.sum(Payment.amount_minor), 0)))
        lines = s.scalar(select(func.count()).select_from(StatementLine))
        open_ = dict(s.execute(select(Invoice.number, Invoice.open_minor)).all())
    return payments, received, lines, open_


@pytest.mark.parametrize("kind", list(FILES))
def test_statement_imports_matches_and_reimports_idempotently(db, kind):
    ids = bank_books(db)
    statement = load(kind)
    assert [line.amount_minor for line in statement.lines] == [100000, 48000, 73550, 9999, -4500]
    assert all(line.currency == "EUR" and line.booked_on == date(2026, 3, 3) for line in statement.lines)
    assert statement.lines[0].remittance == "Invoice INV-1001 part payment"
    assert statement.lines[1].counterparty == "Birch Holdings Limited"
    with db.session() as s:
        proposals = match_statement(s, statement)
    got = [(p.status, p.customer_id, p.invoice_id, p.confidence) for p in proposals]
    assert got == [(NEW, ids["ALD"], ids["INV-1001"], HIGH),
                   (NEW, ids["BIR"], ids["INV-1002"], MEDIUM),
                   (NEW, ids["CED"], ids["INV-1003"], LOW),
                   (NEW, None, None, NONE),
                   (DEBIT, None, None, NONE)]
    reasons = [p.reason for p in proposals]
    assert reasons[0] == ("Invoice INV-1001 is named in the text; €1,000.00 of the €1,200.00 open: "
                          "a part payment")
    assert reasons[1] == "Birch Holdings Ltd recognised by name; invoice INV-1002 is open for exactly this amount"
    assert reasons[2] == "Payer not recognised; invoice INV-1003 is the only open invoice of exactly €735.50"
    assert reasons[3].startswith("No customer or invoice recognised")
    assert reasons[4] == "Money paid out: skipped"
    assert [p.customer_name for p in proposals[:3]] == ["Alder & Co", "Birch Holdings Ltd", "Cedar plc"]

    with db.transaction() as s:
        summary = record_statement(s, statement, decide(proposals), who="tester")
    assert (summary.payments, summary.rejected, summary.skipped, summary.already) == (3, 1, 1, 0)
    assert summary.received == {"EUR": 100000 + 48000 + 73550}
    before = ledger(db)
    payments, received, lines, open_ = before
    assert (payments, received, lines) == (3, 221550, 5)
    assert open_ == {"INV-1001": 20000, "INV-1002": 0, "INV-1003": 0, "INV-1004": 35000, "INV-1005": 9900}
    with db.session() as s:
        rows = s.execute(select(StatementLine.state, StatementLine.payment_id, StatementLine.decided_by,
                                StatementLine.source).order_by(StatementLine.id)).all()
        assert [r.state for r in rows] == ["imported"] * 3 + ["rejected", "skipped"]
        assert all(r.payment_id for r in rows[:3]) and not any(r.payment_id for r in rows[3:])
        assert {r.decided_by for r in rows} == {"tester"} and {r.source for r in rows} == {kind}
        alder = s.scalars(select(Payment).where(Payment.customer_id == ids["ALD"])).one()
        assert (alder.method, alder.named_invoice_id, alder.unapplied_minor) == ("bank transfer", ids["INV-1001"], 0)
        assert alder.reference.startswith("Invoice INV-1001 part payment")

    again = load(kind)
    assert [line.line_key for line in again.lines] == [line.line_key for line in statement.lines]
    with db.session() as s:
        second = match_statement(s, again)
    assert {p.status for p in second} == {DONE}
    assert [p.done_state for p in second] == ["imported"] * 3 + ["rejected", "skipped"]
    assert all(p.reason.startswith("Already ") for p in second)
    with db.transaction() as s:  # even if the same decisions were sent again, nothing happens
        repeat = record_statement(s, again, decide(proposals), who="tester")
    assert (repeat.payments, repeat.already) == (0, 5)
    assert ledger(db) == before


def test_an_undecided_line_is_not_recorded_and_comes_back(db):
    bank_books(db)
    statement = load("camt053")
    with db.session() as s:
        proposals = match_statement(s, statement)
    first = decide(proposals)[:1]
    with db.transaction() as s:
        record_statement(s, statement, first)
    with db.session() as s:
        again = match_statement(s, statement)
    assert [p.status for p in again] == [DONE, NEW, NEW, NEW, DEBIT]


def test_a_known_account_names_the_payer_and_a_changed_match_is_recorded(db):
    ids = bank_books(db)
    statement = load("camt053")
    with db.session() as s:
        proposals = match_statement(s, statement)
    # the user says J Smith's money is Dogwood's, on account, and keeps the rest as proposed
    decisions = decide(proposals)
    decisions[2] = Decision(statement.lines[2].line_key, ACCEPT, ids["DOG"], None, "chosen by hand")
    with db.transaction() as s:
        record_statement(s, statement, decisions)
    _, _, _, open_ = ledger(db)
    assert open_["INV-1005"] == 0 and open_["INV-1003"] == 73550  # oldest first: 99.00 of 735.50
    # a later payment from J Smith's account, under another name, is Dogwood's
    with db.transaction() as s:
        s.add(Invoice(number="INV-1006", customer_id=ids["DOG"], issue_date=date(2026, 3, 1),
                      due_date=date(2026, 3, 31), amount_minor=25000, currency="EUR"))
    later = BankStatement("next.xml", "camt053", with_keys([
        BankLine(date(2026, 3, 9), 25000, "EUR", "DW Trading", "FR1420041010050500013M02606", "March", "", "",
                 "camt053"),
        BankLine(date(2026, 3, 9), 40000, "EUR", "ALDER & CO.", "", "", "", "", "camt053"),
        BankLine(date(2026, 3, 9), 150000, "EUR", "Someone", "", "INV1004", "", "", "camt053")]))
    with db.session() as s:
        p1, p2, p3 = match_statement(s, later)
    assert (p1.customer_id, p1.confidence) == (ids["DOG"], MEDIUM)
    assert p1.reason.startswith("Dogwood GmbH recognised by the account it paid from before")
    assert (p2.customer_id, p2.invoice_id, p2.confidence) == (ids["ALD"], None, LOW)
    assert "payment on account" in p2.reason
    assert (p3.invoice_id, p3.confidence) == (ids["INV-1004"], HIGH)
    assert "an overpayment" in p3.reason and "€350.00 open" in p3.reason


def test_an_accept_without_a_customer_is_refused_and_nothing_is_written(db):
    bank_books(db)
    statement = load("ofx")
    with db.session() as s:
        proposals = match_statement(s, statement)
    decisions = decide(proposals)
    decisions[3] = Decision(statement.lines[3].line_key, ACCEPT)
    with pytest.raises(UserError, match="Line 4 .Unknown Trading SARL. has no customer"), db.transaction() as s:
        record_statement(s, statement, decisions)
    assert ledger(db)[:3] == (0, 0, 0)


BROKEN = {
    "broken.xml": (b'<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">'
                   b"<BkToCstmrStmt><Stmt><Ntry>", "is not well-formed XML"),
    "nostmt.xml": (b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt/></Document>',
                   "without any statement"),
    "bad.sta": (b":20:X\r\n:25:123\r\n:28C:1\r\n:60F:C260302EUR5000,00\r\n:62F:C260303EUR5000,00\r\n-",
                "with no transactions"),
    "bad.ofx": (b"OFXHEADER:100\r\n\r\n<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>EUR<BANKTRANLIST><STMTTRN>"
                b"<TRNTYPE>CREDIT<DTPOSTED>20260303<TRNAMT>12,34,56<FITID>1</STMTTRN></BANKTRANLIST></STMTRS>"
                b"</STMTTRNRS></BANKMSGSRSV1></OFX>", "is an OFX file DebtorDesk cannot read"),
    "other.xml": (b"<?xml version='1.0'?><invoice><number>1</number></invoice>", "is not a bank statement"),
    "empty.sta": (b"", "is not a bank statement"),
}


@pytest.mark.parametrize("name", list(BROKEN))
def test_a_malformed_file_is_refused_naming_the_file_and_nothing_is_written(db, tmp_path, name):
    bank_books(db)
    data, words = BROKEN[name]
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(Rejected) as caught:
        read_statement(path)
    assert str(caught.value).startswith(f"{name}: ") and words in str(caught.value)
    assert ledger(db)[:3] == (0, 0, 0)


def test_a_bank_csv_with_a_bad_row_is_refused_row_by_row(tmp_path):
    good = FIXTURES / FILES["csv"]
    guess = preview(good).guess  # as the user confirmed it
    assert (guess.format.delimiter, guess.format.decimal_comma, guess.format.date_format) == (";", True, "dd.mm.yyyy")
    bad = tmp_path / "export.csv"
    bad.write_bytes(good.read_bytes().replace(b"480,00", b"480,0O").replace(b"03.03.2026;J", b"33.03.2026;J"))
    with pytest.raises(Rejected) as caught:
        read_bank_csv(bad, guess)
    assert [str(p) for p in caught.value.problems] == [
        "export.csv, row 3, column Money in: '480,0O' is not an amount (write it like 1234,50 or 1.234,50: ',' as "
        "decimal comma, '.' only between thousands)",
        "export.csv, row 4, column Booking date: '33.03.2026' is not a real calendar date"]


def test_a_signed_amount_column_and_identical_lines_stay_apart(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("Date,Amount,Name,Text\n2026-03-03,120.00,Alder,x\n2026-03-03,120.00,Alder,x\n"
                    "2026-03-04,\"-1,250.50\",Rent,y\n2026-03-05,£ 80.00,Birch,z\n2026-03-06,(7.50),Bank,fee\n",
                    encoding="utf-8")
    guess = preview(path, "GBP").guess
    assert (guess.format.delimiter, guess.format.decimal_comma, guess.amount, guess.currency) == (
        ",", False, "Amount", "GBP")
    statement = read_bank_csv(path, guess)
    assert [line.amount_minor for line in statement.lines] == [12000, 12000, -125050, 8000, -750]
    assert statement.lines[0].line_key != statement.lines[1].line_key
    assert read_bank_csv(path, guess).lines == statement.lines


CAMT_02 = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-03-04T10:00:00</CreDtTm></GrpHdr>
<Stmt><Id>S1</Id><Acct><Id><IBAN>DE89370400440532013000</IBAN></Id></Acct>
<Ntry><Amt Ccy="EUR">300.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-03-04</Dt></BookgDt>
<AcctSvcrRef>B-1</AcctSvcrRef><NtryDtls>
<TxDtls><AmtDtls><TxAmt><Amt Ccy="EUR">100.00</Amt></TxAmt></AmtDtls><RltdPties><Dbtr><Nm>Alder and Co</Nm></Dbtr>
<DbtrAcct><Id><IBAN>GB29NWBK60161331926819</IBAN></Id></DbtrAcct></RltdPties><RmtInf><Ustrd>INV-1004</Ustrd></RmtInf></TxDtls>
<TxDtls><AmtDtls><TxAmt><Amt Ccy="EUR">200.00</Amt></TxAmt></AmtDtls><RltdPties><Dbtr><Nm>Birch Holdings</Nm></Dbtr>
</RltdPties><RmtInf><Ustrd>Order 7</Ustrd></RmtInf></TxDtls>
</NtryDtls></Ntry>
<Ntry><Amt Ccy="EUR">55.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>PDNG</Sts><BookgDt><Dt>2026-03-04</Dt></BookgDt>
</Ntry>
<Ntry><Amt Ccy="EUR">12.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-03-04</Dt></BookgDt>
<AddtlNtryInf>Interest</AddtlNtryInf></Ntry>
</Stmt></BkToCstmrStmt></Document>"""


def test_camt_053_001_02_batches_and_pending_entries(tmp_path):
    path = tmp_path / "v02.xml"
    path.write_text(CAMT_02, encoding="utf-8")
    statement = read_statement(path)
    lines = statement.lines
    assert [(x.amount_minor, x.counterparty, x.remittance) for x in lines] == [
        (10000, "Alder and Co", "INV-1004"), (20000, "Birch Holdings", "Order 7"), (1200, "", "Interest")]
    assert lines[0].counterparty_account == "GB29NWBK60161331926819"
    assert [x.line_key.rsplit(":", 1)[1] for x in lines[:2]] == ["B-1/1", "B-1/2"]
    assert lines[2].line_key.startswith("camt053:h:")  # no bank reference: known by its contents
