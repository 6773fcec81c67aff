// dspy-compat run: targets and scenarios in, results.json and the reports
// (report.md, report.html, junit.xml) out; with --gate, a CI decision too.
#include <fmt/chrono.h>
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "catalogue/expectations.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/interrupt.h"
#include "cli/out_folder.h"
#include "cli/report_files.h"
#include "cli/session_options.h"
#include "cli/source_root.h"
#include "core/iso_time.h"
#include "process/sandbox.h"
#include "results/adaptive_repeat.h"
#include "results/results_file.h"
#include "runner/changed_code.h"
#include "runner/local_runs.h"
#include "runner/progress.h"
#include "runner/replay.h"
#include "runner/results_sink.h"
#include "runner/resume.h"
#include "runner/scheduler.h"
#include "runner/session.h"
#include "runner/session_description.h"
#include "runner/session_inputs.h"
#include "targets/environment_cache.h"
#include "targets/project_env.h"
#include "targets/release_resolver.h"

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

// Prints what could not be written and which results.json stays.
int ReportUnwritten(const std::string& what, std::size_t runs) {
  std::cerr << fmt::format(
      "dspy-compat: cannot write the session's files: {}; the {} finished runs were not saved "
      "there (the last results.json written, if any, stays; give an --out on a writable file "
      "system with room, or free some)\n",
      what, runs);
  return kExitInfrastructure;
}

}  // namespace

