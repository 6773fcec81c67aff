#include "audit/audit_report.h"

#include <fmt/format.h>

#include <algorithm>

#include "audit/patterns.h"
#include "reports/report_content.h"

namespace dspy_compat {

int AuditReport::Unsuppressed() const {
  return static_cast<int>(std::count_if(entries.begin(), entries.end(),
                                        [](const AuditEntry& e) { return !e.finding.suppressed; }));
}

int AuditReport::Suppressed() const { return static_cast<int>(entries.size()) - Unsuppressed(); }

int AuditReport::Failing() const {
  return static_cast<int>(std::count_if(entries.begin(), entries.end(), [](const AuditEntry& e) {
    return !e.finding.suppressed && e.pattern.level != "note";
  }));
}

namespace {

const ScenarioAggregate* FindScenario(const Aggregate& aggregate, const std::string& id) {
  for (const auto& scenario : aggregate.scenarios) {
    if (scenario.scenario_id == id) return &scenario;
  }
  return nullptr;
}

bool HasRuns(const ScenarioAggregate* scenario) {
  return scenario != nullptr &&
         std::any_of(scenario->outcomes.begin(), scenario->outcomes.end(),
                     [](const Outcome& o) { return o.total > 0 || o.unsupported; });
}

}  // namespace

AuditReport BuildAuditReport(AuditInputs inputs) {
  AuditReport report;
  report.root = inputs.root;
  report.rules = inputs.patterns;
  report.results_path = inputs.results_path;
  Aggregate aggregate;
  if (inputs.results != nullptr) {
    aggregate = AggregateResults(*inputs.results);
    report.targets = aggregate.targets;
  }
  for (auto& finding : inputs.scan.findings) {
    const AuditPattern* pattern = FindPattern(inputs.patterns, finding.pattern);
    if (pattern == nullptr) {
      throw AuditInputError(
          fmt::format("{}:{}: the scanner's pattern '{}' is not described in the patterns file",
                      finding.file, finding.line, finding.pattern));
    }
    auto measuring = std::find_if(inputs.catalogue.begin(), inputs.catalogue.end(),
                                  [&](const Scenario& s) { return s.id == pattern->scenario; });
    if (measuring == inputs.catalogue.end()) {
      throw AuditInputError(fmt::format("pattern {}: scenario '{}' is not in the catalogue",
                                        pattern->id, pattern->scenario));
    }
    AuditEntry entry;
    entry.pattern = *pattern;
    for (const auto& scenario : inputs.catalogue) {
      if (scenario.migration_of == pattern->scenario) entry.migrated = scenario.id;
    }
    if (inputs.results != nullptr) {
      if (const auto* measured = FindScenario(aggregate, pattern->scenario); HasRuns(measured)) {
        entry.outcomes = measured->outcomes;
        entry.verdicts = measured->verdicts;
      }
      if (const auto* migrated = FindScenario(aggregate, entry.migrated); HasRuns(migrated)) {
        entry.migrated_outcomes = migrated->outcomes;
      }
    }
    if (!inputs.display_prefix.empty()) {
      finding.file = (inputs.display_prefix / finding.file).lexically_normal().generic_string();
    }
    entry.finding = std::move(finding);
    report.entries.push_back(std::move(entry));
  }
  std::stable_sort(report.entries.begin(), report.entries.end(),
                   [](const AuditEntry& a, const AuditEntry& b) {
                     const Finding& x = a.finding;
                     const Finding& y = b.finding;
                     return std::tie(x.suppressed, x.file, x.line, x.column) <
                            std::tie(y.suppressed, y.file, y.line, y.column);
                   });
  inputs.scan.findings.clear();
  report.scan = std::move(inputs.scan);
  return report;
}

std::string MeasuredSummary(const std::vector<Outcome>& outcomes,
                            const std::vector<Verdict>& verdicts) {
  std::string text;
  for (const auto& outcome : outcomes) {
    if (!text.empty()) text += ", ";
    text += fmt::format("{} {}", outcome.target_name, OutcomeSummary(outcome));
    for (const auto& verdict : verdicts) {
      if (verdict.target_name == outcome.target_name && verdict.kind != VerdictKind::kUnchanged) {
        text += fmt::format(" ({}{})", VerdictName(verdict.kind),
                            verdict.intermittent ? ", intermittent" : "");
      }
    }
  }
  return text;
}

}  // namespace dspy_compat
