// SARIF 2.1.0 (OASIS) for code-scanning tools: one run whose driver lists a
// rule per pattern (help text, help URI, the measuring scenario), a result
// per finding (suppressed ones carry an inSource suppression), and parse
// failures as tool execution notifications. Valid against the published
// schema (checked by harness/audit/sarif_schema_test.py).
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "audit/audit_model.h"

namespace dspy_compat {

// `base_dir` is the absolute folder the findings' relative paths start
// from (originalUriBaseIds %SRCROOT%).
nlohmann::json ToSarif(const AuditReport& report, const std::string& tool_version,
                       const std::filesystem::path& base_dir);

// RFC 3986 percent-encoding of a path for a URI; '/' is kept.
std::string UriPath(const std::string& path);

}  // namespace dspy_compat