int RunCommand(const RunOptions& given) {
  const fs::path root = SourceRoot();
  auto& interrupted = InstallInterruptHandlers();

  // --resume DIR: the folder first (no other session may write it while it
  // is read), then the options and runs its results.json recorded.
  RunOptions options = given;
  std::optional<OutFolder> out_folder;
  std::optional<Results> recorded;
  if (given.resume) {
    const fs::path dir = *given.resume;
    try {
      out_folder.emplace(OutFolder::Take(dir, /*resume=*/true));
      recorded = ReadSessionToResume(dir);
      options = RunOptionsToResume(*recorded, dir);
    } catch (const std::runtime_error& e) {  // OutFolderError, ResumeError, a bad record
      std::cerr << "dspy-compat: --resume: " << e.what() << "\n";
      return kExitUsage;
    }
  }

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
  std::optional<ReplayedRun> replayed;
  std::vector<std::string> target_names = options.targets;
  std::vector<fs::path> scenario_paths = options.scenarios;
  if (options.replay) {
    try {
      replayed = FindReplayedRun(*options.replay, root);
    } catch (const ReplayError& e) {
      std::cerr << "dspy-compat: " << e.what() << "\n";
      return kExitUsage;
    }
    if (scenario_paths.empty() && replayed->scenario_path) {
      scenario_paths.push_back(*replayed->scenario_path);
    }
    if (target_names.empty()) target_names.push_back(replayed->target_name);
  }
  // --project DIR: read (and so checked) before anything is installed; so is
  // every MOCK-FIXTURE.
  std::optional<Project> project;
  MockLmEndpoint::Fixtures fixtures;
  try {
    targets = ChooseTargets(target_names, options.baseline_target, root, releases);
    knowledge = LoadKnowledge(options.knowledge, root);
    auto paths = ResolveBundledScenarios(scenario_paths, root);
    // The session's folder and the cache are no project files, even inside it.
    if (options.project) project = ReadProject(*options.project, {options.out, cache_root});
    // A team's test ids are relative to its project's root, as pytest's are.
    scenarios = DiscoverSessionScenarios(
        {.paths = std::move(paths), .project_root = project ? project->root : fs::path()}, root);
    fixtures = PrepareScenarios(scenarios, root, options.lm_delay);
  } catch (const ReleaseError& e) {  // a release that does not exist or does not resolve
    std::cerr << "dspy-compat: " << e.what() << "\n";
    return kExitInfrastructure;
  } catch (const std::runtime_error& e) {  // TargetError, ScenarioError, KnowledgeError, fixtures
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
  // No --repeat: scenarios without REPEAT repeat adaptively (one run cannot
  // see an intermittent failure); those with it run REPEAT times.
  const bool default_repeat = !options.repeat && !adaptive;
  if (default_repeat) adaptive = DefaultRunRepeat();
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
  if (shard && !given.resume && !options.seed) {
    std::cerr << "dspy-compat: warning: --shard without --seed; `merge` needs every shard to have "
                 "run with the same --seed\n";
  }
  const bool gate = options.gate || options.gate_options.baseline.has_value() ||
                    options.gate_options.update_baseline || options.gate_options.strict_prompts;
  if (gate) {
    if (int usage = CheckGateOptions(options.gate_options); usage != kExitOk) return usage;
  }

  // The seed is drawn now so that the session's record replays it.
  const std::uint64_t seed = options.seed.value_or(std::random_device{}());
  options.seed = seed;

  Session session({.scenarios = scenarios,
                   .targets = targets,
                   .plan = plan_options,
                   .adaptive = adaptive,
                   .scenario_repeat_wins = default_repeat,
                   .shard = shard});
  if (recorded) {
    try {
      session.Restore(recorded->runs, *recorded->environment.plan);
    } catch (const SessionError& e) {
      std::cerr << "dspy-compat: --resume: cannot finish that session here: " << e.what() << "\n";
      return kExitUsage;
    }
  } else {
    // Inputs are good: the folder is this session's now (a second session,
    // or someone else's files, stop here with nothing touched).
    try {
      out_folder.emplace(OutFolder::Take(options.out, /*resume=*/false));
    } catch (const OutFolderError& e) {
      std::cerr << "dspy-compat: " << e.what() << "\n";
      return kExitUsage;
    }
  }

  PythonEnvironmentBuilder builder(cache_root / "scratch");
  EnvironmentCache cache(cache_root, builder);
  // --project: each target's environment is the project's in it.
  std::optional<ProjectEnvironments> project_envs;
  if (project) project_envs.emplace(*project, cache, builder, cache_root / "scratch");
  std::map<std::string, ProjectEnvironmentInfo> project_info;  // by target name
  try {
    bool provisioned = session.ProvisionTargets(
        [&](const Target& target) {
          auto log = [](std::string_view line) { std::cerr << line << "\n"; };
          if (!project_envs) return cache.Sync(target, log);
          auto ready = project_envs->Sync(target, log);
          project_info[target.name] = std::move(ready.info);
          return ready.target;
        },
        interrupted);
    if (!provisioned) return kExitInterrupted;
  } catch (const ProvisionError& e) {
    std::cerr << "dspy-compat: " << e.what() << "\n";
    return kExitInfrastructure;
  }
  targets = session.spec().targets;  // provisioned: interpreters, lock hashes

  std::optional<LocalRuns> local;
  {
    // What runs need under a hidden home, bound back into their sandbox.
    std::vector<fs::path> read_only = {cache_root};
    for (const auto& t : targets) read_only.push_back(InterpreterPrefix(t.interpreter));
    std::vector<fs::path> scenario_files;
    for (const auto& s : scenarios) scenario_files.push_back(s.path);
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
          .explore_quiet_ms = options.explore_quiet_ms,
          .replay = replayed ? replayed->run.lm_schedule : std::nullopt,
          .fixtures = std::move(fixtures),
          .sandbox = ParseSandboxMode(options.sandbox).value_or(SandboxMode::kAuto),
          .pass_home = options.pass_home,
          .read_only = std::move(read_only),
          .scenario_files = std::move(scenario_files),
          .project_root = project ? project->root : fs::path(),
          .log = [](std::string_view line) { std::cerr << "dspy-compat: " << line << "\n"; }});
    } catch (const LocalRunsError& e) {
      std::cerr << "dspy-compat: " << e.what() << "\n";
      return kExitInfrastructure;
    }
  }

  const int jobs = options.jobs > 0
                       ? options.jobs
                       : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const std::size_t first_round = session.NextRound().size();

  const Scheduler::Execute execute = [&](const RunSpec& spec, const std::atomic<bool>* cancel) {
    return local->Execute(spec, cancel);
  };
  Results results;
  auto& env = results.environment;
  DescribeSession({.seed = seed,
                   .command_line = options.command_line,
                   .started_at = recorded ? recorded->environment.started_at : IsoUtcNow(),
                   .jobs = jobs,
                   .repeat = options.repeat.value_or(plan_options.default_repeat),
                   .adaptive = adaptive,
                   .environment = local->environment(),
                   .knowledge = knowledge.files()},
                  env);
  DescribeTargets(targets, project_info, env);
  DescribeScenarios(scenarios, targets, root, env);
  env.shard = shard;
  env.plan = session.plan();
  env.planned_runs = static_cast<int>(session.plan().size());
  env.session_options = SessionOptionsJson(options);
  results.runs = session.runs();  // a resumed session's finished runs

  std::error_code ec;
  const fs::path results_path = options.out / "results.json";

  std::cerr << fmt::format(
      "dspy-compat: {} scenarios x {} targets = {}{} runs{}, {} jobs, seed {}\n", scenarios.size(),
      targets.size(), adaptive ? "a first round of " : "", first_round,
      shard ? fmt::format(" (shard {}/{})", shard->index, shard->count) : "", jobs, seed);
  Progress progress(0, Progress::ShouldBeLive(2), std::cerr, Progress::TerminalWidth(2));
  ProgressObserver observer(progress);
  // Every finished run is written at once: a kill loses none of them.
  ResultsFileSink sink(results_path, results, std::chrono::milliseconds(0));
  results.runs = session.Run(jobs, execute, interrupted, &observer, &sink);
  const int planned = session.planned_runs();
  env.planned_runs = planned;
  env.plan = session.plan();
  progress.Done();
  if (!options.no_changed_code && !interrupted.load()) {
    results.changed_code =
        FindChangedCodeOfSession(results, scenarios, targets, plan_options, execute,
                                 root / "target_runner" / "dspy_compat_changed_code.py",
                                 fs::absolute(options.out) / "work" / "changed-code", &interrupted);
    if (const std::size_t pairs = results.changed_code.size(); pairs > 0) {
      std::cerr << fmt::format(
          "dspy-compat: traced {} regression pair{} once more on each side for the changed DSPy "
          "code they ran\n",
          pairs, pairs == 1 ? "" : "s");
    }
  }
  local->Stop();  // kills what warm interpreters still run (after Ctrl-C), and the server
  if (!options.keep_work) fs::remove_all(options.out / "work", ec);

  env.interrupted = interrupted.load();
  // Only a session that ran its whole plan is finished (results v1.11).
  if (!env.interrupted && session.Complete()) env.finished_at = IsoUtcNow();
  try {
    WriteResultsFile(results_path, results);
  } catch (const std::exception& e) {  // a read-only or full file system
    return ReportUnwritten(e.what(), results.runs.size());
  }
  try {
    WriteReportFiles(options.out, results, knowledge);
  } catch (const std::exception& e) {
    std::cerr << fmt::format("dspy-compat: results {} written, but not the reports: {}\n",
                             results_path.string(), e.what());
    return kExitInfrastructure;
  }
  std::cerr << fmt::format(
      "dspy-compat: {} of {} runs done{}; results {}, reports {}/report.md, "
      "report.html, junit.xml\n",
      results.runs.size(), planned, env.interrupted ? " (interrupted)" : "", results_path.string(),
      options.out.string());
  if (env.interrupted) return kExitInterrupted;
  if (env.finished_at.empty()) {  // a restored plan that could not be finished
    std::cerr << "dspy-compat: the session did not finish its plan\n";
    return kExitInfrastructure;
  }
  return gate ? ApplyGate(results, options.gate_options, std::cout) : kExitOk;
}

}  // namespace dspy_compat
