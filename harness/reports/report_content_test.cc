#include "reports/report_content.h"

#include <gtest/gtest.h>

#include <map>

#include "reports/test_knowledge.h"

namespace dspy_compat {
namespace {

constexpr const char* kOld = "dspy-2.5.39";
constexpr const char* kNew = "dspy-2.5.40";

class ReportContentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    results_.environment.targets = {{kOld, "locked", "2.5.39", "3.11", "a", "/a"},
                                    {kNew, "locked", "2.5.40", "3.11", "b", "/b"}};
  }
  void Add(const std::string& scenario, const std::string& target, int passes, int fails,
           const std::string& message = "No LM is loaded.") {
    auto& ids = results_.environment.scenarios;
    if (std::find(ids.begin(), ids.end(), scenario) == ids.end()) ids.push_back(scenario);
    for (int i = 0; i < passes + fails; ++i) {
      RunResult run;
      run.scenario_id = scenario;
      run.target_name = target;
      run.repetition = i + 1;
      run.run_id = scenario + "." + target + "." + std::to_string(i);
      run.status = i < passes ? Status::kPass : Status::kFail;
      if (i >= passes) {
        run.error_type = "AssertionError";
        run.error_message = message;
      }
      results_.runs.push_back(run);
    }
    results_.environment.planned_runs = static_cast<int>(results_.runs.size());
  }
  void Regressing(const std::string& scenario) {
    Add(scenario, kOld, 3, 0);
    Add(scenario, kNew, 1, 2);
  }
  void Passing(const std::string& scenario) {
    Add(scenario, kOld, 3, 0);
    Add(scenario, kNew, 3, 0);
  }
  void MigrationOf(const std::string& rewrite, const std::string& original) {
    results_.environment.scenario_info[rewrite].migration_of = original;
  }

  Results results_;
};

TEST_F(ReportContentTest, NoRegressionIsSafe) {
  Passing("a");
  Add("both", kOld, 0, 2, "asyncify can only be called from the main thread");
  Add("both", kNew, 0, 2, "asyncify can only be called from the main thread");
  ReportContent content = BuildReportContent(results_, BundledKnowledge());
  EXPECT_EQ(content.verdict, UpgradeVerdict::kSafe);
  // Failing on both releases is not worse, but it is named: the upgrade's
  // effect on that scenario is unknown until it passes on the baseline.
  EXPECT_EQ(content.verdict_reason,
            "No scenario does worse on dspy-2.5.40 than on dspy-2.5.39 (2 scenarios, 10 runs); 1 "
            "scenario fails on both releases (`both`; first `AssertionError: asyncify can only be "
            "called from the main thread`): fix it to learn what the upgrade does to it.");
}

// Both pass, but 2.5.40 sends the requests that chose the strong model to
// the weak one: unsafe, and the headline says which requests.
TEST_F(ReportContentTest, BehaviourChangeIsUnsafeAndSaysWhichRequestsMoved) {
  Passing("two_models");
  for (RunResult& run : results_.runs) {
    const std::string model = run.target_name == kOld ? "strong-model" : "weak-model";
    run.models = {model};
    run.lm_requests = 2;
    run.lm_traffic = LmTraffic{{"chat"}, {}, {}, {}, {}};
    run.lm_traffic->routes = {{"k1", "question: Draft a reply to email 0.", {model}, 1},
                              {"k2", "question: Draft a reply to email 1.", {model}, 1}};
  }
  ReportContent content = BuildReportContent(results_, BundledKnowledge());
  EXPECT_EQ(content.verdict, UpgradeVerdict::kUnsafe);
  EXPECT_EQ(content.verdict_reason,
            "`two_models` passes everywhere but behaves differently: on dspy-2.5.40, 2 requests "
            "that dspy-2.5.39 sends to `strong-model` are served by `weak-model` (`question: "
            "Draft a reply to email 0.`, `question: Draft a reply to email 1.`); 0 of 1 have a "
            "verified migrated variant.");
  ASSERT_EQ(content.patterns.size(), 1u);
  EXPECT_EQ(content.patterns[0].headline, "behaviour-change");
  EXPECT_TRUE(content.patterns[0].changed);
  EXPECT_EQ(content.gate.outcome, GateOutcome::kRegression);

  // A rewrite that passes and keeps its requests where they were verifies it.
  Passing("two_models_migrated");
  MigrationOf("two_models_migrated", "two_models");
  content = BuildReportContent(results_, BundledKnowledge());
  EXPECT_EQ(content.verdict, UpgradeVerdict::kSafeWithChanges);
  EXPECT_NE(content.verdict_reason.find("it has a migrated variant that passes and behaves alike "
                                        "on every target"),
            std::string::npos)
      << content.verdict_reason;
}

