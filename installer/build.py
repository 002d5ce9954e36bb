"""Build DebtorDesk's installer for the OS this runs on.

    pip install -e ".[build]"       # once: PyInstaller
    python installer/build.py       # → dist/DebtorDesk/ and the OS's package in dist/

Steps: check the per-OS files agree with pyproject's version (a release-notes entry in the
metainfo), run PyInstaller with installer/debtordesk.spec (one folder: dist/DebtorDesk/), then
package that folder:
- Linux: dist/debtordesk-<version>-linux-<arch>.tar.gz, holding the program, the .desktop file,
  the AppStream metainfo, hicolor icons and install.sh (per-user or --system install);
- Windows: dist/debtordesk-<version>-windows-<arch>-setup.exe with Inno Setup 6 (`iscc` on PATH
  or in its default folder): installer/windows/debtordesk.iss;
- macOS: dist/DebtorDesk.app (made by the spec) and dist/debtordesk-<version>-macos-<arch>.dmg
  with installer/macos/make_dmg.sh.
It prints the bundle's size, the package's size and the build time. Options: --bundle-only
(skip packaging), --check (run the built program's --version and --self-test afterwards).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import appinfo  # noqa: E402

ROOT = appinfo.ROOT
INSTALLER = ROOT / "installer"
DIST = ROOT / "dist"
WORK = ROOT / "build" / "pyinstaller"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def say(text: str) -> None:
    print(f"build: {text}", flush=True)


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def mib(n: int) -> str:
    return f"{n / 1048576:.0f} MiB"


def check_in_step(version: str) -> None:
    """The per-OS files must describe this version: stop early rather than ship a stale one."""
    metainfo = (INSTALLER / "linux" / f"{appinfo.APP_ID}.metainfo.xml").read_text(encoding="utf-8")
    if f'<release version="{version}"' not in metainfo:
        raise SystemExit(f"build: installer/linux/{appinfo.APP_ID}.metainfo.xml has no <release version=\"{version}\"> "
                         "entry: add this version's release notes first.")
    missing = [f"resources/icons/debtordesk-{n}.png" for n in ICON_SIZES
               if not (ROOT / "resources" / "icons" / f"debtordesk-{n}.png").is_file()]
    if missing:
        raise SystemExit(f"build: missing {', '.join(missing)}: run `python installer/make_icons.py`.")


def run_pyinstaller() -> Path:
    cmd = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
           "--distpath", str(DIST), "--workpath", str(WORK), str(INSTALLER / "debtordesk.spec")]
    say(" ".join(cmd[2:]))
    subprocess.run(cmd, check=True, cwd=ROOT)
    bundle = DIST / appinfo.BUNDLE_DIR
    if not bundle.is_dir():
        raise SystemExit(f"build: PyInstaller made no {bundle}")
    return bundle


def executable(bundle: Path) -> Path:
    if sys.platform == "win32":
        return bundle / f"{appinfo.EXE_CLI_WINDOWS}.exe"
    if sys.platform == "darwin":
        return bundle / appinfo.EXE_MACOS
    return bundle / appinfo.EXE_LINUX


def linux_tree(bundle: Path, version: str) -> Path:
    """dist/debtordesk-<version>-linux-<arch>/: the program plus what a desktop needs to list it."""
    top = DIST / appinfo.artefact_stem(version)
    shutil.rmtree(top, ignore_errors=True)
    shutil.copytree(bundle, top, symlinks=True)
    share = top / "share"
    (share / "applications").mkdir(parents=True)
    (share / "metainfo").mkdir()
    shutil.copy2(INSTALLER / "linux" / f"{appinfo.APP_ID}.desktop", share / "applications")
    shutil.copy2(INSTALLER / "linux" / f"{appinfo.APP_ID}.metainfo.xml", share / "metainfo")
    icons = ROOT / "resources" / "icons"
    for size in ICON_SIZES:
        target = share / "icons" / "hicolor" / f"{size}x{size}" / "apps"
        target.mkdir(parents=True)
        shutil.copy2(icons / f"debtordesk-{size}.png", target / f"{appinfo.APP_ID}.png")
    scalable = share / "icons" / "hicolor" / "scalable" / "apps"
    scalable.mkdir(parents=True)
    shutil.copy2(icons / "debtordesk.svg", scalable / f"{appinfo.APP_ID}.svg")
    shutil.copy2(INSTALLER / "linux" / "install.sh", top / "install.sh")
    (top / "install.sh").chmod(0o755)
    (top / "README.txt").write_text(
        f"DebtorDesk {version} for Linux ({appinfo.os_tag()})\n\n"
        "Run it from here:       ./debtordesk\n"
        "Install it (menu entry, icon, `debtordesk` command) for you alone:   ./install.sh\n"
        "... or for everyone:    sudo ./install.sh --system\n"
        "Check the installation: ./debtordesk --self-test\n\n"
        "Your data lives in ~/.local/share/DebtorDesk: upgrading (installing a newer version the\n"
        "same way) and ./install.sh --uninstall leave it alone.\n"
        "Needs a 64-bit Linux with glibc 2.34 or newer (Debian 12, Ubuntu 22.04, Fedora 35 or later)\n"
        "and its OpenGL/EGL libraries (Debian/Ubuntu: libgl1 libegl1, present on any desktop).\n",
        encoding="utf-8")
    return top


def tarball(top: Path) -> Path:
    out = DIST / f"{top.name}.tar.gz"
    out.unlink(missing_ok=True)
    if shutil.which("tar"):  # GNU tar + gzip: quicker than tarfile on ~200 MB
        subprocess.run(["tar", "-C", str(DIST), "-czf", str(out), top.name], check=True)
    else:
        with tarfile.open(out, "w:gz", compresslevel=6) as tar:
            tar.add(top, arcname=top.name)
    return out


def package_linux(bundle: Path, version: str) -> list[Path]:
    top = linux_tree(bundle, version)
    return [tarball(top)]


def package_windows(bundle: Path, version: str) -> list[Path]:
    iscc = shutil.which("iscc") or shutil.which("ISCC")
    default = Path(os.environ.get("ProgramFiles(x86)", r"C:\Program Files (x86)")) / "Inno Setup 6" / "ISCC.exe"
    if not iscc and default.is_file():
        iscc = str(default)
    if not iscc:
        say("Inno Setup 6 (iscc) not found: the bundle is in dist/DebtorDesk; install Inno Setup to make setup.exe")
        return []
    stem = appinfo.artefact_stem(version)
    numeric = ".".join(str(n) for n in appinfo.numeric_version(version))
    subprocess.run([iscc, f"/DAppVersion={version}", f"/DAppVersionNumeric={numeric}", f"/DOutputBase={stem}-setup",
                    f"/DSourceDir={bundle}", f"/DOutputDir={DIST}", f"/DRoot={ROOT}",
                    str(INSTALLER / "windows" / "debtordesk.iss")], check=True)
    return [DIST / f"{stem}-setup.exe"]


def package_macos(bundle: Path, version: str) -> list[Path]:
    app = DIST / f"{appinfo.APP_NAME}.app"
    out = DIST / f"{appinfo.artefact_stem(version)}.dmg"
    subprocess.run(["bash", str(INSTALLER / "macos" / "make_dmg.sh"), str(app), str(out)], check=True)
    return [out]


def check_bundle(exe: Path) -> None:
    """Run the built program as a user would: from another folder, offscreen, with its own HOME."""
    with tempfile.TemporaryDirectory(prefix="debtordesk-check-") as home:
        env = {**os.environ, "HOME": home, "QT_QPA_PLATFORM": "offscreen", "XDG_DATA_HOME": f"{home}/data",
               "XDG_CONFIG_HOME": f"{home}/config"}
        for args in (["--version"], ["--self-test"]):
            say(f"{exe.name} {' '.join(args)}")
            subprocess.run([str(exe), *args], check=True, cwd=home, env=env, timeout=300)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bundle-only", action="store_true", help="build dist/DebtorDesk only, no package")
    parser.add_argument("--check", action="store_true", help="run the built program's --version and --self-test")
    args = parser.parse_args(argv)

    version = appinfo.read_version()
    check_in_step(version)
    say(f"DebtorDesk {version} for {appinfo.os_tag()}")
    started = time.perf_counter()
    bundle = run_pyinstaller()
    built = time.perf_counter()
    packages: list[Path] = []
    if not args.bundle_only:
        package = {"win32": package_windows, "darwin": package_macos}.get(sys.platform, package_linux)
        packages = package(bundle, version)
    done = time.perf_counter()
    say(f"bundle   {bundle.relative_to(ROOT)}: {mib(folder_size(bundle))} "
        f"({sum(1 for p in bundle.rglob('*') if p.is_file())} files), PyInstaller {built - started:.0f} s")
    for path in packages:
        say(f"package  {path.relative_to(ROOT)}: {mib(path.stat().st_size)}")
    say(f"total build time {done - started:.0f} s")
    if args.check:
        check_bundle(executable(bundle))
    return 0


if __name__ == "__main__":
    sys.exit(main())
