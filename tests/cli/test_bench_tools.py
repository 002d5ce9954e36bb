"""The benchmark tools keep working (at a tiny size; figures are never asserted)."""

import json
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from debtordesk.db.engine import open_database
from debtordesk.db.ledger import drift
from debtordesk.db.models import Invoice

ROOT = Path(__file__).resolve().parents[2]


def test_generator_writes_a_consistent_ledger_and_the_harness_runs(tmp_path):
    ledger = tmp_path / "tiny.sqlite3"
    subprocess.run([sys.executable, "-m", "bench.generate", str(ledger), "--customers", "40", "--invoices", "400",
                    "--seed", "3"], cwd=ROOT, check=True, capture_output=True, timeout=120)
    db = open_database(f"sqlite:///{ledger}")
    try:
        with db.session() as s:
            assert s.scalar(select(func.count()).select_from(Invoice)) == 400
            assert drift(s) == []
    finally:
        db.dispose()
    out = tmp_path / "out"
    subprocess.run([sys.executable, "-m", "bench", "--db", str(ledger), "--only", "b_aging", "--runs", "1",
                    "--out", str(out)], cwd=ROOT, check=True, capture_output=True, timeout=120)
    result = json.loads((out / "results.json").read_text())["results"][0]
    assert result["name"] == "b_aging" and len(result["ours"]["times"]) == 1 and result["baseline"]["peak_mb"] > 0
    assert "| aging report as of a date" in (out / "results.md").read_text()
