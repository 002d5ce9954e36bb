"""Small settings kept with the data (so every user of a shared database sees the same): paper size,
envelope window, the dunning minimum, who signs letters, the mail server (never its password)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from debtordesk.db.backups import DEFAULT_KEEP
from debtordesk.db.models import Setting

DEFAULTS: dict[str, str] = {
    "letters.paper": "A4",
    "letters.window": "din5008",
    "letters.signatory": "",
    "letters.signatory_title": "Credit control",
    "letters.attach_statement": "",
    "dunning.minimum": "5.00",
    "plans.on_breach": "resume",  # or "final-demand"
    "promises.grace_days": "3",  # days after a promised date before the promise counts as broken
    "backups.keep": str(DEFAULT_KEEP),  # how many backups of each database file to keep
    "smtp.host": "",
    "smtp.port": "587",
    "smtp.security": "starttls",
    "smtp.user": "",
    "smtp.sender": "",
}


def get_settings(session: Session) -> dict[str, str]:
    """Every setting: the stored value, else the default."""
    values = dict(DEFAULTS)
    values.update({k: v for k, v in session.execute(select(Setting.key, Setting.value))})
    return values


def get_setting(session: Session, key: str) -> str:
    value = session.get(Setting, key)
    return value.value if value is not None else DEFAULTS.get(key, "")


def put_settings(session: Session, values: dict[str, str]) -> None:
    """Store the given settings in one transaction (the caller has checked them)."""
    for key, value in values.items():
        row = session.get(Setting, key)
        if row is None:
            session.add(Setting(key=key, value=str(value)))
        else:
            row.value = str(value)
    session.flush()
