#include "cli/source_root.h"

#include <cstdlib>
#include <system_error>

namespace dspy_compat {
namespace fs = std::filesystem;

namespace {

// A folder holds the data when it has the shipped targets: scenarios are
// optional (a user may name their own), targets are not.
bool HoldsData(const fs::path& root) {
  std::error_code ec;
  return fs::is_directory(root / "fixtures" / "targets", ec);
}

}  // namespace

fs::path FindDataRoot(const char* env_root, const fs::path& executable,
                      const fs::path& compiled_in) {
  if (env_root != nullptr && *env_root != '\0') return env_root;
  if (!executable.empty()) {
    fs::path installed = (executable.parent_path() / kInstalledDataDir).lexically_normal();
    if (HoldsData(installed)) return installed;
  }
  return compiled_in;
}

std::vector<fs::path> ResolveBundledScenarios(std::vector<fs::path> paths, const fs::path& root) {
  for (fs::path& path : paths) {
    std::error_code ec;
    if (fs::exists(path, ec) || path.has_parent_path()) continue;
    fs::path bundled = root / "scenarios" / (path.string() + ".py");
    if (fs::is_regular_file(bundled, ec)) path = bundled;
  }
  return paths;
}

fs::path SourceRoot() {
  std::error_code ec;
  // The real path: uv and pipx put a symlink (or a launcher) on PATH.
  fs::path executable = fs::read_symlink("/proc/self/exe", ec);
  if (ec) executable.clear();
  return FindDataRoot(std::getenv("DSPY_COMPAT_ROOT"), executable, DSPY_COMPAT_SOURCE_ROOT_DEFAULT);
}

}  // namespace dspy_compat
