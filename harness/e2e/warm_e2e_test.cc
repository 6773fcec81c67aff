// End-to-end tests of warm starts: runs forked from a per-target interpreter
// that imported DSPy once must be as isolated as fresh interpreters, give the
// same outcomes, fall back to fresh interpreters when forking is unsafe, and
// leave nothing running after Ctrl-C. Against the real pinned releases.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "e2e_fixture.h"
#include "results/results_file.h"

namespace dspy_compat {
namespace {
namespace fs = std::filesystem;

using e2e::Invocation;
using e2e::kRoot;
const fs::path kTestdata = kRoot / "harness/e2e/testdata";

class WarmE2eTest : public e2e::E2eTest {
 protected:
  // Processes whose command line names this test's folder: the warm
  // interpreters (their --label) and the runs forked from them.
  bool AnythingOfOursRunning() { return e2e::ProcessMatching(out_.string()); }
};

std::string Describe(const RunResult& r) {
  return r.run_id + " " + std::string(StatusName(r.status)) + " [" + r.start_mode + "] " +
         r.error_type + ": " + r.error_message + "\n" + r.output_tail;
}

// The isolation proof: a scenario changes dspy.settings, fills both LM
// caches, starts a thread and sets an environment variable; the scenario run
// after it, forked from the same warm interpreter, sees none of it. Both
// targets, twice over, one job so that the order is dirty, check, dirty, check.
TEST_F(WarmE2eTest, WarmRunsSeeNothingOfEarlierRunsOnBothTargets) {
  auto inv = Run({"run", "--repeat", "2", "--jobs", "1", "--out", out_.string(), "--scenarios",
                  (kTestdata / "isolation_1_dirty.py").string() + "," +
                      (kTestdata / "isolation_2_check.py").string()});
  ASSERT_EQ(inv.exit_code, 0) << inv.output;
  auto results = ReadResultsFile(out_ / "results.json");
  ASSERT_EQ(results.runs.size(), 8u);
  std::vector<std::string> order;
  for (const auto& r : results.runs) {
    EXPECT_EQ(r.status, Status::kPass) << Describe(r);
    EXPECT_EQ(r.start_mode, "warm") << Describe(r);
    // The check's LM call reached the mock server: no cache answered it.
    EXPECT_EQ(r.lm_requests, 1) << Describe(r);
    order.push_back(r.scenario_id + "/" + r.target_name);
  }
  EXPECT_EQ(order[0], "isolation_1_dirty/dspy-2.5.39");
  EXPECT_EQ(order[3], "isolation_2_check/dspy-2.5.40");

  // The check asks no more than a fresh interpreter gives.
  auto cold = Run({"run", "--cold", "--repeat", "1", "--out", (out_ / "cold").string(),
                   "--scenarios", (kTestdata / "isolation_2_check.py").string()});
  ASSERT_EQ(cold.exit_code, 0) << cold.output;
  for (const auto& r : ReadResultsFile(out_ / "cold/results.json").runs) {
    EXPECT_EQ(r.status, Status::kPass) << Describe(r);
    EXPECT_EQ(r.start_mode, "cold") << Describe(r);
  }
}

// Same seed, warm and --cold: the same outcome for every run of two
// deterministic scenarios (one passes everywhere, one regresses on 2.5.40).
TEST_F(WarmE2eTest, WarmAndColdGiveTheSameOutcomes) {
  std::vector<std::string> common = {
      "run",
      "--repeat",
      "2",
      "--seed",
      "7",
      "--scenarios",
      (kRoot / "scenarios/asyncify_outermost.py").string() + "," +
          (kRoot / "scenarios/context_in_thread_event_loop.py").string()};
  auto warm_args = common;
  warm_args.insert(warm_args.end(), {"--out", (out_ / "warm").string()});
  auto cold_args = common;
  cold_args.insert(cold_args.end(), {"--cold", "--out", (out_ / "cold").string()});
  auto warm_inv = Run(warm_args);
  ASSERT_EQ(warm_inv.exit_code, 0) << warm_inv.output;
  auto cold_inv = Run(cold_args);
  ASSERT_EQ(cold_inv.exit_code, 0) << cold_inv.output;
  auto warm = ReadResultsFile(out_ / "warm/results.json");
  auto cold = ReadResultsFile(out_ / "cold/results.json");
  ASSERT_EQ(warm.runs.size(), 8u);
  ASSERT_EQ(cold.runs.size(), warm.runs.size());
  int failures = 0;
  for (std::size_t i = 0; i < warm.runs.size(); ++i) {
    const RunResult& w = warm.runs[i];
    const RunResult& c = cold.runs[i];
    ASSERT_EQ(w.run_id, c.run_id);
    EXPECT_EQ(w.start_mode, "warm") << Describe(w);
    EXPECT_EQ(c.start_mode, "cold") << Describe(c);
    EXPECT_EQ(w.status, c.status) << Describe(w) << Describe(c);
    EXPECT_EQ(w.error_type, c.error_type) << Describe(w) << Describe(c);
    EXPECT_EQ(w.dspy_version, c.dspy_version);
    EXPECT_EQ(w.lm_requests, c.lm_requests) << Describe(w) << Describe(c);
    if (w.status != Status::kPass) ++failures;
  }
  EXPECT_EQ(failures, 2);  // context_in_thread_event_loop on 2.5.40, both repetitions
}

// An interpreter that has a thread besides the main one after importing DSPy
// (here numpy's OpenBLAS pool, let loose by a wrapper script) is not forked:
// its runs start fresh, and the results and the log say why.
TEST_F(WarmE2eTest, UnsafeInterpreterFallsBackToColdAndSaysSo) {
  auto sync = Run({"envs", "sync", "dspy-2.5.40"});
  ASSERT_EQ(sync.exit_code, 0) << sync.output;
  auto at = sync.output.find("/bin/python");
  ASSERT_NE(at, std::string::npos) << sync.output;
  auto start = sync.output.rfind(' ', at) + 1;
  std::string venv_python = sync.output.substr(start, at + 11 - start);
  fs::path wrapper = out_ / "python-with-threads";
  std::ofstream(wrapper) << "#!/bin/sh\nOPENBLAS_NUM_THREADS=4 exec " << venv_python << " \"$@\"\n";
  ::chmod(wrapper.c_str(), 0755);

  // --sandbox none: outside bubblewrap this interpreter has a second thread
  // after importing dspy (inside, it has none, and warm starts are safe), and
  // the wrapper execs a link into the home (~/.pyenv) the sandbox would hide.
  auto inv = Run({"run", "--targets", "python:" + wrapper.string(), "--repeat", "2", "--out",
                  (out_ / "o").string(), "--sandbox", "none", "--scenarios",
                  (kRoot / "scenarios/issue1867_single.py").string()});
  ASSERT_EQ(inv.exit_code, 0) << inv.output;
  EXPECT_NE(inv.output.find("runs start in a fresh interpreter each: "), std::string::npos)
      << inv.output;
  auto results = ReadResultsFile(out_ / "o/results.json");
  ASSERT_EQ(results.runs.size(), 2u);
  for (const auto& r : results.runs) {
    EXPECT_EQ(r.status, Status::kPass) << Describe(r);
    EXPECT_TRUE(r.start_mode.starts_with("cold (fallback: ")) << r.start_mode;
    EXPECT_NE(r.start_mode.find("threads alive after importing dspy"), std::string::npos)
        << r.start_mode;
  }
}

// Ctrl-C during a warm session: the results so far are kept, and neither the
// warm interpreters nor any run forked from them outlives the harness.
TEST_F(WarmE2eTest, InterruptLeavesNoWarmInterpreterOrRunBehind) {
  int status = InterruptSlowSession([this] {
    EXPECT_TRUE(AnythingOfOursRunning()) << "no warm interpreter while the session runs";
  });
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);
  auto results = ReadResultsFile(out_ / "results.json");
  EXPECT_TRUE(results.environment.interrupted);
  ASSERT_GE(results.runs.size(), 1u);
  for (const auto& r : results.runs) {
    EXPECT_EQ(r.status, Status::kPass) << Describe(r);
    EXPECT_EQ(r.start_mode, "warm");
  }
  EXPECT_FALSE(AnythingOfOursRunning()) << "a warm interpreter or run outlived the session";
}

// Issue 16: a run that kills its parent killed the harness (--cold) or the
// warm interpreter; its setsid child and double-forked daemon outlived it.
// In the sandbox (bubblewrap, here) nothing of it reaches past its run.
TEST_F(WarmE2eTest, EscapingRunsHarmNothingWarmOrCold) {
  for (const std::string mode : {"warm", "cold"}) {
    SCOPED_TRACE(mode);
    const fs::path out = out_ / mode;
    std::vector<std::string> args = {"run",
                                     "--targets",
                                     "dspy-2.5.40",
                                     "--repeat",
                                     "2",
                                     "--jobs",
                                     "1",
                                     "--sandbox",
                                     "bwrap",
                                     "--out",
                                     out.string(),
                                     "--scenarios",
                                     (kTestdata / "escapes.py").string()};
    if (mode == "cold") args.push_back("--cold");
    Invocation inv = Run(args);
    ASSERT_EQ(inv.exit_code, 0) << inv.output;
    auto results = ReadResultsFile(out / "results.json");
    ASSERT_EQ(results.runs.size(), 2u) << inv.output;
    for (const auto& r : results.runs) {
      EXPECT_EQ(r.status, Status::kPass) << Describe(r);
      EXPECT_EQ(r.start_mode, mode) << Describe(r);  // the warm interpreter survived
      EXPECT_EQ(r.sandbox.rfind("pidns", 0), 0u) << r.sandbox;
      EXPECT_NE(r.output_tail.find("still running after killing my parent"), std::string::npos)
          << Describe(r);
    }
    EXPECT_FALSE(AnythingOfOursRunning()) << "a run's child outlived it";
  }
}

// Issue 16: after a SIGKILL of the harness, --cold runs went on under PID 1
// with no time limit.
TEST_F(WarmE2eTest, RunsDieWithAKilledHarnessWarmOrCold) {
  for (const std::string mode : {"warm", "cold"}) {
    SCOPED_TRACE(mode);
    const fs::path out = out_ / mode;
    fs::create_directories(out);
    pid_t pid = ::fork();
    if (pid == 0) {
      ::setenv("CI", "1", 1);
      // The log beside --out, not in it: a session refuses a folder of others' files.
      int fd = ::open((out_ / (mode + "-cli.log")).c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      std::string scenario = (kTestdata / "hangs.py").string();
      ::execl(e2e::kBinary.c_str(), e2e::kBinary.c_str(), "run", "--targets", "dspy-2.5.40",
              "--repeat", "1", "--jobs", "1", "--timeout", "600", "--sandbox", "bwrap", "--out",
              out.c_str(), "--scenarios", scenario.c_str(),
              mode == "cold" ? "--cold" : "--keep-work", nullptr);
      ::_exit(127);
    }
    // hangs.py's child names its run's folder once the run is going.
    const std::string run_folder = (out / "work" / "hangs").string();
    bool running = false;
    for (int i = 0; i < 1200 && !running; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      running = e2e::ProcessMatching("time.sleep\\(300\\) " + run_folder);
    }
    EXPECT_TRUE(running) << e2e::ReadText(out_ / (mode + "-cli.log"));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    bool gone = false;
    for (int i = 0; i < 50 && !gone; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      gone = !e2e::ProcessMatching(out.string());
    }
    EXPECT_TRUE(gone) << "a run outlived the killed harness";
  }
}

}  // namespace
}  // namespace dspy_compat
