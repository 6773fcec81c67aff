// The Markdown report: what a reviewer reads in a PR comment to decide
// whether an upgrade is safe. Rendered from Results alone, so a results.json
// copied off a CI machine renders the same report anywhere.
#pragma once

#include <string>

#include "core/model.h"

namespace dspy_compat {

// Title, an interruption warning when the session was cut short, a summary
// table (one row per scenario: pass counts per target and the verdict
// against the baseline, environment.targets[0]), a details section for each
// scenario that did not simply pass everywhere (status counts, error
// signatures, one bounded example traceback), then the environment.
// Deterministic: the same Results always give the same bytes.
std::string RenderMarkdown(const Results& results);

}  // namespace dspy_compat
