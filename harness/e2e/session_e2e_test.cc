// Sessions that survive their own death (issue 16): the --out folder held by
// one session and holding only its files, a killed session that the gate
// calls unfinished and `run --resume` finishes as if nothing had happened,
// and an --out that cannot be written ending in one clear line.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <thread>

#include "e2e_fixture.h"
#include "results/results_file.h"

namespace dspy_compat {
namespace {
namespace fs = std::filesystem;
using e2e::Invocation;
using e2e::kBinary;
using e2e::kRoot;
using e2e::ReadText;

class SessionE2eTest : public e2e::E2eTest {
 protected:
  std::vector<std::string> SlowSession(const fs::path& out) const {
    return {"run",
            "--targets",
            "dspy-2.5.40",
            "--repeat",
            "4",
            "--jobs",
            "1",
            "--seed",
            "7",
            "--out",
            out.string(),
            "--scenarios",
            (kRoot / "harness/e2e/testdata/slow_pass.py").string()};
  }

  // Starts `args` in the background, its output in `log`.
  pid_t Start(const std::vector<std::string>& args, const fs::path& log) const {
    pid_t pid = ::fork();
    if (pid == 0) {
      ::setenv("CI", "1", 1);
      int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      std::vector<char*> argv;
      std::string binary = kBinary.string();
      argv.push_back(binary.data());
      std::vector<std::string> copy = args;
      for (std::string& a : copy) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(kBinary.c_str(), argv.data());
      ::_exit(127);
    }
    return pid;
  }

  static bool WaitFor(const fs::path& log, const std::string& text) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(180);
    while (std::chrono::steady_clock::now() < deadline) {
      if (ReadText(log).find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }
};

// A session killed outright (SIGKILL) used to pass the gate and restart
// from zero; a second session on its folder deleted its run folders; its
// report from an earlier session stayed beside the new results.
TEST_F(SessionE2eTest, AKilledSessionIsUnfinishedAndResumesToAnUninterruptedOnesResults) {
  const fs::path killed = out_ / "killed";
  fs::create_directories(killed);
  std::ofstream(killed / ".dspy-compat-out").flush();
  std::ofstream(killed / "report.md") << "an earlier session's report\n";
  const fs::path log = out_ / "killed.log";
  pid_t pid = Start(SlowSession(killed), log);
  ASSERT_TRUE(WaitFor(log, "[1/4]")) << ReadText(log);
  EXPECT_FALSE(fs::exists(killed / "report.md")) << "an earlier session's report stayed";

  // A second session on the same folder: one line, exit 2, nothing touched.
  Invocation second = Run(SlowSession(killed));
  EXPECT_EQ(second.exit_code, 2) << second.output;
  EXPECT_NE(second.output.find("another dspy-compat session"), std::string::npos) << second.output;

  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  const Results before = ReadResultsFile(killed / "results.json");
  ASSERT_GE(before.runs.size(), 1u);
  ASSERT_LT(before.runs.size(), 4u);
  ASSERT_TRUE(before.environment.plan);
  EXPECT_EQ(before.environment.plan->size(), 4u);
  EXPECT_TRUE(before.environment.finished_at.empty());
  Invocation gate = Run({"gate", (killed / "results.json").string()});
  EXPECT_EQ(gate.exit_code, 3) << gate.output;

  Invocation resumed = Run({"run", "--resume", killed.string()});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  const Results after = ReadResultsFile(killed / "results.json");
  EXPECT_FALSE(after.environment.finished_at.empty());
  EXPECT_EQ(Run({"gate", (killed / "results.json").string()}).exit_code, 0);
  // The runs finished before the kill were kept, not run again.
  for (const RunResult& run : before.runs) {
    auto kept = std::find_if(after.runs.begin(), after.runs.end(),
                             [&](const RunResult& r) { return r.run_id == run.run_id; });
    ASSERT_NE(kept, after.runs.end()) << run.run_id;
    EXPECT_EQ(kept->wall_seconds, run.wall_seconds) << run.run_id << " ran again";
  }

  const fs::path whole = out_ / "whole";
  Invocation uninterrupted = Run(SlowSession(whole));
  ASSERT_EQ(uninterrupted.exit_code, 0) << uninterrupted.output;
  const Results expected = ReadResultsFile(whole / "results.json");
  // Every field but timings (and the --out the two command lines name).
  Results a = after;
  Results b = expected;
  for (Results* r : {&a, &b}) {
    r->environment.started_at = r->environment.finished_at = r->environment.command_line = "";
    for (RunResult& run : r->runs) {
      run.wall_seconds = run.scenario_seconds = 0;
      run.output_tail.clear();  // may carry a run folder's path
    }
  }
  EXPECT_EQ(ToJson(a).dump(1), ToJson(b).dump(1));
  EXPECT_FALSE(e2e::ProcessMatching("slow_pass.py")) << "a scenario outlived the sessions";
}

TEST_F(SessionE2eTest, AFolderOfSomeoneElsesFilesIsRefusedUntouched) {
  const fs::path mine = out_ / "mine";
  fs::create_directories(mine / "work");
  std::ofstream(mine / "work" / "notes.txt") << "mine";
  Invocation inv = Run(SlowSession(mine));
  EXPECT_EQ(inv.exit_code, 2) << inv.output;
  EXPECT_NE(inv.output.find("did not make"), std::string::npos) << inv.output;
  EXPECT_EQ(ReadText(mine / "work" / "notes.txt"), "mine");
  EXPECT_FALSE(fs::exists(mine / "results.json"));
}

// --out on a read-only or full file system aborted with an uncaught
// filesystem_error and no results. Needs a private mount namespace.
TEST_F(SessionE2eTest, AReadOnlyOrFullOutIsOneClearError) {
  if (std::system("unshare -m sh -c 'mount -t tmpfs tmpfs /mnt' 2>/dev/null") != 0) {
    GTEST_SKIP() << "no mount namespace here";
  }
  const fs::path mount = out_ / "mnt";
  fs::create_directories(mount);
  auto in_namespace = [&](const std::string& setup, const fs::path& out) {
    std::string command = "unshare -m sh -c '" + setup + " && exec " + kBinary.string();
    for (const std::string& arg : SlowSession(out)) command += " '\"'\"'" + arg + "'\"'\"'";
    command += "' > " + (out_ / "ns.log").string() + " 2>&1";
    int status = std::system(command.c_str());
    return std::pair(WIFEXITED(status) ? WEXITSTATUS(status) : -1, ReadText(out_ / "ns.log"));
  };
  const std::string m = mount.string();
  auto [ro_code, ro_output] = in_namespace("mount -t tmpfs -o ro tmpfs " + m, mount);
  EXPECT_EQ(ro_code, 2) << ro_output;
  EXPECT_NE(ro_output.find(m), std::string::npos) << ro_output;
  EXPECT_NE(ro_output.find("Read-only file system"), std::string::npos) << ro_output;

  // Full: room for the lock file, none for results.
  auto [full_code, full_output] = in_namespace(
      "mount -t tmpfs -o size=256k tmpfs " + m + " && mkdir " + m + "/out && touch " + m +
          "/out/.dspy-compat-out && (dd if=/dev/zero of=" + m + "/fill bs=4k 2>/dev/null; true)",
      mount / "out");
  EXPECT_EQ(full_code, 3) << full_output;
  EXPECT_NE(full_output.find("No space left on device"), std::string::npos) << full_output;
  EXPECT_NE(full_output.find("results.json"), std::string::npos) << full_output;
  EXPECT_EQ(full_output.find("terminate"), std::string::npos) << full_output;
}

}  // namespace
}  // namespace dspy_compat
