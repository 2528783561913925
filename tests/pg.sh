#!/usr/bin/env bash
# Sourced by tests/run-all.sh: makes sure a PostgreSQL server is reachable for the tests and sets
# LINLI_TEST_PG_ADMIN to a URL of its maintenance database. .ci/run starts the system's cluster and
# sets the variable itself; elsewhere a private, throw-away cluster is started on a free port.
if [ -n "${LINLI_TEST_PG_ADMIN:-}" ]; then
  return 0
fi
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$pgbin" ]; then
  echo "tests: PostgreSQL is not installed; run scripts/deps.sh" >&2
  return 1
fi
pg_dir=$(mktemp -d /tmp/linli-pg.XXXXXX)
pg_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres "$pg_dir"
  as_pg=(runuser -u postgres --)
fi
"${as_pg[@]}" "$pgbin/initdb" -D "$pg_dir/data" -A trust -U postgres >"$pg_dir/initdb.log" 2>&1 || { cat "$pg_dir/initdb.log" >&2; return 1; }
"${as_pg[@]}" "$pgbin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w \
  -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off" start >/dev/null || { cat "$pg_dir/server.log" >&2; return 1; }
export LINLI_TEST_PG_ADMIN="postgresql://postgres@127.0.0.1:$pg_port/postgres"
stop_private_pg() { "${as_pg[@]}" "$pgbin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1; rm -rf "$pg_dir"; }
trap stop_private_pg EXIT
