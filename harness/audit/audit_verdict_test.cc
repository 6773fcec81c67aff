#include "audit/audit_verdict.h"

#include <gtest/gtest.h>

#include "audit/audit_markdown.h"
#include "audit/audit_test_data.h"

namespace dspy_compat {
namespace {

using namespace audit_test;

const std::vector<std::string> kFindingScenarios = {"ctx_scenario", "ctx_scenario_migrated"};

// Adds `count` runs of a project scenario on each target; `fails_on`
// fails them there with `status`.
void AddProjectRuns(Results& results, const std::string& id, const std::string& fails_on = "",
                    Status status = Status::kFail, int count = 3) {
  results.environment.scenarios.push_back(id);
  for (const char* target : {"old", "new"}) {
    for (int rep = 1; rep <= count; ++rep) {
      RunResult run;
      run.scenario_id = id;
      run.target_name = target;
      run.repetition = rep;
      run.run_id = id + "-" + target + "-" + std::to_string(rep);
      run.status = fails_on == target ? status : Status::kPass;
      if (run.status != Status::kPass) {
        run.error_type = "AssertionError";
        run.error_message = "No LM is loaded.";
      }
      results.runs.push_back(run);
    }
  }
}

// A report with one finding of `pattern` (level given), measured by ctx_scenario.
AuditReport ReportWith(const Results* results, std::string level) {
  AuditInputs inputs;
  AuditPattern pattern = ContextPattern();
  pattern.level = std::move(level);
  inputs.patterns = {pattern};
  inputs.scan.findings = {MakeFinding("pkg/qa.py", 21, 14, pattern.id)};
  inputs.catalogue = {MakeScenario("ctx_scenario"),
                      MakeScenario("ctx_scenario_migrated", "ctx_scenario")};
  inputs.results = results;
  inputs.root = "app";
  return BuildAuditReport(std::move(inputs));
}

TEST(AuditVerdictTest, FindingScenariosAreTheUnsuppressedFindingsMeasuringThenMigrated) {
  // asyncify_scenario measures only the suppressed finding.
  EXPECT_EQ(FindingScenarios(MakeReport(nullptr)), kFindingScenarios);
  AuditInputs inputs;
  inputs.patterns = {ContextPattern()};
  inputs.scan.findings = {MakeFinding("a.py", 1, 1, "context-around-asyncify"),
                          MakeFinding("b.py", 2, 1, "context-around-asyncify")};
  inputs.catalogue = {MakeScenario("ctx_scenario")};
  EXPECT_EQ(FindingScenarios(BuildAuditReport(std::move(inputs))),
            std::vector<std::string>{"ctx_scenario"});  // once, and no migrated variant
}

TEST(AuditVerdictTest, AFindingRegressesWhereItsScenarioDoesWhateverTheCataloguesExpect) {
  Results results = MeasuredResults();  // ctx_scenario: 3/3 pass on old, 0/3 on new
  // The catalogue knows it fails there; the audit still reports the change.
  results.environment.scenario_info["ctx_scenario"].expected["new"] = Expectation::kFailOrFlaky;
  AuditVerdict verdict = DecideAudit(MakeReport(&results), results, kFindingScenarios);
  EXPECT_EQ(verdict.kind, AuditVerdictKind::kFailed);
  EXPECT_EQ(verdict.regressing_findings, 1);
  EXPECT_EQ(verdict.failing_findings, 1);
  EXPECT_EQ(verdict.project_total, 0);
  EXPECT_EQ(verdict.targets, (std::vector<std::string>{"old", "new"}));
  ASSERT_EQ(verdict.items.size(), 1u);
  EXPECT_EQ(verdict.items[0].scenario, "ctx_scenario");
  EXPECT_EQ(verdict.items[0].finding, "pkg/qa.py:21:14 [context-around-asyncify]");
  EXPECT_EQ(verdict.items[0].target, "new");
  EXPECT_EQ(verdict.items[0].status, PairStatus::kRegression);
  EXPECT_NE(verdict.items[0].reason.find("AssertionError: No LM is loaded."), std::string::npos)
      << verdict.items[0].reason;
}

TEST(AuditVerdictTest, TheProjectsTestsAreGatedWithTheirOwnExpectations) {
  Results results = MeasuredResults();
  AddProjectRuns(results, "test_x::test_breaks", "new");
  AddProjectRuns(results, "test_x::test_fine");
  AddProjectRuns(results, "known_broken", "new");
  results.environment.scenario_info["test_x::test_breaks"].pytest_node =
      "tests/test_x.py::test_breaks";
  // The team's own EXPECT accepts this one's failure on new.
  results.environment.scenario_info["known_broken"].expected["new"] = Expectation::kFail;
  AuditVerdict verdict = DecideAudit(MakeReport(&results), results, kFindingScenarios);
  EXPECT_EQ(verdict.kind, AuditVerdictKind::kFailed);
  EXPECT_EQ(verdict.project_total, 3);
  EXPECT_EQ(verdict.project_regressions, 1);
  EXPECT_EQ(verdict.project_behaviour_changes, 0);
  ASSERT_EQ(verdict.items.size(), 2u);
  EXPECT_EQ(verdict.items[1].scenario, "tests/test_x.py::test_breaks");  // its test id
  EXPECT_FALSE(verdict.items[1].catalogue);
  EXPECT_EQ(verdict.items[1].finding, "");
  EXPECT_EQ(verdict.items[1].status, PairStatus::kRegression);
}

TEST(AuditVerdictTest, NothingRegressingAndNoFailingFindingPasses) {
  Results results = MeasuredResults();
  AddProjectRuns(results, "test_x::test_fine");
  // A note whose scenario regresses decides nothing, as it fails no scan.
  AuditVerdict verdict = DecideAudit(ReportWith(&results, "note"), results, kFindingScenarios);
  EXPECT_EQ(verdict.kind, AuditVerdictKind::kPassed);
  EXPECT_EQ(verdict.regressing_findings, 0);
  EXPECT_EQ(verdict.failing_findings, 0);
  EXPECT_EQ(verdict.project_total, 1);
  EXPECT_TRUE(verdict.items.empty());
  EXPECT_EQ(verdict.Headline(),
            "passed: 0 findings whose scenario regresses or changes behaviour; 0 of 1 of the "
            "project's scenarios and tests regress, 0 change behaviour; 0 pairs inconclusive; 0 "
            "unsuppressed error or warning findings");
}

TEST(AuditVerdictTest, AFailingFindingFailsEvenWhenItsScenarioDoesNotRegressHere) {
  Results results = MeasuredResults();
  for (RunResult& run : results.runs) {  // ctx_scenario passes on both targets here
    run.status = Status::kPass;
    run.error_type.clear();
    run.error_message.clear();
  }
  AuditVerdict verdict = DecideAudit(ReportWith(&results, "warning"), results, kFindingScenarios);
  EXPECT_EQ(verdict.kind, AuditVerdictKind::kFailed);
  EXPECT_EQ(verdict.regressing_findings, 0);
  EXPECT_EQ(verdict.failing_findings, 1);
}

TEST(AuditVerdictTest, APairThatCouldNotStartMakesItInconclusiveNotAPassOrARegression) {
  Results results = MeasuredResults();
  AddProjectRuns(results, "test_x::test_needs_a_module", "new", Status::kUnresolved, 1);
  AuditVerdict verdict = DecideAudit(MakeReport(&results), results, kFindingScenarios);
  EXPECT_EQ(verdict.kind, AuditVerdictKind::kInconclusive);
  EXPECT_EQ(verdict.inconclusive_pairs, 1);
  EXPECT_EQ(verdict.regressing_findings, 1);  // still counted and shown
  ASSERT_EQ(verdict.items.size(), 2u);
  EXPECT_EQ(verdict.items[1].status, PairStatus::kUnresolved);
  EXPECT_EQ(verdict.items[1].scenario, "test_x::test_needs_a_module");
}

TEST(AuditVerdictTest, AnInterruptedRunIsInconclusive) {
  Results results = MeasuredResults();
  results.environment.interrupted = true;
  results.environment.planned_runs = 20;
  AuditVerdict verdict = DecideAudit(MakeReport(&results), results, kFindingScenarios);
  EXPECT_EQ(verdict.kind, AuditVerdictKind::kInconclusive);
  ASSERT_EQ(verdict.incomplete.size(), 1u);
  EXPECT_NE(verdict.incomplete[0].find("interrupted after 12 of 20"), std::string::npos)
      << verdict.incomplete[0];
}

TEST(AuditVerdictTest, ARunThatDidNotHappenNeverPasses) {
  AuditVerdict verdict =
      AuditWithoutRun(ReportWith(nullptr, "note"), "the run could not provision dspy-2.5.40");
  EXPECT_EQ(verdict.kind, AuditVerdictKind::kInconclusive);
  EXPECT_TRUE(verdict.targets.empty());
  EXPECT_EQ(verdict.Headline(),
            "INCONCLUSIVE: nothing was measured (the run could not provision dspy-2.5.40); 0 "
            "unsuppressed error or warning findings");
  const std::string md = AuditMarkdownWithRun(ReportWith(nullptr, "error"), verdict, "", "out/run");
  EXPECT_NE(md.find("## Verdict: INCONCLUSIVE\n\nNothing was measured: the run could not "
                    "provision dspy-2.5.40.\n"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("No report: the run in `out/run` wrote none."), std::string::npos) << md;
}

TEST(AuditVerdictTest, OneDocumentVerdictFirstThenFindingsThenTheRunsReport) {
  Results results = MeasuredResults();
  AddProjectRuns(results, "test_x::test_breaks", "new");
  AuditReport report = MakeReport(&results);
  AuditVerdict verdict = DecideAudit(report, results, kFindingScenarios);
  const std::string run_md =
      "# DSPy migration report: old → new\n\n## Patterns\n\n```python\n# SUMMARY: kept\n```\n";
  std::string md = AuditMarkdownWithRun(report, verdict, run_md, "out/run");
  const auto verdict_at = md.find("## Verdict: FAILED\n\nOn old → new (the first is the baseline)");
  const auto findings_at = md.find("## Findings\n\n**1 finding** in 1 file");
  const auto run_at = md.find("## DSPy migration report: old → new\n\n### Patterns\n");
  ASSERT_NE(verdict_at, std::string::npos) << md;
  ASSERT_NE(findings_at, std::string::npos) << md;
  ASSERT_NE(run_at, std::string::npos) << md;
  EXPECT_LT(verdict_at, findings_at);
  EXPECT_LT(findings_at, run_at);
  EXPECT_TRUE(md.starts_with("# DSPy upgrade audit: `app`\n")) << md;
  EXPECT_NE(md.find("- **1 finding** whose scenario regresses or changes behaviour on a target, "
                    "of 1 unsuppressed error or warning finding\n"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("- **1 of 1** of the project's scenarios and tests regress"), std::string::npos)
      << md;
  EXPECT_NE(md.find("| finding `pkg/qa.py:21:14 [context-around-asyncify]`: `ctx_scenario` | new "
                    "| regression | "),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| `test_x::test_breaks` | new | regression | "), std::string::npos) << md;
  EXPECT_NE(md.find("| 3/3 pass | 0/3 pass **regression** |"), std::string::npos) << md;
  EXPECT_NE(md.find("```python\n# SUMMARY: kept\n```"), std::string::npos) << md;
}

TEST(AuditVerdictTest, DemoteHeadingsLeavesFencedCodeAlone) {
  EXPECT_EQ(DemoteHeadings("# A\ntext\n## B\n````\n# code\n```\n# still code\n````\n### C"),
            "## A\ntext\n### B\n````\n# code\n```\n# still code\n````\n#### C");
  EXPECT_EQ(DemoteHeadings("~~~\n# x\n~~~\n# y\n"), "~~~\n# x\n~~~\n## y\n");
}

}  // namespace
}  // namespace dspy_compat
