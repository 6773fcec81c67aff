#include "catalogue/scenario_info.h"

#include <gtest/gtest.h>

#include "catalogue/expectations.h"

namespace dspy_compat {
namespace {

TEST(ScenarioInfoTest, ResolvesExpectationsPerTargetAndRelativisesBundledPaths) {
  Scenario s;
  s.id = "issue";
  s.path = "/src/scenarios/issue.py";
  s.exercises = "pattern";
  s.migration_of = "older";
  s.excerpt = "x\n";
  s.expectations = {ParseExpectationRule("pass"),
                    ParseExpectationRule("fail-or-flaky on dspy>=2.5.40")};
  Target old_target, new_target, user;
  old_target.name = "dspy-2.5.39";
  old_target.dspy_version = "2.5.39";
  new_target.name = "dspy-2.5.40";
  new_target.dspy_version = "2.5.40";
  user.name = "python:/venv/bin/python";
  ScenarioInfo info = DescribeScenario(s, {old_target, new_target, user}, "/src");
  EXPECT_EQ(info.path, "scenarios/issue.py");
  EXPECT_EQ(info.migration_of, "older");
  EXPECT_EQ(info.expect_lines, (std::vector<std::string>{"pass", "fail-or-flaky on dspy>=2.5.40"}));
  EXPECT_EQ(info.expected.at("dspy-2.5.39"), Expectation::kPass);
  EXPECT_EQ(info.expected.at("dspy-2.5.40"), Expectation::kFailOrFlaky);
  EXPECT_EQ(info.expected.at("python:/venv/bin/python"), Expectation::kPass);

  EXPECT_EQ(DescribeScenario(s, {}, "/elsewhere").path, "/src/scenarios/issue.py");
}

TEST(ScenarioInfoTest, NoExpectLinesMeansNoExpectations) {
  Scenario s;
  s.path = "/a.py";
  Target t;
  t.name = "dspy-2.5.40";
  EXPECT_TRUE(DescribeScenario(s, {t}, "/src").expected.empty());
  EXPECT_TRUE(DescribeScenario(s, {t}, "/src").pytest_node.empty());
}

TEST(ScenarioInfoTest, ATeamsTestKeepsItsTestId) {
  Scenario s;
  s.id = "test_desk::test_a";
  s.path = "/proj/tests/test_desk.py";
  s.pytest_node = "tests/test_desk.py::test_a";
  ScenarioInfo info = DescribeScenario(s, {}, "/src");
  EXPECT_EQ(info.pytest_node, "tests/test_desk.py::test_a");
  EXPECT_EQ(info.path, "/proj/tests/test_desk.py");
}

}  // namespace
}  // namespace dspy_compat
