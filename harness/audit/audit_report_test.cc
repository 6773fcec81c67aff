#include "audit/audit_report.h"

#include <gtest/gtest.h>

#include "audit/audit_test_data.h"

namespace dspy_compat {
namespace {

using namespace audit_test;

TEST(AuditReportTest, JoinsFindingsWithPatternsMigratedVariantsAndOutcomes) {
  Results results = MeasuredResults();
  AuditReport report = MakeReport(&results);
  ASSERT_EQ(report.entries.size(), 2u);
  const AuditEntry& first = report.entries[0];  // unsuppressed first
  EXPECT_EQ(first.finding.pattern, "context-around-asyncify");
  EXPECT_EQ(first.pattern.scenario, "ctx_scenario");
  EXPECT_EQ(first.migrated, "ctx_scenario_migrated");
  ASSERT_EQ(first.outcomes.size(), 2u);
  EXPECT_EQ(first.outcomes[0].target_name, "old");
  EXPECT_EQ(first.outcomes[0].Passes(), 3);
  EXPECT_EQ(first.outcomes[1].Passes(), 0);
  ASSERT_EQ(first.verdicts.size(), 1u);
  EXPECT_EQ(first.verdicts[0].kind, VerdictKind::kRegression);
  EXPECT_EQ(first.migrated_outcomes.size(), 2u);
  EXPECT_EQ(MeasuredSummary(first.outcomes, first.verdicts),
            "old 3/3 pass, new 0/3 pass (regression)");

  const AuditEntry& second = report.entries[1];
  EXPECT_TRUE(second.finding.suppressed);
  EXPECT_EQ(second.migrated, "");
  EXPECT_TRUE(second.outcomes.empty());  // the results did not run asyncify_scenario

  EXPECT_EQ(report.targets, (std::vector<std::string>{"old", "new"}));
  EXPECT_EQ(report.Unsuppressed(), 1);
  EXPECT_EQ(report.Suppressed(), 1);
  EXPECT_EQ(report.Failing(), 1);
}

TEST(AuditReportTest, WithoutResultsNothingIsMeasured) {
  AuditReport report = MakeReport(nullptr);
  EXPECT_TRUE(report.targets.empty());
  EXPECT_TRUE(report.entries[0].outcomes.empty());
  EXPECT_EQ(report.entries[0].migrated, "ctx_scenario_migrated");
}

TEST(AuditReportTest, NotesDoNotFail) {
  AuditInputs inputs;
  AuditPattern note = ContextPattern();
  note.level = "note";
  inputs.patterns = {note};
  inputs.catalogue = {MakeScenario("ctx_scenario")};
  inputs.scan.findings = {MakeFinding("a.py", 1, 1, "context-around-asyncify")};
  AuditReport report = BuildAuditReport(std::move(inputs));
  EXPECT_EQ(report.Unsuppressed(), 1);
  EXPECT_EQ(report.Failing(), 0);
}

TEST(AuditReportTest, PathsGetTheFolderAsNamed) {
  AuditInputs inputs;
  inputs.patterns = {ContextPattern()};
  inputs.catalogue = {MakeScenario("ctx_scenario")};
  inputs.scan.findings = {MakeFinding("pkg/qa.py", 1, 1, "context-around-asyncify")};
  inputs.display_prefix = "./src/app";
  EXPECT_EQ(BuildAuditReport(std::move(inputs)).entries[0].finding.file, "src/app/pkg/qa.py");
}

TEST(AuditReportTest, AnUnknownPatternOrScenarioIsAnInputError) {
  AuditInputs inputs;
  inputs.patterns = {ContextPattern()};
  inputs.scan.findings = {MakeFinding("a.py", 3, 1, "no-such-pattern")};
  EXPECT_THROW(BuildAuditReport(inputs), AuditInputError);
  inputs.scan.findings = {MakeFinding("a.py", 3, 1, "context-around-asyncify")};
  try {
    BuildAuditReport(inputs);  // the catalogue is empty
    FAIL() << "expected an AuditInputError";
  } catch (const AuditInputError& e) {
    EXPECT_STREQ(
        e.what(),
        "pattern context-around-asyncify: scenario 'ctx_scenario' is not in the catalogue");
  }
}

}  // namespace
}  // namespace dspy_compat
