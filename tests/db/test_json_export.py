"""The whole database as one JSON file: every table and row, money in minor units with its
currency, dates ISO, written as it is read."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from debtordesk.db.models import Base
from debtordesk.domain.progress import Cancelled
from debtordesk.services.json_export import export_json
from fullbooks import PDF, full_books


def test_the_export_parses_back_with_every_row_of_every_table(db, tmp_path):
    full_books(db)
    out = tmp_path / "everything.json"
    seen = []
    with db.session() as s:
        result = export_json(s, out, seen.append, now=datetime(2026, 11, 24, 9, 30, tzinfo=UTC))
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["format"] == "DebtorDesk export" and data["schema_revision"] == "0010"
    assert data["exported_at"] == "2026-11-24T09:30:00Z"
    with db.session() as s:
        in_db = {t.name: s.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}
    assert set(data["tables"]) == set(in_db)
    for name, n in in_db.items():
        assert len(data["tables"][name]["rows"]) == data["tables"][name]["row_count"] == n, name
    assert result.rows == sum(in_db.values()) and in_db["invoice"] == 240
    assert seen[-1].done == seen[-1].total == result.rows

    invoices = data["tables"]["invoice"]
    assert invoices["money"] == {"columns": ["amount_minor", "open_minor", "disputed_minor"], "currency": "currency"}
    first = invoices["rows"][0]
    assert isinstance(first["amount_minor"], int) and first["currency"] in {"GBP", "EUR", "USD"}
    assert len(first["issue_date"]) == 10 and first["issue_date"][4] == "-"
    assert data["tables"]["allocation"]["money"]["currency"] == "invoice.currency (through invoice_id)"
    assert data["tables"]["customer"]["money"]["currency"] == "the company's base currency"
    letter = data["tables"]["letter"]["rows"][0]
    assert base64.b64decode(letter["pdf"]) == PDF and letter["emailed_at"] == "2026-11-24T09:30:00"
    assert data["tables"]["statement_line"]["rows"][0]["amount_minor"] == -4250
    names = [r["name"] for r in data["tables"]["customer"]["rows"]]
    assert "Müller & Söhne GmbH" in names and "Ωmega Ἑλλάς ΑΕ" in names


def test_a_cancelled_export_leaves_no_file(db, tmp_path):
    full_books(db, customers=3, invoices=5)
    out = tmp_path / "everything.json"
    out.write_text("the earlier export")
    with db.session() as s, pytest.raises(Cancelled):
        export_json(s, out, should_cancel=lambda: True)
    assert out.read_text() == "the earlier export"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".everything")] == []
