#include <fmt/format.h>

#include <iostream>
#include <thread>

#include "catalogue/scenario_header.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/interrupt.h"
#include "mock_server/fixtures.h"
#include "mock_server/server.h"

namespace dspy_compat {

int MockServerCommand(const MockServerOptions& options) {
  mock::MockLmServer::Options server_options;
  server_options.bind_address = options.bind;
  server_options.port = static_cast<std::uint16_t>(options.port);
  server_options.seed = options.seed;
  server_options.echo_model = options.echo_model;
  server_options.threads = options.threads;
  server_options.max_body_bytes = static_cast<std::size_t>(options.max_body_kb) * 1024;
  try {
    server_options.default_delay = ParseDelaySpec(options.delay);
  } catch (const ScenarioError& e) {
    std::cerr << "dspy-compat: --delay-ms: " << e.what() << "\n";
    return kExitUsage;
  }
  for (const auto& file : options.fixtures) {
    try {
      mock::FixtureSet set = mock::LoadFixtureFile(file);
      for (auto& rule : set.rules) server_options.fixtures.rules.push_back(std::move(rule));
    } catch (const mock::FixtureError& e) {
      std::cerr << "dspy-compat: --fixtures: " << e.what() << "\n";
      return kExitUsage;
    }
  }
  const std::size_t rules = server_options.fixtures.rules.size();
  mock::MockLmServer server(std::move(server_options));
  try {
    server.Start();
  } catch (const std::exception& e) {
    std::cerr << "dspy-compat: the mock LM server would not start: " << e.what() << "\n";
    return kExitInfrastructure;
  }
  const std::string base = server.BaseUrl();
  std::cout << fmt::format(
                   "mock LM server on {0} ({1} fixture rules)\n"
                   "  LM API:  POST {0}/v1/chat/completions, POST {0}/v1/completions, GET "
                   "{0}/v1/models\n"
                   "           (or under {0}/run/<run-id>/v1/... to attribute calls to a run)\n"
                   "  journal: GET {0}/__admin/requests?run=<run-id>   rules: {0}/__admin/rules\n"
                   "  health:  GET {0}/__admin/health\n"
                   "Ctrl-C stops it.\n",
                   base, rules)
            << std::flush;
  auto& interrupted = InstallInterruptHandlers();
  while (!interrupted.load()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  server.Stop();
  return kExitOk;
}

}  // namespace dspy_compat
