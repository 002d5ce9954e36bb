"""Settings ▸ Company: the business details printed on every letter, and the logo."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from debtordesk.db.engine import Database
from debtordesk.domain.problems import FieldErrors
from debtordesk.services.company import company_form, logo_path, save_company, set_logo
from debtordesk.ui.formatting import OVERDUE_COLOR
from debtordesk.ui.messages import tell
from debtordesk.ui.widgets.company_fields import BANK, BUSINESS, MONEY, CompanyFields


class CompanySettings(CompanyFields, QWidget):
    def __init__(self, db: Database, parent=None):
        super().__init__(parent)
        self.db = db
        self.inputs: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        grid = QGridLayout()
        grid.addWidget(self._group("Your business", BUSINESS), 0, 0)
        grid.addWidget(self._group("Bank details (printed on letters)", BANK), 0, 1)
        grid.addWidget(self._group("Currency and interest", MONEY), 1, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        logo_row = QHBoxLayout()
        logo_row.addWidget(QLabel("Logo on letters:", self))
        self.logo = QLineEdit(self)
        self.logo.setPlaceholderText("none (a PNG or JPEG file)")
        self.logo.setAccessibleName("Logo")
        logo_row.addWidget(self.logo, 1)
        choose = QPushButton("Choose…", self)
        choose.clicked.connect(self.choose_logo)
        logo_row.addWidget(choose)
        self.logo_error = QLabel(self)
        self.logo_error.setStyleSheet(f"color: {OVERDUE_COLOR.name()};")
        self.logo_error.hide()
        save_row = QHBoxLayout()
        save_row.addStretch(1)
        self.save_button = QPushButton("Save company details", self)
        self.save_button.clicked.connect(self.save)
        save_row.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addLayout(logo_row)
        layout.addWidget(self.logo_error)
        layout.addStretch(1)
        layout.addLayout(save_row)
        self.reload()

    def reload(self) -> None:
        with self.db.session() as s:
            self.set_values(company_form(s))
            self.logo.setText(logo_path(s))
        self.show_errors({})
        self.logo_error.hide()

    def choose_logo(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Logo for letters", self.logo.text(),
                                              "Pictures (*.png *.jpg *.jpeg)")
        if path:
            self.logo.setText(path)

    def save(self) -> bool:
        try:
            with self.db.transaction() as s:
                save_company(s, self.values())
                set_logo(s, self.logo.text())
        except FieldErrors as exc:
            self.show_errors(exc.errors)
            message = exc.errors.get("logo_path", "")
            self.logo_error.setText(message[:1].upper() + message[1:] + "." if message else "")
            self.logo_error.setVisible(bool(message))
            return False
        self.show_errors({})
        self.logo_error.hide()
        tell(self, "Your company details are saved; the next letters use them.")
        return True
