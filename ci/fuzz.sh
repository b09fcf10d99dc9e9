#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan+UBSan) into build/fuzz and runs
# each from its committed seed corpus for a bounded time:
#   ci/fuzz.sh                 every target, 20 s each (what CI runs)
#   ci/fuzz.sh 600 request     one target for 10 minutes
# New inputs go to a scratch directory, not the committed corpus; a crash
# leaves its input in build/fuzz/artifacts/. Prints executions per target.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-20}"
only="${2:-}"
targets=(mns_xml http_parsing pop_v3 config request)

CC=clang CXX=clang++ cmake -S . -B build/fuzz -DMNS_FUZZ=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMNS_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build build/fuzz -j "$(nproc)" --target fuzz_all

mkdir -p build/fuzz/artifacts
# One target per core at a time: each libFuzzer run is single-threaded.
run_one() {
  local target=$1 scratch log execs
  scratch=$(mktemp -d)
  log="build/fuzz/$target.log"
  if ASAN_OPTIONS=detect_leaks=0 "build/fuzz/fuzz/${target}_fuzz" \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix=build/fuzz/artifacts/ "$scratch" "fuzz/corpus/$target" \
      > "$log" 2>&1; then
    execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | grep -o '[0-9]*$' \
            || sed -n 's/.*#\([0-9]*\).*DONE.*/\1/p' "$log" | tail -1)
    echo "fuzz: $target ran ${execs:-?} inputs clean in ${seconds}s"
    rm -rf "$scratch"
  else
    echo "fuzz: $target FAILED; see $log and build/fuzz/artifacts/"
    tail -30 "$log"
    rm -rf "$scratch"
    return 1
  fi
}
status=0
pids=()
for target in "${targets[@]}"; do
  [ -n "$only" ] && [ "$only" != "$target" ] && continue
  if [ ${#pids[@]} -ge "$(nproc)" ]; then
    wait "${pids[0]}" || status=1
    pids=("${pids[@]:1}")
  fi
  run_one "$target" &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
exit $status
