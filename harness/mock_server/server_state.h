// Everything the request handler and the admin API share, owned by the server: the clock, the
// journal, the runs' settings, the fixture rules, the hold and schedule boards and the live
// counters.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "mock_server/clock.h"
#include "mock_server/hold_board.h"
#include "mock_server/journal.h"
#include "mock_server/rule_book.h"
#include "mock_server/run_registry.h"
#include "mock_server/schedule_board.h"

namespace dspy_compat::mock {

// Requests between arrival and their last byte (held, delayed or being written).
class InFlight {
 public:
  void Begin() {
    long now = ++current_;
    long peak = peak_.load();
    while (now > peak && !peak_.compare_exchange_weak(peak, now)) {
    }
  }
  void End() { --current_; }
  long current() const { return current_.load(); }
  long peak() const { return peak_.load(); }

 private:
  std::atomic<long> current_{0};
  std::atomic<long> peak_{0};
};

// The model names clients asked for, for GET /v1/models (any name is served).
class SeenModels {
 public:
  void Add(const std::string& model) {
    if (model.empty()) return;
    std::lock_guard lock(mutex_);
    if (models_.size() < kMax) models_.insert(model);
  }
  std::vector<std::string> List() const {
    std::lock_guard lock(mutex_);
    std::set<std::string> all(models_);
    all.insert({"gpt-4o-mini", "gpt-4o", "gpt-3.5-turbo-instruct"});
    return {all.begin(), all.end()};
  }

 private:
  static constexpr std::size_t kMax = 1000;  // names are client text
  mutable std::mutex mutex_;
  std::set<std::string> models_;
};

struct ServerState {
  ServerState(std::uint64_t seed_, DelaySpec default_delay, bool echo_model,
              std::size_t journal_budget)
      : seed(seed_),
        journal(Journal::kDefaultBodyLimit, journal_budget),
        runs(default_delay, echo_model) {}

  const std::uint64_t seed;
  ServerClock clock;
  Journal journal;
  RunRegistry runs;
  RuleBook rules;
  HoldBoard holds;
  ScheduleBoard schedules;
  InFlight in_flight;
  SeenModels models;
  std::atomic<std::uint64_t> requests{0};  // LM requests since start
};

}  // namespace dspy_compat::mock
