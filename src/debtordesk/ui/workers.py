"""The one way to run long work: off the UI thread, one job at a time, with a progress dialog
that appears only if the job takes a while, a Cancel button, and the result or the error
delivered back on the UI thread.

The job is a plain function `fn(report, should_cancel) -> result` (see domain.progress); it must
open its own database session and never touch a widget.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from debtordesk.domain.problems import UserError
from debtordesk.domain.progress import Cancelled, Progress, Report, ShouldCancel

Job = Callable[[Report, ShouldCancel], Any]


class _Signals(QObject):
    progress = Signal(object)
    succeeded = Signal(object)
    failed = Signal(object)
    cancelled = Signal()


class _Runnable(QRunnable):
    def __init__(self, fn: Job, signals: _Signals, cancel: threading.Event):
        super().__init__()
        self.setAutoDelete(True)
        self._fn, self._signals, self._cancel = fn, signals, cancel

    def run(self) -> None:
        try:
            result = self._fn(self._signals.progress.emit, self._cancel.is_set)
        except Cancelled:
            self._signals.cancelled.emit()
        except Exception as exc:  # delivered to the UI thread, shown there
            self._signals.failed.emit(exc)
        else:
            self._signals.succeeded.emit(result)


class Task(QObject):
    """One submitted job. `done` fires once, on the UI thread, however the job ended."""

    done = Signal()

    def __init__(self, runner: TaskRunner, label: str, on_success, on_error, on_cancelled):
        super().__init__(runner)
        self.label = label
        self.finished = False
        self.outcome: str | None = None  # "ok", "error" or "cancelled"
        self._cancel = threading.Event()
        self._on_success, self._on_error, self._on_cancelled = on_success, on_error, on_cancelled
        self.signals = _Signals()
        self.signals.progress.connect(self._progress, Qt.ConnectionType.QueuedConnection)
        self.signals.succeeded.connect(self._succeeded, Qt.ConnectionType.QueuedConnection)
        self.signals.failed.connect(self._failed, Qt.ConnectionType.QueuedConnection)
        self.signals.cancelled.connect(self._cancelled, Qt.ConnectionType.QueuedConnection)
        self.dialog: QProgressDialog | None = None
        self._last = Progress(0)

    def cancel(self) -> None:
        self._cancel.set()
        if self.dialog is not None:
            self.dialog.setLabelText(f"{self.label}\nStopping…")

    def show_dialog(self, parent: QWidget | None) -> None:
        if self.finished or self.dialog is not None:
            return
        if parent is not None and not shiboken6.isValid(parent):
            return  # the screen was closed before the delay was up
        dialog = QProgressDialog(self.label, "Cancel", 0, 0, parent)
        dialog.setWindowTitle("Please wait")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setMinimumDuration(0)
        dialog.canceled.connect(self.cancel)
        self.dialog = dialog
        self._progress(self._last)
        dialog.show()

    def _progress(self, progress: Progress) -> None:
        self._last = progress
        dialog = self.dialog
        if dialog is None:
            return
        if progress.text:
            dialog.setLabelText(f"{self.label}\n{progress.text}")
        # last: a modal progress dialog's setValue handles events, so the job may finish (and this
        # task let its dialog go) inside it
        if progress.total:
            dialog.setMaximum(progress.total)
            dialog.setValue(min(progress.done, progress.total))
        else:
            dialog.setMaximum(0)  # busy indicator

    def _finish(self, outcome: str) -> None:
        self.finished = True
        self.outcome = outcome
        if self.dialog is not None:
            self.dialog.canceled.disconnect(self.cancel)
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None

    def _succeeded(self, result) -> None:
        self._finish("ok")
        if self._on_success is not None:
            self._on_success(result)
        self.done.emit()

    def _failed(self, exc: Exception) -> None:
        self._finish("error")
        self._on_error(exc)
        self.done.emit()

    def _cancelled(self) -> None:
        self._finish("cancelled")
        if self._on_cancelled is not None:
            self._on_cancelled()
        self.done.emit()


class TaskRunner(QObject):
    """Runs jobs one after another on a single worker thread."""

    def __init__(self, parent: QWidget, delay_ms: int = 400):
        super().__init__(parent)
        self._widget = parent
        self.delay_ms = delay_ms
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        # error handling the window adds: `intercept(exc)` handles an error itself (True if it did),
        # `explain(exc)` turns a database error into a sentence (None if it has none)
        self.intercept: Callable[[Exception], bool] | None = None
        self.explain: Callable[[Exception], str | None] | None = None

    def run(
        self,
        fn: Job,
        *,
        label: str,
        on_success: Callable[[Any], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
        on_cancelled: Callable[[], None] | None = None,
    ) -> Task:
        task = Task(self, label, on_success, on_error or self.show_error, on_cancelled)
        QTimer.singleShot(self.delay_ms, lambda: task.show_dialog(self._widget))
        self._pool.start(_Runnable(fn, task.signals, task._cancel))
        return task

    def show_error(self, exc: Exception) -> None:
        if self.intercept is not None and self.intercept(exc):
            return
        plain = self.explain(exc) if self.explain is not None else None
        if isinstance(exc, UserError) or plain:
            QMessageBox.warning(self._widget, "DebtorDesk", plain or str(exc))
        else:
            QMessageBox.critical(
                self._widget, "DebtorDesk",
                f"Something went wrong and nothing was changed.\n\n{type(exc).__name__}: {exc}",
            )

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until the worker is idle (for shutting down)."""
        return self._pool.waitForDone(msecs)
