// The HTML report: one self-contained file (inline CSS, an inline SVG chart
// of outcomes per scenario and target, a few lines of inline script, no
// external assets, a Content-Security-Policy that forbids loading any), for
// a CI artifact someone opens in a browser. Same content as the Markdown
// report, from the same ReportContent.
#pragma once

#include <string>

#include "core/model.h"
#include "reports/knowledge_base.h"

namespace dspy_compat {

// Deterministic: the same Results always give the same bytes. The page
// records script errors, failed loads and policy violations in the
// data-errors attribute of <html>, and sets data-ready="yes" on <body> when
// its script has run, so a headless browser test can check both.
std::string RenderHtml(const Results& results, const KnowledgeBase& knowledge);

}  // namespace dspy_compat
