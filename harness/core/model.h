// The data model every part meets through: what is run (Scenario, Target),
// one execution of a scenario on a target (RunResult), and a whole session's
// results (Results). Discovery and provisioning produce the first two, the
// runner produces RunResults, reports consume Results and nothing else.
#pragma once

#include <cstddef>
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
  // The program could not start (lit's UNRESOLVED; results v1.6): a syntax
  // error, or an import or file the program needs missing before its first
  // LM call, not a DSPy module. Says nothing of the DSPy release: never a
  // pass, and no verdict can be drawn from it.
  kUnresolved,
};
inline constexpr std::size_t kStatusCount = 6;

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
  // Passes, and the LM traffic or the settings left behind may differ from
  // the baseline target's (a known behaviour change, accepted by the gate).
  kBehaviourChange,
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

// What a scenario's header lines say (catalogue/scenario_header.h reads
// them); a Scenario is its header plus where it is, so each field is
// declared once.
struct ScenarioHeader {
  std::string summary;    // one line from the header (the id when it has none)
  std::string exercises;  // what the pattern is, from the header
  ScenarioOptions options;
  std::string migration_of;  // MIGRATION-OF: the scenario this one rewrites
  std::string forces;        // FORCES: the scenario whose race this one forces (with MOCK-FIXTURE)
  std::vector<ExpectationRule> expectations;  // EXPECT lines, in file order (last match wins)
  std::string family;                         // FAMILY: the group of patterns it belongs to
  // REQUIRES: selectors (DSPy version bounds or target-name globs) a target
  // must all match to run it; a target that does not is "unsupported".
  std::vector<std::string> requirements;
  // MOCK-FIXTURE: mock LM rules loaded for this scenario's runs only, as
  // written in the header (resolved into Scenario::mock_fixture_path).
  std::string mock_fixture;
};

struct Scenario : ScenarioHeader {
  std::string id;                           // file stem, unique within a session
  std::filesystem::path path;               // absolute path of the program
  std::string excerpt;                      // the program lines that show the pattern
  std::filesystem::path mock_fixture_path;  // mock_fixture, resolved (absolute) once discovered
  // A test of a pytest file (path) run as a scenario: its test id,
  // "tests/test_x.py::test_a" (relative to the project root); empty for a program.
  std::string pytest_node;
};

// A package version a target's lock uses instead of the one its release-day
// resolution asked for, because the registry no longer serves that one
// (target.toml [[substitutions]], results v1.7). Never silent: reports show it.
struct Substitution {
  std::string package;    // "litellm"
  std::string requested;  // "1.51.0": what the release pins
  std::string used;       // "1.53.1": the nearest later version the registry serves
  std::string reason;     // one sentence, e.g. which index did not serve it
  friend bool operator==(const Substitution&, const Substitution&) = default;
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
  std::vector<Substitution> substitutions = {};  // from target.toml; none for user interpreters
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
  // Which model served each distinct request (results v1.6), so that two
  // releases can be compared request by request, not only by the set of
  // models. Keyed by the request's content without its model or wording;
  // bounded in number; sorted by key. Empty in older files.
  struct Route {
    std::string key;                  // RequestKey(): 16 hex
    std::string label;                // a short quote of the request, e.g. "question: Draft ..."
    std::vector<std::string> models;  // distinct, sorted
    int count = 0;                    // requests with this key in the run
    friend bool operator==(const Route&, const Route&) = default;
  };
  std::vector<Route> routes;
  friend bool operator==(const LmTraffic&, const LmTraffic&) = default;
};

// What dspy.settings held in the main thread once the program returned, as
// the runner saw it (results v1.6): a setting a release leaves behind is a
// behaviour change even when the program passes.
struct SettingsAfter {
  std::string lm;       // the model of the LM set (as the mock server sees it); "" none
  std::string adapter;  // the adapter's class name; "" none
  // Settings whose value changed while the program ran, and those the
  // program itself passed to dspy.configure (any thread); each sorted.
  std::vector<std::string> changed;
  std::vector<std::string> configured;
  friend bool operator==(const SettingsAfter&, const SettingsAfter&) = default;
};

// One LM response an exploring run released (results v1.8).
struct ScheduledRelease {
  std::string key;  // content key: 16 hex digits, a stable hash of the request's model + messages
  int seq = 0;      // the request's arrival number in its run (may differ between replays)
  bool bound = false;  // released by the hold bound, not by the strategy
  friend bool operator==(const ScheduledRelease&, const ScheduledRelease&) = default;
};

