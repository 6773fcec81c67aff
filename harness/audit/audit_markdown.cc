#include "audit/audit_markdown.h"

#include <fmt/format.h>

#include <set>

#include "audit/audit_report.h"
#include "reports/escape.h"
#include "reports/report_content.h"

namespace dspy_compat {

namespace {

// Plain text must not turn into markup, nor break out of a table cell
// (where most of the audit's text goes).
std::string Escape(std::string_view text) { return MarkdownCell(EscapeMarkdown(text)); }

std::string Code(std::string_view text) { return CodeSpan(text); }

std::string Plural(int n, std::string_view word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

std::string OutcomeCell(const AuditEntry& entry, const std::string& target) {
  for (const auto& outcome : entry.outcomes) {
    if (outcome.target_name != target) continue;
    std::string text = Escape(OutcomeSummary(outcome));
    for (const auto& verdict : entry.verdicts) {
      if (verdict.target_name == target && verdict.kind == VerdictKind::kRegression) {
        text += fmt::format(" **regression**{}", verdict.intermittent ? " (intermittent)" : "");
      } else if (verdict.target_name == target && verdict.kind != VerdictKind::kUnchanged) {
        text += fmt::format(" {}", VerdictName(verdict.kind));
      }
    }
    return text;
  }
  return "not measured";
}

std::string MigratedCell(const AuditEntry& entry) {
  if (entry.migrated.empty()) return "none in the catalogue";
  std::string text = Code(entry.migrated);
  if (!entry.migrated_outcomes.empty()) {
    text += " (" + Escape(MeasuredSummary(entry.migrated_outcomes, {})) + ")";
  }
  return text;
}

std::string Location(const Finding& f) {
  return Code(fmt::format("{}:{}:{}", f.file, f.line, f.column));
}

// Counts, the findings table, suppressed findings, files not scanned.
std::string FindingsMarkdown(const AuditReport& report) {
  std::string out;
  int unsuppressed = report.Unsuppressed();
  std::set<std::string> files;
  for (const auto& e : report.entries) {
    if (!e.finding.suppressed) files.insert(e.finding.file);
  }
  out +=
      fmt::format("**{}** in {} ({} error or warning, {} suppressed) · {} scanned in {:.2f} s",
                  Plural(unsuppressed, "finding"), Plural(static_cast<int>(files.size()), "file"),
                  report.Failing(), report.Suppressed(), Plural(report.scan.files_scanned, "file"),
                  report.scan.seconds);
  if (!report.scan.parse_errors.empty()) {
    out += fmt::format(" · {} not parsed",
                       Plural(static_cast<int>(report.scan.parse_errors.size()), "file"));
  }
  out += ".\n\n";
  if (report.targets.empty()) {
    out +=
        "Outcomes are not measured here: run the catalogue (`dspy-compat run`) and pass its "
        "`results.json` with `--results` to see what each pattern's scenario does on each "
        "target.\n\n";
  } else {
    out += fmt::format(
        "Measured outcomes are those of the catalogue scenario that reproduces each "
        "pattern, from {}.\n\n",
        Code(report.results_path));
  }
  if (unsuppressed == 0) {
    out += "No unsuppressed finding.\n";
  } else {
    out += "| Location | Pattern | Scenario |";
    for (const auto& target : report.targets) out += fmt::format(" {} |", Escape(target));
    out += " Remediation | Migrated variant |\n|---|---|---|";
    for (std::size_t i = 0; i < report.targets.size(); ++i) out += "---|";
    out += "---|---|\n";
    for (const auto& entry : report.entries) {
      if (entry.finding.suppressed) continue;
      out += fmt::format("| {} | {} ({}): {} | {} |", Location(entry.finding),
                         Code(entry.pattern.id), entry.pattern.level, Escape(entry.finding.message),
                         Code(entry.pattern.scenario));
      for (const auto& target : report.targets) out += " " + OutcomeCell(entry, target) + " |";
      out +=
          fmt::format(" {} | {} |\n", MarkdownCell(entry.pattern.remediation), MigratedCell(entry));
    }
  }
  if (report.Suppressed() > 0) {
    out += fmt::format(
        "\n### Suppressed ({})\n\n| Location | Pattern | Suppression |\n|---|---|---|\n",
        report.Suppressed());
    for (const auto& entry : report.entries) {
      if (!entry.finding.suppressed) continue;
      out += fmt::format("| {} | {} | {} |\n", Location(entry.finding), Code(entry.pattern.id),
                         Code("# dspy-compat: " + entry.finding.suppression));
    }
  }
  if (!report.scan.parse_errors.empty()) {
    out += "\n### Not scanned\n\n";
    for (const auto& failure : report.scan.parse_errors) {
      out += fmt::format("- {}: {}\n", Code(fmt::format("{}:{}", failure.file, failure.line)),
                         Escape(failure.message));
    }
  }
  return out;
}

std::string VerdictMarkdown(const AuditVerdict& verdict) {
  std::string out = fmt::format("## Verdict: {}\n\n", AuditVerdictName(verdict.kind));
  if (verdict.targets.empty()) {
    out += "Nothing was measured";
    for (const auto& reason : verdict.incomplete) out += ": " + Escape(reason);
    return out + fmt::format(".\n\n{} unsuppressed error or warning {}.\n\n",
                             verdict.failing_findings,
                             verdict.failing_findings == 1 ? "finding" : "findings");
  }
  std::string targets;
  for (const auto& t : verdict.targets) targets += (targets.empty() ? "" : " → ") + Escape(t);
  out += fmt::format("On {} (the first is the baseline):\n\n", targets);
  out += fmt::format(
      "- **{}** whose scenario regresses or changes behaviour on a target, of {} unsuppressed "
      "error or warning {}\n",
      Plural(verdict.regressing_findings, "finding"), verdict.failing_findings,
      verdict.failing_findings == 1 ? "finding" : "findings");
  out += fmt::format(
      "- **{} of {}** of the project's scenarios and tests regress, **{}** change behaviour\n",
      verdict.project_regressions, verdict.project_total, verdict.project_behaviour_changes);
  out += fmt::format(
      "- **{}** inconclusive (a run the harness could not run, one that could not start, or "
      "no runs)\n",
      Plural(verdict.inconclusive_pairs, "pair"));
  for (const auto& reason : verdict.incomplete) {
    out += fmt::format("- **Incomplete**: {}\n", Escape(reason));
  }
  if (!verdict.targets.empty()) {
    out += fmt::format(
        "\nA finding's scenario is judged against the baseline target, {}: the catalogue's "
        "`EXPECT` lines, which the run's report below applies, say what DSPy is known to do and "
        "would accept the failure. The project's scenarios and tests are judged as in the run's "
        "report (their `EXPECT` lines, else no worse than the baseline target). Notes decide "
        "nothing.\n",
        Escape(verdict.targets.front()));
  }
  if (!verdict.items.empty()) {
    out += "\n| Scenario or test | Target | Status | Why |\n|---|---|---|---|\n";
    for (const auto& item : verdict.items) {
      std::string what = Code(item.scenario);
      if (!item.finding.empty()) {
        what = fmt::format("finding {}: {}", Code(item.finding), what);
      } else if (item.catalogue) {
        what += " (catalogue)";
      }
      out += fmt::format("| {} | {} | {} | {} |\n", what, Escape(item.target),
                         PairStatusName(item.status), Escape(item.reason));
    }
  }
  return out + "\n";
}

}  // namespace

std::string AuditMarkdown(const AuditReport& report) {
  return fmt::format("## DSPy upgrade audit: {}\n\n", Code(report.root)) + FindingsMarkdown(report);
}

std::string AuditMarkdownWithRun(const AuditReport& report, const AuditVerdict& verdict,
                                 std::string_view run_report, std::string_view run_dir) {
  std::string out = fmt::format("# DSPy upgrade audit: {}\n\n", Code(report.root));
  out += VerdictMarkdown(verdict);
  out += "## Findings\n\n" + FindingsMarkdown(report);
  if (run_report.empty()) {
    out += fmt::format("\n## The run\n\nNo report: the run in {} wrote none.\n", Code(run_dir));
  } else {
    out += fmt::format("\n<!-- The run's report, {}/report.md -->\n\n", run_dir);
    out += DemoteHeadings(run_report);
  }
  return out;
}

std::string DemoteHeadings(std::string_view markdown) {
  std::string out;
  std::string fence;  // the open fence's backticks or tildes; "" outside a block
  std::size_t start = 0;
  while (start < markdown.size()) {
    std::size_t end = markdown.find('\n', start);
    if (end == std::string_view::npos) end = markdown.size();
    std::string_view line = markdown.substr(start, end - start);
    std::size_t run = 0;
    if (!line.empty() && (line[0] == '`' || line[0] == '~')) {
      while (run < line.size() && line[run] == line[0]) ++run;
      if (run < 3) run = 0;
    }
    if (fence.empty() && run > 0) {
      fence = std::string(run, line[0]);
    } else if (!fence.empty() && run >= fence.size() && line[0] == fence[0] &&
               line.find_first_not_of(" \t", run) == std::string_view::npos) {
      fence.clear();
    } else if (fence.empty() && line.starts_with('#')) {
      out += '#';
    }
    out += line;
    if (end < markdown.size()) out += '\n';
    start = end + 1;
  }
  return out;
}

}  // namespace dspy_compat
