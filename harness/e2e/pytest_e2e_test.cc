// End-to-end tests of a team's tests as scenarios: the sample project's
// pytest file (testdata/audit_project/tests/test_support_desk.py) run on
// DSPy 2.5.39 and 2.5.40, each test a scenario of its own, through pytest
// inside the target. The pinned targets have no pytest, so the test builds
// two environments of its own from the pinned locks plus pytest and the
// project's dependency (humanize), with the project importable (a .pth, as
// an editable install makes it), and passes them as `python:` targets.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "e2e_fixture.h"
#include "process/subprocess.h"
#include "results/results_file.h"

namespace dspy_compat {
namespace {

namespace fs = std::filesystem;
using e2e::Invocation;
using e2e::kRoot;

const fs::path kProject = kRoot / "harness" / "e2e" / "testdata" / "audit_project";
constexpr const char* kBreaking = "test_support_desk::test_triage_in_background_loop";
constexpr const char* kOutermost = "test_support_desk::test_answers_outermost_asyncify";
constexpr const char* kLabel = "test_support_desk::test_ticket_label";

class PytestE2eTest : public e2e::E2eTest {
 protected:
  // Runs a command (uv) for building an environment; its output goes to
  // out_/NAME.log. False, with the log's tail recorded, when it failed.
  bool Step(const std::vector<std::string>& argv, const std::string& name) {
    ProcessSpec spec;
    spec.argv = argv;
    spec.env = CurrentEnvironment();
    spec.output_path = out_ / (name + ".log");
    spec.timeout = std::chrono::minutes(10);
    ProcessOutcome outcome = RunProcess(spec);
    if (outcome.exit_code == 0) return true;
    ADD_FAILURE() << name << " failed (" << outcome.start_error << "):\n" << outcome.output_tail;
    return false;
  }

  // An environment of the pinned target `target`'s lock, plus pytest and
  // the project's own dependency, with the project copied into out_ on its
  // path. Returns its interpreter, or "" after a failure.
  std::string MakeEnvironment(const std::string& target) {
    const fs::path venv = out_ / ("venv-" + target);
    const std::string python = (venv / "bin" / "python").string();
    const fs::path lock = kRoot / "fixtures" / "targets" / target / "requirements.lock";
    if (!Step({"uv", "venv", "--quiet", "--python", "3.11", venv.string()}, target + "-venv") ||
        !Step({"uv", "pip", "install", "--quiet", "--python", python, "--require-hashes",
               "--no-deps", "-r", lock.string()},
              target + "-lock") ||
        !Step({"uv", "pip", "install", "--quiet", "--python", python, "pytest>=8", "humanize>=4.9"},
              target + "-pytest")) {
      return "";
    }
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(venv / "lib", ec)) {
      std::ofstream(entry.path() / "site-packages" / "support_desk.pth")
          << project_.string() << "\n";
    }
    return python;
  }

  void SetUp() override {
    E2eTest::SetUp();
    project_ = out_ / "audit_project";
    fs::copy(kProject, project_, fs::copy_options::recursive);
  }

