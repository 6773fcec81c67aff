// The join: each finding of the scan with its pattern (patterns.toml), the
// pattern's migrated variant (the catalogue scenario whose MIGRATION-OF
// names the measuring scenario), and, given a results.json, what that
// scenario and its variant did on each target.
#pragma once

#include <filesystem>
#include <vector>

#include "audit/audit_model.h"
#include "core/model.h"

namespace dspy_compat {

struct AuditInputs {
  Scan scan;
  std::vector<AuditPattern> patterns;
  std::vector<Scenario> catalogue;  // to find migrated variants
  const Results* results = nullptr;
  std::string results_path;
  std::string root;  // the folder scanned, as the user named it
  // Prepended to the scanner's paths (relative to the folder scanned) when
  // the folder was named relatively, so that paths in SARIF and annotations
  // are relative to where the audit ran: the repository root in CI.
  std::filesystem::path display_prefix;
};

// Throws AuditInputError when a finding names a pattern patterns.toml does
// not describe, or a pattern's scenario is not in the catalogue.
AuditReport BuildAuditReport(AuditInputs inputs);

}  // namespace dspy_compat

namespace dspy_compat {

// "dspy-2.5.39 10/10 pass, dspy-2.5.40 0/10 pass (regression)"; "" when the
// results did not measure the scenario.
std::string MeasuredSummary(const std::vector<Outcome>& outcomes,
                            const std::vector<Verdict>& verdicts);

}  // namespace dspy_compat
