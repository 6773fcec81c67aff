// The bisect search over fake outcomes: which releases it measures, the
// answer, flaky steps, a change later undone, and steps that cannot decide.
#include "runner/bisect.h"

#include <gtest/gtest.h>

#include <map>
#include <stdexcept>

namespace dspy_compat {
namespace {

// How a fake release behaves: its runs fail on repetitions divisible by
// `fail_every` (1: always, 0: never); passing runs report `model`.
struct FakeRelease {
  std::string version;
  int fail_every = 0;
  std::string model = "openai/gpt-4o-mini";
};

class FakeReleases {
 public:
  explicit FakeReleases(std::vector<FakeRelease> releases) : releases_(std::move(releases)) {}

  std::vector<Bisection::Candidate> Candidates() const {
    std::vector<Bisection::Candidate> out;
    for (const auto& r : releases_) out.push_back({"dspy-" + r.version, r.version});
    return out;
  }

  Bisection::Measure Function() {
    return [this](std::size_t release, int first, int count) {
      const FakeRelease& r = releases_.at(release);
      if (r.version == throws_on) throw std::runtime_error("no such release on the index");
      ++measured[r.version];
      std::vector<RunResult> runs;
      for (int rep = first; rep < first + count; ++rep) {
        RunResult run;
        run.scenario_id = "issue1867_concurrent16";
        run.target_name = "dspy-" + r.version;
        run.repetition = rep;
        run.run_id = run.scenario_id + ".t" + std::to_string(release) + ".r" + std::to_string(rep);
        const bool fails = r.fail_every > 0 && rep % r.fail_every == 0;
        run.status = fails ? Status::kFail : Status::kPass;
        if (fails) {
          run.error_type = "AssertionError";
          run.error_message = "No LM is loaded.";
        }
        run.models = {r.model};
        run.lm_traffic = LmTraffic{};
        run.lm_traffic->routes = {{"k1", "question: q", {r.model}, 1}};
        runs.push_back(run);
        if (cancel_after > 0 && ++total_ >= cancel_after) *cancel = true;
      }
      return runs;
    };
  }

  std::map<std::string, int> measured;  // version -> measure calls
  std::string throws_on;
  int cancel_after = 0;
  std::atomic<bool>* cancel = nullptr;

