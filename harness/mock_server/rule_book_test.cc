#include "mock_server/rule_book.h"

#include <gtest/gtest.h>

namespace dspy_compat::mock {
namespace {

LmRequest Request(std::string model, std::string text = "hello", bool stream = false) {
  LmRequest r;
  r.model = std::move(model);
  r.messages = nlohmann::json::array({{{"role", "user"}, {"content", std::move(text)}}});
  r.stream = stream;
  return r;
}

std::string Chosen(RuleBook& book, std::string_view run, const LmRequest& request,
                   const std::vector<std::string>& fields = {},
                   const FixtureSet* run_rules = nullptr) {
  auto choice = book.Choose(
      {.run_id = run, .path = "/v1/chat/completions", .request = &request, .fields = &fields},
      run_rules);
  return choice ? choice->rule->name + "@" + std::to_string(choice->nth) : "-";
}

TEST(RuleBookTest, FirstMatchingRuleWins) {
  RuleBook book;
  EXPECT_EQ(Chosen(book, "r", Request("m")), "-");
  book.Replace(ParseFixtures(R"([
      {"name": "big", "match": {"model": {"regex": "^gpt-4o$"}}},
      {"name": "hi", "match": {"messages": "(?i)HELLO"}},
      {"name": "cot", "match": {"fields": ["reasoning"]}},
      {"name": "streams", "match": {"stream": true}},
      {"name": "run-b", "match": {"run": "b", "path": "/v1/chat/completions"}}])"));
  EXPECT_EQ(book.size(), 5U);
  EXPECT_EQ(Chosen(book, "r", Request("gpt-4o")), "big@1");
  EXPECT_EQ(Chosen(book, "r", Request("mini")), "hi@2");  // the first request also said hello
  EXPECT_EQ(Chosen(book, "r", Request("mini", "bye"), {"reasoning", "answer"}), "cot@1");
  EXPECT_EQ(Chosen(book, "r", Request("mini", "bye", true)), "streams@1");
  EXPECT_EQ(Chosen(book, "b", Request("mini", "bye")), "run-b@1");
  EXPECT_EQ(Chosen(book, "c", Request("mini", "bye")), "-");
}

TEST(RuleBookTest, NthCountsTheRunsRequestsMeetingTheOtherConditions) {
  RuleBook book;
  book.Replace(ParseFixtures(R"([
      {"name": "first", "match": {"nth": 1}},
      {"name": "second-4o", "match": {"model": "gpt-4o", "nth": 2}},
      {"name": "rest", "match": {"nth": {"from": 2}}}])"));
  // Counters are per run, and count requests even when an earlier rule wins them.
  EXPECT_EQ(Chosen(book, "a", Request("gpt-4o")), "first@1");
  EXPECT_EQ(Chosen(book, "a", Request("mini")), "rest@2");
  EXPECT_EQ(Chosen(book, "a", Request("gpt-4o")), "second-4o@2");
  EXPECT_EQ(Chosen(book, "a", Request("gpt-4o")), "rest@4");
  EXPECT_EQ(Chosen(book, "b", Request("gpt-4o")), "first@1");
  book.ForgetRun("a");
  EXPECT_EQ(Chosen(book, "a", Request("mini")), "first@1");
  book.ResetCounters();
  EXPECT_EQ(Chosen(book, "b", Request("mini")), "first@1");
}

TEST(RuleBookTest, RunRulesComeFirst) {
  RuleBook book;
  book.Replace(ParseFixtures(R"({"name": "server"})"));
  FixtureSet run_rules = ParseFixtures(R"({"name": "mine", "match": {"model": "x"}})");
  EXPECT_EQ(Chosen(book, "r", Request("x"), {}, &run_rules), "mine@1");
  EXPECT_EQ(Chosen(book, "r", Request("y"), {}, &run_rules), "server@2");
}

TEST(RuleBookTest, AppendAndClear) {
  RuleBook book;
  book.Append(ParseFixtures(R"({"name": "a", "match": {"model": "a"}})"));
  book.Append(ParseFixtures(R"({"name": "b"})"));
  EXPECT_EQ(book.Rules().rules.size(), 2U);
  EXPECT_EQ(Chosen(book, "r", Request("z")), "b@1");
  book.Clear();
  EXPECT_EQ(book.size(), 0U);
  EXPECT_EQ(Chosen(book, "r", Request("z")), "-");
}

}  // namespace
}  // namespace dspy_compat::mock
