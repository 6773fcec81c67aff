// The Markdown report: what a reviewer reads in a PR comment or a GitHub job
// summary to decide whether an upgrade is safe. Rendered from Results alone
// (through ReportContent), so a results.json copied off a CI machine renders
// the same report anywhere.
#pragma once

#include <string>

#include "core/model.h"
#include "reports/knowledge_base.h"

namespace dspy_compat {

// Title; the overall verdict in one sentence; an interruption warning when
// the session was cut short; the counts; a summary table (one row per
// scenario: pass counts per target and the verdict against the baseline,
// environment.targets[0]); one section per pattern (code excerpt, outcome
// and failure rate with its interval per target, expectation and gate
// status, error signatures with an example traceback, the root cause and
// DSPy change that explain them, the remediation and how the migrated
// variant did); behaviour changes seen by the mock LM, when recorded; the
// environment. Deterministic: the same Results always give the same bytes.
std::string RenderMarkdown(const Results& results, const KnowledgeBase& knowledge);

}  // namespace dspy_compat
