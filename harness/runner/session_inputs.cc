#include "runner/session_inputs.h"

#include "catalogue/discovery.h"
#include "catalogue/scenario_header.h"
#include "catalogue/test_lister.h"
#include "runner/local_runs.h"
#include "targets/target_definition.h"

namespace dspy_compat {
namespace fs = std::filesystem;

std::vector<Target> ChooseTargets(const std::vector<std::string>& given,
                                  const std::optional<std::string>& baseline, const fs::path& root,
                                  ReleaseTargets& releases) {
  std::vector<std::string> names = SplitTargetList(given);
  if (names.empty()) names = DefaultTargetNames(root / "fixtures" / "targets");
  std::vector<Target> targets = ResolveTargets(names, root / "fixtures" / "targets", &releases);
  if (baseline) MakeBaseline(targets, *baseline);
  return targets;
}

std::vector<Scenario> DiscoverSessionScenarios(const ScenarioSources& sources,
                                               const fs::path& root) {
  std::vector<fs::path> paths = sources.paths;
  if (paths.empty()) paths.push_back(root / "scenarios");
  DiscoveryOptions discovery;
  discovery.list_tests =
      sources.list_tests
          ? sources.list_tests
          : PythonTestLister({.script = root / "target_runner" / "dspy_compat_collect_tests.py"});
  discovery.project_root = sources.project_root;
  return DiscoverScenarios(paths, discovery);
}

MockLmEndpoint::Fixtures PrepareScenarios(std::vector<Scenario>& scenarios, const fs::path& root,
                                          const std::optional<std::string>& lm_delay) {
  ResolveMockFixtures(scenarios, root);
  if (lm_delay) {
    const DelaySpec delay = ParseDelaySpec(*lm_delay);
    for (Scenario& s : scenarios) s.options.lm_delay = delay;
  }
  return LoadMockFixtures(scenarios);
}

}  // namespace dspy_compat
