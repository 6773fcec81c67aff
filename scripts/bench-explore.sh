#!/usr/bin/env bash
# How many runs until a scenario's first failure, natural delays vs exploring
# LM response orders (issue 12), on one target. By default every catalogue
# scenario that regresses on 2.5.40 by itself (an `EXPECT: fail... on
# dspy>=2.5.40` line and no MOCK-FIXTURE forcing it); --scenario (repeatable)
# names others. One session of N repetitions per scenario and mode; every run has its own delays or schedule (seeded by its run id), so
# the outcomes are independent draws, and the gaps between failures are
# samples of "runs until the first failure" (a run after the last failure is
# censored). Prints the failure rate, the median and 95th percentile of those
# samples, the share found within 5 runs, and each mode's wall time.
#
#   scripts/bench-explore.sh [--scenario FILE]... [--target NAME] [--runs N]
#                            [--modes "natural pct random"] [--seed S] [--out DIR]
#
# Each mode is `run --schedule MODE`. DSPY_COMPAT_BIN picks the binary
# (default build/harness/cli/dspy-compat).
set -euo pipefail
cd "$(dirname "$0")/.."

scenarios=()
target=dspy-2.5.40
runs=40
modes="natural pct random"
seed=20241126
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --scenario) scenarios+=("$2"); shift 2 ;;
    --target) target=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --modes) modes=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "bench-explore: unknown option $1 (known: --scenario FILE, --target NAME," \
         "--runs N, --modes LIST, --seed S, --out DIR)" >&2
       exit 2 ;;
  esac
done
bin=${DSPY_COMPAT_BIN:-build/harness/cli/dspy-compat}
[ -x "$bin" ] || { echo "bench-explore: no binary at $bin (build first)" >&2; exit 2; }
if [ ${#scenarios[@]} -eq 0 ]; then
  for f in scenarios/*.py; do
    if grep -q '^# EXPECT: fail.* on dspy>=2.5.40' "$f" && ! grep -q '^# MOCK-FIXTURE' "$f"; then
      scenarios+=("$f")
    fi
  done
fi
out=${out:-$(mktemp -d /tmp/bench-explore.XXXXXX)}
mkdir -p "$out"

# measure SCENARIO MODE: one session, then its figures on one line.
measure() {
  local scenario=$1 mode=$2 name start end
  name=$(basename "$scenario" .py)
  start=$(date +%s.%N)
  "$bin" run --schedule "$mode" --scenarios "$scenario" --targets "$target" \
    --repeat "$runs" --seed "$seed" --no-changed-code -o "$out/$name/$mode" \
    >"$out/$name.$mode.log" 2>&1 || true
  end=$(date +%s.%N)
  python3 - "$out/$name/$mode/results.json" "$mode" "$start" "$end" <<'EOF'
import json, math, sys
path, mode, start, end = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
runs = sorted(json.load(open(path))["runs"], key=lambda r: r["repetition"])
failed = [r["status"] != "pass" for r in runs]
gaps, n = [], 0
for f in failed:
    n += 1
    if f:
        gaps.append(n)
        n = 0
def pct(xs, p):
    if not xs:
        return "-"
    xs = sorted(xs)
    return xs[min(len(xs) - 1, math.ceil(p * len(xs)) - 1)]
explored = sum(1 for r in runs if r.get("lm_schedule"))
bound = sum(1 for r in runs for x in (r.get("lm_schedule") or {}).get("releases", []) if x["bound"])
errors = sorted({r["error_type"] for r in runs if r["status"] != "pass"})
print(f"{mode:8} runs {len(runs):3} (explored {explored:3}) failed {sum(failed):3} "
      f"({100 * sum(failed) / max(1, len(runs)):5.1f}%)  runs to first failure: "
      f"{len(gaps)} samples, median {pct(gaps, 0.5)}, p95 {pct(gaps, 0.95)}, "
      f"within 5 runs {100 * sum(g <= 5 for g in gaps) / max(1, len(gaps)):3.0f}%, "
      f"censored tail {n}  bound releases {bound}  wall {end - start:6.1f} s  {errors}")
EOF
}

for scenario in "${scenarios[@]}"; do
  echo "== $(basename "$scenario" .py) on $target, $runs runs per mode"
  for mode in $modes; do measure "$scenario" "$mode"; done
done
echo "bench-explore: results under $out"
