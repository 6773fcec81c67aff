// The session driven by a fake execute function: rounds, adaptive
// repetitions, shards, REQUIRES and interruption without spawning Python.
#include "runner/session.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <tuple>

namespace dspy_compat {
namespace {

Scenario MakeScenario(const std::string& id) {
  Scenario s;
  s.id = id;
  return s;
}

Target MakeTarget(const std::string& name) {
  Target t;
  t.name = name;
  return t;
}

// Scenarios a, b, c on targets x, y; "c" REQUIRES something y lacks.
SessionSpec Matrix() {
  SessionSpec spec;
  spec.scenarios = {MakeScenario("a"), MakeScenario("b"), MakeScenario("c")};
  spec.targets = {MakeTarget("x"), MakeTarget("y")};
  spec.plan.supported = [](const Scenario& s, const Target& t) {
    return !(s.id == "c" && t.name == "y");
  };
  return spec;
}

// Executes runs without a process: scenario "a" always passes, "b" always
// fails, "c" fails on every third repetition. Records what ran; can raise
// the cancel flag once a number of runs have finished, as Ctrl-C would.
class FakeExecute {
 public:
  explicit FakeExecute(std::atomic<bool>* cancel_after = nullptr, int after = 0)
      : cancel_after_(cancel_after), after_(after) {}

  Session::Execute Function() {
    return [this](const RunSpec& spec, const std::atomic<bool>* cancel) {
      return Execute(spec, cancel);
    };
  }

  std::optional<RunResult> Execute(const RunSpec& spec, const std::atomic<bool>* cancel) {
    {
      std::lock_guard lock(mutex_);
      started.push_back(spec.run_id);
    }
    // Killed mid-run: by the scheduler's flag for this run, or, for a run
    // that starts after the interrupt but before the scheduler has passed
    // it on (a loaded machine), by the interrupt itself.
    if (cancel != nullptr && cancel->load()) return std::nullopt;
    if (cancel_after_ != nullptr && cancel_after_->load()) return std::nullopt;
    RunResult r;
    r.scenario_id = spec.scenario.id;
    r.target_name = spec.target.name;
    r.repetition = spec.repetition;
    r.run_id = spec.run_id;
    bool fails = spec.scenario.id == "b" || (spec.scenario.id == "c" && spec.repetition % 3 == 0);
    r.status = fails ? Status::kFail : Status::kPass;
    std::lock_guard lock(mutex_);
    if (cancel_after_ != nullptr && ++finished_ >= after_) *cancel_after_ = true;
    return r;
  }

  std::vector<std::string> started;

