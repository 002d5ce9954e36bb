"""Cold start: a fresh `debtordesk gui` process on a 100k-invoice ledger, timed from launch until
the main window has painted the first screen (Today: totals, KPIs, charts) with its data and the process has exited,
against a fresh Python that only paints an empty QMainWindow of the same size."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

from bench.core import Context, Target

TITLE = "cold start to main window shown, 100k-invoice database"
TARGET = Target(ratio=2)

CUSTOMERS, INVOICES = 5_000, 100_000

BASELINE = """
import sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

app = QApplication(sys.argv[:1])
window = QMainWindow()
window.resize(1200, 700)


class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        if watched is window and event.type() == QEvent.Type.Paint:
            QTimer.singleShot(0, lambda: app.exit(0))
        return False


probe = FirstPaint()
window.installEventFilter(probe)
window.show()
sys.exit(app.exec())
"""


def _ledger(ctx: Context) -> Path:
    return ctx.work / f"start-{CUSTOMERS}-{INVOICES}-s1.sqlite3"


def _peak_file(ctx: Context, side: str) -> Path:
    return ctx.work / f"b_start-{side}-peak-kb"


_prepared: Context | None = None  # set in the harness's process, for NOTE


def prepare(ctx: Context) -> None:
    global _prepared
    _prepared = ctx
    path = _ledger(ctx)
    if path.exists():
        return
    # in a process of its own: Linux carries a process's peak memory over into the processes it
    # starts, so generating in the harness's process would inflate every later side's figure
    done = subprocess.run(
        [sys.executable, "-m", "bench.generate", str(path), "--customers", str(CUSTOMERS), "--invoices",
         str(INVOICES), "--seed", "1", "--today", ctx.today.isoformat()],
        stdout=sys.stderr, check=False)
    if done.returncode:
        raise RuntimeError(f"the {INVOICES:,}-invoice ledger could not be generated")


def _runner(ctx: Context, side: str, command: list[str]):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "XDG_CONFIG_HOME": str(ctx.work / "start-config")}  # no remembered page or geometry

    def run() -> None:
        subprocess.run(command, check=True, capture_output=True, env=env, timeout=300)
        # the largest child so far: the harness's own peak is this (timing) process's
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        _peak_file(ctx, side).write_text(str(peak_kb))

    return run


def ours(ctx: Context):
    command = [sys.executable, "-m", "debtordesk", "--db", str(_ledger(ctx)), "gui", "--quit-after-first-paint"]
    return _runner(ctx, "ours", command)


def baseline(ctx: Context):
    return _runner(ctx, "baseline", [sys.executable, "-c", BASELINE])


def __getattr__(name: str) -> str:
    """NOTE is read by the harness after the runs: it carries the peak memory of the measured
    processes, which each side wrote next to the ledger."""
    if name != "NOTE":
        raise AttributeError(name)
    peaks = []
    for side in ("ours", "baseline"):
        path = _peak_file(_prepared, side) if _prepared is not None else None
        peaks.append(f"{int(path.read_text()) / 1024:.0f} MB" if path and path.exists() else "not measured")
    return ("Wall time of a fresh `python -m debtordesk --db LEDGER gui --quit-after-first-paint` process "
            f"(offscreen Qt) on a generated {CUSTOMERS:,}-customer, {INVOICES:,}-invoice ledger, until "
            "the main window has painted the Aging screen with its report and the process has ended; "
            "the baseline is a fresh Python that imports PySide6.QtWidgets and paints an empty "
            "QMainWindow of the same size. Each run is a new interpreter (cold as far as Python goes, "
            "bytecode already compiled); the OS file cache is warm after the warm-up run. Peak memory "
            f"of the measured processes (the table shows the timing process's own): ours {peaks[0]}, "
            f"baseline {peaks[1]}.")
