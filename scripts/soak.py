"""The soak test's logic (scripts/soak.sh describes it); stdlib only."""

import argparse
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIGNALS = [signal.SIGKILL, signal.SIGTERM, signal.SIGINT]
# A progress line of a finished run: "[3/40] 1m left  pass    id on target (rep 2, 1.2s)".
FINISHED = re.compile(r"^\[\d+/\d+\] .*?\s(\w+)\s+(\S+) on (\S+) \(rep (\d+), ")


def processes_under(folder: Path) -> list[int]:
    """Processes whose working folder is under `folder`: runs, warm servers."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cwd = os.readlink(entry / "cwd")
        except OSError:
            continue
        if cwd.startswith(str(folder) + "/") or cwd == str(folder):
            found.append(int(entry.name))
    return found


def read_results(binary: str, path: Path) -> tuple[dict | None, str]:
    """results.json as JSON, after the harness's own reader has validated it."""
    if not path.exists():
        return None, "missing"
    check = subprocess.run([binary, "report", str(path), "--format", "json"],
                           capture_output=True, text=True)
    if check.returncode != 0:
        return None, check.stderr.strip()
    return json.loads(path.read_text()), ""


def wait_for_first_run(harness: subprocess.Popen, log_path: Path, offset: int,
                       deadline: float) -> bool:
    """Waits until the session's log shows a finished run; False if the
    harness ended or the soak's time ran out first."""
    while time.monotonic() < deadline and harness.poll() is None:
        with open(log_path) as log:
            log.seek(offset)
            if any(FINISHED.match(line) for line in log):
                return True
        time.sleep(0.2)
    return False


