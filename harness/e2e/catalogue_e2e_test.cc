// End-to-end tests of the catalogue's strongest claims on the real pinned
// releases: a forced race (mock LM holds, MOCK-FIXTURE) fails in every
// repetition on 2.5.40 and passes in every one on 2.5.39; the two-LM
// scenario's answers say which model served them on each target; adaptive
// repetitions and REQUIRES work through the CLI. Few repetitions: CI time
// is limited, and the forced outcomes do not depend on timing.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "e2e_fixture.h"
#include "results/results_file.h"

namespace dspy_compat {
namespace {
namespace fs = std::filesystem;

using e2e::Invocation;
using e2e::kRoot;
using e2e::RunsOf;

std::string Scenario(const std::string& id) {
  return (kRoot / "scenarios" / (id + ".py")).string();
}

class CatalogueE2eTest : public e2e::E2eTest {};

TEST_F(CatalogueE2eTest, ForcedRaceFailsEveryRunOn2540AndPassesEveryRunOn2539) {
  Invocation run =
      Run({"run", "--scenarios",
           Scenario("issue1867_concurrent16_forced") + "," + Scenario("issue1867_multistep_forced"),
           "--repeat", "5", "-j", "2", "--seed", "11", "--out", out_.string()});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  Results results = ReadResultsFile(out_ / "results.json");
  for (const char* id : {"issue1867_concurrent16_forced", "issue1867_multistep_forced"}) {
    auto old_runs = RunsOf(results, id, "dspy-2.5.39");
    auto new_runs = RunsOf(results, id, "dspy-2.5.40");
    ASSERT_EQ(old_runs.size(), 5u) << id;
    ASSERT_EQ(new_runs.size(), 5u) << id;
    for (const RunResult& r : old_runs) {
      EXPECT_EQ(r.status, Status::kPass) << id << " " << r.run_id << ": " << r.error_message;
    }
    for (const RunResult& r : new_runs) {
      EXPECT_EQ(r.status, Status::kFail) << id << " " << r.run_id;
      EXPECT_EQ(r.error_message, "No LM is loaded.") << id << " " << r.run_id;
    }
  }
  std::string report = e2e::ReadText(out_ / "report.md");
  EXPECT_NE(report.find("issue1867_concurrent16_forced"), std::string::npos);
}

TEST_F(CatalogueE2eTest, TwoLmScenarioAnswerRevealsTheModelOnEachTarget) {
  Invocation run = Run({"run", "--scenarios", Scenario("two_lms_thread_loop"), "--repeat", "2",
                        "-j", "2", "--out", out_.string()});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  Results results = ReadResultsFile(out_ / "results.json");
  auto old_runs = RunsOf(results, "two_lms_thread_loop", "dspy-2.5.39");
  auto new_runs = RunsOf(results, "two_lms_thread_loop", "dspy-2.5.40");
  ASSERT_EQ(old_runs.size(), 2u);
  ASSERT_EQ(new_runs.size(), 2u);
  for (const RunResult& r : old_runs) {
    EXPECT_EQ(r.status, Status::kPass) << r.error_message;
    // The scenario prints each answer; the mock LM's echo fixture names the model.
    EXPECT_NE(r.output_tail.find("[model=gpt-4o]"), std::string::npos) << r.output_tail;
    EXPECT_EQ(r.output_tail.find("[model=gpt-4o-mini]"), std::string::npos) << r.output_tail;
    EXPECT_EQ(r.models, (std::vector<std::string>{"gpt-4o"}));
  }
  for (const RunResult& r : new_runs) {
    EXPECT_EQ(r.status, Status::kFail);
    EXPECT_NE(r.error_message.find("[model=gpt-4o-mini]"), std::string::npos) << r.error_message;
    EXPECT_EQ(r.models, (std::vector<std::string>{"gpt-4o-mini"}));
  }
  // The report names the change in who answered, from the mock LM's journal.
  std::string report = e2e::ReadText(out_ / "report.md");
  EXPECT_NE(report.find("| `two_lms_thread_loop` | models |"), std::string::npos) << report;
}

TEST_F(CatalogueE2eTest, AdaptiveRepetitionsAndUnsupportedTargets) {
  fs::path dir = out_ / "scenarios";
  fs::create_directories(dir);
  std::string single = e2e::ReadText(kRoot / "scenarios" / "issue1867_single.py");
  std::ofstream(dir / "single_new_only.py") << std::regex_replace(
      single, std::regex("# TIMEOUT:"), "# REQUIRES: dspy>=2.5.40\n# TIMEOUT:");
  Invocation run = Run({"run", "--scenarios", (dir / "single_new_only.py").string(), "--repeat",
                        "2..3", "-j", "2", "--gate", "--out", (out_ / "out").string()});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  Results results = ReadResultsFile(out_ / "out" / "results.json");
  EXPECT_EQ(results.environment.min_repeat, 2);
  EXPECT_EQ(results.environment.max_repeat, 3);
  EXPECT_TRUE(RunsOf(results, "single_new_only", "dspy-2.5.39").empty());
  // A clean streak runs to MAX when MAX is below what a 10% tolerance needs.
  EXPECT_EQ(RunsOf(results, "single_new_only", "dspy-2.5.40").size(), 3u);
  EXPECT_EQ(results.environment.planned_runs, 3);
  EXPECT_EQ(results.environment.scenario_info["single_new_only"].unsupported,
            (std::vector<std::string>{"dspy-2.5.39"}));
  EXPECT_NE(e2e::ReadText(out_ / "out" / "report.md").find("unsupported"), std::string::npos);
}

}  // namespace
}  // namespace dspy_compat
