#include "mock_server/fixtures.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "test_support/source_tree.h"

namespace dspy_compat::mock {
namespace {

std::string ErrorOf(std::string_view text) {
  try {
    ParseFixtures(text);
  } catch (const FixtureError& e) {
    return e.what();
  }
  return "";
}

TEST(FixturesTest, AFullRule) {
  FixtureSet set = ParseFixtures(R"json({"rules": [{
      "name": "slow-second",
      "description": "the second CoT call of every run is slow and fails",
      "match": {"model": "gpt-4o-mini", "run": {"regex": "^issue1867"}, "path": {"regex": "chat"},
                "messages": "capital of (France|Spain)", "fields": ["reasoning", "answer"],
                "nth": [2, 4], "api": "chat", "stream": false},
      "respond": {"fields": {"answer": "Paris [{{model}}]", "score": 3}, "echo_model": true,
                  "finish_reason": "length"},
      "delay_ms": [100, 200],
      "fault": {"kind": "status", "status": 429, "body": {"error": {"message": "slow down"}},
                "headers": {"Retry-After": "1"}},
      "hold": {"until_arrived": 3, "until_answered": "first", "scope": "server",
               "timeout_ms": 5000}}]})json");
  ASSERT_EQ(set.rules.size(), 1U);
  const Rule& r = *set.rules[0];
  EXPECT_EQ(r.name, "slow-second");
  EXPECT_TRUE(r.match.model->Matches("gpt-4o-mini"));
  EXPECT_FALSE(r.match.model->Matches("gpt-4o-mini-2"));
  EXPECT_TRUE(r.match.run->Matches("issue1867_concurrent16.t0.r1"));
  EXPECT_FALSE(r.match.run->Matches("other"));
  EXPECT_TRUE(r.match.messages->Matches("What is the capital of Spain?"));
  EXPECT_EQ(r.match.fields, (std::vector<std::string>{"reasoning", "answer"}));
  EXPECT_TRUE(r.match.nth->Matches(4));
  EXPECT_FALSE(r.match.nth->Matches(3));
  EXPECT_EQ(r.match.api, LmApi::kChat);
  EXPECT_EQ(r.match.stream, false);
  ASSERT_EQ(r.respond.fields.size(), 2U);
  EXPECT_EQ(r.respond.fields[0].name, "answer");
  EXPECT_EQ(r.respond.fields[0].text->source(), "Paris [{{model}}]");
  EXPECT_EQ(r.respond.fields[1].value, 3);
  EXPECT_TRUE(r.respond.echo_model);
  EXPECT_EQ(r.respond.finish_reason, "length");
  EXPECT_EQ(r.delay, (DelaySpec{100, 200}));
  EXPECT_EQ(r.fault->kind, FaultKind::kStatus);
  EXPECT_EQ(r.fault->status, 429);
  EXPECT_EQ(*r.fault->body, R"({"error":{"message":"slow down"}})");
  EXPECT_EQ(r.fault->content_type, "application/json");
  EXPECT_EQ(r.fault->headers.at(0), (std::pair<std::string, std::string>{"Retry-After", "1"}));
  EXPECT_EQ(FaultName(*r.fault), "status:429");
  EXPECT_EQ(r.hold->until_arrived, 3);
  EXPECT_EQ(r.hold->until_answered, "first");
  EXPECT_EQ(r.hold->scope, HoldScope::kServer);
  EXPECT_EQ(r.hold->timeout_ms, 5000);
  EXPECT_EQ(set.ToJson()["rules"][0]["name"], "slow-second");
}

