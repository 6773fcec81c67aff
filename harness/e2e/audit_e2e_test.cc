// End-to-end tests of `dspy-compat audit` on the sample project
// testdata/audit_project (a package, a dependency outside DSPy's tree, a
// pytest file, two async patterns): the pattern that breaks on 2.5.40 is
// found at its line, the one that does not is not, the SARIF validates
// against the published schema, and a results.json's outcomes reach the
// findings: static, these need python3, not the DSPy targets. And the one
// command for an audit, `audit DIR --targets`, on the two pinned releases:
// the project installed in each, its tests and the finding's scenario run,
// one report with the verdict.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
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

TEST_F(AuditE2eTest, OnTwoTargetsTheFindingAndTheBreakingTestRegressInOneReport) {
  const std::string tests = (kProject / "tests" / "test_support_desk.py").string();
  Invocation audit = Run({"audit", kProject.string(), "--out", (out_ / "audit").string(),
                          "--targets", "dspy-2.5.39", "--targets", "dspy-2.5.40", "--repeat", "2",
                          "--scenarios", tests + "::test_triage_in_background_loop", "--scenarios",
                          tests + "::test_answers_outermost_asyncify"},
                         {{"GITHUB_ACTIONS", "false"}});
  EXPECT_EQ(audit.exit_code, 1) << audit.output;  // regressions, and an error finding

  Results results = ReadResultsFile(out_ / "audit" / "run" / "results.json");
  // The finding's scenario (and its migrated variant) and the two tests, each
  // twice on each target, with the project installed in both.
  const std::map<std::string, std::string> fails_on = {
      {"context_in_thread_event_loop", "dspy-2.5.40"},
      {"context_in_thread_event_loop_migrated", ""},
      {"test_support_desk::test_triage_in_background_loop", "dspy-2.5.40"},
      {"test_support_desk::test_answers_outermost_asyncify", ""}};
  ASSERT_EQ(results.environment.scenarios.size(), fails_on.size()) << audit.output;
  for (const auto& [id, failing_target] : fails_on) {
    for (const char* target : {"dspy-2.5.39", "dspy-2.5.40"}) {
      const auto runs = e2e::RunsOf(results, id, target);
      ASSERT_EQ(runs.size(), 2u) << id << " on " << target;
      for (const RunResult& r : runs) {
        EXPECT_EQ(r.status, failing_target == target ? Status::kFail : Status::kPass)
            << id << " on " << target << ": " << r.error_type << ": " << r.error_message << "\n"
            << r.traceback << r.output_tail;
      }
    }
  }
  for (const TargetInfo& t : results.environment.targets) {
    EXPECT_TRUE(t.project.has_value()) << t.name;
  }

  const int line = LineOf(kProject / "support_desk" / "triage.py", "with dspy.context(lm=lm):");
  const std::string md = e2e::ReadText(out_ / "audit" / "audit.md");
  const auto verdict = md.find("## Verdict: FAILED\n");
  const auto findings = md.find("## Findings\n");
  const auto run = md.find("## DSPy migration report: dspy-2.5.39 → dspy-2.5.40");
  ASSERT_NE(verdict, std::string::npos) << md;
  ASSERT_NE(findings, std::string::npos) << md;
  ASSERT_NE(run, std::string::npos) << md;
  EXPECT_LT(verdict, findings);
  EXPECT_LT(findings, run);
  EXPECT_NE(md.find("- **1 finding** whose scenario regresses or changes behaviour on a target"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("- **1 of 2** of the project's scenarios and tests regress, **0** change "
                    "behaviour\n- **0 pairs** inconclusive"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| finding `support_desk/triage.py:" + std::to_string(line) +
                    ":10 [context-in-thread-event-loop]`: `context_in_thread_event_loop` | "
                    "dspy-2.5.40 | regression | "),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| `tests/test_support_desk.py::test_triage_in_background_loop` | "
                    "dspy-2.5.40 | regression | "),
            std::string::npos)
      << md;
  EXPECT_EQ(md.find("| `tests/test_support_desk.py::test_answers_outermost_asyncify` |"),
            std::string::npos)
      << md;
  // The findings table, with the outcomes measured on each target.
  EXPECT_NE(md.find("| 2/2 pass | 0/2 pass **regression** |"), std::string::npos) << md;
  EXPECT_NE(md.find("`context_in_thread_event_loop_migrated` (dspy-2.5.39 2/2 pass, dspy-2.5.40 "
                    "2/2 pass)"),
            std::string::npos)
      << md;
  // The SARIF carries the outcomes too, and stays valid.
  bool measured = false;
  const json sarif = Sarif();
  for (const json& result : sarif["runs"][0]["results"]) {
    if (result["ruleId"] != "context-in-thread-event-loop") continue;
    EXPECT_EQ(result["properties"]["measured"]["dspy-2.5.39"]["passes"], 2) << result.dump();
    EXPECT_EQ(result["properties"]["measured"]["dspy-2.5.40"]["passes"], 0) << result.dump();
    measured = true;
  }
  EXPECT_TRUE(measured);
  ExpectValidSarif(out_ / "audit" / "audit.sarif");
  EXPECT_NE(
      audit.output.find("dspy-compat audit: FAILED: 1 finding whose scenario regresses or "
                        "changes behaviour; 1 of 2 of the project's scenarios and tests "
                        "regresses, 0 change behaviour; 0 pairs inconclusive; 1 unsuppressed error "
                        "or warning finding\n"),
      std::string::npos)
      << audit.output;
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
  // --targets: a run that never started is bad input, and never reads as a pass.
  Invocation unknown = Run({"audit", kProject.string(), "--out", (out_ / "unknown").string(),
                            "--targets", "dspy-0.0.1-no-such-target"});
  EXPECT_EQ(unknown.exit_code, 2) << unknown.output;
  EXPECT_NE(unknown.output.find("dspy-compat audit: INCONCLUSIVE: nothing was measured (the run "
                                "on the targets exited 2 before writing results"),
            std::string::npos)
      << unknown.output;
  EXPECT_NE(e2e::ReadText(out_ / "unknown" / "audit.md").find("## Verdict: INCONCLUSIVE\n"),
            std::string::npos);
  Invocation file = Run({"audit", (kProject / "support_desk" / "triage.py").string(), "--out",
                         (out_ / "file").string(), "--targets", "dspy-2.5.40"});
  EXPECT_EQ(file.exit_code, 2) << file.output;
  EXPECT_NE(file.output.find("--targets runs the project in DIR: give its folder, not a file"),
            std::string::npos)
      << file.output;
  Invocation help = Run({"audit", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.output.find("1  at least one unsuppressed error or warning"), std::string::npos)
      << help.output;
}

}  // namespace
}  // namespace dspy_compat
