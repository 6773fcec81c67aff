// What results.json records about each scenario for its reports (path,
// pattern, excerpt, migration link, expectations resolved per target), so
// that reports and the gate never read scenario files themselves.
#pragma once

#include <filesystem>
#include <vector>

#include "core/model.h"

namespace dspy_compat {

// `source_root`: bundled scenarios are recorded relative to it (stable
// across machines); others keep their absolute path. Expectations are
// resolved against each target's name and DSPy version.
ScenarioInfo DescribeScenario(const Scenario& scenario, const std::vector<Target>& targets,
                              const std::filesystem::path& source_root);

}  // namespace dspy_compat
