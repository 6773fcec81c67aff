"""Figures for scripts/bench-matrix.sh, read from what the runs left behind.

  bench_figures.py trivial RESULTS_JSON          median and p90 wall time per run, ms
  bench_figures.py verdicts WARM_DIR COLD_DIR    per scenario: verdicts and counts, warm vs cold
  bench_figures.py junit JUNIT_XML               pytest outcomes: "P passed, F failed"
  bench_figures.py delays SCENARIOS_DIR          the distinct LM-DELAY-MS values (default 5-15)
"""

import json
import os
import re
import statistics
import sys
import xml.etree.ElementTree as ET


def trivial(path):
    runs = json.load(open(path))["runs"]
    walls = sorted(r["wall_seconds"] * 1000 for r in runs)
    modes = sorted({r.get("start_mode", "") for r in runs})
    p90 = walls[min(len(walls) - 1, int(round(0.9 * (len(walls) - 1))))]
    print("%.1f %.1f %d %s" % (statistics.median(walls), p90, len(walls), ",".join(modes)))


def report_verdicts(report_md):
    """Scenario -> (cells per target..., verdict) from report.md's summary table."""
    rows, in_table = {}, False
    for line in open(report_md, encoding="utf-8"):
        if line.startswith("| Scenario |"):
            in_table = True
        elif in_table and not line.startswith("|"):
            break
        if not in_table or not line.startswith("| `"):
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        rows[cells[0].strip("`")] = (cells[2:-1], cells[-1].replace("*", ""))
    return rows


def counts(results_json):
    """(scenario, target) -> "passes/runs"."""
    table = {}
    for r in json.load(open(results_json))["runs"]:
        key = (r["scenario_id"], r["target_name"])
        passed, total = table.get(key, (0, 0))
        table[key] = (passed + (r["status"] == "pass"), total + 1)
    return table


def fisher_p(a_pass, a_runs, b_pass, b_runs):
    """Two-sided Fisher exact test: how likely pass counts at least this far
    apart are when warm and cold runs pass equally often."""
    from math import comb

    n, row, col = a_runs + b_runs, a_runs, a_pass + b_pass

    def prob(x):
        return comb(col, x) * comb(n - col, row - x) / comb(n, row)

    observed = prob(a_pass)
    return min(1.0, sum(prob(x) for x in range(max(0, row + col - n), min(row, col) + 1)
                        if prob(x) <= observed * (1 + 1e-9)))


def verdicts(warm_dir, cold_dir):
    warm = report_verdicts(os.path.join(warm_dir, "report.md"))
    cold = report_verdicts(os.path.join(cold_dir, "report.md"))
    warm_counts = counts(os.path.join(warm_dir, "results.json"))
    cold_counts = counts(os.path.join(cold_dir, "results.json"))
    scenarios = sorted(set(warm) | set(cold))
    same, significant = 0, []
    print("| scenario | warm | cold | same verdict | Fisher p (lowest target) |")
    print("|---|---|---|---|---|")
    for scenario in scenarios:
        w = warm.get(scenario, ([], "missing"))
        c = cold.get(scenario, ([], "missing"))
        # "regression (intermittent)" and "regression" are the same verdict.
        equal = w[1].split(" (")[0] == c[1].split(" (")[0]
        same += equal
        lowest = 1.0
        for key in set(warm_counts) | set(cold_counts):
            if key[0] != scenario or key not in warm_counts or key not in cold_counts:
                continue
            p = fisher_p(*warm_counts[key], *cold_counts[key])
            lowest = min(lowest, p)
            if p < 0.05:
                significant.append("%s on %s" % key)
        print("| %s | %s: %s | %s: %s | %s | %.2f |" % (
            scenario, w[1], ", ".join(w[0]), c[1], ", ".join(c[0]),
            "yes" if equal else "**no**", lowest))
    print()
    print("verdicts: %d of %d scenarios the same warm and cold; pass counts differ "
          "significantly (Fisher p < 0.05) for %d (scenario, target) pairs%s" % (
              same, len(scenarios), len(significant),
              (": " + ", ".join(sorted(significant))) if significant else ""))


def junit(path):
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    total = sum(int(s.get("tests", 0)) for s in suites)
    failed = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
    print("%d passed, %d failed" % (total - failed, failed))


def delays(folder):
    found = {"5-15"}
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".py"):
            continue
        for line in open(os.path.join(folder, name), encoding="utf-8"):
            match = re.match(r"# ([A-Z][A-Z-]*): (.*)", line)
            if not match:
                break
            if match.group(1) == "LM-DELAY-MS":
                found.add(match.group(2).split()[0])
    print(" ".join(sorted(found)))


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    {"trivial": trivial, "verdicts": verdicts, "junit": junit, "delays": delays}[command](*args)
