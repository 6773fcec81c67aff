#include "audit/audit_verdict.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

namespace dspy_compat {

namespace {

bool Contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

bool Changes(PairStatus status) {
  return status == PairStatus::kRegression || status == PairStatus::kBehaviourChange;
}

bool Undecided(PairStatus status) {
  return status == PairStatus::kInfrastructure || status == PairStatus::kUnresolved ||
         status == PairStatus::kNotRun;
}

std::string Plural(int n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

// What a reader knows a scenario by: a project test's pytest id, else its id.
std::string ShownId(const Results& results, const std::string& id) {
  const auto& info = results.environment.scenario_info;
  if (auto it = info.find(id); it != info.end() && !it->second.pytest_node.empty()) {
    return it->second.pytest_node;
  }
  return id;
}

void Decide(AuditVerdict& verdict) {
  if (!verdict.incomplete.empty() || verdict.inconclusive_pairs > 0) {
    verdict.kind = AuditVerdictKind::kInconclusive;
  } else if (verdict.failing_findings > 0 || verdict.project_regressions > 0 ||
             verdict.project_behaviour_changes > 0) {
    verdict.kind = AuditVerdictKind::kFailed;
  } else {
    verdict.kind = AuditVerdictKind::kPassed;
  }
}

}  // namespace

std::string_view AuditVerdictName(AuditVerdictKind kind) {
  switch (kind) {
    case AuditVerdictKind::kPassed:
      return "passed";
    case AuditVerdictKind::kFailed:
      return "FAILED";
    case AuditVerdictKind::kInconclusive:
      break;
  }
  return "INCONCLUSIVE";
}

std::vector<std::string> FindingScenarios(const AuditReport& report) {
  std::vector<std::string> ids;
  for (const AuditEntry& entry : report.entries) {
    if (entry.finding.suppressed) continue;
    for (const std::string& id : {entry.pattern.scenario, entry.migrated}) {
      if (!id.empty() && !Contains(ids, id)) ids.push_back(id);
    }
  }
  return ids;
}

AuditVerdict DecideAudit(const AuditReport& report, const Results& results,
                         const std::vector<std::string>& finding_scenarios) {
  AuditVerdict verdict;
  verdict.failing_findings = report.Failing();
  // The catalogue's scenarios against the baseline target, not their EXPECT lines.
  Results judged = results;
  for (const std::string& id : finding_scenarios) {
    if (auto it = judged.environment.scenario_info.find(id);
        it != judged.environment.scenario_info.end()) {
      it->second.expected.clear();
    }
  }
  const GateReport gate = EvaluateGate(judged);
  verdict.incomplete = gate.incomplete;
  for (const TargetInfo& target : results.environment.targets) {
    verdict.targets.push_back(target.name);
  }

  // A finding regresses where its scenario does.
  std::map<std::string, std::vector<const PairCheck*>> changed;  // scenario -> its changed pairs
  for (const PairCheck& check : gate.checks) {
    if (Changes(check.status)) changed[check.scenario_id].push_back(&check);
  }
  for (const AuditEntry& entry : report.entries) {
    if (entry.finding.suppressed || entry.pattern.level == "note") continue;
    auto it = changed.find(entry.pattern.scenario);
    if (it == changed.end()) continue;
    ++verdict.regressing_findings;
    for (const PairCheck* check : it->second) {
      verdict.items.push_back(
          {.scenario = check->scenario_id,
           .catalogue = true,
           .finding = fmt::format("{}:{}:{} [{}]", entry.finding.file, entry.finding.line,
                                  entry.finding.column, entry.pattern.id),
           .target = check->target_name,
           .status = check->status,
           .reason = check->reason});
    }
  }

  // The project's own scenarios and tests, as `run --gate` sees them.
  std::set<std::string> regressed, behaviour;
  for (const std::string& id : results.environment.scenarios) {
    if (!Contains(finding_scenarios, id)) ++verdict.project_total;
  }
  for (const PairCheck& check : gate.checks) {
    if (Contains(finding_scenarios, check.scenario_id) || !Changes(check.status)) continue;
    (check.status == PairStatus::kRegression ? regressed : behaviour).insert(check.scenario_id);
    verdict.items.push_back({.scenario = ShownId(results, check.scenario_id),
                             .catalogue = false,
                             .finding = "",
                             .target = check.target_name,
                             .status = check.status,
                             .reason = check.reason});
  }
  verdict.project_regressions = static_cast<int>(regressed.size());
  for (const std::string& id : behaviour) {
    if (!regressed.contains(id)) ++verdict.project_behaviour_changes;
  }

  // Whatever could not be decided, the findings' scenarios included.
  for (const PairCheck& check : gate.checks) {
    if (!Undecided(check.status)) continue;
    ++verdict.inconclusive_pairs;
    const bool catalogue = Contains(finding_scenarios, check.scenario_id);
    verdict.items.push_back(
        {.scenario = catalogue ? check.scenario_id : ShownId(results, check.scenario_id),
         .catalogue = catalogue,
         .finding = "",
         .target = check.target_name,
         .status = check.status,
         .reason = check.reason});
  }
  Decide(verdict);
  return verdict;
}

AuditVerdict AuditWithoutRun(const AuditReport& report, std::string why) {
  AuditVerdict verdict;
  verdict.failing_findings = report.Failing();
  verdict.incomplete.push_back(std::move(why));
  Decide(verdict);
  return verdict;
}

std::string AuditVerdict::Headline() const {
  if (targets.empty()) {
    return fmt::format("{}: nothing was measured ({}); {} unsuppressed error or warning finding{}",
                       AuditVerdictName(kind),
                       incomplete.empty() ? "no results" : incomplete.front(), failing_findings,
                       failing_findings == 1 ? "" : "s");
  }
  std::string text = fmt::format(
      "{}: {} whose scenario regresses or changes behaviour; {} of {} of the project's "
      "scenarios and tests {}, {} {} behaviour; {} inconclusive; {} unsuppressed error or "
      "warning finding{}",
      AuditVerdictName(kind), Plural(regressing_findings, "finding", "findings"),
      project_regressions, project_total, project_regressions == 1 ? "regresses" : "regress",
      project_behaviour_changes, project_behaviour_changes == 1 ? "changes" : "change",
      Plural(inconclusive_pairs, "pair", "pairs"), failing_findings,
      failing_findings == 1 ? "" : "s");
  if (!incomplete.empty()) text += fmt::format(" (incomplete: {})", incomplete.front());
  return text;
}

}  // namespace dspy_compat
