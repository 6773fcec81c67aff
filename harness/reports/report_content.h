// What a migration report says, whatever its format: an overall verdict in
// one sentence, one section per pattern (outcomes, error signatures, the
// DSPy change that explains them, the remediation and how its migrated
// variant did), and the behaviour changes the mock LM saw. Built from
// Results (and the knowledge base that explains failures) alone; the Markdown, HTML and JUnit
// renderers all read this, so they never disagree.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/model.h"
#include "reports/knowledge_base.h"
#include "results/aggregate.h"
#include "results/gate.h"

namespace dspy_compat {

enum class UpgradeVerdict {
  kSafe,             // no scenario does worse on a later target
  kSafeWithChanges,  // some do (fail, or behave differently), and each has a migrated
                     // variant that passes and behaves alike everywhere
  kUnsafe,           // some do without a verified rewrite
  kInconclusive,     // harness errors, missing runs, or a scenario that could not start:
                     // no verdict from partial results
  kNotCompared,      // fewer than two targets
};
std::string_view UpgradeVerdictName(UpgradeVerdict verdict);   // "safe-with-changes"
std::string_view UpgradeVerdictTitle(UpgradeVerdict verdict);  // "Safe to upgrade with changes"

// Failures that one known DSPy change explains (or one signature nothing
// known explains), over the targets they were seen on.
struct Diagnosis {
  const KnownChange* change = nullptr;  // null: not explained by the knowledge base
  std::vector<std::string> signatures;  // distinct, most frequent first
  std::vector<std::string> targets;     // where they were seen
  int count = 0;                        // failing runs, over those targets
};

// A scenario whose header says MIGRATION-OF (a rewrite) or FORCES (the same
// pattern with its race forced by the mock LM) the section's scenario.
struct VariantResult {
  std::string scenario_id;
  std::string summary;
  std::string excerpt;
  std::vector<Outcome> outcomes;  // one per target
  bool verified = false;          // every run on every target passed
};

struct PatternSection {
  ScenarioAggregate scenario;
  std::string summary;
  ScenarioInfo info;              // empty for v1.0 results files (no scenario_info)
  std::vector<PairCheck> checks;  // one per outcome, same order
  std::string headline;           // "regression (intermittent) on dspy-2.5.40", "passes everywhere"
  bool changed = false;           // not "passes everywhere": worth a reader's time
  std::vector<Diagnosis> diagnoses;
  std::vector<VariantResult> migrations;
  // Forced variants: beside the natural failure rate above, what the pattern
  // does when the mock LM forces the losing interleaving. They keep their
  // own sections too (with their own migrations).
  std::vector<VariantResult> forced;
  // For a scenario that could not start: why, and what to do (plain text
  // with `code` spans); "" otherwise.
  std::string unresolved;
  // The changed DSPy code its regressions ran (results.json changed_code),
  // one per pair looked at; empty when none was.
  std::vector<ChangedCode> changed_code;
};

// One aspect of what the mock LM saw that differs between targets.
struct TrafficDifference {
  std::string scenario_id;
  std::string aspect;                   // "models", "prompt formats", "request parameters", ...
  std::vector<std::string> per_target;  // aligned with Aggregate::targets; "" when no data
  // For "prompts": per target after the baseline (aligned with per_target,
  // the baseline's entry empty), a unified diff of the normalised prompts
  // from the baseline's to that target's; "" when they agree.
  std::vector<std::string> diffs;
};

// The parts with the separator between them; shared by every renderer.
std::string Join(const std::vector<std::string>& parts, std::string_view separator);

// A unified diff (dtl) of two sets of normalised prompts, each a list of
// texts, compared as one text; "" when equal.
std::string PromptDiff(const std::vector<std::string>& from, const std::vector<std::string>& to,
                       std::string_view from_name, std::string_view to_name);

struct ReportContent {
  Aggregate aggregate;
  GateReport gate;  // expectations from the scenario headers (no baseline file)
  UpgradeVerdict verdict = UpgradeVerdict::kNotCompared;
  std::string verdict_reason;  // one sentence
  // Regressions first, then flaky, failing, fixed, passing; catalogue order
  // within each. Migrated variants appear inside the section they migrate.
  std::vector<PatternSection> patterns;
  bool has_traffic = false;  // some run recorded lm_traffic
  std::vector<TrafficDifference> traffic_differences;
};

// `knowledge` explains failures; the content points into it, so it must
// outlive the content.
ReportContent BuildReportContent(const Results& results, const KnowledgeBase& knowledge);

// Report texts (the verdict's reason, knowledge-base entries) are plain
// text with `code` spans; each renderer turns the spans into its own markup.
// CodeSpan wraps arbitrary text as one span (its backticks become quotes).
std::string CodeSpan(std::string_view text);

// Shared wording. "7/10 pass (30% fail, 95% CI 11–60%)"; "no runs".
std::string OutcomeSummary(const Outcome& outcome);
// "30% fail, 95% CI 11–60%"
std::string FailureRateText(const Outcome& outcome);
// What follows a verdict's name: for an intermittent regression or a fix,
// " (intermittent, p = 0.003)" / " (p < 0.001)", and when p is 0.05 or more
// that it could be chance, with the runs it rests on: " (intermittent,
// p = 0.24: could be chance; both sides ran 24 times)". Empty otherwise.
std::string VerdictNote(const Verdict& verdict);
// A pair's runs: "3/10 pass", or for a clean pair what its pass means, "no
// failure in 10 runs, 7 explored" ("none explored", "all explored").
std::string PassCountText(const Outcome& outcome);
// "regression", "as expected", "unexpected pass", "infrastructure error", "not run"
std::string_view PairStatusText(PairStatus status);
// "fail-or-flaky (EXPECT)", "pass (default)", "any (default)"
std::string ExpectationText(const PairCheck& check);
// What a run that could not start needs, from its error signature: "install
// `myapp` in the target environments ...". Plain text with `code` spans.
std::string UnresolvedFix(std::string_view signature);
// How the runs were contained, from each run's `sandbox` (results only):
// "`pidns+netns+nohome` (all 12 runs)", each label with its count when runs
// differ, then why runs had less than the whole sandbox (what the command
// line asked for, else what the machine lacked). Empty when no run recorded
// one (files older than results v1.10).
std::string SandboxText(const Results& results);
// "10", or "adaptive 5..50" for adaptive repetitions.
std::string RepeatText(const RunEnvironment& env);
// Changed code (results v1.12), as every renderer words it.
// Hunks a report shows per pair; the rest are counted ("and 4 more").
inline constexpr std::size_t kChangedHunksShown = 8;
// "`dspy-2.5.39` → `dspy-2.5.40`: 5 of 31 changed hunks (in 7 of 120 files) ran; those in
// files on the failing traceback first." or why none was found. Plain text with `code` spans.
std::string ChangedCodeSummary(const ChangedCode& code);
// "@@ -40,2 +41,0 @@"
std::string HunkHeader(const ChangedHunk& hunk);
// "on the traceback; ran on dspy-2.5.39 (lines 40, 41) and dspy-2.5.40 (line 41)"
std::string HunkRan(const ChangedHunk& hunk, const ChangedCode& code);
// Plain text of the whole entry (JUnit): the summary, then each shown hunk's
// file, header, where it ran and its lines.
std::string ChangedCodeText(const ChangedCode& code);

// The DSPy version a target ran: its pin, else what its runs imported.
std::string TargetDspyVersion(const Results& results, const std::string& target);

}  // namespace dspy_compat
