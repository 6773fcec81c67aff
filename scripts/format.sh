#!/usr/bin/env bash
# Formats every C++ file of the harness in place with clang-format, as
# .clang-format asks; scripts/check-format.sh checks without changing them.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files --cached --others --exclude-standard 'harness/*.cc' 'harness/*.h' 2>/dev/null || find harness -name '*.cc' -o -name '*.h')
clang-format -i "${files[@]}"
echo "format: ${#files[@]} files formatted"
