"""The Qt half of `debtordesk --self-test` (debtordesk/selftest.py runs it): the plugins the app
needs are there and load, the DejaVu fonts load in Qt, a PDF prints through QPrinter, and the main
window opens offscreen on the self-test's temporary database and paints its first screen.

Qt runs on the offscreen platform (no screen needed, nothing shows) with its settings in the
temporary folder, so the user's window geometry and last choices are left alone."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from debtordesk.selftest import Check, Context, Failed

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

# plugin folder → files (without 'lib' prefix and suffix) the app cannot do without, per system
NEEDED = {
    "linux": {"platforms": ("qoffscreen", "qxcb"), "printsupport": ("cupsprintersupport",),
              "imageformats": ("qjpeg", "qgif", "qico")},
    "win32": {"platforms": ("qoffscreen", "qwindows"), "imageformats": ("qjpeg", "qgif", "qico")},
    "darwin": {"platforms": ("qoffscreen", "qcocoa"), "imageformats": ("qjpeg", "qgif", "qico")},
}
NATIVE = {"linux": "qxcb", "win32": "qwindows", "darwin": "qcocoa"}
IMAGE_FORMATS = ("png", "jpeg", "gif", "ico")
WINDOW_TIMEOUT_S = 60


def _system() -> str:
    return "linux" if sys.platform.startswith("linux") else sys.platform


def _plugin_file(folder: str, name: str) -> Path | None:
    from PySide6.QtCore import QCoreApplication

    for base in QCoreApplication.libraryPaths():
        for candidate in Path(base, folder).glob(f"*{name}.*"):
            if candidate.suffix in (".so", ".dll", ".dylib"):
                return candidate
    return None


def _plugins(app: QApplication) -> str:
    from PySide6.QtCore import QPluginLoader

    missing, found = [], []
    for folder, names in NEEDED.get(_system(), {}).items():
        for name in names:
            path = _plugin_file(folder, name)
            (found if path else missing).append(f"{folder}/{name}")
    if missing:
        raise Failed(f"missing Qt plugins: {', '.join(missing)} (plugin folders: "
                     f"{', '.join(app.libraryPaths()) or 'none'})")
    if app.platformName() != "offscreen":
        raise Failed(f"the offscreen platform did not start (got '{app.platformName()}')")
    native = _plugin_file("platforms", NATIVE.get(_system(), "none"))
    native_note = ""
    if native is not None:
        loader = QPluginLoader(str(native))
        if not loader.load():
            raise Failed(f"the desktop's platform plugin {native.name} is there but does not load: "
                         f"{loader.errorString()}")
        native_note = f"; {native.name} loads"
    return (f"{len(found)} present ({', '.join(found)}); running on offscreen{native_note}; "
            f"style {app.style().name()}")


def _fonts(app: QApplication) -> str:
    from PySide6.QtGui import QFontDatabase, QRawFont

    from debtordesk.config import font_path

    loaded = []
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
        raw = QRawFont(str(font_path(name)), 12)
        if not raw.isValid():
            raise Failed(f"Qt cannot read {font_path(name)}")
        loaded.append(f"{raw.familyName()} {raw.styleName()}")
    if "DejaVu Sans" not in QFontDatabase.families():
        raise Failed("DejaVu Sans is not among Qt's font families after start-up")
    return f"{', '.join(loaded)} load in Qt; {len(QFontDatabase.families())} families known"


def _image_formats(app: QApplication) -> str:
    from PySide6.QtGui import QImageReader

    supported = {bytes(f.data()).decode() for f in QImageReader.supportedImageFormats()}
    missing = [f for f in IMAGE_FORMATS if f not in supported]
    if missing:
        raise Failed(f"Qt cannot read {', '.join(missing)} images")
    if app.windowIcon().isNull():
        raise Failed("the application icon did not load")
    return f"{', '.join(sorted(supported))}; application icon in {len(app.windowIcon().availableSizes())} sizes"


def _print_support(app: QApplication, folder: Path) -> str:
    from PySide6.QtGui import QTextDocument
    from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

    printers = QPrinterInfo.availablePrinterNames()  # loads the print-support plugin
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    target = folder / "qprinter.pdf"
    printer.setOutputFileName(str(target))
    document = QTextDocument()
    document.setHtml("<h1>DebtorDesk</h1><p>Müller · Ωmega · Ладога · £1,250.50 · 1.250,50 €</p>")
    document.print_(printer)
    size = target.stat().st_size if target.exists() else 0
    if size < 1000:
        raise Failed(f"printing through QPrinter made no PDF ({size} bytes)")
    return f"QPrinter made a {size // 1024} kB PDF; {len(printers)} printer(s) on this system"


def _pump(app: QApplication, until: Callable[[], bool], timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while not until():
        if time.monotonic() > deadline:
            return False
        app.processEvents()
        time.sleep(0.01)
    return True


def _main_window(app: QApplication, ctx: Context) -> str:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QDialog, QMessageBox

    from debtordesk.ui.main_window import MainWindow
    from debtordesk.ui.workers import Task

    if ctx.db is None:
        raise Failed("skipped: no database")
    messages: list[str] = []

    def close_modal() -> None:  # nobody is there to answer: note what it said and close it
        dialog = app.activeModalWidget()
        if isinstance(dialog, QDialog):
            messages.append(dialog.text() if isinstance(dialog, QMessageBox) else dialog.windowTitle())
            dialog.reject()

    guard = QTimer()
    guard.timeout.connect(close_modal)
    guard.start(100)
    started = time.perf_counter()
    window = MainWindow(ctx.db, today=ctx.today)
    try:
        window.show()

        def idle() -> bool:
            return all(task.finished for task in window.tasks.findChildren(Task))

        if not _pump(app, lambda: window.isVisible() and idle(), WINDOW_TIMEOUT_S):
            raise Failed(f"the main window's start-up work did not finish in {WINDOW_TIMEOUT_S} s")
        took = time.perf_counter() - started
        image = window.grab().toImage()
        image.save(str(ctx.folder / "main-window.png"))
        colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
        if messages:
            raise Failed(f"the main window reported: {' | '.join(messages)}")
        if image.isNull() or len(colours) < 4:
            raise Failed("the main window painted nothing")
        return (f"opened offscreen on the temporary database in {took:.1f} s: "
                f"'{window.windowTitle()}', {image.width()}×{image.height()} px, page '{window.current_page()}'")
    finally:
        window.close()
        window.deleteLater()
        guard.stop()
        app.processEvents()


def qt_checks(ctx: Context) -> Iterator[Check]:
    """Start Qt offscreen (settings in ctx.folder) and run each Qt check; one Check each."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import QSettings

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(ctx.folder / "settings"))
    from debtordesk.ui.app import make_app

    app = make_app([sys.argv[0] if sys.argv else "debtordesk"])
    app.setQuitOnLastWindowClosed(False)
    steps: tuple[tuple[str, Callable[[], str]], ...] = (
        ("qt plugins", lambda: _plugins(app)),
        ("qt fonts", lambda: _fonts(app)),
        ("image formats", lambda: _image_formats(app)),
        ("print support", lambda: _print_support(app, ctx.folder)),
        ("main window", lambda: _main_window(app, ctx)),
    )
    for name, step in steps:
        try:
            yield Check(name, True, step())
        except Failed as exc:
            yield Check(name, False, str(exc))
        except Exception as exc:  # noqa: BLE001 - the report names whatever broke
            yield Check(name, False, f"{type(exc).__name__}: {exc}")
