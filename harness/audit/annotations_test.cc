#include "audit/annotations.h"

#include <gtest/gtest.h>

#include "audit/audit_test_data.h"

namespace dspy_compat {
namespace {

using namespace audit_test;

TEST(AnnotationsTest, OneWorkflowCommandPerUnsuppressedFinding) {
  std::string text = GithubAnnotations(MakeReport(nullptr));
  EXPECT_EQ(text,
            "::error file=pkg/qa.py,line=21,endLine=21,col=14,title=dspy-compat "
            "context-around-asyncify%3A dspy.context(...) around an awaited asyncified call::"
            "dspy.context(...) around an awaited asyncified call (line 12). Measured by scenario "
            "ctx_scenario. Remediation: Enter `dspy.context` inside the program. Migrated "
            "variant: ctx_scenario_migrated.\n");
}

TEST(AnnotationsTest, EscapesWhatWorkflowCommandsReserve) {
  EXPECT_EQ(EscapeAnnotationData("50%\r\nnext: a,b"), "50%25%0D%0Anext: a,b");
  EXPECT_EQ(EscapeAnnotationProperty("a:b,c%"), "a%3Ab%2Cc%25");
}

TEST(AnnotationsTest, NotesAreNotices) {
  AuditInputs inputs;
  AuditPattern note = ContextPattern();
  note.level = "note";
  inputs.patterns = {note};
  inputs.catalogue = {MakeScenario("ctx_scenario")};
  inputs.scan.findings = {MakeFinding("a.py", 2, 3, "context-around-asyncify")};
  EXPECT_EQ(GithubAnnotations(BuildAuditReport(std::move(inputs))).rfind("::notice file=a.py,", 0),
            0u);
}

}  // namespace
}  // namespace dspy_compat
