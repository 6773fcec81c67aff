#include "results/gate.h"

#include <gtest/gtest.h>

#include "results/baseline.h"

namespace dspy_compat {
namespace {

constexpr const char* kOld = "dspy-2.5.39";
constexpr const char* kNew = "dspy-2.5.40";

class GateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    results_.environment.targets = {{kOld, "locked", "2.5.39", "3.11", "a", "/a"},
                                    {kNew, "locked", "2.5.40", "3.11", "b", "/b"}};
  }
  // Adds `passes` passing and `fails` failing runs of a pair.
  void Add(const std::string& scenario, const std::string& target, int passes, int fails,
           const std::string& message = "No LM is loaded.", Status failure = Status::kFail) {
    if (std::find(results_.environment.scenarios.begin(), results_.environment.scenarios.end(),
                  scenario) == results_.environment.scenarios.end()) {
      results_.environment.scenarios.push_back(scenario);
    }
    for (int i = 0; i < passes + fails; ++i) {
      RunResult run;
      run.scenario_id = scenario;
      run.target_name = target;
      run.repetition = i + 1;
      run.run_id = scenario + "." + target + "." + std::to_string(i + 1) + "." +
                   std::to_string(results_.runs.size());
      run.status = i < passes ? Status::kPass : failure;
      if (i >= passes) {
        run.error_type = failure == Status::kError ? "" : "AssertionError";
        run.error_message = message;
      }
      results_.runs.push_back(run);
    }
    results_.environment.planned_runs = static_cast<int>(results_.runs.size());
  }
  void Expect(const std::string& scenario, const std::string& target, Expectation e) {
    results_.environment.scenario_info[scenario].expected[target] = e;
  }
  const PairCheck& CheckOf(const GateReport& report, const std::string& scenario,
                           const std::string& target) {
    for (const PairCheck& c : report.checks) {
      if (c.scenario_id == scenario && c.target_name == target) return c;
    }
    ADD_FAILURE() << "no check for " << scenario << " on " << target;
    static PairCheck none;
    return none;
  }

  Results results_;
};

TEST_F(GateTest, DefaultGatesLaterTargetsAgainstTheFirst) {
  Add("ok", kOld, 3, 0);
  Add("ok", kNew, 3, 0);
  Add("broken", kOld, 3, 0);
  Add("broken", kNew, 1, 2);
  Add("old_bug", kOld, 0, 3, "asyncify can only be called from the main thread");
  Add("old_bug", kNew, 0, 3, "asyncify can only be called from the main thread");
  GateReport report = EvaluateGate(results_);
  EXPECT_EQ(report.outcome, GateOutcome::kRegression);
  EXPECT_EQ(report.Count(PairStatus::kRegression), 1);
  const PairCheck& broken = CheckOf(report, "broken", kNew);
  EXPECT_EQ(broken.status, PairStatus::kRegression);
  EXPECT_EQ(broken.expected, Expectation::kPass);
  EXPECT_EQ(broken.reason,
            "expected pass (default: no worse than dspy-2.5.39), 2 of 3 runs failed: "
            "AssertionError: No LM is loaded.");
  // Failing on both releases is not new; the first target is the reference.
  EXPECT_EQ(CheckOf(report, "old_bug", kNew).status, PairStatus::kAsExpected);
  EXPECT_EQ(CheckOf(report, "old_bug", kOld).status, PairStatus::kAsExpected);
}

TEST_F(GateTest, DeclaredExpectationAcceptsAKnownFailure) {
  Add("broken", kOld, 3, 0);
  Add("broken", kNew, 0, 3);
  Expect("broken", kNew, Expectation::kFailOrFlaky);
  GateReport report = EvaluateGate(results_);
  EXPECT_EQ(report.outcome, GateOutcome::kPassed);
  EXPECT_EQ(CheckOf(report, "broken", kNew).source, ExpectationSource::kHeader);
}

