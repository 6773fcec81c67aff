#include "results/gate.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace dspy_compat {
namespace {

// pass < flaky < fail: how much a pair fails.
int Rank(Classification c) {
  switch (c) {
    case Classification::kPass:
      return 0;
    case Classification::kFlaky:
      return 1;
    case Classification::kFail:
      return 2;
    case Classification::kNone:
      break;
  }
  return -1;
}

// The ranks an expectation accepts, as [low, high].
std::pair<int, int> Accepted(Expectation e) {
  switch (e) {
    case Expectation::kPass:
      return {0, 0};
    case Expectation::kFlaky:
      return {1, 1};
    case Expectation::kFail:
      return {2, 2};
    case Expectation::kFailOrFlaky:
      return {1, 2};
    case Expectation::kBehaviourChange:
      return {0, 0};
    case Expectation::kAny:
      break;
  }
  return {0, 2};
}

Expectation FromClassification(Classification c) {
  switch (c) {
    case Classification::kPass:
      return Expectation::kPass;
    case Classification::kFlaky:
      return Expectation::kFailOrFlaky;
    case Classification::kFail:
      return Expectation::kFail;
    case Classification::kNone:
      break;
  }
  return Expectation::kAny;
}

std::string Observed(const Outcome& o) {
  std::string text = o.failures == 0 ? fmt::format("{} of {} runs passed", o.total, o.total)
                                     : fmt::format("{} of {} runs failed", o.failures, o.total);
  if (!o.signatures.empty()) text += ": " + o.signatures.front().signature;
  if (o.signatures.size() > 1)
    text += fmt::format(" (+{} other signatures)", o.signatures.size() - 1);
  return text;
}

std::string SourceText(ExpectationSource source, const Aggregate& aggregate,
                       const std::string& target) {
  switch (source) {
    case ExpectationSource::kBaselineFile:
      return "baseline file";
    case ExpectationSource::kHeader:
      return "EXPECT";
    case ExpectationSource::kDefault:
      break;
  }
  if (aggregate.targets.size() <= 1) return "default";
  if (target == aggregate.targets.front()) return "default: the baseline target is not gated";
  return fmt::format("default: no worse than {}", aggregate.targets.front());
}

const Verdict* VerdictOf(const Aggregate& aggregate, const std::string& scenario,
                         const std::string& target) {
  for (const ScenarioAggregate& s : aggregate.scenarios) {
    if (s.scenario_id != scenario) continue;
    for (const Verdict& v : s.verdicts) {
      if (v.target_name == target) return &v;
    }
  }
  return nullptr;
}

std::string FirstLineOf(const std::string& text) { return text.substr(0, text.find('\n')); }

const Outcome* OutcomeOf(const Aggregate& aggregate, const std::string& scenario,
                         const std::string& target) {
  for (const ScenarioAggregate& s : aggregate.scenarios) {
    if (s.scenario_id != scenario) continue;
    for (const Outcome& o : s.outcomes) {
      if (o.target_name == target) return &o;
    }
  }
  return nullptr;
}

PairCheck Check(const Results& results, const Aggregate& aggregate, const Baseline* baseline,
                const GatePolicy& policy, const Outcome& outcome) {
  PairCheck check;
  check.scenario_id = outcome.scenario_id;
  check.target_name = outcome.target_name;
  check.observed = outcome.classification;
  if (outcome.total == 0) {
    if (auto info = results.environment.scenario_info.find(outcome.scenario_id);
        info != results.environment.scenario_info.end() &&
        std::find(info->second.unsupported.begin(), info->second.unsupported.end(),
                  outcome.target_name) != info->second.unsupported.end()) {
      check.status = PairStatus::kUnsupported;
      std::string requires_text;
      for (const std::string& r : info->second.requirements) {
        requires_text += (requires_text.empty() ? "" : " ") + r;
      }
      check.reason = fmt::format("REQUIRES {} excludes this target", requires_text);
      return check;
    }
    check.status = PairStatus::kNotRun;
    check.reason = "no runs";
    return check;
  }
  if (int errors = outcome.Count(Status::kError); errors > 0) {
    check.status = PairStatus::kInfrastructure;
    std::string what;
    for (const RunResult& run : results.runs) {
      if (run.scenario_id == outcome.scenario_id && run.target_name == outcome.target_name &&
          run.status == Status::kError) {
        what = run.error_message.substr(0, run.error_message.find('\n'));
        break;
      }
    }
    check.reason = fmt::format("{} of {} runs could not be run by the harness{}", errors,
                               outcome.total, what.empty() ? "" : ": " + what);
    return check;
  }
  if (int unresolved = outcome.Count(Status::kUnresolved); unresolved > 0) {
    check.status = PairStatus::kUnresolved;
    std::string what;
    for (const RunResult& run : results.runs) {
      if (run.scenario_id == outcome.scenario_id && run.target_name == outcome.target_name &&
          run.status == Status::kUnresolved) {
        what = ErrorSignature(run);
        break;
      }
    }
    check.reason = fmt::format("{} of {} runs could not start: {}", unresolved, outcome.total,
                               FirstLineOf(what));
    return check;
  }
  auto [expected, source] =
      ExpectationFor(results, aggregate, baseline, outcome.scenario_id, outcome.target_name);
  check.expected = expected;
  check.source = source;
  auto [low, high] = Accepted(expected);
  int rank = Rank(outcome.classification);
  if (rank > high) {
    check.status = PairStatus::kRegression;
  } else if (rank < low) {
    check.status = PairStatus::kUnexpectedPass;
  }
  if (source == ExpectationSource::kBaselineFile && outcome.failures > 0 &&
      check.status != PairStatus::kRegression) {
    const BaselineEntry* entry = baseline->Find(outcome.scenario_id, outcome.target_name);
    std::set<std::string> known(entry->signatures.begin(), entry->signatures.end());
    for (const SignatureCount& s : outcome.signatures) {
      std::string normalised = NormalizeSignature(s.signature);
      if (!known.contains(normalised) &&
          std::find(check.new_signatures.begin(), check.new_signatures.end(), normalised) ==
              check.new_signatures.end()) {
        check.new_signatures.push_back(normalised);
      }
    }
    if (!check.new_signatures.empty()) check.status = PairStatus::kRegression;
  }
  check.reason = fmt::format("expected {} ({}), {}", ExpectationName(expected),
                             SourceText(source, aggregate, outcome.target_name), Observed(outcome));
  if (!check.new_signatures.empty()) {
    check.reason += fmt::format("; new failure: {}", check.new_signatures.front());
  }
  // Passing as expected says nothing yet of how: compare with the baseline target.
  const Verdict* verdict = VerdictOf(aggregate, outcome.scenario_id, outcome.target_name);
  if (verdict == nullptr || check.status == PairStatus::kRegression) return check;
  std::vector<const BehaviourChange*> counted;
  for (const BehaviourChange& change : verdict->changes) {
    if (!change.prompt_text_only || policy.strict_prompts) counted.push_back(&change);
  }
  const BaselineEntry* entry = source == ExpectationSource::kBaselineFile
                                   ? baseline->Find(outcome.scenario_id, outcome.target_name)
                                   : nullptr;
  const bool accepted =
      expected == Expectation::kBehaviourChange || (entry != nullptr && entry->behaviour_change);
  if (!counted.empty() && accepted) {
    check.reason += fmt::format("; known behaviour change: {}", counted.front()->detail);
  } else if (!counted.empty() && high == 0) {
    // Only a pair expected to pass is held to behaving alike: one already
    // expected to fail is known to be broken on this target.
    check.status = PairStatus::kBehaviourChange;
    check.reason += fmt::format("; but it behaves differently: {}", counted.front()->detail);
    if (counted.size() > 1) check.reason += fmt::format(" (+{} more)", counted.size() - 1);
  } else if (counted.empty() && expected == Expectation::kBehaviourChange &&
             outcome.classification == Classification::kPass) {
    check.status = PairStatus::kUnexpectedPass;
    check.reason += "; no behaviour change seen";
  }
  return check;
}

}  // namespace

