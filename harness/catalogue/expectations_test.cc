#include "catalogue/expectations.h"

#include <gtest/gtest.h>

#include "catalogue/scenario_header.h"

namespace dspy_compat {
namespace {

TEST(ExpectationRuleTest, OutcomeAloneAppliesToEveryTarget) {
  ExpectationRule rule = ParseExpectationRule("fail");
  EXPECT_EQ(rule.outcome, Expectation::kFail);
  EXPECT_TRUE(rule.selectors.empty());
  EXPECT_EQ(ResolveExpectation({rule}, "anything", ""), Expectation::kFail);
}

TEST(ExpectationRuleTest, SelectorsAreVersionBoundsOrNameGlobs) {
  ExpectationRule rule = ParseExpectationRule("fail-or-flaky on dspy>=2.5.40 dspy<2.6");
  EXPECT_EQ(rule.selectors, (std::vector<std::string>{"dspy>=2.5.40", "dspy<2.6"}));
  EXPECT_EQ(ResolveExpectation({rule}, "dspy-2.5.40", "2.5.40"), Expectation::kFailOrFlaky);
  EXPECT_EQ(ResolveExpectation({rule}, "dspy-2.5.43", "2.5.43"), Expectation::kFailOrFlaky);
  EXPECT_EQ(ResolveExpectation({rule}, "dspy-2.5.39", "2.5.39"), std::nullopt);
  EXPECT_EQ(ResolveExpectation({rule}, "dspy-2.6.0", "2.6.0"), std::nullopt);
  // A user interpreter whose version is unknown matches no version bound.
  EXPECT_EQ(ResolveExpectation({rule}, "python:/usr/bin/python3", ""), std::nullopt);

  ExpectationRule glob = ParseExpectationRule("fail on dspy-2.5.4*");
  EXPECT_EQ(ResolveExpectation({glob}, "dspy-2.5.40", ""), Expectation::kFail);
  EXPECT_EQ(ResolveExpectation({glob}, "dspy-2.5.39", ""), std::nullopt);
}

TEST(ExpectationRuleTest, LastMatchingRuleWins) {
  std::vector<ExpectationRule> rules = {ParseExpectationRule("pass"),
                                        ParseExpectationRule("fail on dspy==2.5.40"),
                                        ParseExpectationRule("any on python:*")};
  EXPECT_EQ(ResolveExpectation(rules, "dspy-2.5.39", "2.5.39"), Expectation::kPass);
  EXPECT_EQ(ResolveExpectation(rules, "dspy-2.5.40", "2.5.40"), Expectation::kFail);
  EXPECT_EQ(ResolveExpectation(rules, "python:/venv/bin/python", "2.5.40"), Expectation::kAny);
}

// A known silent change (another model, format, parameters, settings left
// behind) is declared like a known failure.
TEST(ExpectationRuleTest, BehaviourChangeIsAnOutcome) {
  ExpectationRule rule = ParseExpectationRule("behaviour-change on dspy>=2.5.40");
  EXPECT_EQ(rule.outcome, Expectation::kBehaviourChange);
  EXPECT_EQ(rule.selectors, (std::vector<std::string>{"dspy>=2.5.40"}));
  EXPECT_EQ(ResolveExpectation({ParseExpectationRule("pass"), rule}, "dspy-2.5.40", "2.5.40"),
            Expectation::kBehaviourChange);
}

TEST(ExpectationRuleTest, MalformedLinesSayWhatIsExpected) {
  auto message = [](const std::string& value) {
    try {
      ParseExpectationRule(value);
    } catch (const ScenarioError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message("xfail"),
            "EXPECT starts with pass, fail, flaky, fail-or-flaky, any or behaviour-change, not "
            "'xfail'");
  EXPECT_EQ(message("fail dspy-2.5.40"),
            "EXPECT: expected 'on <target or dspy version>' after 'fail', not 'dspy-2.5.40'");
  EXPECT_EQ(message("fail on"),
            "EXPECT: 'on' must be followed by a target name or a dspy version bound");
  EXPECT_EQ(message("fail on dspy>=2.5.x"),
            "EXPECT: 'dspy>=2.5.x' is not a version bound like dspy>=2.5.40 (==, !=, >=, <=, >, "
            "<)");
}

TEST(SelectorTest, EveryComparison) {
  EXPECT_TRUE(SelectorMatches("dspy==2.5.40", "t", "2.5.40"));
  EXPECT_TRUE(SelectorMatches("dspy!=2.5.40", "t", "2.5.39"));
  EXPECT_TRUE(SelectorMatches("dspy<=2.5.40", "t", "2.5.40"));
  EXPECT_TRUE(SelectorMatches("dspy>2.5.39", "t", "2.5.40"));
  EXPECT_FALSE(SelectorMatches("dspy<2.5.40", "t", "2.5.40"));
  EXPECT_TRUE(SelectorMatches("dspy-2.5.40", "dspy-2.5.40", ""));
  EXPECT_FALSE(SelectorMatches("dspy-2.5.40", "dspy-2.5.400", ""));
}

TEST(RequirementsTest, AllSelectorsMustHold) {
  std::vector<std::string> r = {"dspy>=2.5.40", "dspy<2.6"};
  EXPECT_TRUE(RequirementsMet(r, "dspy-2.5.40", "2.5.40"));
  EXPECT_TRUE(RequirementsMet(r, "dspy-2.5.43", "2.5.43"));
  EXPECT_FALSE(RequirementsMet(r, "dspy-2.5.39", "2.5.39"));
  EXPECT_FALSE(RequirementsMet(r, "dspy-2.6.0", "2.6.0"));
  EXPECT_TRUE(RequirementsMet({}, "anything", ""));
  // An interpreter not yet probed runs: its result says what it imported.
  EXPECT_TRUE(RequirementsMet(r, "python:/usr/bin/python3", ""));
  EXPECT_FALSE(RequirementsMet({"dspy-*"}, "python:/usr/bin/python3", ""));
}

}  // namespace
}  // namespace dspy_compat
