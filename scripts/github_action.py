#!/usr/bin/env python3
"""The logic of the GitHub Action (action.yml): gate a session's results, write
the job summary and the workflow annotations.

    github_action.py OUT_DIR [--baseline FILE] [--run-exit-code N]

Runs `dspy-compat gate OUT_DIR/results.json` (the binary from PATH, or
$DSPY_COMPAT_BINARY), prints its lines to the log, then
- appends the Markdown report to $GITHUB_STEP_SUMMARY, the gate's verdict and
  the report's verdict and table first, cut at a line to stay within GitHub's
  1 MiB per step (with a note saying so and where the whole report is);
- prints one annotation per pair the gate flagged, at the scenario file and
  the line the failing run's traceback names in it (else line 1): `::error`
  for a regression, `::warning` for an infrastructure problem, `::notice`
  for an unexpected pass.
Exits with the gate's code (0 passed, 1 regression, 3 infrastructure, 2 bad
input). Standard library only: it runs on the runner's own python3.
"""

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

# GitHub refuses a step summary above 1 MiB; keep room for the note.
SUMMARY_LIMIT = int(os.environ.get("DSPY_COMPAT_SUMMARY_LIMIT", str(1024 * 1024)))
GATE_LINE = re.compile(r"^(REGRESSION|INFRASTRUCTURE|UNEXPECTED-PASS)\s+(\S+) on (\S+): (.*)$")
LEVEL = {"REGRESSION": "error", "INFRASTRUCTURE": "warning", "UNEXPECTED-PASS": "notice"}


def escape_data(text):
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text):
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def scenario_file(info, workspace):
    """The scenario's path as GitHub wants it: relative to the repository."""
    path = info.get("path", "")
    workspace = os.path.abspath(workspace)
    if os.path.isabs(path) and os.path.commonpath([path, workspace]) == workspace:
        return os.path.relpath(path, workspace)
    return path


def failing_line(results, scenario, target, path):
    """The line in the scenario file that the pair's first failing run's
    traceback names last (the scenario's own frame nearest the error)."""
    name = os.path.basename(path)
    for run in results.get("runs", []):
        if run.get("scenario_id") != scenario or run.get("target_name") != target:
            continue
        if run.get("status") == "pass":
            continue
        frames = re.findall(r'File "([^"]+)", line (\d+)', run.get("traceback", ""))
        lines = [int(n) for f, n in frames if os.path.basename(f) == name]
        if lines:
            return lines[-1]
    return 1


def annotations(gate_output, results, workspace):
    infos = results.get("environment", {}).get("scenario_info", {})
    out = []
    for line in gate_output.splitlines():
        m = GATE_LINE.match(line)
        if not m:
            continue
        label, scenario, target, reason = m.groups()
        info = infos.get(scenario, {})
        path = scenario_file(info, workspace)
        where = ""
        if path:
            where = "file={},line={},".format(
                escape_property(path), failing_line(results, scenario, target, path))
        title = "dspy-compat {} on {}".format(label.lower(), target)
        out.append("::{} {}title={}::{}".format(
            LEVEL[label], where, escape_property(title),
            escape_data("{} on {}: {}".format(scenario, target, reason))))
    return out


def summary(gate_output, report, report_path, limit):
    verdict = gate_output.strip().splitlines()[-1] if gate_output.strip() else "gate: no output"
    head = "**dspy-compat {}**\n\n".format(verdict)
    note = ("\n\n> The report was cut here to fit the job summary's 1 MiB; "
            "the whole report is `{}` in the uploaded artifact.\n".format(report_path))
    text = head + report
    if len(text.encode()) <= limit:
        return text
    budget = limit - len(head.encode()) - len(note.encode())
    cut = report.encode()[:max(0, budget)].decode(errors="ignore")
    cut = cut[:cut.rfind("\n")] if "\n" in cut else ""
    return head + cut + note


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the session's output folder (run --out, merge --out)")
    parser.add_argument("--baseline", help="gate against this baseline file")
    parser.add_argument("--run-exit-code", type=int, default=0,
                        help="how `run`/`merge` exited: kept when it left no results")
    args = parser.parse_args()

    binary = os.environ.get("DSPY_COMPAT_BINARY", "dspy-compat")
    results_path = args.out / "results.json"
    if not results_path.is_file():
        print("::error title=dspy-compat::no results in {}: the run did not finish (exit {})"
              .format(escape_data(str(args.out)), args.run_exit_code))
        return args.run_exit_code or 3
    cmd = [binary, "gate", str(results_path)]
    if args.baseline:
        cmd += ["--baseline", args.baseline]
    gate = subprocess.run(cmd, capture_output=True, text=True)
    sys.stdout.write(gate.stdout)
    sys.stderr.write(gate.stderr)
    if gate.returncode == 2:
        return 2

    results = json.loads(results_path.read_text())
    report_path = args.out / "report.md"
    if report_path.is_file():
        report = report_path.read_text()
    else:
        report = subprocess.run([binary, "report", str(results_path), "--format", "md"],
                                capture_output=True, text=True, check=True).stdout
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_file:
        with open(summary_file, "a", encoding="utf-8") as f:
            f.write(summary(gate.stdout, report, report_path, SUMMARY_LIMIT))
    workspace = os.environ.get("GITHUB_WORKSPACE", os.getcwd())
    for line in annotations(gate.stdout, results, workspace):
        print(line)
    return gate.returncode


if __name__ == "__main__":
    sys.exit(main())
