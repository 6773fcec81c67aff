#include "runner/mock_lm_endpoint.h"

#include <algorithm>

#include "mock_server/fixtures.h"
#include "mock_server/lm_traffic.h"

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

void MockLmEndpoint::ConfigureRun(const std::string& run_id, const DelaySpec& delay,
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
  server_.ConfigureRun(run_id, config);
}

RunTraffic MockLmEndpoint::TrafficFor(const std::string& run_id) {
  // Summarised now, while the journal has the run.
  RunTraffic traffic = TrafficOf(server_.journal().ForRun(run_id));
  server_.ForgetRun(run_id);
  return traffic;
}

}  // namespace dspy_compat
