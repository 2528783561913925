#!/usr/bin/env bash
# `make bench`: the optimised server (build-release, no sanitizers) under wrk on 127.0.0.1, beside
# nginx serving static files of the same sizes, on SQLite and on PostgreSQL. docs/benchmarks.md
# explains each figure; the table printed at the end (and kept in build-release/bench-last.md) is
# what goes there.
#
# For each backend: `linli init --demo` with BENCH_RESIDENTS residents (default 40000) and the
# demo's 109 volunteers with two years of hours; `linli seed` posts BENCH_LEDGER ledger entries
# (default 100000) through the chained ledger, makes BENCH_VOTERS verified voters (default 40000)
# with a session each and logins for the volunteers; scripts/bench/setup.mjs publishes BENCH_WISHES
# wishes (default 300) through the API. Then: cold start to the first answer, the read scenarios
# (public wish wall, public ledger page of 50 entries, the home page's numbers and the shift list,
# both as a logged-in volunteer) at 64 and 512 connections, each followed by nginx serving the
# same bytes; the write bursts (one vote by each of many verified residents, each with its own
# session; a coordinator checking volunteers in), which count only 2xx answers, and every 2xx is
# durable (SQLite: WAL with synchronous=FULL, so the commit has been fsync'ed; PostgreSQL:
# fsync=on, synchronous_commit=on); the server's peak memory; `linli ledger verify`; importing
# BENCH_RESIDENTS residents from CSV. Every run is BENCH_SECONDS long (default 10).
#
# PostgreSQL: a private throw-away cluster on a free port (stopped on exit), or the server whose
# maintenance database LINLI_BENCH_PG names (a database linli_bench_<pid> is made and dropped).
# BENCH_BACKENDS="sqlite postgresql" (the default) picks the backends. Loopback only; every step
# has a time limit, and everything started is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
bin=${BENCH_BIN:-$root/build-release/linli}
secs=${BENCH_SECONDS:-10}
residents=${BENCH_RESIDENTS:-40000}
ledger=${BENCH_LEDGER:-100000}
voters=${BENCH_VOTERS:-40000}
nwishes=${BENCH_WISHES:-300}
backends=${BENCH_BACKENDS:-sqlite postgresql}
conns=(64 512)

for tool in wrk curl jq node python3; do
  command -v $tool >/dev/null || { echo "bench: $tool is missing (scripts/deps.sh installs it)" >&2; exit 1; }
done
nginx=/usr/sbin/nginx
[ -x $nginx ] || { echo "bench: nginx is missing (scripts/deps.sh installs nginx-light)" >&2; exit 1; }
[ -x "$bin" ] || { echo "bench: $bin is missing (make release)" >&2; exit 1; }
[ -d web/dist ] || echo "bench: no web/dist (make web); the server runs without its pages" >&2

# 512 connections for wrk, as many for the server and for nginx, the database and the logs.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 4096 ]; then
  echo "bench: the open-file limit is $(ulimit -n); 512 connections need at least 4096 (raise ulimit -n)" >&2
  exit 1
fi

work=$(mktemp -d /tmp/linli-bench.XXXXXX)
chmod 755 "$work"
server_pid="" nginx_pid="" pg_stop=""
stop_server() {
  if [ -n "$server_pid" ]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}
cleanup() {
  stop_server
  [ -n "$nginx_pid" ] && kill -QUIT "$nginx_pid" 2>/dev/null && sleep 0.5
  [ -n "$pg_stop" ] && eval "$pg_stop" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b - a) / 1e9}'; }
as_pg=()
[ "$(id -u)" -eq 0 ] && as_pg=(runuser -u postgres --)

