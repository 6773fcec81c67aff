#include "audit/audit_markdown.h"

#include <gtest/gtest.h>

#include "audit/audit_test_data.h"

namespace dspy_compat {
namespace {

using namespace audit_test;

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(AuditMarkdownTest, FindingsTableWithOutcomesPerTarget) {
  Results results = MeasuredResults();
  std::string md = AuditMarkdown(MakeReport(&results));
  EXPECT_TRUE(Has(md, "## DSPy upgrade audit: `app`\n")) << md;
  EXPECT_TRUE(Has(md,
                  "**1 finding** in 1 file (1 error or warning, 1 suppressed) · 3 files "
                  "scanned in 0.25 s · 1 file not parsed."))
      << md;
  EXPECT_TRUE(
      Has(md, "| Location | Pattern | Scenario | old | new | Remediation | Migrated variant |"))
      << md;
  EXPECT_TRUE(Has(md, "| `pkg/qa.py:21:14` | `context-around-asyncify` (error): ")) << md;
  EXPECT_TRUE(Has(md,
                  "| 3/3 pass | 0/3 pass **regression** | Enter `dspy.context` inside the "
                  "program. | `ctx_scenario_migrated` (old 3/3 pass, new 3/3 pass) |"))
      << md;
  EXPECT_TRUE(Has(md, "### Suppressed (1)")) << md;
  EXPECT_TRUE(Has(md,
                  "| `pkg/qa.py:17:26` | `asyncify-not-outermost` | "
                  "`# dspy-compat: ignore[asyncify-not-outermost]` |"))
      << md;
  EXPECT_TRUE(Has(md, "### Not scanned\n\n- `pkg/broken.py:1`: SyntaxError: invalid syntax\n"))
      << md;
}

TEST(AuditMarkdownTest, WithoutResultsSaysHowToMeasure) {
  std::string md = AuditMarkdown(MakeReport(nullptr));
  EXPECT_TRUE(Has(md, "pass its `results.json` with `--results`")) << md;
  EXPECT_TRUE(Has(md, "| Location | Pattern | Scenario | Remediation | Migrated variant |")) << md;
}

}  // namespace
}  // namespace dspy_compat
