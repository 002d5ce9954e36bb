"""Choose a customer by typing part of the name or reference; the matches come from SQL.

With tens of thousands of customers a combo box holding them all would be slow to fill and
useless to scroll, so the picker asks the database for at most `LIMIT` matches of what is
typed (a short pause after the last key) and offers them in a completer popup. Each offer reads
"Name (REF)"; choosing one sets `customer_id()`. Typing anything else clears the choice, and
leaving the field with text that fits exactly one customer chooses that customer.
"""

from __future__ import annotations

from PySide6.QtCore import QStringListModel, Qt, QTimer, Signal
from PySide6.QtWidgets import QCompleter, QLineEdit

from debtordesk.db.engine import Database
from debtordesk.services.customers import customer_names


def customer_label(ref: str, name: str) -> str:
    return f"{name} ({ref})"


class CustomerPicker(QLineEdit):
    customer_changed = Signal(object)  # the chosen customer's id, or None when the choice is cleared

    LIMIT = 50
    DELAY_MS = 200

    def __init__(self, db: Database, parent=None):
        super().__init__(parent)
        self.db = db
        self._id: int | None = None
        self._label = ""
        self._offers: dict[str, tuple[int, str, str]] = {}  # label -> (id, ref, name)
        self.setPlaceholderText("Type part of the customer's name or reference")
        self.setClearButtonEnabled(True)
        self.setAccessibleName("Customer")
        self.offers = QStringListModel(self)
        completer = QCompleter(self.offers, self)
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setMaxVisibleItems(12)
        completer.activated[str].connect(self._choose_label)
        self.setCompleter(completer)
        self._timer = QTimer(self, singleShot=True, interval=self.DELAY_MS)
        self._timer.timeout.connect(self.search_now)
        self.textEdited.connect(self._edited)
        self.editingFinished.connect(self.resolve)

    # --- what the form reads and sets ----------------------------------------------------------

    def customer_id(self) -> int | None:
        return self._id

    def choose(self, customer_id: int) -> tuple[str, str]:
        """Set the customer by id (its reference and name read from the database); returns them."""
        from debtordesk.services.customers import ref_and_name

        with self.db.session() as s:
            ref, name = ref_and_name(s, customer_id)
        self.set_customer(customer_id, ref, name)
        return ref, name

    def set_customer(self, customer_id: int | None, ref: str = "", name: str = "") -> None:
        self._timer.stop()
        self._id = customer_id
        self._label = customer_label(ref, name) if customer_id is not None else ""
        self.setText(self._label)
        self.setCursorPosition(0)
        self.customer_changed.emit(customer_id)

    # --- typing and choosing -------------------------------------------------------------------

    def _edited(self, text: str) -> None:
        if text in self._offers:  # the completer wrote an offer into the field
            self._choose_label(text)
            return
        if self._id is not None:
            self._id, self._label = None, ""
            self.customer_changed.emit(None)
        if text.strip():
            self._timer.start()
        else:
            self._timer.stop()
            self.offers.setStringList([])

    def search_now(self) -> None:
        """Offer the customers matching the text typed so far."""
        self._timer.stop()
        text = self.text().strip()
        with self.db.session() as s:
            found = customer_names(s, text, self.LIMIT) if text else []
        self._offers = {customer_label(ref, name): (cid, ref, name) for cid, ref, name in found}
        self.offers.setStringList(list(self._offers))
        if found and self.hasFocus():
            self.completer().setCompletionPrefix(text)
            self.completer().complete()

    def _choose_label(self, label: str) -> None:
        offer = self._offers.get(label)
        if offer is not None:
            self.set_customer(*offer)

    def resolve(self) -> None:
        """Leaving the field: text that fits exactly one customer chooses it."""
        text = self.text().strip()
        if self._id is not None or not text:
            return
        if self._timer.isActive() or not self._offers:
            self.search_now()
        if text in self._offers:
            self._choose_label(text)
            return
        exact = [o for o in self._offers.values() if text.casefold() in (o[1].casefold(), o[2].casefold())]
        if len(exact) == 1:
            self.set_customer(*exact[0])
        elif len(self._offers) == 1:
            self.set_customer(*next(iter(self._offers.values())))