TEST(FixturesTest, EveryFaultKind) {
  FixtureSet set = ParseFixtures(R"([
      {"fault": {"kind": "malformed_json"}},
      {"fault": {"kind": "drop", "reset": true}},
      {"fault": {"kind": "truncate", "after": 3}},
      {"fault": {"kind": "trickle", "chunk_bytes": 4, "interval_ms": 10}},
      {"fault": {"kind": "status", "status": 503, "body": "upstream down"}}])");
  ASSERT_EQ(set.rules.size(), 5U);
  EXPECT_EQ(FaultName(*set.rules[0]->fault), "malformed_json");
  EXPECT_EQ(FaultName(*set.rules[1]->fault), "reset");
  EXPECT_EQ(set.rules[2]->fault->after, 3);
  EXPECT_EQ(set.rules[3]->fault->chunk_bytes, 4);
  EXPECT_EQ(set.rules[3]->fault->interval_ms, 10);
  EXPECT_EQ(set.rules[4]->fault->content_type, "text/plain");
  // Unnamed rules are named by position; ids are unique.
  EXPECT_EQ(set.rules[1]->name, "#2");
  EXPECT_NE(set.rules[0]->id, set.rules[1]->id);
}

TEST(FixturesTest, SingleRuleAndDefaults) {
  FixtureSet set = ParseFixtures(R"({"name": "any", "delay_ms": 50})");
  ASSERT_EQ(set.rules.size(), 1U);
  EXPECT_EQ(set.rules[0]->delay, (DelaySpec{50, 50}));
  EXPECT_FALSE(set.rules[0]->fault);
  EXPECT_FALSE(set.rules[0]->hold);
  EXPECT_TRUE(ParseFixtures(R"({"rules": []})").rules.empty());
  NthSpec from = ParseFixtures(R"({"match": {"nth": {"from": 3}}})").rules[0]->match.nth.value();
  EXPECT_FALSE(from.Matches(2));
  EXPECT_TRUE(from.Matches(300));
  EXPECT_EQ(ParseFixtures(R"({"hold": {"until_answered": "x"}})").rules[0]->hold->timeout_ms,
            30000);
}

TEST(FixturesTest, ErrorsNameTheKey) {
  EXPECT_EQ(ErrorOf("{"), "fixtures: not valid JSON");
  EXPECT_EQ(ErrorOf("3"), "fixtures: expected {\"rules\": [...]}, an array of rules or one rule");
  EXPECT_EQ(ErrorOf(R"({"rules": {}})"), "rules: expected an array of rules");
  EXPECT_NE(ErrorOf(R"({"rules": [{"mtach": {}}]})").find("rules[0]: unknown key \"mtach\""),
            std::string::npos);
  EXPECT_NE(ErrorOf(R"([{}, {"fault": {"kind": "explode"}}])")
                .find("rules[1].fault.kind: unknown kind \"explode\""),
            std::string::npos);
  EXPECT_NE(ErrorOf(R"({"match": {"messages": "("}})").find("rule.match.messages: bad regex"),
            std::string::npos);
  EXPECT_NE(ErrorOf(R"({"match": {"nth": 0}})").find("rule.match.nth: 0 is out of range"),
            std::string::npos);
  EXPECT_NE(ErrorOf(R"({"delay_ms": [5, 1]})").find("min <= max"), std::string::npos);
  EXPECT_NE(ErrorOf(R"({"hold": {}})").find("until_arrived"), std::string::npos);
  EXPECT_NE(ErrorOf(R"({"respond": {"content": "{{modle}}"}})").find("unknown placeholder"),
            std::string::npos);
  EXPECT_NE(ErrorOf(R"({"fault": {"kind": "status"}})").find("missing \"status\""),
            std::string::npos);
  EXPECT_NE(ErrorOf(R"({"fault": {"kind": "status", "status": 500, "headers": {"X": "a\r\nb"}}})")
                .find("not a valid header"),
            std::string::npos);
  EXPECT_NE(ErrorOf(R"({"match": {"api": "embeddings"}})").find("unknown api"), std::string::npos);
  EXPECT_NE(ErrorOf(R"({"hold": {"until_arrived": 2, "scope": "world"}})").find("unknown scope"),
            std::string::npos);
}

TEST(FixturesTest, TheShippedExamplesLoad) {
  std::filesystem::path dir = test_support::SourceRoot() / "fixtures" / "mock";
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".json") continue;
    ++files;
    EXPECT_NO_THROW(LoadFixtureFile(entry.path())) << entry.path();
  }
  EXPECT_GT(files, 0);
  EXPECT_THROW(LoadFixtureFile(dir / "missing.json"), FixtureError);
}

}  // namespace
}  // namespace dspy_compat::mock
