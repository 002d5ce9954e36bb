"""installer/make_icons.py makes every icon size from the SVGs, and the committed icons are those."""

from __future__ import annotations

import importlib.util
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ICONS = ROOT / "resources" / "icons"


def _make_icons():
    spec = importlib.util.spec_from_file_location("installer_make_icons", ROOT / "installer" / "make_icons.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def ico_sizes(data: bytes) -> list[int]:
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind) == (0, 1)
    sizes = []
    for i in range(count):
        width, height, _, _, _, _, length, offset = struct.unpack("<BBBBHHII", data[6 + 16 * i: 22 + 16 * i])
        image = png_size(data[offset: offset + length])
        assert image == (width or 256, height or 256)
        sizes.append(image[0])
    return sizes


def icns_entries(data: bytes) -> dict[str, int]:
    assert data[:4] == b"icns" and struct.unpack(">I", data[4:8])[0] == len(data)
    entries, at = {}, 8
    while at < len(data):
        kind, length = data[at: at + 4].decode(), struct.unpack(">I", data[at + 4: at + 8])[0]
        entries[kind] = png_size(data[at + 8: at + length])[0]
        at += length
    return entries


def test_make_icons_writes_every_size(qapp, tmp_path):
    make_icons = _make_icons()
    assert make_icons.main(["--out", str(tmp_path)]) == 0
    for size in make_icons.PNG_SIZES:
        assert png_size((tmp_path / f"debtordesk-{size}.png").read_bytes()) == (size, size)
    assert ico_sizes((tmp_path / "debtordesk.ico").read_bytes()) == sorted(make_icons.ICO_SIZES)
    assert icns_entries((tmp_path / "debtordesk.icns").read_bytes()) == dict(make_icons.ICNS_TYPES)


def test_the_committed_icons_are_complete_and_drawn():
    from debtordesk.ui.app import ICON_SIZES

    make_icons = _make_icons()
    assert tuple(make_icons.PNG_SIZES) == ICON_SIZES  # the window icon loads every size made
    for size in ICON_SIZES:
        data = (ICONS / f"debtordesk-{size}.png").read_bytes()
        assert png_size(data) == (size, size)
    assert ico_sizes((ICONS / "debtordesk.ico").read_bytes()) == sorted(make_icons.ICO_SIZES)
    assert icns_entries((ICONS / "debtordesk.icns").read_bytes()) == dict(make_icons.ICNS_TYPES)


def test_the_application_icon_is_set(qapp):
    from debtordesk.ui.app import app_icon, make_app

    app = make_app()
    sizes = {(s.width(), s.height()) for s in app_icon().availableSizes()}
    assert {(16, 16), (32, 32), (256, 256)} <= sizes
    assert not app.windowIcon().isNull()
    assert (app.applicationName(), app.organizationName(), app.desktopFileName()) == (
        "DebtorDesk", "DebtorDesk", "io.github.debtordesk.DebtorDesk")
    assert app.applicationVersion()
