// What every end-to-end test of the built binary needs: a fresh output
// folder per test, a way to run dspy-compat and read what it printed, and
// small readers for the files it writes. Shared so that each e2e test file
// holds only its assertions.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/model.h"
#include "test_support/source_tree.h"

namespace dspy_compat::e2e {

extern const std::filesystem::path kBinary;  // the dspy-compat under test
inline const std::filesystem::path kRoot = test_support::SourceRoot();

struct Invocation {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

using test_support::ReadText;

// Whether a process whose command line matches the pgrep pattern is alive.
bool ProcessMatching(const std::string& pattern);

// The runs of one (scenario, target) pair, in results order.
std::vector<RunResult> RunsOf(const Results& results, const std::string& scenario,
                              const std::string& target);

class E2eTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;  // keeps the folder of a failed test for debugging

  // Runs dspy-compat with CI=1 (plain progress lines) and extra_env on top of
  // this process's environment; its output goes to out_/cli.log.
  Invocation Run(const std::vector<std::string>& args,
                 const std::map<std::string, std::string>& extra_env = {},
                 std::chrono::seconds timeout = std::chrono::seconds(900));

  // Starts `dspy-compat run` of testdata/slow_pass.py (6 runs on
  // dspy-2.5.40, one job, into out_) in the background, waits until its first
  // run has finished, calls while_running, then presses Ctrl-C. Returns how
  // the harness ended (a waitpid status).
  int InterruptSlowSession(const std::function<void()>& while_running = {});

  std::filesystem::path out_;
};

}  // namespace dspy_compat::e2e
