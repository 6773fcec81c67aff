// The data model every part meets through: what is run (Scenario, Target),
// one execution of a scenario on a target (RunResult), and a whole session's
// results (Results). Discovery and provisioning produce the first two, the
// runner produces RunResults, reports consume Results and nothing else.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dspy_compat {

// Outcome of one run. Like lit's ResultCode: a name, and whether it counts
// against the scenario.
enum class Status {
  kPass,     // the scenario program returned normally
  kFail,     // the scenario program raised (the error is recorded)
  kTimeout,  // killed, with its process group, at its time limit
  kCrash,    // the interpreter died without handing back a result
  kError,    // the harness could not run it (bad target, runner failure)
};

std::string_view StatusName(Status status);
std::optional<Status> ParseStatus(std::string_view name);
inline bool IsFailure(Status status) { return status != Status::kPass; }

// A per-run LM latency range; the mock server draws each response's delay
// uniformly from [min_ms, max_ms] with a seeded generator.
struct DelaySpec {
  int min_ms = 0;
  int max_ms = 0;
  friend bool operator==(const DelaySpec&, const DelaySpec&) = default;
};

// Options a scenario sets in its own header (see catalogue/scenario_header.h).
struct ScenarioOptions {
  std::optional<int> timeout_seconds;
  std::optional<DelaySpec> lm_delay;
  std::optional<int> repeat;
};

struct Scenario {
  std::string id;              // file stem, unique within a session
  std::filesystem::path path;  // absolute path of the program
  std::string summary;         // one line from the header
  std::string exercises;       // what the pattern is, from the header
  ScenarioOptions options;
};

// A DSPy environment to run scenarios in. Locked targets come from
// fixtures/targets/<name>/; "python:" targets are a user's own interpreter.
struct Target {
  enum class Kind { kLocked, kUserPython };
  std::string name;
  Kind kind = Kind::kLocked;
  std::string dspy_version;    // the pin; empty for user interpreters until probed
  std::string python_version;  // e.g. "3.11"
  std::filesystem::path lock_file;
  std::string lock_hash;              // sha256 of the lock file, hex; empty for user interpreters
  std::filesystem::path interpreter;  // set once provisioned
};

struct RunResult {
  std::string scenario_id;
  std::string target_name;
  int repetition = 0;  // 1-based
  std::string run_id;  // unique; also the mock server's journal key
  Status status = Status::kError;
  std::string error_type;           // exception class, e.g. "AssertionError"
  std::string error_message;        // first line of str(exception), or the harness's reason
  std::string traceback;            // bounded
  std::string dspy_version;         // what the runner actually imported
  double wall_seconds = 0;          // whole process, as the harness saw it
  double scenario_seconds = 0;      // the scenario program alone, as the runner saw it
  int lm_calls = 0;                 // dspy.LM calls the runner counted
  int lm_requests = 0;              // requests the mock server journaled for this run
  std::vector<std::string> models;  // distinct models the mock server saw, in order
  std::optional<int> exit_code;
  std::optional<int> term_signal;
  std::string output_tail;  // last bytes of stdout+stderr, bounded
};

struct TargetInfo {
  std::string name;
  std::string kind;  // "locked" or "python"
  std::string dspy_version;
  std::string python_version;
  std::string lock_hash;
  std::string interpreter;
};

struct RunEnvironment {
  std::string harness_version;
  std::uint64_t seed = 0;
  std::string command_line;
  std::string started_at;   // ISO 8601 UTC
  std::string finished_at;  // ISO 8601 UTC
  bool interrupted = false;
  int jobs = 0;
  int repeat = 0;
  int planned_runs = 0;
  std::string cache_policy;  // how LM caching was isolated, e.g. "fresh DSPY_CACHEDIR per run"
  std::vector<TargetInfo> targets;
  std::vector<std::string> scenarios;                     // ids, in catalogue order
  std::map<std::string, std::string> scenario_summaries;  // id -> summary line
};

struct Results {
  RunEnvironment environment;
  std::vector<RunResult> runs;
};

}  // namespace dspy_compat