// A scenario that never started was not judged: "Safe" would be a guess.
TEST_F(ReportContentTest, UnresolvedScenarioMakesTheHeadlineInconclusiveWithTheFix) {
  Passing("fine");
  Add("needs_myapp", kOld, 0, 1, "No module named 'myapp'");
  Add("needs_myapp", kNew, 0, 1, "No module named 'myapp'");
  for (RunResult& run : results_.runs) {
    if (run.scenario_id != "needs_myapp") continue;
    run.status = Status::kUnresolved;
    run.error_type = "ModuleNotFoundError";
  }
  ReportContent content = BuildReportContent(results_, BundledKnowledge());
  EXPECT_EQ(content.verdict, UpgradeVerdict::kInconclusive);
  EXPECT_EQ(
      content.verdict_reason,
      "`needs_myapp` could not start on dspy-2.5.39 and dspy-2.5.40 (`ModuleNotFoundError: "
      "No module named 'myapp'`): install `myapp` in every target environment (its "
      "requirements, or a `python:` target that has it) or put it beside the scenario, then "
      "run it again. Its result is unresolved, neither a pass nor a failure: no verdict until "
      "it can run.");
  EXPECT_EQ(content.gate.outcome, GateOutcome::kUnresolved);
  EXPECT_EQ(OutcomeSummary(content.aggregate.scenarios[1].outcomes[0]), "0/1 pass, 1 unresolved");
  ASSERT_FALSE(content.patterns.empty());
  EXPECT_EQ(content.patterns[0].scenario.scenario_id, "needs_myapp");
  EXPECT_NE(content.patterns[0].unresolved.find("install `myapp`"), std::string::npos);
}

TEST(UnresolvedFixTest, NamesTheFixForEachCause) {
  EXPECT_EQ(UnresolvedFix("SyntaxError: invalid syntax (app.py, line 3)"),
            "fix the syntax error, then run it again");
  EXPECT_NE(UnresolvedFix("FileNotFoundError: [Errno 2] No such file or directory: 'q.jsonl'")
                .find("fresh, empty working folder"),
            std::string::npos);
  EXPECT_NE(UnresolvedFix("ImportError: cannot import name 'x' from 'helpers'")
                .find("install what it imports"),
            std::string::npos);
}

TEST_F(ReportContentTest, RegressionWithAVerifiedRewriteIsSafeWithChanges) {
  Regressing("issue");
  Passing("issue_migrated");
  MigrationOf("issue_migrated", "issue");
  ReportContent content = BuildReportContent(results_, BundledKnowledge());
  EXPECT_EQ(content.verdict, UpgradeVerdict::kSafeWithChanges);
  EXPECT_EQ(content.verdict_reason,
            "1 pattern that passes on dspy-2.5.39 fails on dspy-2.5.40 (`AssertionError: No LM is "
            "loaded.`), and it has a migrated variant that passes on every target: apply the "
            "remediation below.");
  // The rewrite is shown inside the section of the pattern it rewrites.
  ASSERT_EQ(content.patterns.size(), 1u);
  ASSERT_EQ(content.patterns[0].migrations.size(), 1u);
  EXPECT_TRUE(content.patterns[0].migrations[0].verified);
}

