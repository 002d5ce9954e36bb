"""Restoring a backup over the database file in use.

First the chosen file is checked — an SQLite file, sound (SQLite's quick check), marked with one of
DebtorDesk's own schema versions no newer than this one, with DebtorDesk's tables — and refused in
plain words before anything is touched. Then the current file is backed up (reason
"before-restore"), the caller lets go of the database, and the backup's contents are written into
the file through SQLite's online backup API: one transaction, so a failure half-way leaves the
file as it was. A damaged current file cannot be copied faithfully: it is set aside beside itself
(`books.sqlite3.damaged-2026-11-25-0914`) and the backup written in its place. The caller reopens
the file afterwards, which upgrades a backup made by an older version.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from debtordesk.db.backups import BackupFile, list_backups, rotate, take_backup
from debtordesk.db.sqlite_files import (
    connect_read_only,
    is_damage,
    is_sqlite_file,
    quick_check,
    read_only_uri,
    write_copy,
)
from debtordesk.domain.problems import UserError

# tables every DebtorDesk database has had since its first version
CORE_TABLES = ("alembic_version", "company_profile", "customer", "invoice", "payment", "allocation")
RESTORE_TIMEOUT_S = 2


class NotRestorable(UserError):
    """The chosen file cannot be restored (nothing was changed); the message is meant for the user."""


class RestoreError(UserError):
    """Restoring failed; the message says what state the database is in."""


@dataclass(frozen=True)
class Contents:
    customers: int
    invoices: int
    payments: int
    revision: str


@dataclass(frozen=True)
class Restored:
    source: Path
    contents: Contents
    before: BackupFile | None  # the backup of what was there, when it was sound
    set_aside: Path | None  # where the damaged file went, when it was not


def our_revisions() -> list[str]:
    """DebtorDesk's schema versions, oldest first (Alembic's revision ids)."""
    from alembic.script import ScriptDirectory

    from debtordesk.db.engine import alembic_config

    return [s.revision for s in reversed(list(ScriptDirectory.from_config(alembic_config()).walk_revisions()))]


def read_contents(path: Path, *, check: bool = True, revisions: list[str] | None = None) -> Contents:
    """What the DebtorDesk database file at `path` holds, or NotRestorable saying why it is not
    one that can be restored. `check` runs SQLite's quick check of the whole file first."""
    path = Path(path)
    name = path.name
    unchanged = "Nothing was changed."
    if not path.exists():
        raise NotRestorable(f"{path} does not exist. {unchanged}")
    if not path.is_file():
        raise NotRestorable(f"{path} is a folder, not a database file. {unchanged}")
    if not is_sqlite_file(path):
        raise NotRestorable(f"{name} is not a DebtorDesk database: it is not an SQLite database file. {unchanged}")
    try:
        conn = connect_read_only(path)
    except sqlite3.Error as exc:
        raise NotRestorable(f"{name} cannot be read ({exc}). {unchanged}") from exc
    try:
        if check:
            problems = quick_check(conn)
            if problems:
                raise NotRestorable(f"{name} is damaged: SQLite's check of the file found "
                                    f"{len(problems)} problem{'s' if len(problems) != 1 else ''} "
                                    f"(the first: {problems[0]}). {unchanged}")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "alembic_version" not in tables:
            raise NotRestorable(f"{name} is not a DebtorDesk database: it has no DebtorDesk version mark. {unchanged}")
        marks = [r[0] for r in conn.execute("SELECT version_num FROM alembic_version")]
        known = our_revisions() if revisions is None else revisions
        if len(marks) != 1 or marks[0] not in known:
            raise NotRestorable(f"{name} was made by a newer version of DebtorDesk (or by another program): "
                                f"install the newest version of DebtorDesk to restore it. {unchanged}")
        missing = [t for t in CORE_TABLES if t not in tables]
        if missing:
            raise NotRestorable(f"{name} is not a complete DebtorDesk database: it has no "
                                f"{', '.join(missing)} table{'s' if len(missing) != 1 else ''}. {unchanged}")
        counts = [conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("customer", "invoice", "payment")]
    except sqlite3.DatabaseError as exc:
        raise NotRestorable(f"{name} is damaged or not a DebtorDesk database ({exc}). {unchanged}") from exc
    finally:
        conn.close()
    return Contents(*counts, marks[0])


