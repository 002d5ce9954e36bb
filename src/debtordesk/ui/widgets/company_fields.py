"""The company profile's fields (name, address, bank details, currency, interest regime), with
each refusal shown under its field: shared by the first-run welcome and Settings ▸ Company."""

from __future__ import annotations

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from debtordesk.domain.company import COMMON_CURRENCIES, LABELS, LATE_PAYMENT_REGIMES

BUSINESS = ("name", "address", "email", "phone")
BANK = ("bank_name", "iban", "bic", "account_number", "sort_code")
MONEY = ("base_currency", "late_payment_regime")
HINTS = {
    "name": "Required",
    "email": "e.g. accounts@yourcompany.com",
    "iban": "e.g. GB29 NWBK 6016 1331 9268 19",
    "bic": "e.g. NWBKGB2L",
    "sort_code": "e.g. 60-16-13",
}


def error_colour(widget: QWidget) -> str:
    """A red that reads well on the current palette (light or dark)."""
    return "#ff7b72" if widget.palette().color(QPalette.ColorRole.Window).lightness() < 128 else "#b3261e"


class CompanyFields:
    """Mixed into a QWidget subclass that sets `self.inputs` and `self.errors` to empty dicts."""

    inputs: dict[str, QWidget]
    errors: dict[str, QLabel]

    # -- building ------------------------------------------------------------------------------

    def _group(self, title: str, keys: tuple[str, ...]) -> QGroupBox:
        box = QGroupBox(title, self)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for key in keys:
            field = self._input(key, box)
            error = QLabel(box)
            error.setWordWrap(True)
            error.setStyleSheet(f"color: {error_colour(self)};")
            error.setAccessibleName(f"{LABELS[key]} problem")
            error.hide()
            holder = QWidget(box)
            column = QVBoxLayout(holder)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(2)
            column.addWidget(field)
            column.addWidget(error)
            form.addRow(f"{LABELS[key]}:", holder)
            form.labelForField(holder).setBuddy(field)
            self.inputs[key], self.errors[key] = field, error
        return box

    def _input(self, key: str, parent: QWidget) -> QWidget:
        if key == "address":
            field = QPlainTextEdit(parent)
            field.setTabChangesFocus(True)
            field.setPlaceholderText("Street\nTown and postcode\nCountry")
            lines = field.fontMetrics().lineSpacing()
            field.setFixedHeight(lines * 4 + 2 * field.frameWidth() + 8)
            field.textChanged.connect(lambda: self._clear_error(key))
        elif key == "base_currency":
            field = QComboBox(parent)
            field.setEditable(True)
            field.addItems(COMMON_CURRENCIES)
            field.lineEdit().setMaxLength(3)
            field.setMaximumWidth(field.fontMetrics().horizontalAdvance("MMMM") * 2 + 40)
            field.setToolTip("The currency of your accounts. Type any other three-letter code, such as NZD.")
            field.editTextChanged.connect(lambda _text: self._clear_error(key))
        elif key == "late_payment_regime":
            field = QComboBox(parent)
            for code, text in LATE_PAYMENT_REGIMES.items():
                field.addItem(text, code)
            field.setToolTip("The law DebtorDesk follows when it works out interest on late payments.")
        else:
            field = QLineEdit(parent)
            field.setPlaceholderText(HINTS.get(key, ""))
            field.textChanged.connect(lambda _text: self._clear_error(key))
        field.setAccessibleName(LABELS[key])
        return field

    # -- values and errors ---------------------------------------------------------------------

    def set_values(self, values: dict[str, str]) -> None:
        for key, field in self.inputs.items():
            value = values.get(key, "")
            if isinstance(field, QPlainTextEdit):
                field.setPlainText(value)
            elif key == "late_payment_regime":
                field.setCurrentIndex(max(0, field.findData(value)))
            elif isinstance(field, QComboBox):
                field.setCurrentText(value)
            else:
                field.setText(value)

    def values(self) -> dict[str, str]:
        out = {}
        for key, field in self.inputs.items():
            if isinstance(field, QPlainTextEdit):
                out[key] = field.toPlainText()
            elif key == "late_payment_regime":
                out[key] = field.currentData()
            elif isinstance(field, QComboBox):
                out[key] = field.currentText().upper()
            else:
                out[key] = field.text()
        return out

    def show_errors(self, errors: dict[str, str]) -> None:
        for key, label in self.errors.items():
            label.setText(errors.get(key, ""))
            label.setVisible(key in errors)
        first = next((k for k in self.inputs if k in errors), None)
        if first is not None:
            self.inputs[first].setFocus()
        self._fit()

    def _clear_error(self, key: str) -> None:
        self.errors[key].hide()

    def _fit(self) -> None:
        """Room for the messages shown (a dialog grows to fit them)."""
