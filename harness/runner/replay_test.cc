#include "runner/replay.h"

#include <gtest/gtest.h>

#include <fstream>

#include "results/results_file.h"
#include "test_support/temp_dir.h"

namespace dspy_compat {
namespace {
namespace fs = std::filesystem;

class FindReplayedRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Results earlier;
    earlier.environment.scenario_info["race"].path = "scenarios/race.py";
    earlier.environment.scenario_info["abs"].path = "/elsewhere/abs.py";
    earlier.runs.push_back(Run("race.t0.r1", "race", "dspy-2.5.40", /*explored=*/false));
    earlier.runs.push_back(Run("race.t1.r2", "race", "dspy-2.6.0", /*explored=*/true));
    earlier.runs.push_back(Run("abs.t0.r1", "abs", "dspy-2.6.0", /*explored=*/true));
    earlier.runs.push_back(Run("gone.t0.r1", "gone", "dspy-2.6.0", /*explored=*/true));
    WriteResultsFile(dir_ / "results.json", earlier);
  }
  static RunResult Run(const std::string& id, const std::string& scenario,
                       const std::string& target, bool explored) {
    RunResult r;
    r.run_id = id;
    r.scenario_id = scenario;
    r.target_name = target;
    r.status = Status::kPass;
    if (explored) r.lm_schedule = LmSchedule{.strategy = "pct", .seed = 7, .depth = 2, .steps = 4};
    return r;
  }

  std::string Spec(const std::string& run_id) const {
    return (dir_ / "results.json").string() + ":" + run_id;
  }

  // The message of the ReplayError FindReplayedRun throws; "" when none.
  std::string ErrorOf(const std::string& spec) const {
    try {
      FindReplayedRun(spec, "/root");
    } catch (const ReplayError& e) {
      return e.what();
    }
    return "";
  }

  test_support::TempDir dir_{"replay_test"};
};

TEST_F(FindReplayedRunTest, FindsTheExploredRunWithItsScenarioUnderTheRootAndItsTarget) {
  ReplayedRun found = FindReplayedRun(Spec("race.t1.r2"), "/root");
  EXPECT_EQ(found.run.run_id, "race.t1.r2");
  ASSERT_TRUE(found.run.lm_schedule.has_value());
  EXPECT_EQ(found.run.lm_schedule->seed, 7u);
  EXPECT_EQ(found.scenario_path, fs::path("/root/scenarios/race.py"));
  EXPECT_EQ(found.target_name, "dspy-2.6.0");
}

TEST_F(FindReplayedRunTest, AnAbsoluteScenarioPathStaysAndAnUndescribedScenarioHasNone) {
  EXPECT_EQ(FindReplayedRun(Spec("abs.t0.r1"), "/root").scenario_path,
            fs::path("/elsewhere/abs.py"));
  ReplayedRun gone = FindReplayedRun(Spec("gone.t0.r1"), "/root");
  EXPECT_FALSE(gone.scenario_path.has_value());
  EXPECT_EQ(gone.target_name, "dspy-2.6.0");
}

TEST_F(FindReplayedRunTest, ANaturalRunOrAnUnknownIdIsNoRunToReplay) {
  const std::string expected =
      ": no explored run of that id in that file (expected RESULTS_JSON:RUN_ID of a run with an "
      "lm_schedule)";
  EXPECT_EQ(ErrorOf(Spec("race.t0.r1")), "--replay " + Spec("race.t0.r1") + expected);
  EXPECT_EQ(ErrorOf(Spec("nope")), "--replay " + Spec("nope") + expected);
  EXPECT_EQ(ErrorOf("no-colon"), "--replay no-colon" + expected);
}

TEST_F(FindReplayedRunTest, AFileThatIsNoResultsIsAnErrorNamingIt) {
  std::ofstream(dir_ / "bad.json") << "not json";
  const std::string error = ErrorOf((dir_ / "bad.json").string() + ":race.t1.r2");
  EXPECT_TRUE(error.starts_with("--replay: ")) << error;
  EXPECT_NE(error.find("bad.json"), std::string::npos) << error;
  EXPECT_TRUE(ErrorOf((dir_ / "missing.json").string() + ":x").starts_with("--replay: "));
}

}  // namespace
}  // namespace dspy_compat
