"""One DebtorDesk per database file: the lock names who holds it, dies with its process, and the
file can still be opened read-only (reading works, saving is refused in a plain sentence)."""

import os
import signal
import socket
import subprocess
import sys
from datetime import datetime

import pytest
from sqlalchemy import func, select

from debtordesk.config import current_user
from debtordesk.db.engine import ReadOnlyError, open_database
from debtordesk.db.lock import FileInUse, hold, note_path, read_note
from debtordesk.db.models import Customer
from helpers import add_customer

pytestmark = pytest.mark.sqlite_only


def _in_other_process(code: str, path) -> subprocess.Popen:
    script = f"import sys, time\nfrom debtordesk.db.lock import FileInUse, hold\npath = {str(path)!r}\n{code}"
    return subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def test_a_second_handle_is_told_who_has_the_file(db_path, db):
    mine = hold(db_path, now=datetime(2026, 11, 25, 9, 14))
    try:
        with pytest.raises(FileInUse) as caught:
            hold(db_path)
        assert str(caught.value) == (f"books.sqlite3 is open in DebtorDesk on {socket.gethostname()} by "
                                     f"{current_user()} since 09:14 on 25 November 2026.")
        assert caught.value.holder.pid == os.getpid()
    finally:
        mine.release()
    assert not note_path(db_path).exists()
    hold(db_path).release()  # free again once released


def test_a_second_process_gets_the_message_with_the_first_ones_details(db_path, db):
    mine = hold(db_path)
    try:
        other = _in_other_process("try:\n    hold(path)\nexcept FileInUse as exc:\n    print(exc)\n", db_path)
        out, err = other.communicate(timeout=60)
    finally:
        mine.release()
    assert other.returncode == 0, err
    assert out.startswith(f"books.sqlite3 is open in DebtorDesk on {socket.gethostname()} by {current_user()} since ")


def test_a_lock_left_by_a_killed_process_does_not_block(db_path, db):
    other = _in_other_process("h = hold(path)\nprint('held', flush=True)\ntime.sleep(60)\n", db_path)
    try:
        assert other.stdout.readline().strip() == "held"
        with pytest.raises(FileInUse):
            hold(db_path)
        assert read_note(db_path).pid == other.pid
    finally:
        other.send_signal(signal.SIGKILL)
        other.communicate(timeout=30)
    mine = hold(db_path)  # the system let the dead process's lock go
    try:
        assert read_note(db_path).pid == os.getpid()
    finally:
        mine.release()


def test_read_only_opening_reads_and_refuses_to_save(db_path, db):
    with db.transaction() as s:
        add_customer(s)
    looking = open_database(f"sqlite:///{db_path}", read_only=True)
    try:
        assert looking.read_only
        with looking.session() as s:
            assert s.scalar(select(func.count()).select_from(Customer)) == 1
        with pytest.raises(ReadOnlyError) as caught, looking.transaction() as s:
            add_customer(s, "NEW", "New Ltd")
        assert str(caught.value).startswith("Nothing was saved: books.sqlite3 is open read-only here")
        with db.transaction() as s:  # the writer carries on, and the reader sees its changes
            add_customer(s, "B2", "Birch")
        with looking.session() as s:
            assert s.scalar(select(func.count()).select_from(Customer)) == 2
    finally:
        looking.close()
