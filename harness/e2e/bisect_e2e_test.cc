// End-to-end: bisect on real DSPy releases from the registry. The #1867
// scenario passes on 2.5.35 and fails from 2.5.40 on; 2.6.0 passes again but
// leaves an LM set globally (a behaviour change), so the search bisects the
// ten releases between and must name 2.5.40, the fail/pass change, not only
// "something changed". (A change a later release undid entirely takes the
// exponential search: bisect_test.cc.)
#include <gtest/gtest.h>

#include "e2e_fixture.h"
#include "results/results_file.h"

namespace dspy_compat {
namespace {
namespace fs = std::filesystem;

using e2e::kRoot;

class BisectE2eTest : public e2e::E2eTest {};

TEST_F(BisectE2eTest, TheIssue1867ScenarioFirstChangedIn2_5_40) {
  auto inv = Run({"bisect", (kRoot / "scenarios/issue1867_concurrent16.py").string(), "--good",
                  "2.5.35", "--bad", "2.6.0", "--repeat", "5..20", "--schedule", "natural",
                  "--seed", "7", "--out", out_.string()},
                 {}, std::chrono::seconds(1500));
  ASSERT_EQ(inv.exit_code, 0) << inv.output;
  EXPECT_NE(inv.output.find("bisect issue1867_concurrent16: first changed in 2.5.40; 2.5.39 "
                            "passes 20/20, 2.5.40 fails"),
            std::string::npos)
      << inv.output;
  // Only the releases probed were measured: not all ten between.
  auto results = ReadResultsFile(out_ / "results.json");
  std::vector<std::string> probed;
  for (const auto& t : results.environment.targets) probed.push_back(t.name);
  EXPECT_EQ(probed.front(), "dspy-2.5.35");
  EXPECT_LT(probed.size(), 10u);
  EXPECT_NE(std::find(probed.begin(), probed.end(), "dspy-2.5.39"), probed.end());
  EXPECT_NE(std::find(probed.begin(), probed.end(), "dspy-2.5.40"), probed.end());
  // The report renders every release probed against the good one.
  const std::string report = e2e::ReadText(out_ / "report.md");
  EXPECT_NE(report.find("dspy-2.5.40"), std::string::npos);
}

TEST_F(BisectE2eTest, AGoodReleaseNewerThanTheBadOneIsAUsageError) {
  auto inv = Run({"bisect", (kRoot / "scenarios/issue1867_single.py").string(), "--good", "2.6.0",
                  "--bad", "2.5.40", "--out", out_.string()});
  EXPECT_EQ(inv.exit_code, 2) << inv.output;
  EXPECT_NE(inv.output.find("--good 2.6.0 and --bad 2.5.40 must be two releases"),
            std::string::npos)
      << inv.output;
}

}  // namespace
}  // namespace dspy_compat
