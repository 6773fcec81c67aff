// dspy-compat: which of your DSPy async patterns break on upgrade, and why.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "results/adaptive_repeat.h"

namespace {

constexpr const char* kFooter = R"(Exit codes:
  0    done (for run: every planned run finished; read the report for verdicts);
       for gate and run --gate: the gate passed
  1    the gate found a regression: a scenario did worse than its expectation
       (EXPECT header lines, --baseline FILE, else the baseline target)
  2    usage or input error: a wrong flag, a missing scenario, an unknown target,
       a malformed lock file, results file or baseline, shards that do not merge
  3    infrastructure error: a target could not be provisioned (a DSPy version
       the index does not serve, a resolution that fails), the mock LM
       server would not start, a run the harness could not run, results that
       are incomplete (never reported as a regression, never as a pass)
  130  interrupted (Ctrl-C/SIGTERM); the results gathered so far were written

Containment (run): a scenario reaches only loopback; every LM it builds (any
provider prefix, any api_base, the openai client) is sent to the mock LM
server; a connection past loopback is refused and makes the run an error;
keys and tokens reach it as dummies (see README, "What a scenario can and
cannot reach").

Environment: DSPY_COMPAT_CACHE (environment cache, default ~/.cache/dspy-compat),
DSPY_COMPAT_ROOT (bundled fixtures and scenarios), CI (plain progress lines).)";

std::string JoinArgs(int argc, char** argv) {
  std::string line;
  for (int i = 0; i < argc; ++i) line += (i ? " " : "") + std::string(argv[i]);
  return line;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace dspy_compat;
  CLI::App app{
      "dspy-compat runs DSPy programs (scenarios) against pinned DSPy releases, each LM call\n"
      "answered by a local mock LM server, and reports which async patterns break on upgrade."};
  app.footer(kFooter);
  app.require_subcommand(1);
  app.set_version_flag("--version", DSPY_COMPAT_VERSION);

  RunOptions run;
  auto* run_cmd = app.add_subcommand(
      "run",
      "Run scenarios on targets, write DIR/results.json, DIR/report.md, DIR/report.html and "
      "DIR/junit.xml");
  run_cmd
      ->add_option("--targets", run.targets,
                   "Targets: names under fixtures/targets, python:/path/to/python, or DSPy "
                   "releases by version: dspy==2.6.0 (locked as of its release day) or a range "
                   "'dspy>=2.5.38,<2.6' (every final release in it, oldest first) "
                   "(default: dspy-2.5.39 dspy-2.5.40); comma-separated or repeated")
      ->allow_extra_args(false);
  run_cmd
      ->add_option("--scenarios", run.scenarios,
                   "Scenario files or folders (default: the bundled catalogue)")
      ->delimiter(',');
  std::string repeat_text;
  run_cmd
      ->add_option("--repeat", repeat_text,
                   "Repetitions per scenario and target: a count, or 'adaptive' (at least 5, "
                   "at most 50: a clean streak stops once a failure rate of 10% or more is "
                   "unlikely, mixed results once the rate is known to +/-15%), or MIN..MAX "
                   "(default: the scenario's REPEAT, else 1)")
      ->check([](const std::string& text) -> std::string {
        if (text.find_first_not_of("0123456789") == std::string::npos) {
          return CLI::Range(1, 100000)(text);
        }
        try {
          ParseAdaptiveRepeat(text);
        } catch (const std::invalid_argument& e) {
          return e.what();
        }
        return {};
      })
      ->each([&run](const std::string& text) {
        if (text.find_first_not_of("0123456789") == std::string::npos) {
          run.repeat = std::stoi(text);
        } else {
          run.adaptive_repeat = text;
        }
      });
  run_cmd->add_option("-j,--jobs", run.jobs, "Runs in parallel (default: number of cores)")
      ->check(CLI::Range(1, 1024));
  run_cmd
      ->add_option("--timeout", run.timeout_seconds,
                   "Time limit per run in seconds (default: the scenario's TIMEOUT, else 120)")
      ->check(CLI::Range(1, 86400));
  run_cmd->add_option("--lm-delay-ms", run.lm_delay,
                      "Mock LM latency, MS or MIN-MAX, for every scenario (default: the "
                      "scenario's LM-DELAY-MS, else 5-15)");
  run_cmd->add_option("-o,--out", run.out, "Output folder")->capture_default_str();
  run_cmd->add_option("--seed", run.seed,
                      "Seed for the mock LM's delays (default: random; recorded)");
  run_cmd->add_option("--cache-dir", run.cache_dir,
                      "Environment cache (default: $DSPY_COMPAT_CACHE)");
  run_cmd->add_flag("--keep-work", run.keep_work, "Keep each run's folder under DIR/work");
  run_cmd
      ->add_option("--memory-limit-mb", run.memory_limit_mb,
                   "Heap a run may use (MiB; 0: no limit); past it the run is an error, not a "
                   "scenario failure")
      ->check(CLI::Range(0, 1 << 20))
      ->capture_default_str();
  run_cmd
      ->add_option("--output-limit-mb", run.output_limit_mb,
                   "Largest output (or file) a run may write (MiB; 0: no limit); past it the "
                   "run is stopped and reported as an error")
      ->check(CLI::Range(0, 1 << 20))
      ->capture_default_str();
  run_cmd->add_flag("--cold", run.cold,
                    "Start every run in a fresh interpreter (default: fork each run from a "
                    "per-target interpreter that imported DSPy once; as isolated, much faster)");
  run_cmd
      ->add_option("--pass-env", run.pass_env,
                   "Pass this variable of yours to scenarios unchanged (repeatable; globs "
                   "like MY_* allowed). Scenarios get an allow-listed environment otherwise; "
                   "results record the names passed, never the values")
      ->allow_extra_args(false);
  run_cmd
      ->add_option("--scrub", run.scrub,
                   "Also replace this variable by a dummy value in scenarios (repeatable; "
                   "globs allowed). Always scrubbed: OPENAI_API_KEY, ANTHROPIC_API_KEY, "
                   "AZURE_*, AWS_*, GOOGLE_*, HF_TOKEN, *_API_KEY, *_TOKEN, *_SECRET*")
      ->allow_extra_args(false);
  run_cmd->add_option("--shard", run.shard,
                      "Run the I-th of N stable slices of the matrix (I/N, e.g. 2/4); combine "
                      "the shards' results with `dspy-compat merge`");
  run_cmd->add_flag("--gate", run.gate,
                    "Then gate the results: exit 1 on a regression, 3 on an infrastructure "
                    "error (see `dspy-compat gate --help`)");
  run_cmd->add_option("--baseline-target", run.baseline_target,
                      "The target every verdict compares with (default: the first given; for a "
                      "range, its oldest release)");
  run_cmd->add_flag("--pre", run.releases.pre, "Version ranges include pre-releases");
  run_cmd->add_option("--index-url", run.releases.index_url,
                      "Package index (PEP 691 JSON) for version-spec targets (default: "
                      "UV_INDEX_URL, PIP_INDEX_URL, else https://pypi.org/simple/)");
  run_cmd->add_option("--baseline", run.gate_options.baseline,
                      "Gate against this saved baseline (implies --gate)");
  run_cmd->add_flag("--update-baseline", run.gate_options.update_baseline,
                    "Write the results' outcomes into --baseline FILE and exit 0");

  EnvsOptions envs;
  auto* envs_cmd = app.add_subcommand("envs", "Provision and list target environments");
  envs_cmd->require_subcommand(1);
  auto* sync_cmd = envs_cmd->add_subcommand(
      "sync", "Install targets into the cache (atomically, verified); default: all defined");
  sync_cmd->add_option("targets", envs.targets,
                       "Target names, or DSPy releases by version (dspy==2.6.0, "
                       "'dspy>=2.5.38,<2.6')");
  auto* list_cmd = envs_cmd->add_subcommand("list", "Show provisioned environments");
  auto* lock_cmd = envs_cmd->add_subcommand(
      "lock",
      "Lock DSPy releases as of their release day and write each target folder "
      "(target.toml, requirements.in, requirements.lock) to commit");
  lock_cmd
      ->add_option("releases", envs.targets,
                   "DSPy releases by version: dspy==2.6.0, or a range 'dspy>=2.5.38,<2.6'")
      ->required();
  lock_cmd->add_option("--into", envs.into,
                       "Write DIR/dspy-<version>/ (default: the bundled fixtures/targets)");
  for (auto* cmd : {sync_cmd, list_cmd, lock_cmd}) {
    cmd->add_option("--cache-dir", envs.cache_dir,
                    "Environment cache (default: $DSPY_COMPAT_CACHE)");
  }
  for (auto* cmd : {sync_cmd, lock_cmd}) {
    cmd->add_flag("--pre", envs.releases.pre, "Version ranges include pre-releases");
    cmd->add_option("--index-url", envs.releases.index_url,
                    "Package index (PEP 691 JSON) (default: UV_INDEX_URL, PIP_INDEX_URL, else "
                    "https://pypi.org/simple/)");
  }

  MockServerOptions mock;
  auto* mock_cmd = app.add_subcommand("mock-server",
                                      "Run the OpenAI-compatible mock LM server in the foreground");
  mock_cmd->add_option("--port", mock.port, "Port (0: any free one)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  mock_cmd->add_option("--bind", mock.bind, "Address to bind")->capture_default_str();
  mock_cmd->add_option("--delay-ms", mock.delay, "Latency per response, MS or MIN-MAX")
      ->capture_default_str();
  mock_cmd->add_option("--seed", mock.seed, "Seed for delays and answers")->capture_default_str();
  mock_cmd->add_flag("--echo-model", mock.echo_model, "Put the model's name into every answer");
  mock_cmd->add_option("--threads", mock.threads, "IO threads")->check(CLI::Range(1, 64));
  mock_cmd
      ->add_option("--fixtures", mock.fixtures,
                   "Fixture rules to load at start (JSON; see harness/mock_server/FIXTURES.md); "
                   "repeatable, tried in order")
      ->check(CLI::ExistingFile);
  mock_cmd->add_option("--max-body-kb", mock.max_body_kb, "Largest request body accepted")
      ->check(CLI::Range(1, 1 << 20))
      ->capture_default_str();

  ReportOptions report;
  auto* report_cmd = app.add_subcommand("report", "Render a report from a results.json");
  report_cmd->add_option("results", report.results, "results.json")->required();
  report_cmd
      ->add_option("--format", report.format,
                   "md (PR comment, job summary), html (one self-contained file), json (the "
                   "results, schema dspy-compat/results/v1), junit (Jenkins JUnit XML)")
      ->check(CLI::IsMember({"md", "html", "json", "junit"}))
      ->capture_default_str();
  report_cmd->add_option("-o,--output", report.output, "Write here instead of stdout");
  report_cmd->add_option("--baseline-target", report.baseline_target,
                         "Compare every target with this one (default: the run's baseline, "
                         "its first target)");

  GateOptions gate;
  auto* gate_cmd = app.add_subcommand(
      "gate",
      "Judge a results.json for CI: exit 0 if nothing is worse than expected, 1 on a "
      "regression, 3 on an infrastructure error");
  gate_cmd->add_option("results", gate.results, "results.json")->required();
  gate_cmd->add_option("--baseline", gate.baseline,
                       "Accepted outcomes (a baseline file, or an earlier results.json); "
                       "pairs it lists are judged against it, others against EXPECT header "
                       "lines, else against the baseline target");
  gate_cmd->add_flag("--update-baseline", gate.update_baseline,
                     "Write the results' outcomes into --baseline FILE (creating it) and exit 0");
  gate_cmd->footer(
      "A pair fails the gate when it does worse than expected (pass < flaky < fail) or, "
      "against a baseline, fails with an error signature the baseline does not list. Doing "
      "better is reported as an unexpected pass. Harness errors and missing runs give exit 3.");

  MergeOptions merge;
  auto* merge_cmd = app.add_subcommand(
      "merge", "Combine shard results (run --shard I/N) into one results.json and its reports");
  merge_cmd->add_option("results", merge.inputs, "The shards' results.json files")->required();
  merge_cmd->add_option("-o,--out", merge.out, "Output folder")->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }

  run.command_line = JoinArgs(argc, argv);
  merge.command_line = run.command_line;
  if (*run_cmd) return RunCommand(run);
  if (*sync_cmd) return EnvsSyncCommand(envs);
  if (*list_cmd) return EnvsListCommand(envs);
  if (*lock_cmd) return EnvsLockCommand(envs);
  if (*mock_cmd) return MockServerCommand(mock);
  if (*report_cmd) return ReportCommand(report);
  if (*gate_cmd) return GateCommand(gate);
  if (*merge_cmd) return MergeCommand(merge);
  return kExitUsage;
}
