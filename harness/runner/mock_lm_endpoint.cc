#include "runner/mock_lm_endpoint.h"

#include <algorithm>

#include "mock_server/fixtures.h"
#include "mock_server/lm_traffic.h"
#include "mock_server/stable_hash.h"

namespace dspy_compat {

RunTraffic TrafficOf(const std::vector<mock::JournalEntry>& entries) {
  RunTraffic traffic;
  for (const auto& entry : entries) {
    ++traffic.requests;
    if (!entry.model.empty() && std::find(traffic.models.begin(), traffic.models.end(),
                                          entry.model) == traffic.models.end()) {
      traffic.models.push_back(entry.model);
    }
  }
  traffic.summary = SummariseTraffic(entries);
  return traffic;
}

std::string MockLmEndpoint::ApiBaseFor(const std::string& run_id) {
  return server_.RunApiBase(run_id);
}

std::optional<mock::ScheduleConfig> ScheduleOfRun(
    const std::optional<mock::ScheduleConfig>& explore, bool mixed, bool replay,
    const std::string& run_id, int repetition) {
  if (!explore) return std::nullopt;
  mock::ScheduleConfig schedule = *explore;
  if (!replay) {
    schedule.seed = mock::StableHasher(explore->seed).Add("run").Add(run_id).Finish();
    if (mixed) {
      schedule.strategy =
          repetition % 2 == 1 ? mock::ScheduleStrategy::kPct : mock::ScheduleStrategy::kNatural;
    }
  }
  if (schedule.strategy == mock::ScheduleStrategy::kNatural) return std::nullopt;
  return schedule;
}

void MockLmEndpoint::ConfigureRun(const std::string& run_id, int repetition, const DelaySpec& delay,
                                  const std::filesystem::path& mock_fixture) {
  mock::RunConfig config;
  config.delay = delay;
  if (!mock_fixture.empty()) {
    auto it = fixtures_.find(mock_fixture);
    // Loaded once here if the session did not preload it; nth counters and
    // holds are per run, so runs share the parsed rules safely.
    config.fixtures =
        it != fixtures_.end()
            ? it->second
            : std::make_shared<const mock::FixtureSet>(mock::LoadFixtureFile(mock_fixture));
  }
  if (mock_fixture.empty()) {
    config.schedule = ScheduleOfRun(explore_, mixed_, replay_, run_id, repetition);
  }
  server_.ConfigureRun(run_id, config);
}

void MockLmEndpoint::Schedule(mock::ScheduleStrategy strategy, std::uint64_t seed, bool mixed,
                              int quiet_ms) {
  explore_.reset();
  replay_ = false;
  mixed_ = mixed;
  if (strategy == mock::ScheduleStrategy::kNatural && !mixed) return;
  explore_ = mock::ScheduleConfig{.strategy = strategy, .seed = seed};
  if (quiet_ms > 0) explore_->quiet_ms = quiet_ms;
}

void MockLmEndpoint::Replay(const LmSchedule& record) {
  explore_ = mock::ReplayConfig(record);
  replay_ = true;
  mixed_ = false;
}

RunTraffic MockLmEndpoint::TrafficFor(const std::string& run_id) {
  // Summarised now, while the journal has the run.
  RunTraffic traffic = TrafficOf(server_.journal().ForRun(run_id));
  traffic.schedule = server_.ScheduleFor(run_id);
  server_.ForgetRun(run_id);
  return traffic;
}

}  // namespace dspy_compat
