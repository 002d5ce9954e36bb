# DebtorDesk's QtGui hook: PyInstaller's own, minus the plugins installer/bundle_rules.py drops.
# Dropping them here, before PyInstaller follows the plugins' library dependencies, keeps out
# what only those plugins needed (QtQuick for the virtual keyboard, GTK for the gtk3 theme ...).
import os
import sys

from PyInstaller.utils.hooks.qt import add_qt6_dependencies

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import bundle_rules  # noqa: E402  (installer/bundle_rules.py)

hiddenimports, binaries, datas = add_qt6_dependencies(__file__)
binaries = [(src, dest) for src, dest in binaries
            if not bundle_rules.dropped_plugin(f"{dest}/{os.path.basename(src)}")]
