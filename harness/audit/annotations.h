// GitHub Actions workflow commands, one per unsuppressed finding:
//   ::warning file=pkg/qa.py,line=12,col=5,title=...::message
// so that a workflow shows each finding on the pull request's diff.
#pragma once

#include <string>
#include <string_view>

#include "audit/audit_model.h"

namespace dspy_compat {

std::string GithubAnnotations(const AuditReport& report);

// GitHub's escaping: % \r \n in the message; also : and , in a property.
std::string EscapeAnnotationData(std::string_view text);
std::string EscapeAnnotationProperty(std::string_view text);

}  // namespace dspy_compat
