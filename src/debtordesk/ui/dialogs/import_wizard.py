"""File ▸ Import…: a wizard that reads customers, invoices or payments from a CSV file in whatever
shape it comes. (a) what to import and the file; (b) how the file is written, as detected, with
its first lines as read that way; (c) which column is which field (import_pages); (d) every row
checked, nothing imported while any has a problem (import_pages); then the import runs on the
window's worker with progress and Cancel, all rows or none.

The file is read on the worker (detection reads it whole to be sure of its encoding; the check
reads every row); on this thread only the first few lines are read, when a setting changes."""

from __future__ import annotations

from pathlib import Path

import shiboken6
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from debtordesk.domain.csvformat import DATE_FORMATS, DELIMITERS, ENCODINGS, CsvFormat
from debtordesk.domain.problems import Rejected, UserError
from debtordesk.services.csvfiles import KINDS, SPECS
from debtordesk.services.import_format import Detection, detect_format, read_sample
from debtordesk.services.import_mapping import LABELS, suggest_mapping
from debtordesk.services.imports import import_csv
from debtordesk.ui.formatting import OVERDUE_COLOR
from debtordesk.ui.messages import ProblemsDialog, tell, where

FOLDER_KEY = "file_menu/folder"  # shared with the File menu: the folder a file was last chosen in
KIND_KEY = "import_wizard/kind"
GEOMETRY_KEY = "import_wizard/geometry"
CSV_FILTER = "CSV files (*.csv *.txt *.tsv);;All files (*)"
NOUNS = {"customers": ("customer", "customers"), "invoices": ("invoice", "invoices"),
         "payments": ("payment", "payments")}
WHAT = {
    "customers": "Customers: a reference and a name for each, with contact details and address if you have them.",
    "invoices": "Invoices: number, customer reference, date and amount. Import their customers first.",
    "payments": "Payments: customer reference, date and amount; they pay the oldest invoices first unless the "
                "row names an invoice.",
}
SAMPLE_LINES = 20
ASK = "ask"  # the date combo's item while day/month order is not known


def counted(n: int, kind: str) -> str:
    return f"{n:,} {NOUNS[kind][0] if n == 1 else NOUNS[kind][1]}"


def required_words(kind: str) -> str:
    return ", ".join(LABELS[f] for f in SPECS[kind].required)


def wrapped(text: str, parent) -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def alive(widget) -> bool:
    """Whether the widget is still there: a job's answer may come after the wizard was closed."""
    return shiboken6.isValid(widget)


def warn_style(label: QLabel, on: bool) -> None:
    label.setStyleSheet(f"color: {OVERDUE_COLOR.name()};" if on else "")