TEST_F(ReportContentTest, ForcedVariantIsShownBesideTheNaturalRateAndKeepsItsSection) {
  Add("race", kOld, 3, 0);
  Add("race", kNew, 2, 1);  // natural: intermittent
  Add("race_forced", kOld, 3, 0);
  Add("race_forced", kNew, 0, 3);  // forced: every run
  results_.environment.scenario_info["race_forced"].forces = "race";
  ReportContent content = BuildReportContent(results_, BundledKnowledge());
  ASSERT_EQ(content.patterns.size(), 2u);
  const PatternSection* natural = nullptr;
  for (const PatternSection& p : content.patterns) {
    if (p.scenario.scenario_id == "race") natural = &p;
  }
  ASSERT_NE(natural, nullptr);
  ASSERT_EQ(natural->forced.size(), 1u);
  EXPECT_EQ(natural->forced[0].scenario_id, "race_forced");
  EXPECT_FALSE(natural->forced[0].verified);
  ASSERT_EQ(natural->forced[0].outcomes.size(), 2u);
  EXPECT_EQ(natural->forced[0].outcomes[1].failures, 3);
  EXPECT_TRUE(natural->migrations.empty());
}

TEST_F(ReportContentTest, RegressionWithoutARewriteIsUnsafeAndNamesTheCause) {
  Regressing("issue");
  Regressing("ignored");
  results_.runs.back().error_message =
      "dspy.context(lm=...) was ignored: 15 calls went to A, 1 to the globally configured B";
  ReportContent content = BuildReportContent(results_, BundledKnowledge());
  EXPECT_EQ(content.verdict, UpgradeVerdict::kUnsafe);
  EXPECT_EQ(content.verdict_reason,
            "2 patterns that pass on dspy-2.5.39 fail on dspy-2.5.40 (`AssertionError: No LM is "
            "loaded.`), all caused by the move of `dspy.context` overrides to a `threading.local` "
            "in DSPy 2.5.40 (#1860); 0 of 2 have a verified migrated variant.");
}

TEST_F(ReportContentTest, UnexplainedRegressionDoesNotClaimACause) {
  Regressing("issue");
  Add("other", kOld, 2, 0);
  Add("other", kNew, 0, 2, "boom");
  ReportContent content = BuildReportContent(results_, BundledKnowledge());
  EXPECT_EQ(content.verdict, UpgradeVerdict::kUnsafe);
  EXPECT_EQ(content.verdict_reason.find("caused by"), std::string::npos) << content.verdict_reason;
}

TEST_F(ReportContentTest, ARewriteThatRegressesIsNotVerified) {
  Regressing("issue");
  Regressing("issue_migrated");
  MigrationOf("issue_migrated", "issue");
  ReportContent content = BuildReportContent(results_, BundledKnowledge());
  EXPECT_EQ(content.verdict, UpgradeVerdict::kUnsafe);
  EXPECT_FALSE(content.patterns[0].migrations[0].verified);
}

TEST_F(ReportContentTest, HarnessErrorsMakeItInconclusive) {
  Regressing("issue");
  results_.runs.back().status = Status::kError;
  ReportContent content = BuildReportContent(results_, BundledKnowledge());
  EXPECT_EQ(content.verdict, UpgradeVerdict::kInconclusive);
  EXPECT_EQ(content.verdict_reason,
            "The results are incomplete (1 scenario/target pair had runs the harness could not "
            "run), so no verdict is drawn from them.");
}

TEST_F(ReportContentTest, OneTargetComparesNothing) {
  results_.environment.targets.pop_back();
  Add("a", kOld, 1, 0);
  ReportContent content = BuildReportContent(results_, BundledKnowledge());
  EXPECT_EQ(content.verdict, UpgradeVerdict::kNotCompared);
  EXPECT_EQ(content.verdict_reason,
            "Only dspy-2.5.39 ran; give two or more targets to compare an upgrade.");
}

