"""The import wizard's last two pages: (c) which column of the file feeds which field, with sample
values, the named mappings and presets; (d) every row checked on the worker, bad rows highlighted
with their problems in words, and Import allowed only when every row is right."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWizardPage,
)

from debtordesk.domain.problems import UserError
from debtordesk.services.csvfiles import SPECS
from debtordesk.services.import_mapping import (
    LABELS,
    NOT_IMPORTED,
    SavedMapping,
    delete_mapping,
    list_mappings,
    save_mapping,
)
from debtordesk.services.imports import preview_csv
from debtordesk.ui.dialogs.import_wizard import ImportWizard, alive, warn_style, wrapped
from debtordesk.ui.messages import where
from debtordesk.ui.models.import_preview import ImportPreviewModel

SUGGESTED = "(suggested from the column names)"
NOT_IMPORTED_TEXT = "(not imported)"
SAMPLES = 3


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


class MappingPage(QWizardPage):
    """(c) One line per column of the file: the field it feeds, or not imported."""

    def __init__(self, wizard: ImportWizard):
        super().__init__(wizard)
        self.w = wizard
        self.setTitle("Which column is which")
        self.setSubTitle("Choose, for each column of the file, what it holds. Columns you do not need can stay "
                         "“not imported”.")
        self.mappings: list[SavedMapping] = []
        self.combos: list[QComboBox] = []
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.saved = QComboBox(self)
        self.saved.setAccessibleName("Saved mapping")
        self.saved.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.saved.activated.connect(self.load)
        self.save_button = QPushButton("&Save mapping as…", self)
        self.save_button.setToolTip("Keep these choices and the file's format under a name, for the next file "
                                    "like this one (the command line uses it too: --mapping NAME)")
        self.save_button.clicked.connect(self.save)
        self.delete_button = QPushButton("&Delete mapping", self)
        self.delete_button.clicked.connect(self.delete)
        row.addWidget(QLabel("&Mapping:", self, buddy=self.saved))
        row.addWidget(self.saved, 1)
        row.addWidget(self.save_button)
        row.addWidget(self.delete_button)
        layout.addLayout(row)
        self.loaded = wrapped("", self)
        layout.addWidget(self.loaded)
        self.table = QTableWidget(0, 3, self)
        self.table.setAccessibleName("Columns")
        self.table.setHorizontalHeaderLabels(["Column in the file", "Imported as", "Sample values"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        self.missing = wrapped("", self)
        self.missing.setAccessibleName("Still to choose")
        layout.addWidget(self.missing)

    # -- the table ---------------------------------------------------------------------------------

    def initializePage(self) -> None:  # noqa: N802 (Qt override)
        self.fill_mappings(select=self.w.mapping_name)
        self.loaded.setText("")
        self.fill_table()

    def targets(self) -> list[tuple[str, str]]:
        spec = SPECS[self.w.kind]
        return [(NOT_IMPORTED_TEXT, NOT_IMPORTED)] + [
            (f"{LABELS[f]}{' (required)' if f in spec.required else ''}", f) for f in spec.columns]

    def fill_table(self) -> None:
        w = self.w
        self.combos = []
        self.table.setRowCount(len(w.header))
        for r, header in enumerate(w.header):
            name = QTableWidgetItem(header or "(no name)")
            name.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.table.setItem(r, 0, name)
            combo = QComboBox(self.table)
            combo.setAccessibleName(f"Imported as: {header}")
            for text, data in self.targets():
                combo.addItem(text, data)
            combo.setCurrentIndex(max(0, combo.findData(w.fields[r] if r < len(w.fields) else NOT_IMPORTED)))
            combo.activated.connect(self.changed)
            self.table.setCellWidget(r, 1, combo)
            self.combos.append(combo)
            values = [rec[r].strip() for rec in w.sample if r < len(rec) and rec[r].strip()][:SAMPLES]
            shown = "   ·   ".join(" ⏎ ".join(v.splitlines()) for v in values) or "(empty in the first rows)"
            sample = QTableWidgetItem(shown)
            sample.setFlags(Qt.ItemFlag.ItemIsEnabled)
            sample.setToolTip("\n".join(values))
            self.table.setItem(r, 2, sample)
        if self.combos:
            self.table.verticalHeader().setDefaultSectionSize(self.combos[0].sizeHint().height() + 4)
        self.check()

    def chosen(self) -> list[str]:
        return [c.currentData() for c in self.combos]

    def changed(self, _index: int = 0) -> None:
        self.w.fields = self.chosen()
        self.check()

    def check(self) -> None:
        fields = self.chosen()
        spec = SPECS[self.w.kind]
        missing = [LABELS[f] for f in spec.required if f not in fields]
        doubled = {}
        for header, f in zip(self.w.header, fields, strict=True):
            if f:
                doubled.setdefault(f, []).append(header)
        doubled = {f: hs for f, hs in doubled.items() if len(hs) > 1}
        lines = []
        if missing:
            lines.append(f"Still to choose: a column for {_and(missing)} (needed for every "
                         f"{self.w.kind.rstrip('s')}).")
        for f, headers in doubled.items():
            lines.append(f"{LABELS[f]} is chosen for {len(headers)} columns ({', '.join(headers)}): keep one.")
        self.missing.setText("\n".join(lines) or "Every field that is needed has a column.")
        warn_style(self.missing, bool(lines))
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 (Qt override)
        fields = [f for f in self.chosen() if f]
        return (bool(self.combos) and all(f in fields for f in SPECS[self.w.kind].required)
                and len(fields) == len(set(fields)))

    def validatePage(self) -> bool:  # noqa: N802 (Qt override)
        self.w.fields = self.chosen()
        return self.isComplete()

    # -- named mappings ------------------------------------------------------------------------------

    def fill_mappings(self, select: str = "") -> None:
        with self.w.db.session() as s:
            self.mappings = list_mappings(s, self.w.kind)
        self.saved.clear()
        self.saved.addItem(SUGGESTED, "")
        for m in self.mappings:
            self.saved.addItem(f"Preset: {m.name}" if m.preset else m.name, m.name)
            self.saved.setItemData(self.saved.count() - 1, m.format.describe()
                                   + (" (comes with DebtorDesk)" if m.preset else ""), Qt.ItemDataRole.ToolTipRole)
        self.saved.setCurrentIndex(max(0, self.saved.findData(select)))
        self.delete_button.setEnabled(self.current() is not None and not self.current().preset)

    def current(self) -> SavedMapping | None:
        name = self.saved.currentData()
        return next((m for m in self.mappings if m.name == name), None)

    def load(self, _index: int = 0) -> None:
        w, mapping = self.w, self.current()
        self.delete_button.setEnabled(mapping is not None and not mapping.preset)
        if mapping is None:
            w.mapped_for = None
            w.ensure_fields()
            warn_style(self.loaded, False)
            self.loaded.setText("The columns are matched by their names.")
            self.fill_table()
            return
        fmt = w.format.but(delimiter=mapping.format.delimiter, decimal_comma=mapping.format.decimal_comma,
                           date_format=mapping.format.date_format)  # the encoding stays as the file is
        problem = w.read_head(fmt, 50)
        if problem:
            self.loaded.setText(f"With the format of “{mapping.name}” the file cannot be read: {problem}.")
            warn_style(self.loaded, True)
            return
        w.fields = mapping.fields_for(w.header)
        w.mapped_for = (w.path, w.kind, tuple(w.header))
        w.mapping_name = mapping.name
        self.loaded.setText(f"“{mapping.name}”: {w.format.describe()}.")
        warn_style(self.loaded, False)
        w.format_page.show_format(w.format)
        self.fill_table()

    def save(self) -> None:
        current = self.current()
        name, ok = QInputDialog.getText(self, "Save mapping", "A name for these choices and the file's format:",
                                        text=current.name if current is not None and not current.preset else "")
        if not ok:
            return
        w = self.w
        try:
            with w.db.transaction() as s:
                saved = save_mapping(s, w.kind, name, w.format, w.header, self.chosen())
        except UserError as exc:
            QMessageBox.warning(self, "Save mapping", str(exc))
            return
        w.mapping_name = saved.name
        self.fill_mappings(select=saved.name)
        self.loaded.setText(f"Saved as “{saved.name}”: {w.format.describe()}.")
        warn_style(self.loaded, False)

    def delete(self) -> None:
        mapping = self.current()
        if mapping is None or mapping.preset:
            return
        answer = QMessageBox.question(self, "Delete mapping", f"Delete the mapping “{mapping.name}”?")
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            with self.w.db.transaction() as s:
                delete_mapping(s, self.w.kind, mapping.name)
        except UserError as exc:
            QMessageBox.warning(self, "Delete mapping", str(exc))
            return
        self.w.mapping_name = ""
        self.fill_mappings()
        self.loaded.setText(f"“{mapping.name}” is deleted. The columns stay as they are.")


class PreviewPage(QWizardPage):
    """(d) Every row checked on the worker; the import waits until none has a problem."""

    def __init__(self, wizard: ImportWizard):
        super().__init__(wizard)
        self.w = wizard
        self.setTitle("Check the rows")
        self.setSubTitle("Every row is checked as it would be imported. Nothing is written until you press "
                         "Import, and then all rows go in or none.")
        self.setCommitPage(False)
        self.generation = 0
        self.task = None  # the check running, if any
        self.model: ImportPreviewModel | None = None
        layout = QVBoxLayout(self)
        self.counts = wrapped("", self)
        self.counts.setAccessibleName("Counts")
        font = self.counts.font()
        font.setBold(True)
        self.counts.setFont(font)
        layout.addWidget(self.counts)
        self.file_problems = wrapped("", self)
        self.file_problems.hide()
        warn_style(self.file_problems, True)
        layout.addWidget(self.file_problems)
        row = QHBoxLayout()
        self.only_bad = QCheckBox("Show only the rows with &problems", self)
        self.only_bad.toggled.connect(self.filter)
        self.again = QPushButton("Check &again", self)
        self.again.setToolTip("Read the file again (after correcting it) and check every row")
        self.again.clicked.connect(self.initializePage)
        row.addWidget(self.only_bad)
        row.addStretch(1)
        row.addWidget(self.again)
        layout.addLayout(row)
        self.table = QTableView(self)
        self.table.setAccessibleName("Rows")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setResizeContentsPrecision(200)
        layout.addWidget(self.table, 1)
        self.details = wrapped("", self)
        self.details.setAccessibleName("Problems of the selected row")
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.details)

    def initializePage(self) -> None:  # noqa: N802 (Qt override)
        w = self.w
        self.generation += 1
        generation = self.generation
        w.preview = None
        self.table.setModel(None)
        self.model = None
        self.only_bad.setChecked(False)
        self.only_bad.setEnabled(False)
        self.again.setEnabled(False)
        self.file_problems.setText("")
        self.file_problems.hide()
        self.details.setText("")
        self.counts.setText(f"Checking every row of {w.path.name}…")
        db, kind, path, fmt, fields = w.db, w.kind, w.path, w.format, list(w.fields)

        def job(report, should_cancel):
            with db.session() as session:  # read only: nothing is written
                return preview_csv(session, kind, path, fmt, fields, report=report, should_cancel=should_cancel)

        self.stop()
        self.task = w.tasks.run(job, label=f"Checking {path.name}…", on_success=lambda p: self.checked(generation, p),
                    on_error=lambda exc: self.not_checked(generation, exc),
                    on_cancelled=lambda: self.not_checked(generation, None))
        self.completeChanged.emit()

    def checked(self, generation: int, preview) -> None:
        if not alive(self) or generation != self.generation:
            return  # an older check, overtaken
        w = self.w
        w.preview = preview
        self.again.setEnabled(True)
        imported = [f for f in w.fields if f]
        headers = [h for h, f in zip(w.header, w.fields, strict=True) if f]
        self.model = ImportPreviewModel(preview, imported, headers, self.table)
        self.table.setModel(self.model)
        self.table.selectionModel().currentRowChanged.connect(self.show_details)
        self.table.resizeColumnsToContents()
        self.table.setColumnWidth(1, max(120, min(self.table.columnWidth(1), 460)))
        for c in range(2, self.model.columnCount()):
            self.table.setColumnWidth(c, min(self.table.columnWidth(c), 220))
        total, bad = len(preview.rows), preview.bad
        if preview.file_problems:
            self.file_problems.setText("\n".join(where(p) for p in preview.file_problems))
            self.file_problems.show()
        if not total and not preview.file_problems:
            self.counts.setText("The file has no rows to import.")
        elif preview.ready:
            self.counts.setText(f"All {total:,} row{'s are' if total != 1 else ' is'} ready to import.")
        else:
            parts = [f"{total - bad:,} row{'s' if total - bad != 1 else ''} ready, {bad:,} with problems."]
            if preview.file_problems:
                parts = [f"The file has {len(preview.file_problems)} problem"
                         f"{'s' if len(preview.file_problems) != 1 else ''} with its columns (below)."]
                if total:
                    parts.insert(0, f"{total - bad:,} rows ready, {bad:,} with problems.")
            parts.append("Nothing can be imported until every row is right: correct the file and press Check "
                         "again, or go Back and change the settings.")
            self.counts.setText(" ".join(parts))
        warn_style(self.counts, not preview.ready)
        self.only_bad.setEnabled(bad > 0)
        self.show_details(self.table.currentIndex())
        self.completeChanged.emit()

    def not_checked(self, generation: int, exc: Exception | None) -> None:
        if not alive(self) or generation != self.generation:
            return
        self.again.setEnabled(True)
        if exc is None:
            self.counts.setText("The check was cancelled. Press Check again to run it.")
        elif isinstance(exc, UserError):
            self.counts.setText(f"The file could not be checked: {exc}")
        else:
            self.counts.setText(f"The file could not be checked ({type(exc).__name__}: {exc}).")
        warn_style(self.counts, True)
        self.completeChanged.emit()

    def filter(self, on: bool) -> None:
        if self.model is not None:
            self.model.show_only_problems(on)
            self.show_details(self.table.currentIndex())

    def show_details(self, current, _previous=None) -> None:
        """The problems of the row the user is on, in full (the Status cell may be cut short)."""
        if self.model is None or not current.isValid():
            self.details.setText("Select a row to read its problems in full." if self.w.preview
                                 and self.w.preview.bad else "")
            return
        number = self.model.number(current.row())
        problems = self.model.problem_lines(number)
        self.details.setText(f"Row {number:,}: " + ("\n".join(problems) if problems else "no problems."))

    def isComplete(self) -> bool:  # noqa: N802 (Qt override)
        preview = self.w.preview
        return preview is not None and preview.ready and not self.w.importing

    def cleanupPage(self) -> None:  # noqa: N802 (Qt override)
        self.generation += 1  # a check still running is for settings the user is changing
        self.stop()
        self.w.preview = None

    def stop(self) -> None:
        """Cancel the check still running (its answer is no longer wanted)."""
        if self.task is not None and not self.task.finished:
            self.task.cancel()
        self.task = None
