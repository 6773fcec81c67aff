// Expanding scenarios x targets x repetitions into the runs to execute.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/model.h"

namespace dspy_compat {

struct RunSpec {
  Scenario scenario;
  Target target;
  int repetition = 1;  // 1-based
  std::string run_id;  // safe in a URL path and a file name
  DelaySpec lm_delay;
  std::chrono::seconds timeout{60};
};

struct PlanOptions {
  std::optional<int> repeat;  // --repeat; overrides the scenario's REPEAT
  int default_repeat = 1;
  std::chrono::seconds default_timeout{120};
  std::optional<std::chrono::seconds> timeout;  // --timeout; overrides TIMEOUT
  DelaySpec default_lm_delay{5, 15};
};

// Repetition-major order (every scenario and target once, then again), so
// that an interrupted session still has results for every pair.
std::vector<RunSpec> PlanRuns(const std::vector<Scenario>& scenarios,
                              const std::vector<Target>& targets, const PlanOptions& options);

// Replaces anything outside [A-Za-z0-9._-] with '_'.
std::string SafeId(const std::string& text);

}  // namespace dspy_compat
