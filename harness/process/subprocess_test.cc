#include "process/subprocess.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <thread>

namespace dspy_compat {
namespace {

namespace fs = std::filesystem;

class SubprocessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("subprocess_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  ProcessSpec Shell(const std::string& script) {
    ProcessSpec spec;
    spec.argv = {"/bin/sh", "-c", script};
    spec.env = {{"PATH", "/usr/bin:/bin"}};
    spec.output_path = dir_ / "out.log";
    return spec;
  }

  fs::path dir_;
};

TEST_F(SubprocessTest, ReportsExitCodeAndOutput) {
  auto outcome = RunProcess(Shell("echo hello; echo oops >&2; exit 3"));
  ASSERT_TRUE(outcome.started);
  EXPECT_EQ(outcome.exit_code, 3);
  EXPECT_FALSE(outcome.term_signal.has_value());
  EXPECT_FALSE(outcome.timed_out);
  EXPECT_EQ(outcome.output_tail, "hello\noops\n");
}

TEST_F(SubprocessTest, EnvironmentIsExactlyTheGivenOne) {
  auto spec = Shell("echo \"[$HOME][$FOO]\"");
  spec.env["FOO"] = "bar";
  auto outcome = RunProcess(spec);
  EXPECT_EQ(outcome.output_tail, "[][bar]\n");
}

TEST_F(SubprocessTest, OnlyStandardDescriptorsAreInherited) {
  int leaked = ::open("/dev/null", O_RDONLY);  // not close-on-exec
  ASSERT_GE(leaked, 3);
  auto outcome = RunProcess(Shell("ls /proc/self/fd"));
  ::close(leaked);
  // 0, 1, 2 and the descriptor ls opens to list the folder.
  EXPECT_EQ(outcome.output_tail, "0\n1\n2\n3\n");
}

TEST_F(SubprocessTest, TimeoutKillsTheWholeGroup) {
  // The grandchild writes its pid, then both sleep; the limit must kill both.
  auto spec = Shell("sleep 30 & echo $! > " + (dir_ / "grandchild.pid").string() + "; sleep 30");
  spec.timeout = std::chrono::milliseconds(300);
  auto outcome = RunProcess(spec);
  EXPECT_TRUE(outcome.timed_out);
  EXPECT_EQ(outcome.term_signal, SIGKILL);
  EXPECT_LT(outcome.wall_seconds, 5.0);
  std::ifstream in(dir_ / "grandchild.pid");
  pid_t grandchild = 0;
  in >> grandchild;
  ASSERT_GT(grandchild, 0);
  // Reaped by init eventually; it must at least not be running (kill 0 fails or zombie).
  for (int i = 0; i < 100 && ::kill(grandchild, 0) == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::ifstream stat("/proc/" + std::to_string(grandchild) + "/stat");
  std::string line;
  std::getline(stat, line);
  bool alive = !line.empty() && line.find(") Z") == std::string::npos;
  EXPECT_FALSE(alive) << line;
}

TEST_F(SubprocessTest, LeftoverChildrenAreKilledAfterNormalExit) {
  auto spec = Shell("sleep 30 & echo $! > " + (dir_ / "bg.pid").string() + "; exit 0");
  auto outcome = RunProcess(spec);
  EXPECT_EQ(outcome.exit_code, 0);
  std::ifstream in(dir_ / "bg.pid");
  pid_t bg = 0;
  in >> bg;
  ASSERT_GT(bg, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::ifstream stat("/proc/" + std::to_string(bg) + "/stat");
  std::string line;
  std::getline(stat, line);
  EXPECT_TRUE(line.empty() || line.find(") Z") != std::string::npos) << line;
}

TEST_F(SubprocessTest, CancelStopsTheProgram) {
  std::atomic<bool> cancel{false};
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    cancel = true;
  });
  auto outcome = RunProcess(Shell("sleep 30"), &cancel);
  canceller.join();
  EXPECT_TRUE(outcome.cancelled);
  EXPECT_FALSE(outcome.timed_out);
  EXPECT_LT(outcome.wall_seconds, 5.0);
}

TEST_F(SubprocessTest, SignalDeathIsReported) {
  auto outcome = RunProcess(Shell("kill -SEGV $$"));
  EXPECT_EQ(outcome.term_signal, SIGSEGV);
  EXPECT_EQ(SignalName(SIGSEGV), "SIGSEGV");
}

TEST_F(SubprocessTest, MissingProgramIsAStartError) {
  ProcessSpec spec;
  spec.argv = {"/nonexistent/program"};
  auto outcome = RunProcess(spec);
  EXPECT_FALSE(outcome.started);
  EXPECT_NE(outcome.start_error.find("/nonexistent/program"), std::string::npos);
}

TEST_F(SubprocessTest, OutputTailIsBounded) {
  auto spec = Shell("i=0; while [ $i -lt 2000 ]; do echo 0123456789; i=$((i+1)); done");
  spec.output_tail_bytes = 100;
  auto outcome = RunProcess(spec);
  EXPECT_EQ(outcome.output_tail.size(), 100u);
}

}  // namespace
}  // namespace dspy_compat
