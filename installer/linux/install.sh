#!/bin/sh
# DebtorDesk for Linux: run this from the unpacked folder.
#
#   ./install.sh              install for you alone (no root needed):
#                               the program in ~/.local/opt/debtordesk, the `debtordesk` command in
#                               ~/.local/bin, the menu entry, icons and metainfo in ~/.local/share
#   sudo ./install.sh --system install for everyone: /opt/debtordesk, /usr/local/bin, /usr/local/share
#   ./install.sh --uninstall  remove what install put there (add --system for a system install)
#
# Upgrading is installing the new version the same way: the program folder is replaced whole.
# Your data is never touched, by an upgrade or by --uninstall: the database and letters live in
# ~/.local/share/DebtorDesk, the settings in ~/.config/DebtorDesk.
set -eu

APP_ID=io.github.debtordesk.DebtorDesk
HERE="$(cd "$(dirname "$0")" && pwd)"
SYSTEM=0
ACTION=install
for arg in "$@"; do
  case "$arg" in
    --system) SYSTEM=1 ;;
    --uninstall) ACTION=uninstall ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown option $arg (try --help)" >&2; exit 2 ;;
  esac
done

if [ "$SYSTEM" = 1 ]; then
  PROGRAM=/opt/debtordesk
  BIN=/usr/local/bin
  SHARE=/usr/local/share
else
  PROGRAM="$HOME/.local/opt/debtordesk"
  BIN="$HOME/.local/bin"
  SHARE="${XDG_DATA_HOME:-$HOME/.local/share}"
fi
SIZES="16 24 32 48 64 128 256 512"

refresh_caches() {
  command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$SHARE/applications" || true
  command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$SHARE/icons/hicolor" || true
}

if [ "$ACTION" = uninstall ]; then
  rm -rf "$PROGRAM"
  rm -f "$BIN/debtordesk" "$SHARE/applications/$APP_ID.desktop" "$SHARE/metainfo/$APP_ID.metainfo.xml" \
        "$SHARE/icons/hicolor/scalable/apps/$APP_ID.svg"
  for size in $SIZES; do rm -f "$SHARE/icons/hicolor/${size}x${size}/apps/$APP_ID.png"; done
  refresh_caches
  echo "DebtorDesk is uninstalled. Your data in ~/.local/share/DebtorDesk is still there."
  exit 0
fi

[ -x "$HERE/debtordesk" ] && [ -d "$HERE/_internal" ] || {
  echo "install.sh: run me from the unpacked DebtorDesk folder (debtordesk and _internal/ beside me)" >&2; exit 1; }

# the program: copied beside the old one, then swapped in, so a failed copy leaves the old one working
mkdir -p "$(dirname "$PROGRAM")" "$BIN" "$SHARE/applications" "$SHARE/metainfo"
rm -rf "$PROGRAM.new" "$PROGRAM.old"
mkdir "$PROGRAM.new"
cp -R "$HERE/debtordesk" "$HERE/_internal" "$PROGRAM.new/"
[ -d "$PROGRAM" ] && mv "$PROGRAM" "$PROGRAM.old"
mv "$PROGRAM.new" "$PROGRAM"
rm -rf "$PROGRAM.old"
ln -sf "$PROGRAM/debtordesk" "$BIN/debtordesk"

# the menu entry runs the program by its full path (~/.local/bin is not always on a desktop's PATH)
sed -e "s|^Exec=.*|Exec=$PROGRAM/debtordesk|" -e "s|^TryExec=.*|TryExec=$PROGRAM/debtordesk|" \
    "$HERE/share/applications/$APP_ID.desktop" > "$SHARE/applications/$APP_ID.desktop"
cp "$HERE/share/metainfo/$APP_ID.metainfo.xml" "$SHARE/metainfo/"
for size in $SIZES; do
  mkdir -p "$SHARE/icons/hicolor/${size}x${size}/apps"
  cp "$HERE/share/icons/hicolor/${size}x${size}/apps/$APP_ID.png" "$SHARE/icons/hicolor/${size}x${size}/apps/"
done
mkdir -p "$SHARE/icons/hicolor/scalable/apps"
cp "$HERE/share/icons/hicolor/scalable/apps/$APP_ID.svg" "$SHARE/icons/hicolor/scalable/apps/"
refresh_caches

echo "DebtorDesk $("$PROGRAM/debtordesk" --version | sed 's/^DebtorDesk //') is installed in $PROGRAM."
echo "Start it from your applications menu, or run: debtordesk"
case ":$PATH:" in *":$BIN:"*) ;; *) echo "($BIN is not on your PATH: the menu entry works all the same.)" ;; esac
