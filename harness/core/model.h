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

// What a scenario declares it should do on a target (header key EXPECT).
// The gate fails only when a target does worse than declared; doing better
// is reported as an unexpected pass, never a failure.
enum class Expectation {
  kPass,         // every run passes
  kFail,         // every run fails
  kFlaky,        // some runs fail, not all
  kFailOrFlaky,  // fails always or sometimes (an intermittent bug may not show in n runs)
  kAny,          // not gated
};

std::string_view ExpectationName(Expectation expectation);
std::optional<Expectation> ParseExpectation(std::string_view name);

// One EXPECT line: an outcome and the targets it applies to. A selector is a
// target-name glob ("dspy-2.5.4*") or a DSPy version bound ("dspy>=2.5.40");
// a rule applies to a target that every selector matches.
struct ExpectationRule {
  Expectation outcome = Expectation::kPass;
  std::vector<std::string> selectors;  // empty: every target
  std::string text;                    // the line's value as written, for messages
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
  std::string migration_of;  // MIGRATION-OF: the scenario this one rewrites
  std::string forces;        // FORCES: the scenario whose race this one forces (with MOCK-FIXTURE)
  std::vector<ExpectationRule> expectations;  // EXPECT lines, in file order (last match wins)
  std::string excerpt;                        // the program lines that show the pattern
  std::string family;                         // FAMILY: the group of patterns it belongs to
  // REQUIRES: selectors (DSPy version bounds or target-name globs) a target
  // must all match to run it; a target that does not is "unsupported".
  std::vector<std::string> requirements;
  // MOCK-FIXTURE: mock LM rules loaded for this scenario's runs only, as
  // written in the header, and resolved (absolute) once discovered.
  std::string mock_fixture;
  std::filesystem::path mock_fixture_path;
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

// A normalised summary of one run's LM traffic as the mock server saw it:
// small enough to keep per run, enough to notice that two releases sent
// different prompts or parameters for the same program.
struct LmTraffic {
  std::vector<std::string> adapters;    // prompt formats seen: "chat", "json", "text"; sorted
  std::vector<std::string> parameters;  // distinct "name=value" request parameters; sorted
  std::vector<std::string>
      system_prompts;  // distinct stable hashes (16 hex) of system messages; sorted
  // Distinct normalised prompts (messages as "role: text" lines, field values
  // and numbers masked), bounded in number and size; sorted. What a reader
  // diffs between two targets. Empty in files written before they were kept.
  std::vector<std::string> prompts;
  friend bool operator==(const LmTraffic&, const LmTraffic&) = default;
};

// One LM response an exploring run released (results v1.5).
struct ScheduledRelease {
  std::string key;  // content key: 16 hex digits, a stable hash of the request's model + messages
  int seq = 0;      // the request's arrival number in its run (may differ between replays)
  bool bound = false;  // released by the hold bound, not by the strategy
  friend bool operator==(const ScheduledRelease&, const ScheduledRelease&) = default;
};

// The order in which an exploring run released its LM responses (results
// v1.5); a run given it as a replay releases responses in the same order of
// content keys. Absent for runs with the natural seeded delays.
struct LmSchedule {
  std::string strategy;  // "pct" or "random"
  std::uint64_t seed = 0;
  int depth = 0;        // PCT's d (d-1 priority change points); 0 for random
  int steps = 0;        // PCT's k: change points fall within the first k decisions
  bool replay = false;  // released in a recorded order, the strategy deciding the rest
  std::vector<ScheduledRelease> releases{};  // in release order
  friend bool operator==(const LmSchedule&, const LmSchedule&) = default;
};

// Orders DSPy release numbers: dotted components compared as numbers
// ("2.5.40" > "2.5.9", "2.6" == "2.6.0"); a component's non-digit suffix
// ("0b1") is ignored. Negative, zero or positive, like strcmp.
int CompareVersions(std::string_view a, std::string_view b);

// Something a scenario tried that containment stopped or changed (results
// v1.3). Kinds: "blocked-connection" (a name lookup or connection past
// loopback, refused: the run is an error), "redirected-lm" (a dspy.LM naming
// another provider or api_base, sent to the mock server instead) and
// "redirected-client" (an openai client built with another base_url, idem).
struct ContainmentEvent {
  std::string kind;
  std::string host;         // as the program named it; "" when it named none
  std::optional<int> port;  // when known
  std::string detail;       // e.g. the model, or how the connection was attempted
  friend bool operator==(const ContainmentEvent&, const ContainmentEvent&) = default;
};

inline constexpr const char* kBlockedConnection = "blocked-connection";

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
  // What the mock LM saw, normalised (results v1.1); absent in older files.
  std::optional<LmTraffic> lm_traffic;
  // How the interpreter started: "warm" (forked from one that had imported
  // DSPy), "cold" (fresh, e.g. --cold) or "cold (fallback: <reason>)". Empty
  // in files written before it was recorded.
  std::string start_mode;
  // What kept the run in (results v1.3), e.g. "python-audit-hook+refusing-proxy";
  // empty in older files.
  std::string containment;
  std::vector<ContainmentEvent> containment_events;
  // How an exploring run released its LM responses (results v1.5); absent
  // for natural runs and in older files.
  std::optional<LmSchedule> lm_schedule;
};

