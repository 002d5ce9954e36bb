import threading
import time

import pytest
from PySide6.QtWidgets import QPushButton, QWidget

from debtordesk.domain.problems import UserError
from debtordesk.domain.progress import Cancelled, Progress
from debtordesk.ui.workers import TaskRunner


@pytest.fixture
def runner(qtbot):
    host = QWidget()
    qtbot.addWidget(host)
    runner = TaskRunner(host, delay_ms=50)
    yield runner
    assert runner.wait(10_000)  # no job may outlive its test


def test_result_arrives_on_the_ui_thread(qtbot, runner):
    seen = {}

    def job(report, should_cancel):
        seen["worker"] = threading.current_thread()
        report(Progress(1, 2, "half"))
        return 42

    def done(result):
        seen["result"] = result
        seen["ui"] = threading.current_thread()

    task = runner.run(job, label="Counting", on_success=done)
    with qtbot.waitSignal(task.done, timeout=5000):
        pass
    assert seen["result"] == 42 and task.outcome == "ok"
    assert seen["ui"] is threading.main_thread() and seen["worker"] is not threading.main_thread()
    assert task.dialog is None  # quick jobs never show a dialog


def test_slow_job_shows_progress_and_can_be_cancelled(qtbot, runner):
    cancelled = []

    def job(report, should_cancel):
        for i in range(1000):
            if should_cancel():
                raise Cancelled
            report(Progress(i, 1000, f"row {i}"))
            time.sleep(0.01)
        return "finished"

    task = runner.run(job, label="Importing", on_cancelled=lambda: cancelled.append(True))
    qtbot.waitUntil(lambda: task.dialog is not None and task.dialog.isVisible(), timeout=5000)
    qtbot.waitUntil(lambda: task.dialog.value() > 0, timeout=5000)
    assert task.dialog.maximum() == 1000 and "Importing" in task.dialog.labelText()
    task.dialog.findChild(QPushButton).click()  # the user presses Cancel
    with qtbot.waitSignal(task.done, timeout=5000):
        pass
    assert cancelled == [True] and task.outcome == "cancelled" and task.dialog is None


def test_errors_come_back_to_the_caller(qtbot, runner):
    errors = []

    def job(report, should_cancel):
        raise UserError("The file has 3 bad rows.")

    task = runner.run(job, label="Checking", on_error=errors.append)
    with qtbot.waitSignal(task.done, timeout=5000):
        pass
    assert [str(e) for e in errors] == ["The file has 3 bad rows."] and task.outcome == "error"


def test_jobs_run_one_at_a_time_in_order(qtbot, runner):
    order, active, overlap = [], [0], []

    def make(n):
        def job(report, should_cancel):
            active[0] += 1
            overlap.append(active[0])
            time.sleep(0.02)
            order.append(n)
            active[0] -= 1
            return n
        return job

    tasks = [runner.run(make(n), label=f"job {n}") for n in range(4)]
    qtbot.waitUntil(lambda: all(t.finished for t in tasks), timeout=5000)
    assert order == [0, 1, 2, 3] and max(overlap) == 1
