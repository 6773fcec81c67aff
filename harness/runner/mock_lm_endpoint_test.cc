#include "runner/mock_lm_endpoint.h"

#include <gtest/gtest.h>

namespace dspy_compat {
namespace {

mock::JournalEntry Entry(const std::string& model, const nlohmann::json& body) {
  mock::JournalEntry entry;
  entry.run_id = "r";
  entry.model = model;
  entry.request_body = body.dump();
  return entry;
}

// A run's traffic reaches its RunResult through the endpoint, in one piece:
// the counts and the summary come from the same journal entries.
TEST(MockLmEndpointTest, TrafficCountsModelsInFirstUseOrderAndCarriesTheSummary) {
  nlohmann::json chat = {{"model", "m"},
                         {"temperature", 0.0},
                         {"messages", {{{"role", "user"}, {"content", "[[ ## q ## ]]\nhi"}}}}};
  RunTraffic traffic = TrafficOf({Entry("openai/b", chat), Entry("openai/a", chat),
                                  Entry("openai/b", chat), Entry("", nlohmann::json("not json"))});
  EXPECT_EQ(traffic.requests, 4);
  EXPECT_EQ(traffic.models, (std::vector<std::string>{"openai/b", "openai/a"}));
  ASSERT_TRUE(traffic.summary.has_value());
  EXPECT_EQ(traffic.summary->adapters, std::vector<std::string>{"chat"});
  EXPECT_EQ(traffic.summary->parameters, std::vector<std::string>{"temperature=0.0"});
}

TEST(MockLmEndpointTest, RunWithoutRequestsHasAnEmptySummary) {
  RunTraffic traffic = TrafficOf({});
  EXPECT_EQ(traffic.requests, 0);
  ASSERT_TRUE(traffic.summary.has_value());
  EXPECT_EQ(*traffic.summary, LmTraffic{});
}

TEST(ScheduleOfRunTest, NaturalSessionsDoNotExplore) {
  EXPECT_FALSE(ScheduleOfRun(std::nullopt, false, false, "r1", 1).has_value());
}

TEST(ScheduleOfRunTest, TheMixAlternatesPctAndNaturalDelaysPerPair) {
  mock::ScheduleConfig session{.strategy = mock::ScheduleStrategy::kNatural, .seed = 7};
  for (int repetition = 1; repetition <= 6; ++repetition) {
    auto run =
        ScheduleOfRun(session, /*mixed=*/true, false, "r" + std::to_string(repetition), repetition);
    EXPECT_EQ(run.has_value(), repetition % 2 == 1) << repetition;
    if (run) {
      EXPECT_EQ(run->strategy, mock::ScheduleStrategy::kPct);
    }
  }
}

TEST(ScheduleOfRunTest, EachRunDrawsItsOwnSeedUnlessReplaying) {
  mock::ScheduleConfig session{.strategy = mock::ScheduleStrategy::kRandom, .seed = 7};
  auto a = ScheduleOfRun(session, false, false, "run-a", 1);
  auto b = ScheduleOfRun(session, false, false, "run-b", 1);
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->seed, b->seed);
  EXPECT_EQ(a->seed, ScheduleOfRun(session, false, false, "run-a", 2)->seed);
  EXPECT_EQ(a->strategy, mock::ScheduleStrategy::kRandom);  // not mixed: the session's strategy
  auto replayed = ScheduleOfRun(session, false, /*replay=*/true, "run-a", 2);
  ASSERT_TRUE(replayed);
  EXPECT_EQ(replayed->seed, 7U);
}

}  // namespace
}  // namespace dspy_compat
