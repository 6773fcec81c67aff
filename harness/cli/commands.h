// The subcommands. Each one's flags are declared beside it (<name>_flags.cc,
// see flags.h); app.cc parses and calls these; each returns an exit code
// from exit_codes.h.
#pragma once

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace dspy_compat {

struct GateOptions {
  std::filesystem::path results;                  // gate: the results.json to judge
  std::optional<std::filesystem::path> baseline;  // accepted outcomes; else header expectations
  bool update_baseline = false;                   // write the results' outcomes into --baseline
  bool strict_prompts = false;  // --strict-prompts: prompt text that alone differs fails too
};

// How version-spec targets ("dspy==2.6.0", "dspy>=2.5.38,<2.6") resolve.
struct ReleaseOptions {
  bool pre = false;       // --pre: ranges include pre-releases
  std::string index_url;  // --index-url; empty: UV_INDEX_URL, PIP_INDEX_URL, else PyPI
};

struct RunOptions {
  std::vector<std::string> targets;              // empty: those marked `default = true`
  std::vector<std::filesystem::path> scenarios;  // empty: the bundled catalogue
  std::optional<int> repeat;
  // --repeat adaptive or MIN..MAX: repetitions decided per pair from its own
  // outcomes (results/adaptive_repeat.h); excludes `repeat`.
  std::optional<std::string> adaptive_repeat;
  int jobs = 0;  // 0: the number of cores
  std::optional<int> timeout_seconds;
  std::optional<std::string> lm_delay;  // "MS" or "MIN-MAX", overrides scenario headers
  std::filesystem::path out = "dspy-compat-out";
  std::optional<std::uint64_t> seed;
  std::optional<std::filesystem::path> cache_dir;
  bool keep_work = false;
  int memory_limit_mb = 4096;  // per run, RLIMIT_DATA; 0: none
  int output_limit_mb = 64;    // per run, RLIMIT_FSIZE (its output included); 0: none
  bool cold = false;           // --cold: a fresh interpreter per run instead of forking a warm one
  std::vector<std::string> scrub;     // --scrub NAME: more variables replaced by dummies
  std::vector<std::string> pass_env;  // --pass-env NAME: variables a scenario truly needs
  std::string sandbox = "auto";       // --sandbox auto|bwrap|none (process/sandbox.h)
  bool pass_home = false;             // --pass-home: runs may read the user's home
  std::optional<std::string> shard;   // "I/N": run the I-th of N stable slices of the matrix
  bool gate = false;                  // --gate (implied by --baseline): exit as `gate` does
  GateOptions gate_options;           // baseline and update_baseline; results unused
  std::vector<std::filesystem::path> knowledge;  // --knowledge FILE: a team's DSPy changes
  ReleaseOptions releases;
  // --schedule: how runs release LM responses (natural seeded delays, or
  // exploring orders: pct, random, or explore = PCT and natural alternating
  // per pair, the default: README "Exploring LM response orders").
  std::string schedule = "explore";
  // --explore-quiet-ms: how long an exploring run must be quiet (no LM
  // request, no answer going out) before the next held response is released.
  int explore_quiet_ms = 80;
  // --replay RESULTS_JSON:RUN_ID: that run's scenario and target (unless
  // given), its recorded release order.
  std::optional<std::string> replay;
  std::optional<std::string> baseline_target;  // --baseline-target: else the first (oldest)
  // --project DIR: the team's project in every target (targets/project_env.h)
  // and on every scenario's sys.path.
  std::optional<std::filesystem::path> project;
  // --no-changed-code; else a few regression pairs are rerun traced and the
  // changed DSPy code they ran is found (runner/changed_code.h).
  bool no_changed_code = false;
  std::string command_line;
  // --resume DIR: finish the session DIR/results.json records, with its own
  // options (every other run flag is refused with it).
  std::optional<std::filesystem::path> resume;
};
int RunCommand(const RunOptions& options);

// dspy-compat bisect SCENARIO --good V1 --bad V2: the first release after V1
// on which the scenario behaves differently.
struct BisectOptions {
  std::filesystem::path scenario;
  std::string good;  // a version ("2.5.35") or "dspy==2.5.35"
  std::string bad;
  // Per release: MIN..MAX or "adaptive" (results/adaptive_repeat.h).
  std::string repeat = "adaptive";
  int jobs = 0;  // 0: the number of cores
  std::optional<int> timeout_seconds;
  std::optional<std::string> lm_delay;
  std::string schedule = "explore";  // each release's runs explore LM response orders
  std::filesystem::path out = "dspy-compat-bisect";
  std::optional<std::uint64_t> seed;
  std::optional<std::filesystem::path> cache_dir;
  bool cold = false;
  bool keep_work = false;
  std::vector<std::string> pass_env;
  std::string sandbox = "auto";  // --sandbox auto|bwrap|none (process/sandbox.h)
  ReleaseOptions releases;
  std::vector<std::filesystem::path> knowledge;
  std::string command_line;
};
int BisectCommand(const BisectOptions& options);

struct EnvsOptions {
  std::vector<std::string> targets;  // empty: every defined target (sync) / all cached (list)
  std::optional<std::filesystem::path> cache_dir;
  ReleaseOptions releases;
  std::optional<std::filesystem::path> into;  // envs lock: parent of the target folders
};
int EnvsSyncCommand(const EnvsOptions& options);
int EnvsListCommand(const EnvsOptions& options);
// envs lock SPEC...: writes <into>/dspy-<version>/ for each release selected.
int EnvsLockCommand(const EnvsOptions& options);

struct MockServerOptions {
  std::string bind = "127.0.0.1";
  int port = 8099;
  std::string delay = "0";
  std::uint64_t seed = 0;
  bool echo_model = false;
  int threads = 1;
  std::vector<std::filesystem::path> fixtures;
  int max_body_kb = 8 * 1024;
};
int MockServerCommand(const MockServerOptions& options);

struct ReportOptions {
  std::filesystem::path results;
  std::string format = "md";
  std::optional<std::filesystem::path> output;   // default: stdout
  std::vector<std::filesystem::path> knowledge;  // --knowledge FILE: a team's DSPy changes
  std::optional<std::string> baseline_target;    // compare with this target instead of the first
};
int ReportCommand(const ReportOptions& options);

int GateCommand(const GateOptions& options);
// Usage errors in the gate options (exit 2 when not kExitOk), before a run.
int CheckGateOptions(const GateOptions& options);
struct Results;
// Prints the gate's findings to `out`; returns 0, 1 or 3 (2 for bad input),
// updating the baseline when asked. Shared by `gate` and `run --gate`.
int ApplyGate(const Results& results, const GateOptions& options, std::ostream& out);

struct MergeOptions {
  std::vector<std::filesystem::path> inputs;  // shard results.json files
  std::filesystem::path out = "dspy-compat-merged";
  std::vector<std::filesystem::path> knowledge;  // --knowledge FILE: a team's DSPy changes
  std::string command_line;
};
int MergeCommand(const MergeOptions& options);

}  // namespace dspy_compat
