// dspy-compat bisect's flags (the command: bisect_command.cc).
#include "cli/flags.h"
#include "results/adaptive_repeat.h"

namespace dspy_compat {

CLI::App* AddBisectFlags(CLI::App& app, BisectOptions& bisect) {
  auto* cmd = app.add_subcommand(
      "bisect",
      "Find the first DSPy release after --good on which a scenario behaves differently "
      "(pass/fail rate, or a behaviour change), provisioning only the releases it probes");
  cmd->add_option("scenario", bisect.scenario, "The scenario file")->required();
  cmd->add_option("--good", bisect.good, "The release it behaves as expected on (2.5.35)")
      ->required();
  cmd->add_option("--bad", bisect.bad, "A later release it behaves differently on (2.6.0)")
      ->required();
  cmd->add_option("--repeat", bisect.repeat,
                  "Runs per release: 'adaptive' (5 to 50: until the release's 95% interval "
                  "separates from the good release's, or settles like it) or MIN..MAX")
      ->check([](const std::string& text) -> std::string {
        try {
          ParseAdaptiveRepeat(text);
        } catch (const std::invalid_argument& e) {
          return e.what();
        }
        return {};
      })
      ->capture_default_str();
  cmd->add_option("--schedule", bisect.schedule,
                  "How the mock LM releases responses (as `run --schedule`)")
      ->check(CLI::IsMember({"natural", "pct", "random", "explore"}))
      ->capture_default_str();
  cmd->add_option("-j,--jobs", bisect.jobs, "Runs in parallel (default: number of cores)")
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--timeout", bisect.timeout_seconds,
                  "Time limit per run in seconds (default: the scenario's TIMEOUT, else 120)")
      ->check(CLI::Range(1, 86400));
  cmd->add_option("--lm-delay-ms", bisect.lm_delay,
                  "Mock LM latency, MS or MIN-MAX (default: the scenario's LM-DELAY-MS)");
  cmd->add_option("-o,--out", bisect.out,
                  "Output folder: results.json of every release probed, and its reports")
      ->capture_default_str();
  cmd->add_option("--seed", bisect.seed, "Seed for the mock LM (default: random; recorded)");
  cmd->add_option("--cache-dir", bisect.cache_dir,
                  "Environment cache (default: $DSPY_COMPAT_CACHE)");
  cmd->add_flag("--cold", bisect.cold, "Start every run in a fresh interpreter");
  cmd->add_flag("--keep-work", bisect.keep_work, "Keep each run's folder under DIR/work");
  cmd->add_option("--pass-env", bisect.pass_env,
                  "Pass this variable of yours to the scenario unchanged (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--sandbox", bisect.sandbox, "Containment of runs (as `run --sandbox`)")
      ->check(CLI::IsMember({"auto", "bwrap", "none"}))
      ->capture_default_str();
  cmd->add_flag("--pre", bisect.releases.pre, "Search pre-releases too");
  cmd->add_option("--index-url", bisect.releases.index_url,
                  "Package index (PEP 691 JSON) (default: UV_INDEX_URL, PIP_INDEX_URL, else "
                  "https://pypi.org/simple/)");
  AddKnowledgeFlag(*cmd, bisect.knowledge);
  cmd->footer(
      "It measures --good until its outcome settles, then --bad: if that differs, a binary "
      "search between them; if it behaves as --good (a change a later release undid), an "
      "exponential search from --good, then a binary one. Each step prints its counts. Exit 0: "
      "the first changed release was found; 3: a step could not decide, no release probed "
      "differs, or a release could not be provisioned; 2: bad input; 130: interrupted (the "
      "runs so far are in DIR/results.json).");
  return cmd;
}

}  // namespace dspy_compat
