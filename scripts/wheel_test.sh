#!/usr/bin/env bash
# The wheel as a user gets it (ctest label "wheel"): built by
# scripts/build-wheel.sh from a copy of this tree that is then deleted, so
# that neither the source nor a build folder is reachable (the binary's
# compiled-in source root no longer exists, DSPY_COMPAT_ROOT is unset);
# installed with `uv tool install` into a fresh tool folder; then, from an
# unrelated folder holding only a pyproject.toml with [tool.dspy-compat],
# `dspy-compat run` with no arguments runs one bundled scenario on both
# shipped targets. Uses the shared environment cache (DSPY_COMPAT_CACHE or
# ~/.cache/dspy-compat): provisioning is `envs sync`'s test, not this one's.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d /tmp/dspy-compat-wheel-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "wheel_test: FAIL: $*" >&2; exit 1; }

# A copy of the sources only (no .git, no build folders, no outputs).
mkdir "$tmp/src"
tar -C "$root" --exclude='./.git' --exclude='./build*' --exclude='./dist' --exclude='./out' \
  --exclude='./.cache' --exclude='__pycache__' -cf - . | tar -C "$tmp/src" -xf -
commit=$(git -C "$root" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
wheel=$(DSPY_COMPAT_GIT_COMMIT=$commit "$tmp/src/scripts/build-wheel.sh" --out "$tmp/dist" | tail -1)
rm -rf "$tmp/src"
[ -f "$wheel" ] || fail "no wheel built"
case "$(basename "$wheel")" in
  *manylinux*) ;;
  *) fail "wheel not repaired to a manylinux tag: $(basename "$wheel")" ;;
esac

export UV_TOOL_DIR=$tmp/tools UV_TOOL_BIN_DIR=$tmp/bin
uv tool install --quiet "$wheel"
unset DSPY_COMPAT_ROOT
export PATH=$tmp/bin:$PATH
version=$(dspy-compat --version)
[ "$version" = "dspy-compat $(grep -oP 'project\(dspy_compat VERSION \K[0-9.]+' "$root/CMakeLists.txt") (commit $commit)" ] ||
  fail "--version said: $version"

mkdir -p "$tmp/project/sub"
cat >"$tmp/project/pyproject.toml" <<'TOML'
[project]
name = "some-dspy-app"

[tool.dspy-compat]
scenarios = ["issue1867_single"]
repeat = 1
out = "compat-out"
TOML
cd "$tmp/project/sub"  # found upward, as ruff and pytest find theirs
set +e
dspy-compat run >"$tmp/run.log" 2>&1
code=$?
set -e
cat "$tmp/run.log" >&2
[ $code -eq 0 ] || fail "dspy-compat run exited $code"
grep -q "settings from $tmp/project/pyproject.toml" "$tmp/run.log" || fail "config not read"
results=$tmp/project/compat-out/results.json
[ -f "$results" ] || fail "no $results"
python3 - "$results" <<'PY' || fail "results not as expected"
import json, sys
r = json.load(open(sys.argv[1]))
runs = [(x["scenario_id"], x["target_name"], x["status"]) for x in r["runs"]]
print("runs:", runs, file=sys.stderr)
assert sorted(runs) == [("issue1867_single", "dspy-2.5.39", "pass"),
                        ("issue1867_single", "dspy-2.5.40", "pass")], runs
info = r["environment"]["scenario_info"]["issue1867_single"]
assert info["path"] == "scenarios/issue1867_single.py", info["path"]
PY

# An unknown key: one line naming it and the file, exit 2.
echo 'repeats = 3' >>"$tmp/project/pyproject.toml"
set +e
dspy-compat run >"$tmp/bad.log" 2>&1
code=$?
set -e
[ $code -eq 2 ] || fail "unknown key: exit $code"
[ "$(wc -l <"$tmp/bad.log")" -eq 1 ] && grep -q "unknown key 'repeats'" "$tmp/bad.log" ||
  fail "unknown key: $(cat "$tmp/bad.log")"
echo "wheel_test: passed"
