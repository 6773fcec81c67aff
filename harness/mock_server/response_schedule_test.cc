#include "mock_server/response_schedule.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <vector>

namespace dspy_compat::mock {
namespace {

// The test is the clock: every call is given its time.
ScheduleConfig Config(ScheduleStrategy strategy, std::uint64_t seed) {
  ScheduleConfig config;
  config.strategy = strategy;
  config.seed = seed;
  config.quiet_ms = 30;
  config.bound_ms = 2000;
  return config;
}

// Steps the clock from deadline to deadline until nothing is held, handing each release (and
// the time it came) to `on_release`.
void ReleaseAll(RunSchedule& run,
                const std::function<void(const RunSchedule::Released&, double)>& on_release) {
  while (run.held() > 0) {
    auto next = run.NextDeadline();
    if (!next) break;
    for (const auto& released : run.Due(*next)) on_release(released, *next);
  }
}

// Holds one response per key at t=0 (ids 1..n in the order given), then lets the run go quiet,
// release one, answer it, and so on; returns the keys in release order.
std::vector<std::uint64_t> Drain(RunSchedule& run, const std::vector<std::uint64_t>& keys) {
  std::vector<std::uint64_t> key_of(keys.size() + 1);
  for (std::size_t i = 0; i < keys.size(); ++i) {
    run.Hold(i + 1, keys[i], static_cast<int>(i) + 1, 0);
    key_of[i + 1] = keys[i];
  }
  std::vector<std::uint64_t> order;
  ReleaseAll(run, [&](const RunSchedule::Released& released, double now) {
    EXPECT_FALSE(released.bound);
    order.push_back(key_of[released.id]);
    run.Answered(released.id, now + 1);
  });
  return order;
}

std::vector<std::uint64_t> Keys(int n) {
  std::vector<std::uint64_t> keys;
  for (int i = 1; i <= n; ++i) keys.push_back(1000 + static_cast<std::uint64_t>(i));
  return keys;
}

TEST(RunScheduleTest, NothingIsReleasedWhileRequestsKeepArriving) {
  RunSchedule run(Config(ScheduleStrategy::kPct, 1));
  run.Arrived(0);
  run.Hold(1, 7, 1, 0);
  EXPECT_EQ(run.NextDeadline(), 30);
  for (double t = 10; t <= 100; t += 10) {  // another request every 10 ms
    EXPECT_TRUE(run.Due(t).empty()) << t;
    run.Arrived(t);
  }
  EXPECT_TRUE(run.Due(129).empty());
  EXPECT_EQ(run.NextDeadline(), 130);
  auto released = run.Due(130);
  ASSERT_EQ(released.size(), 1U);
  EXPECT_EQ(released[0].id, 1U);
  EXPECT_FALSE(released[0].bound);
}

TEST(RunScheduleTest, ReleasesOneAtATimeAndWaitsForTheAnswer) {
  RunSchedule run(Config(ScheduleStrategy::kRandom, 1));
  run.Hold(1, 7, 1, 0);
  run.Hold(2, 8, 2, 0);
  ASSERT_EQ(run.Due(30).size(), 1U);  // one decision per quiet spell
  EXPECT_EQ(run.held(), 1U);
  // The released one is not answered yet: its program has not reacted, so nothing more goes.
  EXPECT_TRUE(run.Due(500).empty());
  EXPECT_EQ(run.NextDeadline(), 2000);  // only the bound is left to wait for
  run.Answered(run.Record().releases[0].key == "0000000000000007" ? 1 : 2, 510);
  EXPECT_TRUE(run.Due(539).empty());
  EXPECT_EQ(run.Due(540).size(), 1U);
  EXPECT_EQ(run.held(), 0U);
  EXPECT_EQ(run.NextDeadline(), std::nullopt);
}

TEST(RunScheduleTest, TheHoldBoundReleasesAndIsRecorded) {
  ScheduleConfig config = Config(ScheduleStrategy::kPct, 3);
  config.bound_ms = 100;
  RunSchedule run(config);
  run.Hold(1, 7, 1, 0);
  run.Hold(2, 8, 2, 40);
  for (double t = 10; t < 100; t += 10) run.Arrived(t);  // never quiet
  EXPECT_TRUE(run.Due(99).empty());
  auto first = run.Due(100);
  ASSERT_EQ(first.size(), 1U);
  EXPECT_EQ(first[0].id, 1U);
  EXPECT_TRUE(first[0].bound);
  // Bounds release even while an earlier release is unanswered.
  run.Arrived(130);
  EXPECT_EQ(run.NextDeadline(), 140);
  auto second = run.Due(140);
  ASSERT_EQ(second.size(), 1U);
  EXPECT_EQ(second[0].id, 2U);
  EXPECT_TRUE(second[0].bound);

  LmSchedule record = run.Record();
  EXPECT_EQ(record.strategy, "pct");
  EXPECT_EQ(record.seed, 3U);
  EXPECT_EQ(record.depth, 3);
  ASSERT_EQ(record.releases.size(), 2U);
  EXPECT_EQ(record.releases[0], (ScheduledRelease{"0000000000000007", 1, true}));
  EXPECT_EQ(record.releases[1], (ScheduledRelease{"0000000000000008", 2, true}));
}

TEST(RunScheduleTest, PctChangePointsAreDistinctStepsWithinKAndFixedBySeed) {
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    ScheduleConfig config = Config(ScheduleStrategy::kPct, seed);
    config.depth = 4;
    config.steps = 10;
    RunSchedule run(config);
    const auto& points = run.change_points();
    ASSERT_EQ(points.size(), 3U);
    EXPECT_TRUE(std::is_sorted(points.begin(), points.end()));
    EXPECT_EQ(std::set<int>(points.begin(), points.end()).size(), 3U);
    for (int p : points) {
      EXPECT_GE(p, 1);
      EXPECT_LE(p, 10);
    }
    EXPECT_EQ(RunSchedule(config).change_points(), points);
  }
  ScheduleConfig few = Config(ScheduleStrategy::kPct, 1);
  few.depth = 5;
  few.steps = 2;  // fewer steps than change points: every step is one
  EXPECT_EQ(RunSchedule(few).change_points(), (std::vector<int>{1, 2}));
  EXPECT_TRUE(RunSchedule(Config(ScheduleStrategy::kRandom, 1)).change_points().empty());
}

TEST(RunScheduleTest, PctWithoutChangePointsFollowsPrioritiesWhateverTheArrivalOrder) {
  ScheduleConfig config = Config(ScheduleStrategy::kPct, 42);
  config.depth = 1;
  RunSchedule a(config);
  RunSchedule b(config);
  std::vector<std::uint64_t> keys = Keys(6);
  std::vector<std::uint64_t> reversed(keys.rbegin(), keys.rend());
  std::vector<std::uint64_t> order = Drain(a, keys);
  EXPECT_EQ(order.size(), 6U);
  EXPECT_EQ(Drain(b, reversed), order);
}

TEST(RunScheduleTest, PctChangePointLowersTheResponseAboutToGoBelowAllOthers) {
  ScheduleConfig plain = Config(ScheduleStrategy::kPct, 42);
  plain.depth = 1;
  RunSchedule reference(plain);
  std::vector<std::uint64_t> by_priority = Drain(reference, Keys(6));

  for (int k : {1, 3, 6}) {
    ScheduleConfig config = plain;
    config.depth = 2;  // one change point, somewhere in [1, k]
    config.steps = k;
    RunSchedule run(config);
    ASSERT_EQ(run.change_points().size(), 1U);
    int step = run.change_points()[0];
    // The response the change-point decision would have released goes last instead.
    std::vector<std::uint64_t> expected = by_priority;
    std::uint64_t lowered = expected[static_cast<std::size_t>(step - 1)];
    expected.erase(expected.begin() + step - 1);
    expected.push_back(lowered);
    EXPECT_EQ(Drain(run, Keys(6)), expected) << "k=" << k << " change point " << step;
  }
}

// Chains: `chains` programs each make `steps` LM calls one after another (chain c's step s has
// key 1000 * (c + 1) + s); every step-1 request arrives at t=0 and each later step right after
// its predecessor's answer. Returns the chain of each release in order.
std::vector<int> DrainChains(RunSchedule& run, int chains, int steps) {
  std::map<RunSchedule::Id, std::pair<int, int>> held;  // id -> (chain, step)
  RunSchedule::Id next_id = 1;
  int seq = 0;
  auto hold = [&](int chain, int step, double now) {
    run.Hold(next_id,
             1000 * static_cast<std::uint64_t>(chain + 1) + static_cast<std::uint64_t>(step), ++seq,
             now);
    held[next_id++] = {chain, step};
  };
  for (int c = 0; c < chains; ++c) hold(c, 1, 0);
  std::vector<int> order;
  ReleaseAll(run, [&](const RunSchedule::Released& released, double now) {
    auto [chain, step] = held[released.id];
    order.push_back(chain);
    run.Answered(released.id, now + 1);
    if (step < steps) hold(chain, step + 1, now + 2);  // the program reacts to the answer
  });
  return order;
}

TEST(RunScheduleTest, PctWithoutChangePointsRunsEachChainOfCallsToItsEnd) {
  // A follow-up request arrives while the run is otherwise quiet, so the response just released
  // caused it: it carries on that chain's priority, as PCT's threads keep theirs.
  for (std::uint64_t seed = 0; seed < 10; ++seed) {
    ScheduleConfig config = Config(ScheduleStrategy::kPct, seed);
    config.depth = 1;
    RunSchedule run(config);
    std::vector<int> order = DrainChains(run, 4, 3);
    ASSERT_EQ(order.size(), 12U);
    for (std::size_t i = 0; i < order.size(); i += 3) {
      EXPECT_EQ(order[i], order[i + 1]) << "seed " << seed;
      EXPECT_EQ(order[i], order[i + 2]) << "seed " << seed;
    }
  }
}

TEST(RunScheduleTest, PctChangePointLowersTheWholeChainAboutToGo) {
  std::set<std::vector<int>> orders;
  for (std::uint64_t seed = 0; seed < 30; ++seed) {
    ScheduleConfig config = Config(ScheduleStrategy::kPct, seed);
    config.depth = 2;
    config.steps = 6;
    RunSchedule run(config);
    const int step = run.change_points().at(0);
    std::vector<int> order = DrainChains(run, 3, 2);
    ASSERT_EQ(order.size(), 6U);
    // Before the change point chains run to their end; the chain about to go at the change
    // point waits until every other chain has finished, then finishes itself.
    const int lowered = order.back();
    auto first = std::find(order.begin(), order.end(), lowered) - order.begin();
    if (first < step - 1) continue;  // it had already started: its rest goes last
    EXPECT_EQ(first, 4) << "seed " << seed << " change point " << step;
    orders.insert(order);
  }
  EXPECT_GT(orders.size(), 1U);
}

// Two chains' first answers go out (X, then Y), and only then do their follow-ups arrive, each
// quoting its parent's answer when `quote`; returns the chain (0: X, 1: Y) of the next release.
int FirstLateFollowUp(std::uint64_t seed, bool quote) {
  ScheduleConfig config = Config(ScheduleStrategy::kPct, seed);
  config.depth = 1;
  RunSchedule run(config);
  auto answer = [](int chain) { return fmt::format("mock draft of chain {}", chain); };
  run.Hold(1, 11, 1, 0, {.quotes = {answer(0)}});
  run.Hold(2, 21, 2, 0, {.quotes = {answer(1)}});
  std::vector<RunSchedule::Id> first;  // X's id, then Y's
  for (double now : {30.0, 61.0}) {    // quiet, release, answer: twice
    for (const auto& released : run.Due(now)) first.push_back(released.id);
    run.Answered(first.back(), now + 1);
  }
  EXPECT_EQ(first.size(), 2U);
  // Both follow-ups come after the second decision, so timing alone ties them to Y's chain.
  for (int chain = 0; chain < 2; ++chain) {
    const int parent = static_cast<int>(first[static_cast<std::size_t>(chain)]) - 1;
    Quoting quoting;
    if (quote) quoting.prompt = "[[ ## draft ## ]]\n" + answer(parent) + "\n";
    run.Hold(3 + static_cast<RunSchedule::Id>(chain), 100 + static_cast<std::uint64_t>(chain),
             3 + chain, 70 + chain, std::move(quoting));
  }
  auto next = run.Due(200);
  EXPECT_EQ(next.size(), 1U);
  return next.empty() ? -1 : static_cast<int>(next.front().id) - 3;
}

TEST(RunScheduleTest, PctAFollowUpQuotingItsParentsAnswerCarriesOnThatChainHoweverLate) {
  // A loaded machine answers a response later than the quiet window; the prompt still quotes the
  // answer it follows, so the follow-up keeps its chain's priority: X's goes first, as X did.
  int timing_only_y_first = 0;
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    EXPECT_EQ(FirstLateFollowUp(seed, /*quote=*/true), 0) << "seed " << seed;
    if (FirstLateFollowUp(seed, /*quote=*/false) == 1) ++timing_only_y_first;
  }
  EXPECT_GT(timing_only_y_first, 0) << "without quotes, late follow-ups should lose their chain";
}

