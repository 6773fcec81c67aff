// dspy-compat run: targets and scenarios in, results.json and the reports
// (report.md, report.html, junit.xml) out; with --gate, a CI decision too.
#include <fmt/chrono.h>
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <system_error>
#include <thread>

#include "catalogue/discovery.h"
#include "catalogue/expectations.h"
#include "catalogue/scenario_info.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/interrupt.h"
#include "cli/mock_lm_endpoint.h"
#include "cli/report_files.h"
#include "cli/source_root.h"
#include "core/iso_time.h"
#include "mock_server/fixtures.h"
#include "mock_server/server.h"
#include "results/adaptive_repeat.h"
#include "results/results_file.h"
#include "runner/containment.h"
#include "runner/progress.h"
#include "runner/run_executor.h"
#include "runner/scheduler.h"
#include "targets/environment_cache.h"
#include "targets/target_definition.h"

namespace dspy_compat {
namespace fs = std::filesystem;

namespace {

TargetInfo InfoOf(const Target& t) {
  return {t.name,         t.kind == Target::Kind::kLocked ? "locked" : "python",
          t.dspy_version, t.python_version,
          t.lock_hash,    t.interpreter.string()};
}

// Rewrites results.json as runs finish (at most once a second), so that a
// harness killed outright still leaves what it had gathered.
class ResultsSink {
 public:
  ResultsSink(fs::path path, Results results)
      : path_(std::move(path)), results_(std::move(results)) {}

  void Add(const RunResult& run) {
    std::lock_guard lock(mutex_);
    results_.runs.push_back(run);
    auto now = std::chrono::steady_clock::now();
    if (now - last_write_ > std::chrono::seconds(1)) {
      WriteResultsFile(path_, results_);
      last_write_ = now;
    }
  }

