"""House rules: only ui/ imports Qt; the layer check of the design guide passes."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_nothing_but_ui_loads_qt():
    code = (
        "import sys, pkgutil, importlib, debtordesk\n"
        "for m in pkgutil.walk_packages(debtordesk.__path__, 'debtordesk.'):\n"
        "    if '.ui' in m.name or m.name.endswith('__main__') or '.migrations' in m.name or '.tools' in m.name:\n"
        "        continue\n"
        "    importlib.import_module(m.name)\n"
        "bad = sorted(n for n in sys.modules if n.startswith('PySide6'))\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_cli_start_does_not_load_the_database_stack():
    code = "import sys, debtordesk.cli; sys.exit(int('sqlalchemy' in sys.modules or 'PySide6' in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_house_rules():
    checker = ROOT.parent / "shared" / "tools" / "check-layers.py"
    if not checker.exists():
        pytest.skip("the design guide's checker (../shared/tools) is not beside this checkout")
    proc = subprocess.run([sys.executable, str(checker), str(ROOT)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout
