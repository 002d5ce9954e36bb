"""The Today screen's work box: what waits to be done this week, each item one click from its action —
follow-ups due (log the call, tick it off), promises due today or broken, plan instalments due,
reminder letters proposed — filtered by the account owner."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QWidget,
)

from debtordesk.ui.formatting import OVERDUE_COLOR, day, money

INSTALMENT_DAYS = 7  # "due this week": today and the six days after it (and any still late)
ALL_OWNERS = "\x00all"
NO_OWNER = ""
ROLE = Qt.ItemDataRole.UserRole


def instalment_line(d, today: date) -> str:
    """'Alder & Co — PP-0001 instalment 2: £300.00 due Tue 1 Dec 2026' (late ones say so)."""
    which = "down payment" if d.number == 0 else f"instalment {d.number}"
    when = (f"was due {day(d.due)}, late" if d.due < today else "due today" if d.due == today
            else f"due {d.due:%a} {day(d.due)}")
    part = " (part-paid)" if d.status == "part-paid" else ""
    return f"{d.name} — {d.reference} {which}: {money(d.left_minor, d.currency)} {when}{part}"


def follow_up_line(f, today: date) -> str:
    when = "today" if f.due == today else f"since {day(f.due)}"
    note = " ".join(f.note.split())
    if len(note) > 70:
        note = note[:69] + "…"
    return f"{f.name} — follow up {when}" + (f": {note}" if note else "")


def promise_line(p) -> str:
    what = f"{money(p.amount_minor, p.currency)} by {day(p.due)}"
    if p.status == "broken":
        came = f"{money(p.received_minor, p.currency)} came in" if p.received_minor else "nothing came in"
        return f"{p.name} — promised {what}: broken ({came})"
    grace = f", grace until {day(p.deadline)}" if p.deadline > p.due else ""
    return f"{p.name} — promised {what}: due{grace}"


class WorklistBox(QGroupBox):
    page_requested = Signal(str)
    plan_requested = Signal(int)
    customer_requested = Signal(int)
    log_call_requested = Signal(int)
    follow_up_done = Signal(int)  # an activity id

    def __init__(self, parent=None):
        super().__init__("Waiting for you", parent)
        self.today: date | None = None
        self.data = None
        grid = QGridLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel("Accounts of:", self))
        self.owner = QComboBox(self)
        self.owner.setAccessibleName("Account owner")
        self.owner.setToolTip("Show the work on every account, or on the accounts one person chases")
        self.owner.addItem("Everyone", ALL_OWNERS)
        self.owner.currentIndexChanged.connect(lambda _i: self.show_data())
        top.addWidget(self.owner)
        top.addStretch(1)
        grid.addLayout(top, 0, 0, 1, 2)

        self.letters_label = QLabel("Working out the reminders due…", self)
        open_dunning = QPushButton("Open Dunning", self)
        open_dunning.clicked.connect(lambda: self.page_requested.emit("Dunning"))
        grid.addWidget(self.letters_label, 1, 0)
        grid.addWidget(open_dunning, 1, 1)

        grid.setColumnStretch(0, 1)  # the sentences take the width, the buttons what they need
        grid.setColumnStretch(1, 0)
        self.accounts_label, self.accounts = self._section(grid, 8, "Accounts to chase first",
                                                           "Double-click to open the customer; the tooltip explains "
                                                           "the risk grade")
        order = QWidget(self)
        ol = QHBoxLayout(order)
        ol.setContentsMargins(0, 0, 0, 0)
        self.ordering = QComboBox(order)
        self.ordering.setAccessibleName("Order of the accounts to chase")
        for key, text in (("priority", "Amount, age and risk"), ("recent", "Recently overdue first")):
            self.ordering.addItem(text, key)
        self.ordering.setToolTip("Amount, age and risk: overdue × (1 + risk/100) × (1 + days overdue/180), the "
                                 "largest first. Recently overdue first: the freshest debts first — they are the "
                                 "easiest to collect (docs/collections.md).")
        self.ordering.currentIndexChanged.connect(lambda _i: self.show_accounts())
        self.account_call = QPushButton("Log a call…", order)
        self.account_call.clicked.connect(self._log_account_call)
        ol.addWidget(self.ordering, 1)
        ol.addWidget(self.account_call)
        grid.addWidget(order, 8, 1)
        self.accounts.itemActivated.connect(lambda item: self.customer_requested.emit(item.data(ROLE)))
        self.account_items: list | None = None

        self.follow_label, self.follow_ups = self._section(grid, 2, "Follow-ups due",
                                                           "Double-click to open the customer")
        actions = QWidget(self)
        al = QHBoxLayout(actions)
        al.setContentsMargins(0, 0, 0, 0)
        self.call_button = QPushButton("Log a call…", actions)
        self.done_button = QPushButton("Done", actions)
        self.done_button.setToolTip("Tick the chosen follow-up off")
        al.addWidget(self.call_button)
        al.addWidget(self.done_button)
        grid.addWidget(actions, 2, 1)
        self.call_button.clicked.connect(self._log_call)
        self.done_button.clicked.connect(self._done)
        self.follow_ups.itemActivated.connect(lambda item: self.customer_requested.emit(item.data(ROLE)[0]))
        self.follow_ups.itemSelectionChanged.connect(self._sync)

        self.promise_label, self.promises = self._section(grid, 4, "Promises to pay due today or broken",
                                                          "Double-click to open the customer")
        self.promises.itemActivated.connect(lambda item: self.customer_requested.emit(item.data(ROLE)))

        self.instalments_label, self.instalments = self._section(grid, 6, "Instalments due this week",
                                                                 "Double-click to open the plan")
        open_plans = QPushButton("Open Payment plans", self)
        open_plans.clicked.connect(lambda: self.page_requested.emit("Payment plans"))
        grid.addWidget(open_plans, 6, 1)
        self.instalments.itemActivated.connect(lambda item: self.plan_requested.emit(item.data(ROLE)[0]))
        self._sync()

    def _section(self, grid: QGridLayout, row: int, title: str, tip: str) -> tuple[QLabel, QListWidget]:
        label = QLabel(f"{title}: working them out…", self)
        label.setWordWrap(True)
        grid.addWidget(label, row, 0)
        items = QListWidget(self)
        items.setAccessibleName(title)
        items.setToolTip(tip)
        items.hide()
        grid.addWidget(items, row + 1, 0, 1, 2)
        return label, items

    # --- filling ---------------------------------------------------------------------------------------
    def set_data(self, data, today: date) -> None:
        self.data, self.today = data, today
        owners = sorted({o for o in data.owners.values() if o})
        have = [self.owner.itemData(i) for i in range(1, self.owner.count())]
        if have != owners + [NO_OWNER] * bool(owners):
            chosen = self.owner.currentData()
            self.owner.blockSignals(True)
            while self.owner.count() > 1:
                self.owner.removeItem(1)
            for o in owners:
                self.owner.addItem(o, o)
            if owners:
                self.owner.addItem("Nobody in particular", NO_OWNER)
            self.owner.setCurrentIndex(max(0, self.owner.findData(chosen)))
            self.owner.blockSignals(False)
        self.show_data()

    def _mine(self, customer_id: int) -> bool:
        wanted = self.owner.currentData()
        return wanted == ALL_OWNERS or self.data.owners.get(customer_id, "") == wanted

    def _fill(self, widget: QListWidget, entries: list[tuple[str, object, bool]]) -> None:
        widget.clear()
        for text, key, late in entries:
            item = QListWidgetItem(text)
            item.setData(ROLE, key)
            if late:
                item.setForeground(OVERDUE_COLOR)
            widget.addItem(item)
        widget.setVisible(bool(entries))
        if entries:
            widget.setFixedHeight(widget.sizeHintForRow(0) * min(len(entries), 5) + 6)

    def show_data(self) -> None:
        data, today = self.data, self.today
        if data is None:
            return
        follow = [(follow_up_line(f, today), (f.customer_id, f.activity_id), f.due < today)
                  for f in data.follow_ups if self._mine(f.customer_id)]
        self._fill(self.follow_ups, follow)
        self.follow_label.setText(f"Follow-ups due: {len(follow)}." if follow else "Follow-ups due: none.")
        promises = [(promise_line(p), p.customer_id, p.status == "broken")
                    for p in data.promises if self._mine(p.customer_id)]
        self._fill(self.promises, promises)
        broken = sum(1 for p in data.promises if p.status == "broken" and self._mine(p.customer_id))
        self.promise_label.setText(
            (f"Promises to pay: {len(promises) - broken} due, {broken} broken in the last week."
             if promises else "Promises to pay due today or broken: none.")
            + (f" Broken since the last look: {len(data.broken_promises)} (in the customers' activity)."
               if data.broken_promises else ""))
        rows = [(instalment_line(d, today), (d.plan_id, d.customer_id), d.due < today)
                for d in data.instalments if self._mine(d.customer_id)]
        self._fill(self.instalments, rows)
        self.show_accounts()
        end = day(today + timedelta(days=INSTALMENT_DAYS - 1))
        text = (f"Instalments due this week: {len(rows)} (to {end})." if rows else "Instalments due this week: none.")
        if data.breaches:
            text += f" Broken since the last look: {', '.join(b.reference for b in data.breaches)} " \
                    "(recorded in the customers' activity)."
        self.instalments_label.setText(text)
        self._sync()

    def set_accounts(self, items: list) -> None:
        """The overdue debts with their risk (services.risk.WorkItem), as the worklist service gives them."""
        self.account_items = items
        self.show_accounts()

    def show_accounts(self, top: int = 10) -> None:
        from debtordesk.domain.money import to_decimal
        from debtordesk.domain.risk import priority

        if self.account_items is None or self.data is None:
            return
        ordering = self.ordering.currentData()
        mine = [w for w in self.account_items if self._mine(w.customer_id)]
        mine.sort(key=lambda w: (priority(to_decimal(w.overdue_minor, w.currency), w.oldest_overdue_days, w.score,
                                          ordering), w.name), reverse=True)
        self.accounts.clear()
        for w in mine[:top]:
            item = QListWidgetItem(f"{w.name} — {money(w.overdue_minor, w.currency)} overdue, the oldest "
                                   f"{w.oldest_overdue_days} days; risk {w.grade} {w.score}")
            item.setData(ROLE, w.customer_id)
            item.setToolTip("\n".join(w.reasons))
            if w.grade in ("D", "E"):
                item.setForeground(OVERDUE_COLOR)
            self.accounts.addItem(item)
        self.accounts.setVisible(bool(mine))
        if mine:
            self.accounts.setFixedHeight(self.accounts.sizeHintForRow(0) * min(len(mine), top) + 6)
        self.accounts_label.setText(f"Accounts to chase first: the top {min(top, len(mine))} of {len(mine)}."
                                    if mine else "Accounts to chase first: nothing is overdue.")

    def _log_account_call(self) -> None:
        items = self.accounts.selectedItems()
        if items:
            self.log_call_requested.emit(items[0].data(ROLE))

    def set_letters(self, count: int) -> None:
        self.letters_label.setText(f"{count} reminder letter{'s are' if count != 1 else ' is'} due today."
                                   if count else "No reminder letters are due today.")

    # --- actions -----------------------------------------------------------------------------------------
    def _chosen_follow_up(self):
        items = self.follow_ups.selectedItems()
        return items[0].data(ROLE) if items else None

    def _sync(self) -> None:
        chosen = self._chosen_follow_up()
        self.call_button.setEnabled(chosen is not None)
        self.done_button.setEnabled(chosen is not None)

    def _log_call(self) -> None:
        chosen = self._chosen_follow_up()
        if chosen is not None:
            self.log_call_requested.emit(chosen[0])

    def _done(self) -> None:
        chosen = self._chosen_follow_up()
        if chosen is not None:
            self.follow_up_done.emit(chosen[1])
