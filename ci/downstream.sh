#!/usr/bin/env bash
# Installs the release build into build/install and builds and runs a small
# project against it with find_package(mns), as a user's project would.
# Expects ci/build.sh release to have run.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf build/install build/downstream
cmake --install build/release --prefix "$PWD/build/install" >/dev/null
cmake -S ci/downstream -B build/downstream \
  -DCMAKE_PREFIX_PATH="$PWD/build/install" >/dev/null
cmake --build build/downstream -j "$(nproc)"
(cd build/downstream && ctest --output-on-failure)
echo "downstream: built and tested against the installed package"
