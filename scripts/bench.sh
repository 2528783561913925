#!/usr/bin/env bash
# `make bench`: wrk on 127.0.0.1 against the optimised server (build-release), on SQLite with the
# demo community (BENCH_RESIDENTS residents, default 40000): GET .../compounds (a logged-in JSON list)
# and a static asset, each at 64 and 256 connections for BENCH_SECONDS (default 10). Prints requests
# per second and p99 latency; then the public wish wall, the public ledger (50 entries), the home
# numbers and the upcoming shifts. Only loopback; every run is bounded in time and stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=build-release/linli
secs=${BENCH_SECONDS:-10}
residents=${BENCH_RESIDENTS:-40000}
command -v wrk >/dev/null || { echo "bench: wrk is missing (scripts/deps.sh installs it)" >&2; exit 1; }
dir=$(mktemp -d /tmp/linli-bench.XXXXXX)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT

echo "bench-admin-pass" > "$dir/pw"
t0=$(date +%s.%N)
"$bin" init --demo --residents "$residents" --data-dir "$dir" --admin-password-file "$dir/pw" >"$dir/init.log"
t1=$(date +%s.%N)
cid=$(sed -n 's/.*is community \([0-9]*\).*/\1/p' "$dir/init.log")
"$bin" serve --data-dir "$dir" --listen 127.0.0.1:0 --web-dir web/dist --quiet >"$dir/serve.log" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q "serving on" "$dir/serve.log" && break; sleep 0.1; done
base=$(sed -n 's/.*serving on \(http:[^ ]*\).*/\1/p' "$dir/serve.log")
cookie=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' \
  -d '{"login":"admin","password":"bench-admin-pass"}' "$base/api/v1/session" | sed -n 's/^[Ss]et-[Cc]ookie: \(linli_session=[^;]*\).*/\1/p')
asset=$(curl -s "$base/" | grep -o '/assets/[^"]*\.js' | head -n 1 || true)

printf '\nlinli %s, SQLite, %s residents (demo created in %.1f s), %s cores, wrk %ss per run\n\n' \
  "$("$bin" version | cut -d' ' -f2)" "$residents" "$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')" "$(nproc)" "$secs"
printf '| %-44s | %11s | %7s | %9s |\n' "scenario" "connections" "req/s" "p99"
printf '|%s|%s|%s|%s|\n' "----------------------------------------------" "-------------" "---------" "-----------"
run() { # label path conns [header]
  local out
  out=$(wrk -t2 -c"$3" -d"${secs}s" --latency ${4:+-H "$4"} "$base$2" 2>&1)
  local rps p99 non2xx
  rps=$(echo "$out" | awk '/Requests\/sec/ {printf "%d", $2}')
  p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
  non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
  printf '| %-44s | %11s | %7s | %9s |%s\n' "$1" "$3" "$rps" "$p99" "${non2xx:+ ($non2xx non-2xx!)}"
}
for c in 64 256; do
  run "GET /api/v1/communities/{id}/compounds" "/api/v1/communities/$cid/compounds" "$c" "Cookie: $cookie"
done
for c in 64 256; do run "GET ...wishes (public wish wall)" "/api/v1/communities/$cid/wishes" "$c"; done
for c in 64 256; do run "GET ...fund/entries?limit=50 (public ledger)" "/api/v1/communities/$cid/fund/entries?limit=50" "$c"; done
for c in 64 256; do run "GET ...communities/{id} (home numbers)" "/api/v1/communities/$cid" "$c" "Cookie: $cookie"; done
for c in 64 256; do run "GET ...shifts (upcoming shifts)" "/api/v1/communities/$cid/shifts" "$c" "Cookie: $cookie"; done
if [ -n "$asset" ]; then
  for c in 64 256; do run "GET $asset (gzip)" "$asset" "$c" "Accept-Encoding: gzip"; done
else
  echo "(no built pages: run make web for the static scenario)"
fi
rss=$(awk '/VmHWM/ {print $2, $3}' "/proc/$pid/status")
echo
echo "peak memory of the server (VmHWM): $rss"