  fs::path project_;
};

TEST_F(PytestE2eTest, TheBreakingTestRegressesOn2540AndTheOthersPassOnBoth) {
  const std::string old_python = MakeEnvironment("dspy-2.5.39");
  const std::string new_python = MakeEnvironment("dspy-2.5.40");
  ASSERT_FALSE(old_python.empty() || new_python.empty());
  const std::string old_target = "python:" + old_python;
  const std::string new_target = "python:" + new_python;

  Invocation run = Run({"run", "--targets", old_target + "," + new_target, "--scenarios",
                        (project_ / "tests" / "test_support_desk.py").string(), "--repeat", "3",
                        "--jobs", "2", "--out", (out_ / "run").string()});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  Invocation gate = Run({"gate", (out_ / "run" / "results.json").string()});
  EXPECT_EQ(gate.exit_code, 1) << gate.output;  // a regression

  Results results = ReadResultsFile(out_ / "run" / "results.json");
  ASSERT_EQ(results.environment.scenarios.size(), 3u) << run.output;
  for (const char* id : {kBreaking, kOutermost, kLabel}) {
    for (const std::string& target : {old_target, new_target}) {
      const auto runs = e2e::RunsOf(results, id, target);
      ASSERT_EQ(runs.size(), 3u) << id << " on " << target;
      for (const RunResult& r : runs) {
        const bool breaks = std::string(id) == kBreaking && target == new_target;
        EXPECT_EQ(r.status, breaks ? Status::kFail : Status::kPass)
            << id << " on " << target << ": " << r.error_type << ": " << r.error_message << "\n"
            << r.traceback << r.output_tail;
        if (breaks) {
          // The real exception, as a program's failure is recorded.
          EXPECT_EQ(r.error_type, "AssertionError");
          EXPECT_EQ(r.error_message, "No LM is loaded.");
          EXPECT_NE(r.traceback.find("test_support_desk.py"), std::string::npos) << r.traceback;
        }
      }
    }
  }
  // Only the outermost-asyncify test and the breaking one reach the mock LM.
  EXPECT_GT(e2e::RunsOf(results, kOutermost, old_target)[0].lm_calls, 0);
  EXPECT_EQ(e2e::RunsOf(results, kLabel, old_target)[0].lm_calls, 0);

  // results.json and every report name each test by its test id.
  const auto& info = results.environment.scenario_info;
  ASSERT_TRUE(info.contains(kBreaking));
  EXPECT_EQ(info.at(kBreaking).pytest_node,
            "tests/test_support_desk.py::test_triage_in_background_loop");
  EXPECT_EQ(info.at(kLabel).pytest_node, "tests/test_support_desk.py::test_ticket_label");
  const std::string md = e2e::ReadText(out_ / "run" / "report.md");
  EXPECT_NE(md.find("**Test:** `tests/test_support_desk.py::test_triage_in_background_loop`"),
            std::string::npos)
      << md;
  const std::string html = e2e::ReadText(out_ / "run" / "report.html");
  EXPECT_NE(html.find("<code>tests/test_support_desk.py::test_triage_in_background_loop</code>"),
            std::string::npos);
  const std::string junit = e2e::ReadText(out_ / "run" / "junit.xml");
  EXPECT_NE(junit.find("name=\"tests/test_support_desk.py::test_triage_in_background_loop\""),
            std::string::npos)
      << junit;
  // Nothing was written into the project (no .pytest_cache, no bytecode).
  EXPECT_FALSE(fs::exists(project_ / ".pytest_cache"));
  EXPECT_FALSE(fs::exists(project_ / "tests" / "__pycache__"));
}

TEST_F(PytestE2eTest, AnUnknownTestIsAOneLineUsageError) {
  const std::string file = (project_ / "tests" / "test_support_desk.py").string();
  Invocation run = Run({"run", "--targets", "dspy-2.5.40", "--scenarios", file + "::test_gone",
                        "--out", (out_ / "run").string()});
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find("dspy-compat: no test test_gone in " + file +
                            " (its tests: test_ticket_label, test_answers_outermost_asyncify, "
                            "test_triage_in_background_loop)\n"),
            std::string::npos)
      << run.output;
  EXPECT_FALSE(fs::exists(out_ / "run" / "results.json"));
}

TEST_F(PytestE2eTest, ATargetWithoutPytestLeavesTheTestUnresolvedNeverPassed) {
  // The pinned target has neither pytest nor the project: the run says so.
  const std::string file = (project_ / "tests" / "test_support_desk.py").string();
  Invocation run =
      Run({"run", "--targets", "dspy-2.5.40", "--scenarios", file + "::test_ticket_label",
           "--repeat", "1", "--out", (out_ / "run").string()});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  Invocation gate = Run({"gate", (out_ / "run" / "results.json").string()});
  EXPECT_EQ(gate.exit_code, 3) << gate.output;  // inconclusive, never a pass
  Results results = ReadResultsFile(out_ / "run" / "results.json");
  const auto runs = e2e::RunsOf(results, kLabel, "dspy-2.5.40");
  ASSERT_EQ(runs.size(), 1u) << run.output;
  EXPECT_EQ(runs[0].status, Status::kUnresolved);
  EXPECT_NE(runs[0].error_message.find("pytest is not installed in the target"), std::string::npos)
      << runs[0].error_message;
}

}  // namespace
}  // namespace dspy_compat
