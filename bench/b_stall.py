"""How long the UI thread stops answering while File ▸ Import ▸ Invoices runs on a large ledger.

One process, offscreen Qt: the main window is built on a fresh copy of the ledger and shown, its
own start-up jobs are let finish, then the menu's import job (`import_csv` in one transaction,
through `window.tasks.run`) is started on a 20,000-invoice CSV file while a 10 ms QTimer on the UI
thread records how late each tick comes. The figure is the longest lateness seen until the job's
success callback has run on the UI thread.
"""

from __future__ import annotations

import gc
import os
import random
import shutil
import sqlite3
import time
from datetime import timedelta
from pathlib import Path

from bench.core import Context, Measured, Target

TITLE = "longest UI-thread stall while 20,000 invoices are imported"
TARGET = Target(seconds=0.1)
ROWS = 20_000
TICK_MS = 10

NOTE = ("A 10 ms timer on the UI thread during File ▸ Import ▸ Invoices (the menu's job run through "
        "the window's TaskRunner, no file dialog) of 20,000 invoices into a copy of the whole ledger; "
        "the figure is the latest any tick came (time since the previous tick less 10 ms), from the "
        "start of the job until its success callback ran. The window's own start-up job (the aging "
        "report) is let finish first.")


def measured(seconds: float) -> Measured:
    return Measured(seconds)


def qt_offscreen(ctx: Context) -> None:
    """Before Qt starts: no screen, and settings of our own (the first screen is Aging)."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ["XDG_CONFIG_HOME"] = str(ctx.work / "stall-config")


class StallProbe:
    """A timer on the UI thread that records how late each of its ticks fires."""

    def __init__(self, interval_ms: int = TICK_MS):
        from PySide6.QtCore import Qt, QTimer

        self.interval = interval_ms / 1000
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self.lateness: list[tuple[float, float]] = []  # (seconds since start, lateness)

    def start(self) -> None:
        self.started = self.last = time.perf_counter()
        self.timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.lateness.append((now - self.started, now - self.last - self.interval))
        self.last = now

    def stop(self) -> float:
        """Stop; the longest lateness, counting the wait from the last tick until now."""
        self._tick()
        self.timer.stop()
        return max(late for _, late in self.lateness)


def wait_for_jobs(window) -> None:
    """Run the event loop until every job the window's TaskRunner was given has ended."""
    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QApplication

    from debtordesk.ui.workers import Task

    app = QApplication.instance()
    while any(not t.finished for t in window.tasks.findChildren(Task)):
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.005)
    app.processEvents()


def run_until(window, start_job) -> tuple[float, StallProbe]:
    """Start the probe, call `start_job(finished)`; run the event loop until `finished()` is
    called on the UI thread. Returns the longest lateness and the probe."""
    from PySide6.QtCore import QEventLoop

    loop = QEventLoop()
    probe = StallProbe()
    worst: list[float] = []

    def finished() -> None:
        worst.append(probe.stop())
        loop.quit()

    probe.start()
    start_job(finished)
    if not worst:
        loop.exec()
    return worst[0], probe


def write_invoices(ledger: Path, out: Path, today, rows: int = ROWS) -> None:
    """`rows` new invoices for the ledger's customers, in the import contract's columns."""
    con = sqlite3.connect(f"file:{ledger}?mode=ro", uri=True)
    refs = [r for (r,) in con.execute("SELECT ref FROM customer ORDER BY id")]
    con.close()
    rnd = random.Random(1)
    lines = ["number,customer_ref,issue_date,amount"]
    for i in range(1, rows + 1):
        issued = today - timedelta(days=rnd.randrange(60))
        minor = rnd.randrange(2_000, 2_000_000)
        lines.append(f"IMP-{i:06d},{rnd.choice(refs)},{issued.isoformat()},{minor // 100}.{minor % 100:02d}")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _csv(ctx: Context) -> Path:
    return ctx.work / f"stall-invoices-{ROWS}.csv"


def prepare(ctx: Context) -> None:
    if not _csv(ctx).exists():
        write_invoices(ctx.db, _csv(ctx), ctx.today)


def ours(ctx: Context):
    qt_offscreen(ctx)
    from debtordesk.db.engine import open_database
    from debtordesk.services.imports import import_csv
    from debtordesk.ui.app import make_app
    from debtordesk.ui.main_window import MainWindow

    make_app()
    path = _csv(ctx)
    copy = ctx.work / "stall-ledger.sqlite3"

    def before() -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(ctx.db, copy)

    def run() -> Measured:
        db = open_database(f"sqlite:///{copy}")
        window = MainWindow(db, ctx.today)
        window.show()
        gc.freeze()  # as run_gui does once the window is up
        wait_for_jobs(window)
        imported: list[int] = []

        def start(finished) -> None:
            def job(report, should_cancel):  # as FileMenu.import_file runs it
                with db.transaction() as session:
                    return import_csv(session, "invoices", path)

            def succeeded(result) -> None:
                imported.append(result.rows)
                finished()

            def failed(exc: Exception) -> None:
                finished()
                raise exc

            window.tasks.run(job, label=f"Importing invoices from {path.name}…", on_success=succeeded,
                             on_error=failed)

        worst, _ = run_until(window, start)
        window.close()
        window.deleteLater()
        db.dispose()
        if imported != [ROWS]:
            raise RuntimeError(f"the import did not write {ROWS} invoices: {imported}")
        return measured(worst)

    return before, run
