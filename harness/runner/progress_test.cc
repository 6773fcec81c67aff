#include "runner/progress.h"

#include <gtest/gtest.h>

#include <sstream>

namespace dspy_compat {
namespace {

using namespace std::chrono_literals;

class ProgressTest : public ::testing::Test {
 protected:
  Progress::Clock clock() {
    return [this] { return std::chrono::steady_clock::time_point(now_); };
  }
  RunSpec Spec(const std::string& scenario, int rep = 1) {
    RunSpec spec;
    spec.scenario.id = scenario;
    spec.target.name = "dspy-2.5.40";
    spec.repetition = rep;
    return spec;
  }
  RunResult Result(Status status, double seconds = 2.0) {
    RunResult r;
    r.status = status;
    r.wall_seconds = seconds;
    if (status != Status::kPass) {
      r.error_type = "AssertionError";
      r.error_message = "No LM is loaded.\nmore";
    }
    return r;
  }
  std::chrono::steady_clock::duration now_{};
  std::ostringstream out_;
};

TEST_F(ProgressTest, PlainModeWritesOneLinePerFinishedRun) {
  Progress progress(3, false, out_, 80, clock());
  progress.Started(Spec("a"));
  progress.Started(Spec("b"));
  EXPECT_EQ(out_.str(), "");  // starting is not an event worth a log line
  now_ += 10s;
  progress.Finished(Spec("a"), Result(Status::kPass));
  progress.Finished(Spec("b"), Result(Status::kFail, 3.25));
  progress.Done();
  EXPECT_EQ(out_.str(),
            "[1/3] ~20s left  pass    a on dspy-2.5.40 (rep 1, 2.0s)\n"
            "[2/3] ~5s left  fail    b on dspy-2.5.40 (rep 1, 3.2s): AssertionError: No LM is "
            "loaded.\n"
            "2 of 3 runs in 10s: 1 passed, 1 failed\n");
}

TEST_F(ProgressTest, LiveModeRedrawsOneLineWithCountsAndTimeLeft) {
  Progress progress(4, true, out_, 200, clock());
  progress.Started(Spec("a"));
  EXPECT_EQ(out_.str(), "\r\033[K[0/4] 1 running, 0 failed, ? left");
  out_.str("");
  now_ += 30s;
  progress.Finished(Spec("a"), Result(Status::kFail));
  EXPECT_EQ(out_.str(),
            "\r\033[K[1/4] 0 running, 1 failed, ~1m30s left  fail    a on dspy-2.5.40 (rep 1, "
            "2.0s): AssertionError: No LM is loaded.");
  out_.str("");
  progress.Done();
  EXPECT_EQ(out_.str(), "\r\033[K1 of 4 runs in 30s: 0 passed, 1 failed\n");
}

TEST_F(ProgressTest, LiveLineFitsTheTerminal) {
  Progress progress(4, true, out_, 40, clock());
  progress.Finished(Spec("a_scenario_with_a_long_name"), Result(Status::kFail));
  std::string line = out_.str().substr(4);  // after "\r\033[K"
  EXPECT_EQ(line.size(), 39u) << line;
  EXPECT_TRUE(line.ends_with("...")) << line;
}

TEST(ProgressLiveTest, OnlyOnATerminalOutsideCiThatIsNotDumb) {
  EXPECT_TRUE(Progress::ShouldBeLive(true, nullptr, "xterm-256color"));
  EXPECT_TRUE(Progress::ShouldBeLive(true, "false", nullptr));
  EXPECT_FALSE(Progress::ShouldBeLive(false, nullptr, "xterm"));  // a pipe or a file
  EXPECT_FALSE(Progress::ShouldBeLive(true, "true", "xterm"));    // GitHub sets CI=true
  EXPECT_FALSE(Progress::ShouldBeLive(true, nullptr, "dumb"));
}

TEST(FormatDurationTest, SecondsMinutesHours) {
  EXPECT_EQ(FormatDuration(0.4), "0s");
  EXPECT_EQ(FormatDuration(45), "45s");
  EXPECT_EQ(FormatDuration(185), "3m05s");
  EXPECT_EQ(FormatDuration(3720), "1h02m");
}

}  // namespace
}  // namespace dspy_compat
