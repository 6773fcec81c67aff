#!/usr/bin/env bash
# The main job: sets everything up, runs the bundled scenario catalogue
# against DSPy 2.5.39 and 2.5.40 ten times each, and prints the migration
# report (also in out/report.md, with out/results.json beside it).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
set +e
build/harness/cli/dspy-compat run --repeat "${REPEAT:-10}" --out out "$@"
rc=$?
set -e
[ -f out/report.md ] && cat out/report.md
exit $rc