TEST(RunScheduleTest, TellingQuotesAreLongValuesTheAnswerHolds) {
  std::string content = "[[ ## draft ## ]]\nmock draft 1a2b3c\n\n[[ ## ok ## ]]\nyes\n";
  EXPECT_EQ(TellingQuotes({"mock draft 1a2b3c", "yes", "mock answer ffffff"}, content),
            std::vector<std::string>{"mock draft 1a2b3c"});
}

TEST(RunScheduleTest, PctIsDeterministicForASeedAndVariesAcrossSeeds) {
  std::set<std::vector<std::uint64_t>> orders;
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    ScheduleConfig config = Config(ScheduleStrategy::kPct, seed);
    config.steps = 5;
    RunSchedule a(config);
    RunSchedule b(config);
    std::vector<std::uint64_t> order = Drain(a, Keys(5));
    EXPECT_EQ(Drain(b, Keys(5)), order);
    orders.insert(order);
  }
  EXPECT_GT(orders.size(), 10U);
}

TEST(RunScheduleTest, RandomWalkReleasesEachResponseFirstForSomeSeed) {
  std::map<std::uint64_t, int> first;
  for (std::uint64_t seed = 0; seed < 300; ++seed) {
    RunSchedule run(Config(ScheduleStrategy::kRandom, seed));
    std::vector<std::uint64_t> order = Drain(run, Keys(3));
    ASSERT_EQ(order.size(), 3U);
    ++first[order[0]];
    RunSchedule again(Config(ScheduleStrategy::kRandom, seed));
    EXPECT_EQ(Drain(again, {1003, 1001, 1002}), order) << "arrival order changed the walk";
  }
  ASSERT_EQ(first.size(), 3U);
  for (const auto& [key, count] : first) EXPECT_GT(count, 60) << key;  // about 100 each
}

