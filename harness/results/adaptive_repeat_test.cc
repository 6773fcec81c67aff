#include "results/adaptive_repeat.h"

#include <gtest/gtest.h>

#include <random>
#include <stdexcept>
#include <vector>

#include "results/aggregate.h"

namespace dspy_compat {
namespace {

// A synthetic scenario that fails with probability p, run as the harness
// runs a pair: ask the policy for more runs until it says stop, then
// classify with the same aggregation the reports use.
struct Simulated {
  Outcome outcome;
  int runs = 0;
};

Simulated Simulate(const AdaptiveRepeat& policy, double p, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::bernoulli_distribution fails(p);
  std::vector<RunResult> runs;
  int failures = 0;
  while (int more = MoreRunsNeeded(policy, static_cast<int>(runs.size()), failures)) {
    for (int i = 0; i < more; ++i) {
      RunResult run;
      run.scenario_id = "synthetic";
      run.target_name = "t";
      run.repetition = static_cast<int>(runs.size()) + 1;
      run.status = fails(rng) ? Status::kFail : Status::kPass;
      if (run.status == Status::kFail) {
        ++failures;
        run.error_type = "AssertionError";
        run.error_message = "No LM is loaded.";
      }
      runs.push_back(run);
    }
  }
  return {ComputeOutcome(runs, "synthetic", "t"), static_cast<int>(runs.size())};
}

constexpr int kSeeds = 2000;

TEST(AdaptiveRepeatTest, NeverFailingIsNeverCalledFlaky) {
  AdaptiveRepeat policy;
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    Simulated s = Simulate(policy, 0.0, seed);
    ASSERT_EQ(s.outcome.classification, Classification::kPass) << "seed " << seed;
    // 0 of 35 is the first count whose 95% upper bound is under 10%.
    ASSERT_EQ(s.runs, 35) << "seed " << seed;
  }
}

TEST(AdaptiveRepeatTest, ThirtyPercentFailingIsFlakyOrFailingNeverPassing) {
  AdaptiveRepeat policy;
  int flaky = 0;
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    Simulated s = Simulate(policy, 0.3, seed);
    ASSERT_NE(s.outcome.classification, Classification::kPass) << "seed " << seed;
    ASSERT_LE(s.runs, policy.max_runs);
    ASSERT_GE(s.runs, policy.min_runs);
    if (s.outcome.classification == Classification::kFlaky) ++flaky;
    // The measured rate's interval holds the true one in the vast majority.
  }
  EXPECT_GT(flaky, kSeeds * 99 / 100);
}

TEST(AdaptiveRepeatTest, AlwaysFailingIsFailAndStopsEarly) {
  AdaptiveRepeat policy;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    Simulated s = Simulate(policy, 1.0, seed);
    ASSERT_EQ(s.outcome.classification, Classification::kFail);
    ASSERT_EQ(s.runs, 35);
  }
}

TEST(AdaptiveRepeatTest, MixedResultsContinueUpToTheLimit) {
  AdaptiveRepeat policy;
  // Two of five failed: flaky already, but the rate is not yet known well.
  EXPECT_GT(MoreRunsNeeded(policy, 5, 2), 0);
  EXPECT_EQ(MoreRunsNeeded(policy, policy.max_runs, 2), 0);
  EXPECT_LE(5 + MoreRunsNeeded(policy, 5, 2), policy.max_runs);
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    Simulated s = Simulate(policy, 0.5, seed);
    ASSERT_EQ(s.outcome.classification, Classification::kFlaky);
    // At p = 0.5 a half-width of 15% needs about 40 runs.
    ASSERT_GE(s.runs, 20);
    ASSERT_LE(s.runs, policy.max_runs);
  }
}

