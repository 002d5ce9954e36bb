"""The Settings screen: company details, dunning policy, letters, interest rates, e-mail, backups, database."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from debtordesk.db.engine import Database
from debtordesk.domain.problems import FieldErrors, UserError, sentence
from debtordesk.services.rates import TABLE_LABELS, add_rate, delete_rate, list_rates, shipped_table
from debtordesk.ui.formatting import OVERDUE_COLOR, day
from debtordesk.ui.messages import tell
from debtordesk.ui.widgets.dates import date_edit, picked


class RatesEditor(QWidget):
    """The reference rates interest is worked out from; newer rates can be added here."""

    def __init__(self, db: Database, today: date, parent=None):
        super().__init__(parent)
        self.db = db
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel("Rate table:", self))
        self.table_key = QComboBox(self)
        for key, label in TABLE_LABELS.items():
            self.table_key.addItem(label, key)
        self.table_key.currentIndexChanged.connect(lambda _i: self.reload())
        top.addWidget(self.table_key, 1)
        layout.addLayout(top)
        self.source = QLabel(self)
        self.source.setWordWrap(True)
        self.source.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.source)
        self.table = QTableWidget(0, 4, self)
        self.table.setHorizontalHeaderLabels(["In force from", "Rate", "Where from", "Note"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        add = QHBoxLayout()
        add.addWidget(QLabel("New rate from", self))
        self.new_date = date_edit(self, today, "New rate from")
        add.addWidget(self.new_date)
        self.new_rate = QLineEdit(self)
        self.new_rate.setPlaceholderText("% a year, e.g. 3.75")
        self.new_rate.setAccessibleName("Rate")
        self.new_rate.setMaximumWidth(140)
        add.addWidget(self.new_rate)
        self.new_note = QLineEdit(self)
        self.new_note.setPlaceholderText("note (e.g. where you read it)")
        add.addWidget(self.new_note, 1)
        self.add_button = QPushButton("Add rate", self)
        self.add_button.clicked.connect(self.add)
        add.addWidget(self.add_button)
        self.delete_button = QPushButton("Delete added rate", self)
        self.delete_button.clicked.connect(self.delete)
        add.addWidget(self.delete_button)
        layout.addLayout(add)
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {OVERDUE_COLOR.name()};")
        self.error.hide()
        layout.addWidget(self.error)
        self.rows: list = []
        self.reload()

    def key(self) -> str:
        return self.table_key.currentData()

    def reload(self) -> None:
        with self.db.session() as s:
            self.rows = list_rates(s, self.key())
        self.source.setText(f"Source: {shipped_table(self.key()).source}. Rates you add are used from their date; "
                            "one you add on a shipped date replaces the shipped rate.")
        self.table.setRowCount(len(self.rows))
        for r, (when, rate, origin, note) in enumerate(reversed(self.rows)):
            for c, text in enumerate((day(when), f"{rate:.2f} %", "shipped" if origin == "shipped" else "added by you",
                                      note)):
                item = QTableWidgetItem(text)
                if c == 1:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()

    def add(self) -> None:
        try:
            with self.db.transaction() as s:
                add_rate(s, self.key(), picked(self.new_date), self.new_rate.text(), self.new_note.text())
        except FieldErrors as exc:
            self.error.setText("\n".join(sentence(m) for m in exc.errors.values()))
            self.error.show()
            return
        except UserError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        self.error.hide()
        self.new_rate.clear()
        self.new_note.clear()
        self.reload()

    def delete(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            tell(self, "Choose the rate to delete first.")
            return
        when, rate, origin, _ = list(reversed(self.rows))[rows[0].row()]
        try:
            with self.db.transaction() as s:
                delete_rate(s, self.key(), when)
        except UserError as exc:
            tell(self, str(exc), QMessageBox.Icon.Warning)
            return
        self.reload()


class EmailSettings(QWidget):
    def __init__(self, db: Database, parent=None):
        super().__init__(parent)
        self.db = db
        layout = QVBoxLayout(self)
        text = QLabel("Letters whose level is sent by e-mail go out through your mail server, with the letter "
                      "attached as a PDF. The password is kept in this computer's password store, never in the "
                      "database.", self)
        text.setWordWrap(True)
        layout.addWidget(text)
        self.button = QPushButton("Mail server…", self)
        self.button.clicked.connect(self.edit)
        row = QHBoxLayout()
        row.addWidget(self.button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(1)

    def edit(self) -> None:
        from debtordesk.ui.dialogs.mail_settings import MailSettingsDialog

        MailSettingsDialog(self.db, self).exec()


class SettingsView(QWidget):
    def __init__(self, db: Database, today: date, parent=None):
        super().__init__(parent)
        self.db, self.today = db, today
        self.loaded = False
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget(self)
        layout.addWidget(self.tabs)

    def ensure_loaded(self) -> None:
        if self.loaded:
            return
        self.loaded = True
        # the letter tools (templates, reportlab) load when Settings is first opened, not at start-up
        from debtordesk.ui.views.settings_backups import BackupSettings
        from debtordesk.ui.views.settings_company import CompanySettings
        from debtordesk.ui.views.settings_database import DatabaseSettings
        from debtordesk.ui.views.settings_letters import LetterSettings
        from debtordesk.ui.views.settings_policy import PolicyEditor

        self.company = CompanySettings(self.db, self)
        self.policy = PolicyEditor(self.db, self)
        self.letters = LetterSettings(self.db, self)
        self.rates = RatesEditor(self.db, self.today, self)
        self.email = EmailSettings(self.db, self)
        self.backups = BackupSettings(self.db, self)
        self.database = DatabaseSettings(self.db, self)
        self.tabs.addTab(self.company, "Company")
        self.tabs.addTab(self.policy, "Dunning")
        self.tabs.addTab(self.letters, "Letters")
        self.tabs.addTab(self.rates, "Interest rates")
        self.tabs.addTab(self.email, "E-mail")
        self.tabs.addTab(self.backups, "Backups")
        self.tabs.addTab(self.database, "Database")

    def refresh(self) -> None:
        if self.loaded:
            self.company.reload()
            self.policy.reload()
            self.letters.reload()
            self.rates.reload()
            self.backups.reload()
            if self.database.loaded:
                self.database.reload()
