"""Telling the user things without stopping the program: message boxes that do not block, and
the list of problems that kept a file from being imported."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from debtordesk import APP_NAME
from debtordesk.domain.problems import Problem


def tell(parent: QWidget, text: str, icon: QMessageBox.Icon = QMessageBox.Icon.Information,
         title: str = APP_NAME) -> QMessageBox:
    """Show `text` in a message box over `parent` and carry on (the box closes itself)."""
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def where(problem: Problem) -> str:
    """'Row 4, column email: …' — the place in the file a spreadsheet user can find."""
    parts = []
    if problem.row == 1:
        parts.append("Header row")
    elif problem.row:
        parts.append(f"Row {problem.row}")
    if problem.column:
        parts.append(f"column {problem.column}")
    return f"{', '.join(parts)}: {problem.message}" if parts else problem.message


class ProblemsDialog(QDialog):
    """Why a file was refused: one line per problem, with its row and column."""

    def __init__(self, file_name: str, problems: list[Problem], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Nothing was imported")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        count = len(problems)
        summary = QLabel(
            f"Nothing was imported: {file_name} has {count} problem{'s' if count != 1 else ''}. "
            "Correct the file and import it again.", self)
        summary.setWordWrap(True)
        summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary = summary
        self.list = QListWidget(self)
        self.list.setWordWrap(True)
        self.list.setSpacing(2)
        self.list.addItems([where(p) for p in problems])
        self.list.setAccessibleName("Problems")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)
        self.resize(620, 360)