TEST(AdaptiveRepeatTest, RareFailuresAreCaughtMoreOftenThanByTenFixedRuns) {
  AdaptiveRepeat policy;
  int adaptive_caught = 0, fixed_caught = 0;
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    if (Simulate(policy, 0.1, seed).outcome.classification != Classification::kPass) {
      ++adaptive_caught;
    }
    if (Simulate({.min_runs = 10, .max_runs = 10}, 0.1, seed).outcome.classification !=
        Classification::kPass) {
      ++fixed_caught;
    }
  }
  EXPECT_GT(adaptive_caught, fixed_caught);
  EXPECT_GT(adaptive_caught, kSeeds * 95 / 100);  // 1 - 0.9^35 = 97.5%
}

TEST(AdaptiveRepeatTest, ALooseToleranceWouldCallThirtyPercentPassing) {
  // The guard above is the policy's doing, not the test's: stop a clean
  // streak after 3 runs and a 30% failure slips through now and then.
  AdaptiveRepeat loose{.min_runs = 3, .max_runs = 50, .tolerance = 0.5, .precision = 0.15};
  int called_pass = 0;
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    if (Simulate(loose, 0.3, seed).outcome.classification == Classification::kPass) ++called_pass;
  }
  EXPECT_GT(called_pass, 0);
}

TEST(AdaptiveRepeatTest, RespectsMinimumAndMaximum) {
  AdaptiveRepeat policy{.min_runs = 4, .max_runs = 8};
  EXPECT_EQ(MoreRunsNeeded(policy, 0, 0), 4);
  EXPECT_EQ(MoreRunsNeeded(policy, 4, 0), 4);  // a clean streak runs to the limit
  EXPECT_EQ(MoreRunsNeeded(policy, 8, 0), 0);
  EXPECT_EQ(MoreRunsNeeded(policy, 8, 3), 0);
}

// The default `run` policy: a clean pair runs until a failure rate above 14%
// is unlikely; one that always fails is settled at its minimum; a race
// failing one run in five is not called passing.
TEST(AdaptiveRepeatTest, TheDefaultRunPolicySettlesCleanAtTwentyFourAndFailingAtTen) {
  const AdaptiveRepeat policy = DefaultRunRepeat();
  EXPECT_EQ(MoreRunsNeeded(policy, 0, 0), 10);
  EXPECT_EQ(MoreRunsNeeded(policy, 10, 0), 14);
  EXPECT_EQ(MoreRunsNeeded(policy, 24, 0), 0);
  EXPECT_EQ(MoreRunsNeeded(policy, 10, 10), 0);
  EXPECT_GT(MoreRunsNeeded(policy, 10, 3), 0);
  int called_passing = 0;
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    Simulated s = Simulate(policy, 0.2, seed);
    ASSERT_LE(s.runs, 40) << "seed " << seed;
    if (s.outcome.classification == Classification::kPass) ++called_passing;
  }
  // 0.8^24 = 0.5%: about 10 of 2000.
  EXPECT_LT(called_passing, 25);
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    ASSERT_EQ(Simulate(policy, 0.0, seed).runs, 24);
    ASSERT_EQ(Simulate(policy, 1.0, seed).runs, 10);
  }
}

TEST(AdaptiveRepeatTest, Parses) {
  EXPECT_EQ(ParseAdaptiveRepeat("adaptive").min_runs, AdaptiveRepeat{}.min_runs);
  AdaptiveRepeat p = ParseAdaptiveRepeat("3..20");
  EXPECT_EQ(p.min_runs, 3);
  EXPECT_EQ(p.max_runs, 20);
  EXPECT_THROW(ParseAdaptiveRepeat("20..3"), std::invalid_argument);
  EXPECT_THROW(ParseAdaptiveRepeat("0..3"), std::invalid_argument);
  EXPECT_THROW(ParseAdaptiveRepeat("3-20"), std::invalid_argument);
  EXPECT_THROW(ParseAdaptiveRepeat("x..4"), std::invalid_argument);
}

}  // namespace
}  // namespace dspy_compat
