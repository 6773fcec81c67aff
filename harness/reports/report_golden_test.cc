// Golden tests: a fixed results file (a real session of the bundled
// catalogue, normalised by testdata/normalise_results.py) renders to every
// format byte for byte as checked in. The goldens are the reports'
// specification by example. To accept an intended change:
//   DSPY_COMPAT_UPDATE_GOLDEN=1 ./reports_tests --gtest_filter='ReportGolden*'
// then review the diff (and the copies in examples/reports/).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "reports/html_report.h"
#include "reports/junit_report.h"
#include "reports/markdown_report.h"
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

bool Updating() {
  const char* update = std::getenv("DSPY_COMPAT_UPDATE_GOLDEN");
  return update != nullptr && *update == '1';
}

// What differs between two sessions that found the same thing: when and by
// which build they ran. Pinned, so regenerating the fixture from a new
// session only changes the goldens where the findings changed.
Results Normalised(Results results) {
  RunEnvironment& env = results.environment;
  env.harness_version = "0.0.0-golden";
  env.started_at = "2024-11-27T09:00:00Z";
  env.finished_at = "2024-11-27T09:04:00Z";
  return results;
}

Results Fixture() { return Normalised(ReadResultsFile(TestData("results_catalogue.json"))); }

void ExpectGolden(const std::string& rendered, const std::string& name) {
  fs::path golden = TestData(name);
  if (Updating()) std::ofstream(golden, std::ios::binary) << rendered;
  EXPECT_EQ(rendered, ReadText(golden)) << "golden: " << golden;
}

TEST(ReportGoldenTest, Markdown) {
  ExpectGolden(RenderMarkdown(Fixture(), BundledKnowledge()), "results_catalogue.md");
}

TEST(ReportGoldenTest, Html) {
  ExpectGolden(RenderHtml(Fixture(), BundledKnowledge()), "results_catalogue.html");
}

TEST(ReportGoldenTest, Junit) {
  ExpectGolden(RenderJunit(Fixture(), BundledKnowledge()), "results_catalogue.junit.xml");
}

// The json format is the results file itself: the fixture (canonical, and
// normalised already) comes back byte for byte, every field kept.
TEST(ReportGoldenTest, JsonIsTheResultsFileItself) {
  EXPECT_EQ(ToJson(Fixture()).dump(2) + "\n", ReadText(TestData("results_catalogue.json")));
}

TEST(ReportGoldenTest, ExamplesInReportsFolderMatchTheGoldens) {
  for (const char* name : {"results_catalogue.md", "results_catalogue.html"}) {
    fs::path example = SourceRoot() / "examples" / "reports" / name;
    if (Updating()) std::ofstream(example, std::ios::binary) << ReadText(TestData(name));
    EXPECT_EQ(ReadText(example), ReadText(TestData(name))) << example;
  }
}

}  // namespace
}  // namespace dspy_compat
