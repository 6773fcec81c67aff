#include "results/merge.h"

#include <gtest/gtest.h>

#include "results/aggregate.h"
#include "results/results_file.h"

namespace dspy_compat {
namespace {

Results Unsharded() {
  Results results;
  RunEnvironment& env = results.environment;
  env.seed = 42;
  env.targets = {{"a", "locked", "1", "3.11", "h1", "/a"},
                 {"b", "locked", "2", "3.11", "h2", "/b"}};
  env.scenarios = {"s1", "s2"};
  env.scenario_summaries = {{"s1", "one"}, {"s2", "two"}};
  env.started_at = "2024-01-01T00:00:00Z";
  env.finished_at = "2024-01-01T00:01:00Z";
  for (int rep = 1; rep <= 2; ++rep) {
    for (const char* s : {"s1", "s2"}) {
      for (const char* t : {"a", "b"}) {
        RunResult run;
        run.scenario_id = s;
        run.target_name = t;
        run.repetition = rep;
        run.run_id = std::string(s) + "." + t + ".r" + std::to_string(rep);
        run.status =
            std::string(s) == "s2" && std::string(t) == "b" ? Status::kFail : Status::kPass;
        results.runs.push_back(run);
      }
    }
  }
  env.planned_runs = static_cast<int>(results.runs.size());
  return results;
}

// Splits round-robin, as run --shard does.
std::vector<Results> Split(const Results& whole, int count) {
  std::vector<Results> shards(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    shards[static_cast<std::size_t>(i)].environment = whole.environment;
    shards[static_cast<std::size_t>(i)].environment.shard = ShardInfo{i + 1, count};
    shards[static_cast<std::size_t>(i)].environment.planned_runs = 0;
  }
  for (std::size_t k = 0; k < whole.runs.size(); ++k) {
    Results& shard = shards[k % static_cast<std::size_t>(count)];
    shard.runs.push_back(whole.runs[k]);
    ++shard.environment.planned_runs;
  }
  return shards;
}

std::string MergeErrorOf(const std::vector<Results>& shards) {
  try {
    MergeResults(shards, "merge");
  } catch (const MergeError& e) {
    return e.what();
  }
  return "no error";
}

TEST(MergeTest, ShardsMergeBackIntoTheUnshardedRunsInPlanOrder) {
  Results whole = Unsharded();
  std::vector<Results> shards = Split(whole, 3);
  std::swap(shards[0], shards[2]);  // the order shards are given in does not matter
  Results merged = MergeResults(shards, "dspy-compat merge x y z");
  ASSERT_EQ(merged.runs.size(), whole.runs.size());
  for (std::size_t i = 0; i < whole.runs.size(); ++i) {
    EXPECT_EQ(merged.runs[i].run_id, whole.runs[i].run_id);
  }
  EXPECT_EQ(merged.environment.planned_runs, whole.environment.planned_runs);
  EXPECT_EQ(merged.environment.merged_shards, (std::vector<ShardInfo>{{1, 3}, {2, 3}, {3, 3}}));
  EXPECT_FALSE(merged.environment.shard.has_value());
  EXPECT_EQ(merged.environment.command_line, "dspy-compat merge x y z");
  Aggregate a = AggregateResults(whole), b = AggregateResults(merged);
  EXPECT_EQ(a.verdict_counts, b.verdict_counts);
  // Round-trips through the file format.
  EXPECT_EQ(ToJson(ResultsFromJson(ToJson(merged))), ToJson(merged));
}

TEST(MergeTest, RefusesShardsThatAreNotOneSession) {
  std::vector<Results> shards = Split(Unsharded(), 2);
  shards[1].environment.seed = 7;
  EXPECT_EQ(MergeErrorOf(shards),
            "shard 2/2 ran with seed 7, shard 1/2 with seed 42; give every shard the same --seed");

  shards = Split(Unsharded(), 2);
  shards[1].environment.targets[1].lock_hash = "other";
  EXPECT_EQ(MergeErrorOf(shards),
            "shard 2/2 ran other targets (names, DSPy versions or lock hashes differ from shard "
            "1/2)");

  shards = Split(Unsharded(), 2);
  shards.push_back(shards[0]);
  EXPECT_EQ(MergeErrorOf(shards), "shard 1/2 is given twice (inputs 1 and 3)");

  shards = Split(Unsharded(), 2);
  shards[1].environment.shard = ShardInfo{2, 3};
  EXPECT_EQ(MergeErrorOf(shards), "shard 2/3 is one of 3 shards, shard 1/2 one of 2");

  shards = Split(Unsharded(), 2);
  shards[1].environment.shard.reset();
  shards[1].runs.push_back(shards[0].runs[0]);
  EXPECT_EQ(MergeErrorOf(shards), "run s1.a.r1 appears in more than one input");

  shards = Split(Unsharded(), 2);
  shards[1].environment.min_repeat = 5;
  shards[1].environment.max_repeat = 50;
  EXPECT_EQ(MergeErrorOf(shards),
            "shard 2/2 ran with repetitions 5..50, shard 1/2 with fixed; give every shard the same "
            "--repeat");

  // A default run and --repeat 10..40 record the same bounds; their shards
  // still hold different units (whole scenarios, whole pairs).
  shards = Split(Unsharded(), 2);
  shards[0].environment.session_options = R"({"repeat": null, "adaptive_repeat": null})";
  shards[1].environment.session_options = R"({"repeat": null, "adaptive_repeat": "10..40"})";
  EXPECT_EQ(MergeErrorOf(shards),
            "shard 2/2 ran with --repeat 10..40, shard 1/2 with the default; give every shard the "
            "same --repeat");
  shards[1].environment.session_options = R"({"repeat": 3, "adaptive_repeat": null})";
  EXPECT_EQ(MergeErrorOf(shards),
            "shard 2/2 ran with --repeat 3, shard 1/2 with the default; give every shard the same "
            "--repeat");
  shards[1].environment.session_options = shards[0].environment.session_options;
  EXPECT_EQ(MergeErrorOf(shards), "no error");

  EXPECT_EQ(MergeErrorOf({}), "nothing to merge");
}

TEST(MergeTest, AMissingShardIsRecordedNotRefused) {
  std::vector<Results> shards = Split(Unsharded(), 3);
  shards.pop_back();
  Results merged = MergeResults(shards, "merge");
  EXPECT_EQ(merged.environment.merged_shards, (std::vector<ShardInfo>{{1, 3}, {2, 3}}));
}

}  // namespace
}  // namespace dspy_compat

namespace dspy_compat {
namespace {

// v1.11: a shard killed before it finished leaves the merge unfinished (the
// gate then calls it inconclusive), and the merged plan is every shard's.
TEST(MergeTest, AnUnfinishedShardLeavesTheMergeUnfinished) {
  std::vector<Results> shards = Split(Unsharded(), 2);
  for (Results& shard : shards) {
    shard.environment.plan.emplace();
    for (const RunResult& run : shard.runs) {
      shard.environment.plan->push_back(
          {run.run_id, run.scenario_id, run.target_name, run.repetition});
    }
  }
  Results merged = MergeResults(shards, "merge");
  EXPECT_EQ(merged.environment.finished_at, "2024-01-01T00:01:00Z");
  ASSERT_TRUE(merged.environment.plan);
  EXPECT_EQ(merged.environment.plan->size(), 8u);
  EXPECT_TRUE(merged.environment.session_options.empty());

  shards[1].environment.finished_at.clear();
  EXPECT_TRUE(MergeResults(shards, "merge").environment.finished_at.empty());
}

}  // namespace
}  // namespace dspy_compat
