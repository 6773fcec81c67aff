// The regression gate: each (scenario, target) pair against what was
// expected of it, and one decision for CI. Expectations come from, in
// order: a saved baseline (--baseline), the scenario's EXPECT header lines
// (recorded in results.json), else the default: a later target must do no
// worse than the first (baseline) target, which itself is not gated; a
// session with a single target expects every scenario to pass.
//
// "Worse" follows pass < flaky < fail. Doing worse than expected is a
// regression; doing better is an unexpected pass (reported, never a
// failure, like lit's XPASS without the error). A pair with a harness error
// (status error) or without runs is an infrastructure problem: never a
// regression and never a pass.
//
// A later target that passes like the baseline but behaves differently (its
// verdict is behaviour-change: another model served a request, another
// prompt format, parameters or number of LM calls, settings left behind)
// fails the gate unless an EXPECT behaviour-change line or the baseline file
// accepts it; prompt text that alone differs fails it only with
// --strict-prompts. A pair with a run that could not start (unresolved) is
// neither pass nor regression: the gate is inconclusive.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/model.h"
#include "results/aggregate.h"
#include "results/baseline.h"

namespace dspy_compat {

enum class PairStatus {
  kAsExpected,
  kRegression,
  kUnexpectedPass,
  kInfrastructure,
  kNotRun,  // no runs; in a single shard's results these pairs ran elsewhere
  // No runs because the scenario's REQUIRES excludes the target (lit's
  // UNSUPPORTED): neither a pass nor a failure, and the results are whole.
  kUnsupported,
  // Passes as expected but behaves differently from the baseline target,
  // and nothing accepted that: fails the gate like a regression.
  kBehaviourChange,
  // A run could not start (lit's UNRESOLVED): no verdict, the gate is
  // inconclusive until the scenario runs.
  kUnresolved,
};
std::string_view PairStatusName(PairStatus status);

enum class ExpectationSource { kBaselineFile, kHeader, kDefault };
std::string_view ExpectationSourceName(ExpectationSource source);

struct PairCheck {
  std::string scenario_id;
  std::string target_name;
  Expectation expected = Expectation::kAny;
  ExpectationSource source = ExpectationSource::kDefault;
  Classification observed = Classification::kNone;
  PairStatus status = PairStatus::kAsExpected;
  // Failure signatures (normalised) a baseline file did not list: a known
  // failing pair that now fails another way is new, and so a regression.
  std::vector<std::string> new_signatures;
  std::string reason;  // one line: why this status
};

// kRegression covers behaviour changes too (exit 1); kUnresolved exits 3
// like kInfrastructure, but the fix is the scenario's, not the harness's.
enum class GateOutcome { kPassed, kRegression, kInfrastructure, kUnresolved };
std::string_view GateOutcomeName(GateOutcome outcome);

struct GateReport {
  GateOutcome outcome = GateOutcome::kPassed;
  std::vector<PairCheck> checks;        // scenario by scenario, targets in results order
  std::vector<std::string> incomplete;  // session-level reasons the results are not whole
  int Count(PairStatus status) const;
};

// The expectation for one pair, and where it came from (baseline may be null).
std::pair<Expectation, ExpectationSource> ExpectationFor(const Results& results,
                                                         const Aggregate& aggregate,
                                                         const Baseline* baseline,
                                                         const std::string& scenario,
                                                         const std::string& target);

struct GatePolicy {
  bool strict_prompts = false;  // --strict-prompts: prompt text changes fail too
};

// Pure: the same results and baseline always give the same report.
GateReport EvaluateGate(const Results& results, const Baseline* baseline = nullptr,
                        const GatePolicy& policy = {});

// Lines for a terminal or a CI log: one per pair that is not as expected,
// then a one-line summary.
std::string FormatGateReport(const GateReport& report);

}  // namespace dspy_compat
