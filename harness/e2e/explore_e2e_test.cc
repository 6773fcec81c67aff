// End-to-end test of exploring LM response orders on a program nobody tuned the harness for:
// the DSPy #1867 shape as users write it (testdata/user_programs/support_agent.py: asyncify
// built in __init__, dspy.context around the awaited call, 16 calls through asyncify's 8 worker
// threads, no LM-DELAY-MS header). Under --schedule pct and random every run on 2.5.39 passes,
// releases all 16 responses by decision (none waits out the hold bound), and the program itself
// finishes in seconds: held responses never stall a run towards its time limit.
#include <gtest/gtest.h>

#include "e2e_fixture.h"
#include "results/results_file.h"

namespace dspy_compat {
namespace {

using e2e::kRoot;

class ExploreE2eTest : public e2e::E2eTest {};

TEST_F(ExploreE2eTest, UserProgramWithSixteenConcurrentCallsFinishesQuicklyWhenExplored) {
  const std::string program =
      (kRoot / "harness/e2e/testdata/user_programs/support_agent.py").string();
  for (const char* strategy : {"pct", "random"}) {
    SCOPED_TRACE(strategy);
    const std::filesystem::path out = out_ / strategy;
    // A short time limit: a stalled schedule shows as a timeout, not as a slow pass.
    e2e::Invocation run = Run({"run", "--schedule", strategy, "--scenarios", program, "--targets",
                               "dspy-2.5.39", "--repeat", "3", "-j", "1", "--timeout", "90",
                               "--seed", "20241126", "--out", out.string()});
    ASSERT_EQ(run.exit_code, 0) << run.output;
    Results results = ReadResultsFile(out / "results.json");
    ASSERT_EQ(results.runs.size(), 3u);
    for (const RunResult& r : results.runs) {
      EXPECT_EQ(r.status, Status::kPass) << r.error_message;
      EXPECT_EQ(r.lm_requests, 16);
      ASSERT_TRUE(r.lm_schedule.has_value());
      EXPECT_EQ(r.lm_schedule->strategy, strategy);
      EXPECT_EQ(r.lm_schedule->releases.size(), 16u);
      for (const ScheduledRelease& release : r.lm_schedule->releases) EXPECT_FALSE(release.bound);
      // 16 releases, each after a 30 ms quiet window: well under a second of holding. The
      // program's own time (not the interpreter's import, which machine load dominates).
      EXPECT_LT(r.scenario_seconds, 20.0);
    }
  }
}

}  // namespace
}  // namespace dspy_compat
