"""Asking where to save an export: the last folder for that kind of file is offered again."""

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from debtordesk.ui.widgets.files import ask_save_path


def test_the_folder_chosen_last_is_offered_next_time_and_the_suffix_added(qtbot, monkeypatch, tmp_path):
    parent = QWidget()
    qtbot.addWidget(parent)
    offered, answers = [], [str(tmp_path / "reports" / "trail"), ""]
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda _p, _t, start, _f: (offered.append(start), (answers.pop(0), ""))[1]))
    first = ask_save_path(parent, "audit", "Export", "audit.csv", "CSV files (*.csv)", ".csv")
    assert first == tmp_path / "reports" / "trail.csv"
    assert offered[0] == str(Path.home() / "audit.csv")
    assert ask_save_path(parent, "audit", "Export", "audit.csv", "CSV files (*.csv)", ".csv") is None
    assert offered[1] == str(tmp_path / "reports" / "audit.csv")
