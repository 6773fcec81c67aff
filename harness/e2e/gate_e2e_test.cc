// End-to-end tests of sharding, merging and the gate on the real pinned
// releases: a sharded session merged gives the verdicts of an unsharded one
// with the same matrix and seed, and the gate's exit codes hold on real
// results, including an unprovisionable target (3, never 0 or 1). Kept
// small (three scenarios whose outcomes do not depend on timing, two
// repetitions): CI time is limited.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "e2e_fixture.h"
#include "results/aggregate.h"
#include "results/results_file.h"

namespace dspy_compat {
namespace {
namespace fs = std::filesystem;

using e2e::Invocation;
using e2e::kRoot;

class GateE2eTest : public e2e::E2eTest {
 protected:
  // Copies of bundled scenarios without EXPECT or MIGRATION-OF lines, so the
  // gate's default (no worse than the first target) decides, whatever the
  // catalogue declares today.
  std::string CopyScenarios(const std::vector<std::string>& ids) {
    fs::path dir = out_ / "scenarios";
    fs::create_directories(dir);
    static const std::regex kDeclaration(R"(^# (EXPECT|MIGRATION-OF):.*\n)", std::regex::multiline);
    for (const std::string& id : ids) {
      std::ofstream(dir / (id + ".py")) << std::regex_replace(
          e2e::ReadText(kRoot / "scenarios" / (id + ".py")), kDeclaration, "");
    }
    return dir.string();
  }
};

// Pair -> (classification, verdict against the first target).
std::map<std::string, std::string> Verdicts(const Results& results) {
  std::map<std::string, std::string> verdicts;
  for (const ScenarioAggregate& s : AggregateResults(results).scenarios) {
    for (std::size_t i = 0; i < s.outcomes.size(); ++i) {
      std::string verdict = i == 0 ? "baseline" : std::string(VerdictName(s.verdicts[i - 1].kind));
      verdicts[s.scenario_id + " on " + s.outcomes[i].target_name] =
          std::string(ClassificationName(s.outcomes[i].classification)) + ", " + verdict;
    }
  }
  return verdicts;
}

std::set<std::string> RunIds(const Results& results) {
  std::set<std::string> ids;
  for (const RunResult& run : results.runs) ids.insert(run.run_id);
  return ids;
}

TEST_F(GateE2eTest, ShardsMergeToTheVerdictsOfAnUnshardedRunAndTheGateSaysSo) {
  // Passes on both; fails on both (asyncify's main-thread assertion); fails
  // on 2.5.40 only (dspy.context in a background event loop never reaches
  // the asyncify worker).
  std::string scenarios = CopyScenarios(
      {"issue1867_single", "asyncify_nested_in_worker", "context_in_thread_event_loop"});
  const std::vector<std::string> common = {"--repeat", "2",           "--seed",
                                           "11",       "--scenarios", scenarios};
  auto args = [&](std::vector<std::string> extra) {
    std::vector<std::string> all = {"run"};
    all.insert(all.end(), common.begin(), common.end());
    all.insert(all.end(), extra.begin(), extra.end());
    return all;
  };

  // The unsharded session, gated: the 2.5.40-only failure is a regression.
  auto whole = Run(args({"--out", (out_ / "whole").string(), "--gate"}));
  EXPECT_EQ(whole.exit_code, 1) << whole.output;
  EXPECT_NE(whole.output.find("REGRESSION       context_in_thread_event_loop on dspy-2.5.40"),
            std::string::npos)
      << whole.output;

  for (const char* shard : {"1/2", "2/2"}) {
    auto inv = Run(
        args({"--out", (out_ / ("shard" + std::string(1, shard[0]))).string(), "--shard", shard}));
    ASSERT_EQ(inv.exit_code, 0) << inv.output;
  }
  auto merge = Run({"merge", "--out", (out_ / "merged").string(),
                    (out_ / "shard2" / "results.json").string(),
                    (out_ / "shard1" / "results.json").string()});
  ASSERT_EQ(merge.exit_code, 0) << merge.output;

  Results unsharded = ReadResultsFile(out_ / "whole" / "results.json");
  Results merged = ReadResultsFile(out_ / "merged" / "results.json");
  Results first = ReadResultsFile(out_ / "shard1" / "results.json");
  Results second = ReadResultsFile(out_ / "shard2" / "results.json");
  ASSERT_EQ(unsharded.runs.size(), 12u);
  // The slices split the matrix: no run twice, none left out.
  EXPECT_EQ(first.runs.size() + second.runs.size(), 12u);
  EXPECT_EQ(RunIds(merged), RunIds(unsharded));
  EXPECT_EQ(Verdicts(merged), Verdicts(unsharded));
  EXPECT_EQ(Verdicts(unsharded).at("context_in_thread_event_loop on dspy-2.5.40"),
            "fail, regression");
  EXPECT_EQ(merged.environment.merged_shards.size(), 2u);
  for (const char* file : {"report.md", "report.html", "junit.xml"}) {
    EXPECT_TRUE(fs::exists(out_ / "merged" / file)) << file;
  }

  // The gate on the merged file decides as on the unsharded one.
  auto gate = Run({"gate", (out_ / "merged" / "results.json").string()});
  EXPECT_EQ(gate.exit_code, 1) << gate.output;
  // Accepting today's results as the baseline passes; nothing new since.
  fs::path baseline = out_ / "baseline.json";
  auto update = Run({"gate", (out_ / "merged" / "results.json").string(), "--baseline",
                     baseline.string(), "--update-baseline"});
  EXPECT_EQ(update.exit_code, 0) << update.output;
  auto against =
      Run({"gate", (out_ / "whole" / "results.json").string(), "--baseline", baseline.string()});
  EXPECT_EQ(against.exit_code, 0) << against.output;
  // One shard alone is not the whole matrix, and merging it alone says so.
  auto partial = Run(
      {"merge", "--out", (out_ / "partial").string(), (out_ / "shard1" / "results.json").string()});
  ASSERT_EQ(partial.exit_code, 0) << partial.output;
  auto incomplete = Run({"gate", (out_ / "partial" / "results.json").string()});
  EXPECT_EQ(incomplete.exit_code, 3) << incomplete.output;
  EXPECT_NE(incomplete.output.find("shard 2/2 was not merged"), std::string::npos)
      << incomplete.output;
}

TEST_F(GateE2eTest, UnprovisionableTargetIsExit3NeverARegressionOrAPass) {
  fs::path root = out_ / "root";
  fs::path dir = root / "fixtures/targets/dspy-99.0.0";
  fs::create_directories(dir);
  fs::copy(kRoot / "fixtures/targets/dspy-2.5.39", root / "fixtures/targets/dspy-2.5.39",
           fs::copy_options::recursive);
  // A data tree as installed: the reports' knowledge beside the targets.
  fs::copy(kRoot / "fixtures/knowledge", root / "fixtures/knowledge", fs::copy_options::recursive);
  std::ofstream(dir / "target.toml")
      << "name='dspy-99.0.0'\ndspy='99.0.0'\npython='3.11'\nlock='r.lock'\n";
  std::ofstream(dir / "r.lock")
      << "dspy==99.0.0 \\\n    --hash=sha256:"
         "0000000000000000000000000000000000000000000000000000000000000000\n";
  // The broken target first, in a cache of its own: it fails before the
  // real one would be installed there.
  auto inv =
      Run({"run", "--gate", "--out", (out_ / "o").string(), "--targets", "dspy-99.0.0,dspy-2.5.39",
           "--scenarios", (kRoot / "scenarios/issue1867_single.py").string()},
          {{"DSPY_COMPAT_ROOT", root.string()}, {"DSPY_COMPAT_CACHE", (out_ / "cache").string()}});
  EXPECT_EQ(inv.exit_code, 3) << inv.output;
  EXPECT_NE(inv.output.find("target dspy-99.0.0: could not install dspy==99.0.0"),
            std::string::npos)
      << inv.output;
  EXPECT_EQ(inv.output.find("REGRESSION"), std::string::npos) << inv.output;
  EXPECT_EQ(inv.output.find("gate passed"), std::string::npos) << inv.output;
}

}  // namespace
}  // namespace dspy_compat
