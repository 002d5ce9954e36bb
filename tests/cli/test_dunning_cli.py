from pathlib import Path

from pypdf import PdfReader

CUSTOMERS = "ref,name,email,address,postcode,city,country,kind\n" \
            "ALD,Alder & Co,ap@alder.example,4 High St,YO1 7HH,York,GB,business\n" \
            "BIR,Birch Ltd,,1 Low Rd,LS1 1AA,Leeds,GB,consumer\n"
INVOICES = "number,customer_ref,issue_date,due_date,amount,currency\n" \
           "INV-1,ALD,2026-01-01,2026-01-31,1200.00,GBP\n" \
           "INV-2,BIR,2026-02-01,2026-02-28,300.00,GBP\n"


def load(cli, tmp_path: Path):
    (tmp_path / "c.csv").write_text(CUSTOMERS)
    (tmp_path / "i.csv").write_text(INVOICES)
    assert cli("import", "customers", "c.csv").code == 0
    assert cli("import", "invoices", "i.csv").code == 0


def test_proposals_as_table_and_json(cli, tmp_path):
    load(cli, tmp_path)
    r = cli("dunning", "--as-of", "2026-03-10")
    assert r.code == 0, r.err
    assert "Letters due as of 2026-03-10: 2" in r.out and "Reminder 1" in r.out
    data = cli("dunning", "--as-of", "2026-03-10", "--format", "json").json()
    alder = next(p for p in data["proposals"] if p["customer_ref"] == "ALD")
    assert alder == {**alder, "level": 1, "level_name": "Reminder 1", "days_overdue": 38, "pay_by": "2026-03-17",
                     "invoices": ["INV-1"], "open": "1200.00", "interest": "0.00", "total": "1200.00"}


def test_print_and_mark_sent_then_the_next_level_waits(cli, tmp_path):
    load(cli, tmp_path)
    r = cli("dunning", "--as-of", "2026-03-10", "--print", "run.pdf", "--mark-sent")
    assert r.code == 0, r.err
    assert "Wrote 2 letter(s)" in r.out and "Recorded 2 letter(s) as sent" in r.out
    text = "".join(p.extract_text() for p in PdfReader(tmp_path / "run.pdf").pages)
    assert "Alder & Co" in text and "Birch Ltd" in text and "£1,200.00" in text
    r = cli("dunning", "--as-of", "2026-03-15", "--all")
    assert "Letters due as of 2026-03-15: 0" in r.out
    assert "Reminder 2 is due at 21 days overdue" in r.out or "Reminder 2 waits until" in r.out


def test_final_demand_interest_by_customer_kind(cli, tmp_path):
    load(cli, tmp_path)
    for day in ("2026-03-10", "2026-03-24", "2026-04-07"):
        assert cli("dunning", "--as-of", day, "--print", f"{day}.pdf", "--mark-sent").code == 0
    data = cli("dunning", "--as-of", "2026-04-30", "--format", "json").json()
    by_ref = {p["customer_ref"]: p for p in data["proposals"]}
    # business debtor: 1,200 x (8 + 3.75)% x 89 / 365 = 34.38; £70 fixed sum
    assert by_ref["ALD"]["level_name"] == "Letter before action"
    assert (by_ref["ALD"]["interest"], by_ref["ALD"]["compensation"]) == ("34.38", "70.00")
    # a consumer is outside the Late Payment Act: no interest, no fixed sum
    assert (by_ref["BIR"]["interest"], by_ref["BIR"]["compensation"]) == ("0.00", "0.00")


def test_mark_sent_needs_print_and_nothing_due_is_said(cli, tmp_path):
    load(cli, tmp_path)
    assert cli("dunning", "--mark-sent").code == 2
    r = cli("dunning", "--as-of", "2026-01-15", "--print", "none.pdf")
    assert r.code == 1 and "No letters are due as of 2026-01-15" in r.err
    assert not (tmp_path / "none.pdf").exists()
