#include "runner/session_inputs.h"

#include <gtest/gtest.h>

#include <fstream>

#include "catalogue/scenario_header.h"
#include "targets/fake_release_seams.h"
#include "targets/target_definition.h"
#include "test_support/source_tree.h"
#include "test_support/temp_dir.h"

namespace dspy_compat {
namespace {
namespace fs = std::filesystem;

// The shipped targets resolve by name without the index.
class ChooseTargetsTest : public ::testing::Test {
 protected:
  std::vector<std::string> Names(const std::vector<std::string>& given,
                                 const std::optional<std::string>& baseline = std::nullopt) {
    std::vector<std::string> names;
    for (const Target& t : ChooseTargets(given, baseline, test_support::SourceRoot(), releases_)) {
      names.push_back(t.name);
    }
    return names;
  }
  test_support::FakeIndex index_;
  test_support::ScriptedCompiler compiler_;
  ReleaseTargets releases_{index_, compiler_, fs::temp_directory_path(), false};
};

TEST_F(ChooseTargetsTest, NoneGivenMeansTheDefaultTargets) {
  EXPECT_EQ(Names({}), (std::vector<std::string>{"dspy-2.5.39", "dspy-2.5.40"}));
  EXPECT_EQ(index_.requests, 0);
}

TEST_F(ChooseTargetsTest, CommaListsKeepTheirOrderAndTheBaselineGoesFirst) {
  EXPECT_EQ(Names({"dspy-2.5.40,dspy-2.5.39"}),
            (std::vector<std::string>{"dspy-2.5.40", "dspy-2.5.39"}));
  EXPECT_EQ(Names({"dspy-2.5.39", "dspy-2.5.40"}, "dspy-2.5.40"),
            (std::vector<std::string>{"dspy-2.5.40", "dspy-2.5.39"}));
}

TEST_F(ChooseTargetsTest, AnUnknownTargetOrBaselineIsATargetError) {
  EXPECT_THROW(Names({"dspy-0.0.0-nowhere"}), TargetError);
  EXPECT_THROW(Names({"dspy-2.5.39"}, "dspy-2.5.40"), TargetError);
}

class SessionScenariosTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(root_ / "scenarios");
    fs::create_directories(root_ / "fixtures" / "mock");
    fs::create_directories(root_ / "project" / "tests");
    std::ofstream(root_ / "fixtures" / "mock" / "echo.json")
        << R"({"rules": [{"name": "echo", "respond": {"echo_model": true}}]})";
    std::ofstream(root_ / "scenarios" / "plain.py") << "# SUMMARY: plain\nprint(1)\n";
    std::ofstream(root_ / "scenarios" / "echoed.py")
        << "# MOCK-FIXTURE: fixtures/mock/echo.json\n# LM-DELAY-MS: 20-80\nprint(2)\n";
    std::ofstream(root_ / "project" / "tests" / "test_desk.py") << "def test_a():\n    pass\n";
  }
  const Scenario& Named(const std::vector<Scenario>& scenarios, const std::string& id) {
    for (const Scenario& s : scenarios) {
      if (s.id == id) return s;
    }
    throw std::runtime_error("no scenario " + id);
  }

  test_support::TempDir dir_{"session_inputs_test"};
  const fs::path root_ = dir_.path();
};

TEST_F(SessionScenariosTest, NoPathsMeansTheBundledCatalogueUnderTheRoot) {
  auto scenarios = DiscoverSessionScenarios({}, root_);
  ASSERT_EQ(scenarios.size(), 2u);
  EXPECT_EQ(Named(scenarios, "plain").summary, "plain");
}

TEST_F(SessionScenariosTest, ATeamsTestsAreListedByTheListerWithIdsUnderTheProjectRoot) {
  std::vector<fs::path> listed;
  auto scenarios =
      DiscoverSessionScenarios({.paths = {root_ / "project" / "tests" / "test_desk.py"},
                                .project_root = root_ / "project",
                                .list_tests =
                                    [&](const fs::path& file) {
                                      listed.push_back(file);
                                      return std::vector<std::string>{"test_a"};
                                    }},
                               root_);
  ASSERT_EQ(scenarios.size(), 1u);
  EXPECT_EQ(scenarios[0].pytest_node, "tests/test_desk.py::test_a");
  EXPECT_EQ(listed.size(), 1u);
}

TEST_F(SessionScenariosTest, FixturesAreLoadedFromTheRootAndAnLmDelayOverridesEveryHeader) {
  auto scenarios = DiscoverSessionScenarios({}, root_);
  auto fixtures = PrepareScenarios(scenarios, root_, "30");
  const Scenario& echoed = Named(scenarios, "echoed");
  EXPECT_EQ(echoed.mock_fixture_path, root_ / "fixtures" / "mock" / "echo.json");
  EXPECT_EQ(fixtures.size(), 1u);
  EXPECT_TRUE(fixtures.contains(echoed.mock_fixture_path));
  for (const Scenario& s : scenarios) EXPECT_EQ(s.options.lm_delay, (DelaySpec{30, 30})) << s.id;

  auto unchanged = DiscoverSessionScenarios({}, root_);
  PrepareScenarios(unchanged, root_, std::nullopt);
  EXPECT_EQ(Named(unchanged, "echoed").options.lm_delay, (DelaySpec{20, 80}));
  EXPECT_FALSE(Named(unchanged, "plain").options.lm_delay.has_value());
}

TEST_F(SessionScenariosTest, ABadDelayOrAnUnreadableFixtureIsAnError) {
  auto scenarios = DiscoverSessionScenarios({}, root_);
  EXPECT_THROW(PrepareScenarios(scenarios, root_, "soon"), ScenarioError);
  std::ofstream(root_ / "fixtures" / "mock" / "echo.json") << "{not json";
  try {
    PrepareScenarios(scenarios, root_, std::nullopt);
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("MOCK-FIXTURE fixtures/mock/echo.json"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace dspy_compat
