#!/usr/bin/env bash
# `make run`: creates the demo community on SQLite in DATA (once), then serves it.
# The admin's password is made on the first run and shown once; it is never kept in DATA (anyone
# who can read the data folder, a copy of it, or a bug that reads files from it would hold the
# admin account). It is set anew with `linli user passwd`.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-data}
listen=${2:-127.0.0.1:8080}
bin=${LINLI_BIN:-build-release/linli}
mkdir -p "$data"
chmod 700 "$data"
password=
note=
if [ ! -f "$data/linli.db" ]; then
  umask 077
  # The password travels to `linli init` in a file outside DATA that lives only while init runs.
  pwfile=$(mktemp "${TMPDIR:-/tmp}/linli-admin.XXXXXXXX")
  trap 'rm -f "$pwfile"' EXIT
  head -c 18 /dev/urandom | base64 | tr -d '/+=' | head -c 16 > "$pwfile"
  password=$(cat "$pwfile")
  "$bin" init --demo --data-dir "$data" --admin-password-file "$pwfile"
  rm -f "$pwfile"
  trap - EXIT
fi
# An older `make run` kept the password in the data folder: show it this last time, then delete it.
legacy="$data/admin-password.txt"
if [ -f "$legacy" ]; then
  password=$(head -n 1 "$legacy")
  rm -f "$legacy"
  note="  ($legacy, where an older make run kept it, is now deleted; if anyone else could read $data, set a new password)"
fi
echo
echo "  linli is at:   http://$listen/"
echo "  admin login:   admin"
if [ -n "$password" ]; then
  echo "  password:      $password   (shown only now: it is kept nowhere, note it down)"
  if [ -n "$note" ]; then echo "$note"; fi
else
  echo "  password:      the one shown on the first make run (it is kept nowhere)"
fi
echo "  new password:  $bin user passwd --login admin --data-dir $data --password-file /dev/stdin"
echo "                 (then type the new password, at least 8 characters, and Enter)"
echo "  stop with Ctrl-C"
echo
exec "$bin" serve --data-dir "$data" --listen "$listen" --web-dir web/dist
