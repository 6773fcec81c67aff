#!/usr/bin/env bash
# The test command: sets everything up (scripts/setup.sh --asan --tsan),
# checks the formatting (C++: clang-format; the Python runner: ruff), runs
# the unit tests in the release and ASan/UBSan builds (the runner's Python
# unit tests in the release one; the threaded parts' in a ThreadSanitizer
# build too), a short fuzz run of the
# mock server's parsers (scripts/fuzz.sh, ~30 s), then the end-to-end tests
# against the real pinned DSPy releases, then the wheel
# (built, repaired, installed with uv and run with no source tree: ~3 min).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh --asan --tsan
scripts/check-format.sh
# The runner's rules (target_runner/ruff.toml) for all product Python: the
# runner, the audit's scanner and the scripts.
ruff check --config target_runner/ruff.toml target_runner harness/audit/scanner scripts

jobs=$(nproc)
summary=()
run_ctest() {
  local name=$1; shift
  echo "== $name"
  local log
  log=$(mktemp)
  set +e
  ctest "$@" --output-on-failure 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  set -e
  summary+=("$name: $(grep -E 'tests passed|tests failed' "$log" | tail -1)")
  rm -f "$log"
  return $rc
}

status=0
# Release: the C++ unit tests and the runner's Python ones (label python).
run_ctest "unit (release, + python)" --test-dir build -LE 'e2e|wheel' -j "$jobs" || status=1
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  run_ctest "unit (asan+ubsan)" --test-dir build-asan -LE 'e2e|python|wheel' -j "$jobs" || status=1
# ThreadSanitizer over the parts with threads of their own (the only binaries
# build-tsan holds). AThousandHeldRequestsOnOneThread measures capacity (a
# thousand requests in flight within a second), which TSan's slowdown breaks;
# it runs in the two builds above.
TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
  run_ctest "unit (tsan: mock server, runner, warm, process)" --test-dir build-tsan \
  -L '^(mock_server_tests|runner_tests|warm_tests|process_tests)$' \
  -E 'AThousandHeldRequestsOnOneThread' -j "$jobs" || status=1
echo "== fuzz (10 s per target)"
if scripts/fuzz.sh 10; then summary+=("fuzz: no crash"); else summary+=("fuzz: FAILED"); status=1; fi
# End-to-end runs use both cores themselves; one test at a time.
run_ctest "end-to-end (real DSPy 2.5.39 / 2.5.40)" --test-dir build -L e2e -j 1 || status=1
run_ctest "wheel (uv tool install, no source tree)" --test-dir build -L wheel -j 1 || status=1

echo "== summary"
printf '  %s\n' "${summary[@]}"
exit $status
