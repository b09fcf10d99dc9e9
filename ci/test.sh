#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: the release build
# (unit, emulator and official-SDK tests, then alicom-certify's verdicts on
# the reference consumers), then the unit and emulator tests
# again under ASan+UBSan and under TSan, the format check, and every fuzz
# target for 20 s from its seed corpus.
set -euo pipefail
cd "$(dirname "$0")/.."

ci/install-deps.sh
ci/format-check.sh

ci/build.sh release
(cd build/release && ctest --output-on-failure -j "$(nproc)" -LE certify)
# The installed package, used by a project outside the tree.
ci/downstream.sh
# alicom-certify's verdicts on the reference consumers (labels certify and
# certify-long): minutes of waiting and little computing each, so run wide.
(cd build/release && ctest --output-on-failure -j 10 -L certify)

# Sanitizer builds skip the SDK tests: those exercise the same binary
# through Node.js and add only time.
ci/build.sh asan
(cd build/asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --output-on-failure -j "$(nproc)" -LE "sdk|certify")

ci/build.sh tsan
(cd build/tsan && TSAN_OPTIONS="halt_on_error=1 suppressions=$PWD/../../ci/tsan.supp" \
  ctest --output-on-failure -j "$(nproc)" -LE "sdk|certify")

# Each parser of untrusted input, fuzzed from its committed corpus.
ci/fuzz.sh 20
