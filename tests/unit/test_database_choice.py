"""Which database opens at start: --db, DEBTORDESK_DB, the one chosen in Settings ▸ Database
(remembered without its password), the default file; the password comes from the password store."""

import json

from debtordesk.config import remember_db_url, remembered_db_url, remembered_file, resolve_db_choice
from debtordesk.services.databases import ServerDetails, keep_password, with_stored_password, without_password
from memkeyring import MemoryKeyring, keyring_backend

SERVER = "postgresql+psycopg://ann@db.office.lan:5433/books"


def test_the_remembered_database_comes_after_option_and_environment(tmp_path):
    assert resolve_db_choice(None, {})[1] == "default"
    remember_db_url("postgresql+psycopg://ann:s3cret@db.office.lan:5433/books")
    assert remembered_db_url() == SERVER
    assert "s3cret" not in remembered_file().read_text()
    assert json.loads(remembered_file().read_text()) == {"url": SERVER}
    assert resolve_db_choice(None, {}) == (SERVER, "remembered")
    env = {"DEBTORDESK_DB": str(tmp_path / "env.sqlite3")}
    assert resolve_db_choice(None, env) == (f"sqlite:///{tmp_path / 'env.sqlite3'}", "environment")
    assert resolve_db_choice(str(tmp_path / "o.sqlite3"), env)[1] == "option"
    remember_db_url(None)
    assert remembered_db_url() is None and resolve_db_choice(None, {})[1] == "default"


def test_the_password_lives_in_the_password_store_under_user_host_port_database():
    details = ServerDetails.from_url(SERVER)
    assert details == ServerDetails("db.office.lan", 5433, "books", "ann")
    assert details.account == "postgresql:ann@db.office.lan:5433/books"
    with keyring_backend(MemoryKeyring()) as store:
        assert with_stored_password(SERVER) == SERVER  # none kept yet
        assert keep_password(details, "pa:ss@word") == ""
        assert store.store == {("DebtorDesk", "postgresql:ann@db.office.lan:5433/books"): "pa:ss@word"}
        full = with_stored_password(SERVER)
        assert full == "postgresql+psycopg://ann:pa%3Ass%40word@db.office.lan:5433/books"
        assert without_password(full) == SERVER
        assert with_stored_password("sqlite:////tmp/x.sqlite3") == "sqlite:////tmp/x.sqlite3"


def test_without_a_password_store_the_password_is_kept_for_this_run_only():
    details = ServerDetails.from_url(SERVER)
    note = keep_password(details, "pw")  # the tests' keyring is the null backend: no store
    assert note.startswith("This computer has no password store (keyring)")
    assert with_stored_password(SERVER).endswith("ann:pw@db.office.lan:5433/books")
