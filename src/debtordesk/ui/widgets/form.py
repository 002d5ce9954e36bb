"""A form whose refusals appear as a sentence right under the field they are about."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget

from debtordesk.domain.problems import sentence
from debtordesk.ui.formatting import OVERDUE_COLOR


class FieldForm(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.layout_ = QFormLayout(self)
        self.layout_.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.fields: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}

    def add(self, key: str, label: str, widget: QWidget, tip: str = "") -> QWidget:
        box = QWidget(self)
        lay = QVBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(widget)
        error = QLabel(box)
        error.setWordWrap(True)
        error.setStyleSheet(f"color: {OVERDUE_COLOR.name()};")
        error.setAccessibleName(f"{label} problem")
        error.hide()
        lay.addWidget(error)
        if tip:
            widget.setToolTip(tip)
        self.layout_.addRow(f"{label}:", box)
        self.layout_.labelForField(box).setBuddy(widget)
        self.fields[key], self.errors[key] = widget, error
        return widget

    def show_errors(self, errors: dict[str, str], focus: bool = True) -> bool:
        """Show each message under its field (others cleared); focus the first field refused.

        Returns whether any of this form's fields was refused."""
        first = None
        for key, label in self.errors.items():
            message = errors.get(key, "")
            label.setText(sentence(message))
            label.setVisible(bool(message))
            if message and first is None:
                first = self.fields[key]
        if first is not None and focus:
            first.setFocus()
        return first is not None

    def error_text(self, key: str) -> str:
        label = self.errors[key]
        return label.text() if label.isVisibleTo(self) else ""


def save_change(dialog: QWidget, db, form: FieldForm, title: str, change) -> bool:
    """Run `change(session)` in one transaction of `db`; a refusal is shown under its field (FieldErrors)
    or in a box titled `title` (any other UserError), and nothing is written. True when saved."""
    from PySide6.QtWidgets import QMessageBox

    from debtordesk.domain.problems import FieldErrors, UserError

    try:
        with db.transaction() as s:
            change(s)
    except FieldErrors as exc:
        form.show_errors(exc.errors)
        return False
    except UserError as exc:
        QMessageBox.warning(dialog, title, str(exc))
        return False
    form.show_errors({}, focus=False)
    return True
