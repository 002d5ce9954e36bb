import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

EXE = Path(sys.executable).with_name("debtordesk")


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


def make_runner(folder: Path):
    """A function running `debtordesk ARGS` in a subprocess, by default on folder/cli.sqlite3."""
    db = folder / "cli.sqlite3"

    def run(*args: str, db_path: Path = db) -> Result:
        env = {**os.environ, "DEBTORDESK_DB": str(db_path)}
        proc = subprocess.run([str(EXE), *args], capture_output=True, text=True, env=env,
                              cwd=folder, timeout=120)
        return Result(proc.returncode, proc.stdout, proc.stderr)

    run.db = db
    return run


@pytest.fixture
def cli(tmp_path):
    """`debtordesk` on a fresh database in tmp_path."""
    return make_runner(tmp_path)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
