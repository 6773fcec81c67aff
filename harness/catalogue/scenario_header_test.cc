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

// Issue 16: a 50 KB header line overflowed the stack of std::regex (SIGSEGV).
// Each line shape below went through a different pattern.
TEST(ScenarioHeaderTest, SurvivesLinesOfAnyLength) {
  const std::string big(50 * 1024, 'a');
  auto h = ParseScenarioHeader("# SUMMARY: " + big + "  \n# FAMILY: x" + big + "\n", "long.py");
  EXPECT_EQ(h.summary, big);
  EXPECT_EQ(h.family, "x" + big);
  h = ParseScenarioHeader("# " + std::string(50 * 1024, 'A') + "\n# SUMMARY: s\n", "long.py");
  EXPECT_EQ(h.summary, "s");
  h = ParseScenarioHeader("#" + std::string(50 * 1024, ' ') + "\n# SUMMARY: s\n", "long.py");
  EXPECT_EQ(h.summary, "s");
  h = ParseScenarioHeader("# MIGRATION-OF: " + big + "\n# REQUIRES: dspy" + big + "\n", "l.py");
  EXPECT_EQ(h.migration_of, big);
  for (std::string line : {"# LM-DELAY-MS: " + std::string(50 * 1024, '1'),
                           "# LM-DELAY-MS: 1-" + std::string(50 * 1024, ' ') + "x",
                           "# REQUIRES: dspy>=" + std::string(50 * 1024, '1'),
                           "# REQUIRES: dspy>=" + std::string(25 * 1024, '1') + "." +
                               std::string(25 * 1024, '1') + ".x",
                           "# EXPECT: pass on dspy>=1" + std::string(50 * 1024, '.') + "1",
                           "# MOCK-FIXTURE: " + big}) {
    try {
      ParseScenarioHeader(line + "\n", "long.py");
      if (!line.starts_with("# REQUIRES: dspy>=1111")) ADD_FAILURE() << line.substr(0, 40);
    } catch (const ScenarioError& e) {
      EXPECT_EQ(std::string(e.what()).rfind("long.py:1: ", 0), 0u);
      EXPECT_LT(std::string(e.what()).size(), 400u) << "the message quotes a bounded excerpt";
    }
  }
}

TEST(ScenarioHeaderTest, SurvivesAnyBytes) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);
  auto h = ParseScenarioHeader("# SUMMARY: " + bytes.substr(14) + "\n# REPEAT: 3\n", "b.py");
  EXPECT_EQ(h.options.repeat, 3);
  h = ParseScenarioHeader(std::string("# SUMMARY: a\0b\r\n# TIMEOUT: 5\r\n", 30), "b.py");
  EXPECT_EQ(h.summary, std::string("a\0b", 3));
  EXPECT_EQ(h.options.timeout_seconds, 5);
}

// Issue 16: LM-DELAY-MS: 99999999999 aborted in std::stoi; REPEAT: 1000000000
// was taken (the --repeat flag is capped) and allocated without bound.
TEST(ScenarioHeaderTest, NumbersOutOfRangeNameFileLineAndRange) {
  struct Case {
    std::string line, range;
  };
  for (const Case& c :
       {Case{"# LM-DELAY-MS: 99999999999", "0..600000"},
        Case{"# LM-DELAY-MS: 5-99999999999", "0..600000"},
        Case{"# LM-DELAY-MS: 600001", "0..600000"}, Case{"# REPEAT: 1000000000", "1..100000"},
        Case{"# REPEAT: 99999999999999999999", "1..100000"}, Case{"# REPEAT: 0", "1..100000"},
        Case{"# TIMEOUT: 86401", "1..86400"}, Case{"# TIMEOUT: -5", "1..86400"}}) {
    try {
      ParseScenarioHeader("# SUMMARY: x\n" + c.line + "\n", "big.py");
      ADD_FAILURE() << c.line;
    } catch (const ScenarioError& e) {
      std::string what = e.what();
      EXPECT_EQ(what.rfind("big.py:2: ", 0), 0u) << what;
      EXPECT_NE(what.find(c.range), std::string::npos) << what;
    }
  }
  EXPECT_EQ(ParseScenarioHeader("# REPEAT: 100000\n", "ok.py").options.repeat, 100000);
  EXPECT_EQ(ParseDelaySpec(" 0 - 600000 "), (DelaySpec{0, 600000}));
  EXPECT_THROW(ParseDelaySpec("99999999999"), ScenarioError);  // the --lm-delay-ms flag's path
}

}  // namespace
}  // namespace dspy_compat