# ---- nginx: static files from $work/static, as the current user, one worker per core ----
mkdir -p "$work/static" "$work/nginx"
nginx_port=$(free_port)
cat >"$work/nginx/nginx.conf" <<EOF
$([ "$(id -u)" -eq 0 ] && echo "user root root;")
worker_processes $(nproc);
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  keepalive_timeout 65;
  default_type application/json;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  server {
    listen 127.0.0.1:$nginx_port;
    root $work/static;
  }
}
EOF
$nginx -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" &
nginx_pid=$!
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$nginx_port/" && break; sleep 0.1; done

# ---- measuring ----
results=$work/results.md
: >"$results"
# wrk_run URL CONNS [HEADER]: sets rps, p99, bad (non-2xx and socket errors).
wrk_run() {
  local out
  out=$(wrk -t2 -c"$2" -d"${secs}s" --timeout 10s --latency ${3:+-H "$3"} "$1" 2>&1) || true
  rps=$(echo "$out" | awk '/Requests\/sec/ {printf "%d", $2}')
  p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
  bad=$(echo "$out" | awk '/Non-2xx/ {printf "%s non-2xx ", $NF} /Socket errors/ {sub(/.*errors: /, ""); printf "%s", $0}')
  [ -n "$rps" ] || { echo "$out" >&2; rps=0; p99=-; }
}
# read NAME PATH [COOKIE]: linli and then nginx with the same bytes, at each connection count.
read_scenario() {
  local name=$1 path=$2 cookie=${3:-} size
  local file="$work/static/$backend-$name.json"
  curl -s --max-time 10 -o "$file" ${cookie:+-b "linli_session=$cookie"} "$base$path"
  size=$(stat -c %s "$file")
  for c in "${conns[@]}"; do
    wrk_run "$base$path" "$c" ${cookie:+"Cookie: linli_session=$cookie"}
    local lr=$rps lp=$p99 lb=$bad
    [ "$c" = 512 ] && hwm_512=$(awk '/VmHWM/ {print $2}' "/proc/$server_pid/status")
    wrk_run "http://127.0.0.1:$nginx_port/$backend-$name.json" "$c"
    [ -n "$bad" ] && lb="${lb:+$lb; }nginx: $bad"
    printf '| %s | %s | %s B | %s | %s | %s | %s | %s | %s%%%s |\n' "$backend" "$name" "$size" "$c" "$lr" "$lp" "$rps" "$p99" \
      "$(awk -v a="$lr" -v b="$rps" 'BEGIN {printf "%d", b ? 100 * a / b : 0}')" "${lb:+ ($lb)}" | tee -a "$results"
  done
}
# burst NAME: the write burst from $work/NAME-CONNS.tsv at each connection count.
write_scenario() {
  local name=$1 out acked took notok
  for c in "${conns[@]}"; do
    out=$(wrk -t2 -c"$c" -d"${secs}s" --timeout 10s --latency -s scripts/bench/burst.lua "$base" -- "$work/$name-$c.tsv" 2 2>&1) || true
    p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
    acked=$(echo "$out" | sed -n 's/^acked \([0-9]*\) in.*/\1/p')
    took=$(echo "$out" | sed -n 's/^acked [0-9]* in \([0-9.]*\) s.*/\1/p')
    notok=$(echo "$out" | sed -n 's/.*not 2xx: //p')
    [ -n "$acked" ] || { echo "$out" >&2; acked=0 took=1; }
    printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$backend" "$name" "$c" \
      "$(awk -v a="$acked" -v t="$took" 'BEGIN {printf "%d", a / t}')" "$p99" "$acked" "$notok" | tee -a "$work/writes.md"
  done
}

