#!/usr/bin/env bash
# Configures and builds one flavour into build/<flavour>:
#   ci/build.sh release     optimised, -Werror
#   ci/build.sh asan        AddressSanitizer + UndefinedBehaviorSanitizer
#   ci/build.sh tsan        ThreadSanitizer
# Further arguments name the targets to build (default: all of them), e.g.
#   ci/build.sh release mns-emulator
set -euo pipefail
cd "$(dirname "$0")/.."
flavour="${1:-release}"
case "$flavour" in
  release) args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
  asan) args=(-DCMAKE_BUILD_TYPE=Debug -DMNS_SANITIZE=address -DMNS_BUILD_BENCHMARKS=OFF) ;;
  tsan) args=(-DCMAKE_BUILD_TYPE=Debug -DMNS_SANITIZE=thread -DMNS_BUILD_BENCHMARKS=OFF) ;;
  *) echo "unknown flavour $flavour" >&2; exit 2 ;;
esac
cmake -S . -B "build/$flavour" -DMNS_WERROR=ON "${args[@]}" >/dev/null
shift || true
targets=()
for target in "$@"; do targets+=(--target "$target"); done
cmake --build "build/$flavour" -j "$(nproc)" "${targets[@]}"