def main() -> int:
    parser = argparse.ArgumentParser(description="kill-and-resume soak test")
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--repeat", default="2..6")
    parser.add_argument("-j", "--jobs", default="2")
    parser.add_argument("--cold", action="store_true")
    parser.add_argument("--targets")
    parser.add_argument("--scenarios")
    parser.add_argument("--out")
    parser.add_argument("--seed", type=int, default=None, help="for the kill schedule")
    parser.add_argument("--max-wait", type=float, default=25.0,
                        help="longest a session runs before it is killed (seconds)")
    args = parser.parse_args()

    binary = os.environ.get("DSPY_COMPAT_BIN", "build/harness/cli/dspy-compat")
    binary = str(Path(binary).resolve())
    base = Path(args.out or tempfile.mkdtemp(prefix="dspy-compat-soak-")).resolve()
    base.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)
    deadline = time.monotonic() + args.minutes * 60

    figures = {"stops": 0, "kills_survived": {s.name: 0 for s in SIGNALS}, "resumes": 0,
               "sessions_finished": 0, "runs_finished": 0, "runs_lost": 0, "runs_repeated": 0,
               "orphans": 0, "invalid_results": 0, "gate_passed_unfinished": 0,
               "unexpected_exits": 0, "kills_among_runs": 0}
    problems: list[str] = []

    session = 0
    out: Path | None = None
    known: dict[str, float] = {}  # run id -> wall_seconds, as last read
    while time.monotonic() < deadline:
        resume = out is not None
        if not resume:
            session += 1
            out = base / f"session-{session}"
            known = {}
            cmd = [binary, "run", "--out", str(out), "--repeat", args.repeat, "-j", args.jobs,
                   "--seed", str(session)]
            if args.cold:
                cmd.append("--cold")
            if args.targets:
                cmd += ["--targets", args.targets]
            if args.scenarios:
                cmd += ["--scenarios", args.scenarios]
        else:
            cmd = [binary, "run", "--resume", str(out)]
            figures["resumes"] += 1
        log_path = base / f"session-{session}.log"
        with open(log_path, "a") as log:
            log.write(f"$ {' '.join(cmd)}\n")
            log.flush()
            start_offset = log.tell()
            harness = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                       env={**os.environ, "CI": "1"})
        # Half the kills land while a session starts (provisioning, warm-up),
        # half once its runs finish: on a loaded machine the start alone can
        # outlast --max-wait, and then no kill would ever meet a running run.
        if rng.random() < 0.5 and wait_for_first_run(harness, log_path, start_offset, deadline):
            figures["kills_among_runs"] += 1
        wait = rng.uniform(1.0, args.max_wait)
        sent = None
        try:
            code = harness.wait(timeout=min(wait, max(0.1, deadline - time.monotonic())))
        except subprocess.TimeoutExpired:
            sent = rng.choice(SIGNALS)
            harness.send_signal(sent)
            try:
                code = harness.wait(timeout=120)
            except subprocess.TimeoutExpired:
                problems.append(f"{out}: the harness ignored {sent.name} for 120 s")
                harness.kill()
                code = harness.wait()
        figures["stops"] += 1

        # Orphans: give what the harness killed a moment to go.
        orphans = []
        for _ in range(20):
            orphans = processes_under(out)
            if not orphans:
                break
            time.sleep(0.25)
        if orphans:
            figures["orphans"] += len(orphans)
            problems.append(f"{out}: {len(orphans)} processes outlived the harness "
                            f"({sent.name if sent else 'exit'}): {orphans}")
            for pid in orphans:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

        problems_before = len(problems)
        results, error = read_results(binary, out / "results.json")
        printed = []
        with open(log_path) as log:
            log.seek(start_offset)
            for line in log:
                match = FINISHED.match(line)
                if match:
                    printed.append(match.groups()[1:])
        if results is None:
            # Killed before its first round was written: nothing to lose yet.
            if known or printed or (out / "results.json").exists():
                figures["invalid_results"] += 1
                problems.append(f"{out}: results.json unreadable: {error}")
            out = None  # nothing to resume: a new session
            continue
        runs = results["runs"]
        ids = [r["run_id"] for r in runs]
        by_id = {r["run_id"]: r for r in runs}
        if len(set(ids)) != len(ids):
            figures["runs_repeated"] += len(ids) - len(set(ids))
            problems.append(f"{out}: a run id appears twice")
        for run_id, wall in known.items():
            if run_id not in by_id:
                figures["runs_lost"] += 1
                problems.append(f"{out}: finished run {run_id} was lost")
            elif by_id[run_id]["wall_seconds"] != wall:
                figures["runs_repeated"] += 1
                problems.append(f"{out}: finished run {run_id} ran again")
        present = {(r["scenario_id"], r["target_name"], str(r["repetition"])) for r in runs}
        for scenario, target, rep in printed:
            if (scenario, target, rep) not in present:
                figures["runs_lost"] += 1
                problems.append(f"{out}: {scenario} on {target} rep {rep} printed, not saved")
        plan = {p["run_id"] for p in results["environment"].get("plan") or []}
        if not set(ids) <= plan:
            figures["invalid_results"] += 1
            problems.append(f"{out}: runs outside the recorded plan")
        new = len(set(ids) - set(known))
        figures["runs_finished"] += new
        known = {r["run_id"]: r["wall_seconds"] for r in runs}

        finished = bool(results["environment"].get("finished_at"))
        gate = subprocess.run([binary, "gate", str(out / "results.json")],
                              capture_output=True, text=True).returncode
        if not finished and gate == 0:
            figures["gate_passed_unfinished"] += 1
            problems.append(f"{out}: gate 0 on an unfinished session")
        expected = {None: (0, 1, 3), signal.SIGKILL: (-9,),
                    signal.SIGTERM: (130, 0, 1, 3), signal.SIGINT: (130, 0, 1, 3)}[sent]
        if code not in expected:
            figures["unexpected_exits"] += 1
            problems.append(f"{out}: exit {code} after {sent.name if sent else 'no signal'} "
                            f"(log {log_path})")
        if sent is None and code in (0, 1) and not finished:
            problems.append(f"{out}: exit {code} without finished_at")
        if sent is not None and len(problems) == problems_before:
            figures["kills_survived"][sent.name] += 1
        if finished:
            figures["sessions_finished"] += 1
            out = None

    print(f"soak: {args.minutes:g} min in {base}")
    print(f"  stops {figures['stops']} (resumes {figures['resumes']}; "
          f"{figures['kills_among_runs']} timed from a session's first finished run), kills survived: "
          + ", ".join(f"{k} {v}" for k, v in figures["kills_survived"].items()))
    for key in ("sessions_finished", "runs_finished", "runs_lost", "runs_repeated", "orphans",
                "invalid_results", "gate_passed_unfinished", "unexpected_exits"):
        print(f"  {key.replace('_', ' ')}: {figures[key]}")
    for problem in problems[:30]:
        print(f"  problem: {problem}")
    bad = (figures["runs_lost"] or figures["runs_repeated"] or figures["orphans"]
           or figures["invalid_results"] or figures["gate_passed_unfinished"]
           or figures["unexpected_exits"])
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
