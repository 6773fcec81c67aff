#include "reports/html_report.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <regex>

#include "process/subprocess.h"
#include "reports/test_changed_code.h"
#include "reports/test_knowledge.h"
#include "results/results_file.h"
#include "test_support/source_tree.h"

namespace dspy_compat {
namespace {
namespace fs = std::filesystem;
using test_support::SourceRoot;

Results Catalogue() {
  return ReadResultsFile(SourceRoot() / "harness/reports/testdata/results_catalogue.json");
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(HtmlReportTest, ChangedCodeIsInThePatternsSectionEscaped) {
  Results results;
  results.environment.targets = {{"dspy-2.5.39", "locked", "2.5.39", "3.11", "", ""},
                                 {"dspy-2.5.40", "locked", "2.5.40", "3.11", "", ""}};
  for (const char* target : {"dspy-2.5.39", "dspy-2.5.40"}) {
    RunResult run;
    run.scenario_id = "broken";
    run.target_name = target;
    run.run_id = std::string("r-") + target;
    run.status = std::string(target) == "dspy-2.5.40" ? Status::kFail : Status::kPass;
    run.error_type = run.status == Status::kFail ? "AssertionError" : "";
    results.runs.push_back(run);
  }
  EXPECT_FALSE(Contains(RenderHtml(results, BundledKnowledge()), "Changed DSPy code"));
  results.changed_code = {SettingsChange()};
  std::string html = RenderHtml(results, BundledKnowledge());
  const auto section = html.find("<h3><code>broken</code>");
  const auto changed = html.find("<p><strong>Changed DSPy code it ran:</strong>");
  ASSERT_NE(section, std::string::npos);
  ASSERT_NE(changed, std::string::npos) << html;
  EXPECT_LT(section, changed);
  EXPECT_TRUE(
      Contains(html, "<li><code>dsp/utils/settings.py</code> <code>@@ -40,1 +40,1 @@</code>"))
      << html;
  EXPECT_TRUE(Contains(html, "+z &lt;&amp;&gt;")) << html;
}

TEST(HtmlReportTest, SelfContained) {
  std::string html = RenderHtml(Catalogue(), BundledKnowledge());
  // Nothing is fetched: no external source, stylesheet or icon (links to
  // DSPy's pull requests are links, not assets), and the policy would block
  // a load anyway.
  EXPECT_FALSE(std::regex_search(html, std::regex(R"(src\s*=\s*"(https?:)?//)")));
  EXPECT_FALSE(std::regex_search(html, std::regex(R"(<link[^>]*href\s*=\s*"(https?:)?//)")));
  EXPECT_FALSE(Contains(html, "rel=\"stylesheet\""));
  EXPECT_TRUE(Contains(html, "content=\"default-src 'none';"));
  EXPECT_TRUE(Contains(html, "<svg class=\"chart\""));
}

TEST(HtmlReportTest, ATeamsTestShowsItsTestId) {
  Results results;
  results.environment.targets = {{"t", "locked", "1", "3.11", "", ""}};
  RunResult run;
  run.scenario_id = "test_desk::test_a";
  run.target_name = "t";
  run.run_id = "r";
  run.status = Status::kPass;
  results.runs = {run};
  EXPECT_FALSE(Contains(RenderHtml(results, BundledKnowledge()), "<strong>Test:</strong>"));
  results.environment.scenario_info["test_desk::test_a"].pytest_node = "tests/test_desk.py::test_a";
  std::string html = RenderHtml(results, BundledKnowledge());
  EXPECT_TRUE(
      Contains(html, "<p><strong>Test:</strong> <code>tests/test_desk.py::test_a</code></p>"))
      << html;
}

TEST(HtmlReportTest, AnIntermittentRegressionSaysWhenItCouldBeChance) {
  Results results;
  results.environment.targets = {{"old", "locked", "1", "3.11", "", ""},
                                 {"new", "locked", "2", "3.11", "", ""}};
  for (int i = 0; i < 24; ++i) {
    for (const char* target : {"old", "new"}) {
      RunResult run;
      run.scenario_id = "s";
      run.target_name = target;
      run.repetition = i + 1;
      run.run_id = fmt::format("s.{}.r{}", target, i + 1);
      run.status = std::string(target) == "new" && i < 2 ? Status::kFail : Status::kPass;
      results.runs.push_back(run);
    }
  }
  std::string html = RenderHtml(results, BundledKnowledge());
  EXPECT_TRUE(Contains(
      html,
      "<td class=\"regression\">regression (intermittent, p = 0.24: could be chance; both sides "
      "ran 24 times)</td>"))
      << html;
}

TEST(HtmlReportTest, EscapesWhatRunsWrote) {
  Results results;
  results.environment.targets = {{"t", "locked", "1", "3.11", "", ""}};
  RunResult run;
  run.scenario_id = "s";
  run.target_name = "t";
  run.run_id = "r";
  run.status = Status::kFail;
  run.error_type = "E";
  run.error_message = "<script>alert(1)</script>";
  run.traceback = "</pre><img src=x onerror=alert(1)>";
  results.runs = {run};
  std::string html = RenderHtml(results, BundledKnowledge());
  EXPECT_FALSE(Contains(html, "<script>alert")) << html;
  EXPECT_FALSE(Contains(html, "<img src=x")) << html;
  EXPECT_TRUE(Contains(html, "&lt;script&gt;alert(1)&lt;/script&gt;")) << html;
}

TEST(HtmlReportTest, EnvironmentSaysHowRunsWereContained) {
  Results results = Catalogue();
  EXPECT_FALSE(Contains(RenderHtml(results, BundledKnowledge()), "<li>Sandbox:"));
  for (RunResult& run : results.runs) run.sandbox = "pidns+netns+nohome<b>";
  results.runs[0].sandbox = "process-group";
  std::string html = RenderHtml(results, BundledKnowledge());
  EXPECT_TRUE(Contains(
      html, fmt::format("<li>Sandbox: <code>pidns+netns+nohome&lt;b&gt;</code> ({} of {} runs), "
                        "<code>process-group</code> (1 of {} runs); <code>process-group</code>: "
                        "bubblewrap or namespaces were missing here</li>\n",
                        results.runs.size() - 1, results.runs.size(), results.runs.size())))
      << html;
}

TEST(HtmlReportTest, EnvironmentShowsTheProjectInEachTarget) {
  Results results = Catalogue();
  EXPECT_FALSE(Contains(RenderHtml(results, BundledKnowledge()), "<strong>Project</strong>"));
  results.environment.targets[0].project =
      ProjectEnvironmentInfo{.root = "/src/<desk>",
                             .input_hash = "0123456789abcdef" + std::string(48, '0'),
                             .requirements = {},
                             .installed = {"humanize==4.11.0"},
                             .added = {"pytest"},
                             .note = ""};
  std::string html = RenderHtml(results, BundledKnowledge());
  EXPECT_TRUE(
      Contains(html, fmt::format("<p><strong>Project</strong> <code>/src/&lt;desk&gt;</code> "
                                 "in {} (environment <code>0123456789ab</code>): installed "
                                 "beyond the lock: <code>humanize==4.11.0</code>; added "
                                 "(the project declares none): <code>pytest</code></p>\n",
                                 results.environment.targets[0].name)))
      << html;
}

// Headless Chromium (Debian's package) opens the page, runs its script and
// dumps the resulting DOM; the page records any script error, failed load or
// policy violation in <html data-errors>, and Chromium logs console messages
// to stderr. A screenshot is kept beside the test binary for people to look at.
class HeadlessChromiumTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("html_report_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }

  ProcessOutcome Chromium(const std::vector<std::string>& args, const std::string& log) {
    ProcessSpec spec;
    spec.argv = {"chromium",
                 "--headless",
                 "--no-sandbox",
                 "--disable-gpu",
                 "--disable-quic",
                 "--no-first-run",
                 "--disable-background-networking",
                 "--disable-component-update",
                 "--disable-sync",
                 "--user-data-dir=" + (dir_ / "profile").string(),
                 "--enable-logging=stderr",
                 "--v=0"};
    spec.argv.insert(spec.argv.end(), args.begin(), args.end());
    spec.env = CurrentEnvironment();
    spec.output_path = dir_ / log;
    spec.timeout = std::chrono::seconds(90);
    spec.output_tail_bytes = 4 << 20;
    return RunProcess(spec);
  }

  // Console messages Chromium logged for the page: "...:CONSOLE(12)] "text"".
  static std::vector<std::string> ConsoleLines(const std::string& output) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < output.size()) {
      std::size_t end = output.find('\n', start);
      std::string line = output.substr(start, end - start);
      if (line.find(":CONSOLE") != std::string::npos) lines.push_back(line);
      if (end == std::string::npos) break;
      start = end + 1;
    }
    return lines;
  }

  // Opens `html` and returns the dumped DOM plus Chromium's log.
  std::string Open(const std::string& html, const std::string& name) {
    fs::path page = dir_ / (name + ".html");
    std::ofstream(page, std::ios::binary) << html;
    ProcessOutcome outcome = Chromium({"--dump-dom", "file://" + page.string()}, name + ".log");
    EXPECT_TRUE(outcome.started) << "chromium (Debian: chromium) is needed: "
                                 << outcome.start_error;
    EXPECT_EQ(outcome.exit_code, 0) << outcome.output_tail;
    return outcome.output_tail;
  }

  fs::path dir_;
};

TEST_F(HeadlessChromiumTest, ReportOpensWithoutConsoleErrors) {
  std::string output = Open(RenderHtml(Catalogue(), BundledKnowledge()), "report");
  EXPECT_TRUE(Contains(output, "data-ready=\"yes\"")) << "the page's script did not finish";
  EXPECT_FALSE(Contains(output, "data-errors=")) << output.substr(0, 2000);
  EXPECT_EQ(ConsoleLines(output), std::vector<std::string>{});
}

// The detector must see errors when there are some, or a pass proves nothing.
TEST_F(HeadlessChromiumTest, DetectorCatchesScriptErrorsAndExternalLoads) {
  std::string html = RenderHtml(Catalogue(), BundledKnowledge());
  html.insert(html.rfind("</body>"),
              "<script>undefinedFunction();</script><img src=\"https://example.invalid/x.png\">");
  std::string output = Open(html, "broken");
  EXPECT_TRUE(Contains(output, "data-errors=\"Uncaught ReferenceError: undefinedFunction"))
      << output.substr(0, 3000);
  EXPECT_TRUE(Contains(output, "blocked by policy: https://example.invalid/x.png"));
  EXPECT_FALSE(ConsoleLines(output).empty());
}

TEST_F(HeadlessChromiumTest, Screenshot) {
  fs::path page = dir_ / "report.html";
  std::ofstream(page, std::ios::binary) << RenderHtml(Catalogue(), BundledKnowledge());
  // In the test's output folder in the build tree, so it survives the test
  // for a human to look at, wherever the binary was started from.
  fs::path shot = fs::path(DSPY_COMPAT_TEST_OUTPUT_DIR) / "html_report_screenshot.png";
  fs::create_directories(shot.parent_path());
  fs::remove(shot);
  ProcessOutcome outcome = Chromium(
      {"--screenshot=" + shot.string(), "--window-size=1280,2400", "file://" + page.string()},
      "screenshot.log");
  ASSERT_EQ(outcome.exit_code, 0) << outcome.output_tail;
  std::ifstream png(shot, std::ios::binary);
  char signature[8] = {};
  png.read(signature, sizeof signature);
  EXPECT_EQ(std::string(signature, 8), std::string("\x89PNG\r\n\x1a\n", 8)) << shot;
  EXPECT_GT(fs::file_size(shot), 20000u) << "a blank page? " << shot;
}

}  // namespace
}  // namespace dspy_compat
