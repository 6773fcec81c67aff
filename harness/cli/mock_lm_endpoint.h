// The mock LM server as the runner's LmEndpoint.
#pragma once

#include <algorithm>

#include "mock_server/server.h"
#include "runner/lm_endpoint.h"

namespace dspy_compat {

class MockLmEndpoint : public LmEndpoint {
 public:
  explicit MockLmEndpoint(mock::MockLmServer& server) : server_(server) {}

  std::string ApiBaseFor(const std::string& run_id) override { return server_.RunApiBase(run_id); }

  void ConfigureRun(const std::string& run_id, const DelaySpec& delay) override {
    mock::RunConfig config;
    config.delay = delay;
    server_.ConfigureRun(run_id, config);
  }

  RunTraffic TrafficFor(const std::string& run_id) override {
    RunTraffic traffic;
    for (const auto& entry : server_.journal().ForRun(run_id)) {
      ++traffic.requests;
      if (!entry.model.empty() && std::find(traffic.models.begin(), traffic.models.end(),
                                            entry.model) == traffic.models.end()) {
        traffic.models.push_back(entry.model);
      }
    }
    server_.ForgetRun(run_id);
    return traffic;
  }

 private:
  mock::MockLmServer& server_;
};

}  // namespace dspy_compat
