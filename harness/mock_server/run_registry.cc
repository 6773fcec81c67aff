#include "mock_server/run_registry.h"

#include <algorithm>

#include "mock_server/stable_hash.h"

namespace dspy_compat::mock {

void RunRegistry::Configure(const std::string& run_id, RunConfig config) {
  std::lock_guard lock(mutex_);
  runs_[run_id] = std::move(config);
}

void RunRegistry::Forget(const std::string& run_id) {
  std::lock_guard lock(mutex_);
  runs_.erase(run_id);
}

RunSettings RunRegistry::Resolve(const std::string& run_id) const {
  RunSettings settings{default_delay_, echo_model_, nullptr};
  std::lock_guard lock(mutex_);
  if (auto it = runs_.find(run_id); it != runs_.end()) {
    settings.delay = it->second.delay.value_or(default_delay_);
    settings.echo_model = echo_model_ || it->second.echo_model;
    settings.fixtures = it->second.fixtures;
  }
  return settings;
}

int DrawDelayMs(std::uint64_t seed, std::string_view run_id, int seq, DelaySpec spec) {
  int lo = std::max(0, std::min(spec.min_ms, spec.max_ms));
  int hi = std::max(0, std::max(spec.min_ms, spec.max_ms));
  if (hi == lo) return lo;
  std::uint64_t hash =
      StableHasher(seed).Add("delay").Add(run_id).Add(static_cast<std::uint64_t>(seq)).Finish();
  auto span = static_cast<std::uint64_t>(hi - lo) + 1;
  return lo + static_cast<int>(hash % span);
}

}  // namespace dspy_compat::mock
