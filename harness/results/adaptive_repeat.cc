#include "results/adaptive_repeat.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <stdexcept>

#include "results/aggregate.h"
#include "results/separation.h"

namespace dspy_compat {
namespace {

bool Settled(const AdaptiveRepeat& policy, int runs, int failures) {
  if (runs < policy.min_runs) return false;
  if (runs >= policy.max_runs) return true;
  Interval interval = WilsonInterval(failures, runs);
  if (failures == 0) return interval.high <= policy.tolerance;
  if (failures == runs) return interval.low >= 1 - policy.fail_tolerance.value_or(policy.tolerance);
  return (interval.high - interval.low) / 2 <= policy.precision;
}

}  // namespace

int MoreRunsNeeded(const AdaptiveRepeat& policy, int runs, int failures) {
  if (Settled(policy, runs, failures)) return 0;
  const int limit = std::max(policy.max_runs, policy.min_runs);
  if (runs < policy.min_runs) return policy.min_runs - runs;
  // A clean streak settles at a computable count if it holds: ask for all of
  // it at once. Mixed outcomes stay mixed; grow by half so the interval is
  // re-checked as it narrows.
  if (failures == 0 || failures == runs) {
    int n = runs;
    while (n < limit && !Settled(policy, n, failures == 0 ? 0 : n)) ++n;
    return n - runs;
  }
  return std::min(limit - runs, std::max(1, runs / 2));
}

AdaptiveRepeat BaselinePolicy(const AdaptiveRepeat& policy) {
  AdaptiveRepeat baseline = policy;
  baseline.min_runs = policy.baseline_min_runs.value_or(policy.min_runs);
  baseline.tolerance = policy.baseline_tolerance.value_or(policy.tolerance);
  return baseline;
}

SeparationRuns MoreRunsToSeparate(const AdaptiveRepeat& policy, int baseline_runs,
                                  int baseline_failures, int later_runs, int later_failures) {
  if (policy.separation_alpha <= 0 || baseline_runs <= 0 || later_runs <= 0) return {};
  // The differences CompareOutcomes turns into a regression, a fix, or
  // flaky against failing: clean on exactly one side, or failing every run
  // on exactly one side.
  const bool clean_b = baseline_failures == 0, clean_l = later_failures == 0;
  const bool failing_b = baseline_failures == baseline_runs;
  const bool failing_l = later_failures == later_runs;
  if (clean_b == clean_l && failing_b == failing_l) return {};
  if (OneSidedFisher(baseline_runs, baseline_failures, later_runs, later_failures) <
      policy.separation_alpha) {
    return {};
  }
  const int most = std::max(baseline_runs, later_runs);
  const int target = std::min(policy.max_runs, most + std::max(1, most / 2));
  return {std::max(0, target - baseline_runs), std::max(0, target - later_runs)};
}

// The measured values of README "Default repetitions"; the lead tunes them,
// and the tests use their own policies rather than these numbers.
AdaptiveRepeat DefaultRunRepeat() {
  return {.min_runs = 10,
          .max_runs = 40,
          .tolerance = 0.28,
          .fail_tolerance = 0.30,
          .precision = 0.30,
          .baseline_min_runs = 5,
          .baseline_tolerance = 0.44,
          .separation_alpha = 0.05};
}

AdaptiveRepeat ParseAdaptiveRepeat(const std::string& text) {
  AdaptiveRepeat policy;
  if (text == "adaptive") return policy;
  auto dots = text.find("..");
  auto number = [](std::string_view part, int& value) {
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
    return ec == std::errc() && end == part.data() + part.size();
  };
  std::string_view view(text);
  if (dots == std::string::npos || !number(view.substr(0, dots), policy.min_runs) ||
      !number(view.substr(dots + 2), policy.max_runs)) {
    throw std::invalid_argument(fmt::format(
        "--repeat takes a count (10), 'adaptive', or MIN..MAX (5..50), not '{}'", text));
  }
  if (policy.min_runs < 1 || policy.max_runs < policy.min_runs || policy.max_runs > 10000) {
    throw std::invalid_argument(fmt::format("--repeat {}: need 1 <= MIN <= MAX <= 10000", text));
  }
  return policy;
}

}  // namespace dspy_compat
