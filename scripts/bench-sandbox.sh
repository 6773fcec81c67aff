#!/usr/bin/env bash
# What the sandbox (issue 16: bubblewrap, a PID namespace per run, the
# loopback-only network namespace, the hidden home) costs per run, measured
# in one go on this machine: the trivial scenario (scripts/bench/trivial.py,
# which only imports dspy) repeated on one job, warm and cold, each with
# --sandbox none (a process group, as before) and --sandbox bwrap, the four
# sessions alternating ROUNDS times so that a change in the machine's load
# falls on all of them. Prints the median wall time per run of each and the
# ratio sandboxed / unsandboxed.
#
#   scripts/bench-sandbox.sh [--repeat N] [--rounds R] [--modes "warm cold"] [--target NAME]
#                            [--out DIR]
#
# DSPY_COMPAT_BIN picks the binary (default build/harness/cli/dspy-compat).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

repeat=20
rounds=3
modes="warm cold"
target=dspy-2.5.40
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --repeat) repeat=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --modes) modes=$2; shift 2 ;;
    --target) target=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "bench-sandbox: unknown option $1 (known: --repeat N, --rounds R, --modes M, --target NAME," \
         "--out DIR)" >&2
       exit 2 ;;
  esac
done

bin=$(realpath "${DSPY_COMPAT_BIN:-build/harness/cli/dspy-compat}")
out=${out:-$(mktemp -d "${TMPDIR:-/tmp}/dspy-compat-bench-sandbox.XXXXXX")}
mkdir -p "$out"
out=$(realpath "$out")
export CI=1

for round in $(seq "$rounds"); do
  for mode in $modes; do
    for sandbox in none bwrap; do
      dir="$out/$mode-$sandbox-$round"
      flag=""
      [ "$mode" = cold ] && flag=--cold
      echo "bench-sandbox: round $round, $mode, --sandbox $sandbox" >&2
      "$bin" run --targets "$target" --repeat "$repeat" --jobs 1 --seed 1 \
        --scenarios scripts/bench/trivial.py --sandbox "$sandbox" --out "$dir" $flag \
        >"$dir.log" 2>&1 || { echo "bench-sandbox: failed, see $dir.log" >&2; exit 3; }
    done
  done
done

python3 - "$out" "$rounds" "$modes" <<'PY'
import json, statistics, sys
out, rounds, modes = sys.argv[1], int(sys.argv[2]), sys.argv[3].split()
def walls(mode, sandbox):
    ms, labels, starts = [], set(), set()
    for r in range(1, rounds + 1):
        for run in json.load(open("%s/%s-%s-%d/results.json" % (out, mode, sandbox, r)))["runs"]:
            ms.append(run["wall_seconds"] * 1000)
            labels.add(run.get("sandbox", "?"))
            starts.add(run.get("start_mode", "?"))
    return statistics.median(ms), len(ms), ",".join(sorted(labels)), ",".join(sorted(starts))
print("%-5s %-8s %10s %5s  %-22s %s" % ("mode", "sandbox", "median ms", "runs", "recorded", "start"))
for mode in modes:
    before = walls(mode, "none")
    after = walls(mode, "bwrap")
    for name, (median, n, label, start) in (("none", before), ("bwrap", after)):
        print("%-5s %-8s %10.1f %5d  %-22s %s" % (mode, name, median, n, label, start))
    print("%-5s ratio bwrap/none %.2f (+%.1f ms per run)" % (mode, after[0] / before[0],
                                                           after[0] - before[0]))
PY
