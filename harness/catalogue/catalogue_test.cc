#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>

#include "catalogue/discovery.h"
#include "catalogue/scenario_header.h"
#include "test_support/source_tree.h"

namespace dspy_compat {
namespace {
namespace fs = std::filesystem;

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

class DiscoveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("discovery_test_" + std::to_string(::getpid()));
    fs::create_directories(root_ / "fam");
    std::ofstream(root_ / "b.py") << "# SUMMARY: bee\nprint(1)\n";
    std::ofstream(root_ / "fam" / "a.py") << "print(2)\n";
    std::ofstream(root_ / "_helper.py") << "";
    std::ofstream(root_ / "README.md") << "";
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path root_;
};

TEST_F(DiscoveryTest, FolderGivesSortedPythonFilesSkippingPrivateOnes) {
  auto found = DiscoverScenarios({root_});
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].id, "b");
  EXPECT_EQ(found[0].summary, "bee");
  EXPECT_EQ(found[1].id, "a");
  EXPECT_EQ(found[1].summary, "a");  // no header: the id stands in
}

TEST_F(DiscoveryTest, MissingPathIsAnError) {
  try {
    DiscoverScenarios({root_ / "nope.py"});
    FAIL();
  } catch (const ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find("no such scenario file or folder"), std::string::npos);
  }
}

TEST_F(DiscoveryTest, DuplicateIdsAreAnError) {
  fs::create_directories(root_ / "other");
  std::ofstream(root_ / "other" / "b.py") << "";
  EXPECT_THROW(DiscoverScenarios({root_}), ScenarioError);
}

TEST_F(DiscoveryTest, SameFileTwiceRunsOnce) {
  auto found = DiscoverScenarios({root_ / "b.py", root_ / "b.py"});
  EXPECT_EQ(found.size(), 1u);
}

TEST_F(DiscoveryTest, ScenarioCarriesExcerptAndHeaderLinks) {
  std::ofstream(root_ / "c.py")
      << "# SUMMARY: c\n# MIGRATION-OF: b\n# EXPECT: any\n\nimport dspy\n\n"
         "program = dspy.asyncify(dspy.Predict('q -> a'))\n";
  auto found = DiscoverScenarios({root_ / "c.py"});
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].migration_of, "b");
  ASSERT_EQ(found[0].expectations.size(), 1u);
  EXPECT_EQ(found[0].excerpt, "program = dspy.asyncify(dspy.Predict('q -> a'))\n");
}

TEST_F(DiscoveryTest, MigrationOfItselfIsAnError) {
  std::ofstream(root_ / "self.py") << "# MIGRATION-OF: self\nprint(1)\n";
  EXPECT_THROW(DiscoverScenarios({root_ / "self.py"}), ScenarioError);
}

TEST(BundledCatalogueTest, EveryScenarioHasASummaryAndAnExcerpt) {
  auto found = DiscoverScenarios({test_support::SourceRoot() / "scenarios"});
  EXPECT_GE(found.size(), 6u);
  for (const auto& s : found) {
    EXPECT_NE(s.summary, s.id) << s.path;
    EXPECT_NE(s.excerpt.find("dspy."), std::string::npos) << s.path;
    // A migration names a scenario of the catalogue, or the report cannot link them.
    if (!s.migration_of.empty()) {
      EXPECT_TRUE(std::any_of(found.begin(), found.end(),
                              [&](const Scenario& o) { return o.id == s.migration_of; }))
          << s.path << " migrates unknown " << s.migration_of;
    }
  }
}

}  // namespace
}  // namespace dspy_compat
