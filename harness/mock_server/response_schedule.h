// Exploring LM response orders: in an exploring run every LM response is held, and once the run
// is quiescent (no request and no answer for a short window) one held response is released, in an
// order drawn from a seeded strategy. Only responses are delayed, so every order is one real LM
// latencies could produce, and a failure found is a real one. A response is never held past a
// bound; when the bound releases it, the schedule records that.
//
// RunSchedule is one run's state and decisions. It reads no clock: every call takes the time, so
// tests drive it with a fake one and the server with ServerClock (see ScheduleBoard).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/model.h"
#include "mock_server/lm_request.h"

namespace dspy_compat::mock {

enum class ScheduleStrategy {
  kNatural,  // no scheduling: each response waits its seeded delay (the run's DelaySpec)
  // PCT (Burckhardt et al., ASPLOS 2010): random priorities, d-1 change points. PCT's threads
  // are the run's chains of LM calls: a request that quotes a released answer carries on that
  // answer's chain and its priority, and so does one that arrives after a release (the run was
  // quiet until then, so that response caused it) and quotes none.
  kPct,
  kRandom,  // a random walk: each decision releases a uniformly drawn held response
};

std::string_view ScheduleStrategyName(ScheduleStrategy strategy);
std::optional<ScheduleStrategy> ParseScheduleStrategy(std::string_view name);

struct ScheduleConfig {
  ScheduleStrategy strategy = ScheduleStrategy::kPct;
  std::uint64_t seed = 0;
  int depth = 3;   // PCT's d: d-1 priority change points
  int steps = 32;  // PCT's k: the change points fall within the first k decisions
  // Long enough for a program to answer a released response with its next request (DSPy parses
  // the response first, on a loaded machine often for more than 30 ms) before the next decision.
  int quiet_ms = 80;
  // Well inside a run's time limit: a program that never goes quiet still finishes.
  int bound_ms = 2000;
  // Content keys in a recorded release order (replay); empty: the strategy alone decides.
  std::vector<std::uint64_t> replay{};
};

// A stable key for what a request asks (its model and messages), the same whatever thread sent it
// and whenever it arrived, so a recorded order can be found again in another run.
std::uint64_t ContentKey(const LmRequest& request);
std::string ContentKeyHex(std::uint64_t key);  // 16 lower-case hex digits
std::optional<std::uint64_t> ParseContentKey(std::string_view hex);

// A run configured to release in `schedule`'s order (keys it cannot parse are left out), falling
// back to `schedule`'s own strategy and seed for responses the record does not name.
ScheduleConfig ReplayConfig(const LmSchedule& schedule);

// What tells a response's chain by content: a follow-up request quotes its parent's answer (step
// two's prompt holds step one's draft), however late it arrives.
struct Quoting {
  std::string prompt{};               // the request's text
  std::vector<std::string> quotes{};  // the answer's field values, as a follow-up would quote them
};
// The answer's field values long enough to tell one answer from another and found in `content`
// (a rule may have replaced them), for Quoting::quotes.
std::vector<std::string> TellingQuotes(const std::vector<std::string>& values,
                                       std::string_view content);

class RunSchedule {
 public:
  using Id = std::uint64_t;  // the caller's name for a held response; unique within the run

  explicit RunSchedule(ScheduleConfig config);

  // Any LM request of the run arrived (held or not): the run is not quiescent.
  void Arrived(double now_ms);
  // Response `id`, for a request with content `key` and arrival number `seq`, is held.
  void Hold(Id id, std::uint64_t key, int seq, double now_ms, Quoting quoting = {});
  // A released response's last byte went out: the program may now react, so the run is not
  // quiescent and the next decision waits for it.
  void Answered(Id id, double now_ms);
  // A held or released response went away unanswered (its connection, the server stopping).
  void Cancel(Id id);

  struct Released {
    Id id = 0;
    bool bound = false;  // by the hold bound, not by the strategy
  };
  // The responses to release now, in order: those past their bound, then at most one decision
  // (when the run is quiescent and no released response is still unanswered).
  std::vector<Released> Due(double now_ms);
  // When Due may next return something; nullopt while nothing is held.
  std::optional<double> NextDeadline() const;

  std::size_t held() const { return pending_.size(); }
  const std::vector<int>& change_points() const { return change_points_; }  // PCT, sorted
  // The record so far: strategy, seed, d, k and each release in order.
  LmSchedule Record() const;

 private:
  struct Pending {
    Id id = 0;
    std::uint64_t key = 0;
    int occurrence = 0;  // how many earlier responses of the run had the same key
    int seq = 0;
    double held_ms = 0;
    std::size_t chain = 0;              // PCT: index into chains_
    std::uint64_t own = 0;              // PCT: breaks ties within a chain
    std::vector<std::string> quotes{};  // of its answer
  };
  struct Chain {
    std::uint64_t priority = 0;  // higher first
    int lowered = 0;             // the change point that lowered it (1..d-1); 0: not lowered
  };
  struct Quoted {  // a released answer a follow-up may quote
    std::vector<std::string> quotes;
    std::size_t chain = 0;
  };
  bool Quiescent(double now_ms) const;
  std::size_t Decide();  // index into pending_ of the response to release
  std::size_t Strategy();
  std::size_t Highest() const;  // PCT
  std::optional<std::size_t> QuotedChain(std::string_view prompt) const;
  void Release(std::size_t index, bool bound, std::vector<Released>& out);

  const ScheduleConfig config_;
  std::vector<int> change_points_;
  std::vector<Pending> pending_;  // sorted by (key, occurrence): stable across interleavings
  std::vector<Id> unanswered_;    // released, last byte not yet out
  std::vector<bool> replay_used_;
  std::unordered_map<std::uint64_t, int> seen_;  // key -> responses held so far
  std::vector<Chain> chains_;
  std::optional<std::size_t> decided_chain_;  // of the last decision; requests since carry it on
  std::vector<Quoted> quoted_;                // released answers with quotes, in release order
  double last_activity_ms_ = 0;
  int decisions_ = 0;
  std::vector<ScheduledRelease> releases_;
};

}  // namespace dspy_compat::mock
