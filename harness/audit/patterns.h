// The pattern catalogue of the audit (fixtures/audit/patterns.toml): what
// each scanner pattern means, the scenario that measures it, what to change.
#pragma once

#include <filesystem>
#include <string_view>
#include <vector>

#include "audit/audit_model.h"

namespace dspy_compat {

// Patterns sorted by id. Throws AuditInputError ("FILE:LINE: ...") for a
// file that does not parse, a missing or empty field, or an unknown level.
std::vector<AuditPattern> ReadAuditPatterns(const std::filesystem::path& file);

// The pattern with this id, or nullptr.
const AuditPattern* FindPattern(const std::vector<AuditPattern>& patterns, std::string_view id);

}  // namespace dspy_compat