 private:
  std::atomic<bool>* cancel_after_;
  int after_;
  int finished_ = 0;
  std::mutex mutex_;
};

class RecordingObserver : public SessionObserver {
 public:
  void RoundPlanned(const std::vector<RunSpec>& round) override { rounds.push_back(round.size()); }
  void RunStarted(const RunSpec&) override { ++started; }
  void RunFinished(const RunSpec&, const RunResult&) override { ++finished; }
  std::vector<std::size_t> rounds;
  int started = 0;
  int finished = 0;
};

class RecordingSink : public ResultsSink {
 public:
  void Add(const RunResult& run) override { runs.push_back(run); }
  std::vector<RunResult> runs;
};

using PairCounts = std::map<std::pair<std::string, std::string>, int>;
PairCounts CountPerPair(const std::vector<RunResult>& runs) {
  PairCounts counts;
  for (const RunResult& r : runs) ++counts[{r.scenario_id, r.target_name}];
  return counts;
}

void ExpectPlanOrder(const SessionSpec& spec, const std::vector<RunResult>& runs) {
  auto index = [](const auto& list, auto pred) {
    return std::find_if(list.begin(), list.end(), pred) - list.begin();
  };
  auto key = [&](const RunResult& r) {
    return std::tuple(
        r.repetition,
        index(spec.scenarios, [&](const Scenario& s) { return s.id == r.scenario_id; }),
        index(spec.targets, [&](const Target& t) { return t.name == r.target_name; }));
  };
  for (std::size_t i = 1; i < runs.size(); ++i) {
    EXPECT_LE(key(runs[i - 1]), key(runs[i])) << runs[i - 1].run_id << " before " << runs[i].run_id;
  }
}

TEST(SessionTest, FixedPlanIsOneRoundOfEverySupportedPairInPlanOrder) {
  SessionSpec spec = Matrix();
  spec.plan.repeat = 2;
  Session session(spec);
  FakeExecute fake;
  RecordingObserver observer;
  RecordingSink sink;
  std::atomic<bool> cancel{false};
  const auto& runs = session.Run(2, fake.Function(), cancel, &observer, &sink);

  ASSERT_EQ(runs.size(), 10u);  // (3 x 2 - 1 unsupported) x 2 repetitions
  EXPECT_EQ(observer.rounds, std::vector<std::size_t>{10});
  EXPECT_EQ(session.planned_runs(), 10);
  EXPECT_EQ(observer.started, 10);
  EXPECT_EQ(observer.finished, 10);
  EXPECT_EQ(sink.runs.size(), 10u);
  EXPECT_EQ(CountPerPair(runs).count({"c", "y"}), 0u);
  EXPECT_EQ(runs.front().run_id, "a.t0.r1");
  EXPECT_EQ(runs.back().run_id, "c.t0.r2");
  ExpectPlanOrder(spec, runs);
  EXPECT_TRUE(session.NextRound().empty());
}

TEST(SessionTest, AdaptivePairsRunInRoundsUntilEachIsSettled) {
  SessionSpec spec = Matrix();
  // All passes (or all failures) settle after 4 runs at this tolerance; c on
  // x, failing every third run, never settles below the limit.
  spec.adaptive = AdaptiveRepeat{.min_runs = 3, .max_runs = 12, .tolerance = 0.5};
  Session session(spec);
  FakeExecute fake;
  RecordingObserver observer;
  RecordingSink sink;
  std::atomic<bool> cancel{false};
  const auto& runs = session.Run(2, fake.Function(), cancel, &observer, &sink);

  // Every pair is asked its own question: how many more runs, from its own
  // outcomes; the session stops asking once none wants more.
  PairCounts counts = CountPerPair(runs);
  EXPECT_EQ(counts.count({"c", "y"}), 0u);  // REQUIRES
  for (const auto& [pair, n] : counts) {
    int failures = 0;
    for (const RunResult& r : runs) {
      if (std::pair(r.scenario_id, r.target_name) == pair && IsFailure(r.status)) ++failures;
    }
    EXPECT_EQ(MoreRunsNeeded(*spec.adaptive, n, failures), 0) << pair.first << "/" << pair.second;
    EXPECT_GE(n, 3);
    EXPECT_LE(n, 12);
  }
  // A steady pair settles well before the flaky one, which runs to the limit.
  const int steady = counts[{"a", "x"}];
  const int flaky = counts[{"c", "x"}];
  EXPECT_LT(steady, flaky);
  EXPECT_EQ(flaky, 12);
  EXPECT_GT(observer.rounds.size(), 1u);
  EXPECT_EQ(observer.rounds.front(), 5u * 3);  // min_runs for each of the 5 pairs first
  EXPECT_EQ(session.planned_runs(), static_cast<int>(runs.size()));
  EXPECT_EQ(sink.runs.size(), runs.size());
  // Repetitions are numbered 1..n per pair, once each, and recorded in plan order.
  std::set<std::string> ids;
  for (const RunResult& r : runs) {
    EXPECT_TRUE(ids.insert(r.run_id).second) << r.run_id;
    EXPECT_LE(r.repetition, (counts[{r.scenario_id, r.target_name}]));
  }
  ExpectPlanOrder(spec, runs);
  EXPECT_TRUE(session.NextRound().empty());
}

// `run` without --repeat: adaptive for scenarios without REPEAT, while a
// scenario's own REPEAT still fixes its count.
TEST(SessionTest, ByDefaultAScenariosRepeatWinsOverAdaptiveRepetitions) {
  SessionSpec spec = Matrix();
  spec.scenarios[0].options.repeat = 2;  // "a"
  spec.adaptive = AdaptiveRepeat{.min_runs = 3, .max_runs = 12, .tolerance = 0.5};
  spec.scenario_repeat_wins = true;
  Session session(spec);
  FakeExecute fake;
  std::atomic<bool> cancel{false};
  PairCounts counts = CountPerPair(session.Run(2, fake.Function(), cancel));
  EXPECT_EQ((counts[{"a", "x"}]), 2);
  EXPECT_EQ((counts[{"a", "y"}]), 2);
  EXPECT_GE((counts[{"b", "x"}]), 3);   // adaptive: at least its minimum
  EXPECT_EQ((counts[{"c", "x"}]), 12);  // flaky, to the limit

  // --repeat adaptive given explicitly: the flag wins over the header.
  spec.scenario_repeat_wins = false;
  Session explicit_adaptive(spec);
  FakeExecute fake2;
  counts = CountPerPair(explicit_adaptive.Run(2, fake2.Function(), cancel));
  EXPECT_GE((counts[{"a", "x"}]), 3);
}

TEST(SessionTest, AdaptiveShardsHoldWholePairsAndTogetherRunTheMatrix) {
  PairCounts all;
  std::set<std::string> ids;
  for (int index = 1; index <= 2; ++index) {
    SessionSpec spec = Matrix();
    spec.adaptive = AdaptiveRepeat{.min_runs = 3, .max_runs = 6};
    spec.shard = ShardInfo{index, 2};
    Session session(spec);
    FakeExecute fake;
    std::atomic<bool> cancel{false};
    for (const auto& [pair, n] : CountPerPair(session.Run(1, fake.Function(), cancel))) {
      EXPECT_EQ(all.count(pair), 0u) << "pair in two shards: " << pair.first << "/" << pair.second;
      all[pair] = n;
    }
    for (const RunResult& r : session.runs()) EXPECT_TRUE(ids.insert(r.run_id).second);
  }
  // Pairs are numbered over the whole matrix, unsupported ones too, so every
  // machine agrees which pair is whose.
  EXPECT_EQ(all.size(), 5u);
  EXPECT_EQ(all.count({"c", "y"}), 0u);
}

TEST(SessionTest, ShardProvisionsOnlyTheTargetsItsSliceRuns) {
  SessionSpec spec;
  spec.scenarios = {MakeScenario("a")};
  spec.targets = {MakeTarget("x"), MakeTarget("y")};
  for (bool adaptive : {false, true}) {
    if (adaptive) spec.adaptive = AdaptiveRepeat{};
    spec.shard = ShardInfo{1, 2};
    EXPECT_EQ(Session(spec).TargetsInUse(), std::vector<std::size_t>{0}) << adaptive;
    spec.shard = ShardInfo{2, 2};
    EXPECT_EQ(Session(spec).TargetsInUse(), std::vector<std::size_t>{1}) << adaptive;
    spec.shard.reset();
    EXPECT_EQ(Session(spec).TargetsInUse(), (std::vector<std::size_t>{0, 1})) << adaptive;
  }
}

// Separating the targets (issue 12). A policy where each pair alone settles
// at its minimum of 10 runs, so that every run beyond it is the rule's.
AdaptiveRepeat Separating() {
  return {
      .min_runs = 10, .max_runs = 40, .tolerance = 0.5, .precision = 1, .separation_alpha = 0.05};
}

// One scenario "s" on the baseline x and a later target y.
SessionSpec Pair() {
  SessionSpec spec;
  spec.scenarios = {MakeScenario("s")};
  spec.targets = {MakeTarget("x"), MakeTarget("y")};
  spec.adaptive = Separating();
  return spec;
}

// `runs` finished runs of scenario on target, repetitions 1..runs; those in
// `failing` failed.
std::vector<RunResult> Done(const std::string& scenario, const std::string& target,
                            std::size_t target_index, int runs, const std::set<int>& failing = {}) {
  std::vector<RunResult> done;
  for (int rep = 1; rep <= runs; ++rep) {
    RunResult r;
    r.scenario_id = scenario;
    r.target_name = target;
    r.repetition = rep;
    r.run_id = fmt::format("{}.t{}.r{}", scenario, target_index, rep);
    r.status = failing.contains(rep) ? Status::kFail : Status::kPass;
    done.push_back(r);
  }
  return done;
}

std::vector<RunResult> Both(std::vector<RunResult> baseline, const std::vector<RunResult>& later) {
  baseline.insert(baseline.end(), later.begin(), later.end());
  return baseline;
}

TEST(SessionSeparationTest, CleanAgainstTwoFailuresOfTenRunsBothSidesOn) {
  SessionSpec spec = Pair();
  const auto done = Both(Done("s", "x", 0, 10), Done("s", "y", 1, 10, {3, 7}));
  // p = C(10,2)/C(20,2) = 0.24: both grow to 15 runs.
  PairCounts round;
  for (const RunSpec& run : NextRound(spec, done)) ++round[{run.scenario.id, run.target.name}];
  EXPECT_EQ((round[{"s", "x"}]), 5);
  EXPECT_EQ((round[{"s", "y"}]), 5);
  EXPECT_EQ(NextRound(spec, done).front().run_id, "s.t0.r11");  // numbered after the last

  // The same counts with the rule off: each pair is settled alone.
  spec.adaptive->separation_alpha = 0;
  EXPECT_TRUE(NextRound(spec, done).empty());
}

TEST(SessionSeparationTest, AFixTheOtherWayRoundAlsoRunsOn) {
  SessionSpec spec = Pair();
  EXPECT_EQ(NextRound(spec, Both(Done("s", "x", 0, 10, {1, 2}), Done("s", "y", 1, 10))).size(),
            10u);
}

TEST(SessionSeparationTest, ADifferenceThatIsNotChanceStops) {
  SessionSpec spec = Pair();
  std::set<int> all;
  for (int rep = 1; rep <= 10; ++rep) all.insert(rep);
  EXPECT_TRUE(NextRound(spec, Both(Done("s", "x", 0, 10), Done("s", "y", 1, 10, all))).empty());
  // Pairs alike in kind are left to their own counts.
  EXPECT_TRUE(NextRound(spec, Both(Done("s", "x", 0, 10), Done("s", "y", 1, 10))).empty());
  EXPECT_TRUE(
      NextRound(spec, Both(Done("s", "x", 0, 10, {4}), Done("s", "y", 1, 10, {2, 5}))).empty());
}

TEST(SessionSeparationTest, StopsAtTheLimitEvenIfItCouldBeChance) {
  SessionSpec spec = Pair();
  EXPECT_TRUE(NextRound(spec, Both(Done("s", "x", 0, 40), Done("s", "y", 1, 40, {9}))).empty());
  // Near it: up to it, not past it.
  std::vector<RunSpec> round =
      NextRound(spec, Both(Done("s", "x", 0, 36), Done("s", "y", 1, 36, {9})));
  ASSERT_EQ(round.size(), 8u);
  EXPECT_EQ(round.back().repetition, 40);
}

TEST(SessionSeparationTest, TheSameOutcomesGiveTheSameRuns) {
  SessionSpec spec = Pair();
  auto done = Both(Done("s", "x", 0, 12), Done("s", "y", 1, 10, {3, 7}));
  std::vector<std::string> first, again;
  for (const RunSpec& run : NextRound(spec, done)) first.push_back(run.run_id);
  std::reverse(done.begin(), done.end());  // the order runs finished in does not matter
  for (const RunSpec& run : NextRound(spec, done)) again.push_back(run.run_id);
  EXPECT_EQ(first, again);
  EXPECT_EQ(first.size(), 6u + 8u);  // both to 18 = 12 + 6
}

TEST(SessionSeparationTest, AScenariosRepeatIsNotExtended) {
  SessionSpec spec = Pair();
  spec.scenarios[0].options.repeat = 10;
  spec.scenario_repeat_wins = true;
  const auto done = Both(Done("s", "x", 0, 10), Done("s", "y", 1, 10, {3, 7}));
  EXPECT_TRUE(NextRound(spec, done).empty());
  spec.scenario_repeat_wins = false;  // --repeat adaptive given: the header does not count
  EXPECT_FALSE(NextRound(spec, done).empty());
}

TEST(SessionSeparationTest, TheBaselineRunsOnForEachLaterTargetItDiffersFrom) {
  SessionSpec spec = Pair();
  spec.targets.push_back(MakeTarget("z"));
  auto done = Both(Done("s", "x", 0, 10), Done("s", "y", 1, 10));
  done = Both(done, Done("s", "z", 2, 20, {5, 15}));
  PairCounts round;
  for (const RunSpec& run : NextRound(spec, done)) ++round[{run.scenario.id, run.target.name}];
  EXPECT_EQ((round[{"s", "x"}]), 20);  // to 30 = 20 + 10, for z
  EXPECT_EQ((round[{"s", "y"}]), 0);   // clean like the baseline
  EXPECT_EQ((round[{"s", "z"}]), 10);
}

TEST(SessionSeparationTest, TheBaselineMaySettleSoonerAlone) {
  SessionSpec spec = Pair();
  spec.adaptive->baseline_min_runs = 4;
  PairCounts round;
  for (const RunSpec& run : NextRound(spec, {})) ++round[{run.scenario.id, run.target.name}];
  EXPECT_EQ((round[{"s", "x"}]), 4);
  EXPECT_EQ((round[{"s", "y"}]), 10);
  // Then the later side's failures bring it level: both to 15.
  round.clear();
  for (const RunSpec& run :
       NextRound(spec, Both(Done("s", "x", 0, 4), Done("s", "y", 1, 10, {2})))) {
    ++round[{run.scenario.id, run.target.name}];
  }
  EXPECT_EQ((round[{"s", "x"}]), 11);
  EXPECT_EQ((round[{"s", "y"}]), 5);
}

TEST(SessionSeparationTest, ASingleTargetIsNoBaseline) {
  // What a one-target session asks about is that target: it gets the later targets' runs.
  SessionSpec spec = Pair();
  spec.targets.pop_back();
  spec.adaptive->baseline_min_runs = 4;
  PairCounts round;
  for (const RunSpec& run : NextRound(spec, {})) ++round[{run.scenario.id, run.target.name}];
  EXPECT_EQ((round[{"s", "x"}]), 10);
}

TEST(SessionSeparationTest, ASessionRunsBothSidesUntilSeparatedOrAtTheLimit) {
  // y fails on every eighth repetition, x never: 1/8 against 0 separates
  // at 40 runs each only barely (5/40, p = 0.027).
  SessionSpec spec = Pair();
  auto execute = [](const RunSpec& run, const std::atomic<bool>*) -> std::optional<RunResult> {
    RunResult r;
    r.scenario_id = run.scenario.id;
    r.target_name = run.target.name;
    r.repetition = run.repetition;
    r.run_id = run.run_id;
    r.status = run.target.name == "y" && run.repetition % 8 == 0 ? Status::kFail : Status::kPass;
    return r;
  };
  std::atomic<bool> cancel{false};
  RecordingObserver observer;
  Session session(spec);
  PairCounts counts = CountPerPair(session.Run(2, execute, cancel, &observer));
  // 10 (1 failure, p = 0.5), 15, 22, 33 (4: p = 0.057), 40 (5: p = 0.027).
  EXPECT_EQ((counts[{"s", "x"}]), 40);
  EXPECT_EQ((counts[{"s", "y"}]), 40);
  EXPECT_EQ(observer.rounds, (std::vector<std::size_t>{20, 10, 14, 22, 14}));
}

TEST(SessionSeparationTest, APairRequiresExcludesIsNotCompared) {
  SessionSpec spec = Pair();
  const auto done = Both(Done("s", "x", 0, 10), Done("s", "y", 1, 10, {3, 7}));
  for (const char* excluded : {"x", "y"}) {
    spec.plan.supported = [excluded](const Scenario&, const Target& t) {
      return t.name != excluded;
    };
    EXPECT_TRUE(NextRound(spec, done).empty()) << excluded << " excluded";
  }
}

TEST(SessionSeparationTest, ShardsHoldWholeScenariosAndTogetherRunTheMatrix) {
  PairCounts all;
  std::map<std::string, int> shard_of;
  for (int index = 1; index <= 2; ++index) {
    SessionSpec spec = Matrix();
    spec.adaptive = Separating();
    spec.shard = ShardInfo{index, 2};
    EXPECT_TRUE(ShardsHoldScenarios(spec));
    for (const SessionPair& pair : AdaptivePairs(spec)) {
      const std::string& id = spec.scenarios[pair.scenario].id;
      EXPECT_TRUE(shard_of.emplace(id, index).first->second == index) << id << " in two shards";
    }
    Session session(spec);
    FakeExecute fake;
    std::atomic<bool> cancel{false};
    for (const auto& [pair, n] : CountPerPair(session.Run(1, fake.Function(), cancel))) {
      EXPECT_EQ(all.count(pair), 0u) << pair.first << "/" << pair.second;
      all[pair] = n;
    }
  }
  // Scenarios are numbered over the whole matrix: a and c in shard 1, b in 2.
  EXPECT_EQ(shard_of, (std::map<std::string, int>{{"a", 1}, {"b", 2}, {"c", 1}}));
  EXPECT_EQ(all.size(), 5u);
  EXPECT_EQ(all.count({"c", "y"}), 0u);  // REQUIRES

  // A shard of a one-scenario matrix installs both targets, or none.
  SessionSpec spec = Pair();
  spec.shard = ShardInfo{1, 2};
  EXPECT_EQ(Session(spec).TargetsInUse(), (std::vector<std::size_t>{0, 1}));
  spec.shard = ShardInfo{2, 2};
  EXPECT_TRUE(Session(spec).TargetsInUse().empty());
  // Without the rule, adaptive shards still hold single pairs.
  spec.adaptive->separation_alpha = 0;
  EXPECT_FALSE(ShardsHoldScenarios(spec));
  EXPECT_EQ(Session(spec).TargetsInUse(), std::vector<std::size_t>{1});
}

TEST(SessionTest, FixedShardRunsItsSliceOfThePlanWithTheUnshardedIds) {
  SessionSpec spec = Matrix();
  spec.plan.repeat = 3;
  std::vector<RunSpec> whole = NextRound(spec, {});
  std::vector<std::string> sharded;
  for (int index = 1; index <= 3; ++index) {
    spec.shard = ShardInfo{index, 3};
    Session session(spec);
    FakeExecute fake;
    std::atomic<bool> cancel{false};
    for (const RunResult& r : session.Run(2, fake.Function(), cancel)) sharded.push_back(r.run_id);
  }
  std::vector<std::string> expected;
  for (const RunSpec& run : whole) expected.push_back(run.run_id);
  std::sort(expected.begin(), expected.end());
  std::sort(sharded.begin(), sharded.end());
  EXPECT_EQ(sharded, expected);
}

TEST(SessionTest, ProvisioningGoesInOrderAndStopsWhenInterrupted) {
  SessionSpec spec = Matrix();
  spec.targets.push_back(MakeTarget("z"));
  std::vector<std::string> provisioned;
  std::atomic<bool> cancel{false};
  Session session(spec);
  EXPECT_TRUE(session.ProvisionTargets(
      [&](const Target& t) {
        provisioned.push_back(t.name);
        Target ready = t;
        ready.interpreter = "/envs/" + t.name + "/bin/python";
        return ready;
      },
      cancel));
  EXPECT_EQ(provisioned, (std::vector<std::string>{"x", "y", "z"}));
  // Runs get the provisioned targets.
  for (const RunSpec& run : session.NextRound()) {
    EXPECT_EQ(run.target.interpreter, "/envs/" + run.target.name + "/bin/python");
  }

  provisioned.clear();
  Session interrupted(spec);
  EXPECT_FALSE(interrupted.ProvisionTargets(
      [&](const Target& t) {
        provisioned.push_back(t.name);
        cancel = true;  // Ctrl-C while the first was building
        return t;
      },
      cancel));
  EXPECT_EQ(provisioned, std::vector<std::string>{"x"});

  Session failing(spec);
  cancel = false;
  EXPECT_THROW(failing.ProvisionTargets(
                   [](const Target& t) -> Target { throw std::runtime_error(t.name); }, cancel),
               std::runtime_error);
}

TEST(SessionTest, InterruptStopsTheRoundAndStartsNoOther) {
  SessionSpec spec = Matrix();
  spec.adaptive = AdaptiveRepeat{.min_runs = 4, .max_runs = 20};
  Session session(spec);
  std::atomic<bool> cancel{false};
  FakeExecute fake(&cancel, 6);
  RecordingObserver observer;
  RecordingSink sink;
  // One job, so that which runs finish before the interrupt does not depend
  // on how the machine schedules threads.
  const auto& runs = session.Run(1, fake.Function(), cancel, &observer, &sink);

  EXPECT_EQ(observer.rounds, std::vector<std::size_t>{20});  // 5 pairs x 4: the first round only
  EXPECT_EQ(session.planned_runs(), 20);
  EXPECT_EQ(runs.size(), 6u);                // nothing starts after the interrupt
  EXPECT_EQ(sink.runs.size(), runs.size());  // runs cut short are not recorded
  // Repetition-major: what finished before the interrupt covers every pair.
  EXPECT_EQ(CountPerPair(runs).size(), 5u);
  ExpectPlanOrder(spec, runs);
}

TEST(SessionTest, CancelledBeforeTheFirstRunFinishesNothing) {
  Session session(Matrix());
  std::atomic<bool> cancel{true};
  FakeExecute fake;
  EXPECT_TRUE(session.Run(2, fake.Function(), cancel).empty());
  EXPECT_EQ(session.planned_runs(), 5);  // the plan is recorded even so
}

// What a resumed session would do: the next round from runs already done.
TEST(SessionTest, NextRoundLeavesOutWhatIsDoneAndNumbersAfterTheLast) {
  SessionSpec spec = Matrix();
  spec.plan.repeat = 2;
  RunResult done;
  done.scenario_id = "a";
  done.target_name = "x";
  done.repetition = 1;
  done.run_id = "a.t0.r1";
  done.status = Status::kPass;
  std::vector<RunSpec> rest = NextRound(spec, {done});
  EXPECT_EQ(rest.size(), 9u);
  for (const RunSpec& run : rest) EXPECT_NE(run.run_id, "a.t0.r1");

  spec.adaptive = AdaptiveRepeat{.min_runs = 3, .max_runs = 10};
  done.repetition = 2;  // repetition 1 was cut short by an interrupt
  done.run_id = "a.t0.r2";
  std::vector<std::string> a_x;
  for (const RunSpec& run : NextRound(spec, {done})) {
    if (run.scenario.id == "a" && run.target.name == "x") a_x.push_back(run.run_id);
  }
  EXPECT_EQ(a_x, (std::vector<std::string>{"a.t0.r3", "a.t0.r4"}));
}

}  // namespace
}  // namespace dspy_compat

