#include "audit/sarif.h"

#include <gtest/gtest.h>

#include "audit/audit_test_data.h"

namespace dspy_compat {
namespace {

using namespace audit_test;
using nlohmann::json;

TEST(SarifTest, OneRunWithARulePerPatternAndAResultPerFinding) {
  Results results = MeasuredResults();
  json sarif = ToSarif(MakeReport(&results), "0.1.0", "/work/project");
  EXPECT_EQ(sarif["version"], "2.1.0");
  ASSERT_EQ(sarif["runs"].size(), 1u);
  const json& run = sarif["runs"][0];
  EXPECT_EQ(run["tool"]["driver"]["name"], "dspy-compat");
  const json& rules = run["tool"]["driver"]["rules"];
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_EQ(rules[1]["id"], "context-around-asyncify");
  EXPECT_EQ(rules[1]["helpUri"], "https://github.com/stanfordnlp/dspy/issues/1867");
  EXPECT_EQ(rules[1]["help"]["text"], "Enter `dspy.context` inside the program.");
  EXPECT_EQ(rules[1]["defaultConfiguration"]["level"], "error");
  EXPECT_EQ(run["originalUriBaseIds"]["%SRCROOT%"]["uri"], "file:///work/project/");

  const json& results_json = run["results"];
  ASSERT_EQ(results_json.size(), 2u);
  const json& first = results_json[0];
  EXPECT_EQ(first["ruleId"], "context-around-asyncify");
  EXPECT_EQ(first["ruleIndex"], 1);
  const json& location = first["locations"][0]["physicalLocation"];
  EXPECT_EQ(location["artifactLocation"]["uri"], "pkg/qa.py");
  EXPECT_EQ(location["region"]["startLine"], 21);
  EXPECT_EQ(location["region"]["startColumn"], 14);
  EXPECT_FALSE(first.contains("suppressions"));
  EXPECT_EQ(first["properties"]["migratedVariant"], "ctx_scenario_migrated");
  EXPECT_EQ(first["properties"]["measured"]["new"]["passes"], 0);
  std::string text = first["message"]["text"];
  EXPECT_NE(
      text.find("Measured by scenario ctx_scenario: old 3/3 pass, new 0/3 pass (regression)."),
      std::string::npos)
      << text;

  const json& second = results_json[1];
  ASSERT_EQ(second["suppressions"].size(), 1u);
  EXPECT_EQ(second["suppressions"][0]["kind"], "inSource");
  EXPECT_EQ(second["suppressions"][0]["justification"],
            "# dspy-compat: ignore[asyncify-not-outermost]");

  const json& notes = run["invocations"][0]["toolExecutionNotifications"];
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "pkg/broken.py");
}

TEST(SarifTest, UriPathEncodesWhatAUriCannotHold) {
  EXPECT_EQ(UriPath("src/my app/qa%.py"), "src/my%20app/qa%25.py");
  EXPECT_EQ(UriPath("a/b_c-d.~e"), "a/b_c-d.~e");
}

}  // namespace
}  // namespace dspy_compat
