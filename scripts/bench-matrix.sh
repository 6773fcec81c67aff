#!/usr/bin/env bash
# Benchmark of issue 6 (warm starts), in one go, on this machine:
#   1. provisioning the shipped targets when they are cached;
#   2. the median wall time per run of a trivial scenario, warm and cold;
#   3. the bundled catalogue at default settings, warm and --cold (same seed),
#      and again at --repeat 10, where an intermittent failure shows as a rate:
#      whether every verdict came out the same, and whether any pass count
#      differs more than chance explains (Fisher's exact test);
#   4. the alternative a user would pick: the same scenarios as pytest tests
#      (pytest-repeat for REPEAT headers), one interpreter per target, both
#      targets at once, against dspy-compat mock servers with the same delays.
# Prints a table of every figure and the issue's goals. Takes a few minutes.
#
#   scripts/bench-matrix.sh [--trivial-repeat N] [--verdict-repeat N] [--seed S] [--out DIR]
#
# --verdict-repeat 0 skips the repeated comparison (the longest part, cold).
#
# DSPY_COMPAT_BIN picks the binary (default build/harness/cli/dspy-compat,
# built by scripts/setup.sh when missing). The pytest environments are copies
# of each target's lock plus pytest, made once with uv (pip without it) under
# the cache ($DSPY_COMPAT_CACHE, default ~/.cache/dspy-compat/bench).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

trivial_repeat=20
verdict_repeat=10
seed=20241126
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --trivial-repeat) trivial_repeat=$2; shift 2 ;;
    --verdict-repeat) verdict_repeat=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "bench-matrix: unknown option $1 (known: --trivial-repeat N, --verdict-repeat N," \
         "--seed S, --out DIR)" >&2
       exit 2 ;;
  esac
done

bin=${DSPY_COMPAT_BIN:-build/harness/cli/dspy-compat}
[ -x "$bin" ] || scripts/setup.sh
bin=$(realpath "$bin")
out=${out:-$(mktemp -d "${TMPDIR:-/tmp}/dspy-compat-bench.XXXXXX")}
mkdir -p "$out"
out=$(realpath "$out")
cache=${DSPY_COMPAT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dspy-compat}
figures="python3 $root/scripts/bench/bench_figures.py"
export CI=1  # plain progress lines in the logs

now() { date +%s.%N; }
seconds_since() { python3 -c "import sys; print('%.2f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$1" "$(now)"; }
log() { echo "bench-matrix: $*" >&2; }

mock_pids=()
cleanup() {
  for pid in "${mock_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

# 1. Provisioning, twice: the first may install, the second is the cache hit.
"$bin" envs sync dspy-2.5.39 dspy-2.5.40 >"$out/envs.txt"
t=$(now)
"$bin" envs sync dspy-2.5.39 dspy-2.5.40 >"$out/envs.txt"
sync_hit=$(seconds_since "$t")

# 2. A trivial scenario, one job so that runs do not share the cores.
trivial() {  # mode-flag dir
  "$bin" run --targets dspy-2.5.40 --repeat "$trivial_repeat" --jobs 1 --seed "$seed" \
    --scenarios scripts/bench/trivial.py --out "$2" $1 >"$2.log" 2>&1
  $figures trivial "$2/results.json"
}
log "trivial scenario x $trivial_repeat, warm"
read -r warm_median warm_p90 warm_n warm_modes < <(trivial "" "$out/trivial-warm")
log "trivial scenario x $trivial_repeat, cold"
read -r cold_median cold_p90 cold_n cold_modes < <(trivial --cold "$out/trivial-cold")

# 3. The catalogue at default settings, warm then cold.
catalogue() {  # mode-flag dir [more flags]
  local t mode=$1 dir=$2
  shift 2
  t=$(now)
  "$bin" run --seed "$seed" --out "$dir" $mode "$@" >"$dir.log" 2>&1
  seconds_since "$t"
}
log "catalogue, warm"
catalogue_warm=$(catalogue "" "$out/catalogue-warm")
log "catalogue, cold"
catalogue_cold=$(catalogue --cold "$out/catalogue-cold")
if [ "$verdict_repeat" -gt 0 ]; then
  log "catalogue --repeat $verdict_repeat, warm"
  repeated_warm=$(catalogue "" "$out/repeated-warm" --repeat "$verdict_repeat")
  log "catalogue --repeat $verdict_repeat, cold"
  repeated_cold=$(catalogue --cold "$out/repeated-cold" --repeat "$verdict_repeat")
fi
runs=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['runs']))" \
  "$out/catalogue-warm/results.json")
fallbacks=$(python3 -c "import json,sys; print(sum(r.get('start_mode') != 'warm' for r in json.load(open(sys.argv[1]))['runs']))" \
  "$out/catalogue-warm/results.json")

