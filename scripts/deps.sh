#!/usr/bin/env bash
# Installs what linli needs on a fresh Debian 12 machine: the Debian packages that are missing,
# and the web app's npm packages (npm ci). Safe to run again: it installs nothing that is there.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential pkg-config meson ninja-build python3
  libmicrohttpd-dev libjansson-dev libsqlite3-dev libpq-dev libsodium-dev libcmark-dev
  libxlsxwriter-dev libqrencode-dev libcmocka-dev libcsv-dev zlib1g-dev
  postgresql postgresql-client sqlite3
  chromium fonts-noto-cjk
  wrk nginx-light curl clang libclang-rt-14-dev
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The web app's packages, when package-lock.json changed since the last install.
if [ -f web/package-lock.json ]; then
  stamp=web/node_modules/.linli-installed
  if [ ! -f "$stamp" ] || [ web/package-lock.json -nt "$stamp" ]; then
    echo "deps: npm ci in web/"
    (cd web && npm ci --no-audit --no-fund --loglevel=error)
    touch "$stamp"
  fi
fi
