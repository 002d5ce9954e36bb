"""A customer's personal data: export it (JSON and PDF into a folder the user picks) and erase it
(after saying what goes and what stays, and only when no money is open). Both run off the screen's
thread when the window's task runner is there."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from debtordesk.db.engine import Database
from debtordesk.domain.problems import UserError
from debtordesk.ui.messages import tell

SETTINGS = "privacy/"


def _plain(exc: Exception) -> str:
    if isinstance(exc, UserError):
        return str(exc)
    return f"The files could not be written: {getattr(exc, 'strerror', None) or exc}."


def _run(parent: QWidget, tasks, job, label: str, done, failed_title: str):
    """Run `job` on the task runner (inline without one); a refusal or a file problem is told plainly."""
    def failed(exc: Exception) -> None:
        if isinstance(exc, UserError | OSError):
            QMessageBox.warning(parent, failed_title, _plain(exc))
        else:
            tasks.show_error(exc)

    if tasks is None:
        try:
            result = job(None, None)
        except (UserError, OSError) as exc:
            failed(exc)
            return None
        done(result)
        return None
    return tasks.run(job, label=label, on_success=done, on_error=failed)


def export_personal_data_dialog(parent: QWidget, database: Database, tasks, customer_id: int, today: date,
                                folder: Path | None = None, done=None):
    """Ask for a folder, then write the customer's personal data there as JSON and PDF."""
    from debtordesk.services.customers import ref_and_name

    with database.session() as s:
        ref, name = ref_and_name(s, customer_id)
    if folder is None:
        start = str(QSettings().value(SETTINGS + "folder", "") or Path.home())
        chosen = QFileDialog.getExistingDirectory(parent, f"Choose a folder for the personal data of {name}", start)
        if not chosen:
            return None
        folder = Path(chosen)
        QSettings().setValue(SETTINGS + "folder", str(folder))

    def job(report, _should_cancel):
        from debtordesk.services.privacy import export_personal_data

        with database.transaction() as s:
            return export_personal_data(s, customer_id, folder, today, report)

    def finished(out) -> None:
        tell(parent, f"Everything held about {name} is saved in {out.json_path.parent}: {out.pdf_path.name} to read "
                     f"and {out.json_path.name} for a computer. The export is noted in the audit trail.")
        if done is not None:
            done(out)

    return _run(parent, tasks, job, f"Exporting the personal data of {name}…", finished, "Personal data not exported")


def erase_personal_data_dialog(parent: QWidget, database: Database, tasks, customer_id: int, today: date,
                               done=None):
    """Explain a refusal, or say what erasing does and ask; then erase. `done()` after an erasure."""
    from debtordesk.services.customers import ref_and_name
    from debtordesk.services.privacy import erase_refusal

    with database.session() as s:
        ref, name = ref_and_name(s, customer_id)
        refusal = erase_refusal(s, customer_id, today)
    if refusal is not None:
        QMessageBox.warning(parent, "Personal data not erased", refusal)
        return None
    question = (
        f"Erase the personal data of {name}?\n\n"
        f"The name becomes “Erased customer {ref}”; contact, e-mail, phone, address and notes are emptied, the notes "
        "in the customer's log, promises and plans too, and the stored copies of the letters sent to them are "
        "deleted. The same details are taken out of the earlier entries of the audit trail.\n\n"
        "Invoices, payments, amounts and dates stay: the law requires the financial records to be kept. "
        "The customer is archived.\n\nThis cannot be undone. Export the personal data first if they asked for a copy.")
    answer = QMessageBox.question(parent, "Erase personal data", question,
                                  QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                  QMessageBox.StandardButton.No)
    if answer != QMessageBox.StandardButton.Yes:
        return None

    def job(_report, _should_cancel):
        from debtordesk.services.privacy import erase_customer

        with database.transaction() as s:
            return erase_customer(s, customer_id, today)

    def finished(erased) -> None:
        letters = f"{erased.letters} letter cop{'y' if erased.letters == 1 else 'ies'}"
        tell(parent, f"The personal data of {name} is erased: the customer is now “{erased.name}” (archived); "
                     f"{letters} deleted and {erased.audit_entries} earlier audit entries cleared of it. "
                     "The erasure is noted in the audit trail.")
        if done is not None:
            done()

    return _run(parent, tasks, job, f"Erasing the personal data of {name}…", finished, "Personal data not erased")
