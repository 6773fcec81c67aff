// Interleaving control: responses held until enough requests have arrived, or until a request of
// a named rule has been answered. Scenarios use it to force the interleaving that makes a DSPy
// release misbehave instead of hoping the timing produces it.
//
// Thread-safe. Release callbacks run on the thread that satisfied the condition, outside the
// board's lock; they must only hand the work back to the waiting connection (post to its strand).
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "mock_server/fixtures.h"

namespace dspy_compat::mock {

class HoldBoard {
 public:
  using Ticket = std::uint64_t;  // 0: no wait was needed

  // An LM request of `run_id` arrived. Counts for the run and for the server.
  void Arrived(const std::string& run_id);
  // A request of `run_id` matched by a rule named `rule_name` was answered (or dropped).
  void Answered(const std::string& run_id, const std::string& rule_name);

  // Returns 0 when `hold` already holds (and `release` is not called), else a ticket; `release`
  // is then called once when the conditions hold, unless the ticket is cancelled first.
  Ticket Wait(const std::string& run_id, const Hold& hold, std::function<void()> release);
  // Forgets a waiter (its timeout fired, its connection went away). Harmless after release.
  void Cancel(Ticket ticket);

  std::size_t waiting() const;
  // Forgets arrivals and answers; waiters stay (they may still be released by new traffic).
  void Reset();
  void ForgetRun(const std::string& run_id);

 private:
  struct Scope {
    int arrived = 0;
    std::unordered_map<std::string, int> answered;  // rule name -> count
  };
  struct Waiter {
    std::string run_id;
    Hold hold;
    std::function<void()> release;
  };
  // Callers hold mutex_.
  const Scope* Find(const std::string& run_id, HoldScope scope) const;
  bool Holds(const std::string& run_id, const Hold& hold) const;
  // Takes the waiters whose conditions now hold; callers hold mutex_ and call them after.
  std::vector<std::function<void()>> TakeReady();

  mutable std::mutex mutex_;
  std::unordered_map<std::string, Scope> runs_;
  Scope server_;
  std::unordered_map<Ticket, Waiter> waiters_;
  Ticket next_ticket_ = 1;
};

}  // namespace dspy_compat::mock
