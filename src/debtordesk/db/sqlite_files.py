"""SQLite files as files: is it SQLite at all, is it damaged, a read-only look that leaves no
-wal or -shm behind, and a consistent copy through the online backup API."""

from __future__ import annotations

import os
import sqlite3
import tempfile
from pathlib import Path

SQLITE_HEADER = b"SQLite format 3\x00"
# what SQLite says when the bytes of a file are not what it wrote
DAMAGE_SIGNS = ("database disk image is malformed", "file is not a database", "malformed database schema")


def sqlite_uri(path: Path | str, **params: str | int) -> str:
    """A `file:` URI for sqlite3.connect(..., uri=True), with its path quoted."""
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return Path(path).resolve().as_uri() + (f"?{query}" if query else "")


def is_sqlite_file(path: Path) -> bool:
    """Whether `path` starts with SQLite's header (an empty file is not an SQLite database yet)."""
    try:
        with open(path, "rb") as handle:
            return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def is_damage(error: BaseException | str) -> bool:
    """Whether an error (or its text) says the file's bytes are damaged."""
    text = str(getattr(error, "orig", None) or error).lower()
    return any(sign in text for sign in DAMAGE_SIGNS)


def has_pending_wal(path: Path) -> bool:
    """Whether a -wal file beside `path` holds changes not yet written into the file itself."""
    wal = Path(f"{path}-wal")
    try:
        return wal.stat().st_size > 0
    except OSError:
        return False


def read_only_uri(path: Path) -> str:
    """How to read `path` without writing anything beside it: immutable when there is no
    pending -wal (a backup, a closed database), else read-only so the -wal is read too."""
    return sqlite_uri(path, mode="ro") if has_pending_wal(path) else sqlite_uri(path, mode="ro", immutable=1)


def connect_read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(read_only_uri(path), uri=True)


def quick_check(conn: sqlite3.Connection, limit: int = 10) -> list[str]:
    """SQLite's own check of the file's structure: [] when it is sound, else what it found."""
    rows = conn.execute(f"PRAGMA quick_check({int(limit)})").fetchall()
    return [str(r[0]) for r in rows if r[0] != "ok"]


def copy_sqlite(source: Path | str, dest: Path | str, *, source_uri: str | None = None) -> Path:
    """A consistent copy of `source` in `dest` through SQLite's online backup API (safe while
    others use the source). The copy is a standalone file: no -wal or -shm beside it."""
    src = sqlite3.connect(source_uri, uri=True) if source_uri else sqlite3.connect(str(source))
    try:
        dst = sqlite3.connect(str(dest))
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    finally:
        src.close()
    return Path(dest)


def write_copy(source: Path, dest: Path, *, source_uri: str | None = None) -> Path:
    """`copy_sqlite` into a temporary file beside `dest`, moved into place only once complete."""
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    os.close(fd)
    try:
        copy_sqlite(source, tmp, source_uri=source_uri)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return dest