TEST(RunScheduleTest, ReplayReleasesInTheRecordedOrderOfContentKeys) {
  ScheduleConfig config = Config(ScheduleStrategy::kRandom, 5);
  config.replay = {1003, 1001, 1002, 1001};
  RunSchedule run(config);
  // Two requests share content 1001; 9999 is not in the record, so the strategy places it after
  // the recorded ones that are held.
  EXPECT_EQ(Drain(run, {1001, 9999, 1002, 1001, 1003}),
            (std::vector<std::uint64_t>{1003, 1001, 1002, 1001, 9999}));
  EXPECT_TRUE(run.Record().replay);
}

TEST(RunScheduleTest, ReplayOfARecordGivesItsOrderUnderAnotherInterleaving) {
  RunSchedule original(Config(ScheduleStrategy::kPct, 77));
  std::vector<std::uint64_t> order = Drain(original, Keys(6));
  ScheduleConfig replay = ReplayConfig(original.Record());
  replay.seed = 1234;  // the record alone must decide
  ASSERT_EQ(replay.replay.size(), 6U);
  RunSchedule again(replay);
  std::vector<std::uint64_t> shuffled = {1004, 1006, 1001, 1005, 1003, 1002};
  EXPECT_EQ(Drain(again, shuffled), order);
}

