#include "reports/junit_report.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "process/subprocess.h"
#include "reports/test_changed_code.h"
#include "reports/test_knowledge.h"
#include "results/results_file.h"
#include "test_support/source_tree.h"

namespace dspy_compat {
namespace {
namespace fs = std::filesystem;
using test_support::SourceRoot;

fs::path TestData(const std::string& name) {
  return SourceRoot() / "harness" / "reports" / "testdata" / name;
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

RunResult Run(const std::string& scenario, const std::string& target, Status status, int rep,
              const std::string& message = "") {
  RunResult run;
  run.scenario_id = scenario;
  run.target_name = target;
  run.repetition = rep;
  run.run_id = scenario + "." + target + "." + std::to_string(rep);
  run.status = status;
  run.wall_seconds = 1.5;
  if (status != Status::kPass) {
    run.error_type = status == Status::kError ? "" : "AssertionError";
    run.error_message = message;
    run.traceback = "Traceback (most recent call last):\n  <frame> & \"x\"\n" + message + "\n";
  }
  return run;
}

// Every kind of testcase: pass, regression, intermittent regression,
// expected failure, harness error, unexpected pass; hostile text too.
Results EveryKind() {
  Results r;
  r.environment.targets = {{"dspy-2.5.39", "locked", "2.5.39", "3.11", "h1", "/a"},
                           {"dspy-2.5.40", "locked", "2.5.40", "3.11", "h2", "/b"}};
  r.environment.started_at = "2024-11-27T09:00:00Z";
  const char* kOld = "dspy-2.5.39";
  const char* kNew = "dspy-2.5.40";
  for (int rep = 1; rep <= 3; ++rep) {
    r.runs.push_back(Run("ok", kOld, Status::kPass, rep));
    r.runs.push_back(Run("ok", kNew, Status::kPass, rep));
    r.runs.push_back(Run("broken", kOld, Status::kPass, rep));
    r.runs.push_back(Run("broken", kNew, Status::kFail, rep, "No LM is loaded. <&> \x01\xff"));
    r.runs.push_back(Run("flaky", kOld, Status::kPass, rep));
    r.runs.push_back(Run("flaky", kNew, rep == 2 ? Status::kFail : Status::kPass, rep,
                         "No LM is loaded. -- twice"));
    r.runs.push_back(Run("known", kOld, Status::kPass, rep));
    r.runs.push_back(Run("known", kNew, Status::kFail, rep, "No LM is loaded."));
    r.runs.push_back(Run("errored", kOld, Status::kPass, rep));
    r.runs.push_back(Run("errored", kNew, Status::kError, rep, "runner could not start"));
    r.runs.push_back(Run("fixed", kOld, Status::kPass, rep));
    r.runs.push_back(Run("fixed", kNew, Status::kPass, rep));
  }
  r.environment.scenario_info["known"].expected[kNew] = Expectation::kFailOrFlaky;
  r.environment.scenario_info["fixed"].expected[kNew] = Expectation::kFail;
  r.environment.planned_runs = static_cast<int>(r.runs.size());
  return r;
}

// Validates with xmllint against the Jenkins JUnit schema kept in testdata.
void ExpectValid(const std::string& xml, const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("junit_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::path file = dir / (name + ".xml");
  std::ofstream(file, std::ios::binary) << xml;
  ProcessSpec spec;
  spec.argv = {"xmllint", "--noout", "--schema", TestData("jenkins-junit.xsd").string(),
               file.string()};
  spec.env = CurrentEnvironment();
  spec.output_path = dir / (name + ".log");
  spec.timeout = std::chrono::seconds(60);
  ProcessOutcome outcome = RunProcess(spec);
  ASSERT_TRUE(outcome.started) << "xmllint (Debian: libxml2-utils) is needed: "
                               << outcome.start_error;
  EXPECT_EQ(outcome.exit_code, 0) << name << ":\n" << outcome.output_tail;
  if (!::testing::Test::HasFailure()) fs::remove_all(dir);
}

TEST(JunitReportTest, EveryKindOfTestcaseValidatesAgainstTheJenkinsSchema) {
  ExpectValid(RenderJunit(EveryKind(), BundledKnowledge()), "every_kind");
}

TEST(JunitReportTest, ChangedCodeGoesToItsPairsSystemOutAndValidates) {
  Results results = EveryKind();
  results.changed_code = {SettingsChange()};
  std::string xml = RenderJunit(results, BundledKnowledge());
  ExpectValid(xml, "changed_code");
  const auto testcase = xml.find("<testcase name=\"broken\" classname=\"dspy_compat.dspy-2_5_40\"");
  const auto out = xml.find("<system-out>Changed DSPy code it ran:");
  ASSERT_NE(testcase, std::string::npos) << xml;
  ASSERT_NE(out, std::string::npos) << xml;
  EXPECT_LT(testcase, out);
  EXPECT_LT(out, xml.find("</testcase>", testcase));
  EXPECT_TRUE(Contains(xml, "dsp/utils/settings.py @@ -40,1 +40,1 @@ (ran on dspy-2.5.39")) << xml;
  EXPECT_TRUE(Contains(xml, "  +z &lt;&amp;&gt;")) << xml;
}

TEST(JunitReportTest, TheCatalogueFixtureValidates) {
  ExpectValid(RenderJunit(ReadResultsFile(TestData("results_catalogue.json")), BundledKnowledge()),
              "catalogue");
  ExpectValid(RenderJunit(ReadResultsFile(TestData("results_small.json")), BundledKnowledge()),
              "small");
  ExpectValid(RenderJunit(Results{}, BundledKnowledge()), "empty");
}

TEST(JunitReportTest, ATeamsTestIsNamedByItsTestId) {
  Results results = EveryKind();
  results.environment.scenario_info["broken"].pytest_node = "tests/test_desk.py::TestB::test_c";
  std::string xml = RenderJunit(results, BundledKnowledge());
  EXPECT_TRUE(Contains(xml,
                       "<testcase name=\"tests/test_desk.py::TestB::test_c\" "
                       "classname=\"dspy_compat.dspy-2_5_40\""))
      << xml;
  EXPECT_FALSE(Contains(xml, "<testcase name=\"broken\"")) << xml;
  EXPECT_TRUE(Contains(xml, "<testcase name=\"ok\"")) << xml;  // programs keep their ids
  ExpectValid(xml, "pytest_node");
}

TEST(JunitReportTest, OneTestcasePerScenarioAndTargetWithTheGatesStatus) {
  std::string xml = RenderJunit(EveryKind(), BundledKnowledge());
  EXPECT_TRUE(Contains(xml,
                       "<testsuites name=\"dspy-compat\" tests=\"12\" failures=\"2\" "
                       "errors=\"1\""))
      << xml;
  EXPECT_TRUE(Contains(xml,
                       "<testsuite name=\"dspy-2.5.40\" tests=\"6\" failures=\"2\" "
                       "errors=\"1\" skipped=\"1\" time=\"27.000\""))
      << xml;
  EXPECT_TRUE(Contains(xml,
                       "<testcase name=\"ok\" classname=\"dspy_compat.dspy-2_5_40\" "
                       "time=\"4.500\"/>"))
      << xml;
  EXPECT_TRUE(Contains(xml,
                       "<failure message=\"expected pass (default: no worse than "
                       "dspy-2.5.39), 3 of 3 runs failed: AssertionError: No LM is loaded. "
                       "&lt;&amp;&gt; \xEF\xBF\xBD"))
      << xml;
  EXPECT_TRUE(Contains(xml, "type=\"intermittent regression\"")) << xml;
  EXPECT_TRUE(Contains(xml,
                       "<flakyFailure message=\"1 of 3 runs: AssertionError: No LM is "
                       "loaded. -- twice\" type=\"AssertionError\">"))
      << xml;
  EXPECT_TRUE(Contains(xml,
                       "<skipped message=\"known failure, not new: expected fail-or-flaky "
                       "(EXPECT)"))
      << xml;
  EXPECT_TRUE(Contains(xml,
                       "<error message=\"3 of 3 runs could not be run by the harness: "
                       "runner could not start\" type=\"infrastructure\"/>"))
      << xml;
  EXPECT_TRUE(Contains(xml, "<system-out>unexpected pass: expected fail (EXPECT)")) << xml;
  // Control characters never reach the XML, even as references.
  EXPECT_FALSE(Contains(xml, "\x01")) << xml;
}

TEST(JunitReportTest, AnIntermittentRegressionsMessageSaysWhetherItCouldBeChance) {
  std::string xml = RenderJunit(EveryKind(), BundledKnowledge());
  // `flaky` failed 1 of 3 runs against 0 of 3: a difference chance gives half the time.
  EXPECT_TRUE(Contains(xml,
                       "(intermittent, p = 0.5: could be chance; both sides ran 3 times)\" "
                       "type=\"intermittent regression\""))
      << xml;
  // A regression failing every run carries no p, as in the reports.
  EXPECT_TRUE(Contains(xml,
                       "3 of 3 runs failed (100% fail, 95% CI 44\xE2\x80\x93"
                       "100%)\" "
                       "type=\"regression\""))
      << xml;
}

TEST(JunitReportTest, VerdictCommentNeverHoldsADoubleHyphen) {
  std::string xml = RenderJunit(EveryKind(), BundledKnowledge());
  std::size_t start = xml.find("<!--");
  std::size_t end = xml.find("-->", start);
  ASSERT_NE(end, std::string::npos);
  EXPECT_EQ(xml.substr(start + 4, end - start - 4).find("--"), std::string::npos);
}

}  // namespace
}  // namespace dspy_compat
