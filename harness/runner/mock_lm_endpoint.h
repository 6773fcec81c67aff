// The mock LM server as the runner's LmEndpoint: a run's address and
// settings on the server, and afterwards what its journal holds for the run,
// counted and summarised (mock_server/lm_traffic.h) before the server forgets
// the run.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "mock_server/journal.h"
#include "mock_server/response_schedule.h"
#include "mock_server/server.h"
#include "runner/lm_endpoint.h"

namespace dspy_compat {

class MockLmEndpoint : public LmEndpoint {
 public:
  using Fixtures = std::map<std::filesystem::path, std::shared_ptr<const mock::FixtureSet>>;
  // fixtures: every MOCK-FIXTURE the session's scenarios name, loaded (and
  // so validated) before the first run.
  explicit MockLmEndpoint(mock::MockLmServer& server, Fixtures fixtures = {})
      : server_(server), fixtures_(std::move(fixtures)) {}

  std::string ApiBaseFor(const std::string& run_id) override;
  void ConfigureRun(const std::string& run_id, int repetition, const DelaySpec& delay,
                    const std::filesystem::path& mock_fixture) override;
  RunTraffic TrafficFor(const std::string& run_id) override;

  // How runs without a MOCK-FIXTURE (whose rules already decide their
  // interleaving) release LM responses; call before the first run.
  // kNatural: the seeded delays. kPct / kRandom: every such run explores
  // response orders, its seed mixed with the run id so that each repetition
  // tries another order. `mixed`: see ScheduleOfRun. `quiet_ms`: how long
  // an exploring run must be quiet before each release (0: the default).
  void Schedule(mock::ScheduleStrategy strategy, std::uint64_t seed, bool mixed = false,
                int quiet_ms = 0);
  // Every such run releases its responses in `record`'s order.
  void Replay(const LmSchedule& record);

 private:
  mock::MockLmServer& server_;
  const Fixtures fixtures_;
  std::optional<mock::ScheduleConfig> explore_;
  bool mixed_ = false;
  bool replay_ = false;
};

// How run `run_id` (repetition `repetition` of its pair) releases its LM responses when the
// session explores with `explore` (nullopt: natural delays for every run). Each run's seed is
// the session's mixed with its id, so every repetition tries another order; a replay keeps the
// record's. `mixed` (run --schedule explore, the default) alternates per pair: odd repetitions
// explore with PCT, even ones keep the natural seeded delays. Measured (README, "Exploring LM
// response orders"): PCT finds the races of chains of calls that natural delays rarely hit, and
// natural timing the thread races that PCT's one-at-a-time releases make rare; alternating,
// each pair gets both within its first runs. nullopt: natural.
std::optional<mock::ScheduleConfig> ScheduleOfRun(
    const std::optional<mock::ScheduleConfig>& explore, bool mixed, bool replay,
    const std::string& run_id, int repetition);

// What a run's journal entries say: how many requests, the models in order
// of first use, and the summary of its traffic.
RunTraffic TrafficOf(const std::vector<mock::JournalEntry>& entries);

}  // namespace dspy_compat
