"""Risk scores for a paged list of customers, worked out off the UI thread.

A list reads its rows a block at a time in SQL; the scores of those customers are asked for
(`want`) and worked out by services.risk on a worker, one job at a time: whatever is asked for
while a job runs goes into the next one. Until a customer's score arrives its cell shows "…";
`arrived` fires when scores come in, so the list can repaint the column. Only the most recent
KEEP scores are kept (a cell whose score was dropped asks for it again when it is painted).

Scores cannot be sorted by in SQL (each needs the customer's payment history worked out first),
so the column is not sortable.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from itertools import islice

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from debtordesk.db.engine import Database
from debtordesk.domain.risk import RiskScore
from debtordesk.services.risk import FILTER_LIMIT, risk_scores
from debtordesk.ui.workers import TaskRunner

PENDING = "…"


class RiskScores(QObject):
    arrived = Signal()

    KEEP = 5000
    BATCH_MS = 30  # asks made within this time go into one job
    DIALOG_AFTER_MS = 10_000  # a progress dialog only if a job is exceptionally slow

    def __init__(self, db: Database, today: date, parent: QWidget):
        super().__init__(parent)
        self.db, self.today = db, today
        self.scores: dict[int, RiskScore] = {}
        self.errors: dict[int, str] = {}
        self._wanted: set[int] = set()
        self._busy = False
        self._generation = 0
        self.tasks = TaskRunner(parent, delay_ms=self.DIALOG_AFTER_MS)
        self._timer = QTimer(self, singleShot=True, interval=self.BATCH_MS)
        self._timer.timeout.connect(self._start)

    # --- for the column -----------------------------------------------------------------------------

    def text(self, customer_id: int) -> str:
        score = self.scores.get(customer_id)
        if score is not None:
            return score.label
        if customer_id in self.errors:
            return "?"
        self.want([customer_id])
        return PENDING

    def tip(self, customer_id: int) -> str:
        score = self.scores.get(customer_id)
        if score is not None:
            return score.explanation()
        if customer_id in self.errors:
            return f"The risk score could not be worked out: {self.errors[customer_id]}"
        return "Working out the risk score…"

    def alert(self, customer_id: int) -> bool:
        score = self.scores.get(customer_id)
        return score is not None and score.grade in ("D", "E")

    # --- asking -------------------------------------------------------------------------------------

    def want(self, customer_ids: Iterable[int]) -> None:
        new = {i for i in customer_ids if i not in self.scores and i not in self.errors}
        if new - self._wanted:
            self._wanted |= new
            if not self._busy and not self._timer.isActive():
                self._timer.start()

    def clear(self) -> None:
        """Forget every score (the ledger changed); jobs under way are ignored when they end."""
        self._generation += 1
        self.scores.clear()
        self.errors.clear()
        self._wanted.clear()
        self._busy = False

    def busy(self) -> bool:
        return self._busy or self._timer.isActive() or bool(self._wanted)

    def _start(self) -> None:
        if self._busy or not self._wanted:
            return
        ids = sorted(self._wanted)[:FILTER_LIMIT]  # within the limit, the SQL reads only these customers
        self._wanted.difference_update(ids)
        self._busy = True
        db, today, generation = self.db, self.today, self._generation

        def job(_report, _should_cancel):
            with db.session() as s:
                return risk_scores(s, today, ids)

        def ended(scores: dict[int, RiskScore] | None, error: Exception | None = None) -> None:
            if generation != self._generation:
                return self._start()  # cleared meanwhile: the result is stale
            self._busy = False
            if error is not None:
                self.errors.update(dict.fromkeys(ids, str(error) or type(error).__name__))
            else:
                self.scores.update(scores or {})
                self.errors.update({i: "the customer no longer exists" for i in ids if i not in self.scores})
                extra = len(self.scores) - self.KEEP
                for key in list(islice(self.scores, max(0, extra))):
                    del self.scores[key]
            self.arrived.emit()
            self._start()

        self.tasks.run(job, label="Working out the risk scores…", on_success=ended,
                       on_error=lambda exc: ended(None, exc))
