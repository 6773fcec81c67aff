#include "catalogue/scenario_header.h"

#include <gtest/gtest.h>

#include <string>

namespace dspy_compat {
namespace {

TEST(ScenarioHeaderTest, ReadsKnownKeys) {
  auto h = ParseScenarioHeader(
      "#!/usr/bin/env python\n# SUMMARY: sixteen calls\n# EXERCISES: the #1867 module\n"
      "# EXERCISES: called concurrently\n# NOTE: ignored\n# LM-DELAY-MS: 20-80\n# TIMEOUT: 30\n"
      "# REPEAT: 5\n\nimport dspy\n# SUMMARY: not header\n",
      "s.py");
  EXPECT_EQ(h.summary, "sixteen calls");
  EXPECT_EQ(h.exercises, "the #1867 module called concurrently");
  ASSERT_TRUE(h.options.lm_delay.has_value());
  EXPECT_EQ(*h.options.lm_delay, (DelaySpec{20, 80}));
  EXPECT_EQ(h.options.timeout_seconds, 30);
  EXPECT_EQ(h.options.repeat, 5);
}

TEST(ScenarioHeaderTest, SingleDelayIsAFixedRange) {
  EXPECT_EQ(ParseDelaySpec("50"), (DelaySpec{50, 50}));
  EXPECT_THROW(ParseDelaySpec("80-20"), ScenarioError);
  EXPECT_THROW(ParseDelaySpec("fast"), ScenarioError);
}

TEST(ScenarioHeaderTest, BadValueNamesFileAndLine) {
  try {
    ParseScenarioHeader("# SUMMARY: x\n# TIMEOUT: soon\n", "bad.py");
    FAIL();
  } catch (const ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find("bad.py:2: TIMEOUT"), std::string::npos) << e.what();
  }
}

TEST(ScenarioHeaderTest, ReadsMigrationAndExpectations) {
  auto h = ParseScenarioHeader(
      "# SUMMARY: x\n# MIGRATION-OF: issue1867_concurrent16\n# EXPECT: pass\n"
      "# EXPECT: fail-or-flaky on dspy>=2.5.40\n",
      "m.py");
  EXPECT_EQ(h.migration_of, "issue1867_concurrent16");
  ASSERT_EQ(h.expectations.size(), 2u);
  EXPECT_EQ(h.expectations[1].outcome, Expectation::kFailOrFlaky);
  EXPECT_EQ(h.expectations[1].text, "fail-or-flaky on dspy>=2.5.40");
}

TEST(ScenarioHeaderTest, BadMigrationOrExpectationNamesFileAndLine) {
  for (const char* text : {"# SUMMARY: x\n# MIGRATION-OF: a b\n", "# SUMMARY: x\n# EXPECT: xfail\n",
                           "# SUMMARY: x\n# EXPECT: fail on dspy>=two\n"}) {
    try {
      ParseScenarioHeader(text, "bad.py");
      ADD_FAILURE() << text;
    } catch (const ScenarioError& e) {
      EXPECT_EQ(std::string(e.what()).rfind("bad.py:2: ", 0), 0u) << e.what();
    }
  }
}

TEST(ScenarioHeaderTest, ReadsFamilyRequirementsAndFixture) {
  auto h = ParseScenarioHeader(
      "# SUMMARY: x\n# FAMILY: issue1867\n# REQUIRES: dspy>=2.5.40 dspy<2.6\n"
      "# REQUIRES: dspy-*\n# MOCK-FIXTURE: fixtures/mock/issue1867-interleave.json\n",
      "f.py");
  EXPECT_EQ(h.family, "issue1867");
  EXPECT_EQ(h.requirements, (std::vector<std::string>{"dspy>=2.5.40", "dspy<2.6", "dspy-*"}));
  EXPECT_EQ(h.mock_fixture, "fixtures/mock/issue1867-interleave.json");
}

TEST(ScenarioHeaderTest, BadFamilyRequirementOrFixtureNamesFileAndLine) {
  for (const char* text :
       {"# SUMMARY: x\n# FAMILY: Two Words\n", "# SUMMARY: x\n# REQUIRES: dspy>=soon\n",
        "# SUMMARY: x\n# REQUIRES:\n", "# SUMMARY: x\n# MOCK-FIXTURE: rules.yaml\n"}) {
    try {
      ParseScenarioHeader(text, "bad.py");
      ADD_FAILURE() << text;
    } catch (const ScenarioError& e) {
      EXPECT_EQ(std::string(e.what()).rfind("bad.py:2: ", 0), 0u) << e.what();
    }
  }
}

}  // namespace
}  // namespace dspy_compat
