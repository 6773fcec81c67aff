// Where the bundled data lives (fixtures/: targets, mock rules, the runner;
// scenarios/), so that an installed binary needs no source tree.
#pragma once

#include <filesystem>
#include <vector>

namespace dspy_compat {

// In order: $DSPY_COMPAT_ROOT when set (an explicit choice wins); else
// <folder of the running binary>/../share/dspy-compat when it holds the data
// (`cmake --install`, the wheel); else the source tree the binary was built
// from (a build tree).
std::filesystem::path SourceRoot();

// The same decision with its inputs given, for tests: `env_root` may be null
// or empty, `executable` is the binary's real path.
std::filesystem::path FindDataRoot(const char* env_root, const std::filesystem::path& executable,
                                   const std::filesystem::path& compiled_in);

// --scenarios values: one that names no file or folder but a bundled
// scenario's id (`issue1867_single`) means that scenario under root/scenarios.
std::vector<std::filesystem::path> ResolveBundledScenarios(std::vector<std::filesystem::path> paths,
                                                           const std::filesystem::path& root);

// The install tree's data folder relative to the binary's folder.
inline constexpr const char* kInstalledDataDir = "../share/dspy-compat";

}  // namespace dspy_compat
