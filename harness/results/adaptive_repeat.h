// Adaptive repetitions: how many times to run a (scenario, target) pair.
// A timing-dependent failure may not show in a few runs, so "it passed" is
// only believed once the runs make a failure rate above a tolerance
// unlikely (95% Wilson upper bound); runs that disagree prove the pair
// flaky at once and continue only to measure its failure rate, up to a
// limit. Pure: decided from the pair's own counts, so the same outcomes
// always give the same repetitions.
#pragma once

#include <string>

namespace dspy_compat {

struct AdaptiveRepeat {
  int min_runs = 5;   // never decide on fewer
  int max_runs = 50;  // never run more
  // All passes stop once the 95% upper bound on the failure rate is at most
  // this (0 of 35 runs gives 9.9%); all failures once the lower bound is at
  // least 1 - this.
  double tolerance = 0.10;
  // Mixed outcomes stop once the 95% interval's half-width is at most this.
  double precision = 0.15;
};

// Runs a pair needs beyond the `runs` it had (`failures` of them failed), so
// the caller can start them together; 0 when its outcome is settled.
int MoreRunsNeeded(const AdaptiveRepeat& policy, int runs, int failures);

// "MIN..MAX" (e.g. "5..50") or "adaptive" (the defaults). Throws
// std::invalid_argument with a one-line message.
AdaptiveRepeat ParseAdaptiveRepeat(const std::string& text);

}  // namespace dspy_compat
