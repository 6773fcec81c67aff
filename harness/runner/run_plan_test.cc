#include "runner/run_plan.h"

#include <gtest/gtest.h>

#include <set>

namespace dspy_compat {
namespace {

std::vector<RunSpec> SamplePlan() {
  std::vector<Scenario> scenarios(3);
  for (int i = 0; i < 3; ++i) scenarios[static_cast<std::size_t>(i)].id = "s" + std::to_string(i);
  std::vector<Target> targets(2);
  targets[0].name = "a";
  targets[1].name = "b";
  PlanOptions options;
  options.repeat = 3;
  return PlanRuns(scenarios, targets, options);  // 18 runs
}

TEST(ShardTest, ParsesIOverN) {
  EXPECT_EQ(ParseShard("2/4"), (ShardInfo{2, 4}));
  EXPECT_EQ(ParseShard("1/1"), (ShardInfo{1, 1}));
  for (const char* bad : {"0/2", "3/2", "2", "a/b", "1/0", "1/2/3", " 1/2", "1/1001"}) {
    EXPECT_THROW(ParseShard(bad), PlanError) << bad;
  }
  try {
    ParseShard("2");
  } catch (const PlanError& e) {
    EXPECT_EQ(std::string(e.what()), "--shard takes I/N, e.g. 2/4, not '2'");
  }
}

TEST(ShardTest, ShardsCoverThePlanExactlyOnceWithTheSameRunIds) {
  std::vector<RunSpec> plan = SamplePlan();
  for (int count : {1, 2, 4, 7, 30}) {
    std::multiset<std::string> seen;
    for (int index = 1; index <= count; ++index) {
      for (const RunSpec& spec : SelectShard(plan, {index, count})) seen.insert(spec.run_id);
    }
    std::multiset<std::string> all;
    for (const RunSpec& spec : plan) all.insert(spec.run_id);
    EXPECT_EQ(seen, all) << count << " shards";
  }
}

TEST(ShardTest, SlicesAreRoundRobinAndStable) {
  std::vector<RunSpec> plan = SamplePlan();
  std::vector<RunSpec> second = SelectShard(plan, {2, 4});
  ASSERT_EQ(second.size(), 5u);  // runs 2, 6, 10, 14, 18 of 18
  EXPECT_EQ(second[0].run_id, plan[1].run_id);
  EXPECT_EQ(second[1].run_id, plan[5].run_id);
  std::vector<RunSpec> again = SelectShard(SamplePlan(), {2, 4});
  for (std::size_t i = 0; i < second.size(); ++i) EXPECT_EQ(again[i].run_id, second[i].run_id);
  // Shards differ in size by at most one run.
  EXPECT_EQ(SelectShard(plan, {4, 4}).size(), 4u);
}

TEST(PlanTest, UnsupportedPairsAreLeftOut) {
  std::vector<Scenario> scenarios(2);
  scenarios[0].id = "old_only";
  scenarios[1].id = "any";
  std::vector<Target> targets(2);
  targets[0].name = "a";
  targets[1].name = "b";
  PlanOptions options;
  options.repeat = 2;
  options.supported = [](const Scenario& s, const Target& t) {
    return s.id != "old_only" || t.name == "a";
  };
  std::vector<RunSpec> plan = PlanRuns(scenarios, targets, options);
  ASSERT_EQ(plan.size(), 6u);
  for (const RunSpec& spec : plan) {
    EXPECT_FALSE(spec.scenario.id == "old_only" && spec.target.name == "b") << spec.run_id;
  }
  // Run ids keep the target's index, so they match a session without REQUIRES.
  EXPECT_EQ(plan[1].run_id, "any.t0.r1");
}

TEST(PlanTest, RunCarriesItsScenarioFixture) {
  Scenario s;
  s.id = "forced";
  s.mock_fixture_path = "/root/fixtures/mock/forced.json";
  Target t;
  t.name = "x";
  RunSpec spec = MakeRunSpec(s, t, 1, 4, PlanOptions{});
  EXPECT_EQ(spec.run_id, "forced.t1.r4");
  EXPECT_EQ(spec.mock_fixture, "/root/fixtures/mock/forced.json");
}

TEST(ShardTest, PairShardsHoldWholePairsExactlyOnce) {
  for (int count : {1, 2, 3, 5}) {
    std::vector<int> owners(11, 0);
    for (int index = 1; index <= count; ++index) {
      for (std::size_t k = 0; k < owners.size(); ++k) {
        if (PairInShard(k, {index, count})) ++owners[k];
      }
    }
    for (int n : owners) EXPECT_EQ(n, 1) << count << " shards";
  }
  EXPECT_TRUE(PairInShard(4, {2, 3}));
  EXPECT_FALSE(PairInShard(4, {1, 3}));
}

TEST(RunPlanTest, RepetitionMajorWithOverrides) {
  Scenario a, b;
  a.id = "a";
  b.id = "b";
  b.options.repeat = 1;
  b.options.timeout_seconds = 7;
  b.options.lm_delay = DelaySpec{20, 80};
  PlanOptions options;
  options.default_repeat = 2;
  std::vector<Target> targets(2);
  targets[0].name = "x";
  targets[1].name = "y";
  auto plan = PlanRuns({a, b}, targets, options);
  ASSERT_EQ(plan.size(), 6u);  // a: 2 reps x 2 targets, b: 1 rep x 2 targets
  EXPECT_EQ(plan[0].run_id, "a.t0.r1");
  EXPECT_EQ(plan[2].scenario.id, "b");
  EXPECT_EQ(plan[2].timeout, std::chrono::seconds(7));
  EXPECT_EQ(plan[2].lm_delay, (DelaySpec{20, 80}));
  EXPECT_EQ(plan[4].run_id, "a.t0.r2");
  options.repeat = 3;  // --repeat beats the header
  targets.pop_back();
  EXPECT_EQ(PlanRuns({a, b}, targets, options).size(), 6u);
}

TEST(RunPlanTest, SafeIdKeepsOnlyPathSafeCharacters) {
  EXPECT_EQ(SafeId("python:/usr/bin/python3 x"), "python__usr_bin_python3_x");
}

}  // namespace
}  // namespace dspy_compat
