#include "mock_server/hold_board.h"

#include <vector>

namespace dspy_compat::mock {
const HoldBoard::Scope* HoldBoard::Find(const std::string& run_id, HoldScope scope) const {
  if (scope == HoldScope::kServer) return &server_;
  auto it = runs_.find(run_id);
  return it == runs_.end() ? nullptr : &it->second;
}

bool HoldBoard::Holds(const std::string& run_id, const Hold& hold) const {
  const Scope* scope = Find(run_id, hold.scope);
  int arrived = scope ? scope->arrived : 0;
  if (arrived < hold.until_arrived) return false;
  if (!hold.until_answered.empty()) {
    if (!scope) return false;
    auto answered = scope->answered.find(hold.until_answered);
    if (answered == scope->answered.end() || answered->second == 0) return false;
  }
  return true;
}

std::vector<std::function<void()>> HoldBoard::TakeReady() {
  std::vector<std::function<void()>> ready;
  for (auto it = waiters_.begin(); it != waiters_.end();) {
    if (Holds(it->second.run_id, it->second.hold)) {
      ready.push_back(std::move(it->second.release));
      it = waiters_.erase(it);
    } else {
      ++it;
    }
  }
  return ready;
}

void HoldBoard::Arrived(const std::string& run_id) {
  std::vector<std::function<void()>> ready;
  {
    std::lock_guard lock(mutex_);
    ++runs_[run_id].arrived;
    ++server_.arrived;
    if (waiters_.empty()) return;  // every request passes here: keep it cheap
    ready = TakeReady();
  }
  for (auto& release : ready) release();
}

void HoldBoard::Answered(const std::string& run_id, const std::string& rule_name) {
  std::vector<std::function<void()>> ready;
  {
    std::lock_guard lock(mutex_);
    ++runs_[run_id].answered[rule_name];
    ++server_.answered[rule_name];
    if (waiters_.empty()) return;
    ready = TakeReady();
  }
  for (auto& release : ready) release();
}

HoldBoard::Ticket HoldBoard::Wait(const std::string& run_id, const Hold& hold,
                                  std::function<void()> release) {
  std::lock_guard lock(mutex_);
  if (Holds(run_id, hold)) return 0;
  Ticket ticket = next_ticket_++;
  waiters_.emplace(ticket, Waiter{run_id, hold, std::move(release)});
  return ticket;
}

void HoldBoard::Cancel(Ticket ticket) {
  std::function<void()> dropped;  // destroyed outside the lock: it may own a connection
  std::lock_guard lock(mutex_);
  auto it = waiters_.find(ticket);
  if (it == waiters_.end()) return;
  dropped = std::move(it->second.release);
  waiters_.erase(it);
}

std::size_t HoldBoard::waiting() const {
  std::lock_guard lock(mutex_);
  return waiters_.size();
}

void HoldBoard::Reset() {
  std::lock_guard lock(mutex_);
  runs_.clear();
  server_ = {};
}

void HoldBoard::ForgetRun(const std::string& run_id) {
  std::lock_guard lock(mutex_);
  runs_.erase(run_id);
}

}  // namespace dspy_compat::mock
