#include "audit/audit_markdown.h"

#include <fmt/format.h>

#include <set>

#include "audit/audit_report.h"
#include "reports/report_content.h"

namespace dspy_compat {

namespace {

// Plain text must not turn into markup, nor break out of a table cell.
std::string Escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\n' || c == '\r') c = ' ';
    if (std::string_view("\\`*_[]<>~&|").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

// Remediations are Markdown already (code spans); only '|' would end the cell.
std::string Cell(std::string_view markdown) {
  std::string out;
  for (char c : markdown) {
    if (c == '|') out += '\\';
    out += c == '\n' ? ' ' : c;
  }
  return out;
}

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

}  // namespace

std::string AuditMarkdown(const AuditReport& report) {
  std::string out = fmt::format("## DSPy upgrade audit: {}\n\n", Code(report.root));
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
      out += fmt::format(" {} | {} |\n", Cell(entry.pattern.remediation), MigratedCell(entry));
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

}  // namespace dspy_compat
