// run --project on the sample project testdata/audit_project (a package,
// support_desk, that depends on humanize, outside DSPy's tree): a scenario
// that imports the package passes on both default targets, each target's
// environment holding the project and its dependency with the target's DSPy;
// the user's tree is never written; a project that requires an incompatible
// DSPy is one line naming both, exit 3, never a pass.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "e2e_fixture.h"
#include "results/results_file.h"

namespace dspy_compat {
namespace {
namespace fs = std::filesystem;
using e2e::kRoot;

const fs::path kProject = kRoot / "harness" / "e2e" / "testdata" / "audit_project";
const fs::path kScenario = kProject / "dspy_scenarios" / "reopen_answers.py";

// Every file under the project, with its size: what "never written" is checked against.
std::map<std::string, std::uintmax_t> Tree(const fs::path& root) {
  std::map<std::string, std::uintmax_t> files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file()) {
      files[entry.path().lexically_relative(root).string()] = entry.file_size();
    }
  }
  return files;
}

class ProjectE2eTest : public e2e::E2eTest {};

TEST_F(ProjectE2eTest, TheProjectsPackageImportsOnBothDefaultTargets) {
  const auto before = Tree(kProject);
  auto run = Run({"run", "--project", kProject.string(), "--scenarios", kScenario.string(),
                  "--repeat", "1", "--out", (out_ / "session").string()});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  Results results = ReadResultsFile(out_ / "session" / "results.json");
  ASSERT_EQ(results.environment.targets.size(), 2u);
  for (const char* target : {"dspy-2.5.39", "dspy-2.5.40"}) {
    auto runs = e2e::RunsOf(results, "reopen_answers", target);
    ASSERT_EQ(runs.size(), 1u) << target;
    EXPECT_EQ(runs[0].status, Status::kPass)
        << target << ": " << runs[0].error_message << runs[0].traceback << runs[0].output_tail;
    EXPECT_EQ(runs[0].dspy_version, std::string(target).substr(5));  // the target's lock won
  }
  for (const TargetInfo& t : results.environment.targets) {
    ASSERT_TRUE(t.project.has_value()) << t.name;
    EXPECT_EQ(t.project->root, fs::canonical(kProject).string());
    EXPECT_EQ(t.project->input_hash.size(), 64u);
    EXPECT_TRUE(t.project->note.empty());
    auto installed = [&](const std::string& prefix) {
      return std::any_of(t.project->installed.begin(), t.project->installed.end(),
                         [&](const std::string& p) { return p.starts_with(prefix); });
    };
    EXPECT_TRUE(installed("humanize==")) << t.name;
    EXPECT_TRUE(installed("support-desk==0.1.0")) << t.name;
    EXPECT_TRUE(installed("pytest==")) << t.name;  // from its test extra
    EXPECT_FALSE(installed("dspy==")) << t.name;   // DSPy is the lock's
    EXPECT_TRUE(t.project->added.empty()) << t.name;
    EXPECT_NE(t.interpreter.find("/projects/" + t.name + "-"), std::string::npos) << t.interpreter;
  }
  EXPECT_NE(results.environment.targets[0].project->input_hash,
            results.environment.targets[1].project->input_hash);
  const std::string report = e2e::ReadText(out_ / "session" / "report.md");
  EXPECT_NE(report.find("- **Project** `" + fs::canonical(kProject).string() + "` in dspy-2.5.40"),
            std::string::npos)
      << report;
  EXPECT_EQ(Tree(kProject), before);  // nothing written into the user's tree

  // Again: both environments come from the cache.
  auto again = Run({"run", "--project", kProject.string(), "--scenarios", kScenario.string(),
                    "--repeat", "1", "--out", (out_ / "again").string()});
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(again.output.find("installing DSPy"), std::string::npos) << again.output;
  Results cached = ReadResultsFile(out_ / "again" / "results.json");
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(cached.environment.targets[i].project, results.environment.targets[i].project);
  }
}

// An async test runs through the pytest-asyncio the project's test extra
// brings (issue 14.2): without the plugin pytest skips it, which would leave
// the pair unresolved, not passed.
TEST_F(ProjectE2eTest, AnAsyncTestRunsThroughTheProjectsPytestAsyncio) {
  auto run = Run({"run", "--project", kProject.string(), "--scenarios",
                  (kProject / "tests" / "test_async_api.py").string(), "--targets", "dspy-2.5.40",
                  "--repeat", "1", "--no-changed-code", "--out", (out_ / "session").string()});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  Results results = ReadResultsFile(out_ / "session" / "results.json");
  auto runs =
      e2e::RunsOf(results, "test_async_api::test_answers_awaited_by_the_test", "dspy-2.5.40");
  ASSERT_EQ(runs.size(), 1u) << run.output;
  EXPECT_EQ(runs[0].status, Status::kPass)
      << runs[0].error_message << runs[0].traceback << runs[0].output_tail;
  EXPECT_EQ(runs[0].lm_calls, 2);
  ASSERT_TRUE(results.environment.targets[0].project.has_value());
  const auto& installed = results.environment.targets[0].project->installed;
  EXPECT_TRUE(std::any_of(installed.begin(), installed.end(),
                          [](const std::string& p) { return p.starts_with("pytest-asyncio=="); }));
}

TEST_F(ProjectE2eTest, AProjectRequiringAnIncompatibleDspyIsOneLineAndExit3) {
  const fs::path project = out_ / "pinned_project";
  fs::copy(kProject, project, fs::copy_options::recursive);
  std::string pyproject = e2e::ReadText(project / "pyproject.toml");
  pyproject =
      std::regex_replace(pyproject, std::regex("\"dspy>=2\\.5\\.39,<2\\.6\""), "\"dspy==2.4.0\"");
  ASSERT_NE(pyproject.find("\"dspy==2.4.0\""), std::string::npos);
  std::ofstream(project / "pyproject.toml") << pyproject;

  auto run = Run({"run", "--project", project.string(), "--scenarios",
                  (project / "dspy_scenarios" / "reopen_answers.py").string(), "--repeat", "1",
                  "--targets", "dspy-2.5.40", "--out", (out_ / "session").string()});
  EXPECT_EQ(run.exit_code, 3) << run.output;
  const std::string expected =
      "dspy-compat: target dspy-2.5.40: the project's requirement 'dspy==2.4.0' cannot live with "
      "DSPy 2.5.40";
  const auto at = run.output.find(expected);
  ASSERT_NE(at, std::string::npos) << run.output;
  // One line, ending the output.
  EXPECT_EQ(run.output.find('\n', at), run.output.size() - 1) << run.output;
  EXPECT_FALSE(fs::exists(out_ / "session" / "results.json"));  // no run, never a pass
}

}  // namespace
}  // namespace dspy_compat