// Issue 12: a difference in failing runs that could be chance says so, and
// stays a regression or a fix; one that is not chance gives only its p.
TEST(VerdictNoteTest, SaysWhenADifferenceCouldBeChance) {
  Verdict v;
  v.kind = VerdictKind::kRegression;
  v.intermittent = true;
  v.chance = 0.245;
  v.baseline_runs = v.later_runs = 24;
  EXPECT_EQ(VerdictNote(v), " (intermittent, p = 0.24: could be chance; both sides ran 24 times)");
  v.chance = 0.0027;
  EXPECT_EQ(VerdictNote(v), " (intermittent, p = 0.0027)");
  v.chance = 0.0001;
  EXPECT_EQ(VerdictNote(v), " (intermittent, p < 0.001)");
  v.chance = 0.0498;  // 0/15 against 4/15: two digits would round it to the level
  EXPECT_EQ(VerdictNote(v), " (intermittent, p = 0.0498)");

  v.kind = VerdictKind::kFixed;
  v.intermittent = false;
  v.chance = 0.5;
  v.baseline_runs = v.later_runs = 1;
  EXPECT_EQ(VerdictNote(v), " (p = 0.5: could be chance; both sides ran once)");
  v.baseline_runs = 24;
  v.later_runs = 40;
  EXPECT_EQ(VerdictNote(v), " (p = 0.5: could be chance; the sides ran 24 and 40 times)");

  // A regression that fails every run, and verdicts without a p: nothing.
  v.kind = VerdictKind::kRegression;
  EXPECT_EQ(VerdictNote(v), "");
  Verdict flaky;
  flaky.kind = VerdictKind::kFlaky;
  EXPECT_EQ(VerdictNote(flaky), "");
}

TEST_F(ReportContentTest, AFixThatCouldBeChanceSaysSoInItsHeadline) {
  Add("fix", kOld, 2, 1);
  Add("fix", kNew, 3, 0);
  ReportContent content = BuildReportContent(results_, BundledKnowledge());
  ASSERT_EQ(content.patterns.size(), 1u);
  EXPECT_EQ(content.patterns[0].headline,
            "fixed (p = 0.5: could be chance; both sides ran 3 times)");
}

TEST_F(ReportContentTest, SectionsPutRegressionsFirstAndDiagnoseThem) {
  Passing("fine");
  Add("both", kOld, 0, 2, "asyncify can only be called from the main thread");
  Add("both", kNew, 0, 2, "asyncify can only be called from the main thread");
  Regressing("issue");
  ReportContent content = BuildReportContent(results_, BundledKnowledge());
  ASSERT_EQ(content.patterns.size(), 3u);
  EXPECT_EQ(content.patterns[0].scenario.scenario_id, "issue");
  EXPECT_EQ(content.patterns[0].headline,
            "regression (intermittent, p = 0.2: could be chance; both sides ran 3 times)");
  EXPECT_EQ(content.patterns[1].scenario.scenario_id, "both");
  EXPECT_EQ(content.patterns[1].headline, "unchanged (fails on every target)");
  EXPECT_EQ(content.patterns[2].headline, "passes everywhere");
  EXPECT_FALSE(content.patterns[2].changed);

  ASSERT_EQ(content.patterns[0].diagnoses.size(), 1u);
  const Diagnosis& d = content.patterns[0].diagnoses[0];
  ASSERT_NE(d.change, nullptr);
  EXPECT_EQ(d.change->id, "context-threading-local");
  EXPECT_EQ(d.targets, (std::vector<std::string>{kNew}));
  EXPECT_EQ(d.count, 2);
  // The main-thread assertion is in both releases: explained, not a regression.
  ASSERT_EQ(content.patterns[1].diagnoses.size(), 1u);
  EXPECT_FALSE(content.patterns[1].diagnoses[0].change->regression);
  EXPECT_EQ(content.patterns[1].diagnoses[0].targets, (std::vector<std::string>{kOld, kNew}));
}