TEST(RunScheduleTest, TheRecordKeepsTheQuietWindowAndItsReplayUsesIt) {
  ScheduleConfig config = Config(ScheduleStrategy::kPct, 3);
  config.quiet_ms = 150;
  RunSchedule original(config);
  Drain(original, Keys(2));
  EXPECT_EQ(original.Record().quiet_ms, 150);
  EXPECT_EQ(ReplayConfig(original.Record()).quiet_ms, 150);
  LmSchedule older = original.Record();
  older.quiet_ms = 0;  // a record from before the window was kept: the default
  EXPECT_EQ(ReplayConfig(older).quiet_ms, ScheduleConfig{}.quiet_ms);
}

TEST(RunScheduleTest, ReplayWaitsForQuiescenceAndSkipsWhatIsNotHeld) {
  ScheduleConfig config = Config(ScheduleStrategy::kPct, 5);
  config.replay = {2, 1};
  RunSchedule run(config);
  run.Hold(10, 1, 1, 0);
  auto first = run.Due(30);  // 2 never came: 1 goes rather than waiting for ever
  ASSERT_EQ(first.size(), 1U);
  EXPECT_EQ(first[0].id, 10U);
  run.Answered(10, 31);
  run.Hold(11, 2, 2, 40);
  EXPECT_TRUE(run.Due(69).empty());
  ASSERT_EQ(run.Due(70).size(), 1U);
}

