"""Where things live: the database URL, the user's data folder, the bundled resources."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from platformdirs import user_data_dir

APP_NAME = "DebtorDesk"
DB_ENV = "DEBTORDESK_DB"
DB_FILENAME = "debtordesk.sqlite3"


def data_dir() -> Path:
    return Path(user_data_dir(APP_NAME, appauthor=False))


def default_db_path() -> Path:
    return data_dir() / DB_FILENAME


def resolve_db_url(option: str | None = None, environ: dict[str, str] | None = None) -> str:
    """`--db PATH|URL`, else the DEBTORDESK_DB variable, else the platform's data folder.

    A value with '://' is an SQLAlchemy URL (sqlite:///..., postgresql+psycopg://...); anything
    else is a path to a SQLite file.
    """
    env = os.environ if environ is None else environ
    value = option or env.get(DB_ENV) or str(default_db_path())
    if "://" in value:
        return value
    return "sqlite:///" + str(Path(value).expanduser().resolve())


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for other databases and in-memory SQLite."""
    if not url.startswith("sqlite"):
        return None
    _, _, rest = url.partition(":///")
    if not rest or rest == ":memory:":
        return None
    return Path(rest.split("?", 1)[0])


def resources_dir() -> Path:
    """Where the shipped resources (fonts, letter templates, rate tables, icons) are: the one place
    every module asks. Frozen by PyInstaller: the bundle's resources/ folder (sys._MEIPASS, where
    installer/debtordesk.spec puts them); installed from a wheel: inside the package; else the
    checkout's top-level resources/ folder."""
    candidates = []
    bundle = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and bundle:
        candidates.append(Path(bundle) / "resources")
    here = Path(__file__).resolve().parent
    candidates += [here / "resources", here.parents[1] / "resources"]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("DebtorDesk's resources folder is missing from this installation "
                            f"(looked in {', '.join(str(c) for c in candidates)}): please reinstall DebtorDesk.")


def font_path(name: str = "DejaVuSans.ttf") -> Path:
    return resources_dir() / "fonts" / name


def current_user() -> str:
    """Who is working: the operating-system user name (recorded with letters and log entries)."""
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return ""