TEST_F(GateTest, DoingBetterIsAnUnexpectedPassNotAFailure) {
  Add("fixed", kOld, 3, 0);
  Add("fixed", kNew, 3, 0);
  Expect("fixed", kNew, Expectation::kFailOrFlaky);
  GateReport report = EvaluateGate(results_);
  EXPECT_EQ(report.outcome, GateOutcome::kPassed);
  EXPECT_EQ(CheckOf(report, "fixed", kNew).status, PairStatus::kUnexpectedPass);
  EXPECT_NE(FormatGateReport(report).find("UNEXPECTED-PASS  fixed on dspy-2.5.40"),
            std::string::npos);
}

TEST_F(GateTest, FlakyExpectationFailsWhenEveryRunFails) {
  Add("s", kOld, 3, 0);
  Add("s", kNew, 0, 3);
  Expect("s", kNew, Expectation::kFlaky);
  EXPECT_EQ(EvaluateGate(results_).outcome, GateOutcome::kRegression);
}

TEST_F(GateTest, HarnessErrorIsInfrastructureNeverARegression) {
  Add("broken", kOld, 3, 0);
  Add("broken", kNew, 0, 3);
  Add("errored", kOld, 3, 0);
  Add("errored", kNew, 2, 1, "runner could not import dspy", Status::kError);
  GateReport report = EvaluateGate(results_);
  EXPECT_EQ(report.outcome, GateOutcome::kInfrastructure);
  const PairCheck& errored = CheckOf(report, "errored", kNew);
  EXPECT_EQ(errored.status, PairStatus::kInfrastructure);
  EXPECT_EQ(errored.reason,
            "1 of 3 runs could not be run by the harness: runner could not import dspy");
  EXPECT_NE(FormatGateReport(report).find("gate INCONCLUSIVE"), std::string::npos);
}

TEST_F(GateTest, InterruptedOrShortSessionIsInfrastructure) {
  Add("ok", kOld, 1, 0);
  Add("ok", kNew, 1, 0);
  results_.environment.interrupted = true;
  GateReport report = EvaluateGate(results_);
  EXPECT_EQ(report.outcome, GateOutcome::kInfrastructure);
  EXPECT_EQ(report.incomplete.front(), "the session was interrupted after 2 of 2 planned runs");

  results_.environment.interrupted = false;
  results_.environment.planned_runs = 4;
  EXPECT_EQ(EvaluateGate(results_).incomplete.front(), "only 2 of 4 planned runs finished");
}

// A killed adaptive session (SIGKILL between rounds: every planned run has a
// result) passed the gate: v1.11 files say it never finished.
TEST_F(GateTest, ASessionThatNeverFinishedIsInfrastructure) {
  Add("ok", kOld, 2, 0);
  Add("ok", kNew, 2, 0);
  std::vector<PlannedRun> plan;
  for (const RunResult& run : results_.runs) {
    plan.push_back({run.run_id, run.scenario_id, run.target_name, run.repetition});
  }
  results_.environment.plan = plan;
  results_.environment.finished_at = "";
  GateReport report = EvaluateGate(results_);
  EXPECT_EQ(report.outcome, GateOutcome::kInfrastructure);
  ASSERT_EQ(report.incomplete.size(), 1u);
  EXPECT_NE(report.incomplete.front().find("did not finish"), std::string::npos);

  results_.environment.finished_at = "2026-12-01T05:00:00Z";
  EXPECT_EQ(EvaluateGate(results_).outcome, GateOutcome::kPassed);
}

TEST_F(GateTest, MissingShardOfAMergeIsInfrastructure) {
  Add("ok", kOld, 1, 0);
  Add("ok", kNew, 1, 0);
  results_.environment.merged_shards = {{1, 3}, {3, 3}};
  GateReport report = EvaluateGate(results_);
  EXPECT_EQ(report.outcome, GateOutcome::kInfrastructure);
  EXPECT_EQ(report.incomplete, (std::vector<std::string>{"shard 2/3 was not merged"}));
}

TEST_F(GateTest, ASingleShardLeavesOtherPairsToOtherShards) {
  Add("ok", kOld, 2, 0);
  results_.environment.scenarios.push_back("elsewhere");
  results_.environment.shard = ShardInfo{1, 2};
  GateReport report = EvaluateGate(results_);
  EXPECT_EQ(report.outcome, GateOutcome::kPassed);
  EXPECT_EQ(report.Count(PairStatus::kNotRun), 3);

  results_.environment.shard.reset();
  EXPECT_EQ(EvaluateGate(results_).outcome, GateOutcome::kInfrastructure);
}

