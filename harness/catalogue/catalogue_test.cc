#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>

#include "catalogue/discovery.h"
#include "catalogue/expectations.h"
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

TEST_F(DiscoveryTest, ForcesNeedsAMockFixtureAndAnotherScenario) {
  std::ofstream(root_ / "f.py") << "# FORCES: f\n# MOCK-FIXTURE: f.json\nprint(1)\n";
  std::ofstream(root_ / "f.json") << "[]";
  EXPECT_THROW(DiscoverScenarios({root_ / "f.py"}), ScenarioError);
  std::ofstream(root_ / "g.py") << "# FORCES: b\nprint(1)\n";
  EXPECT_THROW(DiscoverScenarios({root_ / "g.py"}), ScenarioError);
  std::ofstream(root_ / "h.py") << "# FORCES: b\n# MOCK-FIXTURE: f.json\nprint(1)\n";
  auto found = DiscoverScenarios({root_ / "h.py"});
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].forces, "b");
}

TEST_F(DiscoveryTest, MigrationOfItselfIsAnError) {
  std::ofstream(root_ / "self.py") << "# MIGRATION-OF: self\nprint(1)\n";
  EXPECT_THROW(DiscoverScenarios({root_ / "self.py"}), ScenarioError);
}

TEST_F(DiscoveryTest, MockFixtureResolvesBesideTheScenarioThenUnderTheRoot) {
  fs::create_directories(root_ / "fixtures" / "mock");
  std::ofstream(root_ / "fixtures" / "mock" / "r.json") << "[]";
  std::ofstream(root_ / "fam" / "local.json") << "[]";
  std::ofstream(root_ / "fam" / "uses_root.py") << "# MOCK-FIXTURE: fixtures/mock/r.json\nx\n";
  std::ofstream(root_ / "fam" / "uses_local.py") << "# MOCK-FIXTURE: local.json\nx\n";
  std::ofstream(root_ / "fam" / "missing.py") << "# MOCK-FIXTURE: nowhere.json\nx\n";
  auto found = DiscoverScenarios({root_ / "fam" / "uses_root.py", root_ / "fam" / "uses_local.py"});
  ResolveMockFixtures(found, root_);
  EXPECT_EQ(found[0].mock_fixture_path, root_ / "fixtures" / "mock" / "r.json");
  EXPECT_EQ(found[1].mock_fixture_path, root_ / "fam" / "local.json");
  auto missing = DiscoverScenarios({root_ / "fam" / "missing.py"});
  EXPECT_THROW(ResolveMockFixtures(missing, root_), ScenarioError);
}

TEST(BundledCatalogueTest, EveryPatternThatBreaksHasAMigratedVariantAndAFamily) {
  const char* root = std::getenv("DSPY_COMPAT_SOURCE_ROOT");
  ASSERT_NE(root, nullptr);
  auto found = DiscoverScenarios({fs::path(root) / "scenarios"});
  ResolveMockFixtures(found, root);  // throws if a MOCK-FIXTURE is missing
  EXPECT_GE(found.size(), 16u);
  for (const Scenario& s : found) {
    EXPECT_FALSE(s.family.empty()) << s.path;
    EXPECT_FALSE(s.expectations.empty()) << s.path << " declares no EXPECT";
    bool breaks = std::any_of(s.expectations.begin(), s.expectations.end(), [](const auto& e) {
      return e.outcome == Expectation::kFail || e.outcome == Expectation::kFlaky ||
             e.outcome == Expectation::kFailOrFlaky;
    });
    if (!breaks) continue;
    // Its rewrite must be expected to pass everywhere (one EXPECT: pass, no exceptions).
    bool migrated = std::any_of(found.begin(), found.end(), [&](const Scenario& m) {
      return m.migration_of == s.id && m.expectations.size() == 1 &&
             m.expectations[0].outcome == Expectation::kPass && m.expectations[0].selectors.empty();
    });
    EXPECT_TRUE(migrated) << s.id
                          << " breaks somewhere but has no migrated variant expected to pass";
  }
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
