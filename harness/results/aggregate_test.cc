#include "results/aggregate.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace dspy_compat {
namespace {

RunResult MakeRun(std::string scenario, std::string target, Status status,
                  std::string error_type = "", std::string message = "",
                  std::string traceback = "") {
  static int next_id = 0;
  RunResult run;
  run.scenario_id = std::move(scenario);
  run.target_name = std::move(target);
  run.run_id = "run-" + std::to_string(++next_id);
  run.status = status;
  run.error_type = std::move(error_type);
  run.error_message = std::move(message);
  run.traceback = std::move(traceback);
  return run;
}

void AppendModel(std::vector<std::string>& models, const std::string& model) {
  if (std::find(models.begin(), models.end(), model) == models.end()) models.push_back(model);
}

// An outcome with the given classification, for verdict tests.
Outcome OutcomeOf(Classification classification, std::string target) {
  Outcome outcome;
  outcome.scenario_id = "s";
  outcome.target_name = std::move(target);
  outcome.classification = classification;
  return outcome;
}

TEST(WilsonIntervalTest, MatchesKnownValues) {
  Interval i = WilsonInterval(3, 10);
  EXPECT_NEAR(i.low, 0.108, 5e-4);
  EXPECT_NEAR(i.high, 0.603, 5e-4);

  i = WilsonInterval(13, 20);
  EXPECT_NEAR(i.low, 0.4329, 5e-5);
  EXPECT_NEAR(i.high, 0.8188, 5e-5);

  i = WilsonInterval(5, 20);
  EXPECT_NEAR(i.low, 0.1119, 5e-5);
  EXPECT_NEAR(i.high, 0.4687, 5e-5);
}

TEST(WilsonIntervalTest, EdgesAreExact) {
  Interval none = WilsonInterval(0, 10);
  EXPECT_EQ(none.low, 0.0);
  EXPECT_NEAR(none.high, 0.2775, 5e-5);

  Interval all = WilsonInterval(10, 10);
  EXPECT_NEAR(all.low, 0.7225, 5e-5);
  EXPECT_EQ(all.high, 1.0);

  Interval one = WilsonInterval(1, 1);
  EXPECT_NEAR(one.low, 0.2065, 5e-5);
  EXPECT_EQ(one.high, 1.0);
}

TEST(WilsonIntervalTest, NoTrialsIsTheWholeRange) {
  Interval i = WilsonInterval(0, 0);
  EXPECT_EQ(i.low, 0.0);
  EXPECT_EQ(i.high, 1.0);
}

TEST(ErrorSignatureTest, TypeAndFirstLineOfMessage) {
  EXPECT_EQ(ErrorSignature(MakeRun("s", "t", Status::kFail, "AssertionError", "No LM is loaded.")),
            "AssertionError: No LM is loaded.");
  EXPECT_EQ(
      ErrorSignature(MakeRun("s", "t", Status::kFail, "ValueError", "bad input\nmore detail")),
      "ValueError: bad input");
  EXPECT_EQ(ErrorSignature(MakeRun("s", "t", Status::kFail, "KeyError")), "KeyError");
}

TEST(ErrorSignatureTest, StatusNameWithoutAType) {
  EXPECT_EQ(ErrorSignature(MakeRun("s", "t", Status::kTimeout, "", "killed after 60 s")),
            "timeout");
  EXPECT_EQ(ErrorSignature(MakeRun("s", "t", Status::kCrash)), "crash");
  EXPECT_EQ(ErrorSignature(MakeRun("s", "t", Status::kError, "", "no interpreter")), "error");
  EXPECT_EQ(ErrorSignature(MakeRun("s", "t", Status::kPass)), "");
}

TEST(ComputeOutcomeTest, CountsStatusesAndGroupsSignatures) {
  std::vector<RunResult> runs = {
      MakeRun("s", "t", Status::kPass),
      MakeRun("s", "t", Status::kFail, "AssertionError", "No LM is loaded."),
      MakeRun("s", "t", Status::kFail, "AssertionError", "No LM is loaded.", "Traceback A"),
      MakeRun("s", "t", Status::kTimeout),
      MakeRun("s", "t", Status::kFail, "AssertionError", "No LM is loaded.\nsecond line"),
      MakeRun("s", "t", Status::kCrash),
      MakeRun("s", "t", Status::kPass),
      MakeRun("other", "t", Status::kFail, "X"),  // another scenario
      MakeRun("s", "u", Status::kFail, "X"),      // another target
  };
  Outcome o = ComputeOutcome(runs, "s", "t");
  EXPECT_EQ(o.scenario_id, "s");
  EXPECT_EQ(o.target_name, "t");
  EXPECT_EQ(o.total, 7);
  EXPECT_EQ(o.failures, 5);
  EXPECT_EQ(o.Passes(), 2);
  EXPECT_EQ(o.Count(Status::kFail), 3);
  EXPECT_EQ(o.Count(Status::kTimeout), 1);
  EXPECT_EQ(o.Count(Status::kCrash), 1);
  EXPECT_EQ(o.Count(Status::kError), 0);
  EXPECT_EQ(o.classification, Classification::kFlaky);
  EXPECT_DOUBLE_EQ(o.failure_rate, 5.0 / 7.0);
  Interval expected = WilsonInterval(5, 7);
  EXPECT_DOUBLE_EQ(o.failure_interval.low, expected.low);
  EXPECT_DOUBLE_EQ(o.failure_interval.high, expected.high);

  ASSERT_EQ(o.signatures.size(), 3u);
  EXPECT_EQ(o.signatures[0].signature, "AssertionError: No LM is loaded.");
  EXPECT_EQ(o.signatures[0].count, 3);
  // Equal counts keep a stable, alphabetical order.
  EXPECT_EQ(o.signatures[1].signature, "crash");
  EXPECT_EQ(o.signatures[1].count, 1);
  EXPECT_EQ(o.signatures[2].signature, "timeout");

  // The example is of the top signature and has a traceback.
  EXPECT_EQ(o.example_run_id, runs[2].run_id);
  EXPECT_EQ(o.example_traceback, "Traceback A");
}

TEST(ComputeOutcomeTest, ExampleFallsBackToFirstRunWithoutTraceback) {
  std::vector<RunResult> runs = {MakeRun("s", "t", Status::kTimeout),
                                 MakeRun("s", "t", Status::kTimeout)};
  runs[0].output_tail = "last words";
  Outcome o = ComputeOutcome(runs, "s", "t");
  EXPECT_EQ(o.example_run_id, runs[0].run_id);
  EXPECT_EQ(o.example_traceback, "");
  EXPECT_EQ(o.example_output_tail, "last words");
}

TEST(ComputeOutcomeTest, Classifications) {
  std::vector<RunResult> pass = {MakeRun("s", "t", Status::kPass),
                                 MakeRun("s", "t", Status::kPass)};
  EXPECT_EQ(ComputeOutcome(pass, "s", "t").classification, Classification::kPass);
  EXPECT_TRUE(ComputeOutcome(pass, "s", "t").signatures.empty());
  EXPECT_EQ(ComputeOutcome(pass, "s", "t").example_run_id, "");

  std::vector<RunResult> fail = {MakeRun("s", "t", Status::kFail),
                                 MakeRun("s", "t", Status::kError)};
  EXPECT_EQ(ComputeOutcome(fail, "s", "t").classification, Classification::kFail);

  Outcome none = ComputeOutcome(pass, "s", "absent");
  EXPECT_EQ(none.classification, Classification::kNone);
  EXPECT_EQ(none.total, 0);
  EXPECT_EQ(none.failure_rate, 0.0);
  EXPECT_EQ(none.failure_interval.high, 1.0);
}

TEST(ClassificationTest, Names) {
  EXPECT_EQ(ClassificationName(Classification::kNone), "none");
  EXPECT_EQ(ClassificationName(Classification::kPass), "pass");
  EXPECT_EQ(ClassificationName(Classification::kFail), "fail");
  EXPECT_EQ(ClassificationName(Classification::kFlaky), "flaky");
}

struct VerdictCase {
  Classification baseline;
  Classification later;
  VerdictKind kind;
  bool intermittent;
};

class CompareOutcomesTest : public ::testing::TestWithParam<VerdictCase> {};

TEST_P(CompareOutcomesTest, Verdict) {
  const VerdictCase& c = GetParam();
  Verdict v = CompareOutcomes(OutcomeOf(c.baseline, "old"), OutcomeOf(c.later, "new"));
  EXPECT_EQ(v.kind, c.kind) << ClassificationName(c.baseline) << " -> "
                            << ClassificationName(c.later) << " gave " << VerdictName(v.kind);
  EXPECT_EQ(v.intermittent, c.intermittent);
  EXPECT_EQ(v.scenario_id, "s");
  EXPECT_EQ(v.baseline_target, "old");
  EXPECT_EQ(v.target_name, "new");
}

using C = Classification;
using V = VerdictKind;
INSTANTIATE_TEST_SUITE_P(EveryPair, CompareOutcomesTest,
                         ::testing::Values(VerdictCase{C::kPass, C::kPass, V::kUnchanged, false},
                                           VerdictCase{C::kFail, C::kFail, V::kUnchanged, false},
                                           VerdictCase{C::kPass, C::kFail, V::kRegression, false},
                                           VerdictCase{C::kPass, C::kFlaky, V::kRegression, true},
                                           VerdictCase{C::kFail, C::kPass, V::kFixed, false},
                                           VerdictCase{C::kFlaky, C::kPass, V::kFixed, false},
                                           VerdictCase{C::kFlaky, C::kFlaky, V::kFlaky, false},
                                           VerdictCase{C::kFail, C::kFlaky, V::kFlaky, false},
                                           VerdictCase{C::kFlaky, C::kFail, V::kFlaky, false},
                                           VerdictCase{C::kNone, C::kPass, V::kIncomplete, false},
                                           VerdictCase{C::kPass, C::kNone, V::kIncomplete, false},
                                           VerdictCase{C::kNone, C::kNone, V::kIncomplete, false}));

// Outcome of `runs` runs of scenario "s" on `target`, `failures` of them failing.
Outcome Counted(const std::string& target, int runs, int failures) {
  std::vector<RunResult> list;
  for (int i = 0; i < runs; ++i) {
    list.push_back(MakeRun("s", target, i < failures ? Status::kFail : Status::kPass));
  }
  return ComputeOutcome(list, "s", target);
}

// Issue 12: 0/24 against 2/24 is a regression by kind, whose p says it
// could be chance; the kind stays (an intermittent failure is never hidden).
TEST(VerdictTest, ARegressionOrAFixCarriesTheChanceOfItsCounts) {
  Verdict few = CompareOutcomes(Counted("old", 24, 0), Counted("new", 24, 2));
  EXPECT_EQ(few.kind, VerdictKind::kRegression);
  EXPECT_TRUE(few.intermittent);
  ASSERT_TRUE(few.chance.has_value());
  EXPECT_NEAR(*few.chance, 0.245, 0.001);
  EXPECT_EQ(few.baseline_runs, 24);
  EXPECT_EQ(few.later_runs, 24);

  Verdict clear = CompareOutcomes(Counted("old", 10, 0), Counted("new", 10, 10));
  ASSERT_TRUE(clear.chance.has_value());
  EXPECT_LT(*clear.chance, 1e-5);

  Verdict fixed = CompareOutcomes(Counted("old", 24, 2), Counted("new", 40, 0));
  EXPECT_EQ(fixed.kind, VerdictKind::kFixed);
  ASSERT_TRUE(fixed.chance.has_value());
  EXPECT_GT(*fixed.chance, 0.05);
  EXPECT_EQ(fixed.later_runs, 40);

  EXPECT_FALSE(CompareOutcomes(Counted("old", 10, 2), Counted("new", 10, 5)).chance);  // flaky
  EXPECT_FALSE(CompareOutcomes(Counted("old", 10, 0), Counted("new", 10, 0)).chance);
}

TEST(VerdictTest, Names) {
  EXPECT_EQ(VerdictName(VerdictKind::kUnchanged), "unchanged");
  EXPECT_EQ(VerdictName(VerdictKind::kRegression), "regression");
  EXPECT_EQ(VerdictName(VerdictKind::kFixed), "fixed");
  EXPECT_EQ(VerdictName(VerdictKind::kFlaky), "flaky");
  EXPECT_EQ(VerdictName(VerdictKind::kIncomplete), "incomplete");
}

TEST(AggregateResultsTest, FollowsEnvironmentOrderAndCountsVerdicts) {
  Results results;
  results.environment.targets = {{"dspy-2.5.39", "locked", "2.5.39", "3.11", "", ""},
                                 {"dspy-2.5.40", "locked", "2.5.40", "3.11", "", ""}};
  results.environment.scenarios = {"b_ok", "a_regresses", "c_not_run"};
  for (int i = 0; i < 3; ++i) {
    results.runs.push_back(MakeRun("a_regresses", "dspy-2.5.39", Status::kPass));
    results.runs.push_back(MakeRun("a_regresses", "dspy-2.5.40",
                                   i == 0 ? Status::kPass : Status::kFail, "AssertionError",
                                   "No LM is loaded."));
    results.runs.push_back(MakeRun("b_ok", "dspy-2.5.40", Status::kPass));
    results.runs.push_back(MakeRun("b_ok", "dspy-2.5.39", Status::kPass));
  }
  // A scenario missing from the environment still shows up, after the rest.
  results.runs.push_back(MakeRun("z_extra", "dspy-2.5.39", Status::kFail, "RuntimeError", "boom"));
  results.runs.push_back(MakeRun("z_extra", "dspy-2.5.40", Status::kPass));

  Aggregate a = AggregateResults(results);
  EXPECT_EQ(a.targets, (std::vector<std::string>{"dspy-2.5.39", "dspy-2.5.40"}));
  ASSERT_EQ(a.scenarios.size(), 4u);
  EXPECT_EQ(a.scenarios[0].scenario_id, "b_ok");
  EXPECT_EQ(a.scenarios[1].scenario_id, "a_regresses");
  EXPECT_EQ(a.scenarios[2].scenario_id, "c_not_run");
  EXPECT_EQ(a.scenarios[3].scenario_id, "z_extra");

  const ScenarioAggregate& regresses = a.scenarios[1];
  ASSERT_EQ(regresses.outcomes.size(), 2u);
  EXPECT_EQ(regresses.outcomes[0].target_name, "dspy-2.5.39");
  EXPECT_EQ(regresses.outcomes[0].classification, Classification::kPass);
  EXPECT_EQ(regresses.outcomes[1].failures, 2);
  EXPECT_EQ(regresses.outcomes[1].classification, Classification::kFlaky);
  ASSERT_EQ(regresses.verdicts.size(), 1u);
  EXPECT_EQ(regresses.verdicts[0].kind, VerdictKind::kRegression);
  EXPECT_TRUE(regresses.verdicts[0].intermittent);

  EXPECT_EQ(a.scenarios[0].verdicts[0].kind, VerdictKind::kUnchanged);
  EXPECT_EQ(a.scenarios[2].verdicts[0].kind, VerdictKind::kIncomplete);
  EXPECT_EQ(a.scenarios[3].verdicts[0].kind, VerdictKind::kFixed);

  EXPECT_EQ(a.Count(VerdictKind::kUnchanged), 1);
  EXPECT_EQ(a.Count(VerdictKind::kRegression), 1);
  EXPECT_EQ(a.Count(VerdictKind::kFixed), 1);
  EXPECT_EQ(a.Count(VerdictKind::kFlaky), 0);
  EXPECT_EQ(a.Count(VerdictKind::kIncomplete), 1);
  EXPECT_EQ(a.intermittent_regressions, 1);
  EXPECT_EQ(a.total_runs, 14);
  EXPECT_EQ(a.failed_runs, 3);
}

TEST(AggregateResultsTest, ThreeTargetsCompareEachWithTheBaseline) {
  Results results;
  results.environment.targets = {{"old", "locked", "", "", "", ""},
                                 {"mid", "locked", "", "", "", ""},
                                 {"new", "locked", "", "", "", ""}};
  results.runs = {MakeRun("s", "old", Status::kPass), MakeRun("s", "mid", Status::kFail),
                  MakeRun("s", "new", Status::kPass)};
  Aggregate a = AggregateResults(results);
  ASSERT_EQ(a.scenarios.size(), 1u);
  ASSERT_EQ(a.scenarios[0].verdicts.size(), 2u);
  EXPECT_EQ(a.scenarios[0].verdicts[0].target_name, "mid");
  EXPECT_EQ(a.scenarios[0].verdicts[0].kind, VerdictKind::kRegression);
  EXPECT_FALSE(a.scenarios[0].verdicts[0].intermittent);
  EXPECT_EQ(a.scenarios[0].verdicts[1].target_name, "new");
  EXPECT_EQ(a.scenarios[0].verdicts[1].kind, VerdictKind::kUnchanged);
}

// A passing run of the two-model program: each request names the model that
// served it, as the mock server's journal gives it.
RunResult Served(const std::string& target,
                 const std::vector<std::pair<std::string, std::string>>& requests) {
  RunResult run = MakeRun("two_models", target, Status::kPass);
  run.lm_traffic = LmTraffic{};
  run.lm_traffic->adapters = {"chat"};
  run.lm_traffic->parameters = {"temperature=0.0"};
  for (const auto& [question, model] : requests) {
    run.lm_traffic->routes.push_back({"key-" + question, "question: " + question, {model}, 1});
    AppendModel(run.models, model);
  }
  run.lm_requests = static_cast<int>(requests.size());
  return run;
}

Verdict VerdictFor(const std::vector<RunResult>& runs) {
  Results results;
  results.environment.targets = {{"dspy-2.5.39", "locked", "", "", "", ""},
                                 {"dspy-2.5.40", "locked", "", "", "", ""}};
  results.runs = runs;
  Aggregate a = AggregateResults(results);
  EXPECT_EQ(a.scenarios.size(), 1u);
  EXPECT_EQ(a.scenarios.at(0).verdicts.size(), 1u);
  return a.scenarios.at(0).verdicts.at(0);
}

// Both pass, but the later release sends a request elsewhere: the verdict
// says which requests, not only that the set of models changed.
TEST(BehaviourChangeTest, AnotherModelServingARequestIsAVerdict) {
  Verdict v = VerdictFor({Served("dspy-2.5.39", {{"q1", "gpt-4o"}, {"q2", "gpt-4o-mini"}}),
                          Served("dspy-2.5.40", {{"q1", "gpt-4o-mini"}, {"q2", "gpt-4o-mini"}})});
  EXPECT_EQ(v.kind, VerdictKind::kBehaviourChange);
  ASSERT_EQ(v.changes.size(), 1u);
  EXPECT_EQ(v.changes[0].aspect, "model per request");
  EXPECT_EQ(v.changes[0].detail,
            "on dspy-2.5.40, 1 request that dspy-2.5.39 sends to `gpt-4o` is served by "
            "`gpt-4o-mini` (`question: q1`)");
  EXPECT_FALSE(v.PromptsChanged());
}

// Two tenants swapping models keep the same set of models: only matching
// requests by their content sees it.
TEST(BehaviourChangeTest, SwappedModelsWithTheSameSetAreSeen) {
  Verdict v = VerdictFor({Served("dspy-2.5.39", {{"a", "strong"}, {"b", "weak"}}),
                          Served("dspy-2.5.40", {{"a", "weak"}, {"b", "strong"}})});
  EXPECT_EQ(v.kind, VerdictKind::kBehaviourChange);
  EXPECT_EQ(v.changes.size(), 2u);
}

TEST(BehaviourChangeTest, SameTrafficIsUnchanged) {
  Verdict v = VerdictFor(
      {Served("dspy-2.5.39", {{"q1", "gpt-4o"}}), Served("dspy-2.5.40", {{"q1", "gpt-4o"}})});
  EXPECT_EQ(v.kind, VerdictKind::kUnchanged);
  EXPECT_TRUE(v.changes.empty());
}

TEST(BehaviourChangeTest, FormatParametersAndCallCountsAreVerdicts) {
  RunResult before = Served("dspy-2.5.39", {{"q1", "m"}});
  RunResult after = Served("dspy-2.5.40", {{"q1", "m"}});
  after.lm_traffic->adapters = {"json"};
  after.lm_traffic->parameters = {"response_format={\"type\":\"json_object\"}", "temperature=0.0"};
  after.lm_requests = 2;
  Verdict v = VerdictFor({before, after});
  EXPECT_EQ(v.kind, VerdictKind::kBehaviourChange);
  std::vector<std::string> aspects;
  for (const BehaviourChange& c : v.changes) aspects.push_back(c.aspect);
  EXPECT_EQ(aspects,
            (std::vector<std::string>{"prompt formats", "request parameters", "LM calls per run"}));
  EXPECT_EQ(v.changes[2].detail,
            "a passing run makes 1 LM calls on dspy-2.5.39 but 2 on dspy-2.5.40");
}

// Prompt wording alone is listed, not a verdict (the gate's --strict-prompts
// decides whether it fails).
TEST(BehaviourChangeTest, PromptTextAloneStaysUnchanged) {
  RunResult before = Served("dspy-2.5.39", {{"q1", "m"}});
  RunResult after = Served("dspy-2.5.40", {{"q1", "m"}});
  before.lm_traffic->prompts = {"system:\nOld wording.\n"};
  after.lm_traffic->prompts = {"system:\nNew wording.\n"};
  Verdict v = VerdictFor({before, after});
  EXPECT_EQ(v.kind, VerdictKind::kUnchanged);
  EXPECT_TRUE(v.PromptsChanged());
}

TEST(BehaviourChangeTest, AnLmLeftSetGloballyIsAVerdict) {
  RunResult before = Served("dspy-2.5.39", {{"q1", "m"}});
  RunResult after = Served("dspy-2.5.40", {{"q1", "m"}});
  before.settings_after = SettingsAfter{"", "", {}, {}};
  after.settings_after = SettingsAfter{"gpt-4o", "", {"lm"}, {}};
  Verdict v = VerdictFor({before, after});
  EXPECT_EQ(v.kind, VerdictKind::kBehaviourChange);
  ASSERT_EQ(v.changes.size(), 1u);
  EXPECT_EQ(v.changes[0].detail,
            "after the program, dspy-2.5.40 leaves an LM set globally (`gpt-4o`) although the "
            "program never called `dspy.configure`; dspy-2.5.39 does not");
  // The same LM, configured by the program on both, is no change.
  before.settings_after = after.settings_after = SettingsAfter{"gpt-4o", "", {"lm"}, {"lm"}};
  EXPECT_EQ(VerdictFor({before, after}).kind, VerdictKind::kUnchanged);
}

// Failing runs stop early; only passing runs describe what a program does.
TEST(BehaviourChangeTest, OnlyPassPassPairsAreCompared) {
  RunResult before = Served("dspy-2.5.39", {{"q1", "gpt-4o"}});
  RunResult after = Served("dspy-2.5.40", {{"q1", "gpt-4o-mini"}});
  after.status = Status::kFail;
  EXPECT_EQ(VerdictFor({before, after}).kind, VerdictKind::kRegression);
}

// A run that could not start leaves the pair without a verdict, whatever
// the other side did.
TEST(UnresolvedTest, ARunThatCouldNotStartLeavesThePairUnresolved) {
  RunResult missing = MakeRun("two_models", "dspy-2.5.40", Status::kUnresolved,
                              "ModuleNotFoundError", "No module named 'myapp'");
  Verdict v = VerdictFor({Served("dspy-2.5.39", {{"q1", "m"}}), missing});
  EXPECT_EQ(v.kind, VerdictKind::kUnresolved);
  missing.target_name = "dspy-2.5.39";
  RunResult also = missing;
  also.target_name = "dspy-2.5.40";
  EXPECT_EQ(VerdictFor({missing, also}).kind, VerdictKind::kUnresolved);
  EXPECT_EQ(VerdictName(VerdictKind::kUnresolved), "unresolved");
  EXPECT_EQ(VerdictName(VerdictKind::kBehaviourChange), "behaviour-change");
}

TEST(AggregateResultsTest, EmptyResults) {
  Aggregate a = AggregateResults(Results{});
  EXPECT_TRUE(a.targets.empty());
  EXPECT_TRUE(a.scenarios.empty());
  EXPECT_EQ(a.total_runs, 0);
}

}  // namespace
}  // namespace dspy_compat
