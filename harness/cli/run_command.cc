// dspy-compat run: targets and scenarios in, results.json and the reports
// (report.md, report.html, junit.xml) out; with --gate, a CI decision too.
#include <fmt/chrono.h>
#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <random>
#include <system_error>
#include <thread>

#include "catalogue/discovery.h"
#include "catalogue/expectations.h"
#include "catalogue/scenario_info.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/interrupt.h"
#include "cli/report_files.h"
#include "cli/source_root.h"
#include "core/iso_time.h"
#include "mock_server/fixtures.h"
#include "results/adaptive_repeat.h"
#include "results/results_file.h"
#include "runner/local_runs.h"
#include "runner/mock_lm_endpoint.h"
#include "runner/progress.h"
#include "runner/run_environment.h"
#include "runner/results_sink.h"
#include "runner/session.h"
#include "targets/environment_cache.h"
#include "targets/release_resolver.h"
#include "targets/target_definition.h"

namespace dspy_compat {
namespace fs = std::filesystem;

namespace {

// The progress display hears the session.
class ProgressObserver : public SessionObserver {
 public:
  explicit ProgressObserver(Progress& progress) : progress_(progress) {}
  void RoundPlanned(const std::vector<RunSpec>& round) override {
    progress_.AddPlanned(static_cast<int>(round.size()));
  }
  void RunStarted(const RunSpec& spec) override { progress_.Started(spec); }
  void RunFinished(const RunSpec& spec, const RunResult& result) override {
    progress_.Finished(spec, result);
  }

