#!/usr/bin/env bash
# Fails when a C++ file differs from what .clang-format asks for.
#   scripts/check-format.sh        check
#   scripts/check-format.sh --fix  rewrite in place (= scripts/format.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--fix" ]; then
  exec scripts/format.sh
fi
mapfile -t files < <(git ls-files --cached --others --exclude-standard 'harness/*.cc' 'harness/*.h' 2>/dev/null || find harness -name '*.cc' -o -name '*.h')
if ! clang-format --dry-run --Werror "${files[@]}" 2>/tmp/dspy-compat-format.log; then
  head -20 /tmp/dspy-compat-format.log >&2
  echo "check-format: files differ from .clang-format; run scripts/format.sh" >&2
  exit 1
fi
echo "check-format: ${#files[@]} files follow .clang-format"
