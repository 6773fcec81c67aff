#!/usr/bin/env bash
# Ten default `run`s in a row of the user programs (issue 12): per session its exit code,
# wall time, run count and failures/runs per program on each target, then the report's
# verdicts. Usage: N=10 scripts/bench-defaults.sh (needs a build and the shipped targets).
cd "$(dirname "$0")/.."
mkdir -p "${OUT:-/tmp}"
for i in $(seq 1 ${N:-10}); do
  out=${OUT:-/tmp}/bench-defaults-$i; rm -rf $out
  start=$(date +%s)
  build/harness/cli/dspy-compat run --scenarios harness/e2e/testdata/user_programs -o $out > $out.log 2>&1
  code=$?
  end=$(date +%s)
  python3 - "$out/results.json" $i $((end-start)) $code <<'PY'
import json, sys, collections
r = json.load(open(sys.argv[1]))
c = collections.defaultdict(lambda: [0, 0])
for x in r["runs"]:
    k = (x["scenario_id"], x["target_name"])
    c[k][0] += 1
    c[k][1] += x["status"] != "pass"
ids = sorted({k[0] for k in c})
cells = []
for s in ids:
    a = c[(s, "dspy-2.5.39")]; b = c[(s, "dspy-2.5.40")]
    cells.append("%s %d/%d|%d/%d" % (s[:12], a[1], a[0], b[1], b[0]))
print("session %s exit %s %ss runs %d: %s" % (sys.argv[2], sys.argv[4], sys.argv[3], len(r["runs"]), "  ".join(cells)))
PY
  grep -E "^\| \`" $out/report.md | awk -F'|' '{print "   ", $2, $NF-1, $(NF-1)}'
done
