"""The rows of a file as the import would take them: the spreadsheet row number, OK or every
problem in words, then the value of each field as read. Rows with problems are highlighted; the
model can show only them."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QPalette
from PySide6.QtWidgets import QApplication

from debtordesk.domain.problems import Problem
from debtordesk.services.import_mapping import LABELS, normalise
from debtordesk.services.imports import Preview

OK = "OK"
_ROOT = QModelIndex()


def in_words(problem: Problem, label_of: dict[str, str]) -> str:
    """'Invoice date (Datum): '31.02.2026' is not a real calendar date' — the field as the app calls
    it and the column as the file calls it."""
    column = problem.column
    if not column:
        return problem.message[0].upper() + problem.message[1:]
    label = label_of.get(column)
    if not label:
        where = column
    elif normalise(label).replace(" ", "") == normalise(column).replace(" ", ""):
        where = label
    else:
        where = f"{label} ({column})"
    return f"{where}: {problem.message}"


class ImportPreviewModel(QAbstractTableModel):
    def __init__(self, preview: Preview, fields: list[str], headers: list[str], parent=None):
        """`fields` are the fields imported, `headers` the file's column of each, in that order."""
        super().__init__(parent)
        self.preview = preview
        self.fields = list(fields)
        self.titles = ["Row", "Status", *[LABELS.get(f, f) for f in fields]]
        self.label_of = {h: LABELS.get(f, f) for f, h in zip(fields, headers, strict=True)}
        self.only_problems = False
        self._rows = preview.rows
        window = QApplication.palette().color(QPalette.ColorRole.Base)
        dark = window.lightness() < 128
        self._bad = QBrush(QColor(110, 30, 30) if dark else QColor(253, 222, 222))

    def show_only_problems(self, on: bool) -> None:
        self.beginResetModel()
        self.only_problems = on
        problems = self.preview.problems
        self._rows = [r for r in self.preview.rows if r[0] in problems] if on else self.preview.rows
        self.endResetModel()

    def number(self, row: int) -> int:
        return self._rows[row][0]

    def problem_lines(self, number: int) -> list[str]:
        return [in_words(p, self.label_of) for p in self.preview.problems.get(number, [])]

    def status(self, number: int) -> str:
        problems = self.preview.problems.get(number)
        if not problems:
            return OK
        return "; ".join(in_words(p, self.label_of) for p in problems)

    # -- Qt -----------------------------------------------------------------------------------------

    def rowCount(self, parent=_ROOT) -> int:  # noqa: N802 (Qt override)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=_ROOT) -> int:  # noqa: N802 (Qt override)
        return 0 if parent.isValid() else len(self.titles)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802 (Qt override)
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.titles[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        number, values = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return f"{number:,}"
            if column == 1:
                return self.status(number)
            text = values.get(self.fields[column - 2], "")
            return " ⏎ ".join(text.splitlines()) if "\n" in text else text
        if role == Qt.ItemDataRole.ToolTipRole and column == 1 and number in self.preview.problems:
            return "\n".join(self.problem_lines(number))
        if role == Qt.ItemDataRole.BackgroundRole and number in self.preview.problems:
            return self._bad
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