TEST_F(GateTest, SingleTargetExpectsEveryScenarioToPass) {
  results_.environment.targets.pop_back();
  Add("ok", kOld, 2, 0);
  Add("bad", kOld, 1, 1);
  GateReport report = EvaluateGate(results_);
  EXPECT_EQ(report.outcome, GateOutcome::kRegression);
  EXPECT_EQ(CheckOf(report, "bad", kOld).reason,
            "expected pass (default), 1 of 2 runs failed: AssertionError: No LM is loaded.");
}

TEST_F(GateTest, BaselineFileTakesPrecedenceAndCatchesNewSignatures) {
  Add("known", kOld, 3, 0);
  Add("known", kNew, 0, 3, "dspy.context(lm=...) was ignored: 15 calls went to A");
  Add("other", kOld, 3, 0);
  Add("other", kNew, 0, 3);
  Baseline baseline = BaselineFromResults(results_);

  // Same failure, other counts: known. Another failure on the same pair: new.
  results_.runs.clear();
  Add("known", kOld, 3, 0);
  Add("known", kNew, 0, 3, "dspy.context(lm=...) was ignored: 12 calls went to A");
  Add("other", kOld, 3, 0);
  Add("other", kNew, 0, 3, "TimeoutError: the LM did not answer");
  GateReport report = EvaluateGate(results_, &baseline);
  EXPECT_EQ(CheckOf(report, "known", kNew).status, PairStatus::kAsExpected);
  EXPECT_EQ(CheckOf(report, "known", kNew).source, ExpectationSource::kBaselineFile);
  const PairCheck& other = CheckOf(report, "other", kNew);
  EXPECT_EQ(other.status, PairStatus::kRegression);
  EXPECT_EQ(other.new_signatures,
            (std::vector<std::string>{"AssertionError: TimeoutError: the LM did not answer"}));
  EXPECT_EQ(report.outcome, GateOutcome::kRegression);
}

// Gives every run of a pair one route: `model` served the request `q`.
void Route(Results& results, const std::string& scenario, const std::string& target,
           const std::string& model, const std::string& prompt = "user:\n<question>\n") {
  for (RunResult& run : results.runs) {
    if (run.scenario_id != scenario || run.target_name != target) continue;
    run.models = {model};
    run.lm_requests = 1;
    run.lm_traffic = LmTraffic{{"chat"}, {}, {}, {prompt}, {{"k", "question: q", {model}, 1}}};
  }
}

TEST_F(GateTest, BehaviourChangeFailsByDefault) {
  Add("two_models", kOld, 3, 0);
  Add("two_models", kNew, 3, 0);
  Route(results_, "two_models", kOld, "gpt-4o");
  Route(results_, "two_models", kNew, "gpt-4o-mini");
  GateReport report = EvaluateGate(results_);
  EXPECT_EQ(report.outcome, GateOutcome::kRegression);
  const PairCheck& check = CheckOf(report, "two_models", kNew);
  EXPECT_EQ(check.status, PairStatus::kBehaviourChange);
  EXPECT_EQ(check.reason,
            "expected pass (default: no worse than dspy-2.5.39), 3 of 3 runs passed; but it "
            "behaves differently: on dspy-2.5.40, 1 request that dspy-2.5.39 sends to `gpt-4o` "
            "is served by `gpt-4o-mini` (`question: q`)");
  std::string text = FormatGateReport(report);
  EXPECT_NE(text.find("BEHAVIOUR-CHANGE two_models on dspy-2.5.40: "), std::string::npos) << text;
  EXPECT_NE(text.find("gate FAILED, behaviour change found: 0 regressions, 1 behaviour change, "),
            std::string::npos)
      << text;

  // Accepted by an EXPECT line.
  Expect("two_models", kNew, Expectation::kBehaviourChange);
  report = EvaluateGate(results_);
  EXPECT_EQ(report.outcome, GateOutcome::kPassed);
  EXPECT_EQ(CheckOf(report, "two_models", kNew).status, PairStatus::kAsExpected);
  EXPECT_NE(CheckOf(report, "two_models", kNew).reason.find("known behaviour change"),
            std::string::npos);

  // And by a baseline file that recorded it.
  results_.environment.scenario_info.clear();
  Baseline baseline = BaselineFromResults(results_);
  ASSERT_NE(baseline.Find("two_models", kNew), nullptr);
  EXPECT_TRUE(baseline.Find("two_models", kNew)->behaviour_change);
  EXPECT_EQ(EvaluateGate(results_, &baseline).outcome, GateOutcome::kPassed);
  EXPECT_TRUE(BaselineFromJson(ToJson(baseline)).Find("two_models", kNew)->behaviour_change);
}

