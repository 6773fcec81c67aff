"""The DSPy code that changed between two targets and that a scenario ran.

    python3 dspy_compat_changed_code.py --old-site DIR --new-site DIR \
        --old-trace FILE --new-trace FILE --out FILE

Diffs the sources of the dspy and dsp packages installed under two
site-packages folders (line by line, difflib, no context) into hunks, and
keeps the hunks whose old lines the old trace executed or whose new lines the
new trace executed (traces: the runner's --trace-dspy files). Writes JSON
(schema "dspy-compat/changed-code/v1"):

    {"schema": ..., "files_compared": N, "files_changed": N, "hunks_changed": N,
     "hunks": [{"file": "dsp/utils/settings.py", "old_start": 1, "old_lines": 2,
                "new_start": 1, "new_lines": 3, "executed_old": [..], "executed_new": [..],
                "lines": ["-old", "+new", ...]}]}

Line numbers are 1-based; a side with 0 lines starts at the line before
which the other side's lines go. Standard library only; Python 3.9+.
"""

import argparse
import difflib
import json
import os
import sys

SCHEMA = "dspy-compat/changed-code/v1"
PACKAGES = ("dspy", "dsp")
MAX_HUNK_LINES = 40  # diff lines kept per hunk; the rest are counted


def package_files(site):
    """Every .py file of the packages under site, relative to it, '/'-separated."""
    found = set()
    for package in PACKAGES:
        top = os.path.join(site, package)
        for folder, dirs, files in os.walk(top):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in files:
                if name.endswith(".py"):
                    rel = os.path.relpath(os.path.join(folder, name), site)
                    found.add(rel.replace(os.sep, "/"))
    return found


def read_lines(site, rel):
    path = os.path.join(site, *rel.split("/"))
    if not os.path.isfile(path):
        return []
    with open(path, "rb") as f:
        return f.read().decode("utf-8", "replace").splitlines()


def diff_hunks(rel, old, new):
    """The hunks turning old into new (lists of lines), without context."""
    hunks = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        lines = ["-" + line for line in old[i1:i2]] + ["+" + line for line in new[j1:j2]]
        hunks.append({
            "file": rel,
            "old_start": i1 + 1,
            "old_lines": i2 - i1,
            "new_start": j1 + 1,
            "new_lines": j2 - j1,
            "lines": lines,
        })
    return hunks


def diff_packages(old_site, new_site):
    """(files compared, hunks) of every file of the packages on either side."""
    files = sorted(package_files(old_site) | package_files(new_site))
    hunks = []
    for rel in files:
        old, new = read_lines(old_site, rel), read_lines(new_site, rel)
        if old != new:
            hunks.extend(diff_hunks(rel, old, new))
    return len(files), hunks


def executed_in(start, count, lines):
    """The lines of [start, start + count) in the set lines, sorted."""
    return sorted(n for n in range(start, start + count) if n in lines)


def intersect(hunks, old_trace, new_trace):
    """The hunks a trace executed on its side, each with the lines it ran.
    Traces map a file to the set of its executed lines."""
    kept = []
    for hunk in hunks:
        ran_old = executed_in(hunk["old_start"], hunk["old_lines"], old_trace.get(hunk["file"], set()))
        ran_new = executed_in(hunk["new_start"], hunk["new_lines"], new_trace.get(hunk["file"], set()))
        if not ran_old and not ran_new:
            continue
        out = dict(hunk)
        out["executed_old"] = ran_old
        out["executed_new"] = ran_new
        if len(out["lines"]) > MAX_HUNK_LINES:
            more = len(out["lines"]) - MAX_HUNK_LINES
            out["lines"] = out["lines"][:MAX_HUNK_LINES] + ["... %d more line%s" % (more, "" if more == 1 else "s")]
        kept.append(out)
    return kept


def read_trace(path):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    if not isinstance(data, dict) or data.get("schema") != "dspy-compat/dspy-trace/v1":
        raise ValueError("%s: not a dspy trace (schema dspy-compat/dspy-trace/v1)" % path)
    files = data.get("files", {})
    return {str(rel): {int(n) for n in lines} for rel, lines in files.items()}


def changed_code(old_site, new_site, old_trace, new_trace):
    compared, hunks = diff_packages(old_site, new_site)
    kept = intersect(hunks, old_trace, new_trace)
    return {
        "schema": SCHEMA,
        "files_compared": compared,
        "files_changed": len({h["file"] for h in hunks}),
        "hunks_changed": len(hunks),
        "hunks": kept,
    }


def main(argv):
    parser = argparse.ArgumentParser(prog="dspy_compat_changed_code.py", description=__doc__.split("\n")[0])
    parser.add_argument("--old-site", required=True, help="site-packages of the baseline target")
    parser.add_argument("--new-site", required=True, help="site-packages of the later target")
    parser.add_argument("--old-trace", required=True, help="the runner's --trace-dspy file on the baseline")
    parser.add_argument("--new-trace", required=True, help="the runner's --trace-dspy file on the later target")
    parser.add_argument("--out", required=True, help="where to write the JSON")
    args = parser.parse_args(argv)
    for site in (args.old_site, args.new_site):
        if not os.path.isdir(os.path.join(site, "dspy")):
            sys.stderr.write("dspy_compat_changed_code: no dspy package under %s\n" % site)
            return 2
    try:
        result = changed_code(args.old_site, args.new_site, read_trace(args.old_trace), read_trace(args.new_trace))
    except (OSError, ValueError) as exc:
        sys.stderr.write("dspy_compat_changed_code: %s\n" % exc)
        return 2
    tmp = args.out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1)
    os.replace(tmp, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