struct TargetInfo {
  std::string name;
  std::string kind;  // "locked" or "python"
  std::string dspy_version;
  std::string python_version;
  std::string lock_hash;
  std::string interpreter;
};

// What reports need to know about a scenario, taken from its file at run
// time so that a report never reads scenario files.
struct ScenarioInfo {
  std::string path;          // relative to the source root for bundled scenarios
  std::string exercises;     // EXERCISES
  std::string migration_of;  // MIGRATION-OF: the id of the scenario this one rewrites
  std::string forces;        // FORCES: the id of the scenario whose race this one forces
  std::string excerpt;       // program lines that show the pattern; "..." marks a gap
  std::map<std::string, Expectation> expected;  // target name -> EXPECT resolved for it
  std::vector<std::string> expect_lines;        // EXPECT values as written
  std::string family;                           // FAMILY
  std::vector<std::string> requirements;        // REQUIRES selectors as written
  std::string mock_fixture;                     // MOCK-FIXTURE as written
  std::vector<std::string> unsupported;         // targets REQUIRES excluded (not run)
};

// --shard I/N: this session ran the I-th of N stable slices of the matrix.
struct ShardInfo {
  int index = 0;  // 1-based
  int count = 0;
  friend bool operator==(const ShardInfo&, const ShardInfo&) = default;
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
  // Adaptive repetitions (--repeat adaptive): each pair ran between min and
  // max times, stopping once its outcome was clear; 0 when fixed.
  int min_repeat = 0;
  int max_repeat = 0;
  int planned_runs = 0;
  std::string cache_policy;  // how LM caching was isolated, e.g. "fresh DSPY_CACHEDIR per run"
  std::vector<TargetInfo> targets;
  std::vector<std::string> scenarios;                     // ids, in catalogue order
  std::map<std::string, std::string> scenario_summaries;  // id -> summary line
  // Results v1.1 additions (optional on read; v1.0 files read as empty).
  std::map<std::string, ScenarioInfo> scenario_info;  // id -> what reports show of it
  std::optional<ShardInfo> shard;                     // set when this session ran one shard
  std::vector<ShardInfo> merged_shards;               // set by merge: the shards it combined
  // Results v1.3: the parent's variables that reached runs (--pass-env) and
  // those replaced by dummies (keys, tokens, --scrub). Names only.
  std::vector<std::string> passed_env;
  std::vector<std::string> scrubbed_env;
};

struct Results {
  RunEnvironment environment;
  std::vector<RunResult> runs;
};

}  // namespace dspy_compat
