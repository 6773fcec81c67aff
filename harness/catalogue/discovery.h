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

// Sets each scenario's mock_fixture_path from its MOCK-FIXTURE: an absolute
// path as is; a relative one against the scenario's own folder if the file
// is there, else against the source root (where fixtures/mock/ lives).
// Throws ScenarioError naming the scenario when the file does not exist.
void ResolveMockFixtures(std::vector<Scenario>& scenarios,
                         const std::filesystem::path& source_root);

}  // namespace dspy_compat
