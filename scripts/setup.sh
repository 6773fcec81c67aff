#!/usr/bin/env bash
# Sets up everything dspy-compat needs on a fresh Debian 12 machine, then
# builds it and provisions the shipped DSPy targets. Idempotent, and fast when
# nothing changed (a dpkg query, a no-op build, a cache hit per target).
#   scripts/setup.sh           release build in build/
#   scripts/setup.sh --asan    also the ASan/UBSan build in build-asan/
#   scripts/setup.sh --tsan    also the ThreadSanitizer build (the threaded parts' tests) in build-tsan/
set -euo pipefail
cd "$(dirname "$0")/.."

with_asan=0
with_tsan=0
for arg in "$@"; do
  case "$arg" in
    --asan) with_asan=1 ;;
    --tsan) with_tsan=1 ;;
    *) echo "setup: unknown option $arg (known: --asan, --tsan)" >&2; exit 2 ;;
  esac
done

# Debian packages: the toolchain, the C++ libraries (see CMakeLists.txt for
# why each), Python 3.11 for the targets, and tools the tests call.
apt_packages=(
  build-essential cmake ninja-build pkg-config clang-format
  libboost-dev libcli11-dev nlohmann-json3-dev libcurl4-openssl-dev libfmt-dev
  libtomlplusplus-dev libssl-dev libgtest-dev libgmock-dev
  libre2-dev libdtl-dev clang-14 libclang-rt-14-dev
  python3 python3-venv python3-pip curl procps bubblewrap
  libxml2-utils chromium ccache
)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

# uv resolves and installs the locked targets (pip would do, slower); pinned
# so that every machine provisions the same way.
uv_version=0.13.9
if ! command -v uv >/dev/null || [ "$(uv --version | cut -d' ' -f2)" != "$uv_version" ]; then
  echo "setup: installing uv $uv_version"
  python3 -m pip install --quiet --disable-pip-version-check "uv==$uv_version" 2>/dev/null ||
    python3 -m pip install --quiet --break-system-packages "uv==$uv_version"
  hash -r
fi

# ruff lints the Python runner (target_runner/ruff.toml); pinned like uv.
ruff_version=0.17.5
if ! command -v ruff >/dev/null || [ "$(ruff --version | cut -d' ' -f2)" != "$ruff_version" ]; then
  echo "setup: installing ruff $ruff_version"
  python3 -m pip install --quiet --disable-pip-version-check "ruff==$ruff_version" 2>/dev/null ||
    python3 -m pip install --quiet --break-system-packages "ruff==$ruff_version"
  hash -r
fi

# ccache keeps compiled objects across clean checkouts (CI clones main afresh
# each time); CCACHE_BASEDIR makes paths relative so other clones hit it too,
# and CCACHE_NOHASHDIR keeps the build folder out of the key of -g objects, so
# that the wheel's build of a copy (scripts/wheel_test.sh) reuses these.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
# configure_and_build DIR [--target T...] [-DVAR=VALUE...]: every target unless some are named.
configure_and_build() {
  local dir=$1; shift
  local targets=() defs=()
  while [ $# -gt 0 ]; do
    case "$1" in
      --target) targets+=(--target "$2"); shift 2 ;;
      *) defs+=("$1"); shift ;;
    esac
  done
  if [ ! -f "$dir/build.ninja" ]; then
    cmake -S . -B "$dir" -G Ninja -DCMAKE_CXX_COMPILER_LAUNCHER=ccache "${defs[@]}" >/dev/null
  fi
  cmake --build "$dir" "${targets[@]}"
}
configure_and_build build -DCMAKE_BUILD_TYPE=RelWithDebInfo
if [ $with_asan -eq 1 ]; then
  configure_and_build build-asan -DCMAKE_BUILD_TYPE=Debug -DDSPY_COMPAT_SANITIZE=ON
fi
if [ $with_tsan -eq 1 ]; then
  # Optimised: TSan's checks are slow enough without -O0 on top. Only the
  # test binaries of the parts that run threads of their own (the Asio server,
  # the scheduler and session, the fork server's reader, process groups): the
  # rest is single-threaded, and a whole third build would cost CI ~15 min cold.
  configure_and_build build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDSPY_COMPAT_SANITIZE=thread \
    --target mock_server_tests --target runner_tests --target warm_tests --target process_tests
fi

# The shipped targets, installed from their lock files into the cache.
# Only the default targets (`default = true`): the others are provisioned
# when a run or a test names them.
defaults=$(grep -l '^default = true' fixtures/targets/*/target.toml | xargs -n1 dirname | xargs -n1 basename)
# shellcheck disable=SC2086
build/harness/cli/dspy-compat envs sync $defaults