std::string_view PairStatusName(PairStatus status) {
  switch (status) {
    case PairStatus::kAsExpected:
      return "as-expected";
    case PairStatus::kRegression:
      return "regression";
    case PairStatus::kUnexpectedPass:
      return "unexpected-pass";
    case PairStatus::kInfrastructure:
      return "infrastructure";
    case PairStatus::kNotRun:
      return "not-run";
    case PairStatus::kUnsupported:
      return "unsupported";
    case PairStatus::kBehaviourChange:
      return "behaviour-change";
    case PairStatus::kUnresolved:
      return "unresolved";
  }
  return "not-run";
}

std::string_view ExpectationSourceName(ExpectationSource source) {
  switch (source) {
    case ExpectationSource::kBaselineFile:
      return "baseline";
    case ExpectationSource::kHeader:
      return "header";
    case ExpectationSource::kDefault:
      return "default";
  }
  return "default";
}

std::string_view GateOutcomeName(GateOutcome outcome) {
  switch (outcome) {
    case GateOutcome::kPassed:
      return "passed";
    case GateOutcome::kRegression:
      return "regression";
    case GateOutcome::kInfrastructure:
      return "infrastructure";
    case GateOutcome::kUnresolved:
      return "unresolved";
  }
  return "infrastructure";
}

