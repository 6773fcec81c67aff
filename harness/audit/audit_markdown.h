// The audit as a Markdown section (OUT/audit.md; fits a PR comment or a job
// summary): counts, a findings table with the measured outcome per target,
// the remediation and the migrated variant, then the suppressed findings.
#pragma once

#include <string>
#include <string_view>

#include "audit/audit_model.h"
#include "audit/audit_verdict.h"

namespace dspy_compat {

std::string AuditMarkdown(const AuditReport& report);

// `audit DIR --targets`: one document, the verdict first (its numbers, then
// one table row per pair behind it), the findings with their measured
// outcomes, then the run's own report (run_report: its report.md, written
// by reports/markdown_report.h; its headings one level down) from run_dir.
std::string AuditMarkdownWithRun(const AuditReport& report, const AuditVerdict& verdict,
                                 std::string_view run_report, std::string_view run_dir);

// Markdown one heading level down (# -> ##), fenced code blocks left alone.
std::string DemoteHeadings(std::string_view markdown);

}  // namespace dspy_compat
