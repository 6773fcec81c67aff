#!/usr/bin/env bash
# Regenerates a target's lock file from its target.toml, the way a user would
# have resolved it on the release day: uv pip compile with --exclude-newer,
# every transitive package pinned with its hashes.
#   usage: scripts/lock-target.sh fixtures/targets/dspy-2.5.40
set -euo pipefail
dir=${1:?usage: scripts/lock-target.sh fixtures/targets/<name>}
toml="$dir/target.toml"
[ -f "$toml" ] || { echo "lock-target: no $toml" >&2; exit 2; }

# Python 3.11's tomllib reads the definition; no extra tooling needed.
read_field() {
  python3 -c 'import sys, tomllib; d = tomllib.load(open(sys.argv[1], "rb"))
for k in sys.argv[2].split("."): d = d.get(k, "") if isinstance(d, dict) else ""
print("\n".join(d) if isinstance(d, list) else d)' "$toml" "$1"
}
python=$(read_field python)
lock=$(read_field lock)
requirements=$(read_field resolution.requirements)
exclude_newer=$(read_field resolution.exclude_newer)

args=(pip compile "$dir/$requirements" --python-version "$python" --generate-hashes
      --exclude-newer "$exclude_newer" --no-header --output-file "$dir/$lock")
overrides_file=$(mktemp)
trap 'rm -f "$overrides_file"' EXIT
read_field resolution.overrides > "$overrides_file"
[ -s "$overrides_file" ] && args+=(--overrides "$overrides_file")
while IFS= read -r pkg; do
  [ -n "$pkg" ] && args+=(--exclude-newer-package "$pkg")
done < <(read_field resolution.exclude_newer_package)

UV_PYTHON_DOWNLOADS=never uv "${args[@]}"
{
  echo "# Locked by scripts/lock-target.sh with: uv ${args[*]/$overrides_file/<overrides from target.toml>}"
  echo "# (uv $(uv --version | cut -d' ' -f2); overrides: $(tr '\n' ' ' < "$overrides_file"))"
  sed "s|$overrides_file|<overrides from target.toml>|" "$dir/$lock"
} > "$dir/$lock.new"
mv "$dir/$lock.new" "$dir/$lock"
echo "locked $dir/$lock: $(grep -cE '^[a-zA-Z0-9]' "$dir/$lock") packages"
