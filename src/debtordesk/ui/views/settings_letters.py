"""Settings ▸ Letters: the words of each letter per language with a live preview, the paper size,
the envelope window and who signs."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from debtordesk.db.engine import Database
from debtordesk.letters.model import PAPERS, WINDOWS
from debtordesk.letters.templates import (
    OTHER_LETTERS,
    SAMPLE_CONTEXT,
    LetterTemplate,
    TemplateProblem,
    paragraphs,
    render_text,
)
from debtordesk.services.correspondence import is_edited, reset_template, save_template, template_for
from debtordesk.services.dunning import load_policy
from debtordesk.services.settings import get_settings, put_settings
from debtordesk.ui.formatting import OVERDUE_COLOR
from debtordesk.ui.messages import tell
from debtordesk.ui.views.dunning import open_in_viewer

LANGUAGES = {"en": "English", "de": "Deutsch"}
FIELDS_HELP = ("Fields: {{ salutation }}, {{ customer.name }}, {{ customer.ref }}, {{ customer.contact_person }}, "
               "{{ company.name }}, {{ company.phone }}, {{ company.email }}, {{ level.name }}, {{ as_of }}, "
               "{{ pay_by }}, {{ deadline_days }}, {{ open_total }}, {{ interest }}, {{ compensation }}, {{ fee }}, "
               "{{ total }}, {{ regime }}, {{ invoice_count }}, {{ oldest_due }}, {{ days_overdue }}, "
               "{{ previous_letter }}; in the payment plan agreement also {{ plan.reference }}, {{ plan.total }}, "
               "{{ plan.instalments }}, {{ plan.instalment }}, {{ plan.first_due }}, {{ plan.end }}, "
               "{{ plan.grace_days }}; conditions like {% if claims_interest %} … {% endif %}.")


class LetterSettings(QWidget):
    def __init__(self, db: Database, parent=None):
        super().__init__(parent)
        self.db = db
        self.open_file: Callable[[Path], None] = open_in_viewer
        layout = QVBoxLayout(self)

        page = QGroupBox("Paper and signature", self)
        form = QFormLayout(page)
        self.paper = QComboBox(page)
        for key, label in PAPERS.items():
            self.paper.addItem(label, key)
        self.window = QComboBox(page)
        for key, label in WINDOWS.items():
            self.window.addItem(label, key)
        self.signatory = QLineEdit(page)
        self.signatory.setPlaceholderText("e.g. Jane Doe (empty: the company name)")
        self.signatory_title = QLineEdit(page)
        form.addRow("Paper size:", self.paper)
        form.addRow("Address placed for:", self.window)
        form.addRow("Signed by:", self.signatory)
        form.addRow("Position:", self.signatory_title)
        self.attach_statement = QCheckBox("Print the statement of account after each reminder", page)
        form.addRow("", self.attach_statement)
        save_page = QPushButton("Save paper and signature", page)
        save_page.clicked.connect(self.save_page)
        form.addRow("", save_page)
        layout.addWidget(page)

        pick = QHBoxLayout()
        pick.addWidget(QLabel("Letter:", self))
        self.letter = QComboBox(self)
        self.letter.setAccessibleName("Letter")
        pick.addWidget(self.letter)
        pick.addWidget(QLabel("Language:", self))
        self.language = QComboBox(self)
        for key, label in LANGUAGES.items():
            self.language.addItem(label, key)
        pick.addWidget(self.language)
        self.state = QLabel(self)
        pick.addWidget(self.state)
        pick.addStretch(1)
        layout.addLayout(pick)

        split = QSplitter(self)
        editor = QWidget(split)
        ed = QVBoxLayout(editor)
        ed.setContentsMargins(0, 0, 0, 0)
        self.subject = QLineEdit(editor)
        self.subject.setAccessibleName("Subject")
        self.body = QPlainTextEdit(editor)
        self.body.setAccessibleName("Text before the invoices")
        self.closing = QPlainTextEdit(editor)
        self.closing.setAccessibleName("Text after the totals")
        self.closing.setMaximumHeight(110)
        ed.addWidget(QLabel("Subject:", editor))
        ed.addWidget(self.subject)
        ed.addWidget(QLabel("Text before the invoices (paragraphs separated by an empty line):", editor))
        ed.addWidget(self.body, 1)
        ed.addWidget(QLabel("Text after the totals:", editor))
        ed.addWidget(self.closing)
        help_label = QLabel(FIELDS_HELP, editor)
        help_label.setWordWrap(True)
        ed.addWidget(help_label)
        self.preview = QTextBrowser(split)
        self.preview.setAccessibleName("Preview")
        split.addWidget(editor)
        split.addWidget(self.preview)
        split.setSizes([500, 400])
        layout.addWidget(split, 1)

        buttons = QHBoxLayout()
        self.reset_button = QPushButton("Back to the shipped words", self)
        self.reset_button.clicked.connect(self.reset)
        self.save_button = QPushButton("Save letter", self)
        self.save_button.clicked.connect(self.save)
        buttons.addWidget(self.reset_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        layout.addLayout(buttons)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(300)
        self._timer.timeout.connect(self.update_preview)
        for w in (self.subject, self.body, self.closing):
            w.textChanged.connect(self._timer.start)
        self.letter.currentIndexChanged.connect(lambda _i: self.load_words())
        self.language.currentIndexChanged.connect(lambda _i: self.load_words())
        self.reload()

    # --- loading -----------------------------------------------------------------------------------
    def reload(self) -> None:
        with self.db.session() as s:
            values = get_settings(s)
            levels = load_policy(s)
        self.paper.setCurrentIndex(max(0, self.paper.findData(values["letters.paper"])))
        self.window.setCurrentIndex(max(0, self.window.findData(values["letters.window"])))
        self.signatory.setText(values["letters.signatory"])
        self.signatory_title.setText(values["letters.signatory_title"])
        self.attach_statement.setChecked(values["letters.attach_statement"] == "yes")
        self.letter.blockSignals(True)
        self.letter.clear()
        for lv in levels:
            self.letter.addItem(lv.name, lv.key)
        for key, name in OTHER_LETTERS.items():
            self.letter.addItem(name, key)
        self.letter.blockSignals(False)
        self.load_words()

    def key(self) -> str:
        return self.letter.currentData() or "reminder-1"

    def lang(self) -> str:
        return self.language.currentData() or "en"

    def load_words(self) -> None:
        with self.db.session() as s:
            words = template_for(s, self.key(), self.lang())
            edited = is_edited(s, self.key(), self.lang())
        self.subject.setText(words.subject)
        self.body.setPlainText(words.body)
        self.closing.setPlainText(words.closing)
        self.state.setText("your words" if edited else "the shipped words")
        self.update_preview()

    def words(self) -> LetterTemplate:
        return LetterTemplate(self.subject.text(), self.body.toPlainText(), self.closing.toPlainText())

    # --- preview -------------------------------------------------------------------------------------
    def update_preview(self) -> None:
        words = self.words()
        try:
            subject = render_text(words.subject, SAMPLE_CONTEXT).strip()
            body = paragraphs(render_text(words.body, SAMPLE_CONTEXT))
            closing = paragraphs(render_text(words.closing, SAMPLE_CONTEXT))
        except TemplateProblem as exc:
            self.preview.setHtml(f"<p style='color:{OVERDUE_COLOR.name()}'><b>This letter cannot be printed as "
                                 f"it is.</b><br>{escape(str(exc))}</p>")
            self.save_button.setEnabled(False)
            return
        self.save_button.setEnabled(True)

        def paras(items):
            return "".join(f"<p>{escape(p).replace(chr(10), '<br>')}</p>" for p in items)

        self.preview.setHtml(
            f"<p><b>{escape(subject)}</b></p>{paras(body)}"
            "<p style='color:gray'><i>[the invoices, the interest workings, the total and how to pay are printed "
            "here]</i></p>" + paras(closing))

    def preview_text(self) -> str:
        return self.preview.toPlainText()

    # --- saving --------------------------------------------------------------------------------------
    def save(self) -> bool:
        try:
            with self.db.transaction() as s:
                save_template(s, self.key(), self.lang(), self.words())
        except TemplateProblem as exc:
            tell(self, f"The letter was not saved.\n\n{exc}", QMessageBox.Icon.Warning)
            return False
        self.state.setText("your words")
        return True

    def reset(self) -> None:
        with self.db.transaction() as s:
            reset_template(s, self.key(), self.lang())
        self.load_words()

    def save_page(self) -> None:
        with self.db.transaction() as s:
            put_settings(s, {"letters.paper": self.paper.currentData(), "letters.window": self.window.currentData(),
                             "letters.signatory": self.signatory.text().strip(),
                             "letters.signatory_title": self.signatory_title.text().strip(),
                             "letters.attach_statement": "yes" if self.attach_statement.isChecked() else ""})
        tell(self, "Saved: the next letters use this paper and signature.")
