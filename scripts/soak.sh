#!/usr/bin/env bash
# Soak test of issue 16: runs the catalogue with adaptive repetitions for a
# while, killing the harness at random moments (SIGKILL, SIGTERM, SIGINT) and
# resuming it with `run --resume`, then checks after every stop:
#   - no orphan: no process is left whose working folder is under the
#     session's --out (a run, a warm interpreter) once the harness is gone;
#   - no lost finished run: every run the harness printed as finished, and
#     every run an earlier stop left in results.json, is there, unchanged
#     (a resumed session never runs a finished run again);
#   - results valid: results.json reads (`report --format json`), no run id
#     twice, every run in the plan;
#   - the gate never passes an unfinished session (no finished_at: gate 3).
# Prints its figures at the end; exits 1 when a check failed.
#
#   scripts/soak.sh [--minutes M] [--repeat MIN..MAX|adaptive] [-j JOBS]
#                   [--cold] [--targets T,...] [--scenarios PATH,...] [--out DIR]
#                   [--seed S] [--max-wait SECONDS]
#
# Defaults: 10 minutes, --repeat 2..6 (adaptive, short enough for the
# catalogue to finish a few sessions), -j 2, warm. Each stop comes after a
# random 1..--max-wait (25) seconds, counted from the session's start for
# half the stops and from its first finished run for the others. DSPY_COMPAT_BIN picks the
# binary (default build/harness/cli/dspy-compat).
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 scripts/soak.py "$@"
