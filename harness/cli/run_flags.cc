// dspy-compat run's flags (the command: run_command.cc).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/flags.h"
#include "results/adaptive_repeat.h"
#include "runner/containment.h"

namespace dspy_compat {

std::string CheckRepeat(const std::string& text) {
  if (text.find_first_not_of("0123456789") == std::string::npos) {
    return CLI::Range(1, 100000)(text);
  }
  try {
    ParseAdaptiveRepeat(text);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return {};
}

void AddKnowledgeFlag(CLI::App& command, std::vector<std::filesystem::path>& files) {
  command
      .add_option("--knowledge", files,
                  "Also explain failures with this file's DSPy changes (repeatable; TOML like "
                  "fixtures/knowledge/dspy.toml, keys in fixtures/knowledge/README.md); its "
                  "entries are tried before the bundled ones; results.json records each file "
                  "and its SHA-256")
      ->allow_extra_args(false);
}

CLI::App* AddRunFlags(CLI::App& app, RunOptions& run) {
  auto* cmd = app.add_subcommand(
      "run",
      "Run scenarios on targets, write DIR/results.json, DIR/report.md, DIR/report.html and "
      "DIR/junit.xml");
  cmd->add_option("--targets", run.targets,
                  "Targets: names under fixtures/targets, python:/path/to/python, or DSPy "
                  "releases by version: dspy==2.6.0 (locked as of its release day) or a range "
                  "'dspy>=2.5.38,<2.6' (every final release in it, oldest first) (default: "
                  "those whose target.toml says `default = true`); comma-separated or repeated")
      ->allow_extra_args(false);
  cmd->add_option("--schedule", run.schedule,
                  "How the mock LM releases responses: natural (seeded delays), pct or random "
                  "(hold every response of a run and release one at a time, once the run is "
                  "quiet, in a seeded order: PCT priorities with change points, or a random "
                  "walk; each run records its order), explore (the default: odd repetitions of a "
                  "pair PCT, even ones natural)")
      ->check(CLI::IsMember({"natural", "pct", "random", "explore"}))
      ->capture_default_str();
  cmd->add_option("--explore-quiet-ms", run.explore_quiet_ms,
                  "How long an exploring run must be quiet (no LM request, no answer going out) "
                  "before the next held response is released. Longer when the program takes "
                  "longer to answer a response with its next request (a slow or loaded machine), "
                  "so that request counts as that response's chain")
      ->check(CLI::Range(5, 1000))
      ->capture_default_str();
  cmd->add_option("--replay", run.replay,
                  "RESULTS_JSON:RUN_ID: run that explored run's scenario on its target again, "
                  "releasing LM responses in its recorded order (the report prints this for "
                  "failures found by exploration)");
  cmd->add_option("--baseline-target", run.baseline_target,
                  "The target every verdict compares with (default: the first given; for a "
                  "range, its oldest release)");
  cmd->add_flag("--pre", run.releases.pre, "Version ranges include pre-releases");
  cmd->add_option("--index-url", run.releases.index_url,
                  "Package index (PEP 691 JSON) for version-spec targets (default: "
                  "UV_INDEX_URL, PIP_INDEX_URL, else https://pypi.org/simple/)");
  cmd->add_option("--project", run.project,
                  "Your project in every target: DIR (with a pyproject.toml, requirements*.txt or "
                  "uv.lock) is installed, with its dependencies and pytest unless it has it, into "
                  "each target's environment, from a copy of its files, with the target's lock "
                  "winning for DSPy and what DSPy pins (cached by the hash of its inputs; a "
                  "dependency that cannot live with a target's DSPy: one line, exit 3); every "
                  "scenario runs with its own folder, then DIR, on sys.path, DIR read-only; "
                  "DIR's pyproject.toml [tool.dspy-compat] gives the defaults (there, "
                  "`project = \".\"` turns this on)")
      ->type_name("DIR");
  cmd->add_option("--scenarios", run.scenarios,
                  "Scenario files or folders (default: the bundled catalogue). A pytest file "
                  "(test_*.py, *_test.py) or FILE::NAME is your tests: each test runs as a "
                  "scenario of its own, through pytest in the target (pytest must be installed "
                  "there), and reports show its test id")
      ->delimiter(',');
  cmd->add_option_function<std::string>(
         "--repeat",
         [&run](const std::string& text) {
           if (text.find_first_not_of("0123456789") == std::string::npos) {
             run.repeat = std::stoi(text);
           } else {
             run.adaptive_repeat = text;
           }
         },
         "Repetitions per scenario and target: a count, or 'adaptive' (at least 5, "
         "at most 50: a clean streak stops once a failure rate of 10% or more is "
         "unlikely, mixed results once the rate is known to +/-15%), or MIN..MAX "
         "(default: the scenario's REPEAT, else adaptive 10..40: 24 runs for a pair that always "
         "passes, 10 for one that always fails, until its rate is known to +/-20% for one whose "
         "runs disagree; and both targets of a scenario on, up to 40, while their difference "
         "could be chance)")
      ->check(CheckRepeat);
  cmd->add_option("-j,--jobs", run.jobs, "Runs in parallel (default: number of cores)")
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--timeout", run.timeout_seconds,
                  "Time limit per run in seconds (default: the scenario's TIMEOUT, else 120)")
      ->check(CLI::Range(1, 86400));
  cmd->add_option("--lm-delay-ms", run.lm_delay,
                  "Mock LM latency, MS or MIN-MAX, for every scenario (default: the "
                  "scenario's LM-DELAY-MS, else 5-15)");
  cmd->add_option("-o,--out", run.out, "Output folder")->capture_default_str();
  cmd->add_option("--seed", run.seed, "Seed for the mock LM's delays (default: random; recorded)");
  cmd->add_option("--cache-dir", run.cache_dir, "Environment cache (default: $DSPY_COMPAT_CACHE)");
  cmd->add_flag("--keep-work", run.keep_work, "Keep each run's folder under DIR/work");
  cmd->add_option("--memory-limit-mb", run.memory_limit_mb,
                  "Heap a run may use (MiB; 0: no limit); past it the run is an error, not a "
                  "scenario failure")
      ->check(CLI::Range(0, 1 << 20))
      ->capture_default_str();
  cmd->add_option("--output-limit-mb", run.output_limit_mb,
                  "Largest output (or file) a run may write (MiB; 0: no limit); past it the "
                  "run is stopped and reported as an error")
      ->check(CLI::Range(0, 1 << 20))
      ->capture_default_str();
  cmd->add_flag("--no-changed-code", run.no_changed_code,
                "Do not look for the changed DSPy code regressions ran (by default at most 3 "
                "regression or behaviour-change pairs are rerun once on each side with DSPy's "
                "lines traced, and the changed hunks they executed go into results.json and "
                "the reports)");
  cmd->add_flag("--cold", run.cold,
                "Start every run in a fresh interpreter (default: fork each run from a "
                "per-target interpreter that imported DSPy once; as isolated, much faster)");
  cmd->add_option("--pass-env", run.pass_env,
                  "Pass this variable of yours to scenarios unchanged (repeatable; globs "
                  "like MY_* allowed). Scenarios get an allow-listed environment otherwise; "
                  "results record the names passed, never the values")
      ->allow_extra_args(false);
  cmd->add_option("--sandbox", run.sandbox,
                  "Kernel-level containment of each run: auto (bubblewrap when it works here, "
                  "else a process group only), bwrap (bubblewrap or exit 3), none (a process "
                  "group only). In bubblewrap a run has a PID namespace of its own (it cannot "
                  "signal the harness; everything it started, setsid or not, dies with it and "
                  "with the harness) and your home hidden; as root also a network namespace "
                  "with loopback only. Each run's results record which it had")
      ->check(CLI::IsMember({"auto", "bwrap", "none"}))
      ->capture_default_str();
  cmd->add_flag("--pass-home", run.pass_home,
                "Let runs read your home folder (hidden in the sandbox by default: SSH keys, "
                "cloud credentials)");
  // The always-scrubbed list is containment's own, not a copy.
  cmd->add_option("--scrub", run.scrub,
                  fmt::format("Also replace this variable by a dummy value in scenarios "
                              "(repeatable; globs allowed). Always scrubbed: {}",
                              fmt::join(kDefaultScrubPatterns, ", ")))
      ->allow_extra_args(false);
  cmd->add_option("--shard", run.shard,
                  "Run the I-th of N stable slices of the matrix (I/N, e.g. 2/4); combine "
                  "the shards' results with `dspy-compat merge`");
  cmd->add_flag("--gate", run.gate,
                "Then gate the results: exit 1 on a regression or behaviour change, 3 when "
                "inconclusive (see `dspy-compat gate --help`)");
  cmd->add_flag("--strict-prompts", run.gate_options.strict_prompts,
                "With --gate: prompt text that differs from the baseline target's fails "
                "the gate too (implies --gate)");
  cmd->add_option("--baseline", run.gate_options.baseline,
                  "Gate against this saved baseline (implies --gate)");
  cmd->add_flag("--update-baseline", run.gate_options.update_baseline,
                "Write the results' outcomes into --baseline FILE and exit 0");
  AddKnowledgeFlag(*cmd, run.knowledge);
  auto* resume = cmd->add_option(
      "--resume", run.resume,
      "Finish the session killed or interrupted in DIR (its --out), with the options it "
      "recorded: the runs it finished are kept, the rest run with the same run ids and seeds, "
      "and results.json ends as an uninterrupted session's would (timings aside); takes no "
      "other run flag");
  resume->type_name("DIR");
  return cmd;
}

}  // namespace dspy_compat
