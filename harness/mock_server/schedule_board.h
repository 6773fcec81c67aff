// The exploring runs' schedules (response_schedule.h), shared by every connection. A held
// response waits here until its run's schedule releases it; the server polls the board from one
// timer, which the board asks to wake earlier when a deadline moves closer.
//
// Thread-safe. Release and wake callbacks run outside the board's lock; a release callback must
// only hand the work back to the waiting connection (post to its executor).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "mock_server/response_schedule.h"

namespace dspy_compat::mock {

class ScheduleBoard {
 public:
  using Ticket = std::uint64_t;
  using Release = std::function<void(bool bound)>;  // bound: the hold bound released it
  using Wake = std::function<void(double at_ms)>;   // poll again no later than at_ms

  // Set once, before any traffic.
  void SetWake(Wake wake) { wake_ = std::move(wake); }

  // Makes `run_id` an exploring run (a natural config makes it an ordinary one again).
  void Configure(const std::string& run_id, ScheduleConfig config);
  bool Explores(const std::string& run_id) const;
  // An LM request of `run_id` arrived. Cheap for runs that do not explore.
  void Arrived(const std::string& run_id, double now_ms);
  // Holds a response of an exploring run until Poll releases it.
  Ticket Hold(const std::string& run_id, std::uint64_t key, int seq, double now_ms, Release release,
              Quoting quoting = {});
  // The released response's last byte went out (or it was dropped on purpose).
  void Answered(Ticket ticket, double now_ms);
  // The connection went away, held or released. Harmless for unknown tickets.
  void Cancel(Ticket ticket);

  // Releases what is due at `now_ms`; returns when to poll next (nullopt: nothing held).
  std::optional<double> Poll(double now_ms);

  // The run's schedule so far; nullopt for runs that do not explore.
  std::optional<LmSchedule> Record(const std::string& run_id) const;
  // Forgets the run's schedule and releases whatever it still holds.
  void ForgetRun(const std::string& run_id);
  std::size_t held() const;

 private:
  struct Waiter {
    std::string run_id;
    Release release;  // empty once released
  };
  // Tells the waker about `run`'s deadline if it is earlier than any it was told of; callers hold
  // mutex_ and call the returned wake after unlocking.
  std::optional<double> Earlier(const RunSchedule& run);
  void WakeAt(std::optional<double> at) const {
    if (at && wake_) wake_(*at);
  }

  Wake wake_;
  mutable std::mutex mutex_;
  std::atomic<std::size_t> exploring_{0};  // runs_.size(), read without the lock
  std::unordered_map<std::string, RunSchedule> runs_;
  std::unordered_map<Ticket, Waiter> waiters_;
  Ticket next_ticket_ = 1;
  std::optional<double> armed_;  // the earliest deadline the waker was told of
};

}  // namespace dspy_compat::mock
