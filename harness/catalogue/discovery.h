// Finding scenarios: --scenarios takes files and folders; a folder
// contributes every *.py below it except names starting with '_'.
#pragma once

#include <filesystem>
#include <vector>

#include "catalogue/scenario_header.h"
#include "core/model.h"

namespace dspy_compat {

// Throws ScenarioError for a path that does not exist, a file that is not a
// Python program, a malformed header, or two scenarios with the same id.
std::vector<Scenario> DiscoverScenarios(const std::vector<std::filesystem::path>& paths);

}  // namespace dspy_compat
