"""Where things live: the database URL, the user's data folder, the bundled resources."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from platformdirs import user_data_dir

APP_NAME = "DebtorDesk"
DB_ENV = "DEBTORDESK_DB"
DB_FILENAME = "debtordesk.sqlite3"
REMEMBERED_FILE = "database.json"  # in the data folder: the database to open at start


def data_dir() -> Path:
    return Path(user_data_dir(APP_NAME, appauthor=False))


def default_db_path() -> Path:
    return data_dir() / DB_FILENAME


def resolve_db_url(option: str | None = None, environ: dict[str, str] | None = None) -> str:
    """`--db PATH|URL`, else the DEBTORDESK_DB variable, else the database chosen last in
    Settings ▸ Database (remembered without its password), else the platform's data folder.

    A value with '://' is an SQLAlchemy URL (sqlite:///..., postgresql+psycopg://...); anything
    else is a path to a SQLite file.
    """
    return resolve_db_choice(option, environ)[0]


def resolve_db_choice(option: str | None = None, environ: dict[str, str] | None = None) -> tuple[str, str]:
    """The database URL and where it came from: 'option', 'environment', 'remembered' or 'default'."""
    env = os.environ if environ is None else environ
    for value, source in ((option, "option"), (env.get(DB_ENV), "environment"), (remembered_db_url(), "remembered"),
                          (str(default_db_path()), "default")):
        if value:
            return (value if "://" in value else "sqlite:///" + str(Path(value).expanduser().resolve())), source
    raise AssertionError("the default database path is never empty")


def remembered_file() -> Path:
    return data_dir() / REMEMBERED_FILE


def remembered_db_url() -> str | None:
    """The database chosen in Settings ▸ Database to open at the next start (None: the default)."""
    try:
        data = json.loads(remembered_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    url = data.get("url") if isinstance(data, dict) else None
    return url if isinstance(url, str) and url else None


def remember_db_url(url: str | None) -> None:
    """Open `url` at the next start (None: the default file again). A password in it is left out:
    passwords live only in the password store."""
    path = remembered_file()
    if url is None:
        path.unlink(missing_ok=True)
        return
    if "://" in url:
        from sqlalchemy.engine import make_url

        url = make_url(url)._replace(password=None).render_as_string(hide_password=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(json.dumps({"url": url}), encoding="utf-8")
    os.replace(tmp, path)


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