TEST(RunScheduleTest, CancelledResponsesLeaveTheSchedule) {
  RunSchedule run(Config(ScheduleStrategy::kPct, 1));
  run.Hold(1, 7, 1, 0);
  run.Hold(2, 8, 2, 0);
  auto released = run.Due(30);
  ASSERT_EQ(released.size(), 1U);
  run.Cancel(released[0].id);  // its client went away before the answer
  EXPECT_EQ(run.Due(30).size(), 1U);
  EXPECT_EQ(run.held(), 0U);
}

TEST(ContentKeyTest, ModelAndMessagesDecide) {
  auto request = [](std::string_view body) { return ParseLmRequest(LmApi::kChat, body); };
  std::uint64_t key =
      ContentKey(request(R"({"model":"m","messages":[{"role":"user","content":"hi"}]})"));
  // Another layout, key order, parameters and streaming do not change what was asked.
  EXPECT_EQ(ContentKey(request(R"({"messages": [{"content": "hi", "role": "user"}],
                                   "temperature": 0.5, "stream": true, "model": "m"})")),
            key);
  EXPECT_EQ(
      ContentKey(request(
          R"({"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}]})")),
      key);
  EXPECT_NE(ContentKey(request(R"({"model":"n","messages":[{"role":"user","content":"hi"}]})")),
            key);
  EXPECT_NE(ContentKey(request(R"({"model":"m","messages":[{"role":"system","content":"hi"}]})")),
            key);
  EXPECT_NE(ContentKey(request(R"({"model":"m","messages":[{"role":"user","content":"ho"}]})")),
            key);
}

TEST(ContentKeyTest, HexRoundTrips) {
  EXPECT_EQ(ContentKeyHex(0xabc), "0000000000000abc");
  EXPECT_EQ(ParseContentKey("0000000000000abc"), 0xabcU);
  EXPECT_EQ(ParseContentKey(ContentKeyHex(~0ULL)), ~0ULL);
  EXPECT_EQ(ParseContentKey("abc"), std::nullopt);
  EXPECT_EQ(ParseContentKey("000000000000zabc"), std::nullopt);
}

TEST(ScheduleStrategyTest, NamesRoundTrip) {
  for (auto s : {ScheduleStrategy::kNatural, ScheduleStrategy::kPct, ScheduleStrategy::kRandom}) {
    EXPECT_EQ(ParseScheduleStrategy(ScheduleStrategyName(s)), s);
  }
  EXPECT_EQ(ParseScheduleStrategy("dfs"), std::nullopt);
}

}  // namespace
}  // namespace dspy_compat::mock
