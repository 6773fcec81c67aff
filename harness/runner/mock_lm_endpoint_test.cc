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

}  // namespace
}  // namespace dspy_compat
