"""Fixtures for the screens and dialogs."""

import pytest
from PySide6.QtWidgets import QMessageBox


@pytest.fixture
def warnings(monkeypatch):
    """The warning boxes a test caused, as (title, text), instead of modal boxes that would wait."""
    said = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, title, text, *a: said.append((title, text)))
    return said
