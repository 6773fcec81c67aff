// What executes a session's runs on this machine: the mock LM server on
// loopback, the refusing proxy port, warm interpreters per target (unless
// cold) and the executor, built together with one containment policy and
// stopped together. `run` and `bisect` build one each; the session only sees
// its Execute function.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.h"
#include "process/sandbox.h"
#include "runner/containment.h"
#include "runner/mock_lm_endpoint.h"
#include "runner/run_plan.h"

namespace dspy_compat {

struct LocalRunsOptions {
  std::filesystem::path root;       // the data tree: target_runner/ lives below it
  std::filesystem::path work_root;  // per-run folders (and warm servers') go below it
  bool keep_work = false;
  bool cold = false;  // a fresh interpreter per run instead of forking a warm one
  std::vector<std::string> scrub{};
  std::vector<std::string> pass_env{};
  int memory_limit_mb = 4096;
  int output_limit_mb = 64;
  std::uint64_t seed = 0;
  // "natural", "pct", "random" or "explore" (a mix per run); a replayed
  // schedule wins over it.
  std::string schedule = "natural";
  int explore_quiet_ms = 0;  // 0: ScheduleConfig's default
  std::optional<LmSchedule> replay{};
  MockLmEndpoint::Fixtures fixtures{};
  // The kernel sandbox (process/sandbox.h); `read_only`: what runs need
  // under a hidden home besides the data tree and the folder each of
  // `scenario_files` really lives in (the environment cache, interpreters),
  // bound back into it, each resolved to its real path here; the work root
  // is writable.
  SandboxMode sandbox = SandboxMode::kAuto;
  bool pass_home = false;
  std::vector<std::filesystem::path> read_only{};
  std::vector<std::filesystem::path> scenario_files{};
  // run --project: the project's root, on every run's sys.path after the
  // scenario's folder and bound read-only into the sandbox (runs never
  // write the user's tree); empty: none.
  std::filesystem::path project_root{};
  std::function<void(std::string_view)> log{};  // one line per notice (fallbacks)
};

// A part that could not start (the sandbox asked for, the mock server, the
// refusing port): an infrastructure error, with a one-line message.
class LocalRunsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Every MOCK-FIXTURE the scenarios name, loaded (and so validated) before
// the first run. Throws std::runtime_error naming the scenario and file.
MockLmEndpoint::Fixtures LoadMockFixtures(const std::vector<Scenario>& scenarios);

class LocalRuns {
 public:
  // Prepares the sandbox, starts the mock server (in the runs' network
  // namespace when there is one) and reserves the refusing port; throws
  // LocalRunsError when one cannot be had.
  explicit LocalRuns(LocalRunsOptions options);
  ~LocalRuns();
  LocalRuns(const LocalRuns&) = delete;
  LocalRuns& operator=(const LocalRuns&) = delete;

  // One run (RunExecutor::Execute): nullopt when cancelled while going. A
  // run the harness could not prepare (its folder on a full or read-only
  // file system) is an error run, not an exception.
  std::optional<RunResult> Execute(const RunSpec& spec, const std::atomic<bool>* cancel);

  // Binds `path` read-only into runs under a hidden home too (a target
  // provisioned after this was built: its interpreter's installation). Call
  // between runs, never while runs go.
  void AllowRead(const std::filesystem::path& path);

  // Which of the harness's variables runs get and which are scrubbed (names).
  const EnvironmentDecision& environment() const { return environment_; }

  // The port runs' proxy variables name, and the network namespace runs
  // join (-1: none); both live there with the mock server's port.
  int refusing_port() const;
  int sandbox_netns_fd() const;

  // Kills what warm interpreters still run and stops them and the server.
  // Idempotent; the destructor calls it.
  void Stop();

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
  EnvironmentDecision environment_;
};

}  // namespace dspy_compat
