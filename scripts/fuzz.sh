#!/usr/bin/env bash
# `make fuzz`: builds the libFuzzer targets (clang, ASan and UBSan) and runs every fuzz/fuzz_NAME.c
# over its committed corpus fuzz/corpus/NAME for FUZZ_SECONDS each (default 60), two at a time (one
# per core). `scripts/fuzz.sh csv qr` runs only those. A crash, a sanitizer report, a leak or a hang
# fails the run; its input is left in build-fuzz/ as NAME-crash-* (or -leak-, -timeout-, -oom-), to
# be fixed and then added to fuzz/corpus/NAME as a regression input.
# The api target (fuzz/fuzz_api.c) runs sequences of API calls against the whole server in the
# process; replay one of its inputs with FUZZ_API_TRACE=1 build-fuzz/fuzz_api FILE to see every
# request and answer, and keep its crashes in fuzz/regress/ (replayed by `meson test fuzz_api_replay`).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${FUZZ_SECONDS:-60}
jobs=${FUZZ_JOBS:-2}
if [ ! -f build-fuzz/build.ninja ]; then
  CC=clang meson setup build-fuzz -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false \
    -Dc_args=-fsanitize=fuzzer-no-link >/dev/null
fi
ninja -C build-fuzz >build-fuzz/ninja.log 2>&1 || { cat build-fuzz/ninja.log; exit 1; }

if [ $# -gt 0 ]; then
  targets=("$@")
else
  targets=()
  for f in fuzz/fuzz_*.c; do
    t=${f#fuzz/fuzz_}
    targets+=("${t%.c}")
  done
fi
for t in "${targets[@]}"; do
  if [ ! -f "fuzz/fuzz_$t.c" ]; then
    echo "fuzz: there is no target $t (fuzz/fuzz_$t.c)"
    exit 1
  fi
  if [ ! -x "build-fuzz/fuzz_$t" ]; then
    echo "fuzz: fuzz/fuzz_$t.c is not built: add '$t' to the fuzz target list at the end of meson.build"
    exit 1
  fi
  if [ -z "$(ls -A "fuzz/corpus/$t" 2>/dev/null)" ]; then
    echo "fuzz: fuzz/fuzz_$t.c has no seed corpus: add inputs to fuzz/corpus/$t"
    exit 1
  fi
done

# UBSan only prints by default; a finding must stop the run like a crash.
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

# Runs one target: new inputs go to a scratch directory, the committed corpus is only read. An
# input that fails is written as build-fuzz/NAME-crash-*, NAME-leak-*, NAME-timeout-* or NAME-oom-*.
run_one() {
  local t=$1 work
  work=$(mktemp -d)
  if (cd build-fuzz && ./fuzz_$t -max_total_time="$secs" -max_len=4096 -timeout=10 -print_final_stats=1 \
        -artifact_prefix="./$t-" "$work" ../fuzz/corpus/$t >"fuzz_$t.log" 2>&1); then
    echo ok >"$results/$t"
  else
    echo failed >"$results/$t"
  fi
  rm -rf "$work"
}

echo "fuzz: ${#targets[@]} targets, ${secs}s each, $jobs at a time: ${targets[*]}"
running=0
for t in "${targets[@]}"; do
  if [ "$running" -ge "$jobs" ]; then
    wait -n || true
    running=$((running - 1))
  fi
  run_one "$t" &
  running=$((running + 1))
done
wait

status=0
for t in "${targets[@]}"; do
  log=build-fuzz/fuzz_$t.log
  if [ "$(cat "$results/$t" 2>/dev/null)" != ok ]; then
    echo "fuzz: $t FAILED — see $log and the input build-fuzz/$t-{crash,leak,timeout,oom}-*"
    grep -m 8 -E 'runtime error|ERROR: |SUMMARY: |Test unit written' "$log" || true
    echo "fuzz: the end of $log:"
    tail -n 20 "$log"
    status=1
  else
    execs=$(grep -oE 'stat::number_of_executed_units: [0-9]+' "$log" | grep -oE '[0-9]+$' || echo '?')
    cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -n 1 || true)
    corp=$(grep -oE 'corp: [0-9]+/[0-9]+[a-zA-Z]*' "$log" | tail -n 1 || true)
    echo "fuzz: $t ok: $execs executions in ${secs}s, ${cov:-cov: ?}, ${corp:-corp: ?}"
    grep -a "^fuzz_$t: " "$log" || true # what a target says of itself (the api target: its speed, routes that answered 500)
  fi
done
exit $status
