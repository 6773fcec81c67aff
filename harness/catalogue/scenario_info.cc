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
  info.forces = scenario.forces;
  info.excerpt = scenario.excerpt;
  for (const ExpectationRule& rule : scenario.expectations) info.expect_lines.push_back(rule.text);
  info.family = scenario.family;
  info.requirements = scenario.requirements;
  info.mock_fixture = scenario.mock_fixture;
  info.pytest_node = scenario.pytest_node;
  for (const Target& target : targets) {
    if (!RequirementsMet(scenario.requirements, target.name, target.dspy_version)) {
      info.unsupported.push_back(target.name);
    }
    if (auto e = ResolveExpectation(scenario.expectations, target.name, target.dspy_version)) {
      info.expected[target.name] = *e;
    }
  }
  return info;
}

}  // namespace dspy_compat
