#include "reports/markdown_report.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>

#include "reports/test_changed_code.h"
#include "reports/test_knowledge.h"
#include "results/results_file.h"
#include "test_support/source_tree.h"

namespace dspy_compat {
namespace {

namespace fs = std::filesystem;
using test_support::ReadText;
using test_support::SourceRoot;

fs::path TestData(const std::string& name) {
  return SourceRoot() / "harness" / "reports" / "testdata" / name;
}

RunResult MakeRun(std::string scenario, std::string target, Status status,
                  std::string error_type = "", std::string message = "") {
  RunResult run;
  run.scenario_id = std::move(scenario);
  run.target_name = std::move(target);
  run.run_id = run.scenario_id + "-" + run.target_name;
  run.status = status;
  run.error_type = std::move(error_type);
  run.error_message = std::move(message);
  return run;
}

Results TwoTargets() {
  Results results;
  results.environment.targets = {{"dspy-2.5.39", "locked", "2.5.39", "3.11", "", "/a/python"},
                                 {"dspy-2.5.40", "locked", "2.5.40", "3.11", "", "/b/python"}};
  results.environment.scenarios = {"ok", "broken"};
  results.environment.planned_runs = 8;
  results.runs = {
      MakeRun("ok", "dspy-2.5.39", Status::kPass), MakeRun("ok", "dspy-2.5.40", Status::kPass),
      MakeRun("broken", "dspy-2.5.39", Status::kPass),
      MakeRun("broken", "dspy-2.5.40", Status::kFail, "AssertionError", "No LM is loaded.")};
  return results;
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(MarkdownReportTest, ATeamsTestShowsItsTestId) {
  Results results = TwoTargets();
  results.environment.scenario_info["broken"].pytest_node = "tests/test_desk.py::test_broken";
  results.environment.scenario_info["ok"].pytest_node = "tests/test_desk.py::test_ok";
  std::string md = RenderMarkdown(results, BundledKnowledge());
  EXPECT_TRUE(Contains(md, "**Test:** `tests/test_desk.py::test_broken`")) << md;
  EXPECT_TRUE(Contains(md, "**Test:** `tests/test_desk.py::test_ok`")) << md;
  // A program has no test id.
  EXPECT_FALSE(Contains(RenderMarkdown(TwoTargets(), BundledKnowledge()), "**Test:**"));
}

TEST(MarkdownReportTest, ChangedCodeIsInThePatternsSectionTracebackFilesFirst) {
  Results results = TwoTargets();
  const std::string before = RenderMarkdown(results, BundledKnowledge());
  EXPECT_FALSE(Contains(before, "Changed DSPy code"));
  results.changed_code = {SettingsChange()};
  std::string report = RenderMarkdown(results, BundledKnowledge());
  const auto section = report.find("### `broken`");
  const auto changed = report.find(
      "**Changed DSPy code it ran:** `dspy-2.5.39` → `dspy-2.5.40`: "
      "2 of 31 changed hunks (in 7 of 120 files) ran");
  ASSERT_NE(section, std::string::npos) << report;
  ASSERT_NE(changed, std::string::npos) << report;
  EXPECT_LT(section, changed);
  const auto predict = report.find(
      "- `dspy/predict/predict.py` `@@ -5,0 +5,1 @@` (on the "
      "traceback; ran on dspy-2.5.40 (line 5))");
  const auto settings = report.find(
      "- `dsp/utils/settings.py` `@@ -40,1 +40,1 @@` (ran on "
      "dspy-2.5.39 (line 40) and dspy-2.5.40 (line 40))");
  ASSERT_NE(predict, std::string::npos) << report;
  ASSERT_NE(settings, std::string::npos) << report;
  EXPECT_LT(predict, settings);
  EXPECT_TRUE(Contains(report, "  +        return self._local.get(name)\n")) << report;
  results.changed_code[0].hunks.clear();
  results.changed_code[0].error = "the traced rerun on dspy-2.5.40 left no trace (timeout)";
  EXPECT_TRUE(Contains(RenderMarkdown(results, BundledKnowledge()),
                       "**Changed DSPy code it ran:** `dspy-2.5.39` → `dspy-2.5.40`: not found: "
                       "`the traced rerun on dspy-2.5.40 left no trace (timeout)`."));
}

TEST(MarkdownReportTest, AFailureFoundByExplorationPrintsItsReplayCommand) {
  Results results = TwoTargets();
  results.runs.back().traceback = "Traceback (most recent call last):\nAssertionError: No LM";
  std::string natural = RenderMarkdown(results, BundledKnowledge());
  EXPECT_FALSE(Contains(natural, "--replay")) << natural;
  results.runs.back().lm_schedule = LmSchedule{.strategy = "pct", .seed = 3};
  std::string explored = RenderMarkdown(results, BundledKnowledge());
  EXPECT_TRUE(Contains(explored, "`dspy-compat run --replay results.json:broken-dspy-2.5.40`"))
      << explored;
}

TEST(MarkdownReportTest, PromptDiffIsShownWhenBothTargetsPass) {
  Results results = TwoTargets();
  results.runs = {MakeRun("ok", "dspy-2.5.39", Status::kPass),
                  MakeRun("ok", "dspy-2.5.40", Status::kPass)};
  results.environment.scenarios = {"ok"};
  results.environment.planned_runs = 2;
  for (RunResult& run : results.runs) {
    bool later = run.target_name == "dspy-2.5.40";
    run.lm_requests = 1;
    run.models = {"gpt-4o-mini"};
    run.lm_traffic = LmTraffic{
        {"chat"}, {}, {}, {later ? "system:\nNew wording.\n" : "system:\nOld wording.\n"}, {}};
  }
  std::string report = RenderMarkdown(results, BundledKnowledge());
  EXPECT_TRUE(Contains(report, "| `ok` | prompts | `1 distinct` | `1 distinct` |")) << report;
  EXPECT_TRUE(Contains(report, "```diff\n--- dspy-2.5.39\n+++ dspy-2.5.40\n")) << report;
  EXPECT_TRUE(Contains(report, "-Old wording.\n")) << report;
  EXPECT_TRUE(Contains(report, "+New wording.\n")) << report;
  // Identical prompts: no diff at all.
  results.runs[1].lm_traffic = results.runs[0].lm_traffic;
  EXPECT_FALSE(Contains(RenderMarkdown(results, BundledKnowledge()), "```diff"))
      << RenderMarkdown(results, BundledKnowledge());
}

// A version range gives many targets: one compact column each, the verdict
// in the cell, so that ten releases stay readable.
TEST(MarkdownReportTest, TenTargetsGetACompactTable) {
  Results results;
  std::vector<std::string> names;
  for (int i = 0; i < 10; ++i) {
    std::string name = "dspy-2.5." + std::to_string(38 + i);
    names.push_back(name);
    results.environment.targets.push_back({name, "locked", name.substr(5), "3.11", "", "/p"});
    results.runs.push_back(MakeRun("ok", name, Status::kPass));
    results.runs.push_back(
        i < 2 ? MakeRun("broken", name, Status::kPass)
              : MakeRun("broken", name, Status::kFail, "AssertionError", "No LM is loaded."));
  }
  results.environment.scenarios = {"ok", "broken"};
  results.environment.planned_runs = 20;
  results.environment.targets[3].substitutions = {
      {"litellm", "1.51.0", "1.53.1", "not served by the index"}};
  std::string report = RenderMarkdown(results, BundledKnowledge());
  EXPECT_TRUE(Contains(report, "| Scenario | dspy-2.5.38 (baseline) | dspy-2.5.39 | dspy-2.5.40 |"))
      << report;
  EXPECT_TRUE(
      Contains(report, "| `broken` | 1/1 | 1/1 | 0/1 **regression** | 0/1 **regression** |"))
      << report;
  EXPECT_TRUE(Contains(report, "| `ok` | 1/1 | 1/1 | 1/1 | 1/1 |")) << report;
  EXPECT_FALSE(Contains(report, "Verdict vs")) << report;
  // Every row has one cell per target and one for the scenario.
  std::istringstream lines(report);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("| `ok`")) {
      EXPECT_EQ(std::count(line.begin(), line.end(), '|'), 12);
    }
  }
  EXPECT_TRUE(Contains(report,
                       "- **Substitution** in dspy-2.5.41: `litellm==1.53.1` instead of "
                       "`litellm==1.51.0` (not served by the index)"))
      << report;
}

// run --project: each target's line says where the project's environment
// came from and what it holds beyond the lock; a user's interpreter says why
// nothing was installed.
TEST(MarkdownReportTest, EnvironmentShowsTheProjectInEachTarget) {
  Results results;
  results.environment.targets.push_back(
      {"dspy-2.5.39", "locked", "2.5.39", "3.11", std::string(64, 'c'), "/p"});
  results.environment.targets.push_back({"python:/x", "python", "2.5.40", "3.11", "", "/x"});
  results.environment.targets[0].project =
      ProjectEnvironmentInfo{.root = "/src/desk",
                             .input_hash = "0123456789abcdef" + std::string(48, '0'),
                             .requirements = {"humanize>=4.9"},
                             .installed = {"humanize==4.11.0", "support-desk==0.1.0"},
                             .added = {"pytest"},
                             .note = ""};
  results.environment.targets[1].project = ProjectEnvironmentInfo{.root = "/src/desk",
                                                                  .input_hash = "",
                                                                  .requirements = {},
                                                                  .installed = {},
                                                                  .added = {},
                                                                  .note = "your own interpreter"};
  results.runs.push_back(MakeRun("ok", "dspy-2.5.39", Status::kPass));
  std::string report = RenderMarkdown(results, BundledKnowledge());
  EXPECT_TRUE(Contains(report,
                       "- **Project** `/src/desk` in dspy-2.5.39 (environment `0123456789ab`): "
                       "installed beyond the lock: `humanize==4.11.0`, `support-desk==0.1.0`; "
                       "added (the project declares none): `pytest`\n"))
      << report;
  EXPECT_TRUE(Contains(report, "- **Project** `/src/desk` in python:/x: your own interpreter\n"))
      << report;
  results.environment.targets[0].project.reset();
  results.environment.targets[1].project.reset();
  EXPECT_FALSE(Contains(RenderMarkdown(results, BundledKnowledge()), "**Project**"));
}

// The golden file is the report's specification by example. To accept an
// intended change: DSPY_COMPAT_UPDATE_GOLDEN=1 ./reports_tests, then review
// the diff and copy it to examples/reports/.
TEST(MarkdownReportTest, GoldenSmallResults) {
  Results results = ReadResultsFile(TestData("results_small.json"));
  std::string rendered = RenderMarkdown(results, BundledKnowledge());
  fs::path golden = TestData("results_small.md");
  if (const char* update = std::getenv("DSPY_COMPAT_UPDATE_GOLDEN"); update && *update == '1') {
    std::ofstream(golden, std::ios::binary) << rendered;
  }
  EXPECT_EQ(rendered, ReadText(golden)) << "golden: " << golden;
}

TEST(MarkdownReportTest, ExampleInReportsFolderMatchesGolden) {
  EXPECT_EQ(ReadText(SourceRoot() / "examples" / "reports" / "results_small.md"),
            ReadText(TestData("results_small.md")));
}

TEST(MarkdownReportTest, TitleNamesBaselineAndLaterTargets) {
  std::string report = RenderMarkdown(TwoTargets(), BundledKnowledge());
  EXPECT_EQ(report.rfind("# DSPy migration report: dspy-2.5.39 → dspy-2.5.40\n", 0), 0u) << report;
}

TEST(MarkdownReportTest, InterruptedSessionSaysSoUpFront) {
  Results results = TwoTargets();
  EXPECT_FALSE(Contains(RenderMarkdown(results, BundledKnowledge()), "Interrupted"));
  results.environment.interrupted = true;
  std::string report = RenderMarkdown(results, BundledKnowledge());
  std::size_t warning = report.find("> **Interrupted:**");
  ASSERT_NE(warning, std::string::npos) << report;
  EXPECT_LT(warning, report.find("| Scenario"));
  EXPECT_TRUE(Contains(report, "4 of 8 planned runs completed")) << report;
}

TEST(MarkdownReportTest, RegressionIsBoldAndPassingPatternsAreBrief) {
  std::string report = RenderMarkdown(TwoTargets(), BundledKnowledge());
  EXPECT_TRUE(Contains(report, "| `broken` | — | 1/1 pass | 0/1 pass | **regression** |"))
      << report;
  EXPECT_TRUE(Contains(report, "| `ok` | — | 1/1 pass | 1/1 pass | unchanged |")) << report;
  EXPECT_TRUE(Contains(report, "### `broken`: regression\n")) << report;
  EXPECT_TRUE(Contains(report,
                       "### `ok`: passes everywhere\n\n1/1 pass on dspy-2.5.39, 1/1 pass "
                       "on dspy-2.5.40.\n"))
      << report;
  EXPECT_TRUE(Contains(report, "- dspy-2.5.40: 1 × `AssertionError: No LM is loaded.`")) << report;
  // Regressions come first.
  EXPECT_LT(report.find("### `broken`"), report.find("### `ok`"));
}

TEST(MarkdownReportTest, MixedOutcomeShowsFailureRateWithInterval) {
  Results results = TwoTargets();
  results.runs.clear();
  for (int i = 0; i < 10; ++i) {
    results.runs.push_back(MakeRun("broken", "dspy-2.5.39", Status::kPass));
    results.runs.push_back(
        MakeRun("broken", "dspy-2.5.40", i < 3 ? Status::kFail : Status::kPass, "E", "m"));
  }
  std::string report = RenderMarkdown(results, BundledKnowledge());
  // 0/10 against 3/10: p = C(10,3)/C(20,3) = 0.105.
  EXPECT_TRUE(Contains(report,
                       "| 7/10 pass (30% fail, 95% CI 11–60%) | **regression** "
                       "(intermittent, p = 0.11: could be chance; both sides ran 10 times) |"))
      << report;
  EXPECT_TRUE(Contains(report,
                       "### `broken`: regression (intermittent, p = 0.11: could be chance; both "
                       "sides ran 10 times)\n"))
      << report;
}

// With runs enough to separate the sides the p is there, the doubt is not.
TEST(MarkdownReportTest, AnIntermittentRegressionBeyondChanceGivesOnlyItsP) {
  Results results = TwoTargets();
  results.runs.clear();
  for (int i = 0; i < 40; ++i) {
    results.runs.push_back(MakeRun("broken", "dspy-2.5.39", Status::kPass));
    results.runs.push_back(
        MakeRun("broken", "dspy-2.5.40", i < 8 ? Status::kFail : Status::kPass, "E", "m"));
  }
  std::string report = RenderMarkdown(results, BundledKnowledge());
  EXPECT_TRUE(Contains(report, "**regression** (intermittent, p = 0.0027) |")) << report;
  EXPECT_FALSE(Contains(report, "could be chance")) << report;
}

TEST(MarkdownReportTest, EscapesPipesAndMarkupInTableCells) {
  Results results = TwoTargets();
  results.environment.scenario_summaries["ok"] = "a | b in __init__";
  results.environment.scenarios = {"ok"};
  results.runs.resize(2);
  std::string report = RenderMarkdown(results, BundledKnowledge());
  EXPECT_TRUE(Contains(report, "| `ok` | a \\| b in \\_\\_init\\_\\_ |")) << report;
}

TEST(MarkdownReportTest, PipesInErrorSignaturesAndCommandsStayInCode) {
  Results results = TwoTargets();
  results.runs[3].error_message = "bad `x | y`";
  std::string report = RenderMarkdown(results, BundledKnowledge());
  EXPECT_TRUE(Contains(report, "- dspy-2.5.40: 1 × `` AssertionError: bad `x | y` ``")) << report;
}

TEST(MarkdownReportTest, ExampleTracebackKeepsOnlyTheLastLines) {
  Results results = TwoTargets();
  std::string traceback = "Traceback (most recent call last):\n";
  for (int i = 1; i <= 30; ++i) traceback += "  frame " + std::to_string(i) + "\n";
  traceback += "AssertionError: No LM is loaded.\n";
  results.runs[3].traceback = traceback;
  std::string report = RenderMarkdown(results, BundledKnowledge());
  EXPECT_TRUE(Contains(report,
                       "<details><summary>Example traceback from run <code>broken-dspy-2.5.40"
                       "</code> (last 15 of 32 lines)</summary>"))
      << report;
  EXPECT_FALSE(Contains(report, "frame 16\n")) << report;
  EXPECT_TRUE(Contains(report, "  frame 17\n")) << report;
  EXPECT_TRUE(Contains(report, "AssertionError: No LM is loaded.\n```\n\n</details>")) << report;
}

TEST(MarkdownReportTest, TracebackWithBackticksGetsALongerFence) {
  Results results = TwoTargets();
  results.runs[3].traceback = "Traceback\n  x = ```\nE: m\n";
  std::string report = RenderMarkdown(results, BundledKnowledge());
  EXPECT_TRUE(Contains(report, "````pytb\nTraceback\n  x = ```\nE: m\n````\n")) << report;
}

TEST(MarkdownReportTest, TimeoutWithoutTracebackShowsOutputTail) {
  Results results = TwoTargets();
  results.runs[3].status = Status::kTimeout;
  results.runs[3].error_type.clear();
  results.runs[3].output_tail = "started\nwaiting for LM\n";
  std::string report = RenderMarkdown(results, BundledKnowledge());
  EXPECT_TRUE(Contains(report, "- dspy-2.5.40: 1 × `timeout`")) << report;
  EXPECT_TRUE(Contains(
      report,
      "<summary>Output tail from run <code>broken-dspy-2.5.40</code> (no traceback)</summary>"))
      << report;
  EXPECT_TRUE(Contains(report, "```text\nstarted\nwaiting for LM\n```")) << report;
}

TEST(MarkdownReportTest, MissingRunsAreIncomplete) {
  Results results = TwoTargets();
  results.runs.pop_back();
  std::string report = RenderMarkdown(results, BundledKnowledge());
  EXPECT_TRUE(Contains(report, "| 1/1 pass | no runs | incomplete |")) << report;
  EXPECT_TRUE(Contains(report, "| dspy-2.5.40 | 0 | no runs | — | — | not run |")) << report;
}

TEST(MarkdownReportTest, SingleTargetHasNoVerdictColumn) {
  Results results = TwoTargets();
  results.environment.targets.pop_back();
  results.runs = {results.runs[0]};
  results.environment.scenarios = {"ok"};
  std::string report = RenderMarkdown(results, BundledKnowledge());
  EXPECT_EQ(report.rfind("# DSPy migration report: dspy-2.5.39\n", 0), 0u) << report;
  EXPECT_TRUE(Contains(report, "| Scenario | Summary | dspy-2.5.39 |\n")) << report;
}

TEST(MarkdownReportTest, WarnsWhenARunImportedAnotherDspy) {
  Results results = TwoTargets();
  results.runs[1].dspy_version = "2.5.39";
  std::string report = RenderMarkdown(results, BundledKnowledge());
  EXPECT_TRUE(Contains(report, "1 run on dspy-2.5.40 imported DSPy 2.5.39, not the pinned 2.5.40"))
      << report;
}

TEST(MarkdownReportTest, EnvironmentListsTargetsAndSession) {
  Results results = TwoTargets();
  results.environment.targets[0].lock_hash = "0123456789abcdef0123";
  results.environment.seed = 42;
  results.environment.command_line = "dspy-compat run a|b";
  std::string report = RenderMarkdown(results, BundledKnowledge());
  EXPECT_TRUE(Contains(report,
                       "| dspy-2.5.39 (baseline) | 2.5.39 | 3.11 | `0123456789ab` | "
                       "`/a/python` |"))
      << report;
  EXPECT_TRUE(Contains(report, "- Seed: 42\n")) << report;
  EXPECT_TRUE(Contains(report, "- Command: `dspy-compat run a|b`\n")) << report;
}

// Issue 16: how runs were contained and why not more, from results only;
// files from before runs recorded it (the goldens among them) get no line.
TEST(MarkdownReportTest, EnvironmentSaysHowRunsWereContained) {
  Results results = TwoTargets();
  EXPECT_FALSE(Contains(RenderMarkdown(results, BundledKnowledge()), "- Sandbox:"));

  for (RunResult& run : results.runs) run.sandbox = "pidns+netns+nohome";
  EXPECT_TRUE(Contains(RenderMarkdown(results, BundledKnowledge()),
                       "- Sandbox: `pidns+netns+nohome` (all 4 runs)\n"));

  Results one = results;
  one.runs.resize(1);
  EXPECT_TRUE(Contains(RenderMarkdown(one, BundledKnowledge()),
                       "- Sandbox: `pidns+netns+nohome` (the one run)\n"));

  results.runs[3].sandbox = "process-group";
  std::string report = RenderMarkdown(results, BundledKnowledge());
  EXPECT_TRUE(Contains(report,
                       "- Sandbox: `pidns+netns+nohome` (3 of 4 runs), `process-group` (1 of 4 "
                       "runs); `process-group`: bubblewrap or namespaces were missing here\n"))
      << report;

  for (RunResult& run : results.runs) run.sandbox = "process-group";
  results.environment.command_line = "dspy-compat run --sandbox none";
  report = RenderMarkdown(results, BundledKnowledge());
  EXPECT_TRUE(Contains(report,
                       "- Sandbox: `process-group` (all 4 runs); `process-group`: "
                       "`--sandbox none` was asked for\n"))
      << report;

  for (RunResult& run : results.runs) run.sandbox = "pidns";
  results.environment.command_line = "dspy-compat run --pass-home";
  report = RenderMarkdown(results, BundledKnowledge());
  EXPECT_TRUE(Contains(report,
                       "- Sandbox: `pidns` (all 4 runs); no `netns`: no loopback-only "
                       "network namespace (it needs root); egress past loopback was "
                       "refused by the runner's audit hook only; no `nohome`: "
                       "`--pass-home` left the home visible\n"))
      << report;
}

TEST(MarkdownReportTest, EmptyResultsStillRender) {
  std::string report = RenderMarkdown(Results{}, BundledKnowledge());
  EXPECT_EQ(report.rfind("# DSPy migration report\n", 0), 0u) << report;
  EXPECT_TRUE(Contains(report, "No scenarios were run.")) << report;
}

}  // namespace
}  // namespace dspy_compat
