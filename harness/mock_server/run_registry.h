// Per-run settings the harness registers before starting a run, and the seeded delay draw that
// lets a run's timing replay.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/model.h"
#include "mock_server/fixtures.h"
#include "mock_server/response_schedule.h"

namespace dspy_compat::mock {

struct RunConfig {
  std::optional<DelaySpec> delay{};  // unset: the server's default delay
  bool echo_model = false;           // or-ed with the server-wide option
  // Rules for this run only, tried before the server's (e.g. a scenario's own fixture).
  std::shared_ptr<const FixtureSet> fixtures{};
  // Exploring: hold every LM response and release them in this schedule's order (the
  // ScheduleBoard keeps it; MockLmServer::ConfigureRun hands it over). Unset or natural: delays.
  std::optional<ScheduleConfig> schedule{};
};

// What one request of a run is served with.
struct RunSettings {
  DelaySpec delay{};
  bool echo_model = false;
  std::shared_ptr<const FixtureSet> fixtures{};
};

class RunRegistry {
 public:
  RunRegistry(DelaySpec default_delay, bool echo_model)
      : default_delay_(default_delay), echo_model_(echo_model) {}

  void Configure(const std::string& run_id, RunConfig config);
  void Forget(const std::string& run_id);
  // Unknown runs (and "") get the server defaults.
  RunSettings Resolve(const std::string& run_id) const;

 private:
  const DelaySpec default_delay_;
  const bool echo_model_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, RunConfig> runs_;
};

// Uniform in [min_ms, max_ms] (bounds swapped if reversed, negatives read as 0), fixed by
// (seed, run_id, seq).
int DrawDelayMs(std::uint64_t seed, std::string_view run_id, int seq, DelaySpec spec);

}  // namespace dspy_compat::mock
