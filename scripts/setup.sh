# Sourced by scripts/run and scripts/test: installs what DebtorDesk needs into .venv.
# As root on Debian/Ubuntu it also installs the system libraries Qt needs (apt).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# Libraries Qt loads on Linux (offscreen and X11), fonts, and poppler for the PDF tests.
QT_APT_PACKAGES="libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libfreetype6 \
libglib2.0-0 libdbus-1-3 libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 \
libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xfixes0 libxcb-xkb1 fonts-dejavu-core"

apt_install() {  # apt_install PKG...: installs the missing ones when we are root on apt
  if [ "$(uname -s)" != Linux ] || ! command -v apt-get >/dev/null 2>&1; then return 0; fi
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "DebtorDesk needs these system packages: ${missing[*]}" >&2
    echo "Install them with: sudo apt-get install ${missing[*]}" >&2
    return 0
  fi
  echo "Installing system packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

pick_python() {
  for py in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
    [ -n "$py" ] && command -v "$py" >/dev/null 2>&1 || continue
    if "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$py"; return 0
    fi
  done
  echo "DebtorDesk needs Python 3.11 or newer; please install it first." >&2
  return 1
}

make_venv() {  # make_venv EXTRAS: creates .venv if needed and installs the project into it
  local extras="$1" py
  py="$(pick_python)"
  if [ ! -x .venv/bin/python ]; then
    if ! "$py" -m venv .venv 2>/dev/null; then
      rm -rf .venv
      apt_install python3-venv
      "$py" -m venv .venv
    fi
  fi
  .venv/bin/python -m pip install -q --disable-pip-version-check -e ".${extras}"
}

start_postgres() {  # exports DEBTORDESK_TEST_PG: the given server, else a local one (installed and started as root)
  # Debian's postgresql package on 127.0.0.1, throw-away settings (no fsync, no autovacuum), a role that may create databases.
  [ -n "${DEBTORDESK_TEST_PG:-}" ] && return 0
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then return 1; fi
  local version port
  apt_install postgresql
  version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
  if ! pg_lsclusters -h | awk '{print $1, $2}' | grep -qx "$version main"; then
    pg_createcluster "$version" main >/dev/null
  fi
  if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $4}' | grep -qx online; then
    pg_ctlcluster "$version" main start -- -o "-c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c autovacuum=off"
  fi
  for _ in $(seq 1 30); do
    su postgres -c "psql -qtAc 'SELECT 1'" >/dev/null 2>&1 && break
    sleep 1
  done
  su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname = 'debtordesk'\"" | grep -q 1 ||
    su postgres -c "psql -qc \"CREATE ROLE debtordesk LOGIN CREATEDB PASSWORD 'debtordesk'\""
  port="$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $3}')"
  export DEBTORDESK_TEST_PG="postgresql+psycopg://debtordesk:debtordesk@127.0.0.1:${port}/postgres"
}
