"""What the bundle leaves out: the one list read by installer/debtordesk.spec and by our Qt hook
(installer/hooks/hook-PySide6.QtGui.py), which drops plugins before PyInstaller follows their
library dependencies (so nothing that only a dropped plugin needed is collected either).

Paths are inside the bundle, with '/' on every OS; each rule is a regular expression matched
from the start of the path.
"""

from __future__ import annotations

import re

# Babel locale data kept (each with its regional variants): the languages a European small
# business writes to and works in, plus a few world languages. Others fall back to en_GB
# formatting (ui/formatting.py, domain/money.py). The full set is ~32 MB.
KEEP_LANGUAGES = (
    "root", "en", "de", "fr", "it", "es", "pt", "nl", "da", "sv", "nb", "nn", "no", "fi", "is", "pl", "cs",
    "sk", "sl", "hr", "sr", "bs", "hu", "ro", "bg", "el", "et", "lv", "lt", "ga", "mt", "lb", "ca", "eu",
    "gl", "tr", "ru", "uk", "be", "ja", "zh", "ko", "ar", "he", "hi",
)
# Qt's own translations kept: the languages of our letter templates (resources/templates/letters)
QT_TRANSLATIONS = ("qtbase_de", "qtbase_en", "qt_de", "qt_en")

# Qt's files sit under PySide6/Qt/ on Linux and macOS, under PySide6/ on Windows
QT = "PySide6/(?:Qt/)?"
PLUGIN_DROP = (
    # platforms: keep offscreen (self-test, headless) and the desktop's own (xcb, windows, cocoa);
    # Wayland sessions run the app through XWayland
    QT + r"plugins/platforms/(lib)?q(wayland\w*|eglfs|linuxfb|minimalegl|minimal|vnc|vkkhrdisplay|direct2d)\.",
    QT + r"plugins/(wayland-[\w-]+|egldeviceintegrations|generic|xcbglintegrations)/",
    QT + r"plugins/platforminputcontexts/(lib)?qtvirtualkeyboardplugin\.",  # links QtQuick + Qml (~20 MB)
    QT + r"plugins/platformthemes/(lib)?qgtk3\.",  # would load the system's GTK against our glib
    QT + r"plugins/imageformats/(lib)?q(pdf|tga|wbmp|tiff|webp)\.",
)
DATA_DROP = (
    QT + r"translations/(?!(" + "|".join(QT_TRANSLATIONS) + r")\.qm$)",
    r"babel/locale-data/(?!(" + "|".join(KEEP_LANGUAGES) + r")(_\w+)?\.dat$)",
    r"reportlab/fonts/.*\.(pfb|afm)$",  # Type 1 files for base-14 embedding: letters embed DejaVu
)
BINARY_DROP = PLUGIN_DROP + (
    # a safety net on Linux (checked there by CI): libraries only dropped plugins would need
    r"PySide6/Qt/lib/libQt6(Quick|Qml|VirtualKeyboard|WaylandClient|WaylandEgl|WlShell|EglFS|Network|OpenGL|Pdf)",
)

_plugin_re = re.compile("|".join(f"(?:{rule})" for rule in PLUGIN_DROP))
_data_re = re.compile("|".join(f"(?:{rule})" for rule in DATA_DROP))
_binary_re = re.compile("|".join(f"(?:{rule})" for rule in BINARY_DROP))


def _path(dest: str) -> str:
    return dest.replace("\\", "/")


def dropped_plugin(dest: str) -> bool:
    return bool(_plugin_re.match(_path(dest)))


def keep_binaries(toc):
    """Analysis binaries (dest, src, typecode) minus the dropped ones."""
    return [entry for entry in toc if not _binary_re.match(_path(entry[0]))]


def keep_datas(toc):
    """Analysis datas (dest, src, typecode) minus the dropped ones."""
    return [entry for entry in toc if not _data_re.match(_path(entry[0]))]
