#!/usr/bin/env bash
# Fuzzes the mock LM server's request parser, its fixture parser and its JSON reader (against
# nlohmann's, differentially), and the harness's input readers (scenario header, results.json,
# baseline, target.toml, lock file) with libFuzzer (clang), apart from the main g++ build. Replays
# every input that ever crashed a target (<fuzz folder>/corpus-regressions/<target>/), then fuzzes
# each target for a bounded time from the seed corpus. Exits non-zero on a crash, leak or sanitizer report, and says where
# the crashing input is.
#   scripts/fuzz.sh              10 s per target, 80 s in all (what scripts/test.sh runs)
#   scripts/fuzz.sh 600          a longer run, 10 minutes per target
#   FUZZ_JOBS=2 scripts/fuzz.sh 3600   both cores, an hour per target
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

seconds=${1:-10}
build=${FUZZ_BUILD_DIR:-build-fuzz}
case $build in /*) ;; *) build=$root/$build ;; esac
jobs=${FUZZ_JOBS:-1}
cxx=${FUZZ_CXX:-clang++-14}
# Each fuzz folder is its own CMake project, built in its own folder.
suites=("harness/mock_server/fuzz:$build:request_fuzzer fixture_fuzzer json_fuzzer"
  "harness/fuzz:$build-input:header_fuzzer results_fuzzer baseline_fuzzer target_toml_fuzzer lock_fuzzer")

command -v "$cxx" >/dev/null || {
  echo "fuzz: $cxx not found (scripts/setup.sh installs clang-14 and libclang-rt-14-dev)" >&2
  exit 2
}
for suite in "${suites[@]}"; do
  IFS=: read -r fuzz_dir suite_build suite_targets <<<"$suite"
  if [ ! -f "$suite_build/build.ninja" ]; then
    cmake -S "$fuzz_dir" -B "$suite_build" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  fi
  read -ra names <<<"$suite_targets"
  cmake --build "$suite_build" -j "${FUZZ_BUILD_JOBS:-2}" --target "${names[@]}"
done

status=0
count=0
for suite in "${suites[@]}"; do
IFS=: read -r fuzz_dir build suite_targets <<<"$suite"
read -ra targets <<<"$suite_targets"
for target in "${targets[@]}"; do
  count=$((count + 1))
  name=${target%_fuzzer}
  seeds="$fuzz_dir/corpus/$name"
  regressions="$fuzz_dir/corpus-regressions/$name"
  work="$build/corpus/$name"            # grows while fuzzing; not kept in the repository
  artifacts="$build/artifacts/$name/"
  mkdir -p "$work" "$artifacts" "$regressions"
  dict=()
  [ -f "$fuzz_dir/$name.dict" ] && dict=(-dict="$root/$fuzz_dir/$name.dict")

  mapfile -t old < <(find "$regressions" -type f ! -name '.*' | sort)
  if [ ${#old[@]} -gt 0 ]; then
    echo "== $target: replaying ${#old[@]} regression inputs"
    if ! "$build/$target" -runs=0 "${old[@]}" >"$build/$name-replay.log" 2>&1; then
      tail -30 "$build/$name-replay.log" >&2
      echo "fuzz: $target fails on a regression input (log: $build/$name-replay.log)" >&2
      status=1
      continue
    fi
  fi

  echo "== $target: fuzzing for ${seconds}s"
  # With -jobs, libFuzzer's workers write fuzz-<n>.log into the working
  # folder: run from the build folder so nothing lands in the checkout.
  parallel=()
  [ "$jobs" -gt 1 ] && parallel=(-jobs="$jobs" -workers="$jobs")
  set +e
  (cd "$build" && "./$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 "${parallel[@]}" -artifact_prefix="$artifacts" \
    "${dict[@]}" "$work" "$root/$seeds") >"$build/$name.log" 2>&1
  rc=$?
  set -e
  grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb)" "$build/$name.log" | sed 's/^/  /' || true
  if [ $rc -ne 0 ]; then
    tail -40 "$build/$name.log" >&2
    echo "fuzz: $target found a problem; the input is in $artifacts" >&2
    echo "fuzz: once fixed, keep it: cp ${artifacts}crash-* $regressions/" >&2
    status=1
  fi
done
done
[ $status -eq 0 ] && echo "fuzz: no crashes ($count targets, ${seconds}s each)"
exit $status
