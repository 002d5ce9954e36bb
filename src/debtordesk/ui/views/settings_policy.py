"""Settings ▸ Dunning: the levels of the policy, the minimum balance worth a letter, where reminders
resume after a broken payment plan."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from debtordesk.db.engine import Database
from debtordesk.domain.dunning import CHANNELS, DEFAULT_POLICY
from debtordesk.domain.problems import FieldErrors, sentence
from debtordesk.services.dunning import check_minimum, load_policy, policy_rows, save_policy
from debtordesk.services.plan_tracking import ON_BREACH
from debtordesk.services.settings import get_setting, put_settings
from debtordesk.ui.formatting import OVERDUE_COLOR
from debtordesk.ui.messages import tell

COLUMNS = [("name", "Level"), ("days_overdue", "Days overdue"),
           ("min_days_since_previous", "Days since last letter"), ("deadline_days", "Days to pay"), ("fee", "Fee"),
           ("channel", "Send by"), ("claims_interest", "Claims interest")]
TIPS = {
    "days_overdue": "The letter is proposed once the oldest unpaid invoice is this many days overdue",
    "min_days_since_previous": "At least this many days after the previous letter",
    "deadline_days": "The pay-by date printed in the letter: this many days after the letter's date",
    "fee": "A reminder fee added to what the letter claims (empty: none)",
    "claims_interest": "The letter claims statutory interest and compensation with its workings",
}


class PolicyEditor(QWidget):
    def __init__(self, db: Database, parent=None):
        super().__init__(parent)
        self.db = db
        layout = QVBoxLayout(self)
        intro = QLabel("Each run proposes the next level for every overdue customer, one step at a time. "
                       "Customers on hold and disputed invoices are left out.", self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels([label for _, label in COLUMNS])
        for c, (key, _) in enumerate(COLUMNS):
            if key in TIPS:
                self.table.horizontalHeaderItem(c).setToolTip(TIPS[key])
        self.table.verticalHeader().setVisible(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.add_button = QPushButton("Add level", self)
        self.add_button.clicked.connect(self.add_level)
        self.remove_button = QPushButton("Remove last level", self)
        self.remove_button.clicked.connect(self.remove_level)
        self.default_button = QPushButton("Back to the default policy", self)
        self.default_button.clicked.connect(lambda: self.show_rows(policy_rows(DEFAULT_POLICY)))
        for b in (self.add_button, self.remove_button, self.default_button):
            row.addWidget(b)
        row.addStretch(1)
        layout.addLayout(row)
        minimum = QHBoxLayout()
        minimum.addWidget(QLabel("Send no letter when the overdue amount is below", self))
        self.minimum = QLineEdit(self)
        self.minimum.setMaximumWidth(100)
        self.minimum.setAccessibleName("Minimum balance")
        minimum.addWidget(self.minimum)
        minimum.addWidget(QLabel("(in the invoices' currency)", self))
        minimum.addStretch(1)
        layout.addLayout(minimum)
        breach = QHBoxLayout()
        breach.addWidget(QLabel("When a payment plan is broken, reminders resume", self))
        self.on_breach = QComboBox(self)
        self.on_breach.setAccessibleName("When a payment plan is broken")
        for key, label in ON_BREACH.items():
            self.on_breach.addItem(label, key)
        self.on_breach.setToolTip("Where the reminders stopped: the letter after the last one sent before the plan. "
                                  "Final demand: the next letter is the final demand (once; then the policy goes on).")
        breach.addWidget(self.on_breach)
        breach.addStretch(1)
        layout.addLayout(breach)
        self.errors = QLabel(self)
        self.errors.setWordWrap(True)
        self.errors.setStyleSheet(f"color: {OVERDUE_COLOR.name()};")
        self.errors.hide()
        layout.addWidget(self.errors)
        save_row = QHBoxLayout()
        save_row.addStretch(1)
        self.save_button = QPushButton("Save policy", self)
        self.save_button.clicked.connect(self.save)
        save_row.addWidget(self.save_button)
        layout.addLayout(save_row)
        self.reload()

    def reload(self) -> None:
        with self.db.session() as s:
            self.show_rows(policy_rows(load_policy(s)))
            self.minimum.setText(get_setting(s, "dunning.minimum"))
            self.on_breach.setCurrentIndex(max(0, self.on_breach.findData(get_setting(s, "plans.on_breach"))))

    def show_rows(self, rows: list[dict]) -> None:
        self.table.setRowCount(0)
        for values in rows:
            self._append(values)
        self.errors.hide()

    def _append(self, values: dict) -> None:
        r = self.table.rowCount()
        self.table.insertRow(r)
        for c, (key, _) in enumerate(COLUMNS):
            if key == "channel":
                combo = QComboBox(self.table)
                for k, label in CHANNELS.items():
                    combo.addItem(label, k)
                combo.setCurrentIndex(max(0, combo.findData(values.get("channel", "letter"))))
                self.table.setCellWidget(r, c, combo)
            elif key == "claims_interest":
                box = QCheckBox(self.table)
                box.setChecked(bool(values.get("claims_interest")))
                box.setAccessibleName(f"Level {r + 1} claims interest")
                self.table.setCellWidget(r, c, box)
            else:
                item = QTableWidgetItem(str(values.get(key, "")))
                if key != "name":
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                item.setData(Qt.ItemDataRole.UserRole, values.get("key", ""))
                self.table.setItem(r, c, item)

    def rows(self) -> list[dict]:
        out = []
        for r in range(self.table.rowCount()):
            values: dict = {}
            for c, (key, _) in enumerate(COLUMNS):
                if key == "channel":
                    values[key] = self.table.cellWidget(r, c).currentData()
                elif key == "claims_interest":
                    values[key] = self.table.cellWidget(r, c).isChecked()
                else:
                    item = self.table.item(r, c)
                    values[key] = item.text() if item else ""
                    if key == "name" and item is not None:
                        values["key"] = item.data(Qt.ItemDataRole.UserRole) or ""
            out.append(values)
        return out

    def add_level(self) -> None:
        rows = self.rows()
        last = int(rows[-1]["days_overdue"]) + 14 if rows and rows[-1]["days_overdue"].isdigit() else 7
        self._append(dict(name=f"Level {len(rows) + 1}", days_overdue=str(last), min_days_since_previous="10",
                          deadline_days="14", fee="", channel="letter", claims_interest=True))

    def remove_level(self) -> None:
        if self.table.rowCount() > 1:
            self.table.removeRow(self.table.rowCount() - 1)

    def save(self) -> bool:
        try:
            minimum = check_minimum(self.minimum.text().strip())
            with self.db.transaction() as s:
                save_policy(s, self.rows())
                put_settings(s, {"dunning.minimum": minimum, "plans.on_breach": self.on_breach.currentData()})
        except FieldErrors as exc:
            self.errors.setText("\n".join(sentence(m) for m in exc.errors.values()))
            self.errors.show()
            return False
        self.errors.hide()
        tell(self, "The dunning policy is saved; the next run uses it.", QMessageBox.Icon.Information)
        return True
