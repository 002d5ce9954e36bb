"""How long the UI thread stops answering while the Aging screen works out its report on the
whole ledger and shows it (`window.aging_view.load(window.tasks)`, what F5 runs), measured like
b_stall: a 10 ms QTimer on the UI thread, the longest lateness of a tick."""

from __future__ import annotations

import gc

from bench.b_stall import measured, qt_offscreen, run_until, wait_for_jobs
from bench.core import Context, Measured, Target

TITLE = "longest UI-thread stall while the Aging screen reloads (whole ledger)"
TARGET = Target(seconds=0.1)

NOTE = ("A 10 ms timer on the UI thread while the Aging screen reloads its report (worked out on the "
        "worker thread) and shows it; the figure is the latest any tick came, from the start of the "
        "job until the window has painted the new report. The window's own first load is let finish "
        "first. The ledger is only read.")


def ours(ctx: Context):
    qt_offscreen(ctx)
    from PySide6.QtCore import QEvent, QObject, QTimer

    from debtordesk.db.engine import open_database
    from debtordesk.ui.app import make_app
    from debtordesk.ui.main_window import MainWindow

    make_app()
    db = open_database(f"sqlite:///{ctx.db}")
    window = MainWindow(db, ctx.today)
    window.show()
    gc.freeze()  # as run_gui does once the window is up
    wait_for_jobs(window)

    class PaintedAfterReport(QObject):
        """Calls `finished` after the window's first paint once the report has arrived."""

        def __init__(self, finished):
            super().__init__(window)
            self.finished = finished
            window.aging_view.report_changed.connect(self.arrived)

        def arrived(self, _report) -> None:
            window.aging_view.report_changed.disconnect(self.arrived)
            window.installEventFilter(self)
            window.update()

        def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt override)
            if watched is window and event.type() == QEvent.Type.Paint:
                window.removeEventFilter(self)
                QTimer.singleShot(0, self.finished)  # after this paint pass
            return False

    def run() -> Measured:
        def start(finished) -> None:
            PaintedAfterReport(finished)
            window.aging_view.load(window.tasks)

        worst, _ = run_until(window, start)
        return measured(worst)

    return run