 private:
  fs::path path_;
  Results results_;
  std::mutex mutex_;
  std::chrono::steady_clock::time_point last_write_{};
};

}  // namespace

int RunCommand(const RunOptions& options) {
  const fs::path root = SourceRoot();
  auto& interrupted = InstallInterruptHandlers();

  // Inputs first: every usage error is reported before anything is installed.
  std::vector<Target> targets;
  std::vector<Scenario> scenarios;
  PlanOptions plan_options;
  try {
    std::vector<std::string> names = options.targets;
    if (names.empty()) names.assign(std::begin(kDefaultTargets), std::end(kDefaultTargets));
    targets = ResolveTargets(names, root / "fixtures" / "targets");
    auto paths = options.scenarios;
    if (paths.empty()) paths.push_back(root / "scenarios");
    scenarios = DiscoverScenarios(paths);
    ResolveMockFixtures(scenarios, root);
    if (options.lm_delay) {
      DelaySpec delay = ParseDelaySpec(*options.lm_delay);
      for (auto& s : scenarios) s.options.lm_delay = delay;
    }
  } catch (const std::runtime_error& e) {  // TargetError, ScenarioError
    std::cerr << "dspy-compat: " << e.what() << "\n";
    return kExitUsage;
  }
  // Every MOCK-FIXTURE is loaded (and so checked) before anything runs.
  MockLmEndpoint::Fixtures fixtures;
  for (const Scenario& s : scenarios) {
    if (s.mock_fixture_path.empty() || fixtures.contains(s.mock_fixture_path)) continue;
    try {
      fixtures[s.mock_fixture_path] =
          std::make_shared<const mock::FixtureSet>(mock::LoadFixtureFile(s.mock_fixture_path));
    } catch (const std::exception& e) {
      std::cerr << fmt::format("dspy-compat: {}: MOCK-FIXTURE {}: {}\n", s.path.string(),
                               s.mock_fixture, e.what());
      return kExitUsage;
    }
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
                    options.gate_options.update_baseline;
  if (gate) {
    if (int usage = CheckGateOptions(options.gate_options); usage != kExitOk) return usage;
  }

  // A shard provisions only the targets its slice runs: with N even and two
  // targets, each CI job installs one DSPy instead of two.
  // Adaptive repetitions decide per (scenario, target) pair, so they plan in
  // rounds over pairs; a shard holds whole pairs (PairInShard).
  struct Pair {
    std::size_t scenario = 0;
    std::size_t target = 0;
    int runs = 0;
    int failures = 0;
  };
  std::vector<Pair> pairs;
  if (adaptive) {
    std::size_t k = 0;
    for (std::size_t s = 0; s < scenarios.size(); ++s) {
      for (std::size_t t = 0; t < targets.size(); ++t, ++k) {
        if (!plan_options.supported(scenarios[s], targets[t])) continue;
        if (shard && !PairInShard(k, *shard)) continue;
        pairs.push_back({s, t});
      }
    }
  }
  std::vector<bool> needed(targets.size(), !shard.has_value());
  if (shard && adaptive) {
    for (const Pair& pair : pairs) needed[pair.target] = true;
  } else if (shard) {
    for (const RunSpec& spec : SelectShard(PlanRuns(scenarios, targets, plan_options), *shard)) {
      for (std::size_t t = 0; t < targets.size(); ++t) {
        if (targets[t].name == spec.target.name) needed[t] = true;
      }
    }
  }

  const auto cache_root = options.cache_dir.value_or(EnvironmentCache::DefaultRoot());
  PythonEnvironmentBuilder builder(cache_root / "scratch");
  EnvironmentCache cache(cache_root, builder);
  for (std::size_t t = 0; t < targets.size(); ++t) {
    if (!needed[t]) continue;
    auto& target = targets[t];
    try {
      target = cache.Sync(target, [](std::string_view line) { std::cerr << line << "\n"; });
    } catch (const ProvisionError& e) {
      std::cerr << "dspy-compat: " << e.what() << "\n";
      return kExitInfrastructure;
    }
    if (interrupted.load()) return kExitInterrupted;
  }

  const std::uint64_t seed = options.seed.value_or(std::random_device{}());
  mock::MockLmServer::Options server_options;
  server_options.seed = seed;
  mock::MockLmServer server(server_options);
  try {
    server.Start();
  } catch (const std::exception& e) {
    std::cerr << "dspy-compat: the mock LM server would not start: " << e.what() << "\n";
    return kExitInfrastructure;
  }

  // Containment: the same policy for cold runs and for the warm interpreters
  // they fork from (a run whose environment differed would start cold).
  std::optional<RefusingPort> refusing;
  try {
    refusing.emplace();
  } catch (const std::system_error& e) {
    std::cerr << "dspy-compat: cannot reserve a refusing loopback port for runs' proxy "
                 "variables: "
              << e.what() << "\n";
    return kExitInfrastructure;
  }
  const ContainmentPolicy containment{
      .scrub = options.scrub, .pass = options.pass_env, .refusing_proxy = refusing->ProxyUrl()};
  const auto parent_env = CurrentEnvironment();
  const EnvironmentDecision env_decision = DecideEnvironment(parent_env, containment);

  const int jobs = options.jobs > 0
                       ? options.jobs
                       : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  // The next round of runs: a fixed plan is one round; adaptive pairs ask
  // for more until each is settled.
  auto next_round = [&]() {
    std::vector<RunSpec> round;
    if (!adaptive) return round;
    for (const Pair& pair : pairs) {
      int more = MoreRunsNeeded(*adaptive, pair.runs, pair.failures);
      for (int rep = pair.runs + 1; rep <= pair.runs + more; ++rep) {
        round.push_back(MakeRunSpec(scenarios[pair.scenario], targets[pair.target], pair.target,
                                    rep, plan_options));
      }
    }
    // Repetition-major, as a fixed plan, so an interrupted round still
    // covers every pair.
    std::stable_sort(round.begin(), round.end(), [](const RunSpec& a, const RunSpec& b) {
      return a.repetition < b.repetition;
    });
    return round;
  };
  std::vector<RunSpec> plan;
  if (adaptive) {
    plan = next_round();
  } else {
    plan = PlanRuns(scenarios, targets, plan_options);
    if (shard) plan = SelectShard(plan, *shard);
  }

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
  env.planned_runs = static_cast<int>(plan.size());
  env.cache_policy = "fresh DSPY_CACHEDIR and HOME per run";
  for (const auto& t : targets) env.targets.push_back(InfoOf(t));
  for (const auto& s : scenarios) {
    env.scenarios.push_back(s.id);
    env.scenario_summaries[s.id] = s.summary;
    env.scenario_info[s.id] = DescribeScenario(s, targets, root);
  }
  env.shard = shard;
  env.passed_env = env_decision.passed;
  env.scrubbed_env = env_decision.scrubbed;

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
      targets.size(), adaptive ? "a first round of " : "", plan.size(),
      shard ? fmt::format(" (shard {}/{})", shard->index, shard->count) : "", jobs, seed);
  MockLmEndpoint endpoint(server, fixtures);
  // Temporary (issue 12), until the run session takes --schedule: DSPY_COMPAT_SCHEDULE=pct or
  // random makes every run explore LM response orders.
  if (const char* name = std::getenv("DSPY_COMPAT_SCHEDULE"); name != nullptr && *name != 0) {
    auto strategy = mock::ParseScheduleStrategy(name);
    if (!strategy) {
      std::cerr << "dspy-compat: DSPY_COMPAT_SCHEDULE: unknown strategy \"" << name
                << "\" (known: natural, pct, random)\n";
      return kExitUsage;
    }
    if (*strategy != mock::ScheduleStrategy::kNatural) {
      endpoint.ExploreEveryRun({.strategy = *strategy, .seed = seed});
    }
  }
  // Temporary, idem --replay: DSPY_COMPAT_REPLAY=RESULTS_JSON:RUN_ID replays that run's schedule.
  if (const char* replay = std::getenv("DSPY_COMPAT_REPLAY"); replay != nullptr && *replay != 0) {
    std::string spec = replay;
    std::size_t colon = spec.rfind(':');
    std::optional<LmSchedule> record;
    try {
      if (colon != std::string::npos) {
        for (const RunResult& r : ReadResultsFile(spec.substr(0, colon)).runs) {
          if (r.run_id == spec.substr(colon + 1)) record = r.lm_schedule;
        }
      }
    } catch (const std::exception& e) {
      std::cerr << "dspy-compat: DSPY_COMPAT_REPLAY: " << e.what() << "\n";
      return kExitUsage;
    }
    if (!record) {
      std::cerr << "dspy-compat: DSPY_COMPAT_REPLAY: no explored run " << spec
                << " (expected RESULTS_JSON:RUN_ID)\n";
      return kExitUsage;
    }
    endpoint.ReplayEveryRun(*record);
  }
  std::optional<WarmPool> warm;  // per-target warm interpreters, unless --cold
  if (!options.cold) {
    warm.emplace(WarmPoolOptions{
        .server_script = root / "fixtures" / "runner" / "dspy_compat_forkserver.py",
        .work_root = fs::absolute(options.out) / "work",
        .parent_env = parent_env,
        .containment = containment,
        .log = [](std::string_view line) { std::cerr << "dspy-compat: " << line << "\n"; }});
  }
  RunExecutor executor({.runner_script = root / "fixtures" / "runner" / "dspy_compat_runner.py",
                        .work_root = fs::absolute(options.out) / "work",
                        .keep_work = options.keep_work,
                        .warm = warm ? &*warm : nullptr,
                        .containment = containment,
                        .memory_limit_mb = options.memory_limit_mb,
                        .output_limit_mb = options.output_limit_mb},
                       endpoint);
  Progress progress(static_cast<int>(plan.size()), Progress::ShouldBeLive(2), std::cerr,
                    Progress::TerminalWidth(2));
  ResultsSink sink(results_path, results);
  std::map<std::string, LmTraffic> traffic;  // run id -> summary; callbacks are serialised
  Scheduler scheduler(jobs,
                      [&](const RunSpec& spec, const std::atomic<bool>* cancel) {
                        return executor.Execute(spec, cancel);
                      },
                      {[&](const RunSpec& spec) { progress.Started(spec); },
                       [&](const RunSpec& spec, const RunResult& result) {
                         progress.Finished(spec, result);
                         RunResult recorded = result;
                         recorded.lm_traffic = endpoint.TakeSummary(result.run_id);
                         if (recorded.lm_traffic) traffic[result.run_id] = *recorded.lm_traffic;
                         sink.Add(recorded);
                       }});
  results.runs = scheduler.Run(plan, interrupted);
  int planned = static_cast<int>(plan.size());
  while (adaptive && !interrupted.load()) {
    for (Pair& pair : pairs) pair.runs = pair.failures = 0;
    for (const RunResult& run : results.runs) {
      for (Pair& pair : pairs) {
        if (run.scenario_id == scenarios[pair.scenario].id &&
            run.target_name == targets[pair.target].name) {
          ++pair.runs;
          if (IsFailure(run.status)) ++pair.failures;
        }
      }
    }
    std::vector<RunSpec> round = next_round();
    if (round.empty()) break;
    planned += static_cast<int>(round.size());
    progress.AddPlanned(static_cast<int>(round.size()));
    std::vector<RunResult> more = scheduler.Run(round, interrupted);
    results.runs.insert(results.runs.end(), more.begin(), more.end());
  }
  env.planned_runs = planned;
  if (adaptive) {
    // Plan order, as a fixed session writes it: repetition, scenario, target.
    auto index_of = [](const auto& list, const std::string& name, auto key) {
      return std::find_if(list.begin(), list.end(), [&](const auto& x) { return key(x) == name; }) -
             list.begin();
    };
    std::stable_sort(results.runs.begin(), results.runs.end(),
                     [&](const RunResult& a, const RunResult& b) {
                       auto sid = [](const Scenario& s) { return s.id; };
                       auto tid = [](const Target& t) { return t.name; };
                       return std::tuple(a.repetition, index_of(scenarios, a.scenario_id, sid),
                                         index_of(targets, a.target_name, tid)) <
                              std::tuple(b.repetition, index_of(scenarios, b.scenario_id, sid),
                                         index_of(targets, b.target_name, tid));
                     });
  }
  for (RunResult& run : results.runs) {
    if (auto it = traffic.find(run.run_id); it != traffic.end()) run.lm_traffic = it->second;
  }
  progress.Done();
  if (warm) warm->Stop();  // kills what they still run (after Ctrl-C) and themselves
  server.Stop();
  if (!options.keep_work) fs::remove_all(options.out / "work", ec);

  env.finished_at = IsoUtcNow();
  env.interrupted = interrupted.load();
  WriteResultsFile(results_path, results);
  WriteReportFiles(options.out, results);
  std::cerr << fmt::format(
      "dspy-compat: {} of {} runs done{}; results {}, reports {}/report.md, "
      "report.html, junit.xml\n",
      results.runs.size(), planned, env.interrupted ? " (interrupted)" : "", results_path.string(),
      options.out.string());
  if (env.interrupted) return kExitInterrupted;
  return gate ? ApplyGate(results, options.gate_options, std::cout) : kExitOk;
}

}  // namespace dspy_compat