TEST_F(ReportContentTest, TrafficDifferencesOnlyWhenRecordedAndDifferent) {
  Passing("same");
  Passing("other_model");
  EXPECT_FALSE(BuildReportContent(results_, BundledKnowledge()).has_traffic);
  for (RunResult& run : results_.runs) {
    run.lm_traffic = LmTraffic{{"chat"}, {"temperature=0.0"}, {"0123456789abcdef"}, {}, {}};
    run.lm_requests = 2;
    run.models = {"gpt-4o"};
    if (run.scenario_id == "other_model" && run.target_name == kNew) {
      run.models = {"gpt-4o", "gpt-4o-mini"};
    }
  }
  ReportContent content = BuildReportContent(results_, BundledKnowledge());
  EXPECT_TRUE(content.has_traffic);
  ASSERT_EQ(content.traffic_differences.size(), 1u);
  const TrafficDifference& d = content.traffic_differences[0];
  EXPECT_EQ(d.scenario_id, "other_model");
  EXPECT_EQ(d.aspect, "models");
  EXPECT_EQ(d.per_target, (std::vector<std::string>{"gpt-4o", "gpt-4o, gpt-4o-mini"}));

  // A target whose runs failed before any LM call has no traffic to compare.
  for (RunResult& run : results_.runs) {
    if (run.scenario_id == "same" && run.target_name == kNew) {
      run.lm_requests = 0;
      run.models.clear();
      run.lm_traffic = LmTraffic{};
    }
  }
  EXPECT_EQ(BuildReportContent(results_, BundledKnowledge()).traffic_differences.size(), 1u);
}

TEST_F(ReportContentTest, SilentChangesAreReportedWhenBothTargetsPass) {
  Passing("silent");
  for (RunResult& run : results_.runs) {
    bool later = run.target_name == kNew;
    run.models = {"gpt-4o-mini"};
    run.lm_requests = later ? 3 : 2;
    run.lm_traffic = LmTraffic{{"chat"},
                               {later ? "temperature=0.0" : "temperature=0.3"},
                               {"0123456789abcdef"},
                               {later ? "system:\nAnswer.\nuser:\n<question>\n"
                                      : "system:\nAnswer briefly.\nuser:\n<question>\n"},
                               {}};
  }
  ReportContent content = BuildReportContent(results_, BundledKnowledge());
  // Nothing raised, but fewer calls and other parameters are not a pass.
  EXPECT_EQ(content.verdict, UpgradeVerdict::kUnsafe);
  std::map<std::string, const TrafficDifference*> by_aspect;
  for (const TrafficDifference& d : content.traffic_differences) by_aspect[d.aspect] = &d;
  ASSERT_TRUE(by_aspect.contains("LM calls per passing run"));
  EXPECT_EQ(by_aspect["LM calls per passing run"]->per_target,
            (std::vector<std::string>{"2", "3"}));
  ASSERT_TRUE(by_aspect.contains("request parameters"));
  ASSERT_TRUE(by_aspect.contains("prompts"));
  const TrafficDifference& prompts = *by_aspect["prompts"];
  ASSERT_EQ(prompts.diffs.size(), 2u);
  EXPECT_EQ(prompts.diffs[0], "");  // the baseline
  EXPECT_NE(prompts.diffs[1].find("-Answer briefly."), std::string::npos) << prompts.diffs[1];
  EXPECT_NE(prompts.diffs[1].find("+Answer."), std::string::npos) << prompts.diffs[1];
  EXPECT_EQ(prompts.diffs[1].find("-<question>"), std::string::npos) << prompts.diffs[1];
  EXPECT_FALSE(by_aspect.contains("models"));
}