 private:
  Progress& progress_;
};

}  // namespace

int RunCommand(const RunOptions& options) {
  const fs::path root = SourceRoot();
  auto& interrupted = InstallInterruptHandlers();

  // Inputs first: every usage error is reported before anything is installed.
  std::vector<Target> targets;
  std::vector<Scenario> scenarios;
  KnowledgeBase knowledge;
  PlanOptions plan_options;
  const auto cache_root = options.cache_dir.value_or(EnvironmentCache::DefaultRoot());
  HttpPackageIndex index(ChooseIndexUrl(options.releases.index_url));
  UvLockCompiler compiler;
  ReleaseTargets releases(index, compiler, cache_root / "locks", options.releases.pre,
                          [](std::string_view line) { std::cerr << line << "\n"; });
  // --replay: the explored run to repeat, and (unless given) its scenario
  // and target.
  std::optional<RunResult> replayed;
  std::vector<std::string> target_names = options.targets;
  std::vector<fs::path> scenario_paths = options.scenarios;
  if (options.replay) {
    const std::string& spec = *options.replay;
    const std::size_t colon = spec.rfind(':');
    try {
      if (colon != std::string::npos) {
        Results earlier = ReadResultsFile(spec.substr(0, colon));
        for (const RunResult& r : earlier.runs) {
          if (r.run_id != spec.substr(colon + 1) || !r.lm_schedule) continue;
          replayed = r;
          auto info = earlier.environment.scenario_info.find(r.scenario_id);
          if (scenario_paths.empty() && info != earlier.environment.scenario_info.end()) {
            fs::path path = info->second.path;
            scenario_paths.push_back(path.is_absolute() ? path : root / path);
          }
          if (target_names.empty()) target_names.push_back(r.target_name);
        }
      }
    } catch (const std::runtime_error& e) {  // ResultsFormatError, file errors
      std::cerr << "dspy-compat: --replay: " << e.what() << "\n";
      return kExitUsage;
    }
    if (!replayed) {
      std::cerr << "dspy-compat: --replay " << spec
                << ": no explored run of that id in that file (expected RESULTS_JSON:RUN_ID "
                   "of a run with an lm_schedule)\n";
      return kExitUsage;
    }
  }
  try {
    std::vector<std::string> names = SplitTargetList(target_names);
    if (names.empty()) names = DefaultTargetNames(root / "fixtures" / "targets");
    targets = ResolveTargets(names, root / "fixtures" / "targets", &releases);
    if (options.baseline_target) MakeBaseline(targets, *options.baseline_target);
    knowledge = LoadKnowledge(options.knowledge, root);
    auto paths = ResolveBundledScenarios(scenario_paths, root);
    if (paths.empty()) paths.push_back(root / "scenarios");
    scenarios = DiscoverScenarios(paths);
    ResolveMockFixtures(scenarios, root);
    if (options.lm_delay) {
      DelaySpec delay = ParseDelaySpec(*options.lm_delay);
      for (auto& s : scenarios) s.options.lm_delay = delay;
    }
  } catch (const ReleaseError& e) {  // a release that does not exist or does not resolve
    std::cerr << "dspy-compat: " << e.what() << "\n";
    return kExitInfrastructure;
  } catch (const std::runtime_error& e) {  // TargetError, ScenarioError, KnowledgeError
    std::cerr << "dspy-compat: " << e.what() << "\n";
    return kExitUsage;
  }
  // Every MOCK-FIXTURE is loaded (and so checked) before anything runs.
  MockLmEndpoint::Fixtures fixtures;
  try {
    fixtures = LoadMockFixtures(scenarios);
  } catch (const std::runtime_error& e) {
    std::cerr << "dspy-compat: " << e.what() << "\n";
    return kExitUsage;
  }
  std::optional<AdaptiveRepeat> adaptive;
  if (options.adaptive_repeat) {
    try {
      adaptive = ParseAdaptiveRepeat(*options.adaptive_repeat);
    } catch (const std::invalid_argument& e) {
      std::cerr << "dspy-compat: " << e.what() << "\n";
      return kExitUsage;
    }
  }
  plan_options.supported = [](const Scenario& s, const Target& t) {
    return RequirementsMet(s.requirements, t.name, t.dspy_version);
  };
  plan_options.repeat = options.repeat;
  if (options.timeout_seconds)
    plan_options.timeout = std::chrono::seconds(*options.timeout_seconds);
  std::optional<ShardInfo> shard;
  try {
    if (options.shard) shard = ParseShard(*options.shard);
  } catch (const PlanError& e) {
    std::cerr << "dspy-compat: " << e.what() << "\n";
    return kExitUsage;
  }
  if (shard && !options.seed) {
    std::cerr << "dspy-compat: warning: --shard without --seed; `merge` needs every shard to have "
                 "run with the same --seed\n";
  }
  const bool gate = options.gate || options.gate_options.baseline.has_value() ||
                    options.gate_options.update_baseline || options.gate_options.strict_prompts;
  if (gate) {
    if (int usage = CheckGateOptions(options.gate_options); usage != kExitOk) return usage;
  }

  Session session({.scenarios = scenarios,
                   .targets = targets,
                   .plan = plan_options,
                   .adaptive = adaptive,
                   .shard = shard});

  PythonEnvironmentBuilder builder(cache_root / "scratch");
  EnvironmentCache cache(cache_root, builder);
  try {
    bool provisioned = session.ProvisionTargets(
        [&](const Target& target) {
          return cache.Sync(target, [](std::string_view line) { std::cerr << line << "\n"; });
        },
        interrupted);
    if (!provisioned) return kExitInterrupted;
  } catch (const ProvisionError& e) {
    std::cerr << "dspy-compat: " << e.what() << "\n";
    return kExitInfrastructure;
  }
  targets = session.spec().targets;  // provisioned: interpreters, lock hashes

  const std::uint64_t seed = options.seed.value_or(std::random_device{}());
  std::optional<LocalRuns> local;
  try {
    local.emplace(LocalRunsOptions{
        .root = root,
        .work_root = fs::absolute(options.out) / "work",
        .keep_work = options.keep_work,
        .cold = options.cold,
        .scrub = options.scrub,
        .pass_env = options.pass_env,
        .memory_limit_mb = options.memory_limit_mb,
        .output_limit_mb = options.output_limit_mb,
        .seed = seed,
        .schedule = options.schedule,
        .replay = replayed ? replayed->lm_schedule : std::nullopt,
        .fixtures = std::move(fixtures),
        .log = [](std::string_view line) { std::cerr << "dspy-compat: " << line << "\n"; }});
  } catch (const LocalRunsError& e) {
    std::cerr << "dspy-compat: " << e.what() << "\n";
    return kExitInfrastructure;
  }

  const int jobs = options.jobs > 0
                       ? options.jobs
                       : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const std::size_t first_round = session.NextRound().size();

  Results results;
  auto& env = results.environment;
  env.harness_version = DSPY_COMPAT_VERSION;
  env.seed = seed;
  env.command_line = options.command_line;
  env.started_at = IsoUtcNow();
  env.jobs = jobs;
  env.repeat = adaptive ? 0 : options.repeat.value_or(plan_options.default_repeat);
  if (adaptive) {
    env.min_repeat = adaptive->min_runs;
    env.max_repeat = adaptive->max_runs;
  }
  env.planned_runs = static_cast<int>(first_round);
  env.cache_policy = kCachePolicy;
  for (const auto& t : targets) env.targets.push_back(DescribeTarget(t));
  for (const auto& s : scenarios) {
    env.scenarios.push_back(s.id);
    env.scenario_summaries[s.id] = s.summary;
    env.scenario_info[s.id] = DescribeScenario(s, targets, root);
  }
  env.shard = shard;
  env.passed_env = local->environment().passed;
  env.scrubbed_env = local->environment().scrubbed;
  env.knowledge = knowledge.files();

  std::error_code ec;
  fs::create_directories(options.out, ec);
  if (ec) {
    std::cerr << "dspy-compat: cannot create --out folder " << options.out.string() << ": "
              << ec.message() << "\n";
    return kExitUsage;
  }
  const fs::path results_path = options.out / "results.json";

  std::cerr << fmt::format(
      "dspy-compat: {} scenarios x {} targets = {}{} runs{}, {} jobs, seed {}\n", scenarios.size(),
      targets.size(), adaptive ? "a first round of " : "", first_round,
      shard ? fmt::format(" (shard {}/{})", shard->index, shard->count) : "", jobs, seed);
  Progress progress(0, Progress::ShouldBeLive(2), std::cerr, Progress::TerminalWidth(2));
  ProgressObserver observer(progress);
  ResultsFileSink sink(results_path, results);
  results.runs = session.Run(
      jobs,
      [&](const RunSpec& spec, const std::atomic<bool>* cancel) {
        return local->Execute(spec, cancel);
      },
      interrupted, &observer, &sink);
  const int planned = session.planned_runs();
  env.planned_runs = planned;
  progress.Done();
  local->Stop();  // kills what warm interpreters still run (after Ctrl-C), and the server
  if (!options.keep_work) fs::remove_all(options.out / "work", ec);

  env.finished_at = IsoUtcNow();
  env.interrupted = interrupted.load();
  WriteResultsFile(results_path, results);
  WriteReportFiles(options.out, results, knowledge);
  std::cerr << fmt::format(
      "dspy-compat: {} of {} runs done{}; results {}, reports {}/report.md, "
      "report.html, junit.xml\n",
      results.runs.size(), planned, env.interrupted ? " (interrupted)" : "", results_path.string(),
      options.out.string());
  if (env.interrupted) return kExitInterrupted;
  return gate ? ApplyGate(results, options.gate_options, std::cout) : kExitOk;
}

}  // namespace dspy_compat
