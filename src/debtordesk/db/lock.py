"""One DebtorDesk window per database file: an operating-system lock beside the file, which dies
with the process that holds it, and a small note of who holds it.

books.sqlite3.lock is locked (flock / LockFileEx) for as long as a DebtorDesk window has
books.sqlite3 open; books.sqlite3.in-use says on which computer, by whom, since when and in which
process. A second DebtorDesk that finds the lock taken reads the note and can tell the user who
has the file. A lock left by a process that was killed is no lock at all: the system let it go.
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from filelock import FileLock, Timeout

from debtordesk.config import current_user
from debtordesk.domain.problems import UserError


@dataclass(frozen=True)
class Holder:
    host: str
    user: str
    pid: int
    since: str  # ISO 8601, local time with its offset

    def since_text(self) -> str:
        try:
            when = datetime.fromisoformat(self.since).astimezone()
        except ValueError:
            return "a while"
        return f"{when:%H:%M} on {when.day} {when:%B %Y}"


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def note_path(path: Path) -> Path:
    return path.with_name(path.name + ".in-use")


class FileInUse(UserError):
    """Another running DebtorDesk has the file open."""

    def __init__(self, path: Path, holder: Holder | None):
        self.path, self.holder = path, holder
        if holder is None:
            text = f"{path.name} is open in DebtorDesk on another computer or in another window."
        else:
            text = (f"{path.name} is open in DebtorDesk on {holder.host} by {holder.user or 'someone'} "
                    f"since {holder.since_text()}.")
        super().__init__(text)


def read_note(path: Path) -> Holder | None:
    try:
        data = json.loads(note_path(path).read_text(encoding="utf-8"))
        return Holder(str(data["host"]), str(data["user"]), int(data["pid"]), str(data["since"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


class FileHold:
    """The lock on one database file, held until `release()` (or the end of the process)."""

    def __init__(self, path: Path, lock: FileLock | None, holder: Holder):
        self.path, self._lock, self.holder = path, lock, holder

    @property
    def held(self) -> bool:
        return self._lock is not None

    def release(self) -> None:
        if self._lock is None:
            return
        if read_note(self.path) == self.holder:
            note_path(self.path).unlink(missing_ok=True)
        self._lock.release()
        self._lock = None


def hold(path: Path, *, now: datetime | None = None) -> FileHold:
    """Take the lock on the database file `path`, or raise FileInUse naming who has it.

    Where no lock can be made at all (a read-only folder, a file system without locks) the file
    is opened unlocked: SQLite still keeps each change whole, and the folder is not ours to fix."""
    path = Path(path)
    me = Holder(socket.gethostname(), current_user(), os.getpid(),
                (now or datetime.now()).astimezone().isoformat(timespec="seconds"))
    lock = FileLock(lock_path(path), timeout=0, thread_local=False, fallback_to_soft=False)
    try:
        lock.acquire()
    except Timeout:
        raise FileInUse(path, read_note(path)) from None
    except OSError:
        return FileHold(path, None, me)
    try:
        tmp = note_path(path).with_name(note_path(path).name + ".part")
        tmp.write_text(json.dumps(asdict(me)), encoding="utf-8")
        os.replace(tmp, note_path(path))
    except OSError:
        pass  # the lock itself is what counts; the note only explains it
    return FileHold(path, lock, me)