namespace dspy_compat {
namespace {

// Everything a run records but its timings (the fake sets none).
void ExpectSameRuns(const std::vector<RunResult>& got, const std::vector<RunResult>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].run_id, want[i].run_id) << i;
    EXPECT_EQ(got[i].scenario_id, want[i].scenario_id) << i;
    EXPECT_EQ(got[i].target_name, want[i].target_name) << i;
    EXPECT_EQ(got[i].repetition, want[i].repetition) << i;
    EXPECT_EQ(got[i].status, want[i].status) << i;
  }
}

// An interrupted (or killed: the sink had the same runs) adaptive session,
// resumed from its finished runs and its plan, ends as an uninterrupted one:
// same runs, same ids, same plan, and no finished run runs again. The round
// cut short is finished as planned, not re-planned from its partial
// outcomes.
TEST(SessionResumeTest, AResumedSessionEqualsAnUninterruptedOne) {
  SessionSpec spec = Matrix();
  spec.adaptive = AdaptiveRepeat{.min_runs = 3, .max_runs = 12, .tolerance = 0.5};
  std::atomic<bool> never{false};
  Session whole(spec);
  FakeExecute all;
  whole.Run(2, all.Function(), never);
  ASSERT_TRUE(whole.Complete());
  ASSERT_GT(whole.plan().size(), 15u);  // more than one round

  for (int k : {1, 4, 5, 9, 15, 16, 22, 26}) {
    SCOPED_TRACE(k);
    std::atomic<bool> cancel{false};
    FakeExecute first_half(&cancel, k);
    Session first(spec);
    RecordingSink sink;
    first.Run(2, first_half.Function(), cancel, nullptr, &sink);
    ASSERT_FALSE(first.Complete());
    ASSERT_EQ(sink.runs.size(), first.runs().size());

    Session resumed(spec);
    resumed.Restore(sink.runs, first.plan());
    EXPECT_FALSE(resumed.Complete());
    FakeExecute second_half;
    resumed.Run(2, second_half.Function(), never);
    EXPECT_TRUE(resumed.Complete());
    ExpectSameRuns(resumed.runs(), whole.runs());
    EXPECT_EQ(resumed.plan(), whole.plan());
    std::set<std::string> done_before;
    for (const RunResult& r : sink.runs) done_before.insert(r.run_id);
    for (const std::string& id : second_half.started) EXPECT_FALSE(done_before.contains(id)) << id;
  }
}

