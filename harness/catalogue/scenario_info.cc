#include "catalogue/scenario_info.h"

#include "catalogue/expectations.h"

namespace dspy_compat {

ScenarioInfo DescribeScenario(const Scenario& scenario, const std::vector<Target>& targets,
                              const std::filesystem::path& source_root) {
  ScenarioInfo info;
  std::filesystem::path relative = scenario.path.lexically_relative(source_root);
  bool inside = !relative.empty() && *relative.begin() != "..";
  info.path = inside ? relative.string() : scenario.path.string();
  info.exercises = scenario.exercises;
  info.migration_of = scenario.migration_of;
  info.excerpt = scenario.excerpt;
  for (const ExpectationRule& rule : scenario.expectations) info.expect_lines.push_back(rule.text);
  for (const Target& target : targets) {
    if (auto e = ResolveExpectation(scenario.expectations, target.name, target.dspy_version)) {
      info.expected[target.name] = *e;
    }
  }
  return info;
}

}  // namespace dspy_compat
