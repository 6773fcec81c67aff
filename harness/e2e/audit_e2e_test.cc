// End-to-end tests of `dspy-compat audit` on the sample project
// testdata/audit_project (a package, a dependency outside DSPy's tree, a
// pytest file, two async patterns): the pattern that breaks on 2.5.40 is
// found at its line, the one that does not is not, the SARIF validates
// against the published schema, and a results.json's outcomes reach the
// findings. Static: needs python3, not the DSPy targets.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "e2e_fixture.h"
#include "process/subprocess.h"
#include "results/results_file.h"

namespace dspy_compat {
namespace {

namespace fs = std::filesystem;
using e2e::Invocation;
using e2e::kRoot;
using nlohmann::json;

const fs::path kProject = kRoot / "harness" / "e2e" / "testdata" / "audit_project";

// The 1-based line of the first line of `file` that contains `text`.
int LineOf(const fs::path& file, const std::string& text) {
  std::istringstream in(e2e::ReadText(file));
  int number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    if (line.find(text) != std::string::npos) return number;
  }
  return 0;
}

class AuditE2eTest : public e2e::E2eTest {
 protected:
  json Sarif() { return json::parse(e2e::ReadText(out_ / "audit" / "audit.sarif")); }

  // jsonschema, installed once into the build folder's venv, on one file.
  void ExpectValidSarif(const fs::path& sarif) {
    ProcessSpec spec;
    spec.argv = {
        DSPY_COMPAT_PYTHON, (kRoot / "harness" / "audit" / "sarif_schema_test.py").string(),
        "--venv",           DSPY_COMPAT_SARIF_VENV,
        "--source-root",    kRoot.string(),
        "--sarif",          sarif.string()};
    spec.env = CurrentEnvironment();
    spec.output_path = out_ / "sarif-validation.log";
    spec.timeout = std::chrono::minutes(5);
    ProcessOutcome outcome = RunProcess(spec);
    if (outcome.exit_code == 77) GTEST_SKIP() << outcome.output_tail;
    EXPECT_EQ(outcome.exit_code, 0) << outcome.output_tail;
  }
};

TEST_F(AuditE2eTest, FindsTheBreakingPatternAtItsLineAndNotTheOther) {
  // Plain lines, not annotations, even when this test itself runs on GitHub.
  Invocation audit = Run({"audit", kProject.string(), "--out", (out_ / "audit").string()},
                         {{"GITHUB_ACTIONS", "false"}});
  EXPECT_EQ(audit.exit_code, 1) << audit.output;

  int line = LineOf(kProject / "support_desk" / "triage.py", "with dspy.context(lm=lm):");
  ASSERT_GT(line, 0);
  json sarif = Sarif();
  const json& results = sarif["runs"][0]["results"];
  bool found = false;
  for (const json& result : results) {
    const json& location = result["locations"][0]["physicalLocation"];
    std::string uri = location["artifactLocation"]["uri"];
    EXPECT_EQ(uri.find("answer.py"), std::string::npos) << result.dump();
    EXPECT_EQ(uri.find("tests/"), std::string::npos) << result.dump();
    if (result["ruleId"] == "context-in-thread-event-loop") {
      EXPECT_EQ(uri, "support_desk/triage.py");
      EXPECT_EQ(location["region"]["startLine"], line);
      EXPECT_EQ(location["region"]["startColumn"], 10);
      EXPECT_EQ(result["level"], "error");
      EXPECT_EQ(result["properties"]["migratedVariant"], "context_in_thread_event_loop_migrated");
      found = true;
    }
  }
  EXPECT_TRUE(found) << sarif.dump(1);
  EXPECT_NE(audit.output.find("support_desk/triage.py:" + std::to_string(line) +
                              ":10: error [context-in-thread-event-loop]: "),
            std::string::npos)
      << audit.output;

  std::string md = e2e::ReadText(out_ / "audit" / "audit.md");
  EXPECT_NE(md.find("`support_desk/triage.py:" + std::to_string(line) + ":10`"), std::string::npos)
      << md;
  EXPECT_EQ(md.find("answer.py"), std::string::npos) << md;

  ExpectValidSarif(out_ / "audit" / "audit.sarif");
}

TEST_F(AuditE2eTest, AnnotationsOnGithubActionsAndOutcomesFromResults) {
  // What a run of the measuring scenario looks like on the two releases.
  Results results;
  for (const char* name : {"dspy-2.5.39", "dspy-2.5.40"}) {
    TargetInfo target;
    target.name = name;
    results.environment.targets.push_back(target);
  }
  results.environment.scenarios = {"context_in_thread_event_loop"};
  for (const char* target : {"dspy-2.5.39", "dspy-2.5.40"}) {
    for (int rep = 1; rep <= 2; ++rep) {
      RunResult run;
      run.scenario_id = "context_in_thread_event_loop";
      run.target_name = target;
      run.repetition = rep;
      run.run_id = std::string(target) + "-" + std::to_string(rep);
      run.status = std::string(target) == "dspy-2.5.40" ? Status::kFail : Status::kPass;
      if (run.status == Status::kFail) {
        run.error_type = "AssertionError";
        run.error_message = "No LM is loaded.";
      }
      results.runs.push_back(run);
    }
  }
  WriteResultsFile(out_ / "results.json", results);

  Invocation audit = Run({"audit", kProject.string(), "--out", (out_ / "audit").string(),
                          "--results", (out_ / "results.json").string()},
                         {{"GITHUB_ACTIONS", "true"}});
  EXPECT_EQ(audit.exit_code, 1) << audit.output;
  int line = LineOf(kProject / "support_desk" / "triage.py", "with dspy.context(lm=lm):");
  EXPECT_NE(audit.output.find("::error file=support_desk/triage.py,line=" + std::to_string(line) +
                              ",endLine=" + std::to_string(line) +
                              ",col=10,title=dspy-compat "
                              "context-in-thread-event-loop%3A "),
            std::string::npos)
      << audit.output;
  std::string md = e2e::ReadText(out_ / "audit" / "audit.md");
  EXPECT_NE(md.find("| 2/2 pass | 0/2 pass **regression** |"), std::string::npos) << md;
  json sarif = Sarif();
  EXPECT_EQ(sarif["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"],
            "file://" + kProject.generic_string() + "/");
}

TEST_F(AuditE2eTest, BadInputIsExit2WithOneLine) {
  Invocation missing = Run({"audit", (out_ / "no-such-project").string()});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.output.find("dspy-compat audit: no such folder or file: "), std::string::npos)
      << missing.output;
  std::ofstream(out_ / "bad.json") << "{}";
  Invocation bad = Run({"audit", kProject.string(), "--out", (out_ / "audit").string(), "--results",
                        (out_ / "bad.json").string()});
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  Invocation help = Run({"audit", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.output.find("1  at least one unsuppressed error or warning"), std::string::npos)
      << help.output;
}

}  // namespace
}  // namespace dspy_compat