TEST(SessionResumeTest, AFixedPlanResumesWhereItStopped) {
  SessionSpec spec = Matrix();
  spec.plan.repeat = 4;
  std::atomic<bool> never{false};
  Session whole(spec);
  FakeExecute all;
  whole.Run(1, all.Function(), never);

  std::atomic<bool> cancel{false};
  FakeExecute first_half(&cancel, 7);
  Session first(spec);
  first.Run(1, first_half.Function(), cancel);
  ASSERT_EQ(first.runs().size(), 7u);
  Session resumed(spec);
  resumed.Restore(first.runs(), first.plan());
  FakeExecute second_half;
  resumed.Run(1, second_half.Function(), never);
  EXPECT_EQ(second_half.started.size(), whole.runs().size() - 7);
  ExpectSameRuns(resumed.runs(), whole.runs());
  EXPECT_EQ(resumed.plan(), whole.plan());
}

TEST(SessionResumeTest, APlanTheSpecCannotMakeIsRefused) {
  SessionSpec spec = Matrix();
  Session session(spec);
  EXPECT_THROW(session.Restore({}, {{"gone.x.r1", "gone", "x", 1}}), SessionError);
  RunSpec made = MakeRunSpec(spec.scenarios[0], spec.targets[0], 0, 1, spec.plan);
  EXPECT_THROW(session.Restore({}, {{"another-id", "a", "x", 1}}), SessionError);
  EXPECT_NO_THROW(session.Restore({}, {PlannedRunOf(made)}));
}

