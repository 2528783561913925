#!/usr/bin/env bash
# `make run`: creates the demo community on SQLite in DATA (once), then serves it.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-data}
listen=${2:-127.0.0.1:8080}
bin=build-release/linli
mkdir -p "$data"
chmod 700 "$data"
if [ ! -f "$data/linli.db" ]; then
  umask 077
  # The demo admin's password, kept (mode 0600) so that `make run` can tell it again next time.
  head -c 18 /dev/urandom | base64 | tr -d '/+=' | head -c 16 > "$data/admin-password.txt"
  "$bin" init --demo --data-dir "$data" --admin-password-file "$data/admin-password.txt"
fi
echo
echo "  linli is at:   http://$listen/"
echo "  admin login:   admin"
if [ -f "$data/admin-password.txt" ]; then
  echo "  password:      $(cat "$data/admin-password.txt")   (from $data/admin-password.txt)"
fi
echo "  stop with Ctrl-C"
echo
exec "$bin" serve --data-dir "$data" --listen "$listen" --web-dir web/dist