class ImportWizard(QWizard):
    """Parent: the main window (its database, its worker, refreshed after the import)."""

    def __init__(self, window, kind: str | None = None):
        super().__init__(window)
        self.main = window
        self.db, self.tasks = window.db, window.tasks
        self.setWindowTitle("Import from a CSV file")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, False)
        self.setButtonText(QWizard.WizardButton.FinishButton, "Import")
        self.kind: str = kind or str(QSettings().value(KIND_KEY, "customers") or "customers")
        if self.kind not in KINDS:
            self.kind = "customers"
        self.path: Path | None = None
        self.detection: Detection | None = None
        self.detected_for: tuple | None = None  # (path, kind) the detection is for
        self.format = CsvFormat()
        self.header: list[str] = []
        self.sample: list[list[str]] = []
        self.fields: list[str] = []
        self.mapped_for: tuple | None = None  # (path, kind, header) the fields are for
        self.mapping_name = ""  # the saved mapping or preset the fields come from ("" suggested)
        self.preview = None
        self.importing = False
        from debtordesk.ui.dialogs.import_pages import MappingPage, PreviewPage

        self.kind_page = KindPage(self)
        self.format_page = FormatPage(self)
        self.mapping_page = MappingPage(self)
        self.preview_page = PreviewPage(self)
        for page in (self.kind_page, self.format_page, self.mapping_page, self.preview_page):
            self.addPage(page)
        geometry = QSettings().value(GEOMETRY_KEY)
        if geometry:
            self.restoreGeometry(geometry)
        else:
            self.resize(900, 640)

    # -- reading the file --------------------------------------------------------------------------

    def read_head(self, fmt: CsvFormat, lines: int = SAMPLE_LINES) -> str:
        """Read the header and the first lines with `fmt`; '' or the reason it cannot be read."""
        try:
            self.header, self.sample = read_sample(self.path, fmt, lines)
        except Rejected as exc:
            self.header, self.sample = [], []
            return "; ".join(where(p) for p in exc.problems)
        self.format = fmt
        return ""

    def ensure_fields(self) -> None:
        """The suggested mapping, unless the user has chosen one for this very header."""
        key = (self.path, self.kind, tuple(self.header))
        if self.mapped_for != key:
            self.fields = suggest_mapping(self.kind, self.header)
            self.mapped_for = key
            self.mapping_name = ""

    # -- the import ----------------------------------------------------------------------------------

    def accept(self) -> None:
        """Import (on the worker); the wizard closes when the rows are in."""
        if self.importing or self.preview is None or not self.preview.ready:
            return
        self.importing = True
        self._buttons(False)
        db, kind, path, fmt, fields = self.db, self.kind, self.path, self.format, list(self.fields)

        def job(report, should_cancel):
            with db.transaction() as session:  # commits only if every row is right; a cancel rolls back
                return import_csv(session, kind, path, fmt, fields, report=report, should_cancel=should_cancel)

        self.tasks.run(job, label=f"Importing {kind} from {path.name}…", on_success=self._imported,
                       on_error=self._refused, on_cancelled=self._cancelled)

    def _buttons(self, on: bool) -> None:
        for which in (QWizard.WizardButton.FinishButton, QWizard.WizardButton.BackButton,
                      QWizard.WizardButton.CancelButton):
            self.button(which).setEnabled(on)

    def _imported(self, result) -> None:
        if not alive(self):
            return
        self.importing = False
        skipped = [h for h, f in zip(self.header, self.fields, strict=True) if not f and h]
        text = f"Imported {counted(result.rows, self.kind)} from {self.path.name}."
        if skipped:
            text += f"\n\nNot imported: the column{'s' if len(skipped) > 1 else ''} {', '.join(skipped)}."
        QSettings().setValue(KIND_KEY, self.kind)
        super().accept()
        tell(self.main, text)
        self.main.refresh()

    def _refused(self, exc: Exception) -> None:
        if not alive(self):
            return
        self.importing = False
        self._buttons(True)
        if isinstance(exc, Rejected):
            ProblemsDialog(self.path.name, exc.problems, self).open()
        else:
            self.tasks.show_error(exc)

    def _cancelled(self) -> None:
        if not alive(self):
            return
        self.importing = False
        self._buttons(True)
        tell(self, "The import was cancelled. Nothing was written.")

    def reject(self) -> None:
        if not self.importing:
            super().reject()

    def done(self, result: int) -> None:
        QSettings().setValue(GEOMETRY_KEY, self.saveGeometry())
        self.preview_page.stop()
        super().done(result)


class KindPage(QWizardPage):
    """(a) What the file holds, and where it is."""

    def __init__(self, wizard: ImportWizard):
        super().__init__(wizard)
        self.w = wizard
        self.setTitle("What to import")
        self.setSubTitle("Choose what the file holds, then the file. Nothing is written until the last step.")
        layout = QVBoxLayout(self)
        self.kinds = QButtonGroup(self)
        self.buttons: dict[str, QRadioButton] = {}
        for kind in KINDS:
            button = QRadioButton(kind.title(), self)
            button.setAccessibleName(kind.title())
            self.kinds.addButton(button)
            self.buttons[kind] = button
            layout.addWidget(button)
            hint = wrapped(f"{WHAT[kind]} Needed: {required_words(kind)}.", self)
            hint.setIndent(24)
            layout.addWidget(hint)
        self.buttons[wizard.kind].setChecked(True)
        self.kinds.buttonToggled.connect(self.completeChanged)
        layout.addSpacing(12)
        row = QHBoxLayout()
        self.file = QLineEdit(self)
        self.file.setPlaceholderText("The CSV file to import")
        self.file.setAccessibleName("File")
        self.file.textChanged.connect(self.completeChanged)
        browse = QPushButton("&Browse…", self)
        browse.clicked.connect(self.browse)
        row.addWidget(QLabel("&File:", self, buddy=self.file))
        row.addWidget(self.file, 1)
        row.addWidget(browse)
        layout.addLayout(row)
        self.problem = wrapped("", self)
        warn_style(self.problem, True)
        layout.addWidget(self.problem)
        layout.addStretch(1)

    def chosen_kind(self) -> str:
        return next(k for k, b in self.buttons.items() if b.isChecked())

    def browse(self) -> None:
        folder = str(QSettings().value(FOLDER_KEY, "") or Path.home())
        chosen, _ = QFileDialog.getOpenFileName(self, f"Import {self.chosen_kind()}", folder, CSV_FILTER)
        if chosen:
            self.file.setText(chosen)
            QSettings().setValue(FOLDER_KEY, str(Path(chosen).parent))

    def isComplete(self) -> bool:  # noqa: N802 (Qt override)
        text = self.file.text().strip()
        ok = bool(text) and Path(text).is_file()
        self.problem.setText("" if ok or not text else f"There is no file {text}.")
        return ok

    def validatePage(self) -> bool:  # noqa: N802 (Qt override)
        if not self.isComplete():
            return False
        self.w.kind = self.chosen_kind()
        self.w.path = Path(self.file.text().strip())
        return True


