#!/usr/bin/env bash
# `make test`: every suite, then one closing line "N passed, N failed[, N skipped]".
#   unit     C unit tests (cmocka, under ASan+UBSan), SQLite and PostgreSQL
#   api      black-box tests against a real linli server, once per backend
#   e2e      the pages in headless Chromium (playwright-core)
#   web      the web's module declarations, and its API types against the OpenAPI document
#   openapi  the OpenAPI document linted with @redocly/cli
set -u
cd "$(dirname "$0")/.."
root=$(pwd)
export LINLI_BIN="$root/build/linli"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
pass=0 fail=0 skip=0
results=()
log_dir=$(mktemp -d /tmp/linli-test.XXXXXX)

# shellcheck source=tests/pg.sh
source tests/pg.sh || { echo "tests: no PostgreSQL server for the tests" >&2; exit 1; }

fresh_pg_db() { # name → URL of a new, empty database
  psql -q "$LINLI_TEST_PG_ADMIN" -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null 2>&1 || return 1
  echo "${LINLI_TEST_PG_ADMIN%/*}/$1"
}

count() { # suite p f s
  pass=$((pass + $2)); fail=$((fail + $3)); skip=$((skip + $4))
  results+=("$(printf '%-16s %4d passed, %d failed, %d skipped' "$1" "$2" "$3" "$4")")
}

# node --test prints "# pass N", "# fail N", "# skipped N"
node_suite() { # name dir...
  local name=$1; shift
  local out="$log_dir/$name.log"
  node --test --test-reporter=tap --test-concurrency=1 "$@" >"$out" 2>&1
  local rc=$?
  local p f s
  p=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$out" | tail -n 1)
  f=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$out" | tail -n 1)
  s=$(sed -n 's/^# skipped \([0-9]*\)$/\1/p' "$out" | tail -n 1)
  p=${p:-0}; f=${f:-0}; s=${s:-0}
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  count "$name" "$p" "$f" "$s"
  if [ "$f" -ne 0 ]; then
    echo "---- $name failed; its log ($out):"
    grep -E "^not ok|^# Subtest|error|Error|expected|actual|AddressSanitizer|runtime error" "$out" | head -n 80
  fi
}

# 1. C unit tests.
export LINLI_TEST_PG
LINLI_TEST_PG=$(fresh_pg_db linli_unit) || LINLI_TEST_PG=""
meson test -C build --num-processes 2 >"$log_dir/unit.log" 2>&1
unit_rc=$?
up=$(grep -ho '\[  PASSED  \] [0-9]* test' build/meson-logs/testlog.txt | awk '{s+=$4} END {print s+0}')
uf=$(grep -ho '\[  FAILED  \] [0-9]* test' build/meson-logs/testlog.txt | awk '{s+=$4} END {print s+0}')
us=$(grep -ho '\[  SKIPPED \] [0-9]* test' build/meson-logs/testlog.txt | awk '{s+=$4} END {print s+0}')
if [ "$unit_rc" -ne 0 ] && [ "$uf" -eq 0 ]; then uf=1; fi
count unit "$up" "$uf" "$us"
[ "$uf" -eq 0 ] || { echo "---- unit tests failed:"; grep -E "FAILED|ERROR|runtime error|Sanitizer" build/meson-logs/testlog.txt | head -n 40; }

# 2. API tests, once per backend.
LINLI_TEST_BACKEND=sqlite node_suite api-sqlite tests/api/
LINLI_TEST_BACKEND=postgresql node_suite api-postgresql tests/api/

# 3. Browser tests.
if [ -d tests/e2e ] && ls tests/e2e/*.test.mjs >/dev/null 2>&1; then
  node_suite e2e tests/e2e/
fi

# 4. The web's structure (modules are their folders) and its API types against the OpenAPI document.
node_suite web tests/web/

# 5. The OpenAPI document, linted.
"$LINLI_BIN" openapi >"$log_dir/openapi.json" 2>"$log_dir/openapi.err"
if (cd web && npx --no-install redocly lint --format=stylish "$log_dir/openapi.json") >"$log_dir/lint.log" 2>&1; then
  count openapi-lint 1 0 0
else
  count openapi-lint 0 1 0
  echo "---- OpenAPI lint failed:"; tail -n 40 "$log_dir/lint.log"
fi

echo
for r in "${results[@]}"; do echo "  $r"; done
echo "logs: $log_dir"
if [ "$skip" -gt 0 ]; then
  echo "$pass passed, $fail failed, $skip skipped"
else
  echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