// The order in which an exploring run released its LM responses (results
// v1.8); a run given it as a replay releases responses in the same order of
// content keys. Absent for runs with the natural seeded delays.
struct LmSchedule {
  std::string strategy;  // "pct" or "random"
  std::uint64_t seed = 0;
  int depth = 0;        // PCT's d (d-1 priority change points); 0 for random
  int steps = 0;        // PCT's k: change points fall within the first k decisions
  int quiet_ms = 0;     // how long the run was quiet before each release; 0: not recorded (< v1.15)
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
  // Results v1.10: the kernel-level containment the run had (process/sandbox.h),
  // e.g. "pidns+netns+nohome", or "process-group"; empty in older files.
  std::string sandbox;
  // Results v1.6: dspy.settings after the program (absent when the runner
  // could not read them, and in older files).
  std::optional<SettingsAfter> settings_after;
  // How an exploring run released its LM responses (results v1.8); absent
  // for natural runs and in older files.
  std::optional<LmSchedule> lm_schedule;
};

// A team's project in a target (run --project, results v1.12): what its
// environment was built from and what it holds beyond the target's lock.
struct ProjectEnvironmentInfo {
  std::string root;        // the project's folder, absolute
  std::string input_hash;  // sha256 hex of the environment's inputs; empty: not installed
  std::vector<std::string> requirements;  // what the project declares, as written
  std::vector<std::string> installed;     // "name==version" beyond the target's lock, sorted
  std::vector<std::string> added;         // what the harness added the project lacks ("pytest")
  std::string note;  // why nothing was installed (a python: target is the user's own); "" else
  friend bool operator==(const ProjectEnvironmentInfo&, const ProjectEnvironmentInfo&) = default;
};

struct TargetInfo {
  std::string name;
  std::string kind;  // "locked" or "python"
  std::string dspy_version;
  std::string python_version;
  std::string lock_hash;
  std::string interpreter;
  std::vector<Substitution> substitutions = {};
  // results v1.7; empty in older files
  std::optional<ProjectEnvironmentInfo> project = std::nullopt;  // results v1.12; run --project
};

// What results.json says about a target.
TargetInfo DescribeTarget(const Target& target);

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
  std::string pytest_node;  // a pytest test's id ("tests/test_x.py::test_a"); results v1.12
};

// --shard I/N: this session ran the I-th of N stable slices of the matrix.
struct ShardInfo {
  int index = 0;  // 1-based
  int count = 0;
  friend bool operator==(const ShardInfo&, const ShardInfo&) = default;
};

// A knowledge file (DSPy changes that explain failures) a report used.
struct KnowledgeFileInfo {
  std::string path;    // as the harness opened it
  std::string sha256;  // hex, of the file's bytes
};

// One run of a session's plan (results v1.11): enough to tell a finished
// session from one that died, and to start the run again on --resume.
struct PlannedRun {
  std::string run_id;
  std::string scenario_id;
  std::string target_name;
  int repetition = 0;
  bool operator==(const PlannedRun&) const = default;
};

struct RunEnvironment {
  std::string harness_version;
  std::uint64_t seed = 0;
  std::string command_line;
  std::string started_at;  // ISO 8601 UTC
  // ISO 8601 UTC. From results v1.11 (a file with a `plan`), set only once
  // the session ran its whole plan: empty while it runs, after a kill or an
  // interrupt.
  std::string finished_at;
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
  // Results v1.5: the knowledge files the session's reports used, in the
  // order they were consulted.
  std::vector<KnowledgeFileInfo> knowledge;
  // Results v1.11: every run planned so far, round by round (adaptive rounds
  // included), in the order planned; absent in older files.
  std::optional<std::vector<PlannedRun>> plan;
  // Results v1.11: the session's options as `run --resume` needs them, a
  // JSON object's text that the results layer keeps without reading; empty
  // in older files and merges.
  std::string session_options;
};

// One changed hunk of the DSPy sources between two targets that a traced
// rerun executed (results v1.12). Lines are 1-based; a side of 0 lines
// starts where the other side's lines go.
struct ChangedHunk {
  std::string file;  // relative to site-packages, e.g. "dsp/utils/settings.py"
  int old_start = 0;
  int old_lines = 0;
  int new_start = 0;
  int new_lines = 0;
  std::vector<int> executed_old;   // lines of the old side the baseline's rerun ran
  std::vector<int> executed_new;   // lines of the new side the later target's rerun ran
  std::vector<std::string> lines;  // "-old", "+new", bounded
  bool on_traceback = false;       // its file is on the failing run's traceback
  friend bool operator==(const ChangedHunk&, const ChangedHunk&) = default;
};

// The changed DSPy code a regression or behaviour change ran (results
// v1.12): the scenario rerun once on each side with line tracing, the two
// installed packages diffed, the hunks either side executed kept, those in
// files on the failing traceback first.
struct ChangedCode {
  std::string scenario_id;
  std::string baseline_target;
  std::string target_name;
  std::string error;  // why nothing was found ("" when it was looked for)
  int files_compared = 0;
  int files_changed = 0;
  int hunks_changed = 0;  // every changed hunk, executed or not
  std::vector<ChangedHunk> hunks;
  friend bool operator==(const ChangedCode&, const ChangedCode&) = default;
};

struct Results {
  RunEnvironment environment;
  std::vector<RunResult> runs;
  std::vector<ChangedCode> changed_code = {};  // results v1.12; empty in older files
};

}  // namespace dspy_compat
