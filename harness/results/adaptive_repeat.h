// Adaptive repetitions: how many times to run a (scenario, target) pair.
// A timing-dependent failure may not show in a few runs, so "it passed" is
// only believed once the runs make a failure rate above a tolerance
// unlikely (95% Wilson upper bound); runs that disagree prove the pair
// flaky at once and continue only to measure its failure rate, up to a
// limit. Pure: decided from the pair's own counts, so the same outcomes
// always give the same repetitions.
#pragma once

#include <optional>
#include <string>

namespace dspy_compat {

struct AdaptiveRepeat {
  int min_runs = 5;   // never decide on fewer
  int max_runs = 50;  // never run more
  // All passes stop once the 95% upper bound on the failure rate is at most
  // this (0 of 35 runs gives 9.9%); all failures once the lower bound is at
  // least 1 - this.
  double tolerance = 0.10;
  // All failures stop once the 95% lower bound on the failure rate is at
  // least 1 - this (unset: `tolerance`). A pair that always fails is a
  // failure whatever its exact rate, so the default run settles it sooner.
  std::optional<double> fail_tolerance{};
  // Mixed outcomes stop once the 95% interval's half-width is at most this.
  double precision = 0.15;
  // The baseline target's pairs (the first target) may settle a clean streak
  // sooner: the question a session answers is whether a later release is
  // worse, and the separation rule below gives the baseline more runs
  // whenever a later side fails. Unset: as the later targets (`min_runs`,
  // `tolerance`).
  std::optional<int> baseline_min_runs{};
  std::optional<double> baseline_tolerance{};
  // Separating the targets (0: off). Each pair deciding alone can make a
  // race that fails 6% of the time on both releases look like a regression
  // (0/24 against 2/24). When a scenario's baseline and a later target
  // differ in kind (one never fails and the other does, or one always fails
  // and the other not) and the one-sided Fisher p of that difference is at
  // least this, both sides run on, up to `max_runs`.
  double separation_alpha = 0;
};

// The policy for the baseline target's pairs: `policy` with the baseline's
// own minimum and tolerance where set.
AdaptiveRepeat BaselinePolicy(const AdaptiveRepeat& policy);

// Runs each side needs so that a difference in kind between two pairs of a
// scenario is not chance (see `separation_alpha`), given their counts:
// both sides grow to min(max_runs, M + max(1, M / 2)) runs, M the larger
// count; {0, 0} once they do not differ, p < alpha, both reached max_runs,
// or the rule is off.
struct SeparationRuns {
  int baseline = 0;
  int later = 0;
};
SeparationRuns MoreRunsToSeparate(const AdaptiveRepeat& policy, int baseline_runs,
                                  int baseline_failures, int later_runs, int later_failures);

// `run`'s repetitions for a scenario without REPEAT when --repeat is not
// given, with runs that explore (README "Default repetitions", measured on
// the catalogue and on programs it does not hold): 10 runs on a later
// target, whatever their outcomes (the catalogue's races fail at least 40%
// of such runs: 0.6^10 = 0.6% to miss one); 5 on the baseline, or 9 when it
// always fails. A scenario whose targets differ runs on both until the
// difference is not chance (p < 0.05), at most 40 runs each.
AdaptiveRepeat DefaultRunRepeat();

// Runs a pair needs beyond the `runs` it had (`failures` of them failed), so
// the caller can start them together; 0 when its outcome is settled.
int MoreRunsNeeded(const AdaptiveRepeat& policy, int runs, int failures);

// "MIN..MAX" (e.g. "5..50") or "adaptive" (the defaults). Throws
// std::invalid_argument with a one-line message.
AdaptiveRepeat ParseAdaptiveRepeat(const std::string& text);

}  // namespace dspy_compat
