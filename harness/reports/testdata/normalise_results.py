#!/usr/bin/env python3
"""Turns a real results.json into the golden tests' fixture.

    normalise_results.py SESSION/results.json results_catalogue.json
    dspy-compat report results_catalogue.json --format json -o results_catalogue.json

What differs between two machines or two sessions that found the same thing
is pinned: timestamps, the harness version, the command line, home and cache
folders in paths, timings to a tenth of a second. The second command writes
the file the way the harness does (the golden test reads it back byte for
byte). Then regenerate the goldens: DSPY_COMPAT_UPDATE_GOLDEN=1 reports_tests.
"""
import json
import re
import sys

PATHS = [
    (re.compile(r"/root/\.cache/dspy-compat/envs/"), "/home/ci/.cache/dspy-compat/envs/"),
    (re.compile(r"/root/\.pyenv/versions/[0-9.]+/lib/python3\.11/"), "/usr/lib/python3.11/"),
    (re.compile(r"/(?:tmp|work)/[^\s\"']*?/scen(?:arios)?/"), "/home/ci/project/scenarios/"),
]


def normalise_text(text):
    for pattern, replacement in PATHS:
        text = pattern.sub(replacement, text)
    return text


def main(source, target):
    with open(source) as f:
        results = json.load(f)
    env = results["environment"]
    env["harness_version"] = "0.0.0-golden"
    env["started_at"] = "2024-11-27T09:00:00Z"
    env["finished_at"] = "2024-11-27T09:04:00Z"
    env["command_line"] = "dspy-compat run --repeat 3 --seed 7 --out out"
    env["jobs"] = 2
    for t in env["targets"]:
        t["interpreter"] = normalise_text(t["interpreter"])
    for file in env.get("knowledge", []):  # v1.5: the knowledge files, by checkout path
        file["path"] = re.sub(r"^.*/fixtures/knowledge/", "fixtures/knowledge/", file["path"])
    for info in env.get("scenario_info", {}).values():
        info["path"] = re.sub(r"^.*/scen(?:arios)?/", "scenarios/", info["path"])
    for run in results["runs"]:
        run["wall_seconds"] = round(run["wall_seconds"], 1)
        run["scenario_seconds"] = round(run["scenario_seconds"], 1)
        for key in ("traceback", "output_tail", "error_message"):
            run[key] = normalise_text(run[key])
    with open(target, "w") as f:
        json.dump(results, f, indent=2, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