@dataclass(frozen=True)
class Listed:
    backup: BackupFile
    contents: Contents | None
    problem: str = ""  # why its contents could not be read


def backups_with_contents(database: Path) -> list[Listed]:
    """The backups of `database`, newest first, with how many customers, invoices and payments
    each holds (read without the full check: that runs on the one chosen)."""
    revisions = our_revisions()
    listed = []
    for backup in list_backups(database):
        try:
            listed.append(Listed(backup, read_contents(backup.path, check=False, revisions=revisions)))
        except NotRestorable as exc:
            listed.append(Listed(backup, None, str(exc).removesuffix(" Nothing was changed.")))
    return listed


def is_sound(path: Path) -> bool:
    """Whether the database file at `path` is an SQLite file that passes SQLite's quick check."""
    if not is_sqlite_file(path):
        return False
    try:
        conn = connect_read_only(path)
        try:
            return not quick_check(conn)
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return False


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _set_aside(live: Path, now: datetime) -> Path:
    aside = live.with_name(f"{live.name}.damaged-{now:%Y-%m-%d-%H%M%S}")
    os.replace(live, aside)
    for side in ("-wal", "-shm"):  # with their file: never applied to the restored one
        extra = Path(f"{live}{side}")
        if extra.exists():
            os.replace(extra, Path(f"{aside}{side}"))
    return aside


def _put_back(aside: Path, live: Path) -> str:
    """After a failed restore over a damaged file: the damaged file back where it was."""
    try:
        for side in ("-wal", "-shm"):
            if Path(f"{aside}{side}").exists():
                os.replace(Path(f"{aside}{side}"), Path(f"{live}{side}"))
        os.replace(aside, live)
    except OSError:
        return f"The damaged file is kept as {aside.name}"
    return "The damaged file is where it was"


def _copy_into(live: Path, source: Path) -> None:
    """Write the contents of `source` into the live file in one transaction (online backup API).
    Leaving WAL first needs the file to itself: anyone else still in it makes this refuse."""
    src = sqlite3.connect(read_only_uri(source), uri=True)
    try:
        dst = sqlite3.connect(str(live), timeout=RESTORE_TIMEOUT_S)
        try:
            try:
                dst.execute("PRAGMA journal_mode=DELETE")
            except sqlite3.OperationalError as exc:
                raise RestoreError(f"{live.name} is in use by another program, so it was not replaced. "
                                   "Close that program and try again; your data is as it was.") from exc
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=WAL")
        finally:
            dst.close()
    finally:
        src.close()


def restore(live: Path, source: Path, *, keep: int, close: Callable[[], None] = lambda: None,
            now: datetime | None = None) -> Restored:
    """Put the backup `source` in place of the database file `live` (see the module's words).
    `close` lets go of the open database; it is called only once the backup has been checked and
    the current file backed up. Raises NotRestorable (nothing touched) or RestoreError."""
    live, source = Path(live), Path(source)
    now = now or datetime.now()
    if _same_file(live, source):
        raise NotRestorable(f"{source.name} is the database that is open: choose a backup of it. Nothing was changed.")
    contents = read_contents(source)
    sound = live.exists() and is_sound(live)
    before = None
    if sound:
        try:  # all of them kept until the restore is done: the oldest may be the one restored
            before = take_backup(live, "before-restore", now=now)
        except (OSError, sqlite3.Error) as exc:
            raise RestoreError(f"{live.name} could not be backed up before the restore ({exc}), so nothing "
                               "was changed. Make room on the disk and try again.") from exc
    close()
    set_aside = None
    try:
        if sound:
            _copy_into(live, source)
        else:
            if live.exists():
                set_aside = _set_aside(live, now)
            write_copy(source, live, source_uri=read_only_uri(source))
    except (OSError, sqlite3.Error) as exc:
        state = "Your data is as it was"
        if set_aside is not None:
            state = _put_back(set_aside, live)
        if is_damage(exc):
            raise RestoreError(f"{source.name} turned out to be damaged while it was copied ({exc}). {state}.") from exc
        raise RestoreError(f"The restore of {source.name} could not be finished ({exc}). {state}.") from exc
    rotate(live, keep)
    return Restored(source, contents, before, set_aside)
