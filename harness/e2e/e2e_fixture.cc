#include "e2e_fixture.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "process/subprocess.h"

namespace dspy_compat::e2e {
namespace fs = std::filesystem;

const fs::path kBinary = DSPY_COMPAT_BINARY;

bool ProcessMatching(const std::string& pattern) {
  ProcessSpec pgrep;
  pgrep.argv = {"pgrep", "-f", pattern};
  pgrep.env = CurrentEnvironment();
  return RunProcess(pgrep).exit_code == 0;
}

std::vector<RunResult> RunsOf(const Results& results, const std::string& scenario,
                              const std::string& target) {
  std::vector<RunResult> runs;
  for (const auto& r : results.runs) {
    if (r.scenario_id == scenario && r.target_name == target) runs.push_back(r);
  }
  return runs;
}

void E2eTest::SetUp() {
  const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
  out_ = fs::temp_directory_path() / (std::string("e2e_") + std::to_string(::getpid()) + "_" +
                                      test->test_suite_name() + "_" + test->name());
  fs::remove_all(out_);
  fs::create_directories(out_);
  // The test's own files (cli.log, scenarios it writes) sit beside a
  // session's: the folder is marked as dspy-compat's, whose sessions then
  // leave files they did not make alone (cli/out_folder.h).
  std::ofstream(out_ / ".dspy-compat-out").flush();
}

void E2eTest::TearDown() {
  if (!HasFailure()) fs::remove_all(out_);
}

Invocation E2eTest::Run(const std::vector<std::string>& args,
                        const std::map<std::string, std::string>& extra_env,
                        std::chrono::seconds timeout) {
  ProcessSpec spec;
  spec.argv = {kBinary.string()};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.env = CurrentEnvironment();
  spec.env["CI"] = "1";
  for (const auto& [k, v] : extra_env) spec.env[k] = v;
  spec.output_path = out_ / "cli.log";
  spec.timeout = timeout;
  spec.output_tail_bytes = 1 << 20;
  auto outcome = RunProcess(spec);
  return {outcome.exit_code.value_or(-1), outcome.output_tail};
}

int E2eTest::InterruptSlowSession(const std::function<void()>& while_running) {
  pid_t pid = ::fork();
  if (pid == 0) {
    ::setenv("CI", "1", 1);
    int fd = ::open((out_ / "cli.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    std::string out = out_.string();
    std::string scenario = (kRoot / "harness/e2e/testdata/slow_pass.py").string();
    ::execl(kBinary.c_str(), kBinary.c_str(), "run", "--targets", "dspy-2.5.40", "--repeat", "6",
            "--jobs", "1", "--out", out.c_str(), "--scenarios", scenario.c_str(), nullptr);
    ::_exit(127);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < deadline) {
    if (ReadText(out_ / "cli.log").find("[1/6]") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (while_running) while_running();
  ::kill(pid, SIGINT);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

}  // namespace dspy_compat::e2e
