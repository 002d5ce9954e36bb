"""Which column of a bank's CSV export is which: the first rows as the file has them, and a choice
for each thing DebtorDesk needs (guessed from the header; a file with the same header next time
starts from the choices made this time)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from debtordesk.domain.csvformat import DATE_FORMATS, DELIMITERS, ENCODINGS, CsvFormat
from debtordesk.domain.problems import Rejected
from debtordesk.services.bank_csv import BankCsvMapping, CsvPreview, preview
from debtordesk.ui.widgets.form import FieldForm

NONE = "(none)"
COLUMN_FIELDS = (("date", "Booking date"), ("amount", "Amount (+ in, − out)"), ("credit", "Money in"),
                 ("debit", "Money out"), ("name", "Payer"), ("iban", "Payer's IBAN or account"),
                 ("text", "Payment text"), ("currency_column", "Currency column"))
CURRENCIES = ("EUR", "GBP", "USD", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK")


def _settings_key(header: list[str]) -> str:
    return "bank_csv/" + hashlib.sha1("\x1f".join(header).encode()).hexdigest()[:16]


def remembered(header: list[str], guess: BankCsvMapping) -> BankCsvMapping:
    """The choices made the last time a file with this header was read, else `guess`."""
    raw = QSettings().value(_settings_key(header), "")
    try:
        mapping = BankCsvMapping.from_json(json.loads(str(raw))) if raw else guess
    except (ValueError, TypeError, AttributeError):
        return guess
    return mapping if all(getattr(mapping, k) in ("", *header) for k, _ in COLUMN_FIELDS) else guess


class BankCsvDialog(QDialog):
    """`mapping()` after exec/accepted is the user's choice."""

    def __init__(self, path: Path, first: CsvPreview, parent=None):
        super().__init__(parent)
        self.path = Path(path)
        file_name = self.path.name
        self.setWindowTitle(f"Columns of {file_name}")
        layout = QVBoxLayout(self)
        intro = QLabel(f"{file_name} is a CSV file: say which column holds what. The first rows are shown as "
                       "the file has them. Amounts come from one column (money in positive) or from separate "
                       "money-in and money-out columns.", self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.table = QTableWidget(self)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setMinimumHeight(150)
        layout.addWidget(self.table, 1)

        columns_box, format_box = QGroupBox("Columns", self), QGroupBox("How the file is written", self)
        right, left = FieldForm(columns_box), FieldForm(format_box)
        self.forms = (right, left)
        self.delimiter = left.add("delimiter", "Columns separated by", QComboBox(self))
        for code, name in DELIMITERS.items():
            self.delimiter.addItem(name.capitalize(), code)
        self.decimal = left.add("decimal", "Decimal mark", QComboBox(self))
        self.decimal.addItem("Point (1,234.56)", False)
        self.decimal.addItem("Comma (1.234,56)", True)
        self.date_format = left.add("date_format", "Dates written", QComboBox(self))
        for code, (shown, example) in DATE_FORMATS.items():
            self.date_format.addItem(f"{shown} ({example})", code)
        self.encoding = left.add("encoding", "Characters", QComboBox(self))
        for code, name in ENCODINGS.items():
            self.encoding.addItem(name, code)
        self.currency = left.add("currency", "Currency", QComboBox(self),
                                 "The currency of the amounts, unless a column says it for each row")
        self.currency.setEditable(True)
        self.currency.addItems(CURRENCIES)
        self.columns: dict[str, QComboBox] = {}
        for key, label in COLUMN_FIELDS:
            self.columns[key] = right.add(key, label, QComboBox(self))
        row = QHBoxLayout()
        for box, form in ((columns_box, right), (format_box, left)):
            inner = QVBoxLayout(box)
            inner.addWidget(form)
            inner.addStretch(1)
            row.addWidget(box, 1)
        layout.addLayout(row)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Read the file")
        self.buttons.accepted.connect(self.check_and_accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.preview = first
        self._show(first, remembered(first.header, first.guess))
        self.delimiter.currentIndexChanged.connect(self._resplit)
        self.resize(980, 620)

    def _show(self, pv: CsvPreview, mapping: BankCsvMapping) -> None:
        self.preview = pv
        self.table.clear()
        self.table.setColumnCount(len(pv.header))
        self.table.setHorizontalHeaderLabels(pv.header)
        self.table.setRowCount(len(pv.rows))
        for r, values in enumerate(pv.rows):
            for c, value in enumerate(values[:len(pv.header)]):
                self.table.setItem(r, c, QTableWidgetItem(value))
        fmt = mapping.format
        self._select(self.delimiter, fmt.delimiter)
        self._select(self.decimal, fmt.decimal_comma)
        self._select(self.date_format, fmt.date_format)
        self._select(self.encoding, fmt.encoding)
        self.currency.setCurrentText(mapping.currency)
        for key, combo in self.columns.items():
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(NONE, "")
            for h in pv.header:
                combo.addItem(h, h)
            self._select(combo, getattr(mapping, key))
            combo.blockSignals(False)

    @staticmethod
    def _select(combo: QComboBox, value) -> None:
        at = combo.findData(value)
        combo.blockSignals(True)
        combo.setCurrentIndex(max(at, 0))
        combo.blockSignals(False)

    def _resplit(self) -> None:
        try:
            pv = preview(self.path, self.currency.currentText(), delimiter=self.delimiter.currentData())
        except Rejected as exc:
            self.show_errors({"delimiter": str(exc.problems[0].message)})
            return
        self.show_errors({})
        self._show(pv, replace(pv.guess, format=pv.guess.format.but(delimiter=self.delimiter.currentData())))

    def show_errors(self, errors: dict[str, str]) -> bool:
        """Each message under its field, in both halves of the form; True when there was any."""
        refused = False
        for form in self.forms:
            refused = form.show_errors({k: v for k, v in errors.items() if k in form.fields}, focus=not refused) \
                or refused
        return refused

    def mapping(self) -> BankCsvMapping:
        cols = {key: combo.currentData() or "" for key, combo in self.columns.items()}
        fmt = CsvFormat(encoding=self.encoding.currentData(), delimiter=self.delimiter.currentData(),
                        decimal_comma=bool(self.decimal.currentData()), date_format=self.date_format.currentData())
        return BankCsvMapping(fmt, currency=self.currency.currentText().strip().upper(), **cols)

    def check_and_accept(self) -> None:
        m = self.mapping()
        errors = {}
        if not m.date:
            errors["date"] = "choose the column with the booking date"
        if not m.amount and not (m.credit and m.debit):
            errors["amount"] = "choose the amount column, or both money in and money out"
        if m.amount and (m.credit or m.debit):
            errors["amount"] = "choose either one amount column or money in and money out, not both"
        if not m.currency_column and len(m.currency) != 3:
            errors["currency"] = "a currency is three letters, such as EUR or GBP"
        if self.show_errors(errors):
            return
        QSettings().setValue(_settings_key(self.preview.header), json.dumps(m.to_json()))
        self.accept()

