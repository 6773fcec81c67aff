#include "runner/run_plan.h"

#include <fmt/format.h>

#include <algorithm>

namespace dspy_compat {

std::string SafeId(const std::string& text) {
  std::string out = text;
  std::replace_if(
      out.begin(), out.end(),
      [](unsigned char c) { return !(std::isalnum(c) || c == '.' || c == '_' || c == '-'); }, '_');
  return out;
}

std::vector<RunSpec> PlanRuns(const std::vector<Scenario>& scenarios,
                              const std::vector<Target>& targets, const PlanOptions& options) {
  int most = 0;
  auto repeat_of = [&](const Scenario& s) {
    return options.repeat.value_or(s.options.repeat.value_or(options.default_repeat));
  };
  for (const auto& s : scenarios) most = std::max(most, repeat_of(s));
  std::vector<RunSpec> plan;
  for (int rep = 1; rep <= most; ++rep) {
    for (const auto& scenario : scenarios) {
      if (rep > repeat_of(scenario)) continue;
      for (std::size_t t = 0; t < targets.size(); ++t) {
        RunSpec spec;
        spec.scenario = scenario;
        spec.target = targets[t];
        spec.repetition = rep;
        // The target's index keeps ids unique when two user interpreters
        // sanitise to the same text.
        spec.run_id = SafeId(fmt::format("{}.t{}.r{}", scenario.id, t, rep));
        spec.lm_delay = scenario.options.lm_delay.value_or(options.default_lm_delay);
        spec.timeout =
            options.timeout.value_or(scenario.options.timeout_seconds
                                         ? std::chrono::seconds(*scenario.options.timeout_seconds)
                                         : options.default_timeout);
        plan.push_back(std::move(spec));
      }
    }
  }
  return plan;
}

}  // namespace dspy_compat
