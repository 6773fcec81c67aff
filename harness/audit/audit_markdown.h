// The audit as a Markdown section (OUT/audit.md; fits a PR comment or a job
// summary): counts, a findings table with the measured outcome per target,
// the remediation and the migrated variant, then the suppressed findings.
#pragma once

#include <string>

#include "audit/audit_model.h"

namespace dspy_compat {

std::string AuditMarkdown(const AuditReport& report);

}  // namespace dspy_compat
