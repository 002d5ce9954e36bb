"""Asking where to save an export, in the folder the user chose last time for that kind of file."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QWidget


def ask_save_path(parent: QWidget, key: str, title: str, name: str, file_filter: str,
                  suffix: str = "") -> Path | None:
    """The file chosen (None when cancelled), starting in the folder remembered under
    `key/export_folder` (else the home folder); `suffix` (".csv") is added when the name has none."""
    setting = f"{key}/export_folder"
    folder = QSettings().value(setting, str(Path.home()))
    chosen, _ = QFileDialog.getSaveFileName(parent, title, str(Path(folder) / name), file_filter)
    if not chosen:
        return None
    QSettings().setValue(setting, str(Path(chosen).parent))
    path = Path(chosen)
    return path.with_name(path.name + suffix) if suffix and not path.name.lower().endswith(suffix) else path