// A pair already expected to fail on a target is known to be broken there;
// that it passed with other traffic is an unexpected pass, not a failure.
TEST_F(GateTest, BehaviourChangeOfAPairExpectedToFailIsNotAFailure) {
  Add("racy", kOld, 2, 0);
  Add("racy", kNew, 2, 0);
  Route(results_, "racy", kOld, "gpt-4o");
  Route(results_, "racy", kNew, "gpt-4o-mini");
  Expect("racy", kNew, Expectation::kFailOrFlaky);
  GateReport report = EvaluateGate(results_);
  EXPECT_EQ(report.outcome, GateOutcome::kPassed);
  EXPECT_EQ(CheckOf(report, "racy", kNew).status, PairStatus::kUnexpectedPass);
}

TEST_F(GateTest, PromptTextFailsOnlyWithStrictPrompts) {
  Add("reworded", kOld, 2, 0);
  Add("reworded", kNew, 2, 0);
  Route(results_, "reworded", kOld, "m", "system:\nOld wording.\n");
  Route(results_, "reworded", kNew, "m", "system:\nNew wording.\n");
  EXPECT_EQ(EvaluateGate(results_).outcome, GateOutcome::kPassed);
  GateReport strict = EvaluateGate(results_, nullptr, GatePolicy{true});
  EXPECT_EQ(strict.outcome, GateOutcome::kRegression);
  EXPECT_EQ(CheckOf(strict, "reworded", kNew).status, PairStatus::kBehaviourChange);
  EXPECT_NE(CheckOf(strict, "reworded", kNew).reason.find("the prompts' text differs"),
            std::string::npos);
}

// A scenario that could not start is neither a pass nor a regression, on
// the baseline target too; the gate is inconclusive (exit 3).
TEST_F(GateTest, UnresolvedRunsMakeTheGateInconclusive) {
  Add("ok", kOld, 2, 0);
  Add("ok", kNew, 0, 2);
  Add("missing_module", kOld, 0, 2, "No module named 'myapp'", Status::kUnresolved);
  Add("missing_module", kNew, 0, 2, "No module named 'myapp'", Status::kUnresolved);
  GateReport report = EvaluateGate(results_);
  EXPECT_EQ(report.outcome, GateOutcome::kUnresolved);
  const PairCheck& check = CheckOf(report, "missing_module", kOld);
  EXPECT_EQ(check.status, PairStatus::kUnresolved);
  EXPECT_EQ(check.reason, "2 of 2 runs could not start: AssertionError: No module named 'myapp'");
  std::string text = FormatGateReport(report);
  EXPECT_NE(text.find("UNRESOLVED       missing_module on dspy-2.5.39"), std::string::npos) << text;
  EXPECT_NE(text.find("gate INCONCLUSIVE, a scenario could not start"), std::string::npos) << text;
  // Never the accepted state of a baseline file.
  EXPECT_EQ(BaselineFromResults(results_).Find("missing_module", kOld), nullptr);
}

TEST_F(GateTest, SummaryLineCountsEverything) {
  Add("ok", kOld, 1, 0);
  Add("ok", kNew, 1, 0);
  EXPECT_EQ(FormatGateReport(EvaluateGate(results_)),
            "gate passed: 0 regressions, 0 infrastructure, 0 unexpected passes, 2 as expected (2 "
            "scenario/target pairs)\n");
}

}  // namespace
}  // namespace dspy_compat