int GateReport::Count(PairStatus status) const {
  return static_cast<int>(std::count_if(checks.begin(), checks.end(),
                                        [&](const PairCheck& c) { return c.status == status; }));
}

std::pair<Expectation, ExpectationSource> ExpectationFor(const Results& results,
                                                         const Aggregate& aggregate,
                                                         const Baseline* baseline,
                                                         const std::string& scenario,
                                                         const std::string& target) {
  if (baseline != nullptr) {
    if (const BaselineEntry* entry = baseline->Find(scenario, target)) {
      return {FromClassification(entry->outcome), ExpectationSource::kBaselineFile};
    }
  }
  const auto& info = results.environment.scenario_info;
  if (auto it = info.find(scenario); it != info.end()) {
    if (auto e = it->second.expected.find(target); e != it->second.expected.end()) {
      return {e->second, ExpectationSource::kHeader};
    }
  }
  if (aggregate.targets.size() <= 1) return {Expectation::kPass, ExpectationSource::kDefault};
  if (target == aggregate.targets.front()) return {Expectation::kAny, ExpectationSource::kDefault};
  const Outcome* reference = OutcomeOf(aggregate, scenario, aggregate.targets.front());
  Classification c = reference == nullptr ? Classification::kNone : reference->classification;
  return {FromClassification(c), ExpectationSource::kDefault};
}