 private:
  std::vector<FakeRelease> releases_;
  int total_ = 0;
};

// 2.5.35 .. 2.5.43 then 2.6.0: the 2.5.40 change, fixed (undone) in 2.6.0
// unless `bad_fails`.
std::vector<FakeRelease> Releases(int from_40, int bad) {
  std::vector<FakeRelease> out;
  for (int patch = 35; patch <= 43; ++patch) {
    out.push_back({"2.5." + std::to_string(patch), patch >= 40 ? from_40 : 0});
  }
  out.push_back({"2.6.0", bad});
  return out;
}

AdaptiveRepeat Policy() { return {.min_runs = 5, .max_runs = 40, .tolerance = 0.10}; }

TEST(BisectTest, FindsTheFirstChangedReleaseWhenTheBadOneFails) {
  FakeReleases fake(Releases(/*from_40=*/1, /*bad=*/1));
  std::atomic<bool> cancel{false};
  Bisection bisect(fake.Candidates(), Policy(), fake.Function());
  BisectAnswer answer = bisect.Run(cancel);
  ASSERT_EQ(answer.kind, BisectAnswer::Kind::kFound) << answer.summary;
  EXPECT_EQ(answer.first_changed, 5u);  // 2.5.40
  EXPECT_EQ(answer.last_same, 4u);      // 2.5.39
  EXPECT_EQ(answer.summary, "first changed in 2.5.40; 2.5.39 passes 35/35, 2.5.40 fails 5/5");
  // Binary search: the good, the bad, and log2(10) steps, not all ten.
  EXPECT_LE(fake.measured.size(), 6u);
  EXPECT_FALSE(fake.measured.contains("2.5.36"));
}

TEST(BisectTest, FindsAChangeThatALaterReleaseUndid) {
  // 2.6.0 passes again, as it does for the #1867 scenario.
  FakeReleases fake(Releases(/*from_40=*/1, /*bad=*/0));
  std::atomic<bool> cancel{false};
  std::vector<std::size_t> probed;
  Bisection bisect(fake.Candidates(), Policy(), fake.Function(),
                   [&](const BisectStep& step, const Outcome&) { probed.push_back(step.release); });
  BisectAnswer answer = bisect.Run(cancel);
  ASSERT_EQ(answer.kind, BisectAnswer::Kind::kFound) << answer.summary;
  EXPECT_EQ(answer.first_changed, 5u);
  EXPECT_EQ(answer.summary, "first changed in 2.5.40; 2.5.39 passes 35/35, 2.5.40 fails 5/5");
  // good, bad, then 1, 2, 4, 8 (2.5.43 differs), then 6 and 5.
  EXPECT_EQ(probed, (std::vector<std::size_t>{0, 9, 1, 2, 4, 8, 6, 5}));
}

TEST(BisectTest, AFlakyReleaseIsRepeatedUntilItSeparatesFromTheGoodOne) {
  // From 2.5.40 on, every third run fails: 5 runs give 1/5, which overlaps a
  // clean good side; more runs separate it.
  FakeReleases fake(Releases(/*from_40=*/3, /*bad=*/3));
  std::atomic<bool> cancel{false};
  Bisection bisect(fake.Candidates(), Policy(), fake.Function());
  BisectAnswer answer = bisect.Run(cancel);
  ASSERT_EQ(answer.kind, BisectAnswer::Kind::kFound) << answer.summary;
  EXPECT_EQ(answer.first_changed, 5u);
  const Outcome flaky = bisect.OutcomeOf(5);
  EXPECT_GT(flaky.total, 5);
  EXPECT_GT(flaky.failure_interval.low, bisect.OutcomeOf(0).failure_interval.high);
}

TEST(BisectTest, ARareFailureThatNeverSeparatesCannotBeDecided) {
  // One failure in 30 runs: the interval overlaps a clean good side up to
  // the run limit, so the step says it cannot decide rather than guessing.
  FakeReleases fake(Releases(/*from_40=*/30, /*bad=*/30));
  std::atomic<bool> cancel{false};
  Bisection bisect(fake.Candidates(), Policy(), fake.Function());
  BisectAnswer answer = bisect.Run(cancel);
  ASSERT_EQ(answer.kind, BisectAnswer::Kind::kUndecided) << answer.summary;
  EXPECT_EQ(bisect.OutcomeOf(9).total, 40);
  EXPECT_NE(answer.summary.find("cannot decide at 2.6.0"), std::string::npos) << answer.summary;
  EXPECT_NE(answer.summary.find("fails 1/40"), std::string::npos) << answer.summary;
}

TEST(BisectTest, NoChangeSaysWhatItProbed) {
  FakeReleases fake(Releases(/*from_40=*/0, /*bad=*/0));
  std::atomic<bool> cancel{false};
  Bisection bisect(fake.Candidates(), Policy(), fake.Function());
  BisectAnswer answer = bisect.Run(cancel);
  ASSERT_EQ(answer.kind, BisectAnswer::Kind::kNoChange) << answer.summary;
  EXPECT_NE(answer.summary.find("no release probed behaves differently from 2.5.35"),
            std::string::npos)
      << answer.summary;
  EXPECT_NE(answer.summary.find("2.5.39"), std::string::npos) << answer.summary;
}

TEST(BisectTest, ABehaviourChangeCountsAsAChange) {
  // Every release passes; from 2.5.40 on, another model serves the request.
  std::vector<FakeRelease> releases = Releases(0, 0);
  for (std::size_t i = 5; i < releases.size(); ++i) releases[i].model = "openai/gpt-4o";
  FakeReleases fake(releases);
  std::atomic<bool> cancel{false};
  Bisection bisect(fake.Candidates(), Policy(), fake.Function());
  BisectAnswer answer = bisect.Run(cancel);
  ASSERT_EQ(answer.kind, BisectAnswer::Kind::kFound) << answer.summary;
  EXPECT_EQ(answer.first_changed, 5u);
  const BisectStep& changed = answer.steps.back();
  EXPECT_EQ(changed.finding, StepFinding::kChanged);
}

TEST(BisectTest, AReleaseThatCannotBeMeasuredStopsTheSearchAndKeepsTheRuns) {
  FakeReleases fake(Releases(1, 1));
  fake.throws_on = "2.6.0";
  std::atomic<bool> cancel{false};
  Bisection bisect(fake.Candidates(), Policy(), fake.Function());
  BisectAnswer answer = bisect.Run(cancel);
  EXPECT_EQ(answer.kind, BisectAnswer::Kind::kInterrupted);
  EXPECT_NE(answer.summary.find("2.6.0: no such release on the index"), std::string::npos)
      << answer.summary;
  EXPECT_EQ(bisect.runs().size(), 35u);  // the good release's
}

TEST(BisectTest, CancelStopsTheSearch) {
  FakeReleases fake(Releases(1, 1));
  std::atomic<bool> cancel{false};
  fake.cancel = &cancel;
  fake.cancel_after = 12;
  Bisection bisect(fake.Candidates(), Policy(), fake.Function());
  BisectAnswer answer = bisect.Run(cancel);
  EXPECT_EQ(answer.kind, BisectAnswer::Kind::kInterrupted);
  EXPECT_NE(answer.summary.find("interrupted"), std::string::npos) << answer.summary;
}

TEST(DecideStepTest, FewerRunsThanTheMinimumAsksForMore) {
  Outcome good;
  good.total = 35;
  good.status_counts[static_cast<std::size_t>(Status::kPass)] = 35;
  good.classification = Classification::kPass;
  good.failure_interval = WilsonInterval(0, 35);
  Outcome step = good;
  step.total = 2;
  step.status_counts[static_cast<std::size_t>(Status::kPass)] = 2;
  step.failure_interval = WilsonInterval(0, 2);
  StepDecision decision = DecideStep(good, step, Policy());
  EXPECT_EQ(decision.finding, StepFinding::kUndecided);
  EXPECT_EQ(decision.more_runs, 3);
}

TEST(DescribeCountsTest, SaysPassesFailsAndFlakyRates) {
  Outcome o;
  o.total = 20;
  o.failures = 3;
  o.status_counts[static_cast<std::size_t>(Status::kPass)] = 17;
  o.failure_rate = 0.15;
  o.failure_interval = WilsonInterval(3, 20);
  EXPECT_EQ(DescribeCounts(o), "fails 3/20 (15%, 95% 5-36%)");
  o.failures = 20;
  o.status_counts[static_cast<std::size_t>(Status::kPass)] = 0;
  EXPECT_EQ(DescribeCounts(o), "fails 20/20");
}

}  // namespace
}  // namespace dspy_compat
