// What the runner needs from the mock LM server: a per-run address to give
// the scenario, per-run settings, and afterwards what the server saw (the
// run's traffic, summarised, which the executor puts into its RunResult). An
// interface so that the executor is tested without an HTTP server.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/model.h"

namespace dspy_compat {

struct RunTraffic {
  int requests = 0;
  std::vector<std::string> models;       // distinct, in order of first use
  std::optional<LmTraffic> summary{};    // what the requests asked and how; nullopt: not kept
  std::optional<LmSchedule> schedule{};  // how an exploring run's responses were released
};

class LmEndpoint {
 public:
  virtual ~LmEndpoint() = default;
  virtual std::string ApiBaseFor(const std::string& run_id) = 0;
  // mock_fixture: rules (a fixture file) for this run only; empty for none.
  // repetition: the run's number within its pair (1, 2, ...).
  virtual void ConfigureRun(const std::string& run_id, int repetition, const DelaySpec& delay,
                            const std::filesystem::path& mock_fixture) = 0;
  virtual RunTraffic TrafficFor(const std::string& run_id) = 0;
};

}  // namespace dspy_compat
