#include <fmt/format.h>

#include <iostream>
#include <thread>

#include "catalogue/scenario_header.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/interrupt.h"
#include "mock_server/server.h"

namespace dspy_compat {

int MockServerCommand(const MockServerOptions& options) {
  mock::MockLmServer::Options server_options;
  server_options.bind_address = options.bind;
  server_options.port = static_cast<std::uint16_t>(options.port);
  server_options.seed = options.seed;
  server_options.echo_model = options.echo_model;
  server_options.threads = options.threads;
  try {
    server_options.default_delay = ParseDelaySpec(options.delay);
  } catch (const ScenarioError& e) {
    std::cerr << "dspy-compat: --delay-ms: " << e.what() << "\n";
    return kExitUsage;
  }
  mock::MockLmServer server(server_options);
  try {
    server.Start();
  } catch (const std::exception& e) {
    std::cerr << "dspy-compat: the mock LM server would not start: " << e.what() << "\n";
    return kExitInfrastructure;
  }
  std::cout << fmt::format(
                   "mock LM server on {}\n  chat completions: POST {}/v1/chat/completions (or "
                   "/run/<run-id>/v1/...)\n  journal: GET {}/__admin/requests?run=<run-id>\n"
                   "Ctrl-C stops it.\n",
                   server.BaseUrl(), server.BaseUrl(), server.BaseUrl())
            << std::flush;
  auto& interrupted = InstallInterruptHandlers();
  while (!interrupted.load()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  server.Stop();
  return kExitOk;
}

}  // namespace dspy_compat