# 4. pytest + pytest-repeat, one interpreter per target.
pytest_env() {  # target -> its python, with pytest (made once per lock)
  local target=$1 lock="fixtures/targets/$1/requirements.lock" hash dir
  hash=$(sha256sum "$lock" | cut -c1-16)
  dir="$cache/bench/$target-$hash-pytest"
  if [ ! -f "$dir/.ready" ]; then
    log "making $dir (the target's lock, plus pytest and pytest-repeat)"
    rm -rf "$dir"
    if command -v uv >/dev/null; then
      uv venv --quiet --python 3.11 "$dir"
      uv pip install --quiet --python "$dir/bin/python" --require-hashes --no-deps -r "$lock"
      uv pip install --quiet --python "$dir/bin/python" pytest==8.3.4 pytest-repeat==0.9.3
    else
      python3.11 -m venv "$dir"
      "$dir/bin/python" -m pip install --quiet --require-hashes --no-deps -r "$lock"
      "$dir/bin/python" -m pip install --quiet pytest==8.3.4 pytest-repeat==0.9.3
    fi
    touch "$dir/.ready"
  fi
  echo "$dir/bin/python"
}
py39=$(pytest_env dspy-2.5.39)
py40=$(pytest_env dspy-2.5.40)

# A mock server per LM-DELAY-MS value, as the harness delays each scenario's LM.
bases="{"
for delay in $($figures delays scenarios); do
  log_file="$out/mock-$delay.log"
  "$bin" mock-server --port 0 --delay-ms "$delay" --seed "$seed" >"$log_file" 2>&1 &
  mock_pids+=($!)
  for _ in $(seq 100); do grep -qs "mock LM server on" "$log_file" && break; sleep 0.1; done
  base=$(sed -n 's/^mock LM server on \([^ ]*\).*/\1/p' "$log_file")
  [ -n "$base" ] || { echo "bench-matrix: a mock server did not start: $(cat "$log_file")" >&2; exit 3; }
  bases+="\"$delay\": \"$base/v1\", "
done
bases="${bases%, }}"

pytest_run() {  # python target; its own duration goes to DIR.seconds
  local dir="$out/pytest-$2" t
  mkdir -p "$dir/home" "$dir/tmp"
  t=$(now)
  (cd "$dir" && env -i PATH="$PATH" HOME="$dir/home" TMPDIR="$dir/tmp" \
     DSPY_CACHEDIR="$dir/dspy_cache" LITELLM_LOCAL_MODEL_COST_MAP=True \
     OPENBLAS_NUM_THREADS=1 PYTHONDONTWRITEBYTECODE=1 \
     BENCH_SCENARIOS="$root/scenarios" BENCH_MOCK_BASES="$bases" \
     timeout 1800 "$1" -m pytest -q -p no:cacheprovider --junitxml="$dir/junit.xml" \
       "$root/scripts/bench/test_catalogue.py" >"$dir.log" 2>&1) || true
  seconds_since "$t" >"$dir.seconds"
}
log "catalogue as pytest tests, both targets at once"
t=$(now)
pytest_run "$py39" dspy-2.5.39 &
p39=$!
pytest_run "$py40" dspy-2.5.40 &
p40=$!
wait $p39 $p40
pytest_both=$(seconds_since "$t")

ratio=$(python3 -c "import sys; print('%.2f' % (float(sys.argv[1]) / float(sys.argv[2])))" \
  "$catalogue_warm" "$pytest_both")
met() { [ "$(python3 -c "import sys; print(float(sys.argv[1]) <= float(sys.argv[2]))" "$1" "$2")" = True ] && echo met || echo "NOT met"; }

cat <<EOF

## dspy-compat benchmark (issue 6): $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), seed $seed
## (load average before the run: $(cut -d' ' -f1-3 /proc/loadavg); outputs in $out)

| what | figure |
|---|---|
| provisioning both targets, cache hit (envs sync) | ${sync_hit} s |
| trivial scenario, wall time per run, warm (median of $warm_n, 1 job) | ${warm_median} ms (p90 ${warm_p90} ms; start: $warm_modes) |
| trivial scenario, wall time per run, cold (median of $cold_n, 1 job) | ${cold_median} ms (p90 ${cold_p90} ms) |
| catalogue at default settings, warm ($runs runs, $fallbacks not warm) | ${catalogue_warm} s |
| catalogue at default settings, --cold | ${catalogue_cold} s |
| pytest + pytest-repeat, one interpreter per target, both at once | ${pytest_both} s (dspy-2.5.39 $(cat "$out/pytest-dspy-2.5.39.seconds") s, dspy-2.5.40 $(cat "$out/pytest-dspy-2.5.40.seconds") s) |
| pytest outcomes, dspy-2.5.39 | $($figures junit "$out/pytest-dspy-2.5.39/junit.xml" 2>/dev/null || echo "no junit.xml") |
| pytest outcomes, dspy-2.5.40 | $($figures junit "$out/pytest-dspy-2.5.40/junit.xml" 2>/dev/null || echo "no junit.xml") |

Goals: warm per-run wall time <= 50 ms median: ${warm_median} ms, $(met "$warm_median" 50).
Catalogue warm within 1.5 x the pytest alternative: ${catalogue_warm} s / ${pytest_both} s = ${ratio}, $(met "$ratio" 1.5).

Verdicts, warm vs cold, at default settings (same seed; one run per pair, so an
intermittent scenario can differ by chance alone):

EOF
$figures verdicts "$out/catalogue-warm" "$out/catalogue-cold"
if [ "$verdict_repeat" -gt 0 ]; then
  cat <<EOF

Verdicts, warm vs cold, at --repeat $verdict_repeat (same seed): warm ${repeated_warm} s, cold ${repeated_cold} s.

EOF
  $figures verdicts "$out/repeated-warm" "$out/repeated-cold"
fi
