#include "audit/annotations.h"

#include <fmt/format.h>

namespace dspy_compat {

std::string EscapeAnnotationData(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '%') {
      out += "%25";
    } else if (c == '\r') {
      out += "%0D";
    } else if (c == '\n') {
      out += "%0A";
    } else {
      out += c;
    }
  }
  return out;
}

std::string EscapeAnnotationProperty(std::string_view text) {
  std::string out;
  for (char c : EscapeAnnotationData(text)) {
    if (c == ':') {
      out += "%3A";
    } else if (c == ',') {
      out += "%2C";
    } else {
      out += c;
    }
  }
  return out;
}

std::string GithubAnnotations(const AuditReport& report) {
  std::string out;
  for (const auto& entry : report.entries) {
    if (entry.finding.suppressed) continue;
    const std::string& level = entry.pattern.level;
    std::string command = level == "error" ? "error" : level == "warning" ? "warning" : "notice";
    std::string message =
        fmt::format("{}. Measured by scenario {}. Remediation: {}", entry.finding.message,
                    entry.pattern.scenario, entry.pattern.remediation);
    if (!entry.migrated.empty()) message += fmt::format(" Migrated variant: {}.", entry.migrated);
    out += fmt::format(
        "::{} file={},line={},endLine={},col={},title={}::{}\n", command,
        EscapeAnnotationProperty(entry.finding.file), entry.finding.line, entry.finding.end_line,
        entry.finding.column,
        EscapeAnnotationProperty("dspy-compat " + entry.pattern.id + ": " + entry.pattern.title),
        EscapeAnnotationData(message));
  }
  return out;
}

}  // namespace dspy_compat
