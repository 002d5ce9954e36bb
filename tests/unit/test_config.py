from pathlib import Path

from debtordesk.config import font_path, resolve_db_url, sqlite_path


def test_db_option_beats_environment_beats_default(tmp_path):
    env = {"DEBTORDESK_DB": str(tmp_path / "env.sqlite3")}
    assert resolve_db_url(str(tmp_path / "opt.sqlite3"), env).endswith("opt.sqlite3")
    assert resolve_db_url(None, env).endswith("env.sqlite3")
    assert resolve_db_url(None, {}).endswith("debtordesk.sqlite3")
    assert resolve_db_url("postgresql+psycopg://u@h/db", env) == "postgresql+psycopg://u@h/db"


def test_sqlite_path():
    assert sqlite_path("sqlite:////tmp/x.sqlite3") == Path("/tmp/x.sqlite3")
    assert sqlite_path("sqlite:///:memory:") is None
    assert sqlite_path("postgresql://h/db") is None


def test_font_is_bundled():
    assert font_path().stat().st_size > 100_000


def test_database_names_never_show_a_password():
    from debtordesk.db.engine import display_name

    assert display_name("postgresql+psycopg://dd:secret@host:5432/books") == "postgresql+psycopg://dd:***@host:5432/books"
    assert display_name("sqlite:////tmp/a.sqlite3") == "/tmp/a.sqlite3"
