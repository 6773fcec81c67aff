// The mock LM server as the runner's LmEndpoint.
#pragma once

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "cli/lm_traffic.h"
#include "mock_server/response_schedule.h"
#include "mock_server/server.h"
#include "mock_server/stable_hash.h"
#include "runner/lm_endpoint.h"

namespace dspy_compat {

class MockLmEndpoint : public LmEndpoint {
 public:
  using Fixtures = std::map<std::filesystem::path, std::shared_ptr<const mock::FixtureSet>>;
  // fixtures: every MOCK-FIXTURE the session's scenarios name, loaded (and
  // so validated) before the first run.
  explicit MockLmEndpoint(mock::MockLmServer& server, Fixtures fixtures = {})
      : server_(server), fixtures_(std::move(fixtures)) {}

  std::string ApiBaseFor(const std::string& run_id) override { return server_.RunApiBase(run_id); }

  // Every run without a MOCK-FIXTURE (whose rules already decide its interleaving) explores LM
  // response orders with `schedule`, its seed mixed with the run id so that each repetition
  // tries another order. Not called: natural seeded delays.
  void ExploreEveryRun(mock::ScheduleConfig schedule) {
    explore_ = std::move(schedule);
    replay_ = false;
  }
  // Every run (without a MOCK-FIXTURE) releases its responses in `record`'s order, with its seed.
  void ReplayEveryRun(const LmSchedule& record) {
    explore_ = mock::ReplayConfig(record);
    replay_ = true;
  }

  void ConfigureRun(const std::string& run_id, const DelaySpec& delay,
                    const std::filesystem::path& mock_fixture) override {
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
    if (explore_ && mock_fixture.empty()) {
      config.schedule = *explore_;
      if (!replay_) {
        config.schedule->seed = mock::StableHasher(explore_->seed).Add("run").Add(run_id).Finish();
      }
    }
    server_.ConfigureRun(run_id, config);
  }

  RunTraffic TrafficFor(const std::string& run_id) override {
    RunTraffic traffic;
    traffic.schedule = server_.ScheduleFor(run_id);
    auto entries = server_.journal().ForRun(run_id);
    for (const auto& entry : entries) {
      ++traffic.requests;
      if (!entry.model.empty() && std::find(traffic.models.begin(), traffic.models.end(),
                                            entry.model) == traffic.models.end()) {
        traffic.models.push_back(entry.model);
      }
    }
    // Summarised now, while the journal has the run; the runner's
    // RunTraffic has no room for it, so the caller takes it separately.
    {
      std::lock_guard lock(mutex_);
      summaries_[run_id] = SummariseTraffic(entries);
    }
    server_.ForgetRun(run_id);
    return traffic;
  }

  // The summary of a finished run's traffic, once.
  std::optional<LmTraffic> TakeSummary(const std::string& run_id) {
    std::lock_guard lock(mutex_);
    auto it = summaries_.find(run_id);
    if (it == summaries_.end()) return std::nullopt;
    LmTraffic summary = std::move(it->second);
    summaries_.erase(it);
    return summary;
  }

 private:
  mock::MockLmServer& server_;
  const Fixtures fixtures_;
  std::optional<mock::ScheduleConfig> explore_;
  bool replay_ = false;
  std::mutex mutex_;
  std::map<std::string, LmTraffic> summaries_;
};

}  // namespace dspy_compat
