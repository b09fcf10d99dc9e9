#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: the release build
# (unit, emulator and official-SDK tests, the downstream project, the
# Debian package, then alicom-certify's verdicts on the reference
# consumers), then the unit and emulator tests again under ASan+UBSan and
# under TSan, the format check, and every fuzz target for 20 s from its
# seed corpus. Prints how long each phase took.
set -euo pipefail
cd "$(dirname "$0")/.."

started=$SECONDS
phase_started=$SECONDS
phase() {
  echo "ci: $1 took $((SECONDS - phase_started)) s (total $((SECONDS - started)) s)"
  phase_started=$SECONDS
}

ci/install-deps.sh
ci/format-check.sh
phase "dependencies and format"

ci/build.sh release
phase "release build"
(cd build/release && ctest --output-on-failure -j "$(nproc)" -LE certify)
phase "release tests"
# The installed package, used by a project outside the tree.
ci/downstream.sh
# The Debian package, installed into a scratch tree, run and removed.
ci/package.sh
phase "downstream and package"

# alicom-certify's verdicts on the reference consumers (labels certify and
# certify-long) are minutes of waiting and little computing each: they run
# wide, in the background, while the sanitizer builds compile at a lower
# priority.
(cd build/release && ctest --output-on-failure -j 10 -L certify) \
  >build/certify.log 2>&1 &
certify=$!
nice -n 10 ci/build.sh asan
nice -n 10 ci/build.sh tsan
phase "sanitizer builds"
if wait "$certify"; then
  tail -3 build/certify.log
else
  cat build/certify.log
  echo "ci: alicom-certify's verdicts FAILED"
  exit 1
fi
phase "certify (the rest of it)"

# Sanitizer builds skip the SDK tests: those exercise the same binary
# through Node.js and add only time.
(cd build/asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --output-on-failure -j "$(nproc)" -LE "sdk|certify")
phase "ASan+UBSan tests"
(cd build/tsan && TSAN_OPTIONS="halt_on_error=1 suppressions=$PWD/../../ci/tsan.supp" \
  ctest --output-on-failure -j "$(nproc)" -LE "sdk|certify")
phase "TSan tests"

# Each parser of untrusted input, fuzzed from its committed corpus.
ci/fuzz.sh 20
phase "fuzzing"
