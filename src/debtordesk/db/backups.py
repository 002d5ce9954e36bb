"""The backups folder: consistent copies of SQLite database files, named after the database, the
time and the reason, and rotated so the newest few of each database are kept.

`data_dir()/backups/books-2026-11-25-0914-on-close.sqlite3` is a copy of a file called
books.sqlite3 taken at 09:14 on 25 November 2026 when DebtorDesk closed. Only files named exactly
like that are ours: rotation never deletes anything else in the folder.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from debtordesk.config import data_dir
from debtordesk.db.sqlite_files import sqlite_uri, write_copy

DEFAULT_KEEP = 10
KEEP_KEY = "backups.keep"  # the setting: how many backups of each database to keep
KEEP_RANGE = (1, 999)
REASONS: dict[str, str] = {  # each reads after "taken …"
    "on-close": "when DebtorDesk closed",
    "before-upgrade": "before an upgrade to a newer version",
    "before-restore": "before a restore",
    "manual": "with File ▸ Back up now",
}
SUFFIX = ".sqlite3"
_NAME = re.compile(
    r"^(?P<database>.+)-(?P<day>\d{4}-\d{2}-\d{2})-(?P<time>\d{4})-(?P<reason>"
    + "|".join(re.escape(r) for r in REASONS)
    + r")(?:-(?P<n>\d+))?" + re.escape(SUFFIX) + "$"
)


def backups_dir() -> Path:
    return data_dir() / "backups"


@dataclass(frozen=True)
class BackupFile:
    path: Path
    database: str  # the name of the database file without its suffix ("books")
    taken: datetime
    reason: str
    n: int = 1  # the second backup of the same minute and reason is -2, ...

    @property
    def size(self) -> int:
        try:
            return self.path.stat().st_size
        except OSError:
            return 0

    @property
    def why(self) -> str:
        return REASONS[self.reason]


def database_key(database: Path | str) -> str:
    """How the backups of `database` are named: books.sqlite3 -> "books"."""
    return Path(database).stem if Path(database).suffix else Path(database).name


def parse_name(path: Path) -> BackupFile | None:
    """The backup `path` names, or None when the name is not one of ours."""
    m = _NAME.match(path.name)
    if m is None:
        return None
    try:
        taken = datetime.strptime(f"{m['day']} {m['time']}", "%Y-%m-%d %H%M")
    except ValueError:
        return None
    return BackupFile(path, m["database"], taken, m["reason"], int(m["n"] or 1))


def list_backups(database: Path | str | None = None, folder: Path | None = None) -> list[BackupFile]:
    """Our backups in `folder` (of `database` only, if given), newest first."""
    folder = backups_dir() if folder is None else folder
    key = database_key(database) if database is not None else None
    try:
        entries = list(folder.iterdir())
    except OSError:
        return []
    found = [b for p in entries if p.is_file() and (b := parse_name(p)) is not None
             and (key is None or b.database == key)]
    return sorted(found, key=lambda b: (b.taken, b.n), reverse=True)


def latest_backup(database: Path | str, folder: Path | None = None) -> BackupFile | None:
    found = list_backups(database, folder)
    return found[0] if found else None


def take_backup(source: Path, reason: str, *, keep: int | None = None, folder: Path | None = None,
                now: datetime | None = None) -> BackupFile:
    """Copy the database file `source` into the backups folder, then keep only the newest `keep`
    backups of it (all of them when `keep` is None). Raises OSError or sqlite3.Error."""
    if reason not in REASONS:
        raise ValueError(f"unknown backup reason {reason!r}")
    folder = backups_dir() if folder is None else folder
    folder.mkdir(parents=True, exist_ok=True)
    taken = (now or datetime.now()).replace(second=0, microsecond=0)
    key = database_key(source)
    stem = f"{key}-{taken:%Y-%m-%d-%H%M}-{reason}"
    n = 1
    while (folder / f"{stem}{'' if n == 1 else f'-{n}'}{SUFFIX}").exists():
        n += 1
    dest = folder / f"{stem}{'' if n == 1 else f'-{n}'}{SUFFIX}"
    write_copy(Path(source), dest)
    if keep is not None:
        rotate(source, keep, folder)
    return BackupFile(dest, key, taken, reason, n)


def rotate(database: Path | str, keep: int, folder: Path | None = None) -> list[Path]:
    """Delete the backups of `database` beyond the newest `keep`; returns what was deleted.
    Only files named like ours are ever looked at."""
    keep = max(keep, 1)
    gone = []
    for old in list_backups(database, folder)[keep:]:
        try:
            old.path.unlink()
        except OSError:
            continue  # in use or read-only: it stays, and is tried again next time
        gone.append(old.path)
    return gone


def stored_keep(values: dict[str, str]) -> int:
    """How many backups to keep, from the stored settings (the default if missing or odd)."""
    raw = (values.get(KEEP_KEY) or "").strip()
    if raw.isdigit() and KEEP_RANGE[0] <= int(raw) <= KEEP_RANGE[1]:
        return int(raw)
    return DEFAULT_KEEP


def keep_in_file(path: Path) -> int:
    """The keep setting read straight from a database file (before it is opened), else the default."""
    try:
        conn = sqlite3.connect(sqlite_uri(path, mode="ro"), uri=True)
    except sqlite3.Error:
        return DEFAULT_KEEP
    try:
        row = conn.execute("SELECT value FROM setting WHERE key = ?", (KEEP_KEY,)).fetchone()
    except sqlite3.Error:
        row = None
    finally:
        conn.close()
    return stored_keep({KEEP_KEY: row[0]} if row else {})
