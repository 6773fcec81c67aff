// What `dspy-compat audit DIR --targets ...` concludes: its scan's findings
// and one run's results.json (the project's own scenarios and tests, and the
// catalogue scenarios that measure the findings, on the targets) combined
// into one verdict, with the numbers behind it, for the report and CI.
//
// The project's scenarios and tests are judged as `run --gate` judges them
// (results/gate.h: their EXPECT lines, else no worse than the baseline
// target). A finding's catalogue scenario is judged against the baseline
// target only: its EXPECT lines describe what DSPy is known to do (they
// accept the very failure on 2.5.40 the audit is there to show), so they are
// set aside. Notes (level "note") show their scenario's outcomes but decide
// nothing, as they fail no scan.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "audit/audit_model.h"
#include "core/model.h"
#include "results/gate.h"

namespace dspy_compat {

enum class AuditVerdictKind {
  kPassed,        // nothing regresses or changes behaviour, no failing finding (exit 0)
  kFailed,        // a regression or behaviour change, or an unsuppressed error/warning (exit 1)
  kInconclusive,  // the run did not finish, or a pair could not run or start (exit 3)
};

// One pair behind the verdict: a regression, a behaviour change, or a pair
// that could not be decided.
struct AuditVerdictItem {
  std::string scenario;    // the scenario's id, or a project test's id ("tests/test_x.py::test_a")
  bool catalogue = false;  // a catalogue scenario the audit ran for its findings
  std::string finding;     // for a regressing finding: "a.py:3:5 [pattern]"; else ""
  std::string target;
  PairStatus status = PairStatus::kAsExpected;
  std::string reason;  // the gate's one line
};

struct AuditVerdict {
  AuditVerdictKind kind = AuditVerdictKind::kInconclusive;
  std::vector<std::string> targets;     // baseline first; empty when nothing ran
  int failing_findings = 0;             // unsuppressed errors and warnings
  int regressing_findings = 0;          // of those, whose scenario regresses or changes behaviour
  int project_total = 0;                // the project's scenarios and tests in the results
  int project_regressions = 0;          // that regress on some target
  int project_behaviour_changes = 0;    // that change behaviour on some target and regress on none
  int inconclusive_pairs = 0;           // infrastructure errors, runs that could not start, no runs
  std::vector<std::string> incomplete;  // why the results are not whole (the gate's reasons)
  std::vector<AuditVerdictItem> items;  // findings first, then the project's, then inconclusive

  // One line: "FAILED: 1 finding whose scenario regresses, ...".
  std::string Headline() const;
};

std::string_view AuditVerdictName(AuditVerdictKind kind);  // "passed", "FAILED", "INCONCLUSIVE"

// The scenarios an audit runs for its findings: each unsuppressed finding's
// measuring scenario, then its migrated variant, each once, in the order of
// the findings.
std::vector<std::string> FindingScenarios(const AuditReport& report);

// `report` built with `results`; `finding_scenarios` (FindingScenarios of
// it): the catalogue's scenarios in the results; every other scenario there
// is the project's.
AuditVerdict DecideAudit(const AuditReport& report, const Results& results,
                         const std::vector<std::string>& finding_scenarios);

// When the run did not give results to judge (it could not start, could not
// provision a target, was interrupted before writing any): inconclusive,
// with `why` as its reason, whatever the findings.
AuditVerdict AuditWithoutRun(const AuditReport& report, std::string why);

}  // namespace dspy_compat
