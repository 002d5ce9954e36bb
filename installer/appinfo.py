"""What every installer says about DebtorDesk, in one place: read by the PyInstaller spec, by
installer/build.py (which passes it to Inno Setup, the .desktop/metainfo files and the .dmg
script) and by the tests that keep the per-OS files in step with it.

The version is not written here: it is read from pyproject.toml, the one place it lives.
"""

from __future__ import annotations

import platform
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"

APP_NAME = "DebtorDesk"
APP_ID = "io.github.debtordesk.DebtorDesk"  # reverse DNS: .desktop, metainfo, icons, macOS bundle id
PUBLISHER = "DebtorDesk"
HOMEPAGE = "https://debtordesk.github.io/"
SUMMARY = "Who owes what, how late, and the letters that get you paid"
COPYRIGHT = "Copyright © 2026 DebtorDesk"
# the executables in the one-folder bundle (installer/debtordesk.spec makes them)
EXE_LINUX = "debtordesk"            # Linux: one executable, GUI by default, sub-commands in a terminal
EXE_GUI_WINDOWS = "DebtorDesk"      # Windows: the windowed app the Start menu opens ...
EXE_CLI_WINDOWS = "debtordesk-cli"  # ... and a console twin for --version, --self-test and sub-commands
EXE_MACOS = "DebtorDesk"            # inside DebtorDesk.app/Contents/MacOS/
BUNDLE_DIR = "DebtorDesk"           # dist/DebtorDesk/ (the one-folder build)


def read_version(pyproject: Path = PYPROJECT) -> str:
    """The version in pyproject.toml ([project] version)."""
    with pyproject.open("rb") as f:
        return tomllib.load(f)["project"]["version"]


def numeric_version(version: str) -> tuple[int, int, int, int]:
    """'1.2.3rc1' → (1, 2, 3, 0): the four numbers Windows file version info needs."""
    numbers = [int(m.group()) if (m := re.match(r"\d+", piece)) else 0 for piece in version.split(".")[:4]]
    a, b, c, d = (numbers + [0, 0, 0, 0])[:4]
    return a, b, c, d


def os_tag() -> str:
    """'linux-x86_64', 'windows-amd64', 'macos-arm64': the platform part of an artefact's name."""
    system = {"linux": "linux", "win32": "windows", "darwin": "macos"}.get(sys.platform, sys.platform)
    return f"{system}-{platform.machine().lower()}"


def artefact_stem(version: str | None = None) -> str:
    """'debtordesk-0.1.0-linux-x86_64': how the tarball, installer and disk image are named."""
    return f"debtordesk-{version or read_version()}-{os_tag()}"
