// A saved baseline: per scenario and target, the outcome a team has accepted
// and the failure signatures it already knows. `gate --baseline FILE` fails
// only on what the file does not already say; `--update-baseline` rewrites
// it from a results file. Small and sorted, so it diffs well when checked in.
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/model.h"
#include "results/aggregate.h"

namespace dspy_compat {

inline constexpr std::string_view kBaselineSchema = "dspy-compat/baseline/v1";

// Unreadable, not JSON, or neither a baseline nor a results file. One line.
class BaselineFormatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct BaselineEntry {
  Classification outcome = Classification::kNone;
  int runs = 0;
  int failures = 0;
  std::vector<std::string> signatures;  // normalised (see NormalizeSignature), sorted, unique
  // The pair passes but behaves differently from the baseline target, and
  // that was accepted (optional in the file: written only when true).
  bool behaviour_change = false;
};

struct Baseline {
  // (scenario id, target name) -> what was accepted.
  std::map<std::pair<std::string, std::string>, BaselineEntry> entries;

  const BaselineEntry* Find(const std::string& scenario, const std::string& target) const;
};

// Signatures carry counts and ids ("15 calls went to ..."); replacing every
// run of digits with "N" keeps repeats of one failure mode equal.
std::string NormalizeSignature(std::string_view signature);

// Every pair with runs, except pairs with a harness error or a run that could
// not start (either says nothing about the scenario, so it must not become
// the accepted state).
Baseline BaselineFromResults(const Results& results);

// `fresh` replaces what `old` says about the pairs it has; other pairs stay,
// so updating from one shard or a subset of scenarios loses nothing.
Baseline UpdateBaseline(Baseline old, const Baseline& fresh);

nlohmann::json ToJson(const Baseline& baseline);
Baseline BaselineFromJson(const nlohmann::json& json);

// Reads a baseline file, or a results.json (whose outcomes become the
// baseline). Throws BaselineFormatError, message prefixed with the path.
Baseline ReadBaselineFile(const std::filesystem::path& path);
// Atomic, like results.json. Throws std::filesystem::filesystem_error.
void WriteBaselineFile(const std::filesystem::path& path, const Baseline& baseline);

}  // namespace dspy_compat
