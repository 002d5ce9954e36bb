"""`debtordesk --self-test`: every check passes on a working installation, and a broken one is
reported by name with exit status 1."""

import io
import os
import shutil
import subprocess
from pathlib import Path

from reportlab.pdfgen.canvas import Canvas

from cli.conftest import EXE
from debtordesk import config
from debtordesk.letters.fonts import register_fonts
from debtordesk.selftest import pdf_facts, run_self_test

CHECKS = ("resources", "database", "locales", "letter", "readers", "qt plugins", "qt fonts", "image formats",
          "print support", "main window")


def test_the_self_test_passes_and_reports_each_check(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "DEBTORDESK_SELF_TEST_KEEP": str(tmp_path / "kept"),
           "DEBTORDESK_DB": str(tmp_path / "never-created.sqlite3")}
    proc = subprocess.run([str(EXE), "--self-test"], capture_output=True, text=True, env=env, cwd=tmp_path,
                          timeout=180)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("DebtorDesk ") and "self-test" in lines[0]
    for name in CHECKS:
        assert any(line.split()[:1] == ["ok"] and f" {name} " in line for line in lines), (name, proc.stdout)
    assert "FAIL" not in proc.stdout
    assert lines[-1].startswith(f"Self-test passed: {len(CHECKS)} checks")
    assert "DejaVu Sans embedded" in proc.stdout and "platforms/qxcb" in proc.stdout
    kept = sorted(p.name for p in (tmp_path / "kept").iterdir())
    assert "main-window.png" in kept and "qprinter.pdf" in kept and any(k.startswith("statement-") for k in kept)
    assert not (tmp_path / "never-created.sqlite3").exists()  # the user's database is left alone


def test_missing_resources_fail_the_self_test_by_name(tmp_path, monkeypatch):
    broken = tmp_path / "resources"
    shutil.copytree(config.resources_dir() / "fonts", broken / "fonts")  # no templates, no icons
    monkeypatch.setattr(config, "resources_dir", lambda: broken)
    out = io.StringIO()
    assert run_self_test(out, qt=False) == 1
    report = out.getvalue()
    assert "FAIL  resources" in report
    assert "templates/letters/*/*.txt" in report and "icons/debtordesk-*.png" in report
    assert "ok    database" in report and "ok    locales" in report  # the other checks still ran
    assert "FAIL  letter" in report and "statement.txt" in report  # the letter needs its template
    assert report.splitlines()[-1].startswith("Self-test FAILED: 2 of 5 checks (resources, letter)")


def _pdf(path: Path, font: str, text: str) -> bytes:
    canvas = Canvas(str(path))
    canvas.setFont(font, 12)
    canvas.drawString(72, 720, text)
    canvas.showPage()
    canvas.save()
    return path.read_bytes()


def test_pdf_facts_read_the_text_and_tell_whether_dejavu_is_embedded(tmp_path):
    regular, _ = register_fonts()
    facts = pdf_facts(_pdf(tmp_path / "a.pdf", regular, "Customer no. C00042 (Müller)"))
    assert facts["pdf"] and facts["pages"] == 1 and facts["dejavu"]
    assert "Customer no. C00042 (M?ller)" in facts["text"]
    base14 = pdf_facts(_pdf(tmp_path / "b.pdf", "Helvetica", "C00042"))
    assert not base14["dejavu"] and "C00042" in base14["text"]
    assert pdf_facts(b"not a pdf") == {"pdf": False, "pages": 0, "text": "", "text_runs": 0, "dejavu": False}
