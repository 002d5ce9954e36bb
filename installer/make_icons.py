"""Make every application icon file from the SVG sources in resources/icons/.

    python installer/make_icons.py [--out DIR]

Writes, into resources/icons/ (or DIR):
- debtordesk-<N>.png for N in PNG_SIZES: the window icon (ui/app.py) and the Linux hicolor icons
  (installer/build.py puts them under share/icons/hicolor/<N>x<N>/apps/<app id>.png);
- debtordesk.ico (Windows: the executables, the installer and its uninstaller);
- debtordesk.icns (macOS: the .app bundle).

Sizes up to SMALL_LIMIT px come from debtordesk-small.svg, drawn on a 32-unit grid so it stays
legible at 16 px; larger sizes come from debtordesk.svg. The .ico and .icns hold PNG images
(Windows Vista and later, macOS 10.7 and later read them), written here without extra packages.
Rendering uses Qt's SVG renderer (PySide6, already a dependency); run it after editing an SVG and
commit the results.
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ICONS = ROOT / "resources" / "icons"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
SMALL_LIMIT = 32
# macOS icon types holding PNG data: (type, pixel size)
ICNS_TYPES = (("icp4", 16), ("icp5", 32), ("icp6", 64), ("ic07", 128), ("ic08", 256), ("ic09", 512),
              ("ic10", 1024), ("ic11", 32), ("ic12", 64), ("ic13", 256), ("ic14", 512))


def render_png(svg: Path, size: int) -> bytes:
    """The SVG drawn on a transparent size×size square, as PNG bytes."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg} is not a valid SVG file")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(0)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """An .ico file whose images are the given PNGs (size → bytes)."""
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries, blobs = b"", b""
    for size in sizes:
        data = pngs[size]
        side = 0 if size >= 256 else size  # 0 means 256 in an ICO directory entry
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset)
        blobs += data
        offset += len(data)
    return header + entries + blobs


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    """An .icns file with a PNG image for each of ICNS_TYPES (pngs: size → bytes)."""
    body = b"".join(kind.encode("ascii") + struct.pack(">I", 8 + len(pngs[size])) + pngs[size]
                    for kind, size in ICNS_TYPES)
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def make_icons(out: Path) -> list[Path]:
    big, small = ICONS / "debtordesk.svg", ICONS / "debtordesk-small.svg"
    sizes = sorted(set(PNG_SIZES) | set(ICO_SIZES) | {size for _, size in ICNS_TYPES})
    pngs = {size: render_png(small if size <= SMALL_LIMIT else big, size) for size in sizes}
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for size in PNG_SIZES:
        written.append(out / f"debtordesk-{size}.png")
        written[-1].write_bytes(pngs[size])
    written.append(out / "debtordesk.ico")
    written[-1].write_bytes(ico_bytes({size: pngs[size] for size in ICO_SIZES}))
    written.append(out / "debtordesk.icns")
    written[-1].write_bytes(icns_bytes(pngs))
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ICONS, help="folder to write to (default: resources/icons)")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (kept alive)
    for path in make_icons(args.out):
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}  {path.stat().st_size:>7} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
