#include "mock_server/lm_traffic.h"

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

// Requests are matched across releases by what they ask, not by their
// wording or model: the model each one went to is what is compared.
TEST(LmTrafficTest, RoutesSayWhichModelServedEachRequest) {
  nlohmann::json a = Chat("Your input fields are:\n1. `question` (str)", 0.0);
  nlohmann::json b = a;
  b["messages"][1]["content"] = "[[ ## question ## ]]\nHow?";
  b["model"] = "gpt-4o";
  nlohmann::json a_again = a;
  a_again["model"] = "gpt-4o";
  LmTraffic traffic = SummariseTraffic({Entry(a), Entry(b), Entry(a_again)});
  ASSERT_EQ(traffic.routes.size(), 2u);
  const LmTraffic::Route& why =
      traffic.routes[0].label == "question: Why?" ? traffic.routes[0] : traffic.routes[1];
  EXPECT_EQ(why.label, "question: Why?");
  EXPECT_EQ(why.count, 2);
  EXPECT_EQ(why.models, (std::vector<std::string>{"gpt-4o", "gpt-4o-mini"}));
  EXPECT_EQ(why.key.size(), 16u);

  // Another release's wording of the same request has the same key.
  nlohmann::json reworded = a;
  reworded["messages"][0]["content"] = "Your input fields are:\n1. `question` (str): the question";
  reworded["messages"][1]["content"] =
      "[[ ## question ## ]]\nWhy?\n\nRespond with the corresponding output fields, in order.";
  EXPECT_EQ(RequestKey(reworded["messages"]), RequestKey(a["messages"]));
  EXPECT_NE(RequestKey(b["messages"]), RequestKey(a["messages"]));
}

TEST(LmTrafficTest, RequestsWithoutFieldsAreKeyedByTheirLastUserMessage) {
  nlohmann::json plain = {{{"role", "user"}, {"content", "Summarise this\nplease"}}};
  std::string label;
  std::string key = RequestKey(plain, &label);
  EXPECT_EQ(label, "Summarise this please");
  plain[0]["content"] = "Summarise that\nplease";
  EXPECT_NE(RequestKey(plain), key);
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

TEST(LmTrafficTest, PromptsAreNormalisedSoOneStepGivesOnePrompt) {
  nlohmann::json a = Chat("Your input fields are:\n1. `question` (str)", 0);
  nlohmann::json b = a;
  a["messages"][1]["content"] =
      "[[ ## question ## ]]\nWhat is city 3?\n\nRespond with `[[ ## answer ## ]]`.";
  b["messages"][1]["content"] =
      "[[ ## question ## ]]\nWhat is city 12?\nSecond line\n\nRespond with `[[ ## answer ## ]]`.";
  LmTraffic traffic = SummariseTraffic({Entry(a), Entry(b)});
  ASSERT_EQ(traffic.prompts.size(), 1u);
  EXPECT_EQ(traffic.prompts[0],
            "system:\nYour input fields are:\nN. `question` (str)\n"
            "user:\n[[ ## question ## ]]\n<question>\n\nRespond with `[[ ## answer ## ]]`.\n");
}

TEST(LmTrafficTest, DifferentInstructionsGiveDifferentPrompts) {
  nlohmann::json a = Chat("Answer the question.", 0);
  nlohmann::json b = Chat("Answer the question briefly.", 0);
  LmTraffic traffic = SummariseTraffic({Entry(a), Entry(b)});
  EXPECT_EQ(traffic.prompts.size(), 2u);
}

TEST(LmTrafficTest, PromptsAreBounded) {
  std::vector<mock::JournalEntry> entries;
  for (int i = 0; i < 20; ++i) {
    entries.push_back(Entry(Chat(std::string(10000, 'a' + static_cast<char>(i)), 0)));
  }
  LmTraffic traffic = SummariseTraffic(entries);
  EXPECT_EQ(traffic.prompts.size(), kMaxPrompts);
  for (const std::string& p : traffic.prompts) EXPECT_LE(p.size(), kMaxPromptBytes + 16);
}

// The journal holds what the scenario sent: a role that is not a string threw
// type_error.302 from json::value(), and a long line of digits or a long marker
// overflowed std::regex's stack (issue 16).
TEST(LmTrafficTest, AnyRequestIsSummarisedWithoutThrowingOrRecursion) {
  nlohmann::json body = Chat("s", 0);
  body["messages"].push_back({{"role", 5}, {"content", "x"}});
  body["messages"].push_back({{"role", nullptr}, {"content", "y"}});
  LmTraffic traffic;
  EXPECT_NO_THROW(traffic = SummariseTraffic({Entry(body)}));
  ASSERT_EQ(traffic.prompts.size(), 1u);
  EXPECT_NE(traffic.prompts[0].find("?:\nx\n?:\ny\n"), std::string::npos) << traffic.prompts[0];

  for (const std::string& line : {std::string(1 << 20, '7'), "[[ ## " + std::string(1 << 20, 'w'),
                                  "[[ ## " + std::string(1 << 20, 'w') + " ## ]]   "}) {
    body = Chat("s", 0);
    body["messages"][1]["content"] = line + "\n12 x 345";
    traffic = SummariseTraffic({Entry(body)});
    ASSERT_EQ(traffic.prompts.size(), 1u);
  }
  EXPECT_TRUE(traffic.prompts[0].ends_with("[cut]\n")) << "a marker line is kept whole, then cut";
  body["messages"][1]["content"] = "[[ ## answer ## ]]  \nvalue\n\nN 1 and 22a";
  traffic = SummariseTraffic({Entry(body)});
  EXPECT_EQ(traffic.prompts[0],
            "system:\ns\nuser:\n[[ ## answer ## ]]  \n<answer>\n\nN N and Na\n");
}

}  // namespace
}  // namespace dspy_compat
