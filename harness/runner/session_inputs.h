// What a session runs, read and checked before anything is installed (run
// and bisect): the targets, by name or release spec, the baseline first;
// the scenarios, each with its mock fixture loaded and --lm-delay applied.
// Each error is one line, thrown by the part that found it.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "catalogue/pytest_files.h"
#include "core/model.h"
#include "runner/mock_lm_endpoint.h"
#include "targets/release_resolver.h"

namespace dspy_compat {

// --targets values (comma lists, version specs through `releases`); none:
// those marked `default = true` under root/fixtures/targets. `baseline`
// (--baseline-target) goes first. Throws TargetError, or ReleaseError for a
// release that cannot be resolved.
std::vector<Target> ChooseTargets(const std::vector<std::string>& given,
                                  const std::optional<std::string>& baseline,
                                  const std::filesystem::path& root, ReleaseTargets& releases);

struct ScenarioSources {
  std::vector<std::filesystem::path> paths = {};  // files and folders; none: root/scenarios
  std::filesystem::path project_root = {};  // a team's test ids are relative to it; empty: none
  // Lists a pytest file's tests; unset: the runner's collector
  // (target_runner/dspy_compat_collect_tests.py) in a child python3.
  TestLister list_tests = {};
};

// The scenarios the sources hold (catalogue/discovery.h). Throws ScenarioError.
std::vector<Scenario> DiscoverSessionScenarios(const ScenarioSources& sources,
                                               const std::filesystem::path& root);

// Resolves each scenario's MOCK-FIXTURE, gives every scenario the delay of
// `lm_delay` ("MS" or "MIN-MAX") when set, and loads every fixture (so
// checked before anything runs). Throws std::runtime_error naming what is
// wrong.
MockLmEndpoint::Fixtures PrepareScenarios(std::vector<Scenario>& scenarios,
                                          const std::filesystem::path& root,
                                          const std::optional<std::string>& lm_delay);

}  // namespace dspy_compat