# ---- one backend ----
bench_backend() {
  backend=$1
  local data="$work/$backend" db
  mkdir -p "$data"
  echo "bench-admin-pass" >"$data/pw"
  if [ "$backend" = sqlite ]; then
    db="sqlite:$data/linli.db"
  else
    pg_setup
    db=$pg_url
  fi
  echo "== $backend: creating the demo community ($residents residents) and the benchmark volumes" >&2
  local t0 t1
  t0=$(date +%s%N)
  timeout 900 "$bin" init --demo --residents "$residents" --db "$db" --data-dir "$data" --admin-password-file "$data/pw" >"$data/init.log"
  t1=$(date +%s%N)
  cid=$(sed -n 's/.*is community \([0-9]*\).*/\1/p' "$data/init.log")
  facts+=("$backend: demo with $residents residents created in $(elapsed "$t0" "$t1") s")
  t0=$(date +%s%N)
  timeout 1800 "$bin" seed --db "$db" --data-dir "$data" --community "$cid" --ledger "$ledger" --voters "$voters" \
    --volunteer-logins 109 --sessions-out "$data/sessions.txt" --people-csv "$data/people.csv" --people "$residents" >&2
  t1=$(date +%s%N)
  facts+=("$backend: seed ($ledger ledger entries, $voters voters with sessions, 109 volunteer logins) in $(elapsed "$t0" "$t1") s")
  t0=$(date +%s%N)
  timeout 600 "$bin" ledger verify --db "$db" --data-dir "$data" >"$data/verify.log"
  t1=$(date +%s%N)
  facts+=("$backend: \`linli ledger verify\`: $(cat "$data/verify.log" | sed 's/linli ledger verify: //') in $(elapsed "$t0" "$t1") s")

  local port ms
  port=$(free_port)
  base="http://127.0.0.1:$port"
  read -r ms server_pid < <(COLDSTART_LOG="$data/serve.log" python3 scripts/bench/coldstart.py "$port" \
    "/api/v1/communities/$cid/wishes" "$bin" serve --db "$db" --data-dir "$data" --listen "127.0.0.1:$port" \
    --web-dir web/dist --quiet)
  [ -n "$server_pid" ] || { cat "$data/serve.log" >&2; exit 1; }
  facts+=("$backend: cold start to the first answered request (the wish wall): $ms ms ($(head -n 1 "$data/serve.log" | sed 's/^linli: //'))")

  timeout 300 node scripts/bench/setup.mjs "$base" "$cid" bench-admin-pass "$data/sessions.txt" "$work" "$nwishes" >&2
  source "$work/admin.env"
  source "$work/volunteer.env"

  echo "== $backend: reads" >&2
  local api="/api/v1/communities/$cid"
  hwm_512=""
  read_scenario "wish-wall" "$api/wishes"
  read_scenario "ledger-page" "$api/fund/entries?limit=50"
  read_scenario "home-numbers" "$api" "$VOL_COOKIE"
  read_scenario "volunteer-shifts" "$api/shifts" "$VOL_COOKIE"
  echo "== $backend: write bursts" >&2
  write_scenario votes
  write_scenario checkins
  local hwm
  hwm=$(awk '/VmHWM/ {print $2}' "/proc/$server_pid/status")
  facts+=("$backend: server peak memory (VmHWM) $((hwm_512 / 1024)) MiB after the 512-connection reads, $((hwm / 1024)) MiB after the write bursts")

  echo "== $backend: importing $residents residents from CSV" >&2
  local took
  took=$(curl -s --max-time 900 -o "$data/import.json" -w '%{time_total}' -b "linli_session=$ADMIN_COOKIE" \
    -H "X-CSRF-Token: $ADMIN_CSRF" -H 'Content-Type: text/csv' --data-binary "@$data/people.csv" "$base$api/people/import")
  facts+=("$backend: import of $residents residents from CSV ($(stat -c %s "$data/people.csv") bytes, one request): ${took} s, $(jq -r '"\(.imported) imported, \(.failed) refused"' "$data/import.json" 2>/dev/null || head -c 200 "$data/import.json")")
  stop_server
}