TEST_F(ReportContentTest, CallCountsCompareOnlyPassingRuns) {
  Regressing("stops_early");
  for (RunResult& run : results_.runs) {
    run.models = {"gpt-4o-mini"};
    run.lm_requests = run.status == Status::kPass ? 4 : 1;
    run.lm_traffic = LmTraffic{{"chat"}, {}, {}, {}, {}};
  }
  for (const TrafficDifference& d :
       BuildReportContent(results_, BundledKnowledge()).traffic_differences) {
    EXPECT_NE(d.aspect, "LM calls per passing run") << d.per_target[1];
  }
  // With no passing run on the later target there is nothing to compare either.
  for (RunResult& run : results_.runs) {
    if (run.target_name == kNew) run.status = Status::kFail;
  }
  EXPECT_TRUE(BuildReportContent(results_, BundledKnowledge()).traffic_differences.empty());
}

TEST(PromptDiffTest, EqualPromptsHaveNoDiff) {
  EXPECT_EQ(PromptDiff({"a\nb\n"}, {"a\nb\n"}, "x", "y"), "");
  std::string diff = PromptDiff({"a\nb\n"}, {"a\nc\n"}, "x", "y");
  EXPECT_EQ(diff.rfind("--- x\n+++ y\n", 0), 0u) << diff;
  EXPECT_NE(diff.find("-b"), std::string::npos);
  EXPECT_NE(diff.find("+c"), std::string::npos);
}

TEST_F(ReportContentTest, UnsupportedPairsAreNeitherRunNorMissing) {
  Passing("everywhere");
  Add("new_only", kNew, 3, 0);
  auto& info = results_.environment.scenario_info["new_only"];
  info.requirements = {"dspy>=2.5.40"};
  info.unsupported = {kOld};
  ReportContent content = BuildReportContent(results_, BundledKnowledge());
  EXPECT_EQ(content.gate.outcome, GateOutcome::kPassed);
  EXPECT_TRUE(content.gate.incomplete.empty());
  EXPECT_EQ(content.gate.Count(PairStatus::kUnsupported), 1);
  EXPECT_EQ(content.verdict, UpgradeVerdict::kSafe);
  const Outcome& old_pair = content.aggregate.scenarios[1].outcomes[0];
  EXPECT_TRUE(old_pair.unsupported);
  EXPECT_EQ(OutcomeSummary(old_pair), "unsupported (REQUIRES)");
  EXPECT_FALSE(content.aggregate.scenarios[1].outcomes[1].unsupported);
  // Without the REQUIRES record the same missing pair makes the results incomplete.
  info.unsupported.clear();
  EXPECT_EQ(BuildReportContent(results_, BundledKnowledge()).gate.outcome,
            GateOutcome::kInfrastructure);
}

// What a clean pair's pass is worth, said per pair: how many runs, and how
// many of them explored LM response orders.
TEST(PassCountTextTest, ACleanPairSaysHowManyRunsAndHowManyExplored) {
  Outcome o;
  EXPECT_EQ(PassCountText(o), "no runs");
  o.total = 10;
  o.status_counts[static_cast<std::size_t>(Status::kPass)] = 10;
  EXPECT_EQ(PassCountText(o), "no failure in 10 runs, none explored");
  o.explored = 7;
  EXPECT_EQ(PassCountText(o), "no failure in 10 runs, 7 explored");
  o.explored = 10;
  EXPECT_EQ(PassCountText(o), "no failure in 10 runs, all explored");
  o.failures = 3;
  o.status_counts[static_cast<std::size_t>(Status::kPass)] = 7;
  EXPECT_EQ(PassCountText(o), "7/10 pass");
}

TEST(ReportWordingTest, CodeSpanNeutralisesBackticks) {
  EXPECT_EQ(CodeSpan("a `b` c"), "`a 'b' c`");
}

}  // namespace
}  // namespace dspy_compat
