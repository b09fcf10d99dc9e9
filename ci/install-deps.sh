#!/usr/bin/env bash
# Installs what the build and the tests need and is not there yet: Debian
# packages with apt-get, the official SDKs from npm with the committed
# lockfile. Safe to run again; it installs nothing that is already present.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake pkg-config dpkg-dev clang-format curl clang libclang-rt-dev
  libcpp-httplib-dev libboost-dev libssl-dev nlohmann-json3-dev libpugixml-dev
  libgtest-dev libgmock-dev googletest libbenchmark-dev
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
# Node.js may come from Debian (nodejs + npm) or from elsewhere with npm
# bundled; only ask apt for what is really absent.
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

for dir in emulator/sdk_test; do
  if [ ! -d "$dir/node_modules" ] || ! (cd "$dir" && npm ls --silent >/dev/null 2>&1); then
    echo "install-deps: npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --silent)
  fi
done
