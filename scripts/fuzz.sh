#!/usr/bin/env bash
# `make fuzz`: builds the libFuzzer targets (clang, ASan and UBSan) and runs each over its committed
# corpus for FUZZ_SECONDS (default 60). A crash stops the run; its input is left in build-fuzz/ to be
# fixed and then added to fuzz/corpus/NAME as a regression input.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${FUZZ_SECONDS:-60}
if [ ! -f build-fuzz/build.ninja ]; then
  CC=clang meson setup build-fuzz -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false \
    -Dc_args=-fsanitize=fuzzer-no-link >/dev/null
fi
ninja -C build-fuzz >build-fuzz/ninja.log 2>&1 || { cat build-fuzz/ninja.log; exit 1; }
status=0
for t in validators router; do
  work=$(mktemp -d)
  cp fuzz/corpus/$t/* "$work"/
  echo "fuzz: $t for ${secs}s"
  if ! (cd build-fuzz && ./fuzz_$t -max_total_time="$secs" -max_len=4096 -print_final_stats=1 "$work" ../fuzz/corpus/$t >"fuzz_$t.log" 2>&1); then
    echo "fuzz: $t FAILED — see build-fuzz/fuzz_$t.log and the crash-* file in build-fuzz/"
    tail -n 30 "build-fuzz/fuzz_$t.log"
    status=1
  else
    grep -E "stat::number_of_executed_units" "build-fuzz/fuzz_$t.log" | sed "s/^/fuzz: $t /"
  fi
  rm -rf "$work"
done
exit $status
