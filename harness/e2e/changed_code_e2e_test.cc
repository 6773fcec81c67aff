// End-to-end test of the changed DSPy code a regression ran (issue 13), on
// the real pinned releases: the forced #1867 race regresses from 2.5.39 to
// 2.5.40, and the traced reruns with the diff of the two installed packages
// name the change in dsp/utils/settings.py from the code itself (the hunk's
// lines are the installed sources', not a knowledge file's words).
#include <gtest/gtest.h>

#include <algorithm>

#include "e2e_fixture.h"
#include "results/results_file.h"

namespace dspy_compat {
namespace {

using e2e::kRoot;

class ChangedCodeE2eTest : public e2e::E2eTest {
 protected:
  e2e::Invocation RunForced(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {
        "run",
        "--repeat",
        "2",
        "--seed",
        "5",
        "--out",
        out_.string(),
        "--scenarios",
        (kRoot / "scenarios/issue1867_concurrent16_forced.py").string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return Run(args);
  }
};

TEST_F(ChangedCodeE2eTest, TheForced1867RegressionRanTheChangedSettingsCode) {
  auto run = RunForced();
  ASSERT_EQ(run.exit_code, 0) << run.output;
  Results results = ReadResultsFile(out_ / "results.json");
  EXPECT_EQ(results.runs.size(), 4u);  // the traced reruns are not runs of the session
  ASSERT_EQ(results.changed_code.size(), 1u) << run.output;
  const ChangedCode& code = results.changed_code[0];
  EXPECT_EQ(code.scenario_id, "issue1867_concurrent16_forced");
  EXPECT_EQ(code.baseline_target, "dspy-2.5.39");
  EXPECT_EQ(code.target_name, "dspy-2.5.40");
  EXPECT_EQ(code.error, "");
  EXPECT_GT(code.files_compared, 100);
  EXPECT_GE(code.hunks_changed, static_cast<int>(code.hunks.size()));
  auto settings = std::find_if(code.hunks.begin(), code.hunks.end(), [](const ChangedHunk& h) {
    return h.file == "dsp/utils/settings.py";
  });
  ASSERT_NE(settings, code.hunks.end()) << e2e::ReadText(out_ / "results.json").substr(0, 4000);
  EXPECT_FALSE(settings->executed_old.empty() && settings->executed_new.empty());
  ASSERT_FALSE(settings->lines.empty());
  // The failing traceback's files come first: predict.py raised "No LM is loaded."
  for (std::size_t i = 1; i < code.hunks.size(); ++i) {
    EXPECT_FALSE(code.hunks[i].on_traceback && !code.hunks[i - 1].on_traceback) << i;
  }

  std::string report = e2e::ReadText(out_ / "report.md");
  const auto section = report.find("### `issue1867_concurrent16_forced`");
  const auto changed = report.find("**Changed DSPy code it ran:** `dspy-2.5.39` → `dspy-2.5.40`");
  ASSERT_NE(section, std::string::npos) << report.substr(0, 2000);
  ASSERT_NE(changed, std::string::npos) << report;
  EXPECT_LT(section, changed);
  EXPECT_NE(report.find("`dsp/utils/settings.py` `@@", changed), std::string::npos) << report;
  EXPECT_NE(e2e::ReadText(out_ / "report.html").find("<code>dsp/utils/settings.py</code>"),
            std::string::npos);
  EXPECT_NE(e2e::ReadText(out_ / "junit.xml").find("Changed DSPy code it ran:"), std::string::npos);
}

TEST_F(ChangedCodeE2eTest, NoChangedCodeTurnsItOff) {
  auto run = RunForced({"--no-changed-code"});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(ReadResultsFile(out_ / "results.json").changed_code.empty());
  EXPECT_EQ(e2e::ReadText(out_ / "results.json").find("\"changed_code\""), std::string::npos);
  EXPECT_EQ(e2e::ReadText(out_ / "report.md").find("Changed DSPy code"), std::string::npos);
}

}  // namespace
}  // namespace dspy_compat
