#include "runner/session.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>

namespace dspy_compat {

bool ShardsHoldScenarios(const SessionSpec& spec) {
  return spec.adaptive && spec.adaptive->separation_alpha > 0;
}

std::vector<SessionPair> AdaptivePairs(const SessionSpec& spec) {
  std::vector<SessionPair> pairs;
  const bool whole_scenarios = ShardsHoldScenarios(spec);
  std::size_t k = 0;  // every pair counts, supported or not, so shards agree on k
  for (std::size_t s = 0; s < spec.scenarios.size(); ++s) {
    for (std::size_t t = 0; t < spec.targets.size(); ++t, ++k) {
      if (spec.plan.supported && !spec.plan.supported(spec.scenarios[s], spec.targets[t])) continue;
      if (spec.shard && !PairInShard(whole_scenarios ? s : k, *spec.shard)) continue;
      pairs.push_back({s, t});
    }
  }
  return pairs;
}

std::vector<RunSpec> NextRound(const SessionSpec& spec, const std::vector<RunResult>& done) {
  std::vector<RunSpec> round;
  if (!spec.adaptive) {
    std::set<std::string> finished;
    for (const RunResult& run : done) finished.insert(run.run_id);
    std::vector<RunSpec> plan = PlanRuns(spec.scenarios, spec.targets, spec.plan);
    if (spec.shard) plan = SelectShard(plan, *spec.shard);
    for (RunSpec& run : plan) {
      if (!finished.contains(run.run_id)) round.push_back(std::move(run));
    }
    return round;
  }
  struct Counts {
    int runs = 0;
    int failures = 0;
    int last = 0;  // highest repetition
  };
  const std::vector<SessionPair> pairs = AdaptivePairs(spec);
  std::vector<Counts> counts(pairs.size());
  std::vector<int> more(pairs.size());
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const Scenario& scenario = spec.scenarios[pairs[i].scenario];
    const Target& target = spec.targets[pairs[i].target];
    Counts& c = counts[i];
    for (const RunResult& run : done) {
      if (run.scenario_id != scenario.id || run.target_name != target.name) continue;
      ++c.runs;
      if (IsFailure(run.status)) ++c.failures;
      c.last = std::max(c.last, run.repetition);
    }
    const std::optional<int>& fixed = scenario.options.repeat;
    // A single target is no baseline: it is what the session asks about.
    const bool baseline = pairs[i].target == 0 && spec.targets.size() > 1;
    more[i] = spec.scenario_repeat_wins && fixed
                  ? std::max(0, *fixed - c.runs)
                  : MoreRunsNeeded(baseline ? BaselinePolicy(*spec.adaptive) : *spec.adaptive,
                                   c.runs, c.failures);
  }
  // Separating the targets: a scenario's baseline pair against each later
  // pair (AdaptivePairs lists a scenario's pairs together, baseline first
  // when REQUIRES allows it; with the rule on, a shard holds them all).
  for (std::size_t b = 0; b < pairs.size(); ++b) {
    if (pairs[b].target != 0) continue;
    const Scenario& scenario = spec.scenarios[pairs[b].scenario];
    if (spec.scenario_repeat_wins && scenario.options.repeat) continue;  // its REPEAT is its count
    for (std::size_t l = b + 1; l < pairs.size() && pairs[l].scenario == pairs[b].scenario; ++l) {
      SeparationRuns separate = MoreRunsToSeparate(
          *spec.adaptive, counts[b].runs, counts[b].failures, counts[l].runs, counts[l].failures);
      more[b] = std::max(more[b], separate.baseline);
      more[l] = std::max(more[l], separate.later);
    }
  }
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const Scenario& scenario = spec.scenarios[pairs[i].scenario];
    const Target& target = spec.targets[pairs[i].target];
    for (int rep = counts[i].last + 1; rep <= counts[i].last + more[i]; ++rep) {
      round.push_back(MakeRunSpec(scenario, target, pairs[i].target, rep, spec.plan));
    }
  }
  std::stable_sort(round.begin(), round.end(),
                   [](const RunSpec& a, const RunSpec& b) { return a.repetition < b.repetition; });
  return round;
}

std::vector<RunSpec> SpecsOfPlan(const SessionSpec& spec, const std::vector<PlannedRun>& plan) {
  std::vector<RunSpec> specs;
  for (const PlannedRun& run : plan) {
    auto scenario = std::find_if(spec.scenarios.begin(), spec.scenarios.end(),
                                 [&](const Scenario& s) { return s.id == run.scenario_id; });
    auto target = std::find_if(spec.targets.begin(), spec.targets.end(),
                               [&](const Target& t) { return t.name == run.target_name; });
    if (scenario == spec.scenarios.end() || target == spec.targets.end()) {
      throw SessionError(
          fmt::format("planned run {}: {} is no longer there",  // e.g. a scenario file removed
                      run.run_id,
                      scenario == spec.scenarios.end() ? "scenario " + run.scenario_id
                                                       : "target " + run.target_name));
    }
    RunSpec made =
        MakeRunSpec(*scenario, *target, static_cast<std::size_t>(target - spec.targets.begin()),
                    run.repetition, spec.plan);
    if (made.run_id != run.run_id) {
      throw SessionError(
          fmt::format("planned run {} would now be run {}", run.run_id, made.run_id));
    }
    specs.push_back(std::move(made));
  }
  return specs;
}