GateReport EvaluateGate(const Results& results, const Baseline* baseline,
                        const GatePolicy& policy) {
  GateReport report;
  const RunEnvironment& env = results.environment;
  Aggregate aggregate = AggregateResults(results);
  const int finished = static_cast<int>(results.runs.size());
  if (env.interrupted) {
    report.incomplete.push_back(fmt::format(
        "the session was interrupted after {} of {} planned runs", finished, env.planned_runs));
  } else if (finished < env.planned_runs) {
    report.incomplete.push_back(
        fmt::format("only {} of {} planned runs finished", finished, env.planned_runs));
  } else if (env.plan && env.finished_at.empty()) {
    // v1.11: a session killed outright (or between adaptive rounds) never
    // set finished_at, whatever its runs say.
    report.incomplete.push_back(
        fmt::format("the session did not finish ({} of the {} runs planned so far have results; "
                    "`dspy-compat run --resume DIR` finishes it)",
                    finished, env.plan->size()));
  }
  if (!env.merged_shards.empty()) {
    const int count = env.merged_shards.front().count;
    for (int i = 1; i <= count; ++i) {
      bool present = std::any_of(env.merged_shards.begin(), env.merged_shards.end(),
                                 [&](const ShardInfo& s) { return s.index == i; });
      if (!present)
        report.incomplete.push_back(fmt::format("shard {}/{} was not merged", i, count));
    }
  }
  int not_run = 0;
  for (const ScenarioAggregate& scenario : aggregate.scenarios) {
    for (const Outcome& outcome : scenario.outcomes) {
      report.checks.push_back(Check(results, aggregate, baseline, policy, outcome));
      if (report.checks.back().status == PairStatus::kNotRun) ++not_run;
    }
  }
  // One shard runs a slice of the matrix; the pairs it left out ran elsewhere.
  if (not_run > 0 && !env.shard && report.incomplete.empty()) {
    report.incomplete.push_back(
        fmt::format("{} scenario/target pair{} have no runs", not_run, not_run == 1 ? "" : "s"));
  }
  if (!report.incomplete.empty() || report.Count(PairStatus::kInfrastructure) > 0) {
    report.outcome = GateOutcome::kInfrastructure;
  } else if (report.Count(PairStatus::kUnresolved) > 0) {
    report.outcome = GateOutcome::kUnresolved;
  } else if (report.Count(PairStatus::kRegression) > 0 ||
             report.Count(PairStatus::kBehaviourChange) > 0) {
    report.outcome = GateOutcome::kRegression;
  }
  return report;
}

std::string FormatGateReport(const GateReport& report) {
  std::string out;
  for (const std::string& reason : report.incomplete) {
    out += fmt::format("INCOMPLETE       {}\n", reason);
  }
  for (const PairCheck& check : report.checks) {
    std::string_view label;
    switch (check.status) {
      case PairStatus::kRegression:
        label = "REGRESSION";
        break;
      case PairStatus::kInfrastructure:
        label = "INFRASTRUCTURE";
        break;
      case PairStatus::kUnexpectedPass:
        label = "UNEXPECTED-PASS";
        break;
      case PairStatus::kBehaviourChange:
        label = "BEHAVIOUR-CHANGE";
        break;
      case PairStatus::kUnresolved:
        label = "UNRESOLVED";
        break;
      case PairStatus::kAsExpected:
      case PairStatus::kNotRun:
      case PairStatus::kUnsupported:
        continue;
    }
    out += fmt::format("{:<16} {} on {}: {}\n", label, check.scenario_id, check.target_name,
                       check.reason);
  }
  int regressions = report.Count(PairStatus::kRegression);
  int changes = report.Count(PairStatus::kBehaviourChange);
  int infrastructure = report.Count(PairStatus::kInfrastructure);
  int unresolved = report.Count(PairStatus::kUnresolved);
  std::string verdict;
  switch (report.outcome) {
    case GateOutcome::kPassed:
      verdict = "passed";
      break;
    case GateOutcome::kRegression:
      verdict = regressions > 0 ? "FAILED, regression found" : "FAILED, behaviour change found";
      break;
    case GateOutcome::kInfrastructure:
      verdict = "INCONCLUSIVE, infrastructure error (neither pass nor regression)";
      break;
    case GateOutcome::kUnresolved:
      verdict =
          "INCONCLUSIVE, a scenario could not start (neither pass nor regression; fix it and run "
          "again)";
      break;
  }
  // Older lines stay as they were; the new kinds are named only when present.
  std::string extra;
  if (changes > 0)
    extra += fmt::format("{} behaviour change{}, ", changes, changes == 1 ? "" : "s");
  if (unresolved > 0) extra += fmt::format("{} unresolved, ", unresolved);
  out += fmt::format(
      "gate {}: {} regression{}, {}{} infrastructure, {} unexpected pass{}, {} as expected ({} "
      "scenario/target pairs)\n",
      verdict, regressions, regressions == 1 ? "" : "s", extra, infrastructure,
      report.Count(PairStatus::kUnexpectedPass),
      report.Count(PairStatus::kUnexpectedPass) == 1 ? "" : "es",
      report.Count(PairStatus::kAsExpected), report.checks.size());
  return out;
}

}  // namespace dspy_compat