class FormatPage(QWizardPage):
    """(b) How the file is written: detected on the worker, confirmed or changed here."""

    def __init__(self, wizard: ImportWizard):
        super().__init__(wizard)
        self.w = wizard
        self.setTitle("How the file is written")
        self.setSubTitle("DebtorDesk has looked at the file. Check the settings against its first lines below "
                         "and change any that are wrong.")
        self.pending = False
        self.failed = ""
        layout = QVBoxLayout(self)
        self.status = wrapped("", self)
        layout.addWidget(self.status)
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setColumnStretch(2, 1)
        self.encoding = self._combo([(name, code) for code, name in ENCODINGS.items()], "Encoding")
        self.delimiter = self._combo([(f"{word.title()}  ( {code if code != chr(9) else '⇥'} )", code)
                                      for code, word in DELIMITERS.items()], "Columns separated by")
        self.decimal = self._combo([("Decimal point  (1234.56)", False), ("Decimal comma  (1.234,56)", True)],
                                   "Amounts")
        self.dates = self._combo([(f"{shown}  ({example})", code) for code, (shown, example) in DATE_FORMATS.items()],
                                 "Dates")
        self.notes: dict[str, QLabel] = {}
        for row, (what, label, combo) in enumerate((("encoding", "&Encoding", self.encoding),
                                                    ("delimiter", "&Columns separated by", self.delimiter),
                                                    ("decimal", "&Amounts", self.decimal),
                                                    ("dates", "&Dates", self.dates))):
            combo.setMinimumWidth(280)
            note = wrapped("", self)
            note.setAccessibleName(f"{label.replace('&', '')} note")
            self.notes[what] = note
            grid.addWidget(QLabel(label + ":", self, buddy=combo), row, 0)
            grid.addWidget(combo, row, 1, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(note, row, 2)
        layout.addLayout(grid)
        layout.addSpacing(6)
        self.lines_title = QLabel("The first lines of the file, read with these settings:", self)
        layout.addWidget(self.lines_title)
        self.lines = QTableWidget(0, 0, self)
        self.lines.setAccessibleName("First lines")
        self.lines.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.lines.setAlternatingRowColors(True)
        self.lines.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.lines.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.lines.verticalHeader().setMinimumWidth(32)
        self.lines.verticalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        self.lines.setToolTip("Row numbers as a spreadsheet counts them: the header is row 1")
        layout.addWidget(self.lines, 1)

    def _combo(self, items, name: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setAccessibleName(name)
        for text, data in items:
            combo.addItem(text, data)
        combo.activated.connect(self.changed)
        return combo

    def _set(self, combo: QComboBox, data) -> None:
        combo.setCurrentIndex(max(0, combo.findData(data)))

    def initializePage(self) -> None:  # noqa: N802 (Qt override)
        w = self.w
        if w.detected_for == (w.path, w.kind) and w.detection is not None:
            self.show_format(w.format)
            return
        self.pending, self.failed = True, ""
        self.status.setText(f"Reading {w.path.name}…")
        warn_style(self.status, False)
        for combo in (self.encoding, self.delimiter, self.decimal, self.dates):
            combo.setEnabled(False)
        self.lines.clear()
        self.lines.setRowCount(0)
        self.lines.setColumnCount(0)
        path, kind = w.path, w.kind
        w.tasks.run(lambda report, should_cancel: detect_format(path, kind), label=f"Reading {path.name}…",
                    on_success=lambda found: self.detected(path, kind, found),
                    on_error=lambda exc: self.not_detected(path, exc), on_cancelled=lambda: self.not_detected(path))
        self.completeChanged.emit()

    def detected(self, path: Path, kind: str, found: Detection) -> None:
        if not alive(self):
            return
        w = self.w
        if (path, kind) != (w.path, w.kind):
            return  # the user has chosen another file meanwhile
        self.pending = False
        w.detection, w.detected_for = found, (path, kind)
        for combo in (self.encoding, self.delimiter, self.decimal, self.dates):
            combo.setEnabled(True)
        if self.dates.findData(ASK) >= 0:
            self.dates.removeItem(self.dates.findData(ASK))
        if found.date_ambiguous:
            self.dates.insertItem(0, "Choose: is the day or the month first?", ASK)
        self.show_format(found.format, ask_date=found.date_ambiguous)
        for note in found.notes:
            label = self.notes[note.what]
            label.setText(note.text if note.sure else f"Please check: {note.text}")
            warn_style(label, not note.sure)
        self.status.setText(f"{path.name} as detected:")
        self.completeChanged.emit()

    def not_detected(self, path: Path, exc: Exception | None = None) -> None:
        if not alive(self) or path != self.w.path:
            return
        self.pending = False
        if isinstance(exc, UserError):
            problems = exc.problems if isinstance(exc, Rejected) else []
            self.failed = "; ".join(where(p) for p in problems) or str(exc)
            self.status.setText(f"{path.name} cannot be imported: {self.failed}. Go back and choose another file.")
        elif exc is None:
            self.failed = "cancelled"
            self.status.setText("Reading the file was cancelled. Go back and choose the file again.")
        else:
            self.failed = str(exc)
            self.status.setText(f"{path.name} could not be read ({type(exc).__name__}: {exc}).")
        warn_style(self.status, True)
        self.completeChanged.emit()

    def show_format(self, fmt: CsvFormat, ask_date: bool = False) -> None:
        self._set(self.encoding, fmt.encoding)
        self._set(self.delimiter, fmt.delimiter)
        self._set(self.decimal, fmt.decimal_comma)
        self._set(self.dates, ASK if ask_date else fmt.date_format)
        self.reread(fmt)

    def chosen(self) -> CsvFormat:
        date_format = self.dates.currentData()
        return CsvFormat(self.encoding.currentData(), self.delimiter.currentData(), bool(self.decimal.currentData()),
                         self.w.format.date_format if date_format == ASK else date_format)

    def changed(self, _index: int = 0) -> None:
        if self.dates.currentData() != ASK and self.dates.findData(ASK) >= 0:
            self.dates.removeItem(self.dates.findData(ASK))  # the user has said which
        self.reread(self.chosen())
        self.completeChanged.emit()

    def reread(self, fmt: CsvFormat) -> None:
        problem = self.w.read_head(fmt)
        if problem:
            self.status.setText(f"With these settings the file cannot be read: {problem}. Try another encoding.")
            warn_style(self.status, True)
        elif self.status.text().startswith("With these settings"):
            self.status.setText(f"{self.w.path.name}:")
            warn_style(self.status, False)
        header, rows = self.w.header, self.w.sample
        width = max([len(header), *(len(r) for r in rows)]) if header else 0
        self.lines.clear()
        self.lines.setColumnCount(width)
        self.lines.setRowCount(len(rows))
        self.lines.setHorizontalHeaderLabels(header + [""] * (width - len(header)))
        self.lines.setVerticalHeaderLabels([str(n) for n in range(2, len(rows) + 2)])  # as a spreadsheet counts
        for r, record in enumerate(rows):
            for c, text in enumerate(record):
                item = QTableWidgetItem(" ⏎ ".join(text.splitlines()) if "\n" in text else text)
                item.setToolTip(text)
                self.lines.setItem(r, c, item)
        self.lines.resizeColumnsToContents()
        for c in range(width):
            self.lines.setColumnWidth(c, min(self.lines.columnWidth(c), 260))

    def isComplete(self) -> bool:  # noqa: N802 (Qt override)
        return (not self.pending and not self.failed and bool(self.w.header)
                and self.dates.currentData() != ASK)

    def validatePage(self) -> bool:  # noqa: N802 (Qt override)
        if not self.isComplete():
            return False
        fmt = self.chosen()
        if self.w.read_head(fmt, 50):
            return False
        self.w.ensure_fields()
        return True


def open_import_wizard(window, kind: str | None = None) -> ImportWizard:
    """Open the wizard over `window` (not blocking); it deletes itself when closed."""
    wizard = ImportWizard(window, kind)
    wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    wizard.open()
    return wizard