void SortInPlanOrder(const SessionSpec& spec, std::vector<RunResult>& runs) {
  std::map<std::string, std::size_t> scenario_index, target_index;
  for (std::size_t i = spec.scenarios.size(); i-- > 0;) scenario_index[spec.scenarios[i].id] = i;
  for (std::size_t i = spec.targets.size(); i-- > 0;) target_index[spec.targets[i].name] = i;
  auto key = [&](const RunResult& run) {
    auto s = scenario_index.find(run.scenario_id);
    auto t = target_index.find(run.target_name);
    return std::tuple(run.repetition, s == scenario_index.end() ? spec.scenarios.size() : s->second,
                      t == target_index.end() ? spec.targets.size() : t->second);
  };
  std::stable_sort(runs.begin(), runs.end(),
                   [&](const RunResult& a, const RunResult& b) { return key(a) < key(b); });
}

Session::Session(SessionSpec spec) : spec_(std::move(spec)) {}

void Session::Restore(std::vector<RunResult> done, const std::vector<PlannedRun>& planned) {
  std::set<std::string> finished;
  for (const RunResult& run : done) finished.insert(run.run_id);
  std::vector<PlannedRun> left;
  for (const PlannedRun& run : planned) {
    if (!finished.contains(run.run_id)) left.push_back(run);
  }
  SpecsOfPlan(spec_, left);  // throws now, not half way
  restored_round_ = std::move(left);
  runs_ = std::move(done);
  plan_ = planned;
}

std::vector<RunSpec> Session::NextRound() const {
  // Made when asked: the targets are provisioned after a restore.
  if (!restored_round_.empty()) return SpecsOfPlan(spec_, restored_round_);
  return dspy_compat::NextRound(spec_, runs_);
}

std::vector<std::size_t> Session::TargetsInUse() const {
  std::vector<bool> used(spec_.targets.size(), !spec_.shard.has_value());
  if (spec_.shard && spec_.adaptive) {
    for (const SessionPair& pair : AdaptivePairs(spec_)) used[pair.target] = true;
  } else if (spec_.shard) {
    for (const RunSpec& run :
         SelectShard(PlanRuns(spec_.scenarios, spec_.targets, spec_.plan), *spec_.shard)) {
      for (std::size_t t = 0; t < spec_.targets.size(); ++t) {
        if (spec_.targets[t].name == run.target.name) used[t] = true;
      }
    }
  }
  std::vector<std::size_t> in_use;
  for (std::size_t t = 0; t < used.size(); ++t) {
    if (used[t]) in_use.push_back(t);
  }
  return in_use;
}

bool Session::ProvisionTargets(const Provision& provision, const std::atomic<bool>& cancel) {
  for (std::size_t t : TargetsInUse()) {
    spec_.targets[t] = provision(spec_.targets[t]);
    if (cancel.load()) return false;
  }
  return true;
}

const std::vector<RunResult>& Session::Run(int jobs, const Execute& execute,
                                           const std::atomic<bool>& cancel,
                                           SessionObserver* observer, ResultsSink* sink) {
  Scheduler::Events events;
  events.started = [observer](const RunSpec& spec) {
    if (observer) observer->RunStarted(spec);
  };
  // The sink first: a run shown as finished is already in results.json.
  events.finished = [observer, sink](const RunSpec& spec, const RunResult& result) {
    if (sink) sink->Add(result);
    if (observer) observer->RunFinished(spec, result);
  };
  Scheduler scheduler(jobs, execute, events);
  for (;;) {
    const bool restored = !restored_round_.empty();
    std::vector<RunSpec> round = NextRound();
    restored_round_.clear();
    if (round.empty()) break;
    if (!restored) {  // a restored round is in the plan already
      for (const RunSpec& run : round) plan_.push_back(PlannedRunOf(run));
    }
    if (observer) observer->RoundPlanned(round);
    if (sink && !restored) sink->Planned(round);
    std::vector<RunResult> finished = scheduler.Run(round, cancel);
    // Runs the scheduler never finished (cancelled) stay planned, for a resume.
    if (cancel.load()) {
      std::set<std::string> ids;
      for (const RunResult& run : finished) ids.insert(run.run_id);
      for (RunSpec& run : round) {
        if (!ids.contains(run.run_id)) restored_round_.push_back(PlannedRunOf(run));
      }
    }
    runs_.insert(runs_.end(), std::make_move_iterator(finished.begin()),
                 std::make_move_iterator(finished.end()));
    // Nothing finished of a whole round: planning again would repeat it.
    if (cancel.load() || finished.empty()) break;
  }
  // Rounds append; a fixed plan is in this order already.
  SortInPlanOrder(spec_, runs_);
  return runs_;
}

}  // namespace dspy_compat
