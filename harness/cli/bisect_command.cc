// dspy-compat bisect: a scenario and two releases in, the first release that
// behaves differently out (stdout), with results.json of every release
// probed and its reports (the good release as the baseline target).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <iostream>
#include <map>
#include <random>
#include <thread>

#include "catalogue/scenario_info.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/interrupt.h"
#include "cli/report_files.h"
#include "cli/source_root.h"
#include "core/iso_time.h"
#include "results/adaptive_repeat.h"
#include "results/results_file.h"
#include "runner/bisect.h"
#include "runner/local_runs.h"
#include "runner/results_sink.h"
#include "runner/scheduler.h"
#include "runner/session_description.h"
#include "runner/session_inputs.h"
#include "targets/environment_cache.h"
#include "targets/release_resolver.h"
#include "targets/version_spec.h"

namespace dspy_compat {
namespace fs = std::filesystem;

namespace {

// "2.5.35" or "dspy==2.5.35" -> "2.5.35".
std::string VersionOf(const std::string& text) {
  const std::string prefix = "dspy==";
  return text.starts_with(prefix) ? text.substr(prefix.size()) : text;
}

std::string_view FindingName(StepFinding finding) {
  switch (finding) {
    case StepFinding::kSameAsGood:
      return "as good";
    case StepFinding::kChanged:
      return "changed";
    case StepFinding::kUndecided:
      return "undecided";
  }
  return "";
}

void Log(std::string_view line) { std::cerr << "dspy-compat: " << line << "\n"; }

}  // namespace

int BisectCommand(const BisectOptions& options) {
  const fs::path root = SourceRoot();
  auto& interrupted = InstallInterruptHandlers();

  // Inputs first: the scenario, the policy and the releases between.
  std::vector<Scenario> scenarios;
  AdaptiveRepeat policy;
  MockLmEndpoint::Fixtures fixtures;
  KnowledgeBase knowledge;
  try {
    scenarios = DiscoverSessionScenarios(
        {.paths = ResolveBundledScenarios({options.scenario}, root)}, root);
    if (scenarios.size() != 1) {
      std::cerr << fmt::format("dspy-compat: bisect: {} holds {} scenarios; give one file\n",
                               options.scenario.string(), scenarios.size());
      return kExitUsage;
    }
    fixtures = PrepareScenarios(scenarios, root, options.lm_delay);
    policy = ParseAdaptiveRepeat(options.repeat);
    knowledge = LoadKnowledge(options.knowledge, root);
  } catch (const std::exception& e) {  // ScenarioError, KnowledgeError, invalid_argument
    std::cerr << "dspy-compat: " << e.what() << "\n";
    return kExitUsage;
  }
  const Scenario& scenario = scenarios[0];

  const auto cache_root = options.cache_dir.value_or(EnvironmentCache::DefaultRoot());
  HttpPackageIndex index(ChooseIndexUrl(options.releases.index_url));
  UvLockCompiler compiler;
  ReleaseTargets releases(index, compiler, cache_root / "locks", options.releases.pre, Log);
  const std::string good = VersionOf(options.good);
  const std::string bad = VersionOf(options.bad);
  const auto good_version = TryParseVersion(good);
  const auto bad_version = TryParseVersion(bad);
  if (!good_version || !bad_version || !(*good_version < *bad_version)) {
    std::cerr << fmt::format(
        "dspy-compat: bisect: --good {} and --bad {} must be two releases the index serves, the "
        "good one older\n",
        good, bad);
    return kExitUsage;
  }
  std::vector<std::string> versions;
  try {
    versions = releases.Versions(fmt::format("dspy>={},<={}", good, bad));
  } catch (const VersionError& e) {
    std::cerr << "dspy-compat: bisect: " << e.what() << "\n";
    return kExitUsage;
  } catch (const ReleaseError& e) {
    std::cerr << "dspy-compat: bisect: " << e.what() << "\n";
    return kExitInfrastructure;
  }
  if (versions.size() < 2 || versions.front() != good || versions.back() != bad) {
    std::cerr << fmt::format(
        "dspy-compat: bisect: --good {} and --bad {} must be two releases the index serves, the "
        "good one older (between them it lists: {})\n",
        good, bad, versions.empty() ? "none" : fmt::format("{}", fmt::join(versions, ", ")));
    return kExitUsage;
  }
  std::vector<Bisection::Candidate> candidates;
  for (const std::string& v : versions) candidates.push_back({"dspy-" + v, v});

  std::error_code ec;
  fs::create_directories(options.out, ec);
  if (ec) {
    std::cerr << fmt::format("dspy-compat: cannot create --out folder {}: {}\n",
                             options.out.string(), ec.message());
    return kExitUsage;
  }

  const std::uint64_t seed = options.seed.value_or(std::random_device{}());
  std::optional<LocalRuns> local;
  try {
    local.emplace(
        LocalRunsOptions{.root = root,
                         .work_root = fs::absolute(options.out) / "work",
                         .keep_work = options.keep_work,
                         .cold = options.cold,
                         .pass_env = options.pass_env,
                         .seed = seed,
                         .schedule = options.schedule,
                         .fixtures = std::move(fixtures),
                         .sandbox = ParseSandboxMode(options.sandbox).value_or(SandboxMode::kAuto),
                         .read_only = {cache_root},
                         .scenario_files = {scenario.path},
                         .log = Log});
  } catch (const LocalRunsError& e) {
    std::cerr << "dspy-compat: " << e.what() << "\n";
    return kExitInfrastructure;
  }
  const int jobs = options.jobs > 0
                       ? options.jobs
                       : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

  Results results;
  auto& env = results.environment;
  DescribeSession({.seed = seed,
                   .command_line = options.command_line,
                   .started_at = IsoUtcNow(),
                   .jobs = jobs,
                   .adaptive = policy,
                   .environment = local->environment(),
                   .knowledge = knowledge.files()},
                  env);
  env.scenarios = {scenario.id};
  env.scenario_summaries[scenario.id] = scenario.summary;
  const fs::path results_path = options.out / "results.json";
  ResultsFileSink sink(results_path, results);

  // Each release is locked and provisioned the first time it is probed.
  PythonEnvironmentBuilder builder(cache_root / "scratch");
  EnvironmentCache cache(cache_root, builder);
  std::map<std::size_t, Target> provisioned;
  PlanOptions plan;
  plan.default_repeat = 1;
  const Scheduler::Execute execute = [&](const RunSpec& spec, const std::atomic<bool>* cancel) {
    return local->Execute(spec, cancel);
  };
  Bisection::Measure measure = [&](std::size_t release, int first, int count) {
    auto it = provisioned.find(release);
    if (it == provisioned.end()) {
      std::vector<Target> locked = releases.Expand("dspy==" + versions[release]);
      it = provisioned.emplace(release, cache.Sync(locked.at(0), Log)).first;
      local->AllowRead(InterpreterPrefix(it->second.interpreter));
    }
    std::vector<RunSpec> round;
    for (int rep = first; rep < first + count; ++rep) {
      round.push_back(MakeRunSpec(scenario, it->second, release, rep, plan));
    }
    Scheduler scheduler(
        jobs, execute,
        {.started = {}, .finished = [&](const RunSpec&, const RunResult& run) { sink.Add(run); }});
    return scheduler.Run(round, interrupted);
  };
  std::cerr << fmt::format(
      "dspy-compat: bisect {} between {} and {}: {} releases, {} jobs, seed {}\n", scenario.id,
      good, bad, versions.size(), jobs, seed);
  Bisection bisection(candidates, policy, measure, [&](const BisectStep& step, const Outcome&) {
    std::cerr << fmt::format("dspy-compat: bisect: {:<8} {:<9} {}\n", versions[step.release],
                             FindingName(step.finding), step.reason);
  });
  BisectAnswer answer;
  try {
    answer = bisection.Run(interrupted);
  } catch (const std::exception& e) {  // a Measure error Bisection did not expect
    std::cerr << "dspy-compat: bisect: " << e.what() << "\n";
    answer.kind = BisectAnswer::Kind::kInterrupted;
    answer.summary = e.what();
  }
  local->Stop();
  if (!options.keep_work) fs::remove_all(options.out / "work", ec);

  // results.json: every release probed, in version order, the good one first
  // (the baseline target every verdict compares with).
  std::vector<Target> probed;
  for (const auto& [release, target] : provisioned) probed.push_back(target);
  DescribeTargets(probed, {}, env);
  env.scenario_info[scenario.id] = DescribeScenario(scenario, probed, root);
  results.runs = bisection.runs();
  env.planned_runs = static_cast<int>(results.runs.size());
  env.finished_at = IsoUtcNow();
  env.interrupted = interrupted.load();
  try {
    WriteResultsFile(results_path, results);
    WriteReportFiles(options.out, results, knowledge);
  } catch (const std::exception& e) {
    std::cerr << "dspy-compat: cannot write the results: " << e.what() << "\n";
    return kExitInfrastructure;
  }
  std::cout << "bisect " << scenario.id << ": " << answer.summary << "\n";
  std::cerr << fmt::format(
      "dspy-compat: {} runs on {} releases; results {}, reports {}/report.md\n",
      results.runs.size(), probed.size(), results_path.string(), options.out.string());
  if (env.interrupted) return kExitInterrupted;
  return answer.kind == BisectAnswer::Kind::kFound ? kExitOk : kExitInconclusive;
}

}  // namespace dspy_compat
