#!/usr/bin/env bash
# DebtorDesk for macOS: put dist/DebtorDesk.app (made by installer/debtordesk.spec, with its
# Info.plist) on a compressed disk image with a shortcut to /Applications, so people install it by
# dragging the app across. installer/build.py runs this on macOS after PyInstaller:
#
#   bash installer/macos/make_dmg.sh dist/DebtorDesk.app dist/debtordesk-0.1.0-macos-arm64.dmg
#
# Signing and notarising (optional; without them Gatekeeper asks people to right-click ▸ Open the
# first time) happen when these are set:
#   CODESIGN_IDENTITY   "Developer ID Application: Name (TEAMID)": signs the app (hardened runtime)
#                       and the disk image
#   NOTARY_PROFILE      a `xcrun notarytool store-credentials` profile: notarises the image and
#                       staples the ticket to it
# Upgrading is dragging the new app over the old one: the data lives in
# ~/Library/Application Support/DebtorDesk and the settings in ~/Library/Preferences, outside the app.
set -euo pipefail

APP="${1:?usage: make_dmg.sh PATH/DebtorDesk.app OUT.dmg}"
OUT="${2:?usage: make_dmg.sh PATH/DebtorDesk.app OUT.dmg}"
[ -d "$APP/Contents/MacOS" ] || { echo "make_dmg.sh: $APP is not an app bundle" >&2; exit 1; }
command -v hdiutil >/dev/null || { echo "make_dmg.sh: needs macOS (hdiutil)" >&2; exit 1; }

PLIST="$APP/Contents/Info.plist"
VERSION="$(/usr/libexec/PlistBuddy -c 'Print :CFBundleShortVersionString' "$PLIST")"
NAME="$(/usr/libexec/PlistBuddy -c 'Print :CFBundleName' "$PLIST")"

if [ -n "${CODESIGN_IDENTITY:-}" ]; then
  echo "Signing $APP"
  codesign --force --deep --timestamp --options runtime --sign "$CODESIGN_IDENTITY" "$APP"
  codesign --verify --deep --strict --verbose=1 "$APP"
fi

STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT
cp -R "$APP" "$STAGE/"
ln -s /Applications "$STAGE/Applications"
rm -f "$OUT"
hdiutil create -volname "$NAME $VERSION" -srcfolder "$STAGE" -fs HFS+ -format UDZO -imagekey zlib-level=9 \
  -ov "$OUT" >/dev/null

if [ -n "${CODESIGN_IDENTITY:-}" ]; then
  codesign --force --timestamp --sign "$CODESIGN_IDENTITY" "$OUT"
fi
if [ -n "${NOTARY_PROFILE:-}" ]; then
  echo "Notarising $OUT (takes a few minutes)"
  xcrun notarytool submit "$OUT" --keychain-profile "$NOTARY_PROFILE" --wait
  xcrun stapler staple "$OUT"
fi
echo "Made $OUT ($(du -h "$OUT" | cut -f1))"
