#!/usr/bin/env bash
# The main job: sets everything up, runs the bundled scenario catalogue
# against DSPy 2.5.39 and 2.5.40 with run's default repetitions and schedule
# (REPEAT=N for a fixed count), and prints the migration report (also in
# out/report.md, with out/results.json beside it).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
set +e
build/harness/cli/dspy-compat run ${REPEAT:+--repeat "$REPEAT"} --out out "$@"
rc=$?
set -e
[ -f out/report.md ] && cat out/report.md
exit $rc
