#include "process/spawn.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

namespace dspy_compat {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

// The deadline loop, driven by hand: no process, no real waiting.
TEST(WaitWithLimitsTest, ChildThatEndsInTimeIsNotStopped) {
  int waits = 0;
  int stops = 0;
  WaitEnd end = WaitWithLimits(
      {.timeout = std::chrono::seconds(60)}, [&] { return waits >= 3; },
      [&](milliseconds) { ++waits; },
      [&] {
        ++stops;
        return true;
      });
  EXPECT_TRUE(end.finished);
  EXPECT_FALSE(end.timed_out);
  EXPECT_FALSE(end.cancelled);
  EXPECT_EQ(stops, 0);
}

TEST(WaitWithLimitsTest, TimeLimitStopsTheChildOnceAndWaitsForItsEnd) {
  int stops = 0;
  bool ended = false;
  int waits_after_stop = 0;
  WaitEnd end = WaitWithLimits(
      {.timeout = milliseconds(20), .poll = milliseconds(5)},
      [&] { return ended && waits_after_stop >= 2; },
      [&](milliseconds wait) {
        EXPECT_LE(wait, milliseconds(5));
        if (stops > 0) {
          ++waits_after_stop;
          ended = true;
        }
        std::this_thread::sleep_for(wait);
      },
      [&] {
        ++stops;
        return true;
      });
  EXPECT_TRUE(end.finished);
  EXPECT_TRUE(end.timed_out);
  EXPECT_FALSE(end.cancelled);
  EXPECT_EQ(stops, 1);
}

// A fork server can only stop a run once it has said the run's pid.
TEST(WaitWithLimitsTest, CancelStopsAsSoonAsStopCan) {
  std::atomic<bool> cancel{true};
  int attempts = 0;
  bool ended = false;
  WaitEnd end = WaitWithLimits(
      {.cancel = &cancel, .poll = milliseconds(1)}, [&] { return ended; }, [](milliseconds) {},
      [&] {
        if (++attempts < 3) return false;
        ended = true;
        return true;
      });
  EXPECT_TRUE(end.finished);
  EXPECT_TRUE(end.cancelled);
  EXPECT_EQ(attempts, 3);
}

TEST(WaitWithLimitsTest, GivesUpAfterTheGraceWhenTheEndIsNeverSeen) {
  std::atomic<bool> cancel{true};
  int stops = 0;
  WaitEnd end = WaitWithLimits(
      {.cancel = &cancel, .poll = milliseconds(1), .stop_grace = milliseconds(20)},
      [] { return false; }, [](milliseconds wait) { std::this_thread::sleep_for(wait); },
      [&] {
        ++stops;
        return true;
      });
  EXPECT_FALSE(end.finished);
  EXPECT_TRUE(end.cancelled);
  EXPECT_EQ(stops, 1);
}

class SpawnTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("spawn_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static int Reap(pid_t pid) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    return status;
  }
  std::string Output() const {
    std::ifstream in(dir_ / "out.log");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  fs::path dir_;
};

TEST_F(SpawnTest, ChildLeadsItsOwnGroupInItsFolder) {
  std::string error;
  auto pid = SpawnInOwnGroup({.argv = {"/bin/sh", "-c", "echo $$ $(ps -o pgid= $$) $PWD $X"},
                              .env = {{"PATH", "/usr/bin:/bin"}, {"X", "y"}},
                              .cwd = dir_,
                              .output_path = dir_ / "out.log"},
                             &error);
  ASSERT_TRUE(pid.has_value()) << error;
  EXPECT_EQ(Reap(*pid), 0);
  std::string out = Output();
  std::istringstream words(out);
  std::string child, group, cwd, x;
  words >> child >> group >> cwd >> x;
  EXPECT_EQ(child, std::to_string(*pid)) << out;
  EXPECT_EQ(group, child) << out;
  EXPECT_EQ(cwd, dir_.string());
  EXPECT_EQ(x, "y");
}

TEST_F(SpawnTest, ChildGetsTheDescriptorsPassedAndNoOthers) {
  int pipe_fds[2];
  ASSERT_EQ(::pipe2(pipe_fds, O_CLOEXEC), 0);
  int leaked = ::open("/dev/null", O_RDONLY);  // not close-on-exec
  std::string error;
  auto pid = SpawnInOwnGroup({.argv = {"/bin/sh", "-c", "echo hello >&3; ls /proc/self/fd"},
                              .env = {{"PATH", "/usr/bin:/bin"}},
                              .output_path = dir_ / "out.log",
                              .pass_fds = {{pipe_fds[1], 3}}},
                             &error);
  ::close(pipe_fds[1]);
  ::close(leaked);
  ASSERT_TRUE(pid.has_value()) << error;
  EXPECT_EQ(Reap(*pid), 0);
  char buffer[16] = {};
  EXPECT_EQ(::read(pipe_fds[0], buffer, sizeof buffer - 1), 6);
  ::close(pipe_fds[0]);
  EXPECT_STREQ(buffer, "hello\n");
  // 0, 1, 2, the control descriptor and the one ls opens to list the folder.
  EXPECT_EQ(Output(), "0\n1\n2\n3\n4\n");
}

TEST_F(SpawnTest, ProgramThatCannotStartSaysWhy) {
  std::string error;
  EXPECT_FALSE(SpawnInOwnGroup({.argv = {"/nonexistent/python"}}, &error).has_value());
  EXPECT_EQ(error, "cannot start /nonexistent/python: No such file or directory");
  EXPECT_FALSE(SpawnInOwnGroup({}, &error).has_value());
  EXPECT_EQ(error, "no program given");
}

}  // namespace
}  // namespace dspy_compat
