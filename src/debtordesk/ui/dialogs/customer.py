"""The customer form: create or edit a customer; each refusal appears under its field."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from debtordesk.db.engine import Database
from debtordesk.domain.customers import LABELS, MAX_TERMS_DAYS
from debtordesk.domain.interest import REGIMES as INTEREST_REGIMES
from debtordesk.domain.problems import FieldErrors, UserError
from debtordesk.services.company import base_currency
from debtordesk.services.customers import CustomerForm, blank_form, read_form, save_customer
from debtordesk.ui.widgets.form import FieldForm

LANGUAGES = [("en", "English"), ("de", "German"), ("fr", "French"), ("es", "Spanish"), ("it", "Italian"),
             ("nl", "Dutch"), ("el", "Greek"), ("bg", "Bulgarian"), ("pl", "Polish")]


class CustomerDialog(QDialog):
    def __init__(self, db: Database, customer_id: int | None = None, parent=None):
        super().__init__(parent)
        self.db = db
        with db.session() as s:
            self.form: CustomerForm = blank_form() if customer_id is None else read_form(s, customer_id)
            self.currency = base_currency(s)
        self.saved_id: int | None = None
        v = self.form.values
        self.setWindowTitle("New customer" if customer_id is None else f"Customer {v['ref']} — {v['name']}")

        left, right = FieldForm(self), FieldForm(self)
        self.forms = (left, right)
        self.inputs: dict[str, QWidget] = {}
        for key in ("ref", "name", "contact_person", "email", "phone"):
            self.inputs[key] = left.add(key, LABELS[key], QLineEdit(v[key], self))
        kind = QComboBox(self)
        kind.addItem("Business", "business")
        kind.addItem("Consumer", "consumer")
        kind.setCurrentIndex(max(0, kind.findData(v["kind"])))
        self.inputs["kind"] = left.add("kind", LABELS["kind"], kind,
                                       "Consumers and businesses get different late-payment rules.")
        language = QComboBox(self)
        language.setEditable(True)
        for code, name in LANGUAGES:
            language.addItem(f"{name} ({code})", code)
        at = language.findData(v["language"])
        if at >= 0:
            language.setCurrentIndex(at)
        else:
            language.setEditText(v["language"])
        self.inputs["language"] = left.add("language", "Letters in", language)
        for key in ("address_line1", "address_line2", "postcode", "city"):
            self.inputs[key] = right.add(key, LABELS[key], QLineEdit(v[key], self))
        country = QLineEdit(v["country"], self)
        country.setPlaceholderText("two letters, e.g. GB")
        self.inputs["country"] = right.add("country", LABELS["country"], country)
        terms = QSpinBox(self)
        terms.setRange(0, MAX_TERMS_DAYS)
        terms.setSuffix(" days")
        terms.setValue(int(v["terms_days"] or 30))
        self.inputs["terms_days"] = right.add("terms_days", LABELS["terms_days"], terms,
                                              "Days after the invoice date by which payment is due.")
        limit = QLineEdit(v["credit_limit"], self)
        limit.setPlaceholderText(f"no limit ({self.currency})")
        self.inputs["credit_limit"] = right.add("credit_limit", f"{LABELS['credit_limit']} ({self.currency})",
                                                limit, "Leave empty for no limit.")
        regime = QComboBox(self)
        regime.addItem("As the company (Settings)", "")
        for code, text in INTEREST_REGIMES.items():
            regime.addItem(text, code)
        regime.setCurrentIndex(max(0, regime.findData(v["late_payment_regime"])))
        self.inputs["late_payment_regime"] = right.add(
            "late_payment_regime", LABELS["late_payment_regime"], regime,
            "The law (or contract) under which final demands claim interest from this customer.")
        rate = QLineEdit(v["contract_rate"], self)
        rate.setPlaceholderText("% a year, only for a contract rate")
        self.inputs["contract_rate"] = right.add("contract_rate", LABELS["contract_rate"], rate)
        discount = QLineEdit(v.get("discount_percent", ""), self)
        discount.setPlaceholderText("none, or e.g. 2 (%)")
        self.inputs["discount_percent"] = right.add(
            "discount_percent", f"{LABELS['discount_percent']} (%)", discount,
            "Offered on new invoices: this percentage off when paid within the days below.")
        window = QLineEdit(v.get("discount_days", ""), self)
        window.setPlaceholderText("days after the invoice date, e.g. 10")
        self.inputs["discount_days"] = right.add("discount_days", f"{LABELS['discount_days']} (days)", window)
        owner = QLineEdit(v.get("owner", ""), self)
        owner.setPlaceholderText("nobody in particular")
        self.inputs["owner"] = right.add("owner", LABELS["owner"], owner,
                                         "Who chases this account (a name or initials); the work on the Today "
                                         "screen can be shown for one owner.")
        notes_form = FieldForm(self)
        notes = QPlainTextEdit(v["notes"], self)
        notes.setFixedHeight(70)
        self.inputs["notes"] = notes_form.add("notes", LABELS["notes"], notes)
        self.forms = (left, right, notes_form)

        columns = QHBoxLayout()
        columns.addWidget(left, 1)
        columns.addSpacing(16)
        columns.addWidget(right, 1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(columns)
        layout.addWidget(notes_form)
        layout.addWidget(self.buttons)
        self.resize(760, self.sizeHint().height())

    def values(self) -> dict[str, str]:
        out = {}
        for key, widget in self.inputs.items():
            if isinstance(widget, QLineEdit):
                out[key] = widget.text()
            elif isinstance(widget, QPlainTextEdit):
                out[key] = widget.toPlainText()
            elif isinstance(widget, QSpinBox):
                out[key] = str(widget.value())
            elif key == "language":
                data = widget.currentData()
                out[key] = data if data and widget.currentText() == widget.itemText(widget.currentIndex()) \
                    else widget.currentText()
            else:
                out[key] = widget.currentData()
        return out

    def error_text(self, key: str) -> str:
        for form in self.forms:
            if key in form.errors:
                return form.error_text(key)
        raise KeyError(key)

    def save(self) -> None:
        self.form.values = self.values()
        try:
            with self.db.transaction() as s:
                self.saved_id = save_customer(s, self.form).id
        except FieldErrors as exc:
            focused = False
            for form in self.forms:
                focused = form.show_errors(exc.errors, focus=not focused) or focused
            self.resize(self.width(), max(self.height(), self.sizeHint().height()))  # room for the messages
            return
        except UserError as exc:
            QMessageBox.warning(self, "Customer not saved", str(exc))
            return
        self.accept()


def edit_customer(parent, db: Database, customer_id: int | None = None) -> int | None:
    """Open the form modally; the id of the customer saved, or None when cancelled."""
    dialog = CustomerDialog(db, customer_id, parent)
    return dialog.saved_id if dialog.exec() == QDialog.DialogCode.Accepted else None
