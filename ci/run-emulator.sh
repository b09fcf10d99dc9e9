#!/usr/bin/env bash
# Installs what is missing, builds the emulator, and starts it in the
# foreground with the built-in default configuration (or with the flags
# given, e.g. --config FILE --port 0). Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
ci/install-deps.sh
# Only the emulator: the tests are the second command's business.
ci/build.sh release mns-emulator >/dev/null
exec build/release/emulator/mns-emulator "$@"
