#include "cli/lm_traffic.h"

#include <gtest/gtest.h>

namespace dspy_compat {
namespace {

mock::JournalEntry Entry(const nlohmann::json& body) {
  mock::JournalEntry entry;
  entry.run_id = "r";
  entry.request_body = body.dump();
  return entry;
}

nlohmann::json Chat(const std::string& system, double temperature) {
  return {{"model", "gpt-4o-mini"},
          {"temperature", temperature},
          {"max_tokens", 1000},
          {"messages",
           {{{"role", "system"}, {"content", system}},
            {{"role", "user"}, {"content", "[[ ## question ## ]]\nWhy?"}}}}};
}

TEST(LmTrafficTest, SummarisesFormatsParametersAndSystemPrompts) {
  nlohmann::json json_adapter = Chat("Your output fields are:\n1. `answer` (str)", 0.0);
  json_adapter["messages"][1]["content"] = "Respond with a JSON object in the following order";
  LmTraffic traffic = SummariseTraffic({Entry(Chat("system A", 0.0)), Entry(Chat("system A", 0.0)),
                                        Entry(Chat("system B", 0.7)), Entry(json_adapter)});
  EXPECT_EQ(traffic.adapters, (std::vector<std::string>{"chat", "json"}));
  EXPECT_EQ(traffic.parameters,
            (std::vector<std::string>{"max_tokens=1000", "temperature=0.0", "temperature=0.7"}));
  ASSERT_EQ(traffic.system_prompts.size(), 3u);
  EXPECT_EQ(traffic.system_prompts[0].size(), 16u);
}

TEST(LmTrafficTest, SameSystemPromptSameHashAcrossRuns) {
  EXPECT_EQ(SummariseTraffic({Entry(Chat("s", 0))}).system_prompts,
            SummariseTraffic({Entry(Chat("s", 1))}).system_prompts);
}

TEST(LmTrafficTest, TruncatedOrBrokenBodiesAreSkipped) {
  mock::JournalEntry truncated = Entry(Chat("s", 0));
  truncated.request_truncated = true;
  mock::JournalEntry broken;
  broken.request_body = "{not json";
  EXPECT_EQ(SummariseTraffic({truncated, broken}), LmTraffic{});
}

TEST(LmTrafficTest, LongParameterValuesAreCut) {
  nlohmann::json body = Chat("s", 0);
  body["response_format"] = {{"type", "json_schema"}, {"json_schema", std::string(200, 'x')}};
  LmTraffic traffic = SummariseTraffic({Entry(body)});
  for (const std::string& p : traffic.parameters) EXPECT_LE(p.size(), 80u) << p;
}

}  // namespace
}  // namespace dspy_compat
