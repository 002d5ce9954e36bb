"""File ▸ Import bank statement…: choose the file, read and match it on the window's worker (a CSV
export first asks which column is which), then review the lines in BankReviewDialog, which
records them. A file that cannot be read is refused with what is wrong, and nothing is written."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog, QFileDialog

from debtordesk.domain.bank import BankStatement
from debtordesk.domain.problems import Rejected
from debtordesk.services.bank_csv import BankCsvMapping, CsvPreview, preview, read_bank_csv
from debtordesk.services.bank_formats import detect_format, read_bytes, read_statement
from debtordesk.services.bank_matching import Proposal, match_statement
from debtordesk.services.company import base_currency
from debtordesk.ui.messages import ProblemsDialog

if TYPE_CHECKING:
    from debtordesk.ui.main_window import MainWindow

STATEMENT_FILTER = ("Bank statements (*.xml *.camt *.053 *.sta *.mt940 *.940 *.txt *.ofx *.qfx *.csv);;"
                    "All files (*)")


def import_bank_statement(window: MainWindow, folder: Path, remember: Callable[[Path], None] | None = None) -> None:
    chosen, _ = QFileDialog.getOpenFileName(window, "Import bank statement", str(folder), STATEMENT_FILTER)
    if chosen:
        path = Path(chosen)
        if remember is not None:
            remember(path)
        read_file(window, path)


def _refused(window: MainWindow, name: str) -> Callable[[Exception], None]:
    def show(exc: Exception) -> None:
        if isinstance(exc, Rejected):
            ProblemsDialog(name, exc.problems, window).open()
        else:
            window.tasks.show_error(exc)

    return show


def read_file(window: MainWindow, path: Path) -> None:
    """Read and match `path` off the UI thread; a CSV file goes through its column choice first."""
    db = window.db

    def job(report, should_cancel):
        data = read_bytes(path)
        if detect_format(data) == "csv":
            with db.session() as session:
                base = base_currency(session)
            return preview(path, base)
        statement = read_statement(path, data)
        with db.session() as session:
            return statement, match_statement(session, statement)

    def read(result) -> None:
        if isinstance(result, CsvPreview):
            choose_columns(window, path, result)
        else:
            review(window, *result)

    window.tasks.run(job, label=f"Reading {path.name}…", on_success=read, on_error=_refused(window, path.name))


def choose_columns(window: MainWindow, path: Path, first: CsvPreview) -> None:
    from debtordesk.ui.dialogs.bank_csv import BankCsvDialog

    dialog = BankCsvDialog(path, first, window)

    def chosen(code: int) -> None:
        if code == QDialog.DialogCode.Accepted:
            read_csv(window, path, dialog.mapping())
        dialog.deleteLater()

    dialog.finished.connect(chosen)
    dialog.open()


def read_csv(window: MainWindow, path: Path, mapping: BankCsvMapping) -> None:
    db = window.db

    def job(report, should_cancel):
        statement = read_bank_csv(path, mapping)
        with db.session() as session:
            return statement, match_statement(session, statement)

    window.tasks.run(job, label=f"Reading {path.name}…", on_success=lambda r: review(window, *r),
                     on_error=_refused(window, path.name))


def review(window: MainWindow, statement: BankStatement, proposals: list[Proposal]):
    from debtordesk.ui.dialogs.bank_review import BankReviewDialog

    dialog = BankReviewDialog(window, statement, proposals)
    dialog.finished.connect(lambda _code: dialog.deleteLater())
    dialog.open()
    return dialog