# pg_url: a database for the PostgreSQL run, on LINLI_BENCH_PG's server or a private cluster.
pg_setup() {
  local admin
  if [ -n "${LINLI_BENCH_PG:-}" ]; then
    admin=$LINLI_BENCH_PG
  else
    local pgbin pg_port
    pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -n "$pgbin" ] || { echo "bench: PostgreSQL is not installed; run scripts/deps.sh" >&2; exit 1; }
    pg_port=$(free_port)
    mkdir -p "$work/pg"
    [ "$(id -u)" -eq 0 ] && chown postgres "$work/pg"
    "${as_pg[@]}" "$pgbin/initdb" -D "$work/pg/data" -A trust -U postgres >"$work/pg/initdb.log" 2>&1 || { cat "$work/pg/initdb.log" >&2; exit 1; }
    # Durable as in production: fsync and synchronous_commit stay on (their defaults).
    "${as_pg[@]}" "$pgbin/pg_ctl" -D "$work/pg/data" -l "$work/pg/server.log" -w -t 60 \
      -o "-p $pg_port -k $work/pg -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null || { cat "$work/pg/server.log" >&2; exit 1; }
    pg_stop="${as_pg[*]} $pgbin/pg_ctl -D $work/pg/data -m fast stop"
    admin="postgresql://postgres@127.0.0.1:$pg_port/postgres"
  fi
  local name="linli_bench_$$"
  psql -q "$admin" -c "CREATE DATABASE $name" >&2
  [ -n "${LINLI_BENCH_PG:-}" ] && pg_stop="psql -q '$admin' -c 'DROP DATABASE IF EXISTS $name WITH (FORCE)'"
  facts+=("postgresql: $(psql -tA "$admin" -c "SELECT 'PostgreSQL ' || current_setting('server_version') || ', fsync=' || current_setting('fsync') || ', synchronous_commit=' || current_setting('synchronous_commit') || ', shared_buffers=' || current_setting('shared_buffers')")")
  pg_url="${admin%/*}/$name"
}

lim=$(ulimit -n)
[ "$lim" = unlimited ] && lim=1048576
facts=("open-file limit $(ulimit -n); linli serve's defaults then allow $((lim - 128 < 16384 ? lim - 128 : 16384)) connections in all and 1024 from one address, enough for 512")
started=$(date -u '+%Y-%m-%d %H:%M UTC')
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
t_all=$(date +%s)
for b in $backends; do
  bench_backend "$b"
done
[ -n "$pg_stop" ] && { eval "$pg_stop" >/dev/null 2>&1 || true; pg_stop=""; }

{
  echo
  echo "## $started — $(nproc) cores ($(lscpu | sed -n 's/^Model name: *//p')), $(awk '/MemTotal/ {printf "%d GiB", $2 / 1048576}' /proc/meminfo) RAM"
  echo
  echo "linli $("$bin" version | cut -d' ' -f2) (${bin#$root/}), libmicrohttpd $(pkg-config --modversion libmicrohttpd), SQLite $(pkg-config --modversion sqlite3),"
  echo "$($nginx -v 2>&1 | sed 's/nginx version: //') with $(nproc) workers, $(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2) (2 threads, ${secs} s a run, on the same cores)."
  echo "Load average before the run: $load_before; after: $(cut -d' ' -f1-3 /proc/loadavg). The whole run took $(( $(date +%s) - t_all )) s."
  echo
  echo "### Reads: linli beside nginx serving the same bytes as a static file"
  echo
  echo "| backend | scenario | body | connections | linli req/s | linli p99 | nginx req/s | nginx p99 | linli / nginx |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
  cat "$results"
  echo
  echo "### Write bursts: acknowledged (2xx) writes, each durable before its answer"
  echo
  echo "| backend | burst | connections | acked/s | p99 | acked | not 2xx |"
  echo "| --- | --- | --- | --- | --- | --- | --- |"
  cat "$work/writes.md"
  echo
  echo "### Other figures"
  echo
  for f in "${facts[@]}"; do echo "- $f"; done
} | tee build-release/bench-last.md
