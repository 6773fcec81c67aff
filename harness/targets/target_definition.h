// Target definitions: fixtures/targets/<name>/target.toml (a pinned DSPy
// release with its lock file) or "python:/path/to/python" (a user's own
// interpreter, used as it is).
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/model.h"

namespace dspy_compat {

class TargetError : public std::runtime_error {
 public:
  // Always one line: a toml++ description or a value quoted from the file
  // may hold line breaks, which would split the one-line error.
  explicit TargetError(std::string what) : std::runtime_error(Flatten(std::move(what))) {}

 private:
  static std::string Flatten(std::string text) {
    for (char& c : text) {
      if (c == '\n' || c == '\r') c = ' ';
    }
    return text;
  }
};

inline constexpr std::string_view kUserPythonPrefix = "python:";

// Reads and validates <dir>/target.toml and its lock file.
Target LoadTargetDefinition(const std::filesystem::path& dir);

// Names of the targets defined under targets_root, sorted.
std::vector<std::string> ListTargetNames(const std::filesystem::path& targets_root);

// Names of the targets whose target.toml says `default = true`, sorted: what
// `run` runs without --targets. Throws TargetError for a `default` that is
// not a boolean, or when none is marked.
std::vector<std::string> DefaultTargetNames(const std::filesystem::path& targets_root);

class ReleaseTargets;

// Splits --targets values at commas, except inside a version range:
// "dspy-2.5.39,dspy>=2.5.38,<2.6" -> {"dspy-2.5.39", "dspy>=2.5.38,<2.6"}
// (a piece that starts with a comparison operator continues the range).
std::vector<std::string> SplitTargetList(const std::vector<std::string>& values);

// Turns the --targets values into Targets; unknown names fail with a message
// that lists the known ones. A version spec ("dspy==2.6.0", "dspy>=2.5.38,<2.6")
// expands through releases, in place (throwing ReleaseError when a release
// cannot be resolved); without it a spec is a TargetError.
std::vector<Target> ResolveTargets(const std::vector<std::string>& specs,
                                   const std::filesystem::path& targets_root,
                                   ReleaseTargets* releases = nullptr);

// Moves the target named `name` to the front (the baseline every verdict
// compares with). Throws TargetError when no target has that name.
void MakeBaseline(std::vector<Target>& targets, const std::string& name);

}  // namespace dspy_compat
