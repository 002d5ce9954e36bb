"""File ▸ Export everything (JSON)…: every table to one file, written off the screen's thread."""

import json
from datetime import date

from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from debtordesk.db.engine import open_database
from debtordesk.services.demo import fill_demo
from debtordesk.ui.app import Desk, make_app

TODAY = date(2026, 11, 24)


def test_export_everything_writes_the_json_and_says_how_much(qtbot, tmp_path, monkeypatch):
    make_app()
    db = open_database(f"sqlite:///{tmp_path / 'books.sqlite3'}")
    with db.transaction() as s:
        fill_demo(s, TODAY, 4, 12)
    desk = Desk(TODAY)
    desk.start(db)
    window = desk.window
    out = tmp_path / "everything"
    asked = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (asked.append(a), (str(out), ""))[1]))
    try:
        menu = next(a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == "File")
        next(a for a in menu.actions() if a.text().replace("&", "") == "Export everything (JSON)…").trigger()
        assert asked[0][2].endswith("debtordesk-export-2026-11-24.json")
        boxes = []

        def told():
            boxes[:] = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
            return bool(boxes)

        qtbot.waitUntil(told, timeout=10_000)
        text = boxes[0].text()
        boxes[0].close()
        data = json.loads((tmp_path / "everything.json").read_text(encoding="utf-8"))
        rows = sum(len(t["rows"]) for t in data["tables"].values())
        assert len(data["tables"]["invoice"]["rows"]) == 12
        assert text == f"Exported {rows:,} rows from {len(data['tables'])} tables to {tmp_path / 'everything.json'}."
    finally:
        for w in QApplication.topLevelWidgets():
            if isinstance(w, QMessageBox) and w.isVisible():
                w.close()
        assert window.tasks.wait(10_000)
        desk.close()
