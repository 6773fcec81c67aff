#include "runner/run_plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace dspy_compat {

std::string SafeId(const std::string& text) {
  std::string out = text;
  std::replace_if(
      out.begin(), out.end(),
      [](unsigned char c) { return !(std::isalnum(c) || c == '.' || c == '_' || c == '-'); }, '_');
  return out;
}

ShardInfo ParseShard(const std::string& text) {
  auto number = [&](std::string_view part, int& value) {
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
    return ec == std::errc() && end == part.data() + part.size();
  };
  std::string_view view(text);
  std::size_t slash = view.find('/');
  ShardInfo shard;
  if (slash == std::string_view::npos || !number(view.substr(0, slash), shard.index) ||
      !number(view.substr(slash + 1), shard.count)) {
    throw PlanError(fmt::format("--shard takes I/N, e.g. 2/4, not '{}'", text));
  }
  if (shard.count < 1 || shard.count > 1000 || shard.index < 1 || shard.index > shard.count) {
    throw PlanError(
        fmt::format("--shard {}: I must be between 1 and N, N between 1 and 1000", text));
  }
  return shard;
}

std::vector<RunSpec> SelectShard(const std::vector<RunSpec>& plan, const ShardInfo& shard) {
  std::vector<RunSpec> slice;
  const auto count = static_cast<std::size_t>(shard.count);
  for (auto k = static_cast<std::size_t>(shard.index - 1); k < plan.size(); k += count) {
    slice.push_back(plan[k]);
  }
  return slice;
}

PlannedRun PlannedRunOf(const RunSpec& spec) {
  return {spec.run_id, spec.scenario.id, spec.target.name, spec.repetition};
}

RunSpec MakeRunSpec(const Scenario& scenario, const Target& target, std::size_t target_index,
                    int repetition, const PlanOptions& options) {
  RunSpec spec;
  spec.scenario = scenario;
  spec.target = target;
  spec.repetition = repetition;
  // The target's index keeps ids unique when two user interpreters
  // sanitise to the same text.
  spec.run_id = SafeId(fmt::format("{}.t{}.r{}", scenario.id, target_index, repetition));
  spec.lm_delay = scenario.options.lm_delay.value_or(options.default_lm_delay);
  spec.timeout = options.timeout.value_or(
      scenario.options.timeout_seconds ? std::chrono::seconds(*scenario.options.timeout_seconds)
                                       : options.default_timeout);
  spec.mock_fixture = scenario.mock_fixture_path;
  return spec;
}

bool PairInShard(std::size_t pair_index, const ShardInfo& shard) {
  return pair_index % static_cast<std::size_t>(shard.count) ==
         static_cast<std::size_t>(shard.index - 1);
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
        if (options.supported && !options.supported(scenario, targets[t])) continue;
        plan.push_back(MakeRunSpec(scenario, targets[t], t, rep, options));
      }
    }
  }
  return plan;
}

}  // namespace dspy_compat
