// Finding scenarios: --scenarios takes files and folders; a folder
// contributes every *.py below it except names starting with '_' and
// conftest.py. A pytest file (test_*.py, *_test.py) or `FILE::NAME` is the
// team's tests: one scenario per test, run through pytest in the target.
#pragma once

#include <filesystem>
#include <vector>

#include "catalogue/pytest_files.h"
#include "catalogue/scenario_header.h"
#include "core/model.h"

namespace dspy_compat {

struct DiscoveryOptions {
  // Lists a pytest file's tests; without one, a pytest file is an error.
  TestLister list_tests;
  // What test ids are relative to; empty: TestRootOf each file (pytest's rootdir).
  std::filesystem::path project_root;
};

// Throws ScenarioError for a path that does not exist, a file that is not a
// Python program, a malformed header, two scenarios with the same id, or a
// `FILE::NAME` whose file has no such test. A test's scenario id is
// "<file stem>::<name>"; its pytest_node the test id.
std::vector<Scenario> DiscoverScenarios(const std::vector<std::filesystem::path>& paths,
                                        const DiscoveryOptions& options = {});

// Sets each scenario's mock_fixture_path from its MOCK-FIXTURE: an absolute
// path as is; a relative one against the scenario's own folder if the file
// is there, else against the source root (where fixtures/mock/ lives).
// Throws ScenarioError naming the scenario when the file does not exist.
void ResolveMockFixtures(std::vector<Scenario>& scenarios,
                         const std::filesystem::path& source_root);

}  // namespace dspy_compat
