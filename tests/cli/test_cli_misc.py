import os
import subprocess

from cli.conftest import EXE, write


def test_version(cli):
    r = cli("--version")
    assert r.code == 0 and r.out.startswith("DebtorDesk ")


def test_usage_errors_exit_2(cli):
    assert cli("frobnicate").code == 2
    assert cli("aging", "--as-of", "31/01/2026").code == 2
    assert cli("aging", "--buckets", "60,30").code == 2
    assert cli("import", "widgets", "x.csv").code == 2


def test_db_option_before_or_after_the_command(cli, tmp_path):
    other = tmp_path / "other.sqlite3"
    f = write(tmp_path / "c.csv", "ref,name\nA,Alpha\n")
    assert cli("--db", str(other), "import", "customers", str(f)).code == 0
    out = tmp_path / "out.csv"
    assert cli("export", "customers", str(out), "--db", str(other)).code == 0
    assert out.read_text(encoding="utf-8").splitlines()[1].startswith("A,Alpha,")
    assert not cli.db.exists()  # the default database was never touched


def test_demo_fills_an_empty_database_once(cli):
    r = cli("demo", "--customers", "30", "--invoices", "300", "--seed", "7")
    assert r.code == 0, r.err
    assert "30 customers, 300 invoices" in r.out
    data = cli("aging", "--format", "json").json()
    names = {row["name"] for row in data["rows"]}
    assert {"Müller & Söhne GmbH", "Ωmega Ἑλλάς ΑΕ"} & names
    assert {row["currency"] for row in data["rows"]} >= {"GBP", "EUR", "USD"}
    assert any(row["unapplied"] != "0.00" for row in data["rows"])  # overpayers
    again = cli("demo")
    assert again.code == 1 and "already has customers" in again.err


def test_a_file_that_is_not_a_database_is_refused_plainly(cli, tmp_path):
    junk = write(tmp_path / "junk.sqlite3", "hello" * 1000)
    r = cli("aging", db_path=junk)
    assert r.code == 1 and "not a DebtorDesk database" in r.err and "Traceback" not in r.err


def _probe(db_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([str(EXE), "--db", str(db_path), "gui", "--quit-after-first-paint"],
                          capture_output=True, text=True, env=env, timeout=60)


def test_start_up_probe_quits_after_the_first_paint(cli):
    assert cli("demo").code == 0
    r = _probe(cli.db)
    assert r.returncode == 0, r.stderr
    assert "--quit-after-first-paint" not in cli("gui", "--help").out  # for measuring, not for users


def test_start_up_probe_refuses_a_blank_database(cli, tmp_path):
    r = _probe(tmp_path / "blank.sqlite3")
    assert r.returncode == 1 and "welcome" in r.stderr
