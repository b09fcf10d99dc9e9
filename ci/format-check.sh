#!/usr/bin/env bash
# Fails if clang-format (Google style, .clang-format) would change any C++
# file that git tracks.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.h' '*.cc')
clang-format --dry-run --Werror "${files[@]}"
echo "format-check: ${#files[@]} files formatted"
