"""`debtordesk export all FILE.json` and `debtordesk copy-to PATH` from a terminal."""

import json

from sqlalchemy import func, select

from debtordesk.db.engine import open_database
from debtordesk.db.models import Base


def _counts(path):
    db = open_database(f"sqlite:///{path}")
    try:
        with db.session() as s:
            return {t.name: s.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}
    finally:
        db.dispose()


def test_export_all_writes_every_table_to_json(cli, tmp_path):
    assert cli("demo", "--customers", "5", "--invoices", "30").code == 0
    r = cli("export", "all", "all.json")
    assert r.code == 0, r.err
    data = json.loads((tmp_path / "all.json").read_text(encoding="utf-8"))
    counts = _counts(cli.db)
    assert {name: len(t["rows"]) for name, t in data["tables"].items()} == counts
    assert r.out.strip() == f"Exported {sum(counts.values()):,} rows from {len(counts)} tables to all.json."


def test_copy_to_a_new_file_and_refused_into_one_with_data(cli, tmp_path):
    assert cli("demo", "--customers", "5", "--invoices", "30").code == 0
    r = cli("copy-to", "copy.sqlite3")
    assert r.code == 0, r.err
    assert "the copy matches this database" in r.out and "invoice" in r.out
    assert _counts(tmp_path / "copy.sqlite3") == _counts(cli.db)
    again = cli("copy-to", "copy.sqlite3")
    assert again.code == 1
    assert again.err.strip().splitlines()[-1] == (
        f"{tmp_path / 'copy.sqlite3'} already holds DebtorDesk data (5 customers and 30 invoices). "
        "DebtorDesk copies only into an empty database, so nothing was changed there.")