// The sink hears each round before it starts: results.json has the plan, so
// a session killed between rounds is known to be unfinished.
TEST(SessionResumeTest, EachRoundReachesTheSinkBeforeItRuns) {
  class PlanSink : public ResultsSink {
   public:
    void Planned(const std::vector<RunSpec>& round) override {
      rounds.push_back({round.size(), runs});
    }
    void Add(const RunResult&) override { ++runs; }
    std::vector<std::pair<std::size_t, int>> rounds;  // size, runs finished before
    int runs = 0;
  };
  SessionSpec spec = Matrix();
  spec.adaptive = AdaptiveRepeat{.min_runs = 3, .max_runs = 12, .tolerance = 0.5};
  std::atomic<bool> never{false};
  Session session(spec);
  FakeExecute all;
  PlanSink sink;
  session.Run(2, all.Function(), never, nullptr, &sink);
  ASSERT_GE(sink.rounds.size(), 2u);
  EXPECT_EQ(sink.rounds[0].second, 0);
  std::size_t planned = 0;
  for (const auto& [size, before] : sink.rounds) {
    EXPECT_EQ(static_cast<std::size_t>(before), planned);  // every earlier round done
    planned += size;
  }
  EXPECT_EQ(planned, session.plan().size());
}

}  // namespace
}  // namespace dspy_compat
