"""The installer files stay in step: one version (pyproject.toml), one app id, the executables the
spec makes are the ones the per-OS scripts name, the bundle keeps what the app needs, and the
Linux tarball's install.sh installs, upgrades and uninstalls without touching the user's data."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INSTALLER = ROOT / "installer"


def _load(name: str):
    """installer/<name>.py, as module installer_<name> (installer/ is no package)."""
    spec = importlib.util.spec_from_file_location(f"installer_{name}", INSTALLER / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


appinfo = _load("appinfo")
bundle_rules = _load("bundle_rules")
build = _load("build")
APP_ID = appinfo.APP_ID


def _pyproject_version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def test_the_version_comes_from_pyproject(tmp_path):
    assert appinfo.read_version() == _pyproject_version()
    other = tmp_path / "pyproject.toml"
    other.write_text('[project]\nname = "debtordesk"\nversion = "9.8.7rc1"\n', encoding="utf-8")
    assert appinfo.read_version(other) == "9.8.7rc1"
    assert appinfo.numeric_version("9.8.7rc1") == (9, 8, 7, 0)
    assert appinfo.numeric_version("2.0") == (2, 0, 0, 0)
    assert appinfo.artefact_stem("9.8.7").startswith("debtordesk-9.8.7-")


def test_no_installer_file_writes_the_version_down():
    spec = (INSTALLER / "debtordesk.spec").read_text(encoding="utf-8")
    assert "VERSION = appinfo.read_version()" in spec
    assert "copy_metadata(\"debtordesk\")" in spec  # --version in the bundle reads the package metadata
    for path in [INSTALLER / "debtordesk.spec", INSTALLER / "windows" / "debtordesk.iss",
                 INSTALLER / "macos" / "make_dmg.sh", INSTALLER / "linux" / "install.sh"]:
        text = re.sub(r"(?m)^\s*[#;].*$", "", path.read_text(encoding="utf-8"))  # comments may show examples
        assert _pyproject_version() not in text, path


def test_the_metainfo_has_release_notes_for_this_version():
    metainfo = (INSTALLER / "linux" / f"{APP_ID}.metainfo.xml").read_text(encoding="utf-8")
    assert f'<release version="{_pyproject_version()}"' in metainfo
    build.check_in_step(_pyproject_version())
    with pytest.raises(SystemExit, match="release notes"):
        build.check_in_step("99.0.0")


def test_one_app_id_everywhere():
    from debtordesk.ui.app import APP_ID as ui_app_id

    assert ui_app_id == APP_ID
    desktop = (INSTALLER / "linux" / f"{APP_ID}.desktop").read_text(encoding="utf-8")
    assert f"\nIcon={APP_ID}\n" in desktop and f"\nExec={appinfo.EXE_LINUX}\n" in desktop
    metainfo = (INSTALLER / "linux" / f"{APP_ID}.metainfo.xml").read_text(encoding="utf-8")
    assert f"<id>{APP_ID}</id>" in metainfo and f">{APP_ID}.desktop</launchable>" in metainfo
    assert f"<binary>{appinfo.EXE_LINUX}</binary>" in metainfo
    assert f"APP_ID={APP_ID}\n" in (INSTALLER / "linux" / "install.sh").read_text(encoding="utf-8")
    spec = (INSTALLER / "debtordesk.spec").read_text(encoding="utf-8")
    assert "bundle_identifier=appinfo.APP_ID" in spec


def test_the_windows_and_macos_scripts_name_what_the_spec_makes():
    iss = (INSTALLER / "windows" / "debtordesk.iss").read_text(encoding="utf-8")
    assert f'#define GuiExe "{appinfo.EXE_GUI_WINDOWS}.exe"' in iss
    assert "Source: \"{#SourceDir}\\*\"" in iss and "recursesubdirs" in iss
    assert "{autoprograms}" in iss and "[UninstallDelete]" in iss
    assert "localappdata" in iss  # the uninstaller says where the data stayed, and leaves it
    spec = (INSTALLER / "debtordesk.spec").read_text(encoding="utf-8")
    for name in ("EXE_GUI_WINDOWS", "EXE_CLI_WINDOWS", "EXE_MACOS", "EXE_LINUX", "BUNDLE_DIR"):
        assert f"appinfo.{name}" in spec
    assert f"{appinfo.APP_NAME}.app" == f"{appinfo.EXE_MACOS}.app"  # make_dmg.sh and build.py expect it
    build_text = (INSTALLER / "build.py").read_text(encoding="utf-8")
    assert "/DAppVersion=" in build_text and "make_dmg.sh" in build_text


@pytest.mark.parametrize("path, kept", [
    ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
    ("PySide6/Qt/plugins/platforms/libqoffscreen.so", True),
    ("PySide6/Qt/plugins/platforms/qwindows.dll", True),
    ("PySide6/Qt/plugins/platforms/libqcocoa.dylib", True),
    ("PySide6/Qt/plugins/printsupport/libcupsprintersupport.so", True),
    ("PySide6/Qt/plugins/imageformats/libqjpeg.so", True),
    ("PySide6/Qt/plugins/platforms/libqwayland.so", False),
    ("PySide6/Qt/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so", False),
    ("PySide6/Qt/plugins/imageformats/qpdf.dll", False),
    ("PySide6/Qt/lib/libQt6Quick.so.6", False),
    ("PySide6/Qt/lib/libQt6Widgets.so.6", True),
    ("PySide6/Qt/lib/libQt6PrintSupport.so.6", True),
    ("PySide6/plugins/platforms/qwindows.dll", True),  # the Windows wheel's layout
    ("PySide6/plugins/platforminputcontexts/qtvirtualkeyboardplugin.dll", False),
    ("PySide6/Qt6Widgets.dll", True),
])
def test_the_bundle_keeps_the_qt_parts_the_app_needs(path, kept):
    assert (bundle_rules.keep_binaries([(path, "src", "BINARY")]) != []) is kept
    assert (bundle_rules.keep_binaries([(path.replace("/", "\\"), "src", "BINARY")]) != []) is kept


def test_the_bundle_keeps_the_locales_our_letters_and_sample_data_use():
    def kept(name: str) -> bool:
        return bundle_rules.keep_datas([(f"babel/locale-data/{name}.dat", "src", "DATA")]) != []

    languages = [p.name for p in (ROOT / "resources" / "templates" / "letters").iterdir() if p.is_dir()]
    assert languages and all(kept(lang) for lang in languages)
    for name in ("root", "en", "en_GB", "en_001", "en_150", "de_DE", "de_AT", "fr_FR", "el", "bg", "nb_NO", "pt_BR"):
        assert kept(name), name
    assert not kept("sw") and not kept("yue_Hant_HK")
    assert bundle_rules.keep_datas([("babel/global.dat", "src", "DATA")])
    assert bundle_rules.keep_datas([("PySide6/Qt/translations/qtbase_de.qm", "src", "DATA")])
    assert not bundle_rules.keep_datas([("PySide6/Qt/translations/qtbase_ja.qm", "src", "DATA")])
    assert not bundle_rules.keep_datas([("PySide6/translations/qtbase_ja.qm", "src", "DATA")])
    assert bundle_rules.keep_datas([("PySide6/translations/qtbase_de.qm", "src", "DATA")])
    assert bundle_rules.keep_datas([("resources/fonts/DejaVuSans.ttf", "src", "DATA")])


def test_the_desktop_file_and_metainfo_validate():
    desktop = INSTALLER / "linux" / f"{APP_ID}.desktop"
    metainfo = INSTALLER / "linux" / f"{APP_ID}.metainfo.xml"
    ran = 0
    if shutil.which("desktop-file-validate"):
        proc = subprocess.run(["desktop-file-validate", str(desktop)], capture_output=True, text=True)
        assert proc.returncode == 0 and not proc.stdout.strip(), proc.stdout
        ran += 1
    if shutil.which("appstreamcli"):
        proc = subprocess.run(["appstreamcli", "validate", "--no-net", str(metainfo)], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        ran += 1
    if not ran:
        pytest.skip("neither desktop-file-validate nor appstreamcli is installed")


def _fake_bundle(folder: Path, version: str) -> Path:
    """A stand-in for dist/DebtorDesk: an executable that prints its version, and _internal/."""
    bundle = folder / "DebtorDesk"
    (bundle / "_internal").mkdir(parents=True)
    (bundle / "_internal" / "marker.txt").write_text(version, encoding="utf-8")
    exe = bundle / "debtordesk"
    exe.write_text(f"#!/bin/sh\necho 'DebtorDesk {version}'\n", encoding="utf-8")
    exe.chmod(0o755)
    return bundle


@pytest.mark.skipif(sys.platform == "win32", reason="install.sh is for Linux")
def test_install_sh_installs_upgrades_and_uninstalls_without_touching_data(tmp_path, monkeypatch):
    monkeypatch.setattr(build, "DIST", tmp_path / "dist")
    home = tmp_path / "home"
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin"}
    data = home / ".local" / "share" / "DebtorDesk" / "debtordesk.sqlite3"
    data.parent.mkdir(parents=True)
    data.write_bytes(b"the user's books")

    for version in ("1.0.0", "1.1.0"):  # install, then upgrade over it
        top = build.linux_tree(_fake_bundle(tmp_path / version, version), version)
        assert (top / "share" / "icons" / "hicolor" / "16x16" / "apps" / f"{APP_ID}.png").is_file()
        assert (top / "share" / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").is_file()
        proc = subprocess.run(["sh", str(top / "install.sh")], capture_output=True, text=True, env=env, cwd=tmp_path)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert f"DebtorDesk {version} is installed" in proc.stdout

    program = home / ".local" / "opt" / "debtordesk"
    assert (program / "_internal" / "marker.txt").read_text() == "1.1.0"
    assert not program.with_name("debtordesk.old").exists() and not program.with_name("debtordesk.new").exists()
    assert (home / ".local" / "bin" / "debtordesk").resolve() == (program / "debtordesk").resolve()
    entry = (home / ".local" / "share" / "applications" / f"{APP_ID}.desktop").read_text(encoding="utf-8")
    assert f"\nExec={program}/debtordesk\n" in entry and f"\nIcon={APP_ID}\n" in entry
    assert (home / ".local" / "share" / "icons" / "hicolor" / "512x512" / "apps" / f"{APP_ID}.png").is_file()
    assert (home / ".local" / "share" / "metainfo" / f"{APP_ID}.metainfo.xml").is_file()

    proc = subprocess.run(["sh", str(top / "install.sh"), "--uninstall"], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    assert not program.exists() and not (home / ".local" / "bin" / "debtordesk").exists()
    assert not (home / ".local" / "share" / "applications" / f"{APP_ID}.desktop").exists()
    assert data.read_bytes() == b"the user's books"
