#include "results/aggregate.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

namespace dspy_compat {
namespace {

std::string_view FirstLine(std::string_view text) {
  return text.substr(0, text.find_first_of("\r\n"));
}

void AppendUnique(std::vector<std::string>& ids, const std::string& id) {
  if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
}

}  // namespace

Interval WilsonInterval(int successes, int trials, double z) {
  if (trials <= 0) return {0, 1};
  const double n = trials;
  const double p = successes / n;
  const double z2 = z * z;
  const double denominator = 1 + z2 / n;
  const double centre = (p + z2 / (2 * n)) / denominator;
  const double half = z / denominator * std::sqrt(p * (1 - p) / n + z2 / (4 * n * n));
  // At 0/n and n/n the bound is exactly 0 or 1; say so rather than 0.9999...
  return {successes <= 0 ? 0.0 : std::max(0.0, centre - half),
          successes >= trials ? 1.0 : std::min(1.0, centre + half)};
}

std::string ErrorSignature(const RunResult& run) {
  if (!IsFailure(run.status)) return "";
  if (run.error_type.empty()) return std::string(StatusName(run.status));
  std::string_view message = FirstLine(run.error_message);
  if (message.empty()) return run.error_type;
  return run.error_type + ": " + std::string(message);
}

std::string_view ClassificationName(Classification classification) {
  switch (classification) {
    case Classification::kNone:
      return "none";
    case Classification::kPass:
      return "pass";
    case Classification::kFail:
      return "fail";
    case Classification::kFlaky:
      return "flaky";
  }
  return "none";
}

Outcome ComputeOutcome(std::span<const RunResult> runs, std::string_view scenario_id,
                       std::string_view target_name) {
  Outcome outcome;
  outcome.scenario_id = scenario_id;
  outcome.target_name = target_name;
  std::map<std::string, int> signature_counts;
  std::vector<const RunResult*> failed;
  for (const RunResult& run : runs) {
    if (run.scenario_id != scenario_id || run.target_name != target_name) continue;
    ++outcome.total;
    ++outcome.status_counts[static_cast<std::size_t>(run.status)];
    if (!IsFailure(run.status)) continue;
    ++outcome.failures;
    ++signature_counts[ErrorSignature(run)];
    failed.push_back(&run);
  }
  for (auto& [signature, count] : signature_counts)
    outcome.signatures.push_back({signature, count});
  std::stable_sort(
      outcome.signatures.begin(), outcome.signatures.end(),
      [](const SignatureCount& a, const SignatureCount& b) { return a.count > b.count; });

  if (outcome.total > 0) {
    outcome.failure_rate = static_cast<double>(outcome.failures) / outcome.total;
  }
  outcome.failure_interval = WilsonInterval(outcome.failures, outcome.total);
  if (outcome.total == 0) {
    outcome.classification = Classification::kNone;
  } else if (outcome.failures == 0) {
    outcome.classification = Classification::kPass;
  } else if (outcome.failures == outcome.total) {
    outcome.classification = Classification::kFail;
  } else {
    outcome.classification = Classification::kFlaky;
  }

  if (!outcome.signatures.empty()) {
    const std::string& top = outcome.signatures.front().signature;
    const RunResult* example = nullptr;
    for (const RunResult* run : failed) {
      if (ErrorSignature(*run) != top) continue;
      if (example == nullptr) example = run;
      if (!run->traceback.empty()) {
        example = run;
        break;
      }
    }
    outcome.example_run_id = example->run_id;
    outcome.example_traceback = example->traceback;
    outcome.example_output_tail = example->output_tail;
  }
  return outcome;
}

std::string_view VerdictName(VerdictKind kind) {
  switch (kind) {
    case VerdictKind::kUnchanged:
      return "unchanged";
    case VerdictKind::kRegression:
      return "regression";
    case VerdictKind::kFixed:
      return "fixed";
    case VerdictKind::kFlaky:
      return "flaky";
    case VerdictKind::kIncomplete:
      return "incomplete";
  }
  return "incomplete";
}

Verdict CompareOutcomes(const Outcome& baseline, const Outcome& later) {
  using C = Classification;
  Verdict verdict;
  verdict.scenario_id = baseline.scenario_id;
  verdict.baseline_target = baseline.target_name;
  verdict.target_name = later.target_name;
  const C before = baseline.classification;
  const C after = later.classification;
  if (before == C::kNone || after == C::kNone) {
    verdict.kind = VerdictKind::kIncomplete;
  } else if (before == after && before != C::kFlaky) {
    verdict.kind = VerdictKind::kUnchanged;
  } else if (before == C::kPass) {
    verdict.kind = VerdictKind::kRegression;
    verdict.intermittent = after == C::kFlaky;
  } else if (after == C::kPass) {
    verdict.kind = VerdictKind::kFixed;
  } else {
    // flaky -> flaky, fail -> flaky, flaky -> fail: both sides fail at
    // least sometimes, and the rates alone do not settle which is worse.
    verdict.kind = VerdictKind::kFlaky;
  }
  return verdict;
}

Aggregate AggregateResults(const Results& results) {
  Aggregate aggregate;
  for (const TargetInfo& target : results.environment.targets) {
    AppendUnique(aggregate.targets, target.name);
  }
  std::vector<std::string> scenario_ids;
  for (const std::string& id : results.environment.scenarios) AppendUnique(scenario_ids, id);
  for (const RunResult& run : results.runs) {
    AppendUnique(aggregate.targets, run.target_name);
    AppendUnique(scenario_ids, run.scenario_id);
    ++aggregate.total_runs;
    if (IsFailure(run.status)) ++aggregate.failed_runs;
  }

  for (const std::string& id : scenario_ids) {
    ScenarioAggregate scenario;
    scenario.scenario_id = id;
    for (const std::string& target : aggregate.targets) {
      scenario.outcomes.push_back(ComputeOutcome(results.runs, id, target));
      Outcome& outcome = scenario.outcomes.back();
      if (auto info = results.environment.scenario_info.find(id);
          outcome.total == 0 && info != results.environment.scenario_info.end()) {
        const auto& excluded = info->second.unsupported;
        outcome.unsupported = std::find(excluded.begin(), excluded.end(), target) != excluded.end();
      }
    }
    for (std::size_t i = 1; i < scenario.outcomes.size(); ++i) {
      Verdict verdict = CompareOutcomes(scenario.outcomes.front(), scenario.outcomes[i]);
      ++aggregate.verdict_counts[static_cast<std::size_t>(verdict.kind)];
      if (verdict.intermittent) ++aggregate.intermittent_regressions;
      scenario.verdicts.push_back(std::move(verdict));
    }
    aggregate.scenarios.push_back(std::move(scenario));
  }
  return aggregate;
}

}  // namespace dspy_compat
