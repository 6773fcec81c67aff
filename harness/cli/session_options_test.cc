// The options a session records for `run --resume` and reads back.
#include "cli/session_options.h"

#include <gtest/gtest.h>

namespace dspy_compat {
namespace {
namespace fs = std::filesystem;

TEST(SessionOptionsTest, ResumingTakesTheRecordsOptionsWithItsFolderSeedAndCommandLine) {
  RunOptions given;
  given.jobs = 5;
  Results recorded;
  recorded.environment.session_options = SessionOptionsJson(given);
  recorded.environment.seed = 99;
  recorded.environment.command_line = "dspy-compat run --jobs 5";
  RunOptions resumed = RunOptionsToResume(recorded, "/out");
  EXPECT_EQ(resumed.jobs, 5);
  EXPECT_EQ(resumed.out, fs::path("/out"));
  EXPECT_EQ(resumed.resume, fs::path("/out"));
  EXPECT_EQ(resumed.seed, 99u);
  EXPECT_EQ(resumed.command_line, "dspy-compat run --jobs 5");
  recorded.environment.session_options = R"({"targets": 3})";
  EXPECT_THROW(RunOptionsToResume(recorded, "/out"), std::runtime_error);
}

}  // namespace
}  // namespace dspy_compat
