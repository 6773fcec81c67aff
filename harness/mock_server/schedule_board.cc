#include "mock_server/schedule_board.h"

#include <utility>
#include <vector>

namespace dspy_compat::mock {

void ScheduleBoard::Configure(const std::string& run_id, ScheduleConfig config) {
  std::lock_guard lock(mutex_);
  runs_.erase(run_id);
  if (config.strategy != ScheduleStrategy::kNatural) {
    runs_.emplace(run_id, RunSchedule(std::move(config)));
  }
  exploring_ = runs_.size();
}

bool ScheduleBoard::Explores(const std::string& run_id) const {
  if (exploring_ == 0) return false;
  std::lock_guard lock(mutex_);
  return runs_.contains(run_id);
}

std::optional<double> ScheduleBoard::Earlier(const RunSchedule& run) {
  std::optional<double> next = run.NextDeadline();
  if (!next || (armed_ && *armed_ <= *next)) return std::nullopt;
  armed_ = next;
  return next;
}

void ScheduleBoard::Arrived(const std::string& run_id, double now_ms) {
  if (exploring_ == 0) return;  // every request passes here: keep it cheap
  std::optional<double> wake;
  {
    std::lock_guard lock(mutex_);
    auto it = runs_.find(run_id);
    if (it == runs_.end()) return;
    it->second.Arrived(now_ms);
    wake = Earlier(it->second);
  }
  WakeAt(wake);
}

ScheduleBoard::Ticket ScheduleBoard::Hold(const std::string& run_id, std::uint64_t key, int seq,
                                          double now_ms, Release release, Quoting quoting) {
  std::optional<double> wake;
  Ticket ticket = 0;
  {
    std::lock_guard lock(mutex_);
    auto it = runs_.find(run_id);
    if (it == runs_.end()) return 0;
    ticket = next_ticket_++;
    waiters_.emplace(ticket, Waiter{run_id, std::move(release)});
    it->second.Hold(ticket, key, seq, now_ms, std::move(quoting));
    wake = Earlier(it->second);
  }
  WakeAt(wake);
  return ticket;
}

void ScheduleBoard::Answered(Ticket ticket, double now_ms) {
  std::optional<double> wake;
  {
    std::lock_guard lock(mutex_);
    auto waiter = waiters_.find(ticket);
    if (waiter == waiters_.end()) return;
    auto run = runs_.find(waiter->second.run_id);
    waiters_.erase(waiter);
    if (run == runs_.end()) return;
    run->second.Answered(ticket, now_ms);
    wake = Earlier(run->second);
  }
  WakeAt(wake);
}

void ScheduleBoard::Cancel(Ticket ticket) {
  Release dropped;  // destroyed outside the lock: it may own a connection
  std::optional<double> wake;
  {
    std::lock_guard lock(mutex_);
    auto waiter = waiters_.find(ticket);
    if (waiter == waiters_.end()) return;
    dropped = std::move(waiter->second.release);
    auto run = runs_.find(waiter->second.run_id);
    waiters_.erase(waiter);
    if (run == runs_.end()) return;
    // An unanswered release going away may let the next decision come sooner.
    run->second.Cancel(ticket);
    wake = Earlier(run->second);
  }
  WakeAt(wake);
}

std::optional<double> ScheduleBoard::Poll(double now_ms) {
  std::vector<std::pair<Release, bool>> ready;
  std::optional<double> next;
  {
    std::lock_guard lock(mutex_);
    for (auto& [run_id, run] : runs_) {
      for (const RunSchedule::Released& r : run.Due(now_ms)) {
        auto waiter = waiters_.find(r.id);
        if (waiter != waiters_.end() && waiter->second.release) {
          ready.emplace_back(std::move(waiter->second.release), r.bound);
          waiter->second.release = nullptr;
        }
      }
      std::optional<double> deadline = run.NextDeadline();
      if (deadline && (!next || *deadline < *next)) next = deadline;
    }
    armed_ = next;
  }
  for (auto& [release, bound] : ready) release(bound);
  return next;
}

std::optional<LmSchedule> ScheduleBoard::Record(const std::string& run_id) const {
  std::lock_guard lock(mutex_);
  auto it = runs_.find(run_id);
  if (it == runs_.end()) return std::nullopt;
  return it->second.Record();
}

void ScheduleBoard::ForgetRun(const std::string& run_id) {
  std::vector<Release> held;
  {
    std::lock_guard lock(mutex_);
    if (runs_.erase(run_id) == 0) return;
    exploring_ = runs_.size();
    for (auto it = waiters_.begin(); it != waiters_.end();) {
      if (it->second.run_id == run_id) {
        if (it->second.release) held.push_back(std::move(it->second.release));
        it = waiters_.erase(it);
      } else {
        ++it;
      }
    }
  }
  // Still held (its program was killed, say): answer now rather than keep the connection.
  for (Release& release : held) release(false);
}

std::size_t ScheduleBoard::held() const {
  std::lock_guard lock(mutex_);
  std::size_t held = 0;
  for (const auto& [run_id, run] : runs_) held += run.held();
  return held;
}

}  // namespace dspy_compat::mock
