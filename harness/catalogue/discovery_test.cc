#include "catalogue/discovery.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>

#include "catalogue/expectations.h"
#include "test_support/source_tree.h"

namespace dspy_compat {
namespace {
namespace fs = std::filesystem;

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

// A fake lister: the tests each file holds, and the files it was asked about.
class PytestDiscoveryTest : public DiscoveryTest {
 protected:
  DiscoveryOptions Options() {
    DiscoveryOptions options;
    options.list_tests = [this](const fs::path& file) {
      listed_.push_back(file.filename().string());
      return tests_[file.filename().string()];
    };
    return options;
  }
  std::map<std::string, std::vector<std::string>> tests_;
  std::vector<std::string> listed_;
};

TEST_F(PytestDiscoveryTest, APytestFileIsOneScenarioPerTestWithItsTestId) {
  fs::create_directories(root_ / "proj" / "tests");
  std::ofstream(root_ / "proj" / "pyproject.toml") << "";
  std::ofstream(root_ / "proj" / "tests" / "test_desk.py") << "# TIMEOUT: 30\nimport dspy\n";
  std::ofstream(root_ / "proj" / "tests" / "conftest.py") << "";
  tests_["test_desk.py"] = {"test_a", "TestB::test_c"};
  auto found = DiscoverScenarios({root_ / "proj" / "tests"}, Options());
  ASSERT_EQ(found.size(), 2u);  // conftest.py is no scenario
  EXPECT_EQ(found[0].id, "test_desk::test_a");
  EXPECT_EQ(found[0].pytest_node, "tests/test_desk.py::test_a");  // relative to pyproject's folder
  EXPECT_EQ(found[0].summary, "tests/test_desk.py::test_a");
  EXPECT_EQ(found[0].path, root_ / "proj" / "tests" / "test_desk.py");
  EXPECT_EQ(found[0].options.timeout_seconds, 30);  // the file's header holds for each test
  EXPECT_EQ(found[1].id, "test_desk::TestB::test_c");
  EXPECT_EQ(found[1].pytest_node, "tests/test_desk.py::TestB::test_c");
  // A program is still a program.
  auto programs = DiscoverScenarios({root_ / "b.py"}, Options());
  ASSERT_EQ(programs.size(), 1u);
  EXPECT_TRUE(programs[0].pytest_node.empty());
  EXPECT_EQ(listed_, (std::vector<std::string>{"test_desk.py"}));
}

TEST_F(PytestDiscoveryTest, FileColonColonNameIsThatTestAndAnUnknownNameIsAnError) {
  std::ofstream(root_ / "desk_test.py") << "";
  tests_["desk_test.py"] = {"test_a", "test_b"};
  DiscoveryOptions options = Options();
  options.project_root = root_;
  auto found = DiscoverScenarios({(root_ / "desk_test.py").string() + "::test_b"}, options);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].id, "desk_test::test_b");
  EXPECT_EQ(found[0].pytest_node, "desk_test.py::test_b");
  try {
    DiscoverScenarios({(root_ / "desk_test.py").string() + "::test_gone"}, options);
    FAIL();
  } catch (const ScenarioError& e) {
    EXPECT_EQ(std::string(e.what()), "no test test_gone in " + (root_ / "desk_test.py").string() +
                                         " (its tests: test_a, test_b)");
  }
  EXPECT_THROW(DiscoverScenarios({(root_ / "nope_test.py").string() + "::test_a"}, options),
               ScenarioError);
  // Without a lister a pytest file cannot be read as one.
  EXPECT_THROW(DiscoverScenarios({root_ / "desk_test.py"}), ScenarioError);
  // The same test named twice runs once.
  EXPECT_EQ(DiscoverScenarios(
                {root_ / "desk_test.py", (root_ / "desk_test.py").string() + "::test_a"}, options)
                .size(),
            2u);
}

TEST_F(PytestDiscoveryTest, ATestFileWithoutTestsIsAnError) {
  std::ofstream(root_ / "test_empty.py") << "";
  EXPECT_THROW(DiscoverScenarios({root_ / "test_empty.py"}, Options()), ScenarioError);
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
